//! Playbook 3 — restart or reset sync for an app: the symptom "wrong or stale link" makes Full
//! the recommendation; Full is heavy, so it needs the app's name typed before the button works.

use fantoccini::Locator;
use provisioning_desk_e2e::{audit, App};

#[tokio::test(flavor = "multi_thread")]
async fn full_reset_of_floorplan_needs_its_name_typed_and_reports_the_job_after() {
    let app = App::start().await;
    app.sign_in_as("appadmin").await;
    app.click("[data-testid=start-restart]").await;
    app.wait_for_text("main h1", "Restart an app's account sync")
        .await;
    app.type_into("[data-testid=app-name]", "Floorplan").await;
    app.click("[data-testid=symptom-wrong_or_stale_link]").await;
    app.click("[data-testid=next]").await;

    let recommendation = app
        .wait_for_text("[data-testid=recommendation]", "We recommend")
        .await;
    assert!(recommendation.contains("from scratch"), "{recommendation}");
    app.wait_for(Locator::Css("[data-testid=typed-confirmation]"))
        .await;
    let confirm = app.wait_for(Locator::Css("[data-testid=confirm]")).await;
    assert_eq!(
        confirm.prop("disabled").await.unwrap().as_deref(),
        Some("true"),
        "a Full reset must not run before the name is typed"
    );
    app.type_into("[data-testid=typed-confirmation]", "floorplan")
        .await;
    assert_eq!(
        confirm.prop("disabled").await.unwrap().as_deref(),
        Some("true"),
        "a near miss is not consent"
    );
    app.client
        .find(Locator::Css("[data-testid=typed-confirmation]"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    app.type_into("[data-testid=typed-confirmation]", "Floorplan")
        .await;
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the confirmation: {violations:#?}"
    );
    app.screenshot("restart-confirm").await;
    app.click("[data-testid=confirm]").await;

    let changed = app
        .wait_for_text("[data-testid=result-changed]", "Floorplan")
        .await;
    let verified = app.text("[data-testid=result-verified]").await;
    assert!(
        verified.contains("after the restart"),
        "{verified}\n{changed}"
    );
    let pending = app.text("[data-testid=result-pending]").await;
    assert!(pending.contains("next sync round"), "{pending}");
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(summary.contains("reset scope Full"), "{summary}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("restart").await;
    app.close().await;
}

/// Playbook 3 to its verified end: Expensely is paused because its token expired. The token is
/// renewed (what the app's administrator does), the quarantine cleared, and the result screen
/// waits for the next round; once the trainer runs it, the screen says the round completed and
/// the job is no longer in quarantine.
#[tokio::test(flavor = "multi_thread")]
async fn after_clearing_expenselys_quarantine_the_screen_follows_the_next_round() {
    let app = App::start().await;
    app.sign_in_as("appadmin").await;
    app.click("[data-testid=start-restart]").await;
    app.type_into("[data-testid=app-name]", "Expensely").await;
    app.click("[data-testid=symptom-quarantined]").await;
    app.click("[data-testid=next]").await;

    let state = app
        .wait_for_text("[data-testid=job-state]", "Expensely")
        .await;
    assert!(state.contains("quarantine"), "{state}");
    let recommendation = app.text("[data-testid=recommendation]").await;
    assert!(
        recommendation.contains("Clear the pause"),
        "{recommendation}"
    );
    app.click("[data-testid=renew-token]").await;
    app.wait_for_text("[data-testid=training-fix-message]", "new token")
        .await;
    let chosen = app
        .wait_for(Locator::Css("[data-testid=scope-quarantine]"))
        .await;
    assert_eq!(
        chosen.prop("checked").await.unwrap().as_deref(),
        Some("true"),
        "the recommended scope is chosen"
    );
    app.click("[data-testid=confirm]").await;

    let waiting = app
        .wait_for_text(
            "[data-testid=next-round]",
            "Waiting for the next sync round",
        )
        .await;
    assert!(waiting.contains("Expected"), "{waiting}");
    let pending = app.text("[data-testid=result-pending]").await;
    assert!(pending.contains("next sync round"), "{pending}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core while waiting for the round: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("restart-waiting").await;

    app.click("[data-testid=run-cycle]").await;
    let outcome = app
        .wait_for_text(
            "[data-testid=next-round-outcome]",
            "completed a sync round after the restart",
        )
        .await;
    assert!(outcome.contains("Expensely"), "{outcome}");
    let job = app.text("[data-testid=next-round-job]").await;
    assert!(!job.contains("quarantine"), "{job}");
    assert!(job.contains("running"), "{job}");
    let verified = app.text("[data-testid=result-verified]").await;
    assert!(
        verified.contains("completed a sync round"),
        "the ticket's checks include the round: {verified}"
    );
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(summary.contains("completed a sync round"), "{summary}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the round's outcome: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("restart-round").await;
    app.close().await;
}
