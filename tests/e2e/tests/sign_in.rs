//! Sign-in: the training tenant by default, one click as a demo account; the account chip says
//! who you are and what you may (and may not) do; sign out returns to the sign-in screen.

use provisioning_desk_e2e::{audit, App};

#[tokio::test(flavor = "multi_thread")]
async fn one_click_training_sign_in_shows_what_the_account_may_do_and_signs_out() {
    let app = App::start().await;
    app.wait_for_text("main h1", "Sign in").await;
    let choices = app.texts(".account-choice").await;
    for role in [
        "User Administrator",
        "Application Administrator",
        "Reports Reader",
    ] {
        assert!(
            choices.iter().any(|c| c.contains(role)),
            "no demo account with {role}: {choices:#?}"
        );
    }
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on sign-in: {violations:#?}"
    );
    app.screenshot("sign-in").await;

    // The reports reader may read logs but change nothing: the chip says so, with the reason.
    app.click("[data-testid=demo-reports]").await;
    app.click("[data-testid=sign-in]").await;
    let chip = app
        .wait_for_text("[data-testid=account-chip]", "Reports Reader")
        .await;
    assert!(chip.contains("Rita Reader"), "chip says {chip:?}");
    app.click("[data-testid=account-chip]").await;
    let details = app
        .wait_for_text("[data-testid=account-details]", "You may not")
        .await;
    assert!(details.contains("training tenant"), "{details}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the account chip: {violations:#?}"
    );
    app.screenshot("account-chip").await;

    app.click("[data-testid=sign-out]").await;
    app.wait_for_text("main h1", "Sign in").await;
    app.close().await;
}
