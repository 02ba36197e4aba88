//! Playbook 1 end to end against the training tenant: preview, run (journaled), re-run (nothing
//! repeated), and the later deletion step with its typed confirmation.

mod common;

use common::{Training, HELPDESK};
use playbooks::journal::{ActionFilter, ActionKind, ActionStatus};
use playbooks::offboard::{self, Departure};
use playbooks::plan::StepOutcome;
use tokio::sync::mpsc;

#[tokio::test]
async fn offboarding_disables_and_ends_sessions_journaled() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (leaver_id, leaver_upn) = training.person("leaver-today");

    let preview = offboard::preview(&desk, &leaver_upn, Departure::Temporary)
        .await
        .unwrap();
    assert_eq!(preview.person.id, leaver_id);
    let step_ids: Vec<&str> = preview.plan.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(step_ids, ["disable", "revoke_sessions"]);
    assert!(preview
        .plan
        .will_not_happen
        .iter()
        .any(|line| line.contains("not deleted")));
    // The preview changed nothing.
    assert_eq!(
        desk.graph()
            .get_user(&leaver_id)
            .await
            .unwrap()
            .account_enabled,
        Some(true)
    );
    assert!(desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .is_empty());

    let (events, mut received) = mpsc::channel(64);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    drop(events);
    let mut seen = Vec::new();
    while let Some(event) = received.recv().await {
        seen.push(event);
    }
    assert!(
        seen.len() >= 6,
        "run started, 2×(started, finished), finished: {seen:?}"
    );
    assert!(
        result
            .steps
            .iter()
            .all(|s| matches!(s.outcome, StepOutcome::Succeeded { .. })),
        "{:?}",
        result.steps
    );

    let user = desk.graph().get_user(&leaver_id).await.unwrap();
    assert_eq!(user.account_enabled, Some(false));
    assert!(user.sign_in_sessions_valid_from_date_time.is_some());

    let actions = desk.journal().actions(&ActionFilter::default()).unwrap();
    let kinds: Vec<(ActionKind, ActionStatus)> =
        actions.iter().map(|a| (a.kind, a.status)).collect();
    assert_eq!(
        kinds,
        [
            (ActionKind::Disable, ActionStatus::Succeeded),
            (ActionKind::RevokeSessions, ActionStatus::Succeeded)
        ]
    );
    assert!(actions.iter().all(|a| a.actor.upn.starts_with("helpdesk@")));
    assert!(result.render_text().contains("Turn off sign-in"));

    // Running again sends no second disable.
    let again = offboard::preview(&desk, &leaver_id, Departure::Permanent)
        .await
        .unwrap();
    let (events, _keep) = mpsc::channel(64);
    let second = offboard::run(&desk, &again, &events).await.unwrap();
    assert!(matches!(
        second.steps[0].outcome,
        StepOutcome::AlreadyDone { .. }
    ));
    let disables = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActionKind::Disable)
        .count();
    assert_eq!(disables, 1);
    assert!(second
        .next
        .iter()
        .any(|line| line.contains("separate step")));

    // Deletion: a near miss is not consent; the exact UPN is.
    let person = second.person.clone();
    let refused = offboard::delete(&desk, &person, "Leaver", &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_confirmed");
    assert!(desk.graph().get_user(&leaver_id).await.is_ok());
    let deleted = offboard::delete(&desk, &person, &leaver_upn, &events)
        .await
        .unwrap();
    assert!(matches!(deleted[0].outcome, StepOutcome::Succeeded { .. }));
    assert!(desk.graph().get_deleted_user(&leaver_id).await.is_ok());
}

/// A person with no role in the sign-in may still hold one for an administrative unit or as a
/// custom role: the desk warns, tries, and Entra's refusal is the step's result — naming the role
/// to ask for — with nothing changed.
#[tokio::test]
async fn without_a_role_the_step_is_tried_and_entras_refusal_names_the_role() {
    let training = Training::start().await;
    let desk = training.desk("pat").await; // no role
    let (leaver_id, leaver_upn) = training.person("leaver-today");
    let preview = offboard::preview(&desk, &leaver_upn, Departure::Temporary)
        .await
        .unwrap();
    assert!(
        preview
            .plan
            .warnings
            .iter()
            .any(|w| w.starts_with("Entra may refuse to let you turn off sign-in")),
        "{:?}",
        preview.plan.warnings
    );
    let (events, _keep) = mpsc::channel(64);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    let StepOutcome::Failed { error } = &result.steps[0].outcome else {
        panic!("{:?}", result.steps);
    };
    assert!(error.hint.contains("User Administrator"), "{}", error.hint);
    let failed: Vec<ActionStatus> = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .iter()
        .map(|a| a.status)
        .collect();
    assert!(
        failed.iter().all(|s| *s == ActionStatus::Failed),
        "each refusal is journaled as failed: {failed:?}"
    );
    let admin = training.desk(common::GLOBAL_ADMIN).await;
    assert_eq!(
        admin
            .graph()
            .get_user(&leaver_id)
            .await
            .unwrap()
            .account_enabled,
        Some(true)
    );
}
