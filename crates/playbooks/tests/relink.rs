//! Playbook 7 (Re-link one person) on the training tenant, one test per path: found and fixed,
//! no link stored (404), the job still active (409), a role without rights (403), a person
//! disabled in Entra, and a run interrupted after the pause whose job is started again.

mod common;

use std::time::Duration;

use common::{Training, APP_ADMIN, GLOBAL_ADMIN, HELPDESK};
use entra_client::graph::synchronization::ScheduleState;
use playbooks::journal::{ActionFilter, ActionKind, ActionStatus};
use playbooks::plan::StepOutcome;
use playbooks::relink::{self, LinkState, RelinkPreview, RelinkResult};
use playbooks::Desk;
use serde_json::json;
use tokio::sync::mpsc;

async fn schedule_state(desk: &Desk, preview: &RelinkPreview) -> ScheduleState {
    desk.graph()
        .get_job(&preview.app.service_principal_id, &preview.job_id)
        .await
        .unwrap()
        .schedule
        .unwrap()
        .state
}

async fn run(desk: &Desk, preview: &RelinkPreview) -> RelinkResult {
    let (events, _keep) = mpsc::channel(256);
    relink::run(desk, preview, &events).await.unwrap()
}

fn outcome<'a>(result: &'a RelinkResult, step: &str) -> &'a StepOutcome {
    &result
        .steps
        .iter()
        .find(|s| s.step_id == step || s.step_id.starts_with(&format!("{step}:")))
        .unwrap_or_else(|| panic!("no step {step}: {:?}", result.steps))
        .outcome
}

fn journal_kinds(desk: &Desk) -> Vec<(ActionKind, ActionStatus)> {
    desk.journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .map(|a| (a.kind, a.status))
        .collect()
}

/// A fault rule on the re-link's DELETE of `preview` (the training tenant's `/_training/faults`).
async fn fault_on_delete(training: &Training, preview: &RelinkPreview, rule: serde_json::Value) {
    let mut rule = rule;
    rule["pathPrefix"] = json!(format!(
        "/servicePrincipals/{}/synchronization/jobs/{}/objectConnections",
        preview.app.service_principal_id, preview.job_id
    ));
    rule["method"] = json!("DELETE");
    training
        .control(reqwest::Method::POST, "faults", rule)
        .await;
}

#[tokio::test]
async fn a_stored_link_is_forgotten_matched_again_and_sync_runs_again() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (obrien, _) = training.person("obrien");
    let preview = relink::preview(&desk, &obrien, "Floorplan").await.unwrap();
    let LinkState::Stored { link } = &preview.link else {
        panic!("a stored link: {:?}", preview.link);
    };
    assert!(link.source_anchor.eq_ignore_ascii_case(&obrien));
    let steps: Vec<&str> = preview.plan.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(steps, ["pause", "forget_link", "sync_now", "start"]);
    assert!(
        preview
            .reach
            .text
            .starts_with("Re-link: 1 person · Restart: a full cycle over all "),
        "{}",
        preview.reach.text
    );
    assert!(preview.plan.will_not_happen[0].starts_with("No account is deleted"));

    let result = run(&desk, &preview).await;
    for step in &result.steps {
        assert!(
            matches!(step.outcome, StepOutcome::Succeeded { .. }),
            "{}: {:?}",
            step.title,
            step.outcome
        );
    }
    assert!(result.job_resumed);
    assert!(
        matches!(&result.new_link, LinkState::Stored { .. }),
        "{:?}",
        result.new_link
    );
    assert_eq!(schedule_state(&desk, &preview).await, ScheduleState::Active);
    assert_eq!(
        journal_kinds(&desk),
        [
            (ActionKind::PauseJob, ActionStatus::Succeeded),
            (ActionKind::ForgetLink, ActionStatus::Succeeded),
            (ActionKind::ProvisionOnDemand, ActionStatus::Succeeded),
            (ActionKind::StartJob, ActionStatus::Succeeded),
        ]
    );
    assert!(relink::paused_jobs(&desk).unwrap().is_empty());
}

/// Microsoft's 404: nothing stored. Nothing is paused, nothing journaled.
#[tokio::test]
async fn no_stored_link_changes_nothing() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    // Leo is not assigned to Floorplan: Entra never linked him there.
    let (leo, _) = training.person("leaver-today");
    let preview = relink::preview(&desk, &leo, "Floorplan").await.unwrap();
    assert_eq!(preview.link, LinkState::NotStored);
    assert!(preview.plan.steps.is_empty());
    assert!(
        preview.plan.warnings[0].starts_with("There is nothing to forget"),
        "{:?}",
        preview.plan.warnings
    );
    let (events, _keep) = mpsc::channel(16);
    let error = relink::run(&desk, &preview, &events).await.unwrap_err();
    assert_eq!(error.code(), "no_link_stored");
    assert!(
        error.hint().contains("matches them afresh"),
        "{}",
        error.hint()
    );
    assert!(journal_kinds(&desk).is_empty());
    assert_eq!(schedule_state(&desk, &preview).await, ScheduleState::Active);
}

/// Microsoft's 409 (the job still active when the DELETE arrives): said in plain words, the link
/// stays, and sync is started again although the step before failed.
#[tokio::test]
async fn a_delete_refused_because_sync_is_active_still_starts_sync_again() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (obrien, _) = training.person("obrien");
    let preview = relink::preview(&desk, &obrien, "Floorplan").await.unwrap();
    fault_on_delete(
        &training,
        &preview,
        json!({"errorRate": 1.0, "status": 409}),
    )
    .await;
    let result = run(&desk, &preview).await;
    let StepOutcome::Failed { error } = outcome(&result, "forget_link") else {
        panic!("{:?}", result.steps);
    };
    assert_eq!(error.code, "graph.job_still_active");
    assert!(error.message.contains("still running"), "{}", error.message);
    assert!(
        matches!(outcome(&result, "start"), StepOutcome::Succeeded { .. }),
        "{:?}",
        result.steps
    );
    assert!(result.steps.iter().all(|s| s.step_id != "sync_now"));
    assert!(result.job_resumed);
    assert!(
        result.summary.contains("was not forgotten"),
        "{}",
        result.summary
    );
    assert_eq!(schedule_state(&desk, &preview).await, ScheduleState::Active);
    let still = desk
        .graph()
        .get_object_connection(&preview.app.service_principal_id, &preview.job_id, &obrien)
        .await
        .unwrap();
    assert!(still.is_some(), "the link is kept");
}

/// 403: the helpdesk's User Administrator role is not one of the roles the page lists; the error
/// names them and the permission.
#[tokio::test]
async fn a_role_without_rights_is_told_which_role_to_ask_for() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (obrien, _) = training.person("obrien");
    let hint = match relink::preview(&desk, &obrien, "Floorplan").await {
        Err(error) => {
            assert_eq!(error.code(), "graph.forbidden", "{error}");
            error.hint()
        }
        Ok(preview) => {
            let LinkState::CannotRead { because } = &preview.link else {
                panic!("{:?}", preview.link);
            };
            assert!(preview.plan.steps.is_empty());
            because.clone()
        }
    };
    for role in [
        "Application Administrator",
        "Cloud Application Administrator",
        "Hybrid Identity Administrator",
    ] {
        assert!(hint.contains(role), "{hint}");
    }
    assert!(hint.contains("Synchronization.ReadWrite.All"), "{hint}");
    assert!(journal_kinds(&desk).is_empty());
}

/// Sign-in off in Entra: no sync now (Microsoft does not provision a disabled person on demand);
/// the link is forgotten and the first round after re-enabling matches them.
#[tokio::test]
async fn a_person_disabled_in_entra_is_not_synced_now_and_is_told_when() {
    let training = Training::start().await;
    let admin = training.desk(GLOBAL_ADMIN).await;
    let (obrien, _) = training.person("obrien");
    admin
        .graph()
        .set_account_enabled(&obrien, false)
        .await
        .unwrap();
    let desk = training.desk(APP_ADMIN).await;
    let preview = relink::preview(&desk, &obrien, "Floorplan").await.unwrap();
    assert!(preview.person_disabled);
    assert!(preview.plan.steps.iter().all(|s| s.id != "sync_now"));
    assert!(
        preview
            .plan
            .warnings
            .iter()
            .any(|w| w.contains("does not sync a disabled person on demand")),
        "{:?}",
        preview.plan.warnings
    );
    let result = run(&desk, &preview).await;
    assert!(
        matches!(
            outcome(&result, "forget_link"),
            StepOutcome::Succeeded { .. }
        ),
        "{:?}",
        result.steps
    );
    let StepOutcome::Skipped { because } = outcome(&result, "sync_now") else {
        panic!("{:?}", result.steps);
    };
    assert!(
        because.contains("first sync round after it is turned back on"),
        "{because}"
    );
    assert!(result.job_resumed);
    assert_eq!(result.new_link, LinkState::NotStored);
    assert!(!journal_kinds(&desk)
        .iter()
        .any(|(kind, _)| *kind == ActionKind::ProvisionOnDemand));
}

/// A run stopped between pause and start (here: the task dropped while its DELETE waits for an
/// answer, as a crash would) leaves sync paused; the journal finds it, says who paused it, and
/// `resume` starts it again.
#[tokio::test]
async fn a_run_interrupted_after_the_pause_is_found_and_resumed() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (obrien, _) = training.person("obrien");
    let preview = relink::preview(&desk, &obrien, "Floorplan").await.unwrap();
    // The DELETE is held back by the tenant long enough to stop the run while it waits.
    fault_on_delete(&training, &preview, json!({"delayMs": 120000})).await;
    let running = {
        let desk = desk.clone();
        let preview = preview.clone();
        tokio::spawn(async move {
            let (events, _keep) = mpsc::channel(256);
            let _ = relink::run(&desk, &preview, &events).await;
        })
    };
    // Wait for the state "link forget sent, no answer yet", then stop the run there.
    let mut waited = 0;
    while !journal_kinds(&desk).contains(&(ActionKind::ForgetLink, ActionStatus::Pending)) {
        waited += 1;
        assert!(waited < 1_000, "the run never reached the DELETE");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.abort();
    let _ = running.await;
    assert_eq!(schedule_state(&desk, &preview).await, ScheduleState::Paused);

    let paused = relink::paused_jobs(&desk).unwrap();
    assert_eq!(paused.len(), 1, "{paused:?}");
    let job = &paused[0];
    assert_eq!(job.job_id, preview.job_id);
    assert_eq!(job.paused_by, desk.actor().upn);
    assert!(job.pause_confirmed);
    assert!(
        job.sentence.contains("paused by a re-link"),
        "{}",
        job.sentence
    );

    let resumed = relink::resume(&desk, job).await.unwrap();
    assert!(
        matches!(resumed.outcome, StepOutcome::Succeeded { .. }),
        "{resumed:?}"
    );
    assert_eq!(schedule_state(&desk, &preview).await, ScheduleState::Active);
    assert!(relink::paused_jobs(&desk).unwrap().is_empty());
    let starts: Vec<_> = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActionKind::StartJob)
        .collect();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].run_id, resumed.run_id);
    assert_eq!(starts[0].status, ActionStatus::Succeeded);
    // The interrupted DELETE is not left "waiting": it is settled from what can be observed.
    let forget = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .find(|a| a.kind == ActionKind::ForgetLink)
        .unwrap();
    assert_ne!(forget.status, ActionStatus::Pending, "{forget:?}");
    assert!(
        forget.note.is_some() || forget.error_message.is_some(),
        "{forget:?}"
    );
}

/// Restart's symptom chooser: one person's wrong link recommends Re-link, with the reach.
#[tokio::test]
async fn restart_for_a_wrong_link_recommends_re_link_with_the_reach() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let preview = playbooks::restart::preview(
        &desk,
        "Floorplan",
        Some(playbooks::restart::Symptom::WrongOrStaleLink),
        None,
    )
    .await
    .unwrap();
    let n = preview.people_in_scope.expect("counted");
    assert!(
        preview.recommendation.contains(&format!(
            "Re-link: 1 person · Restart: a full cycle over all {n} people in scope · Full reset: also forgets every link"
        )),
        "{}",
        preview.recommendation
    );
    assert!(preview.plan.steps[0].requires_confirmation.is_some());
}

async fn daniels_link(desk: &Desk, preview: &RelinkPreview, daniel: &str) -> Option<String> {
    desk.graph()
        .get_object_connection(&preview.app.service_principal_id, &preview.job_id, daniel)
        .await
        .unwrap()
        .and_then(|c| c.target_anchor)
}

/// The Project Insight story: Marisol's account was deleted on the app's side, Project Insight
/// keeps answering `active:false` for it, and Entra keeps its link. The preview says so from the
/// logs; after the re-link she has a new, working account and sync runs again.
#[tokio::test]
async fn project_insight_a_deleted_account_is_replaced_by_relinking_marisol() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (marisol, _) = training.person("insight-stale");
    let preview = relink::preview(&desk, &marisol, "Project Insight")
        .await
        .unwrap();
    let old = preview.link.link().expect("linked").target_anchor.clone();
    assert!(
        matches!(preview.cause, relink::LinkCause::AppSoftDeleted { .. }),
        "{:?}",
        preview.cause
    );
    assert!(
        preview
            .cause_text
            .contains("keeps answering for it as inactive"),
        "{}",
        preview.cause_text
    );
    assert!(preview.fix_first.is_none());

    let result = run(&desk, &preview).await;
    assert!(
        playbooks::steps::all_succeeded(&result.steps),
        "{:?}",
        result.steps
    );
    let LinkState::Stored { link } = &result.new_link else {
        panic!("{:?}", result.new_link);
    };
    assert_ne!(
        link.target_anchor, old,
        "a new account, not the deleted one"
    );
    assert!(
        result.summary.starts_with(&format!(
            "Marisol Quintero was re-linked: from account {old} to account {}",
            link.target_anchor
        )),
        "{}",
        result.summary
    );
    assert_eq!(result.evidence[0].action, "create", "{:?}", result.evidence);
    assert_eq!(schedule_state(&desk, &preview).await, ScheduleState::Active);
    insta::assert_snapshot!(result
        .render_text()
        .replace(&old, "{old}")
        .replace(&link.target_anchor, "{new}")
        .replace(&result.run_id, "{run}"));
}

/// The wrong-account story: Dana is linked to Daniel Whitcombe's Timesheets account. The preview
/// names him from the logs and the directory; the re-link matches her to her own account and
/// leaves Daniel's link alone.
#[tokio::test]
async fn wrong_account_dana_is_matched_to_her_own_account_and_daniel_is_untouched() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (dana, _) = training.person("wrong-linked");
    let (daniel, _) = training.person("linked-owner");
    let preview = relink::preview(&desk, &dana, "Timesheets").await.unwrap();
    let wrong = preview.link.link().expect("linked").target_anchor.clone();
    let relink::LinkCause::LinkedToAnotherAccount { owner, .. } = &preview.cause else {
        panic!("{:?}", preview.cause);
    };
    assert_eq!(owner.as_deref(), Some("Daniel Whitcombe"));
    assert!(preview.plan.warnings[0].starts_with("Check the data first"));
    assert_eq!(
        daniels_link(&desk, &preview, &daniel).await.as_deref(),
        Some(wrong.as_str())
    );

    let result = run(&desk, &preview).await;
    assert!(
        playbooks::steps::all_succeeded(&result.steps),
        "{:?}",
        result.steps
    );
    let LinkState::Stored { link } = &result.new_link else {
        panic!("{:?}", result.new_link);
    };
    assert_ne!(link.target_anchor, wrong);
    assert_eq!(
        result.evidence[0].status, "Success",
        "{:?}",
        result.evidence
    );
    assert_eq!(
        daniels_link(&desk, &preview, &daniel).await.as_deref(),
        Some(wrong.as_str()),
        "Daniel keeps his link"
    );
}

/// Diagnose recommends Re-link when the logs show one person's stale link (Marisol's account
/// that Project Insight keeps inactive), with the reach of each fix; a person whose link is fine
/// gets no such advice.
#[tokio::test]
async fn diagnose_recommends_re_link_for_one_persons_stale_link() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (marisol, _) = training.person("insight-stale");
    let diagnosis = playbooks::diagnose::diagnose(&desk, &marisol, "Project Insight")
        .await
        .unwrap();
    let advice = diagnosis.relink.expect("re-link recommended");
    assert!(
        matches!(advice.cause, relink::LinkCause::AppSoftDeleted { .. }),
        "{:?}",
        advice.cause
    );
    assert!(
        advice
            .text
            .contains("Re-link: 1 person · Restart: a full cycle over all"),
        "{}",
        advice.text
    );
    let logs = diagnosis
        .verdicts
        .iter()
        .find(|v| v.id == "PD-DIAG-005")
        .unwrap();
    assert_eq!(logs.conclusion, playbooks::plan::Conclusion::Cause);
    assert!(
        logs.explanation
            .contains("keeps answering for it as inactive"),
        "{}",
        logs.explanation
    );
    assert!(
        logs.fix
            .as_deref()
            .is_some_and(|f| f.contains("re-link Marisol Quintero")),
        "{logs:?}"
    );

    let (obrien, _) = training.person("obrien");
    let fine = playbooks::diagnose::diagnose(&desk, &obrien, "Floorplan")
        .await
        .unwrap();
    assert!(fine.relink.is_none(), "{:?}", fine.relink);
}

/// The app names an interrupted re-link by its run only; a run the journal does not list as
/// having left a sync paused starts nothing.
#[tokio::test]
async fn resuming_a_run_that_left_nothing_paused_starts_nothing() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let refused = relink::resume_run(&desk, "00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "run_not_found");
    assert!(journal_kinds(&desk).is_empty(), "nothing sent or journaled");
}
