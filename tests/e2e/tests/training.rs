//! Training mode: the band's clock controls change the training tenant for real — skipping 30
//! days permanently deletes the people whose 30 days in the recycle bin run out — and reset
//! puts everything back.

use provisioning_desk_e2e::{audit, App};

#[tokio::test(flavor = "multi_thread")]
async fn skip_30_days_permanently_deletes_nora_and_reset_brings_her_back() {
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    let clock = app.text("[data-testid=training-clock]").await;
    assert!(!clock.contains("days ahead"), "fresh clock: {clock}");

    app.click("[data-testid=skip-30-days]").await;
    let message = app
        .wait_for_text("[data-testid=training-message]", "permanently deleted")
        .await;
    // Nora (deleted 29 days ago) and Riley (12 days ago) both reach their 30 days (and Tomas,
    // deleted 5 days ago, too).
    assert!(message.contains("Nora Nearlygone"), "{message}");
    assert!(message.contains("Riley Recycle"), "{message}");
    app.wait_for_text("[data-testid=training-clock]", "30 days ahead")
        .await;

    // Skipping again: the recycle bin is empty now.
    app.click("[data-testid=skip-30-days]").await;
    app.wait_for_text("[data-testid=training-message]", "Nobody's 30 days")
        .await;
    app.wait_for_text("[data-testid=training-clock]", "60 days ahead")
        .await;

    app.click("[data-testid=reset-training]").await;
    app.click("[data-testid=confirm-reset]").await;
    app.wait_for_text("[data-testid=training-message]", "back as it was")
        .await;
    let clock = app.text("[data-testid=training-clock]").await;
    assert!(!clock.contains("days ahead"), "after reset: {clock}");
    app.click("[data-testid=skip-30-days]").await;
    app.wait_for_text("[data-testid=training-message]", "Nora Nearlygone")
        .await;

    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.close().await;
}
