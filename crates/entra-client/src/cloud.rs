//! National clouds and the one place every endpoint is derived from.
//!
//! The identity platform's endpoints are `{authority}/{tenant}/oauth2/v2.0/{authorize|token|devicecode}`
//! and Graph lives at `{graph}/v1.0` and `{graph}/beta` ("National cloud deployments",
//! graph-api.md §1.1, §2.1, §11.9). The training tenant is reached as a [`Cloud::Custom`] with
//! loopback addresses: the same code path as a real tenant.
//!
//! Sources for the national clouds: graph-docs `concepts/deployments.md` (Graph service roots:
//! global `graph.microsoft.com`, US Government L4 `graph.microsoft.us`, L5 (DoD)
//! `dod-graph.microsoft.us`, 21Vianet `microsoftgraph.chinacloudapi.cn`; token service: global
//! `login.microsoftonline.com`, both US Government clouds `login.microsoftonline.us`, 21Vianet
//! `login.chinacloudapi.cn`) and graph-docs `concepts/sdks/national-clouds.md` (a scope that
//! names Graph must name the cloud's own Graph root, `.default` included). Which features each
//! cloud has is in [`crate::features`].

use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};

/// Which Microsoft cloud a tenant lives in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
// A settings value read once per sign-in and cloned rarely: its size does not matter, and
// boxing the custom addresses would only make the JSON form and the matches noisier.
#[allow(clippy::large_enum_variant)]
pub enum Cloud {
    /// `login.microsoftonline.com` + `graph.microsoft.com`.
    Global,
    /// Azure US Government L4 (Microsoft 365 GCC High): `login.microsoftonline.us` +
    /// `graph.microsoft.us`. (GCC, without "High", uses the global endpoints: deployments.md.)
    UsGovernment,
    /// Azure US Government L5 (Microsoft 365 DoD): the same sign-in as L4,
    /// `login.microsoftonline.us`, but its own Graph, `dod-graph.microsoft.us` (deployments.md:
    /// "If you're working in a Microsoft 365 DoD environment, use … https://dod-graph.microsoft.us").
    UsGovernmentDod,
    /// Microsoft Azure operated by 21Vianet: `login.chinacloudapi.cn` + `microsoftgraph.chinacloudapi.cn`.
    ///
    /// Two sign-in hosts are documented: Graph's deployments.md lists `login.chinacloudapi.cn`,
    /// entra-docs `identity-platform/authentication-national-cloud.md` lists
    /// `login.partner.microsoftonline.cn`. Both are the same 21Vianet token service; the desk
    /// keeps `login.chinacloudapi.cn`, the one Graph's page (which also gives the Graph root)
    /// pairs with `microsoftgraph.chinacloudapi.cn`, so that remembered sign-ins stay valid.
    China,
    /// Authority and Graph base given explicitly (the training tenant, or a future cloud).
    #[serde(rename_all = "camelCase")]
    Custom {
        /// Authority host, e.g. `http://127.0.0.1:4100` (tenant and path are appended).
        authority: Url,
        /// Graph base, e.g. `http://127.0.0.1:4100` (`/v1.0` and `/beta` are appended).
        graph: Url,
        /// The resource id scopes are prefixed with; defaults to `https://graph.microsoft.com`,
        /// which is also what the training tenant imitates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        graph_resource: Option<String>,
        /// The national cloud this one stands in for, whose documented features it has (a
        /// training tenant rehearsing a 21Vianet tenant). Unset: the global service's features.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stands_in_for: Option<NationalCloud>,
    },
}

/// The Microsoft clouds whose features Microsoft documents (the "National cloud availability"
/// table of each Graph API page: Global service, US Government L4, US Government L5 (DOD),
/// China operated by 21Vianet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NationalCloud {
    Global,
    UsGovernment,
    UsGovernmentDod,
    China,
}

impl NationalCloud {
    /// The cloud's name in plain words, as a sentence can use it ("in {name}").
    pub fn plain_name(self) -> &'static str {
        match self {
            NationalCloud::Global => "Microsoft's global cloud",
            NationalCloud::UsGovernment => "the US Government cloud (GCC High)",
            NationalCloud::UsGovernmentDod => "the US Government DoD cloud",
            NationalCloud::China => "the China cloud operated by 21Vianet",
        }
    }
}

impl Cloud {
    /// A custom cloud from two base URLs; both must be https, or http on loopback.
    pub fn custom(authority: &str, graph: &str) -> Result<Self> {
        Ok(Cloud::Custom {
            authority: parse_url(authority)?,
            graph: parse_url(graph)?,
            graph_resource: None,
            stands_in_for: None,
        })
    }

    /// The same cloud, standing in for `national` (only a custom cloud can; a named cloud is
    /// what it is and is returned unchanged).
    pub fn standing_in_for(self, national: NationalCloud) -> Self {
        match self {
            Cloud::Custom {
                authority,
                graph,
                graph_resource,
                ..
            } => Cloud::Custom {
                authority,
                graph,
                graph_resource,
                stands_in_for: Some(national),
            },
            named => named,
        }
    }

    /// Whose documented features this cloud has.
    pub fn national(&self) -> NationalCloud {
        match self {
            Cloud::Global => NationalCloud::Global,
            Cloud::UsGovernment => NationalCloud::UsGovernment,
            Cloud::UsGovernmentDod => NationalCloud::UsGovernmentDod,
            Cloud::China => NationalCloud::China,
            Cloud::Custom { stands_in_for, .. } => stands_in_for.unwrap_or(NationalCloud::Global),
        }
    }

    /// Short stable name, used in keychain keys and logs.
    pub fn key(&self) -> String {
        match self {
            Cloud::Global => "global".into(),
            Cloud::UsGovernment => "usgov".into(),
            Cloud::UsGovernmentDod => "usgovdod".into(),
            Cloud::China => "china".into(),
            Cloud::Custom { authority, .. } => {
                format!("custom:{}", authority.as_str().trim_end_matches('/'))
            }
        }
    }

    fn authority_base(&self) -> Url {
        match self {
            Cloud::Global => fixed("https://login.microsoftonline.com"),
            Cloud::UsGovernment | Cloud::UsGovernmentDod => {
                fixed("https://login.microsoftonline.us")
            }
            Cloud::China => fixed("https://login.chinacloudapi.cn"),
            Cloud::Custom { authority, .. } => authority.clone(),
        }
    }

    fn graph_base(&self) -> Url {
        match self {
            Cloud::Global => fixed("https://graph.microsoft.com"),
            Cloud::UsGovernment => fixed("https://graph.microsoft.us"),
            Cloud::UsGovernmentDod => fixed("https://dod-graph.microsoft.us"),
            Cloud::China => fixed("https://microsoftgraph.chinacloudapi.cn"),
            Cloud::Custom { graph, .. } => graph.clone(),
        }
    }

    /// The Graph resource identifier scopes are qualified with. Unqualified scopes mean the
    /// *global* Graph ("Scopes and permissions"), so sovereign clouds need the prefix.
    pub fn graph_resource(&self) -> String {
        match self {
            Cloud::Custom {
                graph_resource: Some(r),
                ..
            } => r.trim_end_matches('/').to_string(),
            Cloud::Custom { .. } | Cloud::Global => "https://graph.microsoft.com".into(),
            Cloud::UsGovernment => "https://graph.microsoft.us".into(),
            // national-clouds.md: scopes name the cloud's own Graph root.
            Cloud::UsGovernmentDod => "https://dod-graph.microsoft.us".into(),
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn".into(),
        }
    }

    /// All endpoints for one tenant.
    pub fn endpoints(&self, tenant: &TenantId) -> Result<Endpoints> {
        let authority = self.authority_base();
        let graph = self.graph_base();
        require_secure(&authority)?;
        require_secure(&graph)?;
        let identity = |tail: &str| -> Result<Url> {
            let mut url = authority.clone();
            url.path_segments_mut()
                .map_err(|_| Error::InvalidUrl {
                    value: authority.to_string(),
                    reason: "it cannot have a path".into(),
                })?
                .pop_if_empty()
                .push(tenant.as_str())
                .extend(tail.split('/'));
            Ok(url)
        };
        let graph_version = |version: &str| -> Result<Url> {
            let mut url = graph.clone();
            url.path_segments_mut()
                .map_err(|_| Error::InvalidUrl {
                    value: graph.to_string(),
                    reason: "it cannot have a path".into(),
                })?
                .pop_if_empty()
                .push(version);
            Ok(url)
        };
        Ok(Endpoints {
            authorize: identity("oauth2/v2.0/authorize")?,
            token: identity("oauth2/v2.0/token")?,
            device_code: identity("oauth2/v2.0/devicecode")?,
            graph_v1: graph_version("v1.0")?,
            graph_beta: graph_version("beta")?,
            graph_resource: self.graph_resource(),
        })
    }
}

fn fixed(s: &str) -> Url {
    // Only called with the literals above (covered by the unit tests), never with input.
    Url::parse(s).expect("static URL literal")
}

fn parse_url(s: &str) -> Result<Url> {
    let url = Url::parse(s).map_err(|e| Error::InvalidUrl {
        value: s.to_string(),
        reason: e.to_string(),
    })?;
    require_secure(&url)?;
    Ok(url)
}

/// Every endpoint this crate talks to, derived once from a [`Cloud`] and a [`TenantId`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: Url,
    pub token: Url,
    pub device_code: Url,
    /// `{graph}/v1.0`, no trailing slash.
    pub graph_v1: Url,
    /// `{graph}/beta`, no trailing slash.
    pub graph_beta: Url,
    /// Prefix for Graph scopes (`{resource}/User.Read.All`).
    pub graph_resource: String,
}

impl Endpoints {
    /// Qualifies a Graph permission name for this cloud; OpenID scopes stay bare.
    pub fn graph_scope(&self, permission: &str) -> String {
        match permission {
            "openid" | "profile" | "offline_access" | "email" => permission.to_string(),
            p if p.contains("://") => p.to_string(),
            p => format!("{}/{}", self.graph_resource, p),
        }
    }
}

/// True for `localhost`, `127.0.0.0/8` and `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The transport rule of ARCHITECTURE.md: https everywhere, plain http only to loopback.
pub fn require_secure(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        _ => Err(Error::InsecureUrl {
            url: url.to_string(),
        }),
    }
}

/// A tenant: its GUID, a verified domain, or `organizations` (any work or school account).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(value: &str) -> Result<Self> {
        let v = value.trim();
        let invalid = || Error::InvalidTenantId {
            value: value.to_string(),
        };
        if uuid::Uuid::parse_str(v).is_ok() && v.len() == 36 {
            return Ok(Self(v.to_ascii_lowercase()));
        }
        if v.eq_ignore_ascii_case("organizations") || v.eq_ignore_ascii_case("common") {
            return Ok(Self(v.to_ascii_lowercase()));
        }
        // A DNS name: labels of letters, digits and hyphens, at least one dot.
        let labels: Vec<&str> = v.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if labels.len() >= 2 && labels.iter().all(label_ok) && v.len() <= 253 {
            return Ok(Self(v.to_ascii_lowercase()));
        }
        Err(invalid())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for a tenant GUID (as opposed to a domain or `organizations`).
    pub fn is_guid(&self) -> bool {
        uuid::Uuid::parse_str(&self.0).is_ok()
    }
}

impl FromStr for TenantId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<String> for TenantId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<TenantId> for String {
    fn from(t: TenantId) -> String {
        t.0
    }
}

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An application (client) id: always a GUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(value: &str) -> Result<Self> {
        let v = value.trim();
        match uuid::Uuid::parse_str(v) {
            Ok(_) if v.len() == 36 => Ok(Self(v.to_ascii_lowercase())),
            _ => Err(Error::InvalidClientId {
                value: value.to_string(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ClientId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ClientId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<ClientId> for String {
    fn from(t: ClientId) -> String {
        t.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> TenantId {
        TenantId::parse("8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71").unwrap()
    }

    #[test]
    fn global_endpoints() {
        let e = Cloud::Global.endpoints(&tenant()).unwrap();
        assert_eq!(
            e.authorize.as_str(),
            "https://login.microsoftonline.com/8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71/oauth2/v2.0/authorize"
        );
        assert_eq!(
            e.device_code.as_str(),
            "https://login.microsoftonline.com/8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71/oauth2/v2.0/devicecode"
        );
        assert_eq!(e.graph_v1.as_str(), "https://graph.microsoft.com/v1.0");
        assert_eq!(e.graph_beta.as_str(), "https://graph.microsoft.com/beta");
        assert_eq!(
            e.graph_scope("User.Read.All"),
            "https://graph.microsoft.com/User.Read.All"
        );
        assert_eq!(e.graph_scope("offline_access"), "offline_access");
    }

    #[test]
    fn sovereign_clouds_qualify_scopes_with_their_own_graph() {
        let us = Cloud::UsGovernment.endpoints(&tenant()).unwrap();
        assert_eq!(us.graph_v1.as_str(), "https://graph.microsoft.us/v1.0");
        assert!(us
            .token
            .as_str()
            .starts_with("https://login.microsoftonline.us/"));
        assert_eq!(
            us.graph_scope("AuditLog.Read.All"),
            "https://graph.microsoft.us/AuditLog.Read.All"
        );
        let cn = Cloud::China.endpoints(&tenant()).unwrap();
        assert_eq!(
            cn.graph_v1.as_str(),
            "https://microsoftgraph.chinacloudapi.cn/v1.0"
        );
        assert!(cn
            .authorize
            .as_str()
            .starts_with("https://login.chinacloudapi.cn/"));
    }

    /// Every named cloud's endpoints, as deployments.md and national-clouds.md give them.
    #[test]
    fn every_named_cloud_has_its_documented_endpoints() {
        let t = "8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71";
        let cases = [
            (
                Cloud::Global,
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
            ),
            (
                Cloud::UsGovernment,
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
            ),
            (
                Cloud::UsGovernmentDod,
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
            ),
            (
                Cloud::China,
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
            ),
        ];
        for (cloud, login, graph) in cases {
            let e = cloud.endpoints(&tenant()).unwrap();
            assert_eq!(
                e.authorize.as_str(),
                format!("{login}/{t}/oauth2/v2.0/authorize"),
                "{cloud:?}"
            );
            assert_eq!(
                e.token.as_str(),
                format!("{login}/{t}/oauth2/v2.0/token"),
                "{cloud:?}"
            );
            assert_eq!(
                e.device_code.as_str(),
                format!("{login}/{t}/oauth2/v2.0/devicecode"),
                "{cloud:?}"
            );
            assert_eq!(e.graph_v1.as_str(), format!("{graph}/v1.0"), "{cloud:?}");
            assert_eq!(e.graph_beta.as_str(), format!("{graph}/beta"), "{cloud:?}");
            assert_eq!(
                e.graph_scope("User.Read.All"),
                format!("{graph}/User.Read.All"),
                "{cloud:?}"
            );
            assert_eq!(
                e.graph_scope(".default"),
                format!("{graph}/.default"),
                "{cloud:?}"
            );
        }
        // Keychain keys tell the two US Government clouds apart (different tokens).
        assert_ne!(Cloud::UsGovernment.key(), Cloud::UsGovernmentDod.key());
    }

    #[test]
    fn the_dod_cloud_has_its_own_name_and_the_old_names_are_unchanged() {
        let dod: Cloud = serde_json::from_str(r#""usGovernmentDod""#).unwrap();
        assert_eq!(dod, Cloud::UsGovernmentDod);
        for (cloud, name) in [
            (Cloud::Global, "global"),
            (Cloud::UsGovernment, "usGovernment"),
            (Cloud::China, "china"),
        ] {
            assert_eq!(serde_json::to_value(&cloud).unwrap(), name);
        }
    }

    #[test]
    fn a_custom_cloud_can_stand_in_for_a_national_cloud() {
        let c = Cloud::custom("http://127.0.0.1:4100", "http://127.0.0.1:4100").unwrap();
        assert_eq!(c.national(), NationalCloud::Global);
        let china = c.clone().standing_in_for(NationalCloud::China);
        assert_eq!(china.national(), NationalCloud::China);
        assert_eq!(
            china.endpoints(&tenant()).unwrap(),
            c.endpoints(&tenant()).unwrap()
        );
        let json = serde_json::to_string(&china).unwrap();
        assert!(json.contains(r#""standsInFor":"china""#), "{json}");
        // Without it, a custom cloud's JSON is as before.
        assert!(!serde_json::to_string(&c).unwrap().contains("standsInFor"));
        assert_eq!(
            Cloud::Global.standing_in_for(NationalCloud::China),
            Cloud::Global
        );
    }

    #[test]
    fn custom_cloud_on_loopback_is_allowed_and_paths_join_cleanly() {
        let c = Cloud::custom("http://127.0.0.1:4100/", "http://127.0.0.1:4100").unwrap();
        let e = c.endpoints(&tenant()).unwrap();
        assert_eq!(
            e.token.as_str(),
            "http://127.0.0.1:4100/8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71/oauth2/v2.0/token"
        );
        assert_eq!(e.graph_v1.as_str(), "http://127.0.0.1:4100/v1.0");
    }

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        let err =
            Cloud::custom("http://login.example.com", "https://graph.example.com").unwrap_err();
        assert_eq!(err.code(), "config.insecure_url");
        assert!(Cloud::custom("http://localhost:1", "http://[::1]:2").is_ok());
        assert!(Cloud::custom("ftp://127.0.0.1", "https://g").is_err());
    }

    #[test]
    fn tenant_and_client_ids_are_validated() {
        assert!(TenantId::parse("contoso.onmicrosoft.com").is_ok());
        assert!(TenantId::parse("organizations").is_ok());
        assert!(TenantId::parse("not a tenant").is_err());
        assert!(TenantId::parse("8d7c2a51-0c3e-4b8f-9f4e").is_err());
        assert_eq!(
            TenantId::parse("x y").unwrap_err().code(),
            "config.invalid_tenant_id"
        );
        assert!(ClientId::parse("04b07795-8ddb-461a-bbee-02f9e1bf7b46").is_ok());
        assert_eq!(
            ClientId::parse("my-app").unwrap_err().code(),
            "config.invalid_client_id"
        );
    }

    #[test]
    fn cloud_config_round_trips() {
        let json =
            r#"{"custom":{"authority":"http://127.0.0.1:9/","graph":"http://127.0.0.1:9/"}}"#;
        let c: Cloud = serde_json::from_str(json).unwrap();
        assert!(matches!(c, Cloud::Custom { .. }));
        let g: Cloud = serde_json::from_str(r#""usGovernment""#).unwrap();
        assert_eq!(g, Cloud::UsGovernment);
    }
}
