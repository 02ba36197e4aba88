//! The provisioning logs: after a sync round, the screen reads the entries once (a progress line
//! says how many) and filters them at once by app and person, each explained in plain words with
//! its status as colour + icon + word; the list works from the keyboard; a hostile display name
//! is shown as text; "Refresh" reads the entries of a later round.

use fantoccini::{key::Key, Locator};
use provisioning_desk_e2e::{audit, App};
use serde_json::json;

mod support;
use support::tenant::Tenant;

const HOSTILE: &str = "<img src=x onerror=alert(1)>";
const HOSTILE_UPN: &str = "hostile.name@contoso-training.onmicrosoft.com";

/// The number in "All 1,234 entries of the last … are here".
async fn entries_held(app: &App) -> u64 {
    let line = app
        .wait_for_text("[data-testid=logs-progress]", "are here")
        .await;
    line.split_whitespace()
        .nth(1)
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no count in {line:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_round_of_floorplan_reads_in_plain_words() {
    let app = App::start().await;
    // The reports reader may read the logs (and change nothing).
    app.sign_in_as("reports").await;
    app.click("[data-testid=run-cycle]").await;
    app.wait_for_text("[data-testid=training-message]", "The next sync round ran")
        .await;
    app.click("[data-testid=nav-logs]").await;
    app.wait_for_text("main h1", "Provisioning logs").await;
    // One reading of the last 7 days, then every filter answers from it.
    assert!(entries_held(&app).await > 0);
    app.client
        .find(Locator::Css("[data-testid=logs-hours]"))
        .await
        .unwrap()
        .select_by_value("720")
        .await
        .unwrap();
    app.wait_for_text("[data-testid=logs-progress]", "last 30 days are here")
        .await;
    let held = entries_held(&app).await;
    // Typing filters at once: no button, no reading.
    app.type_into("[data-testid=app-name]", "Floorplan").await;
    app.wait_for_text("[data-testid=logs-count]", "for Floorplan")
        .await;
    let count = app.text("[data-testid=logs-count]").await;
    let rows = app.text_contents("[data-testid=log-row]").await;
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row.contains("Floorplan"), "{count}: {row}");
        assert!(
            ["Success", "Skipped", "Failed", "Warning"]
                .iter()
                .any(|w| row.contains(w)),
            "a status without its word: {row}"
        );
    }
    // Keyboard: the list takes the arrow keys and the detail follows.
    let first = app.text("[data-testid=log-detail]").await;
    app.client
        .find(Locator::Css("[data-testid=log-list]"))
        .await
        .unwrap()
        .send_keys(&format!("{}", char::from(Key::Down)))
        .await
        .unwrap();
    let selected = app
        .client
        .find(Locator::Css("[data-testid=log-list]"))
        .await
        .unwrap()
        .attr("aria-activedescendant")
        .await
        .unwrap();
    assert_eq!(selected.as_deref(), Some("log-1"), "{first}");
    // Filter by person as well; the hostile display name is text, not markup.
    app.type_into("[data-testid=logs-person]", HOSTILE_UPN)
        .await;
    app.wait_for_text("[data-testid=logs-count]", "about hostile.name")
        .await;
    let rows = app.text_contents("[data-testid=log-row]").await;
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.contains(HOSTILE)),
        "the person named {HOSTILE} in Floorplan's round: {rows:#?}"
    );
    assert!(app
        .client
        .find_all(Locator::Css("main img"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        entries_held(&app).await,
        held,
        "filters read nothing from the tenant"
    );

    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.screenshot("logs").await;

    // Another round turns the person off in their apps; "Refresh" reads just those entries.
    let shown_before = app.text("[data-testid=logs-count]").await;
    let tenant = Tenant::of_running_app().await;
    let token = tenant.automation_token().await;
    let (status, person) = tenant
        .graph(
            &token,
            "GET",
            &format!("/v1.0/users/{HOSTILE_UPN}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 200, "{person}");
    let id = person["id"].as_str().unwrap_or_default();
    let (status, answer) = tenant
        .graph(
            &token,
            "PATCH",
            &format!("/v1.0/users/{id}"),
            json!({"accountEnabled": false}),
        )
        .await;
    assert!((200..300).contains(&status), "{answer}");
    tenant.post("provisioning/run", json!({})).await;
    app.click("[data-testid=logs-refresh]").await;
    // Wait for the refresh to end: the count changes from the one before.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let mut after = entries_held(&app).await;
    while after == held && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        after = entries_held(&app).await;
    }
    assert!(
        after > held,
        "the refresh added the new round: {held} → {after}"
    );
    let shown_after = app.text("[data-testid=logs-count]").await;
    assert_ne!(
        shown_before, shown_after,
        "the person's new entries are listed"
    );
    app.close().await;
}
