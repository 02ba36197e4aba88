use playbooks::bulk::playbook as bulk;
use playbooks::bulk::{BulkKind, BulkPlan, BulkReport};
use playbooks::plan::ProgressEvent;
use tauri::ipc::Channel;
use tauri::State;

use crate::progress::with_progress;
use crate::{AppState, CommandError};

/// Reads the CSV and looks up every row. Changes nothing.
#[tauri::command]
#[tracing::instrument(skip(state, file), err)]
pub async fn bulk_preview(
    state: State<'_, AppState>,
    kind: BulkKind,
    file: String,
) -> Result<BulkPlan, CommandError> {
    Ok(bulk::preview(&state.desk().await?, kind, file.as_bytes()).await?)
}

/// Runs the ready rows of a confirmed preview, streaming counts and time left.
#[tauri::command]
#[tracing::instrument(skip(state, plan, progress), err)]
pub async fn bulk_run(
    state: State<'_, AppState>,
    plan: BulkPlan,
    progress: Channel<ProgressEvent>,
) -> Result<BulkReport, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { bulk::run(&desk, &plan, state.bulk.start(tx)).await };
    Ok(with_progress(progress, work).await?)
}

/// Continues an interrupted or cancelled run without repeating anything.
#[tauri::command]
#[tracing::instrument(skip(state, progress), err)]
pub async fn bulk_resume(
    state: State<'_, AppState>,
    run_id: String,
    progress: Channel<ProgressEvent>,
) -> Result<BulkReport, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { bulk::resume(&desk, &run_id, state.bulk.start(tx)).await };
    Ok(with_progress(progress, work).await?)
}

/// Stops the running bulk run after the rows in flight; true when one was running.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn bulk_cancel(state: State<'_, AppState>) -> bool {
    state.bulk.cancel()
}
