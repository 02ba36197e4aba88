//! Confirmations are decided on the Rust side (issue 13 item 7): a preview comes back from the
//! web view, which anyone with a debugger can edit, so whether a typed confirmation is needed —
//! and what must be typed — is derived from what will be sent, never read from the preview. A
//! tampered or emptied preview is refused with nothing sent.

mod common;

use common::{Training, APP_ADMIN, GLOBAL_ADMIN};
use playbooks::journal::{ActionFilter, ActionKind};
use playbooks::offboard;
use playbooks::restart::{self, ScopeChoice};
use playbooks::Desk;
use tokio::sync::mpsc;

fn actions_of(desk: &Desk, kind: ActionKind) -> usize {
    desk.journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == kind)
        .count()
}

#[tokio::test]
async fn a_full_reset_whose_confirmation_was_removed_from_the_preview_still_needs_the_name() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (events, _keep) = mpsc::channel(64);

    let mut preview = restart::preview(&desk, "Floorplan", None, Some(ScopeChoice::Full))
        .await
        .unwrap();
    assert!(preview.plan.steps[0].requires_confirmation.is_some());
    // The web view drops the confirmation and sends the preview back.
    preview.plan.steps[0].requires_confirmation = None;
    let refused = restart::run(&desk, &preview, None, &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_confirmed");
    assert_eq!(actions_of(&desk, ActionKind::RestartJob), 0, "nothing sent");

    // Letting held-back deletions through likewise.
    let mut preview = restart::preview(&desk, "Floorplan", None, Some(ScopeChoice::ForceDeletes))
        .await
        .unwrap();
    preview.plan.steps[0].requires_confirmation = None;
    let refused = restart::run(&desk, &preview, Some("floorplan"), &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_confirmed");

    // A confirmation rewritten to expect something else is not consent either: the name that
    // counts is the app's, as Graph reports it.
    let mut preview = restart::preview(&desk, "Floorplan", None, Some(ScopeChoice::Full))
        .await
        .unwrap();
    preview.plan.steps[0].requires_confirmation = Some(playbooks::plan::Confirmation::Typed {
        prompt: "Type yes".into(),
        expected: "yes".into(),
    });
    preview.app.display_name = "yes".into();
    let refused = restart::run(&desk, &preview, Some("yes"), &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_confirmed");
    assert_eq!(actions_of(&desk, ActionKind::RestartJob), 0, "nothing sent");

    // The name typed exactly: it runs.
    restart::run(&desk, &preview, Some("Floorplan"), &events)
        .await
        .unwrap();
    assert_eq!(actions_of(&desk, ActionKind::RestartJob), 1);
}

#[tokio::test]
async fn an_emptied_restart_plan_is_refused_not_indexed() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let (events, _keep) = mpsc::channel(64);
    let mut preview = restart::preview(&desk, "Floorplan", None, None)
        .await
        .unwrap();
    preview.plan.steps.clear();
    let refused = restart::run(&desk, &preview, None, &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "plan_tampered");

    let mut preview = restart::preview(&desk, "Floorplan", None, None)
        .await
        .unwrap();
    preview.job_id = "..".into();
    let refused = restart::run(&desk, &preview, None, &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "plan_tampered");
    assert_eq!(actions_of(&desk, ActionKind::RestartJob), 0, "nothing sent");
}

#[tokio::test]
async fn a_deletion_compares_the_typed_name_with_the_account_graph_reports() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (events, _keep) = mpsc::channel(64);
    let (leaver_id, leaver_upn) = training.person("leaver-today");
    let preview = offboard::preview(&desk, &leaver_upn, offboard::Departure::Permanent)
        .await
        .unwrap();

    // The front end sends the leaver's id with someone else's name, and types that name.
    let mut tampered = preview.person.clone();
    tampered.user_principal_name = "someone.else@contoso.example".into();
    let refused = offboard::delete(&desk, &tampered, "someone.else@contoso.example", &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_confirmed");
    assert!(
        desk.graph().get_user(&leaver_id).await.is_ok(),
        "not deleted"
    );

    // An id the URL builder would drop (`DELETE /users/..` goes out as `DELETE /users`).
    let mut dots = preview.person.clone();
    dots.id = "..".into();
    let refused = offboard::delete(&desk, &dots, &leaver_upn, &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "plan_tampered");
    assert_eq!(actions_of(&desk, ActionKind::Delete), 0, "nothing sent");

    offboard::delete(&desk, &preview.person, &leaver_upn, &events)
        .await
        .unwrap();
    assert!(desk.graph().get_deleted_user(&leaver_id).await.is_ok());
}
