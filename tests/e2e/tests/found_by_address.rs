//! Finding a person by an address that is not their sign-in name (graph-api.md §11.6): Ivy,
//! last summer's intern, is back and the ticket names only her personal address. The search
//! finds her through her other e-mails and says so, and her return is planned as usual.

use provisioning_desk_e2e::{audit, App};

const PERSONAL: &str = "ivy.intern.home@example.net";

#[tokio::test(flavor = "multi_thread")]
async fn the_returning_intern_is_found_by_her_personal_address() {
    let app = App::start().await;
    app.sign_in_as("User Administrator").await;
    app.click("[data-testid=start-reactivate]").await;
    app.wait_for_text("main h1", "Welcome a person back").await;

    app.type_into("[data-testid=person-query]", PERSONAL).await;
    app.click("[data-testid=person-search]").await;
    let found = app.wait_for_text(".person-results", "Ivy Intern").await;
    assert!(found.contains("Sign-in off"), "{found}");
    let how = app.text("[data-testid=found-by]").await;
    assert_eq!(how, format!("Found by other e-mail {PERSONAL}"));
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.screenshot("reactivate-found-by-address").await;

    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;
    app.wait_for_text("[data-testid=return-state]", "Sign-in off")
        .await;
    let preview = app.text("[data-testid=plan-preview]").await;
    assert!(
        preview.contains("Turn sign-in back on for Ivy Intern"),
        "{preview}"
    );
    app.scroll_to_top().await;
    app.screenshot("reactivate-found-by-address-preview").await;
    app.close().await;
}
