//! Playbook 3 end to end for a quarantined app (Expensely, whose token expired): restarting
//! before the cause is fixed only sends the job back into quarantine; once the trainer renews the
//! token, a restart with the recommended scope (QuarantineState) lets the next round succeed.

mod common;

use std::time::Duration;

use common::{Training, APP_ADMIN};
use playbooks::journal::{ActionFilter, ActionKind, ActionStatus};
use playbooks::plan::StepOutcome;
use playbooks::restart::{self, RestartPreview, RestartResult, RoundAfterRestart, ScopeChoice};
use playbooks::Desk;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

async fn restart_now(desk: &Desk) -> (RestartPreview, RestartResult) {
    let preview = restart::preview(desk, "Expensely", None, None)
        .await
        .unwrap();
    let (events, _keep) = mpsc::channel(64);
    let result = restart::run(desk, &preview, None, &events).await.unwrap();
    assert!(
        matches!(result.steps[0].outcome, StepOutcome::Succeeded { .. }),
        "{result:?}"
    );
    (preview, result)
}

async fn next_round(
    training: &Training,
    desk: &Desk,
    preview: &RestartPreview,
    result: &RestartResult,
) -> RoundAfterRestart {
    training.advance(json!({"minutes": 41})).await;
    let watching = restart::watch(
        desk,
        preview,
        result,
        Duration::from_millis(20),
        CancellationToken::new(),
    );
    tokio::time::timeout(Duration::from_secs(30), watching)
        .await
        .expect("a round after the restart")
        .unwrap()
        .expect("not cancelled")
}

#[tokio::test]
async fn a_restart_clears_expenselys_quarantine_once_the_token_is_renewed() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;

    let preview = restart::preview(&desk, "Expensely", None, None)
        .await
        .unwrap();
    assert_eq!(preview.sync.job_status.as_deref(), Some("Quarantine"));
    assert_eq!(preview.recommended, ScopeChoice::Quarantine);
    assert_eq!(preview.chosen, ScopeChoice::Quarantine);
    assert!(
        preview.recommendation.contains("fix the cause"),
        "{}",
        preview.recommendation
    );

    // Restarting without fixing the token: the next round fails and the job is quarantined again.
    // (The restart comes at the instant of the tenant's first round: the watch still tells the
    // next round from that one.)
    let (preview, result) = restart_now(&desk).await;
    let round = next_round(&training, &desk, &preview, &result).await;
    assert_ne!(round.state, "Succeeded", "{round:?}");
    // Why, quoted from the job's last round: the token is still refused.
    assert!(
        round
            .summary
            .contains("Expensely no longer accepts the secret token"),
        "{}",
        round.summary
    );
    assert_eq!(
        round.sync.job_status.as_deref(),
        Some("Quarantine"),
        "{round:?}"
    );

    // The trainer (the app's owner) issues a new token and saves it in the provisioning settings.
    training
        .control(
            reqwest::Method::POST,
            "scim-apps/expensely/renew-token",
            Value::Null,
        )
        .await;
    let (preview, result) = restart_now(&desk).await;
    let round = next_round(&training, &desk, &preview, &result).await;
    assert_eq!(round.state, "Succeeded", "{round:?}");
    assert_eq!(
        round.sync.job_status.as_deref(),
        Some("Active"),
        "{round:?}"
    );
    assert!(
        round
            .summary
            .contains("completed a sync round after the restart"),
        "{}",
        round.summary
    );

    // The app answered this time.
    let requests: Value = training
        .http
        .get(format!("{}/_training/scim-requests", training.base()))
        .query(&[("app", "expensely")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let requests = requests["value"].as_array().cloned().unwrap_or_default();
    let created_after_renewal = requests
        .iter()
        .filter(|r| r["method"] == "POST" && r["status"] == 201)
        .count();
    assert!(
        created_after_renewal > 0,
        "{} requests, none created an account",
        requests.len()
    );

    // The journal: two restarts, each with the quarantine scope, both answered.
    let actions = desk.journal().actions(&ActionFilter::default()).unwrap();
    assert_eq!(actions.len(), 2, "{actions:?}");
    for action in &actions {
        assert_eq!(action.kind, ActionKind::RestartJob);
        assert_eq!(action.status, ActionStatus::Succeeded);
        assert!(
            action.request_summary.contains("QuarantineState"),
            "{}",
            action.request_summary
        );
        assert_eq!(action.target.display_name, "Expensely");
    }
}
