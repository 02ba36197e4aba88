//! Playbook 3 for held-back deletions (entra-docs `accidental-deletions.md`), the plain
//! restart as Microsoft defines it, and a quarantine's quoted cause — on the training tenant.
//!
//! Floorplan's threshold is lowered to 2; turning off sign-in for two people in its scope then
//! makes the next round hold both disables back (disables count toward the threshold) and pause
//! Floorplan (quarantine, TooManyDeletes), with a `stagedDelete` log entry for each.

mod common;

use common::{Training, APP_ADMIN, GLOBAL_ADMIN};
use playbooks::bulk::playbook as bulk;
use playbooks::bulk::BulkKind;
use playbooks::journal::{ActionFilter, ActionKind};
use playbooks::plan::{Confirmation, Risk, StepOutcome};
use playbooks::restart::{self, ScopeChoice};
use playbooks::{Desk, Error};
use serde_json::json;
use tokio::sync::mpsc;

async fn floorplan_job(training: &Training, desk: &Desk) -> (String, String) {
    let scenario = training.connection.training().expect("training");
    let sp = scenario
        .apps
        .iter()
        .find(|a| a.key == "floorplan")
        .expect("Floorplan")
        .service_principal_id
        .clone();
    let job = desk.graph().list_jobs(&sp).await.unwrap().remove(0).id;
    (sp, job)
}

async fn lower_threshold(training: &Training, job_id: &str, threshold: u32) {
    training
        .control(
            reqwest::Method::PUT,
            &format!("jobs/{job_id}/settings"),
            json!({ "deleteThreshold": threshold }),
        )
        .await;
}

/// Two people in Floorplan's scope have sign-in turned off, and a round runs.
async fn hold_back_two(training: &Training, desk: &Desk) -> Vec<String> {
    let (_, job) = floorplan_job(training, desk).await;
    lower_threshold(training, &job, 2).await;
    let mut names = Vec::new();
    for key in ["obrien", "hostile"] {
        let (id, _) = training.person(key);
        desk.graph().set_account_enabled(&id, false).await.unwrap();
        names.push(
            desk.graph()
                .get_user(&id)
                .await
                .unwrap()
                .display_name
                .unwrap(),
        );
    }
    training.advance(json!({"minutes": 41})).await;
    names
}

#[tokio::test]
async fn held_back_deletions_are_listed_for_review_and_never_forced_by_recommendation() {
    let training = Training::start().await;
    let admin = training.desk(GLOBAL_ADMIN).await;
    let names = hold_back_two(&training, &admin).await;
    let desk = training.desk(APP_ADMIN).await;

    let preview = restart::preview(&desk, "Floorplan", None, None)
        .await
        .unwrap();
    assert_eq!(preview.sync.job_status.as_deref(), Some("Quarantine"));
    assert_ne!(preview.recommended, ScopeChoice::ForceDeletes);
    assert_eq!(preview.chosen, preview.recommended);
    assert!(
        preview
            .recommendation
            .starts_with("Review the held-back deletions first"),
        "{}",
        preview.recommendation
    );
    let held = preview.held_back.clone().expect("the held-back list");
    assert_eq!(held.count, 2, "{held:?}");
    assert_eq!(held.threshold, 2);
    for name in &names {
        assert!(held.people.contains(name), "{name} in {held:?}");
    }
    assert!(
        preview.plan.steps[0].requires_confirmation.is_none(),
        "the recommended restart is the plain one"
    );

    // Letting them through, chosen explicitly: cannot be undone, the list to review, the name.
    let force = restart::preview(&desk, "Floorplan", None, Some(ScopeChoice::ForceDeletes))
        .await
        .unwrap();
    let step = &force.plan.steps[0];
    assert_eq!(step.risk, Risk::Irreversible);
    assert!(matches!(
        &step.requires_confirmation,
        Some(Confirmation::Typed { expected, .. }) if expected == "Floorplan"
    ));
    assert!(
        force
            .plan
            .warnings
            .iter()
            .any(|w| w.starts_with("Review each person first")
                && names.iter().all(|n| w.contains(n))),
        "{:?}",
        force.plan.warnings
    );
    let (events, _keep) = mpsc::channel(64);
    let refused = restart::run(&desk, &force, None, &events).await;
    assert!(
        matches!(refused, Err(Error::NotConfirmed { .. })),
        "{refused:?}"
    );
    let refused = restart::run(&desk, &force, Some("floorplan"), &events).await;
    assert!(
        matches!(refused, Err(Error::NotConfirmed { .. })),
        "{refused:?}"
    );
    assert!(desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .is_empty());

    let result = restart::run(&desk, &force, Some("Floorplan"), &events)
        .await
        .unwrap();
    assert!(
        matches!(result.steps[0].outcome, StepOutcome::Succeeded { .. }),
        "{result:?}"
    );
    let actions = desk.journal().actions(&ActionFilter::default()).unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].kind, ActionKind::RestartJob);
    assert!(
        actions[0]
            .request_summary
            .ends_with("resetScope=ForceDeletes"),
        "{}",
        actions[0].request_summary
    );
    // The next round sends the held-back disables and Floorplan is healthy again.
    training.advance(json!({"minutes": 1})).await;
    let after = restart::preview(&desk, "Floorplan", None, None)
        .await
        .unwrap();
    assert_eq!(after.sync.job_status.as_deref(), Some("Active"));
}

/// The plain restart: sent as Watermark, Escrows, QuarantineState, and described as a full
/// first round over the people in scope, counted.
#[tokio::test]
async fn the_plain_restart_names_how_many_people_it_re_evaluates() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let preview = restart::preview(&desk, "Floorplan", None, None)
        .await
        .unwrap();
    assert_eq!(preview.chosen, ScopeChoice::Default);
    let n = preview.people_in_scope.expect("counted");
    // Floorplan is assigned to two groups and four people (contoso.json).
    assert!(n > 4, "{n}");
    let why = &preview.plan.steps[0].why;
    assert!(
        why.contains(&format!(
            "re-evaluates all {n} people in scope of Floorplan"
        )),
        "{why}"
    );
    assert!(!why.contains("starts over from the last changes"), "{why}");

    let (events, _keep) = mpsc::channel(64);
    restart::run(&desk, &preview, None, &events).await.unwrap();
    let actions = desk.journal().actions(&ActionFilter::default()).unwrap();
    assert!(
        actions[0]
            .request_summary
            .ends_with("resetScope=Watermark, Escrows, QuarantineState"),
        "{}",
        actions[0].request_summary
    );
}

/// Expensely's quarantine carries no error; the cause is only in the last round's error. The
/// restart recommendation quotes it and says what to do.
#[tokio::test]
async fn a_quarantine_is_explained_by_the_cause_quoted_from_the_last_round() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let preview = restart::preview(&desk, "Expensely", None, None)
        .await
        .unwrap();
    let cause = preview.cause.clone().expect("a cause");
    assert_eq!(
        cause.code.as_deref(),
        Some("SystemForCrossDomainIdentityManagementInvalidCredentials")
    );
    assert!(
        preview
            .recommendation
            .contains("Expensely no longer accepts the secret token"),
        "{}",
        preview.recommendation
    );
    assert!(preview.recommendation.contains("Test connection"));
    assert!(
        preview
            .plan
            .target
            .facts
            .iter()
            .any(|f| f.starts_with("Microsoft's message: ") && f.contains("Expensely")),
        "{:?}",
        preview.plan.target.facts
    );
}

/// Bulk offboarding warns before it runs when its rows would reach an app's deletion
/// threshold, and says what will happen.
#[tokio::test]
async fn bulk_offboarding_warns_when_it_would_reach_an_apps_deletion_threshold() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (_, obrien) = training.person("obrien");
    let (_, hostile) = training.person("hostile");
    let file = format!("upn\n{obrien}\n{hostile}\n");

    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    assert!(
        plan.deletion_warnings.is_empty(),
        "two rows are far below the threshold: {:?}",
        plan.deletion_warnings
    );

    let (_, job) = floorplan_job(&training, &desk).await;
    lower_threshold(&training, &job, 2).await;
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    let floorplan: Vec<&String> = plan
        .deletion_warnings
        .iter()
        .filter(|w| w.contains("in scope of Floorplan"))
        .collect();
    assert_eq!(floorplan.len(), 1, "{:?}", plan.deletion_warnings);
    assert!(
        floorplan[0].starts_with("2 people in this file are in scope of Floorplan, whose accidental-deletion threshold is 2"),
        "{}",
        floorplan[0]
    );
    assert!(floorplan[0].contains("pause sync for Floorplan (quarantine)"));
}
