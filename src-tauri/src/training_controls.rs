//! The training band's controls: the virtual clock and reset of the in-process training tenant,
//! through the training tenant's own Rust API (`TenantState`), never over HTTP.

use std::sync::Arc;

use training_tenant::TenantState;

use crate::dto::TrainingClock;

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
        let names = names_before
            .into_iter()
            .filter(|(id, _)| purged.contains(id))
            .map(|(_, name)| name)
            .collect();
        tracing::info!(days, purged = purged.len(), "training clock moved forward");
        self.report(names)
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

        let reset = controls.reset();
        assert_eq!(reset.days_ahead, 0.0);
        let directory = tenant.state().directory();
        assert!(directory
            .deleted_users
            .values()
            .any(|u| u.str_prop("displayName") == Some("Nora Nearlygone")));
    }
}
