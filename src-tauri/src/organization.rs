//! "Connect your organization": the deployed settings (cloud, tenant, client id) that prefill the
//! form, and turning what the person confirmed back into entra-client's `DeploymentConfig`
//! (through its own JSON form and validation, so this file knows no cloud URLs).

use entra_client::DeploymentConfig;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::CommandError;

/// The form's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrganizationSettings {
    /// "global", "usGovernment", "china" or "custom".
    pub cloud: String,
    /// Custom clouds only: the sign-in authority and Graph base URLs.
    pub authority: Option<String>,
    pub graph: Option<String>,
    /// Tenant GUID or verified domain.
    pub tenant_id: String,
    /// The app registration's application (client) id.
    pub client_id: String,
    /// The settings file the values came from, when there was one.
    pub source: Option<String>,
}

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
    let (config, path) = DeploymentConfig::discover().ok()?;
    let value = serde_json::to_value(&config).ok()?;
    let (cloud, authority, graph) = match &value["cloud"] {
        serde_json::Value::String(name) => (name.clone(), None, None),
        other => (
            "custom".to_string(),
            other["custom"]["authority"].as_str().map(str::to_string),
            other["custom"]["graph"].as_str().map(str::to_string),
        ),
    };
    Some(OrganizationSettings {
        cloud,
        authority,
        graph,
        tenant_id: config.tenant_id.as_str().to_string(),
        client_id: config.client_id.as_str().to_string(),
        source: Some(path.display().to_string()),
    })
}

/// The settings as a validated `DeploymentConfig`; a mistake is named in plain words.
pub fn to_config(settings: &OrganizationSettings) -> Result<DeploymentConfig, CommandError> {
    let cloud = if settings.cloud == "custom" {
        json!({ "custom": { "authority": settings.authority, "graph": settings.graph } })
    } else {
        json!(settings.cloud)
    };
    let text = json!({
        "tenantId": settings.tenant_id.trim(),
        "clientId": settings.client_id.trim(),
        "cloud": cloud,
    })
    .to_string();
    DeploymentConfig::parse(&text, std::path::Path::new("the sign-in form")).map_err(|err| {
        CommandError {
            code: "organization_settings_invalid".into(),
            message: format!("These settings cannot be used: {err}."),
            hint: "Check the tenant id and the application (client) id with whoever registered \
                   Provisioning Desk in your organization (docs/admin-setup.md)."
                .into(),
        }
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
