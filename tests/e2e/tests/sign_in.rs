//! Sign-in: the training tenant by default, one click as a demo account; the account chip says
//! who you are and what you may (and may not) do; the next start opens signed in as the same
//! person; sign out returns to the sign-in screen, and so does the start after it. A sign-in
//! that cannot be restored leads to the sign-in screen with a plain sentence.

use provisioning_desk_e2e::{audit, sign_in_memory, App};

#[tokio::test(flavor = "multi_thread")]
async fn one_click_training_sign_in_is_remembered_until_sign_out() {
    // Last time someone signed in as an account the training tenant no longer has.
    let memory = sign_in_memory();
    std::fs::create_dir_all(memory.parent().unwrap()).unwrap();
    std::fs::write(
        &memory,
        r#"{"kind":"training","account":"gone@contoso-training.onmicrosoft.com"}"#,
    )
    .unwrap();
    let app = App::restart().await;
    app.wait_for_text("main h1", "Sign in").await;
    let notice = app.text("[data-testid=sign-in-notice]").await;
    assert!(
        notice.contains("gone@contoso-training.onmicrosoft.com") && notice.contains("sign in"),
        "{notice}"
    );
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
    app.screenshot("sign-in-not-restored").await;

    // The reports reader may read logs; changes are not shown in her sign-in, so the chip says
    // Entra decides when she tries (a role for an administrative unit would not show either).
    app.click("[data-testid=demo-reports]").await;
    app.click("[data-testid=sign-in]").await;
    let chip = app
        .wait_for_text("[data-testid=account-chip]", "Reports Reader")
        .await;
    assert!(chip.contains("Rita Reader"), "chip says {chip:?}");
    app.click("[data-testid=account-chip]").await;
    let details = app
        .wait_for_text(
            "[data-testid=account-details]",
            "Entra decides when you try",
        )
        .await;
    assert!(details.contains("training tenant"), "{details}");
    let may_try = app.text("[data-testid=may-try]").await;
    assert!(
        may_try.contains("disable or re-enable accounts"),
        "{may_try}"
    );
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the account chip: {violations:#?}"
    );
    app.screenshot("account-chip").await;
    app.close().await;

    // Started again, the app opens signed in as Rita.
    let app = App::restart().await;
    let chip = app
        .wait_for_text("[data-testid=account-chip]", "Rita Reader")
        .await;
    assert!(chip.contains("Reports Reader"), "chip says {chip:?}");
    let title = app.text("main h1").await;
    assert_ne!(title, "Sign in", "the app opened on the sign-in screen");
    app.click("[data-testid=account-chip]").await;
    app.click("[data-testid=sign-out]").await;
    app.wait_for_text("main h1", "Sign in").await;
    app.close().await;

    // Signed out: the next start asks again, and a plain sign-out is no problem to report.
    let app = App::restart().await;
    app.wait_for_text("main h1", "Sign in").await;
    let notices = app.texts("[data-testid=sign-in-notice]").await;
    assert!(notices.is_empty(), "{notices:?}");
    app.screenshot("sign-in").await;
    app.close().await;
}
