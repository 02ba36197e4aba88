//! The provisioning-logs screen's filters, handed to `playbooks::logs::search`.

use chrono::Duration;
use playbooks::explain::LogLine;
use playbooks::logs::LogSearch;
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

impl From<&LogFilter> for LogSearch {
    fn from(filter: &LogFilter) -> Self {
        LogSearch {
            app: filter.app.clone(),
            person: filter.person.clone(),
            status: filter.status.clone(),
            window: Duration::hours(i64::from(filter.hours)),
            limit: MAX_ENTRIES,
        }
    }
}

/// Entries matching `filter`, newest first, each explained in plain words.
pub async fn search(desk: &Desk, filter: &LogFilter) -> Result<Vec<LogLine>, CommandError> {
    Ok(playbooks::logs::search(desk, &LogSearch::from(filter)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screens_filter_becomes_a_search_over_its_hours() {
        let filter = LogFilter {
            app: Some("Floorplan".into()),
            person: None,
            status: Some("Failed".into()),
            hours: 720,
        };
        let search = LogSearch::from(&filter);
        assert_eq!(search.window, Duration::days(30));
        assert_eq!(search.limit, MAX_ENTRIES);
        assert_eq!(search.app.as_deref(), Some("Floorplan"));
        assert_eq!(search.status.as_deref(), Some("Failed"));
    }
}
