//! "Connect your organization" against a training tenant reached exactly like a real tenant (a
//! custom cloud on loopback, named by the deployed settings file): what the sign-in asks the
//! tenant for comes from the deployment file, not from the web view (issue 13, item 9).

use entra_client::{DeploymentConfig, TokenCache};
use playbooks::tenant::OrganizationSettings;
use playbooks::{TenantConnection, TenantProfile};
use training_tenant::{Options, TrainingTenant};

/// A read-only helpdesk deployment: the file asks for reading users only.
fn read_only_deployment(tenant: &TrainingTenant) -> DeploymentConfig {
    let summary = tenant.summary();
    DeploymentConfig::parse(
        &serde_json::json!({
            "tenantId": summary.tenant_id,
            "clientId": summary.public_client_id,
            "cloud": {"custom": {"authority": tenant.base_url(), "graph": tenant.base_url()}},
            "permissions": ["User.Read.All"],
        })
        .to_string(),
        std::path::Path::new("/etc/provisioning-desk/config.json"),
    )
    .expect("a valid deployment file")
}

#[tokio::test]
async fn the_organization_sign_in_asks_only_for_the_deployment_files_permissions() {
    let tenant = TrainingTenant::start(Options {
        device_code_interval: 1,
        ..Options::default()
    })
    .await
    .expect("the organization's tenant starts");
    let deployed = read_only_deployment(&tenant);
    // What the web view was prefilled with and sends back (it has no permissions field).
    let form = OrganizationSettings::from_config(&deployed);
    let config = form
        .to_config(Some(&deployed))
        .expect("the deployed settings");
    let connection = TenantConnection::connect(TenantProfile::Tenant(config))
        .await
        .expect("connects")
        .with_token_cache(TokenCache::session_only());

    let pending = connection.start_device_code().await.expect("a device code");
    let upn = format!("helpdesk@{}", tenant.summary().tenant_domain);
    training_tenant::identity::decide_device_code(
        tenant.state(),
        &pending.prompt().user_code,
        Some(&upn),
        true,
    )
    .expect("the person approves the code");
    let tokens = pending.finish().await.expect("signed in");

    // The tenant granted what was asked: reading users, nothing that changes them.
    let scp = tokens.claims().expect("claims").scp.unwrap_or_default();
    let granted: Vec<&str> = scp.split_whitespace().collect();
    assert!(granted.contains(&"User.Read.All"), "{scp}");
    for write in [
        "User.ReadWrite.All",
        "User.EnableDisableAccount.All",
        "Directory.ReadWrite.All",
        "Synchronization.ReadWrite.All",
    ] {
        assert!(!granted.contains(&write), "{write} was asked for: {scp}");
    }

    // So the desk says this sign-in cannot disable accounts, though the person could.
    let signed_in = connection.signed_in_with(tokens).await.expect("a desk");
    let whoami = signed_in.whoami();
    assert!(whoami.roles.iter().any(|r| r == "User Administrator"));
    let disable = whoami
        .capabilities
        .iter()
        .find(|c| c.operation == "SetAccountEnabled")
        .unwrap_or_else(|| panic!("{:?}", whoami.capabilities));
    assert!(!disable.allowed, "{disable:?}");
}
