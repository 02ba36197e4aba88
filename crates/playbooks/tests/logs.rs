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

/// The logs screen's cache: one reading holds the window's entries, a refresh after the next
/// round adds only the new ones, and filters answer from memory.
#[tokio::test]
async fn the_cache_reads_once_and_a_refresh_adds_only_newer_entries() {
    use playbooks::logs::cache::{read_into, CacheFilter, SharedLogCache};

    let training = after_a_round().await;
    let desk = training.desk("Reports Reader").await;
    let from = desk.connection().tenant_now().await - Duration::days(7);
    let cache = SharedLogCache::new();
    let plan = cache.lock().plan(from, false).unwrap();
    let mut pages = Vec::new();
    let read = read_into(&desk, &cache, plan, |held| pages.push(held))
        .await
        .unwrap();
    assert!(read > 0);
    assert_eq!(pages.last(), Some(&read), "progress ends at what is held");
    assert_eq!(
        cache.lock().plan(from, false),
        None,
        "the window is covered"
    );
    let everything = search(&desk, &last_month()).await.unwrap();
    assert_eq!(read, everything.len(), "the same entries as a search");

    // A change for the next round to carry: the leaver is turned off.
    let (leaver, _) = training.person("leaver-today");
    let admin = training.desk(common::GLOBAL_ADMIN).await;
    admin
        .graph()
        .set_account_enabled(&leaver, false)
        .await
        .unwrap();
    training.advance(json!({"minutes": 41})).await;
    let refresh = cache.lock().plan(from, true).unwrap();
    assert!(refresh.since > Some(from), "{refresh:?}");
    let added = read_into(&desk, &cache, refresh, |_| {}).await.unwrap();
    let after = search(&desk, &last_month()).await.unwrap();
    assert!(
        added > 0,
        "read {read}, added {added}, after {}, {refresh:?}",
        after.len()
    );
    assert_eq!(
        read + added,
        after.len(),
        "nothing read twice, nothing missed"
    );

    let (rehired, upn) = training.person("rehired");
    let held = cache.lock();
    let by_upn = held.window(
        &CacheFilter {
            person: Some(upn),
            ..Default::default()
        },
        0,
        1_000,
    );
    assert!(by_upn.total > 0);
    assert!(by_upn
        .lines
        .iter()
        .all(|l| l.person_id.as_deref() == Some(rehired.as_str())));
}

/// The playbooks' "latest entries" are the newest ones although the tenant, asked nothing
/// about order, answers oldest first (Microsoft does not document a default order).
#[tokio::test]
async fn the_latest_entries_are_the_newest_whatever_the_default_order() {
    let training = after_a_round().await;
    let (leaver, _) = training.person("leaver-today");
    let admin = training.desk(common::GLOBAL_ADMIN).await;
    admin
        .graph()
        .set_account_enabled(&leaver, false)
        .await
        .unwrap();
    training.advance(json!({"minutes": 41})).await;
    let desk = training.desk("Reports Reader").await;
    let everything = search(&desk, &last_month()).await.unwrap();
    let newest = everything[0].when;
    assert!(
        everything.last().unwrap().when < newest,
        "entries of two rounds"
    );

    let since = desk.connection().tenant_now().await - Duration::days(30);
    let latest = playbooks::logs::entries_since(&desk, &Default::default(), Some(since), 5)
        .await
        .unwrap();
    let newest_five: Vec<_> = everything[..5].iter().map(|l| l.when).collect();
    assert_eq!(newest_five[0], newest);
    assert_eq!(
        latest
            .iter()
            .map(|e| e.activity_date_time)
            .collect::<Vec<_>>(),
        newest_five,
        "the five newest entries, newest first"
    );
    let recent = search(
        &desk,
        &LogSearch {
            limit: 5,
            ..last_month()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        recent.iter().map(|l| l.when).collect::<Vec<_>>(),
        newest_five
    );
}
