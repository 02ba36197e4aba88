//! "Connect your organization": the form is prefilled from the deployed settings file, and a
//! device-code sign-in completes when the person enters the code elsewhere. The "organization"
//! here is a training tenant this test runs itself, reached exactly like a real tenant (a custom
//! cloud on loopback), so the test can play the person approving the code.

use provisioning_desk_e2e::{audit, App};
use training_tenant::identity::decide_device_code;
use training_tenant::{Options, TrainingTenant};

#[tokio::test(flavor = "multi_thread")]
async fn device_code_sign_in_to_the_deployed_organization() {
    let tenant = TrainingTenant::start(Options::default())
        .await
        .expect("the organization's tenant starts");
    let summary = tenant.summary().clone();
    let dir = std::env::temp_dir().join(format!("provdesk-org-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        serde_json::json!({
            "tenantId": summary.tenant_id,
            "clientId": summary.public_client_id,
            "cloud": { "custom": { "authority": tenant.base_url(), "graph": tenant.base_url() } },
        })
        .to_string(),
    )
    .unwrap();
    // The app (started by tauri-driver from this process) finds the deployed settings here.
    std::env::set_var("PROVDESK_CONFIG", &config);

    let app = App::start().await;
    app.wait_for_text("main h1", "Sign in").await;
    let tenant_field = app
        .wait_for(fantoccini::Locator::Css("[data-testid=org-tenant]"))
        .await;
    assert_eq!(
        tenant_field.prop("value").await.unwrap().as_deref(),
        Some(summary.tenant_id.as_str()),
        "the form is prefilled from the settings file"
    );
    app.click("[data-testid=org-device-code]").await;
    let code = app.text("[data-testid=user-code]").await;
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the device code: {violations:#?}"
    );
    app.screenshot("connect-organization").await;

    // The person enters the code on another device and signs in as the helpdesk operator.
    decide_device_code(
        tenant.state(),
        code.trim(),
        Some(&format!("helpdesk@{}", summary.tenant_domain)),
        true,
    )
    .expect("the code is approved");
    let chip = app
        .wait_for_text("[data-testid=account-chip]", "Hélène Desk")
        .await;
    assert!(chip.contains("User Administrator"), "{chip}");
    let tenant_chip = app.text("[data-testid=tenant]").await;
    assert!(tenant_chip.contains(&summary.tenant_id), "{tenant_chip}");
    // Not the built-in training tenant: no training band.
    assert!(app.texts("[data-testid=training-banner]").await.is_empty());
    app.close().await;
    std::fs::remove_dir_all(&dir).ok();
}
