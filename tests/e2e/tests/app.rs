//! The app starts on the training tenant and its home screen is understandable and accessible.

use fantoccini::Locator;
use provisioning_desk_e2e::{audit, App};

const BANNER: &str = "Training tenant — nothing you do here touches real accounts.";

#[tokio::test(flavor = "multi_thread")]
async fn home_screen_shows_training_banner_tenant_and_seven_procedures() {
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;

    let banner = app.text("[data-testid=training-banner]").await;
    assert!(banner.contains(BANNER), "banner says: {banner:?}");

    let tenant = app.text("[data-testid=tenant]").await;
    assert!(tenant.contains("Contoso"), "tenant chip says: {tenant:?}");

    assert_eq!(app.text("main h1").await, "What do you need to do?");
    let procedures = app
        .client
        .find_all(Locator::Css(".procedures > li"))
        .await
        .expect("procedure entries");
    let mut titles = Vec::new();
    for p in &procedures {
        titles.push(
            p.find(Locator::Css("h2"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        titles,
        [
            "Offboard a person",
            "Welcome a person back",
            "Restart an app's account sync",
            "Re-link one person",
            "Find out why an app still has someone",
            "Check what is sent to an app",
            "Offboard or welcome back a list of people",
        ]
    );
    // A procedure that is not built yet must say so and must not offer a button.
    for p in &procedures {
        let text = p.text().await.unwrap();
        let buttons = p.find_all(Locator::Css("button")).await.unwrap();
        if text.contains("Not available yet") {
            assert!(
                buttons.is_empty(),
                "an unavailable procedure offers a button: {text}"
            );
        } else {
            assert_eq!(
                buttons.len(),
                1,
                "an available procedure has one Start button: {text}"
            );
        }
    }

    let shot = app.screenshot("home").await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "the screenshot has content"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn home_screen_has_no_serious_accessibility_violations() {
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    // The light theme here (a light desktop); tests/dark_theme.rs audits the dark one.
    let dark = app
        .client
        .execute(
            "return window.matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .expect("the page answers");
    assert_eq!(dark, false, "the test desktop is light");
    let violations = audit(&app.client).await;
    app.close().await;
    assert!(violations.is_empty(), "axe-core found: {violations:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn accessibility_audit_catches_a_real_violation() {
    // Guards the audit itself: an image without a text alternative must be reported.
    let app = App::start().await;
    app.client
        .execute(
            "const i = document.createElement('img'); i.src = 'data:,'; document.querySelector('main').append(i); return true;",
            vec![],
        )
        .await
        .expect("the page accepts an injected element");
    let violations = audit(&app.client).await;
    app.close().await;
    assert!(
        violations.iter().any(|v| v.id == "image-alt"),
        "axe-core missed an image without alt text: {violations:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn content_security_policy_blocks_inline_script() {
    // A display name such as `<img src=x onerror=alert(1)>` must never run: even if markup slipped
    // into the page, the CSP refuses inline event handlers.
    let app = App::start().await;
    app.client
        .execute(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<img id=\"hostile\" alt=\"\" src=\"data:,x\" onerror=\"window.__pwned = true\">');
             document.getElementById('hostile').addEventListener('error', () => { window.__errored = true; });
             return true;",
            vec![],
        )
        .await
        .expect("markup injected");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let outcome = app
        .client
        .execute(
            "return [window.__errored === true, window.__pwned === true];",
            vec![],
        )
        .await
        .expect("script result");
    app.close().await;
    assert_eq!(
        outcome[0], true,
        "the hostile image never failed to load, so nothing was proven"
    );
    assert_eq!(outcome[1], false, "an inline onerror handler ran");
}
