//! Reading provisioning logs for the playbooks.
//!
//! The time window is applied here, on `activityDateTime`, rather than sent as
//! `activityDateTime gt …` in `$filter`: Microsoft documents that comparison for the reports API,
//! but not every service that imitates it has accepted it (the training tenant's shared `$filter`
//! parser refused `gt` until its reports dialect reached the router), and the other filters (app,
//! person, status) already keep the answer small.

use chrono::{DateTime, Utc};
use entra_client::graph::provisioning_logs::{ProvisioningLogQuery, ProvisioningObjectSummary};

use crate::desk::Desk;
use crate::error::Result;

/// Up to `limit` entries matching `query`, at or after `since`.
pub async fn entries_since(
    desk: &Desk,
    query: &ProvisioningLogQuery,
    since: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<ProvisioningObjectSummary>> {
    let query = ProvisioningLogQuery {
        since: None,
        ..query.clone()
    };
    let entries = desk.graph().recent_provisioning_logs(&query, limit).await?;
    Ok(entries
        .into_iter()
        .filter(|entry| match (since, entry.activity_date_time) {
            (Some(since), Some(at)) => at >= since,
            _ => true,
        })
        .collect())
}
