//! A person synced from on-premises Active Directory: offboarding here alone is undone by the
//! next directory sync, so the preview warns and the ticket lists disabling them on-premises
//! (entra-docs `identity/users/users-revoke-access.md`, hybrid environment; graph-api.md §11.8).

mod common;

use common::{Training, HELPDESK};
use playbooks::offboard::{self, Departure};
use playbooks::reactivate;
use serde_json::json;
use tokio::sync::mpsc;

#[tokio::test]
async fn offboarding_a_synced_person_warns_and_the_ticket_says_disable_on_premises() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("synced-leaver");

    let preview = offboard::preview(&desk, &upn, Departure::Permanent)
        .await
        .unwrap();
    assert!(preview.person.synced_from_on_premises);
    assert!(
        preview
            .plan
            .warnings
            .iter()
            .any(|w| w.contains("synced from your on-premises directory")
                && w.contains("undone at the next directory sync")
                && w.contains("on-premises Active Directory is disabled too")),
        "{:?}",
        preview.plan.warnings
    );

    let (events, mut received) = mpsc::channel(64);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    drop(events);
    while received.recv().await.is_some() {}
    assert!(
        result.next.first().is_some_and(|n| n.contains(
            "Disable Hanna Weber's account in your on-premises Active Directory, or sign-in comes back at the next directory sync, within about 30 minutes"
        )),
        "{:?}",
        result.next
    );

    // What the warning is about: without the on-premises step, the sync turns sign-in back on.
    training.advance(json!({ "minutes": 30 })).await;
    assert_eq!(
        desk.graph().get_user(&id).await.unwrap().account_enabled,
        Some(true)
    );
}

#[tokio::test]
async fn a_cloud_only_person_gets_no_on_premises_warning() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (_, upn) = training.person("leaver-today");
    let preview = offboard::preview(&desk, &upn, Departure::Temporary)
        .await
        .unwrap();
    assert!(!preview.person.synced_from_on_premises);
    assert!(!preview
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("on-premises")));
}

#[tokio::test]
async fn reactivating_a_synced_person_says_enable_them_on_premises_too() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (id, upn) = training.person("synced-leaver");
    // Offboarded the right way: off in Entra and in on-premises AD.
    desk.graph().set_account_enabled(&id, false).await.unwrap();
    training
        .control(
            reqwest::Method::POST,
            "on-premises/disable",
            json!({ "user": upn }),
        )
        .await;
    training.advance(json!({ "minutes": 30 })).await;

    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    assert!(
        preview
            .plan
            .warnings
            .iter()
            .any(|w| w.contains("synced from your on-premises directory")
                && w.contains("stays disabled")),
        "{:?}",
        preview.plan.warnings
    );
}
