use tauri::State;

use crate::{dto::AppStatus, AppState, CommandError};

/// Which tenant we are connected to, and whether it is the training tenant.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, CommandError> {
    Ok(state.status().await)
}
