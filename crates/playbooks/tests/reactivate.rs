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

/// Ivy is assigned to Badgeway just before she is reactivated: sync now does not see the new
/// assignment yet (Microsoft's replication delay of "a few minutes", provision-on-demand.md),
/// and the desk says so and when to try again, instead of a bare "Skipped". Five virtual
/// minutes later, sync now sees it.
#[tokio::test]
async fn sync_now_right_after_an_assignment_says_it_may_not_be_visible_yet() {
    let training = Training::start().await;
    let desk = training.desk(common::GLOBAL_ADMIN).await;
    let (id, upn) = training.person("intern-returning");
    let scenario = training
        .control(reqwest::Method::GET, "scenario", serde_json::Value::Null)
        .await;
    let badgeway = scenario["scimApps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["displayName"] == "Badgeway")
        .unwrap()
        .clone();
    let sp = badgeway["servicePrincipalId"].as_str().unwrap().to_string();
    training
        .control(
            reqwest::Method::POST,
            "assignments",
            serde_json::json!({"principalId": id, "servicePrincipalId": sp}),
        )
        .await;

    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    let follow_up = result
        .apps
        .iter()
        .find(|a| a.app.display_name == "Badgeway")
        .unwrap_or_else(|| panic!("Badgeway in {:?}", result.apps));
    assert!(
        follow_up
            .detail
            .contains("does not see yet that Ivy Intern is assigned")
            && follow_up
                .detail
                .contains("wait about 5 minutes and try again"),
        "{}",
        follow_up.detail
    );
    assert!(result.next.contains(&follow_up.detail));
    // Her older assignments were seen: those apps are not told to wait.
    assert!(result
        .apps
        .iter()
        .filter(|a| a.app.display_name != "Badgeway")
        .all(|a| !a.detail.contains("does not see yet")));

    training.advance(serde_json::json!({"minutes": 6})).await;
    let job_id = badgeway["jobId"].as_str().unwrap();
    let rule_id = desk
        .graph()
        .get_schema(&sp, job_id)
        .await
        .unwrap()
        .user_rule_id()
        .unwrap()
        .to_string();
    let again = desk
        .graph()
        .provision_on_demand(
            &sp,
            job_id,
            &rule_id,
            vec![entra_client::graph::synchronization::SynchronizationJobSubject::user(&id)],
        )
        .await
        .unwrap();
    assert!(
        !playbooks::on_demand::says_not_assigned(&again),
        "after the delay the assignment is seen: {again:?}"
    );
}

/// Chatwave's provisioning is authorized with OAuth: Microsoft syncs such an app now only while
/// its sync is stopped (provision-on-demand.md). The desk knows before sending, sends nothing,
/// and gives the exact instruction.
#[tokio::test]
async fn sync_now_is_not_sent_to_an_oauth_app_whose_sync_runs() {
    let training = Training::start().await;
    let desk = training.desk(common::GLOBAL_ADMIN).await;
    let (id, upn) = training.person("intern-returning");
    let scenario = training
        .control(reqwest::Method::GET, "scenario", serde_json::Value::Null)
        .await;
    let chatwave = scenario["scimApps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["displayName"] == "Chatwave")
        .unwrap()["servicePrincipalId"]
        .as_str()
        .unwrap()
        .to_string();
    training
        .control(
            reqwest::Method::POST,
            "assignments",
            serde_json::json!({"principalId": id, "servicePrincipalId": chatwave}),
        )
        .await;
    // Past the replication delay: only the OAuth rule is in the way.
    training.advance(serde_json::json!({"minutes": 6})).await;

    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    let follow_up = result
        .apps
        .iter()
        .find(|a| a.app.display_name == "Chatwave")
        .unwrap_or_else(|| panic!("Chatwave in {:?}", result.apps));
    assert!(
        follow_up
            .detail
            .contains("pause the app's sync, sync now, then start it again"),
        "{}",
        follow_up.detail
    );
    let skipped = result.steps.iter().any(|s| {
        matches!(&s.outcome, StepOutcome::Skipped { because } if because.contains("Chatwave's account sync signs in to Chatwave with a permission Chatwave granted (OAuth)"))
    });
    assert!(skipped, "{:?}", result.steps);
    // Nothing was sent: no sync-now action for Chatwave in the journal.
    let sent_to_chatwave = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .any(|a| {
            a.kind == ActionKind::ProvisionOnDemand && a.target.display_name.contains("Chatwave")
        });
    assert!(!sent_to_chatwave);
}
