//! The deployable settings file: which tenant, which app registration, which cloud.
//!
//! An IT department writes it once (docs/admin-setup.md) so helpdesk staff only sign in.
//! It holds no secret. Search order, first found wins:
//! 1. the file named by the `PROVDESK_CONFIG` environment variable;
//! 2. the machine-wide file: Linux `/etc/provisioning-desk/config.json`, macOS
//!    `/Library/Application Support/Provisioning Desk/config.json`, Windows
//!    `%ProgramData%\Provisioning Desk\config.json`;
//! 3. the per-user file: Linux `$XDG_CONFIG_HOME/provisioning-desk/config.json` (default
//!    `~/.config/…`), macOS `~/Library/Application Support/Provisioning Desk/config.json`,
//!    Windows `%APPDATA%\Provisioning Desk\config.json`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::auth::SignInConfig;
use crate::cloud::{ClientId, Cloud, TenantId};
use crate::error::{Error, Result};

/// The file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentConfig {
    /// Tenant GUID or verified domain.
    pub tenant_id: TenantId,
    /// The app registration's application (client) id.
    pub client_id: ClientId,
    /// `"global"` (default), `"usGovernment"`, `"china"`, or
    /// `{"custom": {"authority": "…", "graph": "…"}}`.
    #[serde(default = "default_cloud")]
    pub cloud: Cloud,
    /// Optional: Graph permissions to request instead of all the procedures' permissions
    /// (e.g. a read-only helpdesk deployment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

fn default_cloud() -> Cloud {
    Cloud::Global
}

impl DeploymentConfig {
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let config: DeploymentConfig = serde_json::from_str(text).map_err(|e| {
            // Surface our own validation message when the value was rejected by TenantId etc.
            Error::Config {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        })?;
        // Validate the cloud's URLs now rather than at sign-in.
        config
            .cloud
            .endpoints(&config.tenant_id)
            .map_err(|e| Error::Config {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// Loads the first file of [`search_paths`] that exists.
    pub fn discover() -> Result<(Self, PathBuf)> {
        let paths = search_paths();
        for p in &paths {
            if p.is_file() {
                return Ok((Self::load(p)?, p.clone()));
            }
        }
        Err(Error::ConfigNotFound { searched: paths })
    }

    pub fn sign_in_config(&self) -> SignInConfig {
        let mut c = SignInConfig::new(
            self.cloud.clone(),
            self.tenant_id.clone(),
            self.client_id.clone(),
        );
        if let Some(p) = &self.permissions {
            c.permissions = p.clone();
        }
        c
    }
}

/// Where the file is looked for, in order.
pub fn search_paths() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(p) = std::env::var_os("PROVDESK_CONFIG").filter(|p| !p.is_empty()) {
        paths.push(PathBuf::from(p));
    }
    paths.push(machine_wide_path());
    if let Some(p) = per_user_path() {
        paths.push(p);
    }
    paths
}

/// The machine-wide path on this OS.
pub fn machine_wide_path() -> PathBuf {
    if cfg!(target_os = "windows") {
        let base = std::env::var_os("ProgramData")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
        base.join("Provisioning Desk").join("config.json")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Provisioning Desk/config.json")
    } else {
        PathBuf::from("/etc/provisioning-desk/config.json")
    }
}

/// The per-user path on this OS, if a home/profile directory is known.
pub fn per_user_path() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(target_os = "windows") {
        env("APPDATA").map(|a| a.join("Provisioning Desk").join("config.json"))
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support/Provisioning Desk/config.json"))
    } else {
        env("XDG_CONFIG_HOME")
            .or_else(|| env("HOME").map(|h| h.join(".config")))
            .map(|c| c.join("provisioning-desk").join("config.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_file_defaults_to_global() {
        let c = DeploymentConfig::parse(
            r#"{"tenantId":"contoso.onmicrosoft.com","clientId":"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}"#,
            Path::new("x.json"),
        )
        .unwrap();
        assert_eq!(c.cloud, Cloud::Global);
        assert!(c
            .sign_in_config()
            .permissions
            .contains(&"Synchronization.ReadWrite.All".to_string()));
    }

    #[test]
    fn bad_values_name_the_file_and_the_problem() {
        let e = DeploymentConfig::parse(
            r#"{"tenantId":"not a tenant","clientId":"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}"#,
            Path::new("/etc/provisioning-desk/config.json"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "config.unreadable");
        let msg = e.to_string();
        assert!(
            msg.contains("/etc/provisioning-desk/config.json")
                && msg.contains("not a valid tenant"),
            "{msg}"
        );
        let e = DeploymentConfig::parse(
            r#"{"tenantId":"contoso.com","clientId":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","cloud":{"custom":{"authority":"http://example.com","graph":"https://g.example.com"}}}"#,
            Path::new("c.json"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("only https://"), "{e}");
    }

    #[test]
    fn custom_cloud_and_permissions() {
        let c = DeploymentConfig::parse(
            r#"{"tenantId":"8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71","clientId":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","cloud":{"custom":{"authority":"http://127.0.0.1:4100","graph":"http://127.0.0.1:4100"}},"permissions":["User.Read.All"]}"#,
            Path::new("c.json"),
        )
        .unwrap();
        assert_eq!(
            c.sign_in_config().permissions,
            vec!["User.Read.All".to_string()]
        );
    }

    #[test]
    fn search_order_starts_with_the_env_override() {
        let paths = search_paths();
        assert!(paths.contains(&machine_wide_path()));
    }
}
