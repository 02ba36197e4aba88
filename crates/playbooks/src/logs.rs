//! Reading provisioning logs: [`search`] for the logs screen and `provdesk logs` (plain filters,
//! explained lines), [`entries_since`] for the playbooks, [`cache`] for the logs screen (read once,
//! filtered in memory).
//!
//! The default order of the logs is not documented (graph-api.md §11.5): entries are asked for
//! newest first, and the answer's order is checked rather than trusted
//! ([`entra_client::graph::provisioning_logs::OrderCheck`]). The time window is sent as
//! `activityDateTime gt …` (documented for this API: graph-docs
//! `api-reference/v1.0/api/provisioningobjectsummary-list.md`), so that an answer in another
//! order is still a bounded read, and applied here again (`>=`, the boundary included).
//!
//! Microsoft documents the logs API for the global and US Government clouds only (entra-client
//! `features`): in 21Vianet every reading stops before it is sent with
//! [`crate::Error::NotInThisCloud`], which each playbook shows as "cannot check" with the reason.

pub mod cache;

use chrono::{DateTime, Duration, Utc};
use entra_client::features::CloudFeature;
use entra_client::graph::provisioning_logs::{
    ProvisioningLogQuery, ProvisioningObjectSummary, ProvisioningStatus,
};

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::explain::{explain, LogLine};
use crate::find::{find_app, find_person};

/// How long Entra keeps provisioning logs: 30 days with Entra ID P1 or P2, seven with Free
/// (entra-docs `reference-reports-data-retention.md`). A look back further finds nothing more.
pub const LOGS_KEPT_HOURS: u32 = 30 * 24;

/// Where a look back of `hours` from the tenant's `now` starts. `hours` comes from outside (the
/// logs screen sends it): 0, or more than the logs are kept, is refused rather than read (a
/// huge value would also put the start before the first representable date).
pub fn look_back(now: DateTime<Utc>, hours: u32) -> Result<DateTime<Utc>> {
    if !(1..=LOGS_KEPT_HOURS).contains(&hours) {
        return Err(Error::OutOfRange {
            what: "how far back to read the logs, in hours,",
            value: i64::from(hours),
            min: 1,
            max: i64::from(LOGS_KEPT_HOURS),
        });
    }
    Ok(now - Duration::hours(i64::from(hours)))
}

/// The `limit` newest entries matching `query`, at or after `since`, newest first.
pub async fn entries_since(
    desk: &Desk,
    query: &ProvisioningLogQuery,
    since: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<ProvisioningObjectSummary>> {
    desk.require(CloudFeature::ProvisioningLogs)?;
    // `gt` excludes the boundary: ask from a second earlier, keep `>= since` below.
    let query = ProvisioningLogQuery {
        since: since.map(|s| s - Duration::seconds(1)),
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

/// Which entries to show: the logs screen's filters and `provdesk logs`' options. Every field
/// narrows; blank text is no filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSearch {
    /// App name or service principal id.
    pub app: Option<String>,
    /// UPN, object id or name.
    pub person: Option<String>,
    /// The status word of [`LogLine::status`]: Success, Skipped, Failed (or Failure), Warning.
    pub status: Option<String>,
    /// How far back from the tenant's now.
    pub window: Duration,
    /// Most entries read.
    pub limit: usize,
}

impl Default for LogSearch {
    fn default() -> Self {
        LogSearch {
            app: None,
            person: None,
            status: None,
            window: Duration::hours(24),
            limit: 500,
        }
    }
}

/// The status word as the provisioning logs' `status`, for filtering at the source.
fn status_from_word(word: &str) -> Option<ProvisioningStatus> {
    match word.trim().to_ascii_lowercase().as_str() {
        "success" => Some(ProvisioningStatus::Success),
        "skipped" => Some(ProvisioningStatus::Skipped),
        "failed" | "failure" => Some(ProvisioningStatus::Failure),
        "warning" => Some(ProvisioningStatus::Warning),
        _ => None,
    }
}

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Entries matching `search`, newest first, each explained in plain words. An unknown or
/// ambiguous app or person is an error (`NotFound` / `Ambiguous` with the candidates).
pub async fn search(desk: &Desk, search: &LogSearch) -> Result<Vec<LogLine>> {
    let status = given(&search.status);
    let mut query = ProvisioningLogQuery {
        status: status.and_then(status_from_word),
        ..Default::default()
    };
    if let Some(app) = given(&search.app) {
        query.service_principal_id = Some(find_app(desk, app).await?.service_principal_id);
    }
    if let Some(person) = given(&search.person) {
        query.source_identity_id = Some(find_person(desk, person).await?.id);
    }
    let since = desk.connection().tenant_now().await - search.window;
    let entries = entries_since(desk, &query, Some(since), search.limit).await?;
    let wanted_app = query.service_principal_id.as_deref();
    let wanted_status = status.map(|s| {
        // "Failure" is Microsoft's word; the line says "Failed".
        if s.eq_ignore_ascii_case("failure") {
            "Failed"
        } else {
            s
        }
    });
    let mut lines: Vec<LogLine> = entries
        .iter()
        .map(explain)
        // Checked here as well: a service that ignores a filter must not show another app's
        // (or another status's) entries under this one.
        .filter(|line| {
            wanted_app.is_none_or(|wanted| {
                line.app_id
                    .as_deref()
                    .is_none_or(|id| id.eq_ignore_ascii_case(wanted))
            })
        })
        .filter(|line| wanted_status.is_none_or(|wanted| line.status.eq_ignore_ascii_case(wanted)))
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.when));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_and_microsofts_words_filter_the_same_entries() {
        assert_eq!(
            status_from_word("Failed"),
            Some(ProvisioningStatus::Failure)
        );
        assert_eq!(
            status_from_word("failure"),
            Some(ProvisioningStatus::Failure)
        );
        assert_eq!(
            status_from_word(" Skipped "),
            Some(ProvisioningStatus::Skipped)
        );
        assert_eq!(
            status_from_word("Success"),
            Some(ProvisioningStatus::Success)
        );
        assert_eq!(
            status_from_word("Warning"),
            Some(ProvisioningStatus::Warning)
        );
        assert_eq!(status_from_word("soon"), None);
    }
}

#[cfg(test)]
mod look_back_tests {
    use super::*;

    #[test]
    fn a_look_back_is_one_hour_to_the_thirty_days_the_logs_keep() {
        let now = DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            look_back(now, 24).unwrap().to_rfc3339(),
            "2026-12-03T10:00:00+00:00"
        );
        assert_eq!(
            look_back(now, 720).unwrap().to_rfc3339(),
            "2026-11-04T10:00:00+00:00"
        );
        for nonsense in [0, 721, u32::MAX] {
            let error = look_back(now, nonsense).unwrap_err();
            assert_eq!(error.code(), "value_out_of_range", "{nonsense}");
            assert_eq!(
                error.to_string(),
                format!(
                    "how far back to read the logs, in hours, must be between 1 and 720, not {nonsense}"
                )
            );
        }
    }
}
