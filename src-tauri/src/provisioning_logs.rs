//! The provisioning-logs screen's query, over `playbooks::logs` and `playbooks::explain`.
//!
//! `playbooks::logs::entries_since` takes entra-client's `ProvisioningLogQuery`, so this module
//! fills in its ids; a `playbooks::logs` function taking plain filters (app name, person, status,
//! window) would let this file go.

use chrono::Duration;
use entra_client::graph::provisioning_logs::ProvisioningLogQuery;
use playbooks::explain::{explain, LogLine};
use playbooks::find::{find_app, find_person};
use playbooks::Desk;
use serde::Deserialize;
use ts_rs::TS;

use crate::CommandError;

/// Most entries read for one screen; the list is virtualized, the tenant is the limit.
const MAX_ENTRIES: usize = 5_000;

/// The screen's filters. Every field narrows.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogFilter {
    /// App name or service principal id.
    pub app: Option<String>,
    /// UPN, object id or name.
    pub person: Option<String>,
    /// The status word: Success, Skipped, Failed, Warning.
    pub status: Option<String>,
    /// How far back, in hours.
    pub hours: u32,
}

/// Entries matching `filter`, newest first, each explained in plain words.
pub async fn search(desk: &Desk, filter: &LogFilter) -> Result<Vec<LogLine>, CommandError> {
    let mut query = ProvisioningLogQuery::default();
    if let Some(app) = filter.app.as_deref().filter(|a| !a.trim().is_empty()) {
        query.service_principal_id = Some(find_app(desk, app.trim()).await?.service_principal_id);
    }
    let app_id = query.service_principal_id.clone();
    if let Some(person) = filter.person.as_deref().filter(|p| !p.trim().is_empty()) {
        query.source_identity_id = Some(find_person(desk, person.trim()).await?.id);
    }
    let since = desk.connection().tenant_now().await - Duration::hours(i64::from(filter.hours));
    let entries = playbooks::logs::entries_since(desk, &query, Some(since), MAX_ENTRIES).await?;
    let mut lines: Vec<LogLine> = entries
        .iter()
        .map(explain)
        // The app filter is checked here as well: a service that ignores it must not show
        // another app's entries under this app's name.
        .filter(|line| {
            app_id.as_deref().is_none_or(|wanted| {
                line.app_id
                    .as_deref()
                    .is_none_or(|id| id.eq_ignore_ascii_case(wanted))
            })
        })
        .filter(|line| {
            filter
                .status
                .as_deref()
                .is_none_or(|wanted| wanted.is_empty() || line.status.eq_ignore_ascii_case(wanted))
        })
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.when));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use playbooks::journal::Journal;
    use playbooks::plan::UserFacingError;

    use super::*;
    use crate::AppState;

    #[tokio::test]
    async fn entries_are_those_of_the_chosen_app_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::in_memory()
            .map(Arc::new)
            .map_err(|e| UserFacingError::from(&e));
        let state = AppState::start_training_with(journal, dir.path().to_path_buf())
            .await
            .unwrap();
        state.sign_in_demo("reports").await.unwrap();
        state.training_controls().unwrap().run_next_cycle();
        let filter = LogFilter {
            app: Some("Floorplan".into()),
            person: None,
            status: None,
            hours: 720,
        };
        let lines = search(&state.desk().await.unwrap(), &filter).await.unwrap();
        assert!(!lines.is_empty());
        let apps: std::collections::BTreeSet<_> =
            lines.iter().map(|l| l.app_name.clone()).collect();
        assert_eq!(apps.len(), 1, "{apps:?}");
        assert!(lines.windows(2).all(|w| w[0].when >= w[1].when));
        let ids: std::collections::BTreeSet<_> = lines.iter().map(|l| &l.id).collect();
        assert_eq!(ids.len(), lines.len(), "log entry ids are unique");
    }
}
