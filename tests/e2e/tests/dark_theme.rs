//! The dark theme: with the desktop set to a dark GTK theme the app is dark too (WebKitGTK
//! reports `prefers-color-scheme: dark`), and its screens still pass axe-core, colour contrast
//! included: sign-in, home, the training band, a wizard with its plan, an error, status badges
//! and the result screen. Screenshots are saved as `*-dark.png`.

use fantoccini::Locator;
use provisioning_desk_e2e::{audit, App};

/// The WCAG contrast ratio between two theme colours (custom properties of `:root`), computed
/// in the page from the colours the browser resolved.
async fn contrast(app: &App, foreground: &str, background: &str) -> f64 {
    let ratio = app
        .client
        .execute(
            r#"const probe = (name) => {
                 const el = document.createElement("span");
                 el.style.color = `var(${name})`;
                 document.body.append(el);
                 const rgb = getComputedStyle(el).color.match(/[\d.]+/g).slice(0, 3).map(Number);
                 el.remove();
                 const [r, g, b] = rgb.map((c) => {
                   c /= 255;
                   return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
                 });
                 return 0.2126 * r + 0.7152 * g + 0.0722 * b;
               };
               const [a, b] = [probe(arguments[0]), probe(arguments[1])];
               return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);"#,
            vec![foreground.into(), background.into()],
        )
        .await
        .expect("the page computes the contrast");
    ratio.as_f64().expect("a number")
}

async fn assert_accessible(app: &App, screen: &str) {
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core in the dark theme, {screen}: {violations:#?}"
    );
}

/// One test in this file: the dark theme is set for the driver and every app it starts.
#[tokio::test(flavor = "multi_thread")]
async fn the_dark_theme_follows_the_desktop_and_stays_readable() {
    std::env::set_var("GTK_THEME", "Adwaita:dark");
    let app = App::start().await;
    let dark = app
        .client
        .execute(
            "return window.matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .expect("the page answers");
    assert_eq!(dark, true, "WebKitGTK did not report a dark desktop");
    app.wait_for_text("main h1", "Sign in").await;
    assert_accessible(&app, "sign-in").await;
    app.screenshot("sign-in-dark").await;

    // Focus rings are drawn in --focus: visible against every surface they can sit on
    // (WCAG 1.4.11 asks 3:1 for what marks a control's state).
    // On the training band the ring takes the band's text colour instead.
    for (ring, surface) in [
        ("--focus", "--bg"),
        ("--focus", "--surface"),
        ("--training-text", "--training-bg"),
    ] {
        let ratio = contrast(&app, ring, surface).await;
        assert!(ratio >= 3.0, "focus ring {ring} on {surface}: {ratio:.2}:1");
    }
    // Status words sit on their own tinted backgrounds and on plain surfaces.
    for status in ["--success", "--failed", "--skipped", "--waiting"] {
        for surface in ["--surface", &format!("{status}-bg")] {
            let ratio = contrast(&app, status, surface).await;
            assert!(ratio >= 4.5, "{status} on {surface}: {ratio:.2}:1");
        }
    }

    app.sign_in_as("appadmin").await;
    assert_accessible(&app, "home").await;
    app.screenshot("home-dark").await;

    app.click("[data-testid=start-restart]").await;
    app.type_into("[data-testid=app-name]", "Nowhere Payroll")
        .await;
    app.click("[data-testid=next]").await;
    app.wait_for(Locator::Css("main [role=alert]")).await;
    assert_accessible(&app, "an error").await;

    app.client
        .find(Locator::Css("[data-testid=app-name]"))
        .await
        .expect("the app field")
        .clear()
        .await
        .expect("the field clears");
    app.type_into("[data-testid=app-name]", "Expensely").await;
    app.click("[data-testid=next]").await;
    app.wait_for_text("[data-testid=job-state]", "quarantine")
        .await;
    app.click("[data-testid=renew-token]").await;
    app.wait_for_text("[data-testid=training-fix-message]", "new token")
        .await;
    assert_accessible(&app, "the restart plan").await;
    app.scroll_to_top().await;
    app.screenshot("restart-confirm-dark").await;

    app.click("[data-testid=confirm]").await;
    app.wait_for_text("[data-testid=next-round]", "Waiting")
        .await;
    assert_accessible(&app, "the result, waiting for the round").await;
    app.click("[data-testid=run-cycle]").await;
    app.wait_for_text("[data-testid=next-round-outcome]", "completed")
        .await;
    assert_accessible(&app, "the result after the round").await;
    app.scroll_to_top().await;
    app.screenshot("restart-dark").await;
    app.close().await;
}
