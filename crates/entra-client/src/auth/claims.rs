//! Reading (not verifying) the claims of an access token.
//!
//! The token is verified by Graph, which is the only party that has to trust it. We read `scp`,
//! `roles`, `wids` and the account names to explain to the person what they can do (the
//! preflight) and whose sign-in this is. Nothing is *authorized* on the strength of these claims.

use base64::Engine;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::permissions::GrantedAccess;

/// The claims this crate uses ("Access token claims reference").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AccessTokenClaims {
    /// Tenant id.
    #[serde(default)]
    pub tid: Option<String>,
    /// Object id of the signed-in user.
    #[serde(default)]
    pub oid: Option<String>,
    #[serde(default)]
    pub upn: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub unique_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Delegated permissions, space-separated.
    #[serde(default)]
    pub scp: Option<String>,
    /// Application permissions (app-only tokens).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Directory role template ids of the signed-in user.
    #[serde(default)]
    pub wids: Vec<String>,
    #[serde(default)]
    pub exp: Option<i64>,
}

impl AccessTokenClaims {
    /// Decodes the payload of a JWS compact token without checking its signature.
    pub fn decode_unverified(token: &str) -> Result<Self> {
        let malformed = |detail: &str| Error::MalformedToken {
            detail: detail.to_string(),
        };
        let mut parts = token.split('.');
        let (Some(_header), Some(payload)) = (parts.next(), parts.next()) else {
            return Err(malformed("not a JWT"));
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| malformed("payload is not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|e| malformed(&format!("payload is not JSON: {e}")))
    }

    /// The name to show and to key the token cache with: UPN, else preferred_username, else oid.
    pub fn account(&self) -> String {
        self.upn
            .clone()
            .or_else(|| self.preferred_username.clone())
            .or_else(|| self.unique_name.clone())
            .or_else(|| self.oid.clone())
            .unwrap_or_else(|| "unknown".into())
    }

    pub fn granted_access(&self) -> GrantedAccess {
        GrantedAccess {
            scopes: self
                .scp
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            role_ids: self.wids.clone(),
            app_roles: self.roles.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            b.encode(r#"{"alg":"RS256"}"#),
            b.encode(payload)
        )
    }

    #[test]
    fn reads_scopes_roles_and_account() {
        let t = token(
            r#"{"tid":"t","oid":"o","upn":"helpdesk@contoso.com","scp":"User.Read.All User.EnableDisableAccount.All","wids":["fe930be7-5e62-47db-91af-98c3a49a38b1","b79fbf4d-3ef9-4689-8143-76b194e85509"]}"#,
        );
        let c = AccessTokenClaims::decode_unverified(&t).unwrap();
        assert_eq!(c.account(), "helpdesk@contoso.com");
        let a = c.granted_access();
        assert_eq!(a.scopes.len(), 2);
        assert_eq!(
            a.known_roles(),
            vec![crate::permissions::Role::UserAdministrator]
        );
    }

    #[test]
    fn garbage_is_a_clear_error() {
        assert_eq!(
            AccessTokenClaims::decode_unverified("opaque")
                .unwrap_err()
                .code(),
            "sign_in.malformed_token"
        );
        assert!(AccessTokenClaims::decode_unverified("a.!!!.c").is_err());
    }
}
