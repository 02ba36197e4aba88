//! "Connect your organization": the form's settings (defined in `playbooks`, which turns them
//! into a tenant configuration), how the person signs in, and the device code shown to them.

use playbooks::tenant::DeploymentConfig;
pub use playbooks::tenant::OrganizationSettings;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::CommandError;

/// How the person signs in.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SignInMethod {
    /// The system browser (authorization code + PKCE on a loopback redirect).
    Browser,
    /// A code typed on another device (device code flow).
    DeviceCode,
}

/// What the person must do to finish a device-code sign-in.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceCodeView {
    pub user_code: String,
    pub verification_uri: String,
    /// Microsoft's own sentence.
    pub message: String,
}

/// The deployed settings file, if any (`PROVDESK_CONFIG`, then machine-wide, then per-user).
pub fn deployed() -> Option<OrganizationSettings> {
    OrganizationSettings::deployed()
}

/// The configuration to sign in with: the form's settings checked against the deployed settings
/// file in force (a custom cloud only if the file names it; the file's `permissions`), see
/// `OrganizationSettings::to_config`. A mistake is named in plain words.
pub fn to_config(settings: &OrganizationSettings) -> Result<DeploymentConfig, CommandError> {
    let deployed = OrganizationSettings::deployment_in_force()?;
    to_config_with(settings, deployed.as_ref())
}

/// As [`to_config`], with the deployed file given (tests).
fn to_config_with(
    settings: &OrganizationSettings,
    deployed: Option<&DeploymentConfig>,
) -> Result<DeploymentConfig, CommandError> {
    Ok(settings.to_config(deployed)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(tenant: &str) -> OrganizationSettings {
        OrganizationSettings {
            cloud: "global".into(),
            authority: None,
            graph: None,
            tenant_id: tenant.into(),
            client_id: "0f5b6c1a-7d24-4b8e-9a31-4c2e8d7f1a01".into(),
            source: None,
        }
    }

    #[test]
    fn valid_settings_become_a_deployment_config() {
        let config = to_config_with(&settings("contoso.onmicrosoft.com"), None).unwrap();
        assert_eq!(config.tenant_id.as_str(), "contoso.onmicrosoft.com");
    }

    #[test]
    fn a_bad_tenant_is_refused_in_plain_words() {
        let err = to_config_with(&settings("not a tenant!"), None).unwrap_err();
        assert_eq!(err.code, "organization_settings_invalid");
        assert!(err.hint.contains("client"));
    }

    /// Issue 13 item 9: a custom cloud typed in the web view is refused with its own code; the
    /// deployed file's custom cloud and permissions are used.
    #[test]
    fn custom_clouds_and_permissions_come_from_the_deployment_file() {
        let typed = OrganizationSettings {
            cloud: "custom".into(),
            authority: Some("https://login.attacker.test".into()),
            graph: Some("https://graph.attacker.test".into()),
            ..settings("contoso.onmicrosoft.com")
        };
        let err = to_config_with(&typed, None).unwrap_err();
        assert_eq!(err.code, "custom_cloud_not_deployed");
        assert!(err.message.contains("settings file"), "{}", err.message);
        assert!(err.hint.contains("named clouds"), "{}", err.hint);

        let deployed = DeploymentConfig::parse(
            r#"{"tenantId":"contoso.onmicrosoft.com","clientId":"0f5b6c1a-7d24-4b8e-9a31-4c2e8d7f1a01",
                "cloud":{"custom":{"authority":"https://login.example.test","graph":"https://graph.example.test"}},
                "permissions":["User.Read.All"]}"#,
            std::path::Path::new("config.json"),
        )
        .unwrap();
        let prefilled = OrganizationSettings::from_config(&deployed);
        let config = to_config_with(&prefilled, Some(&deployed)).unwrap();
        assert_eq!(config.cloud, deployed.cloud);
        assert_eq!(
            config.permissions.as_deref(),
            Some(&["User.Read.All".to_string()][..])
        );
    }
}
