//! Playbook 2 — Reactivate a returning person, as PLAYBOOKS.md tells it: Ivy, last summer's
//! intern, is back. Her account is disabled: turn sign-in back on, confirm her apps are still
//! assigned, sync each app now (allowed again once she is enabled), and say what follows.

use provisioning_desk_e2e::{audit, App};

#[tokio::test(flavor = "multi_thread")]
async fn ivy_the_intern_is_welcomed_back_and_her_apps_synced_now() {
    let app = App::start().await;
    app.sign_in_as("Global Administrator").await;
    app.click("[data-testid=start-reactivate]").await;
    app.wait_for_text("main h1", "Welcome a person back").await;

    app.type_into("[data-testid=person-query]", "Ivy Intern")
        .await;
    app.click("[data-testid=person-search]").await;
    let found = app.wait_for_text(".person-results", "Ivy Intern").await;
    assert!(found.contains("Sign-in off"), "{found}");
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;

    // Preview: where she stands and what will happen, before anything changes.
    let state = app
        .wait_for_text("[data-testid=return-state]", "Sign-in off")
        .await;
    assert!(state.contains("turned back on"), "{state}");
    let will = app.text("[data-testid=will-happen]").await;
    assert!(
        will.contains("Turn sign-in back on for Ivy Intern"),
        "{will}"
    );
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the preview: {violations:#?}"
    );
    app.screenshot("reactivate-preview").await;

    app.click("[data-testid=confirm]").await;
    let changed = app
        .wait_for_text(
            "[data-testid=result-changed]",
            "Turn sign-in back on for Ivy Intern",
        )
        .await;
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(
        summary.starts_with("Welcome a person back: Ivy Intern"),
        "{summary}"
    );
    assert!(!summary.contains("Failed:"), "{summary}\n{changed}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("reactivate").await;

    // Searching again shows her sign-in on.
    app.click("[data-testid=nav-home]").await;
    app.click("[data-testid=start-reactivate]").await;
    app.type_into("[data-testid=person-query]", "Ivy Intern")
        .await;
    app.click("[data-testid=person-search]").await;
    app.wait_for_text(".person-results", "Sign-in on").await;
    app.close().await;
}
