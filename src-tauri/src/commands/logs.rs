use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::provisioning_logs::{LogFilter, LogPage, LogsLoaded, LogsProgress, LogsState};
use crate::{AppState, CommandError};

/// The logs screen's state, put in place on first use.
fn logs<R: Runtime>(app: &AppHandle<R>) -> State<'_, LogsState> {
    if app.try_state::<LogsState>().is_none() {
        app.manage(LogsState::default());
    }
    app.state::<LogsState>()
}

/// Reads the provisioning-log entries of the last `hours` the session does not hold yet (with
/// `newer`, only entries newer than the newest held), reporting the count after each page.
#[tauri::command]
#[tracing::instrument(skip(app, state, progress), err)]
pub async fn logs_load<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    hours: u32,
    newer: bool,
    progress: Channel<LogsProgress>,
) -> Result<LogsLoaded, CommandError> {
    let desk = state.desk().await?;
    logs(&app).load(&desk, hours, newer, progress).await
}

/// Stops the reading in progress; what was read stays. True when one was going.
#[tauri::command]
pub fn logs_stop<R: Runtime>(app: AppHandle<R>) -> bool {
    logs(&app).stop()
}

/// `count` entries from `offset` on among those held matching `filter`, and how many match.
#[tauri::command]
#[tracing::instrument(skip(app, state), err)]
pub async fn logs_page<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    filter: LogFilter,
    offset: u32,
    count: u32,
) -> Result<LogPage, CommandError> {
    let desk = state.desk().await?;
    Ok(logs(&app).page(&desk, &filter, offset, count)?)
}
