use playbooks::diagnose::{self, Diagnosis};
use playbooks::mappings::{self, MappingReport};
use playbooks::plan::ProgressEvent;
use playbooks::restart::{
    self, RestartPreview, RestartResult, RoundAfterRestart, ScopeChoice, Symptom,
};
use playbooks::tenant::TrainingApp;
use tauri::ipc::Channel;
use tauri::State;

use crate::progress::with_progress;
use crate::restart_watch::poll_interval;
use crate::{AppState, CommandError};

/// The training tenant's apps, offered as suggestions in the app field (none on a real tenant,
/// where the person types the app's name).
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn app_suggestions(state: State<'_, AppState>) -> Vec<TrainingApp> {
    state.app_suggestions()
}

/// An app's user mappings as a table, with the lint's findings. Changes nothing.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn mappings_inspect(
    state: State<'_, AppState>,
    app: String,
) -> Result<MappingReport, CommandError> {
    Ok(mappings::inspect(&state.desk().await?, &app).await?)
}

/// "We deleted someone and nothing happened in the app": every check in order, with evidence.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn diagnose_person(
    state: State<'_, AppState>,
    person: String,
    app: String,
) -> Result<Diagnosis, CommandError> {
    Ok(diagnose::diagnose(&state.desk().await?, &person, &app).await?)
}

/// The app's sync job, the recommended reset scope for the symptom, and the plan. Changes nothing.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn restart_preview(
    state: State<'_, AppState>,
    app: String,
    symptom: Option<Symptom>,
    scope: Option<ScopeChoice>,
) -> Result<RestartPreview, CommandError> {
    Ok(restart::preview(&state.desk().await?, &app, symptom, scope).await?)
}

/// Restarts the job (a Full reset needs the app's name typed), streaming progress.
#[tauri::command]
#[tracing::instrument(skip(state, progress), err)]
pub async fn restart_run(
    state: State<'_, AppState>,
    preview: RestartPreview,
    typed: Option<String>,
    progress: Channel<ProgressEvent>,
) -> Result<RestartResult, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { restart::run(&desk, &preview, typed.as_deref(), &tx).await };
    Ok(with_progress(progress, work).await?)
}

/// Waits until a sync round that began after the restart has ended and says how it went;
/// `null` when the watch was stopped first (the person left the screen, or a newer watch began).
/// `watch_id` is chosen by the screen, which passes it to `restart_watch_stop` when it goes.
#[tauri::command]
#[tracing::instrument(skip(state, preview, result), err)]
pub async fn restart_watch(
    state: State<'_, AppState>,
    watch_id: String,
    preview: RestartPreview,
    result: RestartResult,
) -> Result<Option<RoundAfterRestart>, CommandError> {
    let desk = state.desk().await?;
    let every = poll_interval(desk.connection().is_training());
    let guard = state.restart_watches.start(&watch_id);
    let cancel = guard.cancel.clone();
    Ok(restart::watch(&desk, &preview, &result, every, cancel).await?)
}

/// Stops the watch `watch_id`; true when it was still running.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn restart_watch_stop(state: State<'_, AppState>, watch_id: String) -> bool {
    state.restart_watches.stop(&watch_id)
}
