//! Issue 13 item 5: single changes a crash left "pending" are listed at the next start and,
//! on "check and finish", read back from the tenant and journaled as what happened — never sent
//! again, never left "Waiting".

mod common;

use common::{Training, GLOBAL_ADMIN};
use playbooks::journal::{
    ActionFilter, ActionIntent, ActionKind, ActionStatus, RunStatus, TargetRecord,
};
use playbooks::plan::PlaybookKind;
use playbooks::reconcile;
use playbooks::Desk;

/// A run whose `kind` was journaled as about to be sent, after which the desk died.
fn crashed_change(desk: &Desk, kind: ActionKind, id: &str, name: &str) -> (String, String) {
    let run = desk.start_run(PlaybookKind::Offboard).unwrap();
    let action = desk
        .journal()
        .record_intent(ActionIntent {
            run_id: run.id.clone(),
            actor: None,
            step: kind.as_str().into(),
            row: None,
            target: TargetRecord {
                id: id.into(),
                display_name: name.into(),
            },
            kind,
            request_summary: format!("{} {id}", kind.as_str()),
        })
        .unwrap();
    (run.id, action.id)
}

fn status_of(desk: &Desk, action_id: &str) -> ActionStatus {
    desk.journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .find(|a| a.id == action_id)
        .unwrap()
        .status
}

#[tokio::test]
async fn changes_a_crash_left_pending_are_read_back_and_journaled_as_what_happened() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (leaver, _) = training.person("leaver-today");
    let (amelia, _) = training.person("renamed");

    // Sent and applied; the answer was lost with the process.
    let (applied_run, applied) = crashed_change(&desk, ActionKind::Disable, &leaver, "Leo");
    desk.graph()
        .set_account_enabled(&leaver, false)
        .await
        .unwrap();
    // Journaled, never sent.
    let (never_run, never) = crashed_change(&desk, ActionKind::Disable, &amelia, "Amelia");
    // Sessions: the tenant cannot show whether this revoke arrived.
    let (_, revoke) = crashed_change(&desk, ActionKind::RevokeSessions, &amelia, "Amelia");

    let listed = reconcile::unfinished_changes(&desk).unwrap();
    let mut ids: Vec<&str> = listed.iter().map(|c| c.action_id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = [applied.as_str(), never.as_str(), revoke.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let leo = listed.iter().find(|c| c.action_id == applied).unwrap();
    assert!(
        leo.sentence
            .starts_with("Turn off sign-in for Leo (started by "),
        "{}",
        leo.sentence
    );

    let done = reconcile::check_and_finish(&desk, &applied).await.unwrap();
    assert_eq!(done.status, ActionStatus::Succeeded);
    assert!(done.summary.contains("it happened"), "{}", done.summary);
    assert_eq!(status_of(&desk, &applied), ActionStatus::Succeeded);
    assert_eq!(
        desk.journal().run(&applied_run).unwrap().status,
        RunStatus::Finished
    );

    let not = reconcile::check_and_finish(&desk, &never).await.unwrap();
    assert_eq!(not.status, ActionStatus::Failed);
    assert!(
        not.summary.contains("nothing was sent again"),
        "{}",
        not.summary
    );
    let amelia_now = desk.graph().get_user(&amelia).await.unwrap();
    assert_eq!(amelia_now.account_enabled, Some(true), "not sent again");

    let unsure = reconcile::check_and_finish(&desk, &revoke).await.unwrap();
    assert_eq!(unsure.status, ActionStatus::Unknown);
    assert_eq!(
        desk.journal().run(&never_run).unwrap().status,
        RunStatus::Incomplete
    );

    assert!(reconcile::unfinished_changes(&desk).unwrap().is_empty());
    let again = reconcile::check_and_finish(&desk, &applied)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "action_not_found");
}

#[tokio::test]
async fn a_change_another_window_is_making_is_left_alone() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (leaver, _) = training.person("leaver-today");
    let (run, action) = crashed_change(&desk, ActionKind::Disable, &leaver, "Leo");

    let live = desk.journal().claim_run(&run).unwrap();
    assert!(reconcile::unfinished_changes(&desk).unwrap().is_empty());
    let refused = reconcile::check_and_finish(&desk, &action)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "action_not_found");
    assert_eq!(status_of(&desk, &action), ActionStatus::Pending);

    drop(live);
    assert_eq!(reconcile::unfinished_changes(&desk).unwrap().len(), 1);
}

#[tokio::test]
async fn an_id_that_would_change_the_url_is_never_read() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (_, action) = crashed_change(&desk, ActionKind::Delete, "..", "Nobody");
    let refused = reconcile::check_and_finish(&desk, &action)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "plan_tampered");
    assert_eq!(status_of(&desk, &action), ActionStatus::Pending);
}
