//! Playbook 4 — "We deleted someone and nothing happened in the app": Riley was deleted by
//! mistake 12 days ago and Floorplan still shows her. The checks run in order; the first says
//! why (a soft delete only marks the app account inactive until the permanent delete) with the fix.

use provisioning_desk_e2e::{audit, App};

#[tokio::test(flavor = "multi_thread")]
async fn riley_deleted_but_still_in_floorplan_is_explained_with_the_fix() {
    let app = App::start().await;
    app.sign_in_as("Global Administrator").await;
    app.click("[data-testid=start-diagnose]").await;
    app.wait_for_text("main h1", "still has someone").await;

    // Someone in the recycle bin is found by their user name.
    app.type_into(
        "[data-testid=person-query]",
        "riley.recycle@contoso-training.onmicrosoft.com",
    )
    .await;
    app.click("[data-testid=person-search]").await;
    let found = app.wait_for_text(".person-results", "Riley Recycle").await;
    assert!(found.contains("recycle bin"), "{found}");
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;
    app.type_into("[data-testid=app-name]", "Floorplan").await;
    app.click("[data-testid=next]").await;

    app.wait_for_text("[data-testid=verdicts]", "PD-DIAG-001")
        .await;
    let verdicts = app.texts("[data-testid=verdict]").await;
    assert!(verdicts.len() >= 5, "{verdicts:#?}");
    let first = &verdicts[0];
    assert!(first.contains("This is why"), "{first}");
    assert!(first.contains("What to do"), "{first}");
    assert!(
        verdicts.iter().any(|v| v.contains("Check yourself")),
        "the reminder the app must honour active:false: {verdicts:#?}"
    );
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(summary.contains("Riley Recycle in Floorplan"), "{summary}");
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.screenshot("diagnose").await;
    app.close().await;
}
