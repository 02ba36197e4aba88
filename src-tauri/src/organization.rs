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

/// The settings as a validated configuration; a mistake is named in plain words.
pub fn to_config(settings: &OrganizationSettings) -> Result<DeploymentConfig, CommandError> {
    settings.to_config().map_err(|reason| CommandError {
        code: "organization_settings_invalid".into(),
        message: format!("These settings cannot be used: {reason}."),
        hint: "Check the tenant id and the application (client) id with whoever registered \
               Provisioning Desk in your organization (docs/admin-setup.md)."
            .into(),
    })
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
        let config = to_config(&settings("contoso.onmicrosoft.com")).unwrap();
        assert_eq!(config.tenant_id.as_str(), "contoso.onmicrosoft.com");
    }

    #[test]
    fn a_bad_tenant_is_refused_in_plain_words() {
        let err = to_config(&settings("not a tenant!")).unwrap_err();
        assert_eq!(err.code, "organization_settings_invalid");
        assert!(err.hint.contains("client"));
    }
}
