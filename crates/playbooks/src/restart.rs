//! Playbook 3 — Restart or reset sync (provisioning) for an app.
//!
//! Show the job's state and why it is stuck, explain each reset scope in plain words as
//! Microsoft defines it, recommend one for the symptom, list the deletions the accidental-deletion
//! threshold held back, require the app's name typed for a Full reset or for letting held-back
//! deletions through, restart (journaled), and read the job back.
//!
//! Microsoft's definitions (graph-docs `synchronization-synchronizationjobrestartcriteria.md`,
//! CSDL `synchronizationJobRestartScope`, graph-api.md §3.6 and §11.1): an empty scope is
//! Watermark + Escrows + QuarantineState — the next round is a full initial round over everyone
//! in scope (§8.1) — and is sent with its flags written out; Full is ConnectorDataStore + those
//! three and does **not** include ForceDeletes. For held-back deletions (entra-docs
//! `accidental-deletions.md`, §11.2) Microsoft says to investigate and reject deletions as
//! necessary and not to restart until that is done: ForceDeletes is never recommended.

use std::collections::BTreeSet;

use chrono::Timelike;
use entra_client::graph::provisioning_logs::{ProvisioningAction, ProvisioningLogQuery};
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
use crate::job_cause::{job_cause, JobCause};
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
    /// The flags sent. The plain restart is written out (`Watermark, Escrows, QuarantineState`)
    /// rather than sent empty.
    pub fn reset_scope(self) -> ResetScope {
        match self {
            ScopeChoice::Default => ResetScope::PORTAL_RESTART,
            ScopeChoice::Full => ResetScope::FULL,
            ScopeChoice::Quarantine => ResetScope::QUARANTINE_STATE,
            ScopeChoice::ForceDeletes => ResetScope::FORCE_DELETES,
        }
    }

    /// Plain words for the wizard and the CLI: what the next round does for `app`, with the
    /// number of people in its scope when it could be counted.
    pub fn explain(self, app: &str, people_in_scope: Option<u32>) -> String {
        let everyone = match people_in_scope {
            Some(1) => format!("the 1 person in scope of {app}"),
            Some(n) => format!("all {n} people in scope of {app}"),
            None => format!("everyone in scope of {app}"),
        };
        match self {
            ScopeChoice::Default => format!("Restart sync: the next round is a full first round that re-evaluates {everyone}, not only what changed. The links between people and their app accounts are kept; failed changes waiting to be retried are dropped, and a pause after repeated errors is lifted."),
            ScopeChoice::Full => format!("Start sync from scratch: like a restart, the next round re-evaluates {everyone}, and Entra also forgets every link to app accounts and re-matches everyone. Fixes a wrong or stale link; heavy on large apps. Deletions held back by the accidental-deletion threshold stay held back."),
            ScopeChoice::Quarantine => "Lift the pause caused by repeated errors (quarantine), once its cause is fixed; the next round carries on from the last changes.".into(),
            ScopeChoice::ForceDeletes => format!("Let through the deletions held back by the accidental-deletion threshold: at the next round Entra deletes or turns off every one of those accounts in {app}."),
        }
    }

    pub fn entra_term(self) -> &'static str {
        match self {
            ScopeChoice::Default => "restart (resetScope Watermark, Escrows, QuarantineState)",
            ScopeChoice::Full => "restart with reset scope Full",
            ScopeChoice::Quarantine => "restart with reset scope QuarantineState",
            ScopeChoice::ForceDeletes => "restart with reset scope ForceDeletes (Allow deletes)",
        }
    }
}

/// How many held-back people are listed by name (the count covers them all).
const HELD_BACK_LISTED: usize = 50;
/// How many `stagedDelete` entries are read.
const HELD_BACK_READ: usize = 1_000;

/// The deletions and disables the accidental-deletion threshold held back, from the
/// provisioning logs (`provisioningAction eq 'stagedDelete'`, entra-docs
/// `accidental-deletions.md`: "filter Action with StagedAction or StagedDelete").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HeldBack {
    /// How many different people the logs show as held back.
    pub count: u32,
    /// Who, by name (at most 50; `count` says how many in all).
    pub people: Vec<String>,
    /// The job's threshold.
    pub threshold: u32,
    /// True when the job does not show its threshold and the value of Microsoft's example
    /// (500) is assumed.
    pub threshold_assumed: bool,
    /// Why the logs could not be read, when they could not.
    pub cannot_read: Option<String>,
}

impl HeldBack {
    /// "Alex O'Brien, Sam Hostile and 3 more".
    pub fn names(&self) -> String {
        let shown = self.people.len().min(10);
        let mut text = self.people[..shown].join(", ");
        let more = self.count as usize - shown.min(self.count as usize);
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text
    }
}

/// The job's accidental-deletion threshold: `QuarantineTooManyDeletesThreshold` in
/// `synchronizationJobSettings` (the Graph get-job example shows "500"). entra-docs
/// `accidental-deletions.md` lets the admin choose it and does not state a default; when the job
/// does not show it, the example's 500 is assumed (and said so).
pub fn deletion_threshold(job: &SynchronizationJob) -> (u32, bool) {
    match job
        .setting("QuarantineTooManyDeletesThreshold")
        .and_then(|v| v.trim().parse::<u32>().ok())
    {
        Some(n) => (n, false),
        None => (500, true),
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
    /// Why the job is stuck (quarantined or its last round failed), with Microsoft's words.
    #[serde(default)]
    pub cause: Option<JobCause>,
    /// The deletions held back for review, when the job is paused for too many deletions or
    /// they are the symptom or the choice.
    #[serde(default)]
    pub held_back: Option<HeldBack>,
    /// People a restart re-evaluates: assigned directly or as direct members of an assigned
    /// group. `None` when they could not be counted.
    #[serde(default)]
    pub people_in_scope: Option<u32>,
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

const RESTART_DOC: &str =
    "synchronizationJobRestartCriteria and synchronizationJob: restart (Microsoft Graph v1.0)";

/// What the documented reset scopes clear (graph-docs
/// `synchronization-synchronizationjobrestartcriteria.md`; flag values from the CSDL).
const RESET_SCOPES_DOCUMENTED: &str = "The reset scope says what is cleared: Watermark (the next cycle re-evaluates all users instead of only changes), Escrows (failures are no longer retried), QuarantineState (the quarantine is lifted), ConnectorDataStore (the cache of links to the app's accounts). Full is all of these; it does not include ForceDeletes, which deletes the pending deletions held back by the accidental-deletions threshold. An empty scope is similar to QuarantineState, Watermark and Escrows, the portal's Restart provisioning.";

/// The recommended scope for a symptom and the job's state, and why, in plain words.
pub fn recommend(
    job: &SynchronizationJob,
    symptom: Option<Symptom>,
    app: &str,
) -> (ScopeChoice, String) {
    let reason = job
        .status
        .as_ref()
        .and_then(|s| s.quarantine.as_ref())
        .and_then(|q| q.reason());
    let cause = job_cause(job, app);
    let held_back = matches!(reason, Some(QuarantineReason::TooManyDeletes))
        || symptom == Some(Symptom::DeletesHeldBack);
    match symptom {
        // One person's link is forgotten on its own with Re-link (object connections, entra-docs
        // `manage-object-connections.md`); Full stays the restart for many wrong links.
        Some(Symptom::WrongOrStaleLink) => (
            ScopeChoice::Full,
            relink_recommendation(app, None),
        ),
        // Microsoft: investigate and reject deletions as necessary; "don't restart provisioning
        // until you've made the necessary changes" (accidental-deletions.md). Never ForceDeletes.
        _ if held_back => (
            ScopeChoice::Default,
            format!("Review the held-back deletions first: Entra stopped before deleting or turning off these accounts in {app}. Undo the ones that are not meant (assign the person to {app} again, restore them, or fix the scoping), and only then restart sync. Letting the deletions through is a separate choice, only when every one of them is meant."),
        ),
        _ if job.is_quarantined() || symptom == Some(Symptom::Quarantined) => (
            ScopeChoice::Quarantine,
            match cause {
                Some(cause) => format!("{} First fix the cause: {} Restarting before that sends sync straight back into quarantine.", cause.plain, cause.fix),
                None => format!("The job for {app} is not in quarantine now; if sync keeps stopping, read its provisioning logs for the errors, fix the cause, then clear the quarantine."),
            },
        ),
        _ => (
            ScopeChoice::Default,
            match cause {
                Some(cause) => format!("{} {} Then restart sync.", cause.plain, cause.fix),
                None => "Nothing points to a heavier reset; a plain restart is the safe choice.".into(),
            },
        ),
    }
}

/// Why Re-link comes before a restart when one person is linked wrongly (kept an old id, linked
/// to another person's account, the app re-created the account), with the reach of each fix.
pub fn relink_recommendation(app: &str, people_in_scope: Option<u32>) -> String {
    format!(
        "When one person is linked to the wrong account in {app}, or Entra keeps an account id the app no longer uses for them, re-link that person instead of restarting (Re-link one person: it forgets only their link and matches them again). {}. Start sync from scratch (Full reset) only when many people are linked wrongly.",
        crate::relink::reach_text(people_in_scope)
    )
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
    let (recommended, recommendation) = recommend(&job, symptom, &app.display_name);
    let chosen = scope.unwrap_or(recommended);
    let cause = job_cause(&job, &app.display_name);
    let too_many_deletes = job
        .status
        .as_ref()
        .and_then(|s| s.quarantine.as_ref())
        .and_then(|q| q.reason())
        == Some(QuarantineReason::TooManyDeletes);
    let held_back = if too_many_deletes
        || symptom == Some(Symptom::DeletesHeldBack)
        || chosen == ScopeChoice::ForceDeletes
    {
        Some(read_held_back(desk, &job, now).await)
    } else {
        None
    };
    // With "sync all users and groups" everyone in the directory is in scope: not counted here
    // (the assignments say nothing then). Whether Graph shows that setting on every job is not
    // documented; the training tenant shows it as `SyncAll`.
    let people_in_scope = if syncs_everyone(&job) {
        None
    } else {
        count_people_in_scope(desk, &app.service_principal_id).await
    };
    let recommendation = if symptom == Some(Symptom::WrongOrStaleLink) {
        relink_recommendation(&app.display_name, people_in_scope)
    } else {
        recommendation
    };
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
    let plan = plan(
        &app,
        &sync,
        chosen,
        &Context {
            recommendation: &recommendation,
            cause: cause.as_ref(),
            held_back: held_back.as_ref(),
            people_in_scope,
        },
        warnings,
    );
    Ok(RestartPreview {
        plan,
        app,
        job_id: job.id,
        sync,
        recommended,
        recommendation,
        chosen,
        cause,
        held_back,
        people_in_scope,
    })
}

/// The held-back deletions of the job, from its `stagedDelete` log entries since its quarantine
/// began (or the last 7 days when Graph gives no date). A refused read is said, not fatal.
async fn read_held_back(
    desk: &Desk,
    job: &SynchronizationJob,
    now: chrono::DateTime<chrono::Utc>,
) -> HeldBack {
    let (threshold, threshold_assumed) = deletion_threshold(job);
    let quarantine = job.status.as_ref().and_then(|s| s.quarantine.as_ref());
    let since = quarantine
        .and_then(|q| q.series_began.or(q.current_began))
        .map(|t| t - chrono::Duration::minutes(1))
        .unwrap_or(now - chrono::Duration::days(7));
    let query = ProvisioningLogQuery {
        job_id: Some(job.id.clone()),
        action: Some(ProvisioningAction::StagedDelete),
        ..Default::default()
    };
    let mut held = HeldBack {
        count: 0,
        people: Vec::new(),
        threshold,
        threshold_assumed,
        cannot_read: None,
    };
    match crate::logs::entries_since(desk, &query, Some(since), HELD_BACK_READ).await {
        Err(error) => held.cannot_read = Some(error.to_string()),
        Ok(entries) => {
            let mut seen = BTreeSet::new();
            for entry in entries {
                // Defensive: a server that ignores the filter must not list other actions.
                if entry.provisioning_action != Some(ProvisioningAction::StagedDelete) {
                    continue;
                }
                let source = entry.source_identity.as_ref();
                let id = source
                    .and_then(|s| s.id.clone())
                    .unwrap_or_else(|| entry.id.clone());
                if !seen.insert(id.to_lowercase()) {
                    continue;
                }
                held.count += 1;
                if held.people.len() < HELD_BACK_LISTED {
                    let name = source
                        .and_then(|s| s.display_name.clone())
                        .filter(|n| !n.is_empty())
                        .unwrap_or(id);
                    held.people.push(name);
                }
            }
        }
    }
    held
}

/// Whether the job syncs every user and group (`SyncAll` = "True" in its settings).
pub fn syncs_everyone(job: &SynchronizationJob) -> bool {
    job.setting("SyncAll")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// How many people a restart re-evaluates; `None` when it cannot be read.
async fn count_people_in_scope(desk: &Desk, service_principal_id: &str) -> Option<u32> {
    let people = crate::app_sync::people_in_scope(desk, service_principal_id)
        .await
        .ok()?;
    u32::try_from(people.len()).ok()
}

/// What the plan says beside the chosen scope.
struct Context<'a> {
    recommendation: &'a str,
    cause: Option<&'a JobCause>,
    held_back: Option<&'a HeldBack>,
    people_in_scope: Option<u32>,
}

fn plan(
    app: &AppMatch,
    sync: &AppSync,
    chosen: ScopeChoice,
    context: &Context<'_>,
    mut warnings: Vec<String>,
) -> Plan {
    let name = &app.display_name;
    let mut facts = vec![format!(
        "Sync: {}",
        sync.job_status.clone().unwrap_or_else(|| "unknown".into())
    )];
    if let Some(cause) = context.cause {
        facts.push(format!("Why it is stuck: {}", cause.plain));
        facts.extend(cause.evidence.iter().cloned());
    }
    if let Some(held) = context.held_back {
        facts.push(match (&held.cannot_read, held.count) {
            (Some(why), _) => {
                format!("Held-back deletions: the provisioning logs could not be read ({why}).")
            }
            (None, 0) => "Held-back deletions: the provisioning logs show none.".into(),
            (None, n) => format!(
                "Held back for review: {n} {} ({})",
                if n == 1 { "person" } else { "people" },
                held.names()
            ),
        });
        facts.push(format!(
            "Accidental-deletion threshold: {}{}",
            held.threshold,
            if held.threshold_assumed {
                " (the job does not show it; Microsoft's example value)"
            } else {
                ""
            }
        ));
    }
    if let Some(n) = context.people_in_scope {
        facts.push(format!("People in scope of {name}: {n}"));
    }
    facts.push(format!("Recommended: {}", context.recommendation));

    let requires_confirmation = typed_confirmation(chosen, name).map(|expected| Confirmation::Typed {
        prompt: match chosen {
            ScopeChoice::ForceDeletes => match context.held_back.filter(|h| h.count > 0) {
                Some(held) => format!("You reviewed who would be deleted or turned off. Type the app's name ({name}) to let these {} held-back deletions through.", held.count),
                None => format!("Type the app's name ({name}) to let every held-back deletion through."),
            },
            _ => format!("Type the app's name ({name}) to start sync from scratch."),
        },
        expected,
    });
    match chosen {
        ScopeChoice::Full => {
            warnings.push(format!(
                "Every person in scope of {name} is re-evaluated at the next round; app accounts that the app only soft-deleted may be re-created or re-linked. On a large app this round takes long."
            ));
            if context.held_back.is_some_and(|h| h.count > 0) {
                warnings.push("A Full reset does not let held-back deletions through: they stay held back (that is a separate choice).".into());
            }
        }
        ScopeChoice::ForceDeletes => {
            warnings.push(match context.held_back {
                Some(held) if held.count > 0 => format!("Review each person first: {} {} would be deleted or turned off in {name}: {}. Microsoft's advice is to investigate and undo the deletions that are not meant (assign the person again, restore them, fix the scoping) before allowing any.", held.count, if held.count == 1 { "person" } else { "people" }, held.names()),
                Some(held) if held.cannot_read.is_some() => format!("Who would be deleted could not be read from the provisioning logs; check them in the Entra admin center (Provisioning logs, Action StagedDelete) before allowing the deletions in {name}."),
                _ => format!("The provisioning logs show no held-back deletions for {name}; there may be nothing to let through."),
            });
        }
        _ if context.held_back.is_some_and(|h| h.count > 0) => {
            warnings.push(format!("Restarting before the held-back deletions are undone holds them back again at the next round, and {name} stays paused."));
        }
        _ => {}
    }
    let risk = match chosen {
        ScopeChoice::Full => Risk::Heavy,
        // Accounts deleted in the app cannot be brought back from Entra.
        ScopeChoice::ForceDeletes => Risk::Irreversible,
        _ => Risk::Low,
    };
    Plan {
        playbook: PlaybookKind::Restart,
        target: TargetSummary {
            display_name: name.clone(),
            id: Some(app.service_principal_id.clone()),
            facts,
        },
        steps: vec![PlannedStep {
            id: "restart".into(),
            title: match chosen {
                ScopeChoice::Full => format!("Start sync for {name} from scratch"),
                ScopeChoice::ForceDeletes => format!("Let the held-back deletions through for {name}"),
                _ => format!("Restart sync for {name}"),
            },
            entra_term: chosen.entra_term().into(),
            why: chosen.explain(name, context.people_in_scope),
            documented_reason: DocumentedReason {
                behaviour: RESET_SCOPES_DOCUMENTED.into(),
                source: RESTART_DOC.into(),
            },
            risk,
            verification: "The job is read back: not in quarantine, and the next round runs; the provisioning logs show it.".into(),
            requires_confirmation,
        }],
        will_not_happen: vec![
            "No person is changed in Entra.".into(),
            "The app's attribute mappings are not changed.".into(),
        ],
        warnings,
    }
}

/// The text a person must type before `chosen` is sent, or `None` when no typed confirmation
/// is needed: the app's name for a Full reset (it forgets every link) and for letting held-back
/// deletions through (accounts deleted in the app cannot be brought back from Entra).
fn typed_confirmation(chosen: ScopeChoice, app_name: &str) -> Option<String> {
    matches!(chosen, ScopeChoice::Full | ScopeChoice::ForceDeletes).then(|| app_name.to_string())
}

/// Restarts. A Full reset and letting deletions through need `typed` to be the app's name
/// exactly.
///
/// The preview comes back from a front end (the web view), so nothing in it decides whether
/// consent is needed: the confirmation is derived here from the scope that will be sent and
/// the app's name as Graph reports it now. A preview whose plan was emptied or whose
/// confirmation was removed still needs the typed name.
pub async fn run(
    desk: &Desk,
    preview: &RestartPreview,
    typed: Option<&str>,
    progress: &mpsc::Sender<ProgressEvent>,
) -> Result<RestartResult> {
    let graph = desk.graph();
    if preview.plan.steps.len() != 1 {
        return Err(Error::PlanTampered(
            "a restart plan has exactly one step".into(),
        ));
    }
    crate::find::check_object_id(&preview.app.service_principal_id)?;
    crate::find::check_object_id(&preview.job_id)?;
    let scope = preview.chosen.reset_scope();
    let app_now = graph
        .get_service_principal(&preview.app.service_principal_id)
        .await?;
    let name_now = app_now
        .display_name
        .unwrap_or_else(|| preview.app.display_name.clone());
    if let Some(expected) = typed_confirmation(preview.chosen, &name_now) {
        let confirmation = Confirmation::Typed {
            prompt: String::new(),
            expected: expected.clone(),
        };
        if !typed.is_some_and(|t| confirmation.is_satisfied_by(t)) {
            return Err(Error::NotConfirmed { expected });
        }
    }
    let previous_round = graph
        .get_job(&preview.app.service_principal_id, &preview.job_id)
        .await
        .ok()
        .and_then(|job| job.status.and_then(|s| s.last_execution))
        .map(|last| RoundMark::of(&last));
    let restarted_at = desk.connection().tenant_now().await;
    let mut steps = StepRun::start(desk, PlaybookKind::Restart, 1, progress).await?;
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
                _ => match job_cause(&job, name) {
                    Some(cause) => format!("The sync round after the restart did not succeed ({state}): {} {}", cause.plain, cause.fix),
                    None => format!("The sync round after the restart did not succeed ({state}); read the job's status and the provisioning logs."),
                },
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
        assert_eq!(
            recommend(&active, None, "Floorplan").0,
            ScopeChoice::Default
        );
        // One person's wrong link: Re-link first, with the reach; Full only for many.
        let (scope, why) = recommend(&active, Some(Symptom::WrongOrStaleLink), "Floorplan");
        assert_eq!(scope, ScopeChoice::Full);
        assert!(
            why.contains("re-link that person instead of restarting"),
            "{why}"
        );
        assert!(why.contains("Re-link: 1 person · Restart: a full cycle over everyone in scope · Full reset: also forgets every link"), "{why}");
        let counted = relink_recommendation("Floorplan", Some(213));
        assert!(
            counted.contains("Restart: a full cycle over all 213 people in scope"),
            "{counted}"
        );
        let quarantined = job(
            serde_json::json!({"id": "j", "status": {"code": "Quarantine",
            "quarantine": {"reason": "EncounteredQuarantineException"}}}),
        );
        assert_eq!(
            recommend(&quarantined, None, "Floorplan").0,
            ScopeChoice::Quarantine
        );
    }

    /// Microsoft: investigate and reject deletions first, don't restart until the changes are
    /// made (accidental-deletions.md). A job paused for too many deletions, or the symptom, is
    /// never answered with ForceDeletes.
    #[test]
    fn held_back_deletions_are_reviewed_first_never_forced_by_recommendation() {
        let deletes = job(
            serde_json::json!({"id": "j", "status": {"code": "Quarantine",
            "quarantine": {"reason": "TooManyDeletes"}}}),
        );
        let active = job(serde_json::json!({"id": "j", "status": {"code": "Active"}}));
        for (job, symptom) in [
            (&deletes, None),
            (&deletes, Some(Symptom::Quarantined)),
            (&active, Some(Symptom::DeletesHeldBack)),
        ] {
            let (scope, why) = recommend(job, symptom, "Floorplan");
            assert_ne!(scope, ScopeChoice::ForceDeletes, "{why}");
            assert!(
                why.starts_with("Review the held-back deletions first"),
                "{why}"
            );
        }
    }

    fn floorplan() -> (AppMatch, AppSync) {
        let app = AppMatch {
            service_principal_id: "sp".into(),
            display_name: "Floorplan".into(),
        };
        let sync = job_sync(app.clone(), None, chrono::Utc::now());
        (app, sync)
    }

    #[test]
    fn a_full_reset_plan_needs_the_typed_name() {
        let (app, sync) = floorplan();
        let plan = plan(
            &app,
            &sync,
            ScopeChoice::Full,
            &Context {
                recommendation: "Many people are linked wrongly: start sync from scratch.",
                cause: None,
                held_back: None,
                people_in_scope: Some(213),
            },
            vec![],
        );
        let confirmation = plan.steps[0].requires_confirmation.clone().unwrap();
        assert!(!confirmation.is_satisfied_by("floorplan"));
        assert!(confirmation.is_satisfied_by("Floorplan"));
        assert!(!plan.steps[0].why.contains("pending deletions"));
        insta::assert_snapshot!(plan.render_text());
    }

    /// Choosing ForceDeletes explicitly: high risk, the review list, and the app's name typed.
    #[test]
    fn letting_deletions_through_lists_who_and_needs_the_typed_name() {
        let (app, sync) = floorplan();
        let held = HeldBack {
            count: 2,
            people: vec!["Alex O'Brien".into(), "<b>Sam</b> Hostile".into()],
            threshold: 2,
            threshold_assumed: false,
            cannot_read: None,
        };
        let plan = plan(
            &app,
            &sync,
            ScopeChoice::ForceDeletes,
            &Context {
                recommendation: "Review the held-back deletions first.",
                cause: None,
                held_back: Some(&held),
                people_in_scope: Some(40),
            },
            vec![],
        );
        let step = &plan.steps[0];
        assert_eq!(step.risk, Risk::Irreversible);
        let Some(Confirmation::Typed { expected, prompt }) = &step.requires_confirmation else {
            panic!("a typed confirmation: {:?}", step.requires_confirmation);
        };
        assert_eq!(expected, "Floorplan");
        assert!(prompt.contains("2 held-back deletions"), "{prompt}");
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.contains("Alex O'Brien, <b>Sam</b> Hostile")));
    }

    /// The plain restart is sent with its flags written out and described as Microsoft defines
    /// it: a full first round over everyone in scope, with the number.
    #[test]
    fn the_plain_restart_says_it_re_evaluates_everyone_in_scope() {
        assert_eq!(
            ScopeChoice::Default.reset_scope().to_string(),
            "Watermark, Escrows, QuarantineState"
        );
        assert_eq!(ScopeChoice::Full.reset_scope().to_string(), "Full");
        let words = ScopeChoice::Default.explain("Floorplan", Some(213));
        assert!(
            words.contains("re-evaluates all 213 people in scope of Floorplan"),
            "{words}"
        );
        assert!(!words.contains("starts over from the last changes"));
        assert!(!ScopeChoice::Full
            .explain("Floorplan", None)
            .contains("pending deletions"));
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
        let (scope, why) = recommend(&job, None, "Salesforce");
        assert_eq!(scope, ScopeChoice::Quarantine, "{why}");
        // The cause quoted from the job, not only "paused because of repeated errors".
        assert!(why.contains("no longer accepts the secret token"), "{why}");
    }
}
