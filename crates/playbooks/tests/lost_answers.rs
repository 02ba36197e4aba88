//! Issue 13 item 1 and the observe half of item 12: a change that took effect but whose answer
//! was lost on the way back (the training tenant's `applyThenDrop` fault) is journaled once as
//! what actually happened, and nothing is applied twice — checked in the tenant's own event log.
//! A bulk run decides "already done" from the tenant's answers only, also after the training
//! clock skipped 30 days. And hostile `Retry-After` values (item 6) never panic.

mod common;

use std::time::Duration;

use common::{Training, GLOBAL_ADMIN, HELPDESK};
use entra_client::graph::{ApiVersion, GraphRequest};
use entra_client::Operation;
use playbooks::bulk::playbook as bulk;
use playbooks::bulk::{BulkKind, GraphRowActions, Observation, RowActions, RunControl};
use playbooks::journal::{
    ActionFilter, ActionIntent, ActionKind, ActionRecord, ActionStatus, RowBaseline, RunRow,
    TargetRecord,
};
use playbooks::offboard::{self, Departure};
use playbooks::plan::{PlaybookKind, StepOutcome};
use playbooks::reactivate;
use playbooks::Desk;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

impl Training {
    /// Adds a fault rule through `/_training/faults`.
    async fn fault(&self, rule: Value) {
        self.control(Method::POST, "faults", rule).await;
    }

    /// How many `applyThenDrop` drops are still to come: 0 proves the fault fired.
    async fn drops_left(&self) -> u64 {
        let faults = self.control(Method::GET, "faults", Value::Null).await;
        faults["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|rule| rule["applyThenDrop"].as_u64().unwrap_or(0))
            .sum()
    }

    /// How often the tenant's directory event log holds `kind` for `object_id`.
    async fn events(&self, object_id: &str, kind: &str) -> usize {
        let state = self.state().await;
        state["directory"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["objectId"] == json!(object_id) && e["kind"] == json!(kind))
            .count()
    }
}

fn actions_of(desk: &Desk, kind: ActionKind) -> Vec<ActionRecord> {
    desk.journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == kind)
        .collect()
}

fn control() -> RunControl {
    let (progress, received) = mpsc::channel(1024);
    // Progress is best-effort; a closed receiver is fine.
    drop(received);
    RunControl {
        progress,
        cancel: CancellationToken::new(),
    }
}

/// PATCH sets an absolute value, so the transport may send it again after the lost answer;
/// the disable is journaled once as done, and the revoke after it goes out once.
#[tokio::test]
async fn an_offboarding_whose_disable_answer_is_lost_is_done_once() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("leaver-today");
    let preview = offboard::preview(&desk, &upn, Departure::Temporary)
        .await
        .unwrap();
    training
        .fault(json!({"pathPrefix": "/users", "method": "PATCH", "applyThenDrop": 1}))
        .await;
    let (events, _keep) = mpsc::channel(64);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    assert!(
        result
            .steps
            .iter()
            .all(|s| matches!(s.outcome, StepOutcome::Succeeded { .. })),
        "{:?}",
        result.steps
    );
    assert_eq!(
        desk.graph().get_user(&id).await.unwrap().account_enabled,
        Some(false)
    );
    let disables = actions_of(&desk, ActionKind::Disable);
    assert_eq!(disables.len(), 1);
    assert_eq!(disables[0].status, ActionStatus::Succeeded);
    assert_eq!(training.events(&id, "sessionsRevoked").await, 1);
}

/// Issue 13 item 1: the restore took effect, its answer was lost. Resent blindly it got 404 and
/// Reactivate stopped; now the desk reads the person back, sees them restored, and goes on.
#[tokio::test]
async fn a_restore_whose_answer_is_lost_is_read_back_and_reactivate_continues() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (id, _) = training.person("recycled");
    let preview = reactivate::preview(&desk, &id).await.unwrap();
    training
        .fault(
            json!({"pathPrefix": "/directory/deletedItems", "method": "POST", "applyThenDrop": 1}),
        )
        .await;
    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    let outcome = |step: &str| {
        result
            .steps
            .iter()
            .find(|s| s.step_id == step)
            .unwrap_or_else(|| panic!("{step} in {:?}", result.steps))
            .outcome
            .clone()
    };
    match outcome("restore") {
        StepOutcome::Succeeded { detail } => {
            assert!(detail
                .unwrap()
                .contains("checking again showed it was done"))
        }
        other => panic!("restore: {other:?}"),
    }
    assert!(matches!(
        outcome("enable"),
        StepOutcome::Succeeded { .. } | StepOutcome::AlreadyDone { .. }
    ));
    assert_eq!(
        desk.graph().get_user(&id).await.unwrap().account_enabled,
        Some(true)
    );
    let restores = actions_of(&desk, ActionKind::Restore);
    assert_eq!(restores.len(), 1);
    assert_eq!(restores[0].status, ActionStatus::Succeeded);
    assert_eq!(restores[0].attempts, 1, "not sent again");
    assert_eq!(training.events(&id, "restored").await, 1);
}

/// DELETE by id may be resent; its 404 then only means the first one worked: read back, the
/// person is in the recycle bin, the delete is journaled as done.
#[tokio::test]
async fn a_delete_whose_answer_is_lost_ends_in_the_recycle_bin_journaled_as_done() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("leaver-today");
    let person = offboard::preview(&desk, &upn, Departure::Permanent)
        .await
        .unwrap()
        .person;
    training
        .fault(json!({"pathPrefix": "/users", "method": "DELETE", "applyThenDrop": 1}))
        .await;
    let (events, _keep) = mpsc::channel(64);
    let steps = offboard::delete(&desk, &person, &upn, &events)
        .await
        .unwrap();
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    assert!(
        matches!(steps[0].outcome, StepOutcome::Succeeded { .. }),
        "{:?}",
        steps[0]
    );
    assert!(desk.graph().get_deleted_user(&id).await.is_ok());
    let deletes = actions_of(&desk, ActionKind::Delete);
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].status, ActionStatus::Succeeded);
    assert_eq!(training.events(&id, "softDeleted").await, 1);
}

/// revokeSignInSessions is a POST: never sent twice. Its arrival is read from the tenant's
/// `signInSessionsValidFromDateTime`, compared with what the tenant said before it was sent.
#[tokio::test]
async fn a_revoke_whose_answer_is_lost_is_not_sent_twice() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("leaver-today");
    let preview = offboard::preview(&desk, &upn, Departure::Temporary)
        .await
        .unwrap();
    training
        .fault(json!({"pathPrefix": "/users", "method": "POST", "applyThenDrop": 1}))
        .await;
    let (events, _keep) = mpsc::channel(64);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    let revoke = result
        .steps
        .iter()
        .find(|s| s.step_id == "revoke_sessions")
        .unwrap();
    assert!(
        matches!(revoke.outcome, StepOutcome::Succeeded { .. }),
        "{revoke:?}"
    );
    assert_eq!(training.events(&id, "sessionsRevoked").await, 1);
    let revokes = actions_of(&desk, ActionKind::RevokeSessions);
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0].status, ActionStatus::Succeeded);
    assert_eq!(revokes[0].attempts, 1);
}

/// A `$batch` is as safe to resend as its least safe request: one of reads is resent after a
/// lost answer; one with revokes is not — the caller gets `graph.answer_lost` and reads each
/// item's state back.
#[tokio::test]
async fn a_batch_is_resent_only_when_everything_in_it_may_be() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let graph = desk.graph();
    let people: Vec<String> = ["leaver-today", "obrien"]
        .iter()
        .map(|key| training.person(key).0)
        .collect();
    let before: Vec<_> = {
        let mut out = Vec::new();
        for id in &people {
            out.push(
                graph
                    .get_user(id)
                    .await
                    .unwrap()
                    .sign_in_sessions_valid_from_date_time,
            );
        }
        out
    };

    training
        .fault(json!({"pathPrefix": "/$batch", "method": "POST", "applyThenDrop": 1}))
        .await;
    let reads = people
        .iter()
        .map(|id| {
            GraphRequest::new(
                Method::GET,
                graph.url(ApiVersion::V1, &["users", id], &[]),
                Operation::ReadUsers,
            )
        })
        .collect();
    let answers = graph.batch(reads).await.expect("reads are resent");
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    assert!(answers.iter().all(|a| a.as_ref().unwrap().status == 200));

    training
        .fault(json!({"pathPrefix": "/$batch", "method": "POST", "applyThenDrop": 1}))
        .await;
    let revokes = people
        .iter()
        .map(|id| {
            GraphRequest::new(
                Method::POST,
                graph.url(ApiVersion::V1, &["users", id, "revokeSignInSessions"], &[]),
                Operation::RevokeSignInSessions,
            )
        })
        .collect();
    let lost = graph.batch(revokes).await.unwrap_err();
    assert_eq!(lost.code(), "graph.answer_lost", "{lost}");
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    for (id, before) in people.iter().zip(before) {
        let now = graph
            .get_user(id)
            .await
            .unwrap()
            .sign_in_sessions_valid_from_date_time;
        assert!(now.is_some() && now > before, "{id}: revoked once");
        assert_eq!(training.events(id, "sessionsRevoked").await, 1, "{id}");
    }
}

fn row(number: u32, id: &str, before: Option<RowBaseline>) -> RunRow {
    RunRow {
        row: number,
        target: TargetRecord {
            id: id.to_string(),
            display_name: id.to_string(),
        },
        reason: None,
        before,
    }
}

/// A pending action as a crashed run leaves it.
fn pending(desk: &Desk, kind: ActionKind, target: &RunRow) -> ActionRecord {
    let run = desk.start_run(PlaybookKind::BulkOffboard).unwrap();
    desk.journal()
        .record_intent(ActionIntent {
            run_id: run.id,
            actor: None,
            step: kind.as_str().to_string(),
            row: Some(target.row),
            target: target.target.clone(),
            kind,
            request_summary: format!("{} {}", kind.as_str(), target.target.id),
        })
        .unwrap()
}

/// Item 12: `observe` decides "already applied, do not resend" for every kind a bulk run sends,
/// from the tenant's answer alone.
#[tokio::test]
async fn observe_tells_applied_from_not_applied_for_every_bulk_action() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let actions = GraphRowActions::new(desk.graph().clone());
    let (enabled_id, _) = training.person("leaver-today");
    let (disabled_id, _) = training.person("intern-returning");
    let enabled = row(2, &enabled_id, None);
    let disabled = row(3, &disabled_id, None);

    let observe = |r: &RunRow, kind| {
        let record = pending(&desk, kind, r);
        let r = r.clone();
        let actions = &actions;
        async move { actions.observe(&r, &record).await }
    };
    assert_eq!(
        observe(&disabled, ActionKind::Disable).await,
        Observation::Applied
    );
    assert_eq!(
        observe(&enabled, ActionKind::Disable).await,
        Observation::NotApplied
    );
    assert_eq!(
        observe(&enabled, ActionKind::Enable).await,
        Observation::Applied
    );
    assert_eq!(
        observe(&disabled, ActionKind::Enable).await,
        Observation::NotApplied
    );

    // Revoke: compared with what the tenant said before; nothing recorded is "cannot tell".
    let sessions = desk
        .graph()
        .get_user(&enabled_id)
        .await
        .unwrap()
        .sign_in_sessions_valid_from_date_time;
    let with_baseline = row(
        4,
        &enabled_id,
        Some(RowBaseline {
            sessions_valid_from: sessions,
        }),
    );
    assert_eq!(
        observe(&with_baseline, ActionKind::RevokeSessions).await,
        Observation::NotApplied
    );
    assert!(matches!(
        observe(&enabled, ActionKind::RevokeSessions).await,
        Observation::CannotTell { .. }
    ));
    // Move the tenant's clock so the revoke lands in a later second than the baseline.
    training.advance(json!({"seconds": 2})).await;
    desk.graph()
        .revoke_sign_in_sessions(&enabled_id)
        .await
        .unwrap();
    let with_baseline = row(5, &enabled_id, with_baseline.before);
    assert_eq!(
        observe(&with_baseline, ActionKind::RevokeSessions).await,
        Observation::Applied
    );
}

/// Item 12: the training clock is 30 days ahead of this computer and the person's sessions were
/// revoked once already (at the tenant's "now"). A revoke of a bulk run that never arrived must
/// not look done because that earlier date is later than the local journal time: on resume it is
/// sent — once.
#[tokio::test]
async fn after_skipping_30_days_a_revoke_that_never_arrived_is_sent_on_resume() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("leaver-today");
    training.advance(json!({"days": 30})).await;
    desk.graph().revoke_sign_in_sessions(&id).await.unwrap();
    assert_eq!(training.events(&id, "sessionsRevoked").await, 1);
    training.advance(json!({"seconds": 2})).await;

    let file = format!("upn\n{upn}\n");
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    assert_eq!(plan.preview.ready, 1);
    // Every revoke is dropped before it is carried out.
    training
        .fault(json!({"pathPrefix": "/users", "method": "POST", "dropRate": 1.0}))
        .await;
    let report = bulk::run(&desk, &plan, control()).await.unwrap();
    assert_eq!(report.counts.unknown, 1, "{report:?}");
    assert_eq!(
        training.events(&id, "sessionsRevoked").await,
        1,
        "not arrived"
    );
    training
        .control(Method::DELETE, "faults", Value::Null)
        .await;

    let resumed = bulk::resume(&desk, &report.run_id, control())
        .await
        .unwrap();
    assert_eq!(resumed.counts.succeeded, 1, "{resumed:?}");
    assert_eq!(training.events(&id, "sessionsRevoked").await, 2);
    let revokes = actions_of(&desk, ActionKind::RevokeSessions);
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0].status, ActionStatus::Succeeded);
    assert_eq!(
        revokes[0].attempts, 2,
        "sent again after it was seen not done"
    );
}

/// The other way round, with the clock skipped too: a bulk revoke that arrived but whose answer
/// was lost is confirmed on resume and not sent again.
#[tokio::test]
async fn after_skipping_30_days_a_bulk_revoke_that_arrived_is_not_sent_again() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("leaver-today");
    training.advance(json!({"days": 30})).await;
    let file = format!("upn\n{upn}\n");
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    training
        .fault(json!({"pathPrefix": "/users", "method": "POST", "applyThenDrop": 1}))
        .await;
    let report = bulk::run(&desk, &plan, control()).await.unwrap();
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    assert_eq!(report.counts.unknown, 1, "{report:?}");

    let resumed = bulk::resume(&desk, &report.run_id, control())
        .await
        .unwrap();
    assert_eq!(resumed.counts.unknown, 0, "{resumed:?}");
    assert_eq!(resumed.counts.failed, 0, "{resumed:?}");
    assert_eq!(training.events(&id, "sessionsRevoked").await, 1);
    let revokes = actions_of(&desk, ActionKind::RevokeSessions);
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0].status, ActionStatus::Succeeded);
    assert_eq!(revokes[0].attempts, 1);
}

/// Item 6: a `Retry-After` that is huge, negative, an exponent or an HTTP-date — on a plain
/// answer and inside `$batch` — never panics; a huge one is clamped to five minutes (beyond the
/// retry budget, so it is reported at once, not waited for).
#[tokio::test]
async fn hostile_retry_after_values_never_panic() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let graph = desk.graph();
    let (id, _) = training.person("obrien");

    for junk in [
        "1e308",
        "-5",
        "NaN",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "soon",
    ] {
        training
            .fault(json!({"pathPrefix": "/users", "method": "GET", "throttleBurst": 1, "retryAfterHeader": junk}))
            .await;
        let user = graph.get_user(&id).await;
        assert_eq!(user.unwrap().id, id, "{junk}: retried after a backoff");
    }

    training
        .fault(json!({"pathPrefix": "/users", "method": "GET", "throttleBurst": 1, "retryAfterHeader": "99999999999"}))
        .await;
    let error = graph.get_user(&id).await.unwrap_err();
    assert!(
        matches!(error, entra_client::Error::Throttled { retry_after: Some(d), .. } if d == Duration::from_secs(300)),
        "{error:?}"
    );

    // The same inside a `$batch`: the inner 429 carries the header.
    training
        .fault(json!({"pathPrefix": "/users", "method": "GET", "throttleBurst": 1, "retryAfterHeader": "1e308"}))
        .await;
    let read = || {
        vec![GraphRequest::new(
            Method::GET,
            graph.url(ApiVersion::V1, &["users", &id], &[]),
            Operation::ReadUsers,
        )]
    };
    let answers = graph.batch(read()).await.unwrap();
    assert_eq!(answers[0].as_ref().unwrap().status, 200);
    training
        .fault(json!({"pathPrefix": "/users", "method": "GET", "throttleBurst": 1, "retryAfterHeader": "99999999999"}))
        .await;
    let answers = graph.batch(read()).await.unwrap();
    assert!(
        matches!(&answers[0], Err(entra_client::Error::Throttled { retry_after: Some(d), .. }) if *d == Duration::from_secs(300)),
        "{answers:?}"
    );
}

/// A restart is a POST whose effect cannot be read back with certainty: after a lost answer it
/// is not sent again; the step says "check by hand" and the journal keeps it as unknown, once.
#[tokio::test]
async fn a_restart_whose_answer_is_lost_is_left_to_check_not_sent_twice() {
    let training = Training::start().await;
    let desk = training.desk(common::APP_ADMIN).await;
    let preview = playbooks::restart::preview(&desk, "Floorplan", None, None)
        .await
        .unwrap();
    training
        .fault(json!({"pathPrefix": "/servicePrincipals", "method": "POST", "applyThenDrop": 1}))
        .await;
    let (events, _keep) = mpsc::channel(64);
    let result = playbooks::restart::run(&desk, &preview, None, &events)
        .await
        .unwrap();
    assert_eq!(training.drops_left().await, 0, "the answer was dropped");
    assert!(
        matches!(&result.steps[0].outcome, StepOutcome::Unknown { because } if because.contains("answer was lost")),
        "{:?}",
        result.steps
    );
    let restarts = actions_of(&desk, ActionKind::RestartJob);
    assert_eq!(restarts.len(), 1);
    assert_eq!(restarts[0].status, ActionStatus::Unknown);
    assert_eq!(restarts[0].attempts, 1);
}
