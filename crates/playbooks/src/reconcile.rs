//! Unfinished single changes: an offboarding, welcome-back, deletion or restart that stopped
//! between "journaled as pending" and "answer recorded" (the app crashed, the computer slept, a
//! kill -9). Without this its rows say "pending" forever and History shows "Waiting" although
//! the change either happened or did not.
//!
//! [`unfinished_changes`] lists them from the journal (nothing is sent); [`check_and_finish`]
//! reads the tenant for each and journals what it shows — done, not done, or cannot tell. It
//! never sends the change again: whether to redo a change that did not happen is a person's
//! decision, taken in the procedure's own wizard with a fresh preview.
//!
//! Bulk runs are continued by the bulk runner (`bulk::resume`), and re-links by
//! `relink::resume`, which also starts the sync they paused; neither is listed here. A run that
//! another window or `provdesk` is carrying out right now is not listed either (it holds its
//! claim, see `journal::claim`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::journal::{
    ActionFilter, ActionKind, ActionOutcome, ActionRecord, ActionStatus, Observation, RunStatus,
};
use crate::plan::PlaybookKind;
use crate::read_back;

/// The playbooks whose interrupted changes are reconciled here.
const SINGLE_CHANGE_PLAYBOOKS: [PlaybookKind; 3] = [
    PlaybookKind::Offboard,
    PlaybookKind::Reactivate,
    PlaybookKind::Restart,
];

/// A change that was journaled as about to be sent and has no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnfinishedChange {
    pub action_id: String,
    pub run_id: String,
    pub kind: ActionKind,
    /// Whom or what it was for (a person, or an app for a restart).
    pub target: String,
    /// Who was sending it.
    pub actor: String,
    /// When it was journaled (this computer's clock, as the journal keeps it).
    pub intended_at: DateTime<Utc>,
    /// "Turn off sign-in for Leo Leaving (started by helpdesk@… on 04 Dec 2026 10:02 UTC) did
    /// not get an answer: we do not know yet whether it happened."
    pub sentence: String,
}

/// What checking one unfinished change found, now journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FinishedChange {
    pub change: UnfinishedChange,
    /// `succeeded` (it happened), `failed` (it did not) or `unknown` (cannot tell: look by hand).
    pub status: ActionStatus,
    /// One plain sentence, with what to do when it did not happen.
    pub summary: String,
}

/// The interrupted single changes on this tenant, oldest first. Reads the journal only.
pub fn unfinished_changes(desk: &Desk) -> Result<Vec<UnfinishedChange>> {
    let journal = desk.journal();
    let tenant = desk.tenant_id();
    let mut found = Vec::new();
    for run in journal.unfinished_runs()? {
        if !SINGLE_CHANGE_PLAYBOOKS.contains(&run.playbook)
            || !run.tenant_id.eq_ignore_ascii_case(&tenant)
            || journal.run_is_live(&run.id)?
        {
            continue;
        }
        let actions = journal.actions(&ActionFilter {
            run_id: Some(run.id.clone()),
            ..ActionFilter::default()
        })?;
        found.extend(
            actions
                .iter()
                .filter(|a| a.status == ActionStatus::Pending)
                .map(describe),
        );
    }
    found.sort_by_key(|c| c.intended_at);
    Ok(found)
}

fn describe(action: &ActionRecord) -> UnfinishedChange {
    let when = action.intended_at.format("%d %b %Y %H:%M UTC");
    UnfinishedChange {
        action_id: action.id.clone(),
        run_id: action.run_id.clone(),
        kind: action.kind,
        target: action.target.display_name.clone(),
        actor: action.actor.upn.clone(),
        intended_at: action.intended_at,
        sentence: format!(
            "{} (started by {} on {when}) did not get an answer: we do not know yet whether it happened.",
            action.kind.plain_title(&action.target.display_name),
            action.actor.upn
        ),
    }
}

/// Reads the tenant for the unfinished change `action_id`, journals what it shows and, once
/// its run has nothing unanswered left, closes the run. Sends no change.
pub async fn check_and_finish(desk: &Desk, action_id: &str) -> Result<FinishedChange> {
    let change = unfinished_changes(desk)?
        .into_iter()
        .find(|c| c.action_id == action_id)
        .ok_or_else(|| Error::ActionNotFound(action_id.to_string()))?;
    let journal = desk.journal();
    // Held while we check, so two windows never settle the same change differently.
    let _claim = journal.claim_run(&change.run_id)?;
    let action = journal
        .actions(&ActionFilter {
            run_id: Some(change.run_id.clone()),
            ..ActionFilter::default()
        })?
        .into_iter()
        .find(|a| a.id == action_id)
        .ok_or_else(|| Error::ActionNotFound(action_id.to_string()))?;
    crate::find::check_object_id(&action.target.id)?;

    let observed = observe(desk, &action).await;
    let title = action.kind.plain_title(&action.target.display_name);
    let (outcome, status, summary) = match observed {
        Observation::Applied => (
            ActionOutcome::Succeeded {
                request_id: None,
                note: Some("confirmed by reading the tenant after an interruption".into()),
            },
            ActionStatus::Succeeded,
            format!("{title}: it happened (the tenant shows it). The journal now says so."),
        ),
        Observation::NotApplied => (
            ActionOutcome::Failed {
                request_id: None,
                code: "interrupted_not_applied".into(),
                message: "It did not happen: the desk stopped before Entra answered, and the tenant does not show the change. Nothing was sent again.".into(),
            },
            ActionStatus::Failed,
            format!("{title}: it did not happen, and nothing was sent again. Do it again from its procedure, which shows a fresh preview first."),
        ),
        Observation::CannotTell { because } => (
            ActionOutcome::Unknown {
                request_id: None,
                message: format!("Checked after an interruption; cannot tell: {because}"),
            },
            ActionStatus::Unknown,
            format!("{title}: we cannot tell from the tenant whether it happened ({because}). Check it in the Entra admin center."),
        ),
    };
    journal.record_outcome(&action.id, outcome)?;
    close_run_if_settled(desk, &change.run_id)?;
    Ok(FinishedChange {
        change,
        status,
        summary,
    })
}

/// What the tenant shows for `action`, from its own answers (never this computer's clock).
async fn observe(desk: &Desk, action: &ActionRecord) -> Observation {
    let graph = desk.graph();
    let id = &action.target.id;
    match action.kind {
        ActionKind::Disable => read_back::sign_in_is(graph, id, false).await,
        ActionKind::Enable => read_back::sign_in_is(graph, id, true).await,
        ActionKind::Delete => read_back::in_recycle_bin(graph, id).await,
        ActionKind::Restore => read_back::restored(graph, id).await,
        // The sessions date before the revoke was not journaled, so the tenant alone cannot
        // show whether this revoke arrived (graph-api.md: signInSessionsValidFromDateTime moves
        // at every revoke, whoever sent it).
        ActionKind::RevokeSessions => Observation::CannotTell {
            because: "Entra does not show which revoke moved the sessions date; ending the sessions again from Offboard is harmless".into(),
        },
        // A restart, a sync now or a job start leaves no state that tells whether this very
        // request arrived (a later round, or someone else, could have done the same).
        ActionKind::RestartJob
        | ActionKind::ProvisionOnDemand
        | ActionKind::PauseJob
        | ActionKind::StartJob
        | ActionKind::ForgetLink
        | ActionKind::PermanentDelete => Observation::CannotTell {
            because: "this change leaves nothing in the tenant that shows whether this request arrived".into(),
        },
    }
}

/// Once none of the run's actions is pending, the run is finished (all succeeded) or
/// incomplete (anything failed or unknown).
fn close_run_if_settled(desk: &Desk, run_id: &str) -> Result<()> {
    let actions = desk.journal().actions(&ActionFilter {
        run_id: Some(run_id.to_string()),
        ..ActionFilter::default()
    })?;
    if actions.iter().any(|a| a.status == ActionStatus::Pending) {
        return Ok(());
    }
    let status = if actions.iter().all(|a| a.status == ActionStatus::Succeeded) {
        RunStatus::Finished
    } else {
        RunStatus::Incomplete
    };
    desk.journal().set_run_status(run_id, status)
}
