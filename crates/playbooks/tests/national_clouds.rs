//! A training tenant standing in for a 21Vianet (China) tenant: what Microsoft does not
//! document there (provision on demand, provisioning logs: entra-client `features`) is
//! explained and never sent.

mod common;

use chrono::Duration;
use common::{Training, GLOBAL_ADMIN};
use entra_client::NationalCloud;
use playbooks::journal::{ActionFilter, ActionKind};
use playbooks::logs::cache::{read_into, SharedLogCache};
use playbooks::logs::{search, LogSearch};
use playbooks::plan::{StepOutcome, UserFacingError};
use playbooks::reactivate;
use serde_json::json;
use tokio::sync::mpsc;

async fn in_china() -> Training {
    let training = Training::start().await;
    Training {
        connection: training
            .connection
            .standing_in_for(NationalCloud::China)
            .expect("the same training tenant"),
        http: training.http,
    }
}

#[tokio::test]
async fn reactivate_in_21vianet_says_sync_now_is_not_offered_and_never_sends_it() {
    // In the global cloud the same person gets a "sync now" step per synced app.
    let global = Training::start().await;
    global.advance(json!({"minutes": 41})).await;
    let (_, upn) = global.person("intern-returning");
    let preview = reactivate::preview(&global.desk(GLOBAL_ADMIN).await, &upn)
        .await
        .unwrap();
    assert!(preview
        .plan
        .steps
        .iter()
        .any(|s| s.id.starts_with("sync_now:")));

    let training = in_china().await;
    training.advance(json!({"minutes": 41})).await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    assert!(
        !preview
            .plan
            .steps
            .iter()
            .any(|s| s.id.starts_with("sync_now:")),
        "{:?}",
        preview.plan.steps
    );
    assert!(
        preview.plan.warnings.iter().any(|w| w.contains(
            "Microsoft does not offer sync now for one person (provision on demand) in the China cloud operated by 21Vianet"
        ) && w.contains("next sync round")),
        "{:?}",
        preview.plan.warnings
    );

    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    let sync_now: Vec<_> = result
        .steps
        .iter()
        .filter(|s| s.step_id.starts_with("sync_now:"))
        .collect();
    assert!(!sync_now.is_empty(), "{:?}", result.steps);
    for step in sync_now {
        match &step.outcome {
            StepOutcome::Skipped { because } => {
                assert!(because.contains("does not offer"), "{because}")
            }
            other => panic!("{}: {other:?}", step.step_id),
        }
    }
    let sent = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActionKind::ProvisionOnDemand)
        .count();
    assert_eq!(sent, 0, "nothing is sent for provision on demand");
}

#[tokio::test]
async fn the_logs_in_21vianet_are_explained_as_not_offered() {
    let training = in_china().await;
    let desk = training.desk("Reports Reader").await;
    let error = search(
        &desk,
        &LogSearch {
            window: Duration::hours(24),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    let shown = UserFacingError::from(&error);
    assert_eq!(shown.code, "not_in_this_cloud");
    assert_eq!(
        shown.message,
        "Microsoft does not offer the provisioning logs in the China cloud operated by 21Vianet."
    );
    assert!(shown.hint.contains("in the app itself"), "{}", shown.hint);

    let cache = SharedLogCache::new();
    let from = desk.connection().tenant_now().await - Duration::days(7);
    let plan = cache.lock().plan(from, false).unwrap();
    let error = read_into(&desk, &cache, plan, |_| {}).await.unwrap_err();
    assert_eq!(error.code(), "not_in_this_cloud");
}
