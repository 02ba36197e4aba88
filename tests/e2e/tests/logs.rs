//! The provisioning logs: after a sync round, entries by app, each explained in plain words with
//! its status as colour + icon + word; the list works from the keyboard; a hostile display name
//! is shown as text.

use fantoccini::{key::Key, Locator};
use provisioning_desk_e2e::{audit, App};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

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
    app.type_into("[data-testid=app-name]", "Floorplan").await;
    app.client
        .find(Locator::Css("[data-testid=logs-hours]"))
        .await
        .unwrap()
        .select_by_value("720")
        .await
        .unwrap();
    app.click("[data-testid=logs-search]").await;
    app.wait_for_text("[data-testid=logs-count]", "entries")
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
    app.type_into(
        "[data-testid=logs-person]",
        "hostile.name@contoso-training.onmicrosoft.com",
    )
    .await;
    app.click("[data-testid=logs-search]").await;
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

    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.screenshot("logs").await;
    app.close().await;
}
