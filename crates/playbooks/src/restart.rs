//! Playbook 3 — Restart or reset sync (provisioning) for an app.
//!
//! Show the job's state, explain each reset scope in plain words, recommend one for the symptom,
//! require the app's name typed for a Full reset, restart (journaled), and read the job back.

use chrono::Timelike;
use entra_client::graph::synchronization::{
    QuarantineReason, ResetScope, SynchronizationJob, TaskExecution,
};
use entra_client::Operation;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::app_sync::{job_sync, AppSync};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::find::{find_app, AppMatch};
use crate::journal::{ActionKind, TargetRecord};
use crate::plan::{
    Confirmation, DocumentedReason, Plan, PlannedStep, PlaybookKind, ProgressEvent, Risk,
    TargetSummary,
};
use crate::steps::{StepResult, StepRun};

/// What the person sees going wrong (the wizard's first question).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Symptom {
    /// The app shows the wrong person linked, or a stale account Entra keeps using.
    WrongOrStaleLink,
    /// Sync is paused because of repeated errors.
    Quarantined,
    /// Deletions are held back by the accidental-deletion threshold.
    DeletesHeldBack,
    /// Nothing specific: a plain restart.
    Other,
}

/// The reset scopes offered, in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScopeChoice {
    /// The portal's "Restart provisioning": keeps the links between people and app accounts.
    Default,
    /// Start sync from scratch: every person re-evaluated, cached links dropped.
    Full,
    /// Clear the quarantine.
    Quarantine,
    /// Let held-back deletions through.
    ForceDeletes,
}

impl ScopeChoice {
    pub fn reset_scope(self) -> ResetScope {
        match self {
            ScopeChoice::Default => ResetScope::empty(),
            ScopeChoice::Full => ResetScope::FULL,
            ScopeChoice::Quarantine => ResetScope::QUARANTINE_STATE,
            ScopeChoice::ForceDeletes => ResetScope::FORCE_DELETES,
        }
    }

    /// Plain words for the wizard and the CLI.
    pub fn explain(self) -> &'static str {
        match self {
            ScopeChoice::Default => "Restart sync: the next round starts over from the last changes; the links between people and their app accounts are kept.",
            ScopeChoice::Full => "Start sync from scratch: Entra forgets every link to app accounts and re-matches everyone at the next round. Fixes a wrong or stale link; heavy on large apps.",
            ScopeChoice::Quarantine => "Clear the pause caused by repeated errors (quarantine), once the cause is fixed.",
            ScopeChoice::ForceDeletes => "Let through the deletions held back by the accidental-deletion threshold.",
        }
    }

    pub fn entra_term(self) -> &'static str {
        match self {
            ScopeChoice::Default => "restart (resetScope empty)",
            ScopeChoice::Full => "restart with reset scope Full",
            ScopeChoice::Quarantine => "restart with reset scope QuarantineState",
            ScopeChoice::ForceDeletes => "restart with reset scope ForceDeletes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestartPreview {
    pub plan: Plan,
    pub app: AppMatch,
    pub job_id: String,
    pub sync: AppSync,
    pub recommended: ScopeChoice,
    /// Why that one.
    pub recommendation: String,
    pub chosen: ScopeChoice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestartResult {
    pub run_id: String,
    /// When the restart was sent, on the tenant's clock: [`watch`] waits for a round after it.
    pub restarted_at: chrono::DateTime<chrono::Utc>,
    /// The job's last round before the restart. Graph stamps rounds to the whole second, and on
    /// the training tenant's clock a round can begin in the very second of the restart (and of
    /// the round before it), so [`watch`] tells rounds apart by this rather than by time alone.
    #[serde(default)]
    pub previous_round: Option<RoundMark>,
    pub steps: Vec<StepResult>,
    /// The job as read back after the restart.
    pub sync: AppSync,
}

/// What tells one sync round (`lastExecution`) from another: its run id and its times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoundMark {
    /// `activityIdentifier`: a new one for every round.
    pub activity_id: Option<String>,
    pub began: Option<chrono::DateTime<chrono::Utc>>,
    pub ended: Option<chrono::DateTime<chrono::Utc>>,
}

impl RoundMark {
    fn of(execution: &TaskExecution) -> Self {
        RoundMark {
            activity_id: execution.activity_identifier.clone(),
            began: execution.time_began,
            ended: execution.time_ended,
        }
    }
}

/// Whether `last` is a round that ended and began after the restart in `result`: not the round
/// seen before the restart, and begun no earlier than the restart's whole second (Graph's
/// `timeBegan` carries no fraction, the restart time does).
fn is_round_after_restart(last: &TaskExecution, result: &RestartResult) -> bool {
    let Some(began) = last.time_began else {
        return false;
    };
    let restart_second = result
        .restarted_at
        .with_nanosecond(0)
        .unwrap_or(result.restarted_at);
    last.time_ended.is_some()
        && began >= restart_second
        && result
            .previous_round
            .as_ref()
            .is_none_or(|before| *before != RoundMark::of(last))
}

const RESTART_DOC: &str = "synchronizationJob: restart (Microsoft Graph v1.0)";

/// The recommended scope for a symptom and the job's state.
pub fn recommend(job: &SynchronizationJob, symptom: Option<Symptom>) -> (ScopeChoice, String) {
    let reason = job
        .status
        .as_ref()
        .and_then(|s| s.quarantine.as_ref())
        .and_then(|q| q.reason());
    match symptom {
        Some(Symptom::WrongOrStaleLink) => (
            ScopeChoice::Full,
            "A wrong or stale link is only dropped by a Full reset: restart is the only way to make Entra forget the app account ids it cached.".into(),
        ),
        Some(Symptom::DeletesHeldBack) => (
            ScopeChoice::ForceDeletes,
            "Held-back deletions go through only with ForceDeletes.".into(),
        ),
        _ if matches!(reason, Some(QuarantineReason::TooManyDeletes)) => (
            ScopeChoice::ForceDeletes,
            "The job is paused because of too many deletions (accidental-deletion threshold).".into(),
        ),
        Some(Symptom::Quarantined) => (
            ScopeChoice::Quarantine,
            "Sync is paused because of repeated errors: fix the cause, then clear the quarantine.".into(),
        ),
        _ if job.is_quarantined() => (
            ScopeChoice::Quarantine,
            "The job is in quarantine: fix the cause, then clear the quarantine.".into(),
        ),
        _ => (
            ScopeChoice::Default,
            "Nothing points to a heavier reset; a plain restart is the safe choice.".into(),
        ),
    }
}

/// Reads the app's job and plans the restart. Changes nothing.
pub async fn preview(
    desk: &Desk,
    app: &str,
    symptom: Option<Symptom>,
    scope: Option<ScopeChoice>,
) -> Result<RestartPreview> {
    let app = find_app(desk, app).await?;
    let jobs = match desk.graph().list_jobs(&app.service_principal_id).await {
        Ok(jobs) => jobs,
        Err(entra_client::Error::NotFound { .. }) => Vec::new(),
        Err(error) => return Err(error.into()),
    };
    let Some(job) = jobs.into_iter().next() else {
        return Err(Error::NothingToRun(format!(
            "{} has no automatic account sync (provisioning job)",
            app.display_name
        )));
    };
    let now = desk.connection().tenant_now().await;
    let sync = job_sync(app.clone(), Some(&job), now);
    let (recommended, recommendation) = recommend(&job, symptom);
    let chosen = scope.unwrap_or(recommended);
    let mut warnings = Vec::new();
    if chosen != recommended {
        warnings.push(format!(
            "You chose \"{}\"; for this situation \"{}\" is recommended: {recommendation}",
            chosen.entra_term(),
            recommended.entra_term()
        ));
    }
    if let Err(why) = desk.signed_in().may(Operation::RestartSynchronizationJob) {
        warnings.push(format!("You cannot restart sync: {why}"));
    }
    let plan = plan(&app, &sync, chosen, &recommendation, warnings);
    Ok(RestartPreview {
        plan,
        app,
        job_id: job.id,
        sync,
        recommended,
        recommendation,
        chosen,
    })
}

fn plan(
    app: &AppMatch,
    sync: &AppSync,
    chosen: ScopeChoice,
    recommendation: &str,
    mut warnings: Vec<String>,
) -> Plan {
    let name = &app.display_name;
    let full = chosen == ScopeChoice::Full;
    if full {
        warnings.push(format!(
            "Every person in scope of {name} is re-evaluated at the next round; app accounts that the app only soft-deleted may be re-created or re-linked. On a large app this round takes long."
        ));
    }
    Plan {
        playbook: PlaybookKind::Restart,
        target: TargetSummary {
            display_name: name.clone(),
            id: Some(app.service_principal_id.clone()),
            facts: vec![
                format!("Sync: {}", sync.job_status.clone().unwrap_or_else(|| "unknown".into())),
                format!("Recommended: {recommendation}"),
            ],
        },
        steps: vec![PlannedStep {
            id: "restart".into(),
            title: match chosen {
                ScopeChoice::Full => format!("Start sync for {name} from scratch"),
                _ => format!("Restart sync for {name}"),
            },
            entra_term: chosen.entra_term().into(),
            why: chosen.explain().into(),
            documented_reason: DocumentedReason {
                behaviour: "Restarting clears the job's state so the next cycle re-evaluates users; the reset scope says what is cleared (Watermark, Escrows, QuarantineState, ForceDeletes, or Full: caches, watermarks, quarantine, escrows and pending deletions, forcing complete re-matching).".into(),
                source: RESTART_DOC.into(),
            },
            risk: if full { Risk::Heavy } else { Risk::Low },
            verification: "The job is read back: not in quarantine, and the next round runs; the provisioning logs show it.".into(),
            requires_confirmation: full.then(|| Confirmation::Typed {
                prompt: format!("Type the app's name ({name}) to start sync from scratch."),
                expected: name.clone(),
            }),
        }],
        will_not_happen: vec![
            "No person is changed in Entra.".into(),
            "The app's attribute mappings are not changed.".into(),
        ],
        warnings,
    }
}

/// Restarts. A Full reset needs `typed` to be the app's name exactly.
pub async fn run(
    desk: &Desk,
    preview: &RestartPreview,
    typed: Option<&str>,
    progress: &mpsc::Sender<ProgressEvent>,
) -> Result<RestartResult> {
    if let Some(confirmation) = &preview.plan.steps[0].requires_confirmation {
        if !typed.is_some_and(|t| confirmation.is_satisfied_by(t)) {
            return Err(Error::NotConfirmed {
                expected: preview.app.display_name.clone(),
            });
        }
    }
    let graph = desk.graph();
    let previous_round = graph
        .get_job(&preview.app.service_principal_id, &preview.job_id)
        .await
        .ok()
        .and_then(|job| job.status.and_then(|s| s.last_execution))
        .map(|last| RoundMark::of(&last));
    let restarted_at = desk.connection().tenant_now().await;
    let mut steps = StepRun::start(desk, PlaybookKind::Restart, 1, progress).await?;
    let scope = preview.chosen.reset_scope();
    steps
        .action(
            "restart",
            ActionKind::RestartJob,
            &TargetRecord {
                id: preview.app.service_principal_id.clone(),
                display_name: preview.app.display_name.clone(),
            },
            format!(
                "POST /servicePrincipals/{}/synchronization/jobs/{}/restart resetScope={scope}",
                preview.app.service_principal_id, preview.job_id
            ),
            || graph.restart_job(&preview.app.service_principal_id, &preview.job_id, scope),
        )
        .await?;
    let (run_id, results) = steps.finish().await?;
    let now = desk.connection().tenant_now().await;
    let job = graph
        .get_job(&preview.app.service_principal_id, &preview.job_id)
        .await
        .ok();
    Ok(RestartResult {
        run_id,
        restarted_at,
        previous_round,
        steps: results,
        sync: job_sync(preview.app.clone(), job.as_ref(), now),
    })
}

/// The first sync round after the restart, as the job reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoundAfterRestart {
    pub sync: AppSync,
    /// `Succeeded`, `Failed`, `EntryLevelErrors`.
    pub state: String,
    pub began: Option<chrono::DateTime<chrono::Utc>>,
    /// In plain words, with what to do next.
    pub summary: String,
}

/// Watches the job until a sync round that began after the restart has ended (Playbook 3 step
/// 4), checking every `every`. Returns `None` when cancelled first. On a training tenant the
/// round comes when the trainer skips ahead on the clock.
pub async fn watch(
    desk: &Desk,
    preview: &RestartPreview,
    result: &RestartResult,
    every: std::time::Duration,
    cancel: tokio_util::sync::CancellationToken,
) -> Result<Option<RoundAfterRestart>> {
    loop {
        let job = desk
            .graph()
            .get_job(&preview.app.service_principal_id, &preview.job_id)
            .await?;
        let last = job.status.as_ref().and_then(|s| s.last_execution.clone());
        if let Some(last) = last.filter(|l| is_round_after_restart(l, result)) {
            let now = desk.connection().tenant_now().await;
            let state = last
                .state
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "unknown".into());
            let name = &preview.app.display_name;
            let summary = match state.as_str() {
                "Succeeded" => format!("{name} completed a sync round after the restart."),
                "EntryLevelErrors" => format!("{name} completed a sync round after the restart, with errors for some people: read the provisioning logs (provdesk logs --app \"{name}\" --status failure)."),
                _ => format!("The sync round after the restart did not succeed ({state}); read the job's status and the provisioning logs."),
            };
            return Ok(Some(RoundAfterRestart {
                sync: job_sync(preview.app.clone(), Some(&job), now),
                state,
                began: last.time_began,
                summary,
            }));
        }
        tokio::select! {
            _ = cancel.cancelled() => return Ok(None),
            _ = tokio::time::sleep(every) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(json: serde_json::Value) -> SynchronizationJob {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn scopes_are_recommended_from_the_symptom_and_the_job() {
        let active = job(serde_json::json!({"id": "j", "status": {"code": "Active"}}));
        assert_eq!(recommend(&active, None).0, ScopeChoice::Default);
        assert_eq!(
            recommend(&active, Some(Symptom::WrongOrStaleLink)).0,
            ScopeChoice::Full
        );
        let quarantined = job(
            serde_json::json!({"id": "j", "status": {"code": "Quarantine",
            "quarantine": {"reason": "EncounteredQuarantineException"}}}),
        );
        assert_eq!(recommend(&quarantined, None).0, ScopeChoice::Quarantine);
        let deletes = job(
            serde_json::json!({"id": "j", "status": {"code": "Quarantine",
            "quarantine": {"reason": "TooManyDeletes"}}}),
        );
        assert_eq!(recommend(&deletes, None).0, ScopeChoice::ForceDeletes);
    }

    #[test]
    fn a_full_reset_plan_needs_the_typed_name() {
        let app = AppMatch {
            service_principal_id: "sp".into(),
            display_name: "Floorplan".into(),
        };
        let sync = job_sync(app.clone(), None, chrono::Utc::now());
        let plan = plan(
            &app,
            &sync,
            ScopeChoice::Full,
            "A wrong link is only dropped by a Full reset.",
            vec![],
        );
        let confirmation = plan.steps[0].requires_confirmation.clone().unwrap();
        assert!(!confirmation.is_satisfied_by("floorplan"));
        assert!(confirmation.is_satisfied_by("Floorplan"));
        insta::assert_snapshot!(plan.render_text());
    }

    fn execution(id: &str, began: &str, ended: &str) -> TaskExecution {
        serde_json::from_value(serde_json::json!({
            "activityIdentifier": id, "state": "Succeeded",
            "timeBegan": began, "timeEnded": ended,
        }))
        .unwrap()
    }

    fn restarted(at: &str, before: Option<&TaskExecution>) -> RestartResult {
        let app = AppMatch {
            service_principal_id: "sp".into(),
            display_name: "Expensely".into(),
        };
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
        RestartResult {
            run_id: "r".into(),
            restarted_at: at,
            previous_round: before.map(RoundMark::of),
            steps: vec![],
            sync: job_sync(app, None, at),
        }
    }

    /// A round begun in the same whole second as the restart and as the round before it is
    /// still seen as the round after the restart; the round before it is not.
    #[test]
    fn a_round_in_the_same_second_as_the_restart_and_the_round_before_is_seen() {
        let before = execution("round-1", "2026-11-23T08:00:00Z", "2026-11-23T08:00:01Z");
        let result = restarted("2026-11-23T08:00:00.400Z", Some(&before));
        assert!(!is_round_after_restart(&before, &result));
        let next = execution("round-2", "2026-11-23T08:00:00Z", "2026-11-23T08:00:01Z");
        assert!(is_round_after_restart(&next, &result));
    }

    #[test]
    fn a_round_begun_before_the_restart_is_not_the_round_after_it() {
        let before = execution("round-1", "2026-11-23T07:20:00Z", "2026-11-23T07:20:01Z");
        let result = restarted("2026-11-23T08:00:00.400Z", Some(&before));
        let running_then = execution("round-2", "2026-11-23T07:59:59Z", "2026-11-23T08:00:03Z");
        assert!(!is_round_after_restart(&running_then, &result));
        // Without a round read before the restart, time alone decides.
        let unknown = restarted("2026-11-23T08:00:00.400Z", None);
        assert!(!is_round_after_restart(&running_then, &unknown));
        let later = execution("round-3", "2026-11-23T08:40:00Z", "2026-11-23T08:40:01Z");
        assert!(is_round_after_restart(&later, &unknown));
    }

    /// Microsoft's documented job answer parses and gets a recommendation.
    #[test]
    fn microsofts_documented_job() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../tests/fixtures/v1.0__synchronization-synchronizationjob-get__response.json",
        );
        let job: SynchronizationJob =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let (scope, why) = recommend(&job, None);
        assert_eq!(scope, ScopeChoice::Quarantine, "{why}");
    }
}
