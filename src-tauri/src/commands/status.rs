use tauri::State;

use crate::{dto::AppStatus, AppState};

/// Which tenant we are connected to, and whether it is the training tenant.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    state.status()
}
