//! Jobs an interrupted re-link left paused, found from the journal, and starting them again.
//!
//! A re-link pauses the app's sync before it forgets a link (Microsoft requires it: entra-docs
//! `manage-object-connections.md`) and starts it at the end. If the process dies in between
//! (crash, kill -9, the window closed), the journal holds a pause — succeeded, or pending /
//! unknown (it may have been applied) — and no start after it. Both front ends call
//! [`paused_jobs`] when they start and offer [`resume`]; the journal says who paused and when.

use chrono::{DateTime, Utc};
use entra_client::graph::synchronization::ScheduleState;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::Result;
use crate::find::AppMatch;
use crate::journal::{
    ActionFilter, ActionIntent, ActionKind, ActionOutcome, ActionStatus, RunStatus, TargetRecord,
};
use crate::plan::{PlaybookKind, StepOutcome};
use crate::steps::StepRun;

/// An app's sync that a re-link paused and nothing has started since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PausedJob {
    /// The interrupted re-link's journal run.
    pub run_id: String,
    pub app: AppMatch,
    pub job_id: String,
    /// Who paused it (the UPN the journal recorded).
    pub paused_by: String,
    /// When the pause was sent, as the journal recorded it.
    pub paused_at: DateTime<Utc>,
    /// Whom the re-link was for ("Ada Lovelace in Project Insight"), when it got that far.
    pub relinking: Option<String>,
    /// False when the pause never got an answer: it may or may not have been applied.
    pub pause_confirmed: bool,
    /// One plain sentence for a banner or a terminal.
    pub sentence: String,
}

/// What [`resume`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobResumed {
    pub job: PausedJob,
    /// The journal run that records the start.
    pub run_id: String,
    pub outcome: StepOutcome,
    /// One plain sentence.
    pub summary: String,
}

/// The jobs of this tenant that a re-link paused and that were not started again afterwards,
/// newest pause first, one per job. Reads the journal only (nothing is sent). A re-link still
/// running in another window shows here too until it starts the job.
pub fn paused_jobs(desk: &Desk) -> Result<Vec<PausedJob>> {
    let tenant = desk.tenant_id();
    let actions = desk.journal().actions(&ActionFilter {
        playbook: Some(PlaybookKind::Relink),
        ..Default::default()
    })?;
    let mut found: Vec<PausedJob> = Vec::new();
    for (index, pause) in actions.iter().enumerate() {
        if pause.kind != ActionKind::PauseJob
            || pause.status == ActionStatus::Failed
            || !pause.tenant_id.eq_ignore_ascii_case(&tenant)
        {
            continue;
        }
        let Some(job_id) = pause.step.strip_prefix("pause:") else {
            continue;
        };
        let start_step = format!("start:{job_id}");
        let started_after = actions[index + 1..].iter().any(|later| {
            later.kind == ActionKind::StartJob
                && later.status == ActionStatus::Succeeded
                && later.target.id == pause.target.id
                && later.step == start_step
        });
        if started_after {
            continue;
        }
        let relinking = actions
            .iter()
            .find(|a| a.run_id == pause.run_id && a.kind == ActionKind::ForgetLink)
            .map(|a| a.target.display_name.clone());
        let app = AppMatch {
            service_principal_id: pause.target.id.clone(),
            display_name: pause.target.display_name.clone(),
        };
        let when = pause.intended_at.format("%d %b %Y %H:%M UTC");
        let sentence = format!(
            "Sync for {} was paused by a re-link{} that did not finish ({} paused it on {when}) and has not been started again.",
            app.display_name,
            relinking
                .as_deref()
                .map(|who| format!(" of {who}"))
                .unwrap_or_default(),
            pause.actor.upn,
        );
        let job = PausedJob {
            run_id: pause.run_id.clone(),
            app,
            job_id: job_id.to_string(),
            paused_by: pause.actor.upn.clone(),
            paused_at: pause.intended_at,
            relinking,
            pause_confirmed: pause.status == ActionStatus::Succeeded,
            sentence,
        };
        // One per job: the newest pause (actions are oldest first).
        found.retain(|j| {
            !(j.app.service_principal_id == job.app.service_principal_id && j.job_id == job.job_id)
        });
        found.push(job);
    }
    found.reverse();
    Ok(found)
}

/// Gives the interrupted run's unanswered actions the outcome that can be observed now, so the
/// journal (and the ticket) says what happened rather than "waiting": a forgotten link is read
/// back (gone → it was applied); anything else unanswered is "unknown", never guessed.
async fn settle_interrupted(desk: &Desk, paused: &PausedJob) -> Result<()> {
    let journal = desk.journal();
    let unanswered: Vec<_> = journal
        .actions(&ActionFilter {
            run_id: Some(paused.run_id.clone()),
            ..Default::default()
        })?
        .into_iter()
        .filter(|a| a.status == ActionStatus::Pending)
        .collect();
    for action in unanswered {
        let outcome = if action.kind == ActionKind::ForgetLink {
            match desk
                .graph()
                .get_object_connection(
                    &paused.app.service_principal_id,
                    &paused.job_id,
                    &action.target.id,
                )
                .await
            {
                Ok(None) => ActionOutcome::Succeeded {
                    request_id: None,
                    note: Some("confirmed after the interruption: no link is stored any more".into()),
                },
                Ok(Some(_)) => ActionOutcome::Unknown {
                    request_id: None,
                    message: "interrupted before the answer; afterwards the link was still stored (not applied, or not yet)".into(),
                },
                Err(error) => ActionOutcome::Unknown {
                    request_id: None,
                    message: format!("interrupted before the answer; the link could not be read afterwards: {error}"),
                },
            }
        } else {
            ActionOutcome::Unknown {
                request_id: None,
                message: "interrupted before the answer; not verified".into(),
            }
        };
        journal.record_outcome(&action.id, outcome)?;
    }
    Ok(())
}

/// [`resume`] for the interrupted re-link `run_id`, as a front end names it: which job that is
/// comes from the journal ([`paused_jobs`]), never from the front end.
pub async fn resume_run(desk: &Desk, run_id: &str) -> Result<JobResumed> {
    let job = paused_jobs(desk)?
        .into_iter()
        .find(|job| job.run_id == run_id)
        .ok_or_else(|| crate::error::Error::RunNotFound(run_id.to_string()))?;
    resume(desk, &job).await
}

/// Starts a job an interrupted re-link left paused, journaled in a new re-link run under the
/// person signed in now. A job that already runs again (someone started it in the admin center)
/// is not started twice: the journal records that nothing was sent. The interrupted run is
/// marked incomplete.
pub async fn resume(desk: &Desk, paused: &PausedJob) -> Result<JobResumed> {
    let graph = desk.graph();
    let sp = &paused.app.service_principal_id;
    let job = &paused.job_id;
    let name = &paused.app.display_name;
    let (progress, _ignored) = mpsc::channel(16);
    let mut steps = StepRun::start(desk, PlaybookKind::Relink, 1, &progress).await?;
    let step_id = format!("start:{job}");
    let target = TargetRecord {
        id: sp.clone(),
        display_name: name.clone(),
    };
    let state = graph
        .get_job(sp, job)
        .await
        .ok()
        .and_then(|j| j.schedule.map(|s| s.state));
    let outcome = match state {
        // Microsoft: "use the start job only when the job is currently paused or in
        // quarantine" — a job that runs again is left alone, and the journal says so.
        Some(ScheduleState::Active) => {
            let record = desk.journal().record_intent(ActionIntent {
                run_id: steps.run_id.clone(),
                actor: None,
                step: step_id.clone(),
                row: None,
                target: target.clone(),
                kind: ActionKind::StartJob,
                request_summary: format!("none sent: sync for {name} already reads as Active"),
            })?;
            desk.journal().record_outcome(
                &record.id,
                ActionOutcome::Succeeded {
                    request_id: None,
                    note: Some("sync was already running again; nothing was sent".into()),
                },
            )?;
            let outcome = StepOutcome::AlreadyDone {
                detail: "sync was already running again; nothing was sent".into(),
            };
            steps
                .note(
                    &step_id,
                    &ActionKind::StartJob.plain_title(name),
                    outcome.clone(),
                )
                .await;
            outcome
        }
        _ => {
            steps
                .action(
                    &step_id,
                    ActionKind::StartJob,
                    &target,
                    format!("POST /servicePrincipals/{sp}/synchronization/jobs/{job}/start"),
                    || graph.start_job(sp, job),
                )
                .await?
        }
    };
    let (run_id, _) = steps.finish().await?;
    settle_interrupted(desk, paused).await?;
    if desk
        .journal()
        .run(&paused.run_id)
        .is_ok_and(|run| run.status == RunStatus::Running)
    {
        desk.journal()
            .set_run_status(&paused.run_id, RunStatus::Incomplete)?;
    }
    let summary = match &outcome {
        StepOutcome::Succeeded { .. } => format!("Sync for {name} is running again."),
        StepOutcome::AlreadyDone { .. } => {
            format!("Sync for {name} was already running again; nothing was sent.")
        }
        StepOutcome::Failed { error } => format!(
            "Sync for {name} could not be started: {} {}",
            error.message, error.hint
        ),
        StepOutcome::Skipped { because } | StepOutcome::Unknown { because } => {
            format!("Sync for {name} may not be running: {because}")
        }
    };
    Ok(JobResumed {
        job: paused.clone(),
        run_id,
        outcome,
        summary,
    })
}
