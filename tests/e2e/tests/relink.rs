//! Playbook 7 — Re-link one person, the Project Insight story (issue 11): Project Insight
//! soft-deleted Marisol Quintero's account and keeps answering `active:false` for it, so Entra
//! keeps linking her to it and never gives her a working account. Restart's symptom chooser
//! leads to Re-link (one person, not everyone); the wizard shows the stored link, what the app
//! answered and why, then pauses sync, forgets the one link, syncs her now and starts sync again.

use provisioning_desk_e2e::{audit, App};

/// The app account id in "… to the account {id} in Project Insight".
fn account_in(text: &str) -> String {
    let after = text
        .split("the account ")
        .nth(1)
        .unwrap_or_else(|| panic!("no account named in {text:?}"));
    after
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn marisol_is_relinked_in_project_insight_without_a_restart() {
    let app = App::start().await;
    app.sign_in_as("Application Administrator").await;

    // Restart's symptom chooser: "the app keeps using an old account" leads to Re-link.
    app.click("[data-testid=start-restart]").await;
    app.wait_for_text("main h1", "Restart an app's account sync")
        .await;
    app.type_into("[data-testid=app-name]", "Project Insight")
        .await;
    app.click("[data-testid=symptom-wrong_or_stale_link]").await;
    app.click("[data-testid=next]").await;
    app.wait_for_text("[data-testid=relink-first]", "Re-link them instead")
        .await;
    let reach = app.text("[data-testid=recommendation]").await;
    assert!(
        reach.contains("Re-link: 1 person · Restart: a full cycle over"),
        "{reach}"
    );
    app.click("[data-testid=go-relink]").await;
    app.wait_for_text("main h1", "Re-link one person").await;

    app.type_into("[data-testid=person-query]", "Marisol Quintero")
        .await;
    app.click("[data-testid=person-search]").await;
    app.wait_for_text(".person-results", "Marisol Quintero")
        .await;
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;

    // Preview: the stored link, the evidence, the cause, what will and will not happen.
    let link = app
        .wait_for_text(
            "[data-testid=relink-link]",
            "Entra links Marisol Quintero to the account",
        )
        .await;
    let old = account_in(&link);
    let cause = app.text("[data-testid=relink-cause-text]").await;
    assert!(
        cause.contains("keeps answering for it as inactive"),
        "{cause}"
    );
    let evidence = app.texts("[data-testid=relink-evidence-line]").await;
    assert!(!evidence.is_empty(), "the logs are quoted as evidence");
    let will = app.text("[data-testid=will-happen]").await;
    for step in [
        "Pause sync for Project Insight",
        "Forget the link between Marisol Quintero",
        "Sync Marisol Quintero to Project Insight now",
        "Start sync for Project Insight again",
    ] {
        assert!(will.contains(step), "{step} in {will}");
    }
    let will_not = app.text("[data-testid=will-not-happen]").await;
    assert!(will_not.contains("No account is deleted"), "{will_not}");
    let why = app.text(".why-panel").await;
    assert_eq!(
        why.matches("preview (beta) API").count(),
        1,
        "said once in the Why? panel: {why}"
    );
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the preview: {violations:#?}"
    );
    app.screenshot("relink-preview").await;

    app.click("[data-testid=confirm]").await;
    let verified = app
        .wait_for_text(
            "[data-testid=result-verified]",
            "is now linked to the account",
        )
        .await;
    let new = account_in(&verified);
    assert_ne!(new, old, "a new, working account — not the deleted one");
    assert!(
        verified.contains("Sync for Project Insight is running again."),
        "{verified}"
    );
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(
        summary.starts_with("Re-link one person: Marisol Quintero"),
        "{summary}"
    );
    assert!(!summary.contains("Failed:"), "{summary}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("relink-done").await;

    // Nothing is left paused: the home screen offers no sync to start again.
    app.click("[data-testid=nav-home]").await;
    app.wait_for_text("main h1", "What do you need to do?")
        .await;
    assert!(
        app.texts("[data-testid=paused-jobs]").await.is_empty(),
        "no sync left paused"
    );
    app.close().await;
}
