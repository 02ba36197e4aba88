use playbooks::plan::ProgressEvent;
use playbooks::relink::{self, JobResumed, PausedJob, RelinkPreview, RelinkResult};
use tauri::ipc::Channel;
use tauri::State;

use crate::progress::with_progress;
use crate::{AppState, CommandError};

/// The person's stored link in the app, what the logs show and the likely cause. Changes nothing.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn relink_preview(
    state: State<'_, AppState>,
    person: String,
    app: String,
) -> Result<RelinkPreview, CommandError> {
    Ok(relink::preview(&state.desk().await?, &person, &app).await?)
}

/// Pauses the app's sync, forgets the link, syncs the person now and starts sync again,
/// streaming progress.
#[tauri::command]
#[tracing::instrument(skip(state, progress), err)]
pub async fn relink_run(
    state: State<'_, AppState>,
    preview: RelinkPreview,
    progress: Channel<ProgressEvent>,
) -> Result<RelinkResult, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { relink::run(&desk, &preview, &tx).await };
    Ok(with_progress(progress, work).await?)
}

/// Syncs an interrupted re-link left paused (read from the journal; nothing is sent).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn relink_paused_jobs(
    state: State<'_, AppState>,
) -> Result<Vec<PausedJob>, CommandError> {
    Ok(relink::paused_jobs(&state.desk().await?)?)
}

/// Starts again a sync an interrupted re-link left paused, and journals it. The web view names
/// the interrupted run only; which job that is comes from the journal, not from the web view.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn relink_resume_job(
    state: State<'_, AppState>,
    run_id: String,
) -> Result<JobResumed, CommandError> {
    Ok(relink::resume_run(&state.desk().await?, &run_id).await?)
}
