//! The tenant's apps with account sync, on a tenant with thousands of enterprise apps: progress
//! is reported as the apps are checked, and one app whose sync cannot be read (a 500 from
//! Graph) is listed as such instead of ending the list (issue 10 item 9).

mod common;

use common::{Training, GLOBAL_ADMIN};
use playbooks::app_sync::{tenant_apps, AppsProgress};
use serde_json::json;

#[tokio::test]
async fn three_thousand_apps_are_checked_with_progress_and_one_error_does_not_end_the_list() {
    let training = Training::start_with(training_tenant::Options {
        extra_apps: Some(3000),
        ..Default::default()
    })
    .await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let scenario = training
        .control(reqwest::Method::GET, "scenario", json!(null))
        .await;
    let badgeway = scenario["scimApps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["displayName"] == "Badgeway")
        .unwrap()["servicePrincipalId"]
        .as_str()
        .unwrap()
        .to_string();
    training
        .control(
            reqwest::Method::POST,
            "faults",
            json!({
                "pathPrefix": format!("/servicePrincipals/{badgeway}/synchronization/jobs"),
                "method": "GET",
                "errorRate": 1.0,
                "status": 500,
            }),
        )
        .await;

    let mut seen: Vec<AppsProgress> = Vec::new();
    let apps = tenant_apps(&desk, &mut |p| seen.push(p)).await.unwrap();

    let total = seen.last().unwrap().total;
    assert!(total >= 3006, "every enterprise app is counted: {total}");
    assert_eq!(seen.first().unwrap().checked, 0);
    assert_eq!(
        seen.last().unwrap().checked,
        total,
        "the last report says all were checked"
    );
    assert!(
        seen.len() > 10,
        "progress is reported along the way: {}",
        seen.len()
    );
    assert!(seen.windows(2).all(|w| w[0].checked <= w[1].checked));

    let names: Vec<&str> = apps.iter().map(|a| a.app.display_name.as_str()).collect();
    assert_eq!(names.len(), 7, "only the apps with sync: {names:?}");
    let broken = apps
        .iter()
        .find(|a| a.app.display_name == "Badgeway")
        .unwrap();
    assert!(broken
        .cannot_read
        .as_deref()
        .is_some_and(|why| why.starts_with("could not be read: ")));
    assert!(apps
        .iter()
        .filter(|a| a.app.display_name != "Badgeway")
        .all(|a| a.cannot_read.is_none() && a.job_id.is_some()));
}
