//! The training band's controls: the virtual clock and reset of the in-process training tenant,
//! through the training tenant's own Rust API (`TenantState`), never over HTTP.

use std::sync::Arc;

use training_tenant::provisioning::engine;
use training_tenant::TenantState;

use crate::dto::{ScimRequest, TrainingClock};

/// The longest single skip the band offers; the training tenant bounds its clock anyway.
const MAX_SKIP_DAYS: u32 = 366;

pub struct TrainingControls<'a> {
    tenant: &'a Arc<TenantState>,
}

impl<'a> TrainingControls<'a> {
    pub fn new(tenant: &'a Arc<TenantState>) -> Self {
        Self { tenant }
    }

    /// Where the virtual clock stands.
    pub fn clock(&self) -> TrainingClock {
        self.report(Vec::new())
    }

    /// Moves the virtual clock forward by `days` (at most a year). People whose 30 days in the
    /// recycle bin are over are permanently deleted, as Entra does.
    pub fn skip_days(&self, days: u32) -> TrainingClock {
        let days = days.min(MAX_SKIP_DAYS);
        let names_before: Vec<(String, String)> = {
            let directory = self.tenant.directory();
            directory
                .deleted_users
                .values()
                .map(|user| {
                    let name = user.str_prop("displayName").unwrap_or(&user.id).to_string();
                    (user.id.clone(), name)
                })
                .collect()
        };
        self.tenant
            .clock
            .advance(chrono::Duration::days(i64::from(days)));
        let purged = self.tenant.purge_expired();
        // The sync rounds of those days happen too (the engine skips idle ones cheaply).
        engine::run_due(self.tenant);
        let names = names_before
            .into_iter()
            .filter(|(id, _)| purged.contains(id))
            .map(|(_, name)| name)
            .collect();
        tracing::info!(days, purged = purged.len(), "training clock moved forward");
        self.report(names)
    }

    /// "Run the next provisioning cycle now": moves the clock to the moment the next sync round
    /// of any app is due and runs every round due by then. Returns the clock and how many
    /// provisioning log entries the rounds wrote.
    pub fn run_next_cycle(&self) -> (TrainingClock, u32) {
        let now = self.tenant.clock.now();
        let next_due = self
            .tenant
            .provisioning()
            .jobs
            .values()
            .filter_map(|job| job.due_at())
            .min();
        if let Some(due) = next_due.filter(|due| *due > now) {
            self.tenant.clock.advance(due - now);
        }
        let logs_before = self.tenant.provisioning().logs.len();
        let rounds = engine::run_due(self.tenant);
        let written = self.tenant.provisioning().logs.len() - logs_before;
        tracing::info!(rounds, written, "training: next provisioning cycle run");
        (
            self.report(Vec::new()),
            u32::try_from(written).unwrap_or(u32::MAX),
        )
    }

    /// "What Entra sent to the app": the SCIM requests the training engine sent about one
    /// person (Entra object id), oldest first, with the app's answers.
    pub fn scim_requests(&self, person_id: &str) -> Vec<ScimRequest> {
        let pretty = |body: &Option<serde_json::Value>| {
            body.as_ref()
                .map(|value| serde_json::to_string_pretty(value).unwrap_or_default())
        };
        self.tenant
            .provisioning()
            .exchanges
            .iter()
            .filter(|e| {
                e.user_id
                    .as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(person_id))
            })
            .map(|e| ScimRequest {
                at: e.at.clone(),
                app: e.app.clone(),
                method: e.method.clone(),
                path: e.path.clone(),
                request_body: pretty(&e.request_body),
                status: e.status,
                response_body: pretty(&e.response_body),
            })
            .collect()
    }

    /// What the app's administrator does when the token Entra holds has expired: the app issues
    /// a new bearer token and it is saved as the job's Secret Token. `app` is the app's display
    /// name or key; returns its display name. Same effect as the tenant's
    /// `POST /_training/scim-apps/{app}/renew-token`.
    pub fn renew_token(&self, app: &str) -> Option<String> {
        let now = self.tenant.clock.now();
        let mut provisioning = self.tenant.provisioning();
        let scim_app = provisioning.apps.values_mut().find(|a| {
            a.key.eq_ignore_ascii_case(app.trim())
                || a.display_name.eq_ignore_ascii_case(app.trim())
        })?;
        let key = scim_app.key.clone();
        let display_name = scim_app.display_name.clone();
        let token = format!("scim-{key}-renewed-{}", now.timestamp_micros());
        scim_app.token = token.clone();
        scim_app.personality.token_expired = false;
        for job in provisioning.jobs.values_mut().filter(|j| j.app_key == key) {
            job.secret_token = token.clone();
        }
        for summary in provisioning.summaries.iter_mut().filter(|s| s.key == key) {
            summary.bearer_token = token.clone();
            summary.personality.token_expired = false;
        }
        tracing::info!(app = %display_name, "training: app token renewed");
        Some(display_name)
    }

    /// Back to the scenario as it was at start (people, apps, clock).
    pub fn reset(&self) -> TrainingClock {
        self.tenant.reset();
        tracing::info!("training tenant reset");
        self.report(Vec::new())
    }

    fn report(&self, permanently_deleted: Vec<String>) -> TrainingClock {
        let offset = self.tenant.clock.offset();
        TrainingClock {
            now: self
                .tenant
                .clock
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            days_ahead: offset.num_seconds() as f64 / 86_400.0,
            permanently_deleted,
        }
    }
}

#[cfg(test)]
mod tests {
    use training_tenant::{Options, TrainingTenant};

    use super::*;

    #[tokio::test]
    async fn skipping_30_days_empties_the_recycle_bin_of_those_due() {
        let tenant = TrainingTenant::start(Options::default()).await.unwrap();
        let controls = TrainingControls::new(tenant.state());
        assert_eq!(controls.clock().days_ahead, 0.0);

        // Nora was deleted 29 days ago: one more day and she is gone for good.
        let moved = controls.skip_days(1);
        assert_eq!(moved.days_ahead, 1.0);
        assert_eq!(moved.permanently_deleted, ["Nora Nearlygone"]);

        let (clock, written) = controls.run_next_cycle();
        assert!(clock.days_ahead > 1.0, "the clock moved to the next round");
        let _ = written;

        let reset = controls.reset();
        assert_eq!(reset.days_ahead, 0.0);
        let directory = tenant.state().directory();
        assert!(directory
            .deleted_users
            .values()
            .any(|u| u.str_prop("displayName") == Some("Nora Nearlygone")));
    }
}

#[cfg(test)]
mod cycle_tests {
    use training_tenant::{Options, TrainingTenant};

    use super::*;

    #[tokio::test]
    async fn the_next_cycle_sends_a_disabled_person_to_the_app_as_inactive() {
        let tenant = TrainingTenant::start(Options::default()).await.unwrap();
        let controls = TrainingControls::new(tenant.state());
        let leo = tenant.summary().people["leaver-today"].id.clone();
        // Bring every app up to date first, then disable Leo as the directory would.
        controls.run_next_cycle();
        {
            let mut directory = tenant.state().directory_mut();
            let now = tenant.state().clock.now();
            directory
                .update_user(
                    &leo,
                    serde_json::Map::from_iter([(
                        "accountEnabled".to_string(),
                        serde_json::json!(false),
                    )]),
                    now,
                )
                .unwrap();
        }
        let before = controls.scim_requests(&leo).len();
        let mut patched = false;
        for _ in 0..3 {
            controls.run_next_cycle();
            // The PATCH's operations set active to false (not merely the word "active").
            patched = controls.scim_requests(&leo)[before..].iter().any(|r| {
                r.method == "PATCH"
                    && r.request_body
                        .as_deref()
                        .and_then(|b| serde_json::from_str(b).ok())
                        .is_some_and(|body| {
                            training_tenant::scim::active_patch::active_set_by(&body) == Some(false)
                        })
            });
            if patched {
                break;
            }
        }
        assert!(patched, "{:#?}", controls.scim_requests(&leo));
    }
}
