use playbooks::plan::ProgressEvent;
use playbooks::reactivate::{self, ReactivatePreview, ReactivateResult};
use tauri::ipc::Channel;
use tauri::State;

use crate::progress::with_progress;
use crate::{AppState, CommandError};

/// Where the returning person stands (on, off, in the recycle bin, gone) and what will happen.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn reactivate_preview(
    state: State<'_, AppState>,
    person: String,
) -> Result<ReactivatePreview, CommandError> {
    Ok(reactivate::preview(&state.desk().await?, &person).await?)
}

/// Restores (if needed), turns sign-in back on and syncs each app now, streaming progress.
#[tauri::command]
#[tracing::instrument(skip(state, progress), err)]
pub async fn reactivate_run(
    state: State<'_, AppState>,
    preview: ReactivatePreview,
    progress: Channel<ProgressEvent>,
) -> Result<ReactivateResult, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { reactivate::run(&desk, &preview, &tx).await };
    Ok(with_progress(progress, work).await?)
}
