use tauri::State;

use crate::{dto::TrainingClock, AppState, CommandError};

/// Where the training tenant's virtual clock stands.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn training_clock(state: State<'_, AppState>) -> Result<TrainingClock, CommandError> {
    Ok(state.training_controls()?.clock())
}

/// Moves the training tenant's clock forward ("Skip 30 days").
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn training_skip_days(
    state: State<'_, AppState>,
    days: u32,
) -> Result<TrainingClock, CommandError> {
    Ok(state.training_controls()?.skip_days(days))
}

/// Puts the training tenant back as it was at start.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn training_reset(state: State<'_, AppState>) -> Result<TrainingClock, CommandError> {
    Ok(state.training_controls()?.reset())
}
