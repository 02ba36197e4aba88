//! `playbooks::logs::search` (the logs screen and `provdesk logs`) against the training tenant
//! after a sync round: the chosen app's entries only, newest first, each once; the person and
//! status filters; an unknown app named as such.

mod common;

use std::collections::BTreeSet;

use chrono::Duration;
use common::Training;
use playbooks::logs::{search, LogSearch};
use serde_json::json;

async fn after_a_round() -> Training {
    let training = Training::start().await;
    training.advance(json!({"minutes": 41})).await;
    training
}

fn last_month() -> LogSearch {
    LogSearch {
        window: Duration::hours(720),
        limit: 5_000,
        ..Default::default()
    }
}

#[tokio::test]
async fn entries_are_those_of_the_chosen_app_newest_first() {
    let training = after_a_round().await;
    let desk = training.desk("Reports Reader").await;
    let lines = search(
        &desk,
        &LogSearch {
            app: Some(" Floorplan ".into()),
            ..last_month()
        },
    )
    .await
    .unwrap();
    assert!(!lines.is_empty());
    let apps: BTreeSet<_> = lines.iter().map(|l| l.app_name.clone()).collect();
    assert_eq!(apps, BTreeSet::from([Some("Floorplan".to_string())]));
    assert!(lines.windows(2).all(|w| w[0].when >= w[1].when));
    let ids: BTreeSet<_> = lines.iter().map(|l| &l.id).collect();
    assert_eq!(ids.len(), lines.len(), "log entry ids are unique");
    assert!(lines.iter().all(|l| !l.plain.is_empty()));
}

#[tokio::test]
async fn a_persons_failures_in_plain_words() {
    let training = after_a_round().await;
    // Two rounds: the re-hired person's create in Timesheets fails with a duplicate every time.
    training.advance(json!({"minutes": 41})).await;
    let desk = training.desk("Reports Reader").await;
    let (rehired, upn) = training.person("rehired");
    let failed = search(
        &desk,
        &LogSearch {
            person: Some(upn),
            status: Some("failure".into()),
            ..last_month()
        },
    )
    .await
    .unwrap();
    assert!(!failed.is_empty());
    for line in &failed {
        assert_eq!(line.status, "Failed", "{line:?}");
        assert_eq!(
            line.person_id.as_deref(),
            Some(rehired.as_str()),
            "{line:?}"
        );
        assert!(line.fix.is_some(), "{line:?}");
    }
    let everything = search(&desk, &last_month()).await.unwrap();
    assert!(everything.len() > failed.len());
}

#[tokio::test]
async fn an_unknown_app_is_named() {
    let training = after_a_round().await;
    let desk = training.desk("Reports Reader").await;
    let error = search(
        &desk,
        &LogSearch {
            app: Some("Nosuchapp".into()),
            ..last_month()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), "app_not_found", "{error}");
    assert!(error.to_string().contains("Nosuchapp"), "{error}");
}
