//! "Connect your organization": the deployed settings (cloud, tenant, client id) that prefill the
//! form, and turning what the person confirmed back into a [`DeploymentConfig`] (through
//! entra-client's own JSON form and validation, so no cloud URL is spelled out here).

use entra_client::DeploymentConfig;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// The form's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationSettings {
    /// "global", "usGovernment" (GCC High), "usGovernmentDod" (DoD), "china" (21Vianet) or
    /// "custom" (entra-client `Cloud`'s names).
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

impl OrganizationSettings {
    /// The deployed settings file, if any (`PROVDESK_CONFIG`, then machine-wide, then per-user).
    pub fn deployed() -> Option<OrganizationSettings> {
        let (config, path) = DeploymentConfig::discover().ok()?;
        let mut settings = Self::from_config(&config);
        settings.source = Some(path.display().to_string());
        Some(settings)
    }

    /// The form's fields for a configuration (no source file).
    pub fn from_config(config: &DeploymentConfig) -> OrganizationSettings {
        let value = serde_json::to_value(config).unwrap_or_default();
        let (cloud, authority, graph) = match &value["cloud"] {
            serde_json::Value::String(name) => (name.clone(), None, None),
            other => (
                "custom".to_string(),
                other["custom"]["authority"].as_str().map(str::to_string),
                other["custom"]["graph"].as_str().map(str::to_string),
            ),
        };
        OrganizationSettings {
            cloud,
            authority,
            graph,
            tenant_id: config.tenant_id.as_str().to_string(),
            client_id: config.client_id.as_str().to_string(),
            source: None,
        }
    }

    /// The settings as a validated configuration; `Err` names the mistake in plain words.
    pub fn to_config(&self) -> Result<DeploymentConfig, String> {
        let cloud = if self.cloud == "custom" {
            json!({ "custom": { "authority": self.authority, "graph": self.graph } })
        } else {
            json!(self.cloud)
        };
        let text = json!({
            "tenantId": self.tenant_id.trim(),
            "clientId": self.client_id.trim(),
            "cloud": cloud,
        })
        .to_string();
        DeploymentConfig::parse(&text, std::path::Path::new("the sign-in form"))
            .map_err(|err| err.to_string())
    }
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
    fn valid_settings_become_a_deployment_config_and_back() {
        let config = settings(" contoso.onmicrosoft.com ").to_config().unwrap();
        assert_eq!(config.tenant_id.as_str(), "contoso.onmicrosoft.com");
        assert_eq!(
            OrganizationSettings::from_config(&config),
            settings("contoso.onmicrosoft.com")
        );
    }

    #[test]
    fn a_custom_cloud_keeps_its_urls() {
        let custom = OrganizationSettings {
            cloud: "custom".into(),
            authority: Some("https://login.example.test/".into()),
            graph: Some("https://graph.example.test/".into()),
            ..settings("contoso.onmicrosoft.com")
        };
        let config = custom.to_config().unwrap();
        assert_eq!(OrganizationSettings::from_config(&config), custom);
    }

    /// Every named cloud a person can pick becomes that cloud, the DoD one included (its own
    /// Graph, deployments.md), and reads back as the same choice.
    #[test]
    fn every_named_cloud_can_be_picked() {
        for (name, graph) in [
            ("global", "https://graph.microsoft.com/v1.0"),
            ("usGovernment", "https://graph.microsoft.us/v1.0"),
            ("usGovernmentDod", "https://dod-graph.microsoft.us/v1.0"),
            ("china", "https://microsoftgraph.chinacloudapi.cn/v1.0"),
        ] {
            let picked = OrganizationSettings {
                cloud: name.into(),
                ..settings("contoso.onmicrosoft.com")
            };
            let config = picked.to_config().unwrap();
            let endpoints = config.cloud.endpoints(&config.tenant_id).unwrap();
            assert_eq!(endpoints.graph_v1.as_str(), graph, "{name}");
            assert_eq!(OrganizationSettings::from_config(&config), picked);
        }
    }

    #[test]
    fn a_bad_tenant_is_refused_with_the_reason() {
        let err = settings("not a tenant!").to_config().unwrap_err();
        assert!(err.contains("not a tenant!"), "{err}");
    }
}
