//! "Connect your organization": the deployed settings (cloud, tenant, client id) that prefill the
//! form, and turning what the person confirmed back into a [`DeploymentConfig`] (through
//! entra-client's own JSON form and validation, so no cloud URL is spelled out here). What
//! matters for safety comes from the deployed file, never from the web view: a custom cloud's
//! addresses and the permissions asked for.

use entra_client::DeploymentConfig;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
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

    /// The deployed settings file in force: `None` when there is none. A file that exists but
    /// cannot be read is an error, not "no file": its restrictions (`permissions`) must not be
    /// dropped silently.
    pub fn deployment_in_force() -> Result<Option<DeploymentConfig>> {
        match DeploymentConfig::discover() {
            Ok((config, _)) => Ok(Some(config)),
            Err(entra_client::Error::ConfigNotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// The configuration to sign in with, from what the web view sent back and the deployed
    /// settings file (`deployed`, see [`Self::deployment_in_force`]):
    ///
    /// * the tenant, the client id and a named cloud come from the form (Microsoft's own
    ///   addresses; stray `authority`/`graph` values beside a named cloud are not used);
    /// * a custom cloud only when it is the deployed file's own custom cloud, unchanged —
    ///   otherwise [`Error::CustomCloudNotDeployed`]: a web view must not be able to send a
    ///   sign-in (and the tokens) to addresses of its choosing;
    /// * the Graph permissions to ask for are always the deployed file's `permissions` when it
    ///   has them (as the CLI does), whatever the form says: a read-only deployment stays
    ///   read-only.
    pub fn to_config(&self, deployed: Option<&DeploymentConfig>) -> Result<DeploymentConfig> {
        let cloud = if self.cloud == "custom" {
            let deployed_custom = deployed.filter(|d| {
                let shown = Self::from_config(d);
                shown.cloud == "custom"
                    && same_address(&shown.authority, &self.authority)
                    && same_address(&shown.graph, &self.graph)
            });
            match deployed_custom {
                Some(d) => serde_json::to_value(&d.cloud).unwrap_or_default(),
                None => return Err(Error::CustomCloudNotDeployed),
            }
        } else {
            json!(self.cloud)
        };
        let text = json!({
            "tenantId": self.tenant_id.trim(),
            "clientId": self.client_id.trim(),
            "cloud": cloud,
        })
        .to_string();
        let mut config = DeploymentConfig::parse(&text, std::path::Path::new("the sign-in form"))
            .map_err(|err| Error::OrganizationSettingsInvalid(err.to_string()))?;
        config.permissions = deployed.and_then(|d| d.permissions.clone());
        Ok(config)
    }
}

/// The same address as the deployed one (surrounding spaces aside).
fn same_address(deployed: &Option<String>, sent: &Option<String>) -> bool {
    match (deployed, sent) {
        (Some(d), Some(s)) => d.trim() == s.trim(),
        _ => false,
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
        let config = settings(" contoso.onmicrosoft.com ")
            .to_config(None)
            .unwrap();
        assert_eq!(config.tenant_id.as_str(), "contoso.onmicrosoft.com");
        assert_eq!(
            OrganizationSettings::from_config(&config),
            settings("contoso.onmicrosoft.com")
        );
    }

    /// A deployment file with a custom cloud and a read-only permission list.
    fn deployed_custom() -> DeploymentConfig {
        DeploymentConfig::parse(
            &json!({
                "tenantId": "contoso.onmicrosoft.com",
                "clientId": "0f5b6c1a-7d24-4b8e-9a31-4c2e8d7f1a01",
                "cloud": {"custom": {
                    "authority": "https://login.example.test/",
                    "graph": "https://graph.example.test/",
                }},
                "permissions": ["User.Read.All"],
            })
            .to_string(),
            std::path::Path::new("/etc/provisioning-desk/config.json"),
        )
        .unwrap()
    }

    #[test]
    fn the_deployed_custom_cloud_keeps_its_urls() {
        let deployed = deployed_custom();
        // What the form was prefilled with comes back unchanged.
        let shown = OrganizationSettings::from_config(&deployed);
        let config = shown.to_config(Some(&deployed)).unwrap();
        assert_eq!(config.cloud, deployed.cloud);
        assert_eq!(OrganizationSettings::from_config(&config), shown);
    }

    /// Issue 13 item 9: the web view cannot point the sign-in at addresses of its own.
    #[test]
    fn a_custom_cloud_from_the_web_view_is_refused_unless_deployed() {
        let custom = OrganizationSettings {
            cloud: "custom".into(),
            authority: Some("https://login.attacker.test/".into()),
            graph: Some("https://graph.attacker.test/".into()),
            ..settings("contoso.onmicrosoft.com")
        };
        // No deployment file at all.
        let err = custom.to_config(None).unwrap_err();
        assert_eq!(err.code(), "custom_cloud_not_deployed");
        // A deployment file with another custom cloud: its addresses, not these.
        let err = custom.to_config(Some(&deployed_custom())).unwrap_err();
        assert_eq!(err.code(), "custom_cloud_not_deployed");
        // Only the Graph address changed.
        let shown = OrganizationSettings::from_config(&deployed_custom());
        let swapped = OrganizationSettings {
            graph: Some("https://graph.attacker.test/".into()),
            ..shown
        };
        let err = swapped.to_config(Some(&deployed_custom())).unwrap_err();
        assert_eq!(err.code(), "custom_cloud_not_deployed");
        // A deployment file with a named cloud does not allow custom ones either.
        let named = settings("contoso.onmicrosoft.com").to_config(None).unwrap();
        assert_eq!(
            custom.to_config(Some(&named)).unwrap_err().code(),
            "custom_cloud_not_deployed"
        );
    }

    /// Addresses left in the form beside a named cloud are not used: the named cloud's own are.
    #[test]
    fn a_named_cloud_ignores_addresses_sent_beside_it() {
        let global = OrganizationSettings {
            authority: Some("https://login.attacker.test/".into()),
            graph: Some("https://graph.attacker.test/".into()),
            ..settings("contoso.onmicrosoft.com")
        };
        let config = global.to_config(None).unwrap();
        let endpoints = config.cloud.endpoints(&config.tenant_id).unwrap();
        assert_eq!(
            endpoints.graph_v1.as_str(),
            "https://graph.microsoft.com/v1.0"
        );
    }

    /// Issue 13 item 9: the deployment file's `permissions` are what the sign-in asks for,
    /// whatever cloud or tenant the form names.
    #[test]
    fn the_deployment_files_permissions_are_asked_for() {
        let deployed = deployed_custom();
        let shown = OrganizationSettings::from_config(&deployed);
        let config = shown.to_config(Some(&deployed)).unwrap();
        assert_eq!(config.sign_in_config().permissions, ["User.Read.All"]);
        let elsewhere = settings("fabrikam.onmicrosoft.com")
            .to_config(Some(&deployed))
            .unwrap();
        assert_eq!(elsewhere.sign_in_config().permissions, ["User.Read.All"]);
        // Without permissions in the file: every procedure's permissions, as before.
        let all = settings("contoso.onmicrosoft.com").to_config(None).unwrap();
        assert!(all.permissions.is_none());
        assert!(all
            .sign_in_config()
            .permissions
            .contains(&"User.EnableDisableAccount.All".to_string()));
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
            let config = picked.to_config(None).unwrap();
            let endpoints = config.cloud.endpoints(&config.tenant_id).unwrap();
            assert_eq!(endpoints.graph_v1.as_str(), graph, "{name}");
            assert_eq!(OrganizationSettings::from_config(&config), picked);
        }
    }

    #[test]
    fn a_bad_tenant_is_refused_with_the_reason() {
        let err = settings("not a tenant!").to_config(None).unwrap_err();
        assert_eq!(err.code(), "organization_settings_invalid");
        assert!(err.to_string().contains("not a tenant!"), "{err}");
    }
}
