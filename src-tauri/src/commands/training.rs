use tauri::State;

use crate::{dto::TrainingClock, AppState};

/// Where the training tenant's virtual clock stands.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn training_clock(state: State<'_, AppState>) -> TrainingClock {
    state.training_controls().clock()
}

/// Moves the training tenant's clock forward ("Skip 30 days").
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn training_skip_days(state: State<'_, AppState>, days: u32) -> TrainingClock {
    state.training_controls().skip_days(days)
}

/// Puts the training tenant back as it was at start.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn training_reset(state: State<'_, AppState>) -> TrainingClock {
    state.training_controls().reset()
}
