use playbooks::journal::{ActionFilter, ActionRecord};
use playbooks::reconcile::{self, FinishedChange, UnfinishedChange};
use tauri::State;

use crate::{dto::ExportFormat, dto::SavedFile, AppState, CommandError};

/// The journal's rows matching the filter, newest first.
///
/// Async, like every command that touches the journal: a synchronous command runs on the
/// window's main thread, which would freeze while `provdesk` holds the journal's write lock
/// (the busy timeout waits up to 10 s); async ones run on the runtime's workers.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn journal_actions(
    state: State<'_, AppState>,
    filter: ActionFilter,
) -> Result<Vec<ActionRecord>, CommandError> {
    state.journal_actions(&filter)
}

/// Saves the rows matching the filter as CSV or JSON in the Downloads folder (async: see
/// [`journal_actions`]).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn journal_export(
    state: State<'_, AppState>,
    filter: ActionFilter,
    format: ExportFormat,
) -> Result<SavedFile, CommandError> {
    state.export_journal(&filter, format)
}

/// Changes an interrupted session left without an answer (from the journal; nothing is sent).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn journal_unfinished(
    state: State<'_, AppState>,
) -> Result<Vec<UnfinishedChange>, CommandError> {
    Ok(reconcile::unfinished_changes(&state.desk().await?)?)
}

/// Reads the tenant for one unfinished change and journals what happened (sends no change).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn journal_finish(
    state: State<'_, AppState>,
    action_id: String,
) -> Result<FinishedChange, CommandError> {
    Ok(reconcile::check_and_finish(&state.desk().await?, &action_id).await?)
}
