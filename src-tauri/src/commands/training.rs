use tauri::State;

use crate::dto::{CycleReport, ScimRequest, TrainingClock};
use crate::{AppState, CommandError};

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

/// "Run the next provisioning cycle now": the clock moves to the next sync round and it runs.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn training_run_cycle(state: State<'_, AppState>) -> Result<CycleReport, CommandError> {
    let (clock, log_entries) = state.training_controls()?.run_next_cycle();
    Ok(CycleReport { clock, log_entries })
}

/// "What Entra sent to the app": the recorded SCIM requests about one person.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn training_scim_requests(
    state: State<'_, AppState>,
    person_id: String,
) -> Result<Vec<ScimRequest>, CommandError> {
    Ok(state.training_controls()?.scim_requests(&person_id))
}

/// Puts the training tenant back as it was at start.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn training_reset(state: State<'_, AppState>) -> Result<TrainingClock, CommandError> {
    Ok(state.training_controls()?.reset())
}

/// The fix for an app whose token expired, as its administrator would do it: the app issues a
/// new token and it is saved in Entra. Returns a sentence saying so.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn training_renew_token(
    state: State<'_, AppState>,
    app: String,
) -> Result<String, CommandError> {
    let controls = state.training_controls()?;
    let name = controls.renew_token(&app).ok_or_else(|| CommandError {
        code: "app_not_found".into(),
        message: format!("The training tenant has no app called \"{app}\" that syncs accounts."),
        hint: "Choose one of the apps offered in the app field.".into(),
    })?;
    Ok(format!(
        "{name} issued a new token and it is saved as the app's Secret Token in Entra. The next sync round can reach {name} again."
    ))
}
