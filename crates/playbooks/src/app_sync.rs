//! A person's apps with automatic account sync, and when the next sync round reaches them.

use chrono::{DateTime, Utc};
use entra_client::graph::synchronization::{JobStatusCode, SynchronizationJob};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::Result;
use crate::find::AppMatch;

/// One app a person is assigned to, and its sync job as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSync {
    pub app: AppMatch,
    /// "directly", "through a group", or both.
    pub assigned: String,
    /// The provisioning job, when there is one and it could be read.
    pub job_id: Option<String>,
    /// `Active`, `Paused`, `Quarantine`, `NotRun`, …
    pub job_status: Option<String>,
    /// When the next sync round is roughly due (last round + interval), on the tenant's clock.
    pub next_cycle_due: Option<DateTime<Utc>>,
    /// Minutes from now until then (0 when overdue).
    pub minutes_until_next_cycle: Option<i64>,
    /// Why the job could not be read (usually a missing role), in plain words.
    pub cannot_read: Option<String>,
}

impl AppSync {
    pub fn has_sync(&self) -> bool {
        self.job_id.is_some()
    }

    /// Whether the app's sync runs its rounds: it has a job that is neither paused nor in
    /// quarantine (a quarantined job runs rarely or not at all, graph-api.md §8.1), so a change
    /// can be promised to reach it at the next round.
    pub fn sync_runs(&self) -> bool {
        self.has_sync()
            && !matches!(
                self.job_status.as_deref(),
                Some("Paused" | "Quarantine" | "NotConfigured")
            )
    }

    /// "Floorplan will mark the account inactive at the next sync round, in about 25 minutes."
    pub fn when_it_reaches(&self, change: &str) -> String {
        let app = &self.app.display_name;
        if let Some(why) = &self.cannot_read {
            return format!(
                "{app}: it could not be checked when the change reaches the app ({why})."
            );
        }
        match self.job_status.as_deref() {
            None => format!("{app} has no automatic account sync; change the account there by hand if needed."),
            Some("Paused") => format!("{app}: sync is paused, so the app will not {change} until sync is started again."),
            Some("Quarantine") => format!("{app}: sync is paused because of repeated errors (quarantine); the app will not {change} until that is fixed (see Restart sync)."),
            _ => match self.minutes_until_next_cycle {
                Some(0) => format!("{app} will {change} at the next sync round, which is due now."),
                Some(minutes) => format!("{app} will {change} at the next sync round, in about {minutes} minutes."),
                None => format!("{app} will {change} at the next sync round (about every 40 minutes)."),
            },
        }
    }
}

/// The person's apps, with their sync jobs (one `$batch` per 20 apps).
pub async fn person_apps(desk: &Desk, person_id: &str) -> Result<Vec<AppSync>> {
    let now = desk.connection().tenant_now().await;
    let apps = desk.graph().user_apps(person_id).await?;
    Ok(apps
        .into_iter()
        .map(|app| {
            let assigned = match (
                app.assignment.direct.is_empty(),
                app.assignment.via_groups.is_empty(),
            ) {
                (false, false) => "directly and through a group",
                (false, true) => "directly",
                (true, false) => "through a group",
                (true, true) => "not assigned",
            };
            let job = app.jobs.as_ref().and_then(|jobs| jobs.first()).cloned();
            let mut sync = job_sync(
                AppMatch {
                    display_name: app
                        .display_name
                        .clone()
                        .unwrap_or_else(|| app.service_principal_id.clone()),
                    service_principal_id: app.service_principal_id.clone(),
                },
                job.as_ref(),
                now,
            );
            sync.assigned = assigned.to_string();
            sync.cannot_read = app.jobs_error.map(|error| error.message);
            sync
        })
        .collect())
}

/// How far [`tenant_apps`] has got: `checked` of `total` enterprise apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppsProgress {
    pub checked: usize,
    pub total: usize,
}

/// The tenant's apps with automatic account sync, and those whose sync could not be read
/// (`cannot_read` says why: "could not be read: …"). One app's error never aborts the list.
/// `progress` is called as the apps are checked (a tenant can hold thousands of enterprise
/// apps; only a few have provisioning).
pub async fn tenant_apps(
    desk: &Desk,
    progress: &mut (dyn FnMut(AppsProgress) + Send),
) -> Result<Vec<AppSync>> {
    let now = desk.connection().tenant_now().await;
    let apps = desk
        .graph()
        .apps_with_provisioning_progress(&mut |p| {
            progress(AppsProgress {
                checked: p.checked,
                total: p.total,
            })
        })
        .await?;
    Ok(apps
        .into_iter()
        .map(|app| {
            let mut sync = job_sync(
                AppMatch::from_service_principal(&app.service_principal),
                app.jobs.first(),
                now,
            );
            sync.cannot_read = app
                .jobs_error
                .map(|error| format!("could not be read: {error}"));
            sync
        })
        .collect())
}

/// An app's sync state from its job.
pub fn job_sync(app: AppMatch, job: Option<&SynchronizationJob>, now: DateTime<Utc>) -> AppSync {
    let next_cycle_due = job.and_then(SynchronizationJob::next_cycle_due);
    AppSync {
        app,
        assigned: String::new(),
        job_id: job.map(|j| j.id.clone()),
        job_status: job.map(|j| status_word(&j.status_code(), j.is_quarantined()).to_string()),
        next_cycle_due,
        minutes_until_next_cycle: next_cycle_due.map(|due| (due - now).num_minutes().max(0)),
        cannot_read: None,
    }
}

pub fn status_word(code: &JobStatusCode, quarantined: bool) -> &'static str {
    if quarantined {
        return "Quarantine";
    }
    match code {
        JobStatusCode::Active => "Active",
        JobStatusCode::Paused => "Paused",
        JobStatusCode::Quarantine => "Quarantine",
        JobStatusCode::NotRun => "NotRun",
        JobStatusCode::NotConfigured => "NotConfigured",
        _ => "Unknown",
    }
}

/// The ids (lower-case) of the people in an app's provisioning scope with "sync only assigned
/// users and groups": assigned directly, or direct members of an assigned group (nested groups
/// are not in provisioning scope, graph-api.md §7).
pub async fn people_in_scope(
    desk: &Desk,
    service_principal_id: &str,
) -> Result<std::collections::BTreeSet<String>> {
    use entra_client::graph::service_principals::PrincipalType;
    let graph = desk.graph();
    let mut people = std::collections::BTreeSet::new();
    for assignment in graph.app_role_assigned_to(service_principal_id).await? {
        let Some(principal) = assignment.principal_id else {
            continue;
        };
        match assignment.principal_type {
            PrincipalType::User => {
                people.insert(principal.to_lowercase());
            }
            PrincipalType::Group => {
                let members = graph.group_member_user_ids(&principal).await?;
                people.extend(members.into_iter().map(|m| m.to_lowercase()));
            }
            _ => {}
        }
    }
    Ok(people)
}
