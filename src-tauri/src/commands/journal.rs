use playbooks::journal::{ActionFilter, ActionRecord};
use tauri::State;

use crate::{dto::ExportFormat, dto::SavedFile, AppState, CommandError};

/// The journal's rows matching the filter, newest first.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn journal_actions(
    state: State<'_, AppState>,
    filter: ActionFilter,
) -> Result<Vec<ActionRecord>, CommandError> {
    state.journal_actions(&filter)
}

/// Saves the rows matching the filter as CSV or JSON in the Downloads folder.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn journal_export(
    state: State<'_, AppState>,
    filter: ActionFilter,
    format: ExportFormat,
) -> Result<SavedFile, CommandError> {
    state.export_journal(&filter, format)
}
