//! Playbook 2 end to end against the training tenant: disabled → enabled; in the recycle bin →
//! restored and enabled; found nowhere → nothing created, the trap explained.

mod common;

use common::{Training, HELPDESK};
use playbooks::journal::{ActionFilter, ActionKind, ActionStatus};
use playbooks::plan::StepOutcome;
use playbooks::reactivate::{self, ReturnState};
use tokio::sync::mpsc;

fn step<'a>(
    result: &'a reactivate::ReactivateResult,
    id: &str,
) -> &'a playbooks::steps::StepResult {
    result
        .steps
        .iter()
        .find(|s| s.step_id == id)
        .unwrap_or_else(|| panic!("step {id} in {:?}", result.steps))
}

#[tokio::test]
async fn a_disabled_intern_comes_back() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("intern-returning");
    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    assert_eq!(preview.state, ReturnState::Disabled);
    assert_eq!(preview.plan.steps[0].id, "enable");
    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    assert!(matches!(
        step(&result, "enable").outcome,
        StepOutcome::Succeeded { .. }
    ));
    assert_eq!(
        desk.graph().get_user(&id).await.unwrap().account_enabled,
        Some(true)
    );
    let enables: Vec<_> = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActionKind::Enable)
        .collect();
    assert_eq!(enables.len(), 1);
    assert_eq!(enables[0].status, ActionStatus::Succeeded);
}

#[tokio::test]
async fn a_person_in_the_recycle_bin_is_restored_and_enabled() {
    let training = Training::start().await;
    let desk = training.desk(common::GLOBAL_ADMIN).await;
    let (id, _) = training.person("recycled");
    let preview = reactivate::preview(&desk, &id).await.unwrap();
    match preview.state {
        ReturnState::InRecycleBin { days_left } => assert!((17..=18).contains(&days_left)),
        other => panic!("{other:?}"),
    }
    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    assert!(matches!(
        step(&result, "restore").outcome,
        StepOutcome::Succeeded { .. }
    ));
    assert!(matches!(
        step(&result, "enable").outcome,
        StepOutcome::Succeeded { .. } | StepOutcome::AlreadyDone { .. }
    ));
    let user = desk.graph().get_user(&id).await.unwrap();
    assert_eq!(user.account_enabled, Some(true));
    let kinds: Vec<ActionKind> = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .iter()
        .map(|a| a.kind)
        .collect();
    assert_eq!(kinds[0], ActionKind::Restore);
}

#[tokio::test]
async fn a_person_found_nowhere_is_not_recreated() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let preview = reactivate::preview(&desk, "gone.for.good@contoso-training.onmicrosoft.com")
        .await
        .unwrap();
    assert_eq!(preview.state, ReturnState::NotFound);
    assert!(preview.plan.steps.is_empty());
    assert!(preview.plan.warnings[0].contains("32-character prefix"));
    let (events, _keep) = mpsc::channel(64);
    let refused = reactivate::run(&desk, &preview, &events).await.unwrap_err();
    assert_eq!(refused.code(), "nothing_to_run");
    assert!(desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .is_empty());
}
