use playbooks::find::PersonMatch;
use playbooks::offboard::{self, AppVerification, Departure, OffboardPreview, OffboardResult};
use playbooks::plan::{Plan, ProgressEvent};
use playbooks::steps::StepResult;
use tauri::ipc::Channel;
use tauri::State;

use crate::progress::with_progress;
use crate::{AppState, CommandError};

/// How many people the search box offers at most.
const SEARCH_LIMIT: usize = 10;

/// People whose name, UPN, mail or employee id matches; someone in the recycle bin by UPN or id.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn people_search(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<PersonMatch>, CommandError> {
    state.search_people(&query, SEARCH_LIMIT).await
}

/// What offboarding will do, from what the tenant shows now. Changes nothing.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn offboard_preview(
    state: State<'_, AppState>,
    person: String,
    departure: Departure,
) -> Result<OffboardPreview, CommandError> {
    Ok(offboard::preview(&state.desk().await?, &person, departure).await?)
}

/// Turns off sign-in and ends sessions (each journaled before it is sent), streaming progress.
#[tauri::command]
#[tracing::instrument(skip(state, progress), err)]
pub async fn offboard_run(
    state: State<'_, AppState>,
    preview: OffboardPreview,
    progress: Channel<ProgressEvent>,
) -> Result<OffboardResult, CommandError> {
    let desk = state.desk().await?;
    Ok(with_progress(progress, |tx| async move {
        offboard::run(&desk, &preview, &tx).await
    })
    .await?)
}

/// Per app: has the change reached it? From the provisioning logs since the run.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn offboard_verify(
    state: State<'_, AppState>,
    result: OffboardResult,
) -> Result<Vec<AppVerification>, CommandError> {
    let desk = state.desk().await?;
    Ok(offboard::verify(&desk, &result.person.id, &result.apps, result.started_at).await?)
}

/// Permanent departure, later and separately: what deleting the person will (not) do.
#[tauri::command]
#[tracing::instrument]
pub fn offboard_deletion_plan(person: PersonMatch) -> Plan {
    offboard::deletion_plan(&person)
}

/// Moves the person to the recycle bin; `typed` must be their user principal name.
#[tauri::command]
#[tracing::instrument(skip(state, progress), err)]
pub async fn offboard_delete(
    state: State<'_, AppState>,
    person: PersonMatch,
    typed: String,
    progress: Channel<ProgressEvent>,
) -> Result<Vec<StepResult>, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { offboard::delete(&desk, &person, &typed, &tx).await };
    Ok(with_progress(progress, work).await?)
}
