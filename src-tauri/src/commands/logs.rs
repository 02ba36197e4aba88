use playbooks::explain::LogLine;
use tauri::State;

use crate::provisioning_logs::{self, LogFilter};
use crate::{AppState, CommandError};

/// Provisioning log entries by app, person, status and time, each explained in plain words.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn logs_search(
    state: State<'_, AppState>,
    filter: LogFilter,
) -> Result<Vec<LogLine>, CommandError> {
    provisioning_logs::search(&state.desk().await?, &filter).await
}
