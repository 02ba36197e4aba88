//! Playbook 1 — Offboard a person (leaver). Principle: **disable, don't delete.**
//!
//! preview → run (disable + end sessions, journaled) → verify (per app, from the provisioning
//! logs). Deletion is never part of the run: for a permanent departure it is offered as a later,
//! separate, typed-confirmation step ([`deletion_preview`], [`delete`]).

use chrono::{DateTime, Utc};
use entra_client::graph::provisioning_logs::ProvisioningLogQuery;
use entra_client::Operation;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::app_sync::{person_apps, AppSync};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::explain::{explain, reached_app_as_inactive, LogLine};
use crate::find::{find_person, AppMatch, PersonMatch};
use crate::journal::{ActionKind, Observation, TargetRecord};
use crate::plan::{
    Confirmation, DocumentedReason, Plan, PlannedStep, PlaybookKind, ProgressEvent, Risk,
    StepOutcome, TargetSummary,
};
use crate::steps::{StepResult, StepRun};

/// Temporary absence or permanent departure: both start with *disable*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Departure {
    /// Season over, extended leave: the account comes back later (Playbook 2).
    Temporary,
    /// Leaving for good: deletion may follow later, as a separate step.
    Permanent,
}

/// What offboarding will do, from what the tenant shows now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OffboardPreview {
    pub plan: Plan,
    pub person: PersonMatch,
    pub departure: Departure,
    /// The person's apps and when the change reaches each.
    pub apps: Vec<AppSync>,
}

/// What happened, for the result screen and the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OffboardResult {
    pub run_id: String,
    pub person: PersonMatch,
    pub departure: Departure,
    pub steps: Vec<StepResult>,
    /// Per app: when the change reaches it.
    pub apps: Vec<AppSync>,
    /// When the run started, on the tenant's clock: [`verify`] looks at log entries after it.
    pub started_at: DateTime<Utc>,
    /// What is still pending, in sentences.
    pub next: Vec<String>,
}

/// Per app: has the change reached it? (Playbook 1 step 5.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppVerification {
    pub app: AppMatch,
    pub state: VerificationState,
    /// One plain sentence.
    pub detail: String,
    /// The log entries for this person and app since the change.
    pub entries: Vec<LogLine>,
}

/// The verification's word (shown with an icon: never colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerificationState {
    /// The log shows the app account was made inactive.
    Confirmed,
    /// Nothing yet: the next sync round has not run.
    Waiting,
    /// Skipped or failed: see the entries' fix.
    Problem,
    /// The logs could not be read (permission, service).
    CannotCheck,
}

const HOW_PROVISIONING_WORKS: &str = "How Application Provisioning works in Microsoft Entra ID";
const REVOKE_DOC: &str = "user: revokeSignInSessions (Microsoft Graph v1.0)";
const ON_DEMAND_DOC: &str = "On-demand provisioning in Microsoft Entra ID (Known limitations)";

/// Why offboarding never asks for sync now (provision on demand), for `--push-now` and the
/// wizard. Microsoft: on-demand provisioning "supports disabling users that have been unassigned
/// from the application. However, it doesn't support disabling or deleting users that have been
/// disabled or deleted from Microsoft Entra ID" — and offboarding always disables the person in
/// Entra, so no app of theirs can be pushed, assigned or not.
pub fn push_now_refusal(name: &str, apps: &[AppSync]) -> String {
    let names = |keep: fn(&AppSync) -> bool| -> Vec<&str> {
        apps.iter()
            .filter(|a| keep(a))
            .map(|a| a.app.display_name.as_str())
            .collect()
    };
    let synced = names(|a| a.has_sync());
    let unknown = names(|a| !a.has_sync() && a.cannot_read.is_some());
    let mut follow = Vec::new();
    if !synced.is_empty() {
        follow.push(format!(
            "{} will mark the account inactive at the next sync round instead (rounds run about every 40 minutes).",
            synced.join(", ")
        ));
    }
    if !unknown.is_empty() {
        follow.push(format!(
            "{name} is also assigned to {}: apps with automatic account sync follow at their next round.",
            unknown.join(", ")
        ));
    }
    if follow.is_empty() {
        follow.push(format!(
            "{name} has no app with automatic account sync, so there is nothing to push."
        ));
    }
    let reach = follow.join(" ");
    format!(
        "Sync now was not asked for: Microsoft's on-demand provisioning cannot disable a person who is disabled in Entra ID ({ON_DEMAND_DOC}). {reach}"
    )
}

/// Looks the person up and plans the offboarding. Changes nothing.
pub async fn preview(desk: &Desk, person: &str, departure: Departure) -> Result<OffboardPreview> {
    let person = find_person(desk, person).await?;
    let apps = if person.is_deleted() {
        Vec::new()
    } else {
        person_apps(desk, &person.id).await?
    };
    let signed_in = desk.signed_in();
    let rights = Rights {
        disable: signed_in.may(Operation::SetAccountEnabled).err(),
        revoke: signed_in.may(Operation::RevokeSignInSessions).err(),
        doubts: signed_in.doubts(&[
            (Operation::SetAccountEnabled, "turn off sign-in"),
            (Operation::RevokeSignInSessions, "end sessions"),
        ]),
    };
    Ok(OffboardPreview {
        plan: plan(&person, departure, &apps, &rights),
        person,
        departure,
        apps,
    })
}

/// What the sign-in says this person may do, for the plan.
#[derive(Debug, Clone, Default)]
struct Rights {
    /// Why turning off sign-in is refused for sure (a missing delegated permission).
    disable: Option<String>,
    /// Why ending sessions is refused for sure.
    revoke: Option<String>,
    /// Steps whose role does not show in the sign-in: tried, Entra decides.
    doubts: Vec<String>,
}

/// The plan from observed state. A step refused for sure is not planned: it is said under what
/// will not happen, with why. An app whose sync is paused or in quarantine is promised nothing.
fn plan(person: &PersonMatch, departure: Departure, apps: &[AppSync], rights: &Rights) -> Plan {
    let name = &person.display_name;
    let synced: Vec<&AppSync> = apps
        .iter()
        .filter(|a| a.has_sync() || a.cannot_read.is_some())
        .collect();
    // Only apps whose sync runs will mark the account inactive at their next round.
    let running: Vec<&AppSync> = synced
        .iter()
        .copied()
        .filter(|a| a.cannot_read.is_none() && a.sync_runs())
        .collect();
    let mut facts = vec![format!(
        "Sign-in: {}",
        match (person.is_deleted(), person.account_enabled) {
            (true, _) => "in the recycle bin (deleted)",
            (false, Some(true)) => "on",
            (false, Some(false)) => "off",
            (false, None) => "unknown",
        }
    )];
    if !apps.is_empty() {
        facts.push(format!(
            "Apps: {}",
            apps.iter()
                .map(|a| format!("{} ({})", a.app.display_name, a.assigned))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    facts.push(format!(
        "Departure: {}",
        match departure {
            Departure::Temporary => "temporary absence",
            Departure::Permanent => "permanent",
        }
    ));
    // Found by an address other than the sign-in name: say which, so the operator sees why.
    if let Some(how) = &person.found_by {
        facts.push(how.sentence());
    }
    if person.synced_from_on_premises {
        facts.push(crate::on_premises::FACT.to_string());
    }
    let target = TargetSummary {
        display_name: person.label(),
        id: Some(person.id.clone()),
        facts,
    };
    let mut warnings = Vec::new();
    let mut steps = Vec::new();
    if person.is_deleted() {
        warnings.push(format!(
            "{name} is already in the recycle bin (deleted). A deleted person reaches the apps only after 30 days or a permanent delete; to offboard properly, bring {name} back, then offboard (turn off sign-in)."
        ));
        return Plan {
            playbook: PlaybookKind::Offboard,
            target,
            steps,
            will_not_happen: vec![format!("Nothing is changed for {name}.")],
            warnings,
        };
    }
    let apps_follow = if running.is_empty() {
        String::new()
    } else {
        format!(
            " {} {} the account inactive at the next sync round.",
            running
                .iter()
                .map(|a| a.app.display_name.clone())
                .collect::<Vec<_>>()
                .join(" and "),
            if running.len() == 1 { "marks" } else { "mark" }
        )
    };
    let mut will_not_happen = Vec::new();
    if person.synced_from_on_premises {
        warnings.push(crate::on_premises::offboard_warning(name));
    }
    if let Some(why) = &rights.disable {
        will_not_happen.push(format!(
            "Sign-in is not turned off: you cannot turn off sign-in. {why}"
        ));
    } else {
        steps.push(PlannedStep {
        id: "disable".into(),
        title: format!("Turn off sign-in for {name}"),
        entra_term: "disable (accountEnabled = false)".into(),
        why: if person.account_enabled == Some(false) {
            format!("Sign-in is already off; nothing will be sent.{apps_follow}")
        } else {
            format!("{name} can no longer sign in.{apps_follow}")
        },
        documented_reason: DocumentedReason {
            behaviour: "Disabling a user (accountEnabled = false) is picked up in the next provisioning cycle and sent to the app as a SCIM PATCH setting active to false, when active is mapped from IsSoftDeleted.".into(),
            source: HOW_PROVISIONING_WORKS.into(),
        },
        risk: Risk::Reversible,
        verification: format!("Sign-in reads as off; each app's provisioning log shows a successful disable/update for {name}."),
        requires_confirmation: None,
    });
    }
    if let Some(why) = &rights.revoke {
        will_not_happen.push(format!(
            "{name}'s active sessions are not ended: you cannot end sessions. {why}"
        ));
    } else {
        steps.push(PlannedStep {
        id: "revoke_sessions".into(),
        title: format!("End {name}'s active sessions"),
        entra_term: "revoke sign-in sessions (revokeSignInSessions)".into(),
        why: "Turning off sign-in does not end sessions already open, and an inactive app account does not necessarily end them either.".into(),
        documented_reason: DocumentedReason {
            behaviour: "Revoking invalidates the refresh tokens and session cookies issued to the user; apps must get a new token, which a disabled account cannot.".into(),
            source: REVOKE_DOC.into(),
        },
        risk: Risk::Low,
        verification: "The sessions-valid-from time moves to the time of the request.".into(),
        requires_confirmation: None,
    });
    }
    for app in &synced {
        warnings.push(app.when_it_reaches("mark the account inactive"));
    }
    if !synced.is_empty() {
        warnings.push(format!(
            "Sync now (provision on demand) cannot push this: Microsoft does not provision on demand a person who is disabled in Entra ({ON_DEMAND_DOC}). Sign-in through single sign-on is blocked as soon as {name} is disabled and sessions end."
        ));
    }
    warnings.extend(rights.doubts.iter().cloned());
    will_not_happen.extend([
        format!("{name}'s account is not deleted."),
        "Licences, group memberships and app assignments stay as they are.".to_string(),
    ]);
    match departure {
        Departure::Temporary => will_not_happen.push(format!(
            "Nothing is removed: when {name} comes back, turn sign-in back on (Reactivate)."
        )),
        Departure::Permanent => warnings.push(format!(
            "Deleting {name} can be done later, as a separate step. A deleted person stays in the recycle bin for 30 days: the apps are only told to mark the account inactive, and deleted there at the permanent delete."
        )),
    }
    Plan {
        playbook: PlaybookKind::Offboard,
        target,
        steps,
        will_not_happen,
        warnings,
    }
}

/// Runs the plan: turn off sign-in (unless already off), end sessions. Each change is
/// journaled before it is sent.
pub async fn run(
    desk: &Desk,
    preview: &OffboardPreview,
    progress: &mpsc::Sender<ProgressEvent>,
) -> Result<OffboardResult> {
    let person = &preview.person;
    crate::find::check_object_id(&person.id)?;
    if person.is_deleted() {
        return Err(Error::NothingToRun(format!(
            "{} is in the recycle bin; bring them back first",
            person.display_name
        )));
    }
    let started_at = desk.connection().tenant_now().await;
    let target = TargetRecord {
        id: person.id.clone(),
        display_name: person.display_name.clone(),
    };
    let mut steps = StepRun::start(desk, PlaybookKind::Offboard, 2, progress).await?;
    let graph = desk.graph();

    // Observe again: the preview may be minutes old.
    let current = graph.get_user(&person.id).await?;
    let disable_title = ActionKind::Disable.plain_title(&person.display_name);
    let mut disabled = false;
    if current.account_enabled == Some(false) {
        disabled = true;
        steps
            .note(
                "disable",
                &disable_title,
                StepOutcome::AlreadyDone {
                    detail: "sign-in was already off; nothing was sent".into(),
                },
            )
            .await;
    } else if let Err(because) = desk.signed_in().may(Operation::SetAccountEnabled) {
        steps
            .note("disable", &disable_title, StepOutcome::Skipped { because })
            .await;
    } else {
        let outcome = steps
            .action_checked(
                "disable",
                ActionKind::Disable,
                &target,
                format!("PATCH /users/{} accountEnabled=false", person.id),
                || graph.set_account_enabled(&person.id, false),
                || crate::read_back::sign_in_is(graph, &person.id, false),
            )
            .await?;
        disabled = matches!(outcome, StepOutcome::Succeeded { .. });
    }

    let revoke_title = ActionKind::RevokeSessions.plain_title(&person.display_name);
    if let Err(because) = desk.signed_in().may(Operation::RevokeSignInSessions) {
        steps
            .note(
                "revoke_sessions",
                &revoke_title,
                StepOutcome::Skipped { because },
            )
            .await;
    } else {
        // What the tenant says before the revoke is sent: after a lost answer, a later
        // `signInSessionsValidFromDateTime` is the proof it arrived (see `read_back`). Read
        // again rather than reused from before the disable, so nothing in between counts.
        let before = graph
            .get_user(&person.id)
            .await
            .map(|user| user.sign_in_sessions_valid_from_date_time);
        let before = before.as_ref();
        steps
            .action_checked(
                "revoke_sessions",
                ActionKind::RevokeSessions,
                &target,
                format!("POST /users/{}/revokeSignInSessions", person.id),
                || graph.revoke_sign_in_sessions(&person.id),
                || async move {
                    match before {
                        Ok(before) => {
                            crate::read_back::sessions_revoked_since(graph, &person.id, *before)
                                .await
                        }
                        Err(error) => Observation::CannotTell {
                            because: format!(
                                "the state before it was sent could not be read: {error}"
                            ),
                        },
                    }
                },
            )
            .await?;
    }
    let (run_id, results) = steps.finish().await?;

    let apps = person_apps(desk, &person.id)
        .await
        .unwrap_or_else(|_| preview.apps.clone());
    let mut next = Vec::new();
    // First on the ticket: without it, the next directory sync turns sign-in back on.
    if person.synced_from_on_premises || current.on_premises_sync_enabled == Some(true) {
        next.push(crate::on_premises::offboard_follow_up(&person.display_name));
    }
    if disabled {
        for app in apps
            .iter()
            .filter(|a| a.has_sync() || a.cannot_read.is_some())
        {
            next.push(app.when_it_reaches("mark the account inactive"));
        }
    }
    if preview.departure == Departure::Permanent {
        next.push(format!(
            "Permanent departure: deleting {} can be done later as a separate step (provdesk offboard USER --delete --confirm-upn UPN). It reaches the apps only after 30 days in the recycle bin, or a permanent delete.",
            person.display_name
        ));
    }
    Ok(OffboardResult {
        run_id,
        person: person.clone(),
        departure: preview.departure,
        steps: results,
        apps,
        started_at,
        next,
    })
}

/// Reads the provisioning logs for the person since `since`, per app (Playbook 1 step 5).
pub async fn verify(
    desk: &Desk,
    person_id: &str,
    apps: &[AppSync],
    since: DateTime<Utc>,
) -> Result<Vec<AppVerification>> {
    let mut verifications = Vec::new();
    for app in apps.iter().filter(|a| a.has_sync()) {
        let query = ProvisioningLogQuery {
            service_principal_id: Some(app.app.service_principal_id.clone()),
            source_identity_id: Some(person_id.to_string()),
            ..Default::default()
        };
        let entries = match crate::logs::entries_since(desk, &query, Some(since), 50).await {
            Ok(entries) => entries,
            Err(error) => {
                verifications.push(AppVerification {
                    app: app.app.clone(),
                    state: VerificationState::CannotCheck,
                    detail: format!(
                        "The provisioning logs of {} could not be read: {error}",
                        app.app.display_name
                    ),
                    entries: Vec::new(),
                });
                continue;
            }
        };
        let lines: Vec<LogLine> = entries.iter().map(explain).collect();
        let (state, detail) = if entries.iter().any(reached_app_as_inactive) {
            (
                VerificationState::Confirmed,
                format!("{} marked the account inactive.", app.app.display_name),
            )
        } else if let Some(problem) = lines
            .iter()
            .find(|l| l.status == "Failed" || l.status == "Skipped")
        {
            (VerificationState::Problem, problem.plain.clone())
        } else {
            (
                VerificationState::Waiting,
                app.when_it_reaches("mark the account inactive"),
            )
        };
        verifications.push(AppVerification {
            app: app.app.clone(),
            state,
            detail,
            entries: lines,
        });
    }
    Ok(verifications)
}

/// The later, separate deletion step for a permanent departure: typed confirmation (the
/// person's user principal name).
pub fn deletion_plan(person: &PersonMatch) -> Plan {
    let name = &person.display_name;
    Plan {
        playbook: PlaybookKind::Offboard,
        target: TargetSummary {
            display_name: person.label(),
            id: Some(person.id.clone()),
            facts: vec![format!(
                "Sign-in: {}",
                if person.account_enabled == Some(false) { "off" } else { "on" }
            )],
        },
        steps: vec![PlannedStep {
            id: "delete".into(),
            title: format!("Move {name} to the recycle bin"),
            entra_term: "delete user (soft delete, directory/deletedItems)".into(),
            why: "Only for a permanent departure, after sign-in has been turned off.".into(),
            documented_reason: DocumentedReason {
                behaviour: "Deleting a user is a soft delete: the user stays in Deleted users for 30 days and can be restored. Meanwhile provisioning only marks the app account inactive (active = false, at the next cycle); the SCIM DELETE goes out at the hard delete.".into(),
                source: HOW_PROVISIONING_WORKS.into(),
            },
            risk: Risk::Heavy,
            verification: format!("{name} appears in the recycle bin."),
            requires_confirmation: Some(Confirmation::Typed {
                prompt: format!("Type {}'s user principal name to delete the account.", name),
                expected: person.user_principal_name.clone(),
            }),
        }],
        will_not_happen: vec![format!(
            "The apps do not delete {name}'s accounts for 30 days: they are only marked inactive until the permanent delete."
        )],
        warnings: vec![
            "Deletion is the last step, never the first: turn off sign-in first so the apps mark the account inactive.".into(),
        ],
    }
}

/// Deletes (soft) the person after the typed confirmation.
///
/// `person` comes back from a front end, so it only says *whom* (the object id): the user is
/// read again by that id and the typed text is compared with the user principal name Graph
/// reports now — the account that will really be deleted, whatever the front end showed.
pub async fn delete(
    desk: &Desk,
    person: &PersonMatch,
    typed: &str,
    progress: &mpsc::Sender<ProgressEvent>,
) -> Result<Vec<StepResult>> {
    crate::find::check_object_id(&person.id)?;
    let now = desk.graph().get_user(&person.id).await?;
    let person = &PersonMatch::from_user(&now);
    let expected = person.user_principal_name.clone();
    let confirmation = Confirmation::Typed {
        prompt: String::new(),
        expected: expected.clone(),
    };
    if expected.is_empty() || !confirmation.is_satisfied_by(typed) {
        return Err(Error::NotConfirmed { expected });
    }
    let target = TargetRecord {
        id: person.id.clone(),
        display_name: person.display_name.clone(),
    };
    let mut steps = StepRun::start(desk, PlaybookKind::Offboard, 1, progress).await?;
    let graph = desk.graph();
    steps
        .action_checked(
            "delete",
            ActionKind::Delete,
            &target,
            format!("DELETE /users/{}", person.id),
            || graph.delete_user(&person.id),
            || crate::read_back::in_recycle_bin(graph, &person.id),
        )
        .await?;
    Ok(steps.finish().await?.1)
}

impl OffboardResult {
    /// Plain text for the ticket: who, what, when, result, what is pending.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "Offboarding of {} ({}) — {}\n",
            self.person.label(),
            match self.departure {
                Departure::Temporary => "temporary absence",
                Departure::Permanent => "permanent departure",
            },
            self.started_at.format("%d %b %Y %H:%M UTC")
        );
        crate::steps::render_steps(&mut out, &self.steps, &self.next, &self.run_id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> PersonMatch {
        PersonMatch {
            id: "0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10".into(),
            display_name: "Jane Smith".into(),
            user_principal_name: "jane.smith@contoso.com".into(),
            mail: None,
            account_enabled: Some(true),
            deleted_at: None,
            found_by: None,
            synced_from_on_premises: false,
        }
    }

    fn floorplan(minutes: Option<i64>, status: &str) -> AppSync {
        AppSync {
            app: AppMatch {
                service_principal_id: "5f0e…".into(),
                display_name: "Floorplan".into(),
            },
            assigned: "through a group".into(),
            job_id: Some("scim.1".into()),
            job_status: Some(status.into()),
            next_cycle_due: None,
            minutes_until_next_cycle: minutes,
            cannot_read: None,
        }
    }

    #[test]
    fn temporary_offboarding_plan() {
        let plan = plan(
            &jane(),
            Departure::Temporary,
            &[floorplan(Some(25), "Active")],
            &Rights::default(),
        );
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["disable", "revoke_sessions"]);
        assert!(plan.steps[0]
            .why
            .contains("Floorplan marks the account inactive"));
        insta::assert_snapshot!(plan.render_text());
    }

    /// A step the person surely cannot do is not listed as happening, and an app in quarantine
    /// is promised nothing (it will not mark the account inactive until the quarantine ends).
    #[test]
    fn permanent_offboarding_warns_about_later_deletion_and_missing_rights() {
        let rights = Rights {
            revoke: Some("This sign-in lacks the permission User.RevokeSessions.All.".into()),
            ..Rights::default()
        };
        let plan = plan(
            &jane(),
            Departure::Permanent,
            &[floorplan(None, "Quarantine")],
            &rights,
        );
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["disable"], "a refused step is not planned");
        assert!(plan
            .will_not_happen
            .iter()
            .any(|line| line.contains("sessions are not ended")
                && line.contains("User.RevokeSessions.All")));
        let promises_floorplan = plan
            .steps
            .iter()
            .any(|s| s.why.contains("Floorplan") || s.title.contains("Floorplan"));
        assert!(!promises_floorplan, "{:?}", plan.steps);
        assert!(plan.warnings.iter().any(|w| w.contains("Floorplan")
            && w.contains("quarantine")
            && w.contains("will not")));
        insta::assert_snapshot!(plan.render_text());
    }

    /// No role in the sign-in (e.g. User Administrator for an administrative unit) is a doubt:
    /// the step stays planned, with the warning that Entra decides.
    #[test]
    fn a_role_that_does_not_show_in_the_sign_in_keeps_the_step_and_says_so() {
        let rights = Rights {
            doubts: vec!["Entra may refuse to let you turn off sign-in. Your sign-in does not show a role that lets you disable or re-enable accounts.".into()],
            ..Rights::default()
        };
        let plan = plan(&jane(), Departure::Temporary, &[], &rights);
        assert_eq!(plan.steps.len(), 2);
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.starts_with("Entra may refuse")));
    }

    #[test]
    fn deletion_needs_the_typed_name() {
        let plan = deletion_plan(&jane());
        let confirmation = plan.steps[0].requires_confirmation.clone().unwrap();
        assert!(confirmation.is_satisfied_by("jane.smith@contoso.com"));
        assert!(!confirmation.is_satisfied_by("Jane Smith"));
        insta::assert_snapshot!(plan.render_text());
    }

    /// Push-now is never sent when offboarding; the answer names the apps that follow and when.
    #[test]
    fn push_now_is_refused_with_microsofts_limitation_and_what_follows() {
        let said = push_now_refusal("Jane Smith", &[floorplan(Some(25), "Active")]);
        assert!(
            said.contains("cannot disable a person who is disabled in Entra ID"),
            "{said}"
        );
        assert!(said.contains("Known limitations"), "{said}");
        assert!(
            said.contains("Floorplan will mark the account inactive at the next sync round"),
            "{said}"
        );
        let none = push_now_refusal("Jane Smith", &[]);
        assert!(none.contains("nothing to push"), "{none}");
    }
}
