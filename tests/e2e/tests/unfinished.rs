//! Issue 13 item 5 in the app: a change a crash left without an answer (here: "turn off sign-in
//! for Leo", journaled and never sent) is named at the next start, and "Check and finish" reads
//! the tenant and writes down what really happened — sending nothing again.

use playbooks::journal::{
    ActionFilter, ActionIntent, ActionKind, ActionStatus, Actor, Journal, NewRun, TargetRecord,
};
use playbooks::plan::PlaybookKind;
use provisioning_desk_e2e::{audit, App};

mod support;
use support::tenant::Tenant;

#[tokio::test(flavor = "multi_thread")]
async fn a_change_a_crash_left_unanswered_is_checked_and_finished() {
    let app = App::start().await;
    app.sign_in_as("Global Administrator").await;
    let tenant = Tenant::of_running_app().await;
    let scenario = tenant.get("scenario").await;
    let leaver = &scenario["people"]["leaver-today"];
    let (id, name) = (
        leaver["id"].as_str().unwrap().to_string(),
        leaver["displayName"].as_str().unwrap().to_string(),
    );

    // The session before this one journaled the change and died before sending it.
    let action_id = {
        let journal = Journal::open_default().expect("the journal of the test session");
        let run = journal
            .start_run(NewRun {
                playbook: PlaybookKind::Offboard,
                actor: Actor {
                    upn: "helpdesk@contoso-training.onmicrosoft.com".into(),
                    oid: "00000000-0000-0000-0000-0000000000ab".into(),
                },
                tenant_id: scenario["tenantId"].as_str().unwrap().into(),
                input: None,
            })
            .unwrap();
        journal
            .record_intent(ActionIntent {
                run_id: run.id,
                actor: None,
                step: "disable".into(),
                row: None,
                target: TargetRecord {
                    id: id.clone(),
                    display_name: name.clone(),
                },
                kind: ActionKind::Disable,
                request_summary: format!("PATCH /users/{id} accountEnabled=false"),
            })
            .unwrap()
            .id
    };

    // The notice is read again at every screen change.
    app.click("[data-testid=nav-logs]").await;
    app.click("[data-testid=nav-home]").await;
    let notice = app
        .wait_for_text("[data-testid=unfinished-change]", "did not get an answer")
        .await;
    assert!(
        notice.starts_with(&format!("Turn off sign-in for {name}")),
        "{notice}"
    );
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.screenshot("unfinished-changes").await;

    app.click("[data-testid=unfinished-check]").await;
    let found = app
        .wait_for_text("[data-testid=unfinished-finished]", "it did not happen")
        .await;
    assert!(found.contains("nothing was sent again"), "{found}");
    let journal = Journal::open_default().unwrap();
    let action = journal
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .find(|a| a.id == action_id)
        .unwrap();
    assert_eq!(action.status, ActionStatus::Failed);
    let state = tenant.get("state").await;
    assert_eq!(
        state["directory"]["users"][&id]["props"]["accountEnabled"], true,
        "nothing was sent"
    );
    app.close().await;
}
