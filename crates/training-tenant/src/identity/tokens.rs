//! Access and ID tokens: RS256 JWTs shaped like the ones Entra issues for Microsoft Graph.

use chrono::Utc;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::SigningKeys;

/// The audience of Graph access tokens (v1-style resource URI, as Graph tokens carry).
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";
/// Microsoft Graph's well-known application id, also accepted as audience.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Claims of an access token for Microsoft Graph.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub tid: String,
    /// Object id of the user (delegated) or of the client's service principal (app-only).
    pub oid: String,
    pub sub: String,
    pub appid: String,
    pub app_displayname: String,
    /// `user` or `app`.
    pub idtyp: String,
    pub ver: String,
    pub uti: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Delegated permissions, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    /// Application permissions (app-only tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Directory role template ids of the signed-in user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wids: Option<Vec<String>>,
}

impl AccessClaims {
    pub fn is_app_only(&self) -> bool {
        self.idtyp == "app"
    }

    /// The permissions the token carries: `scp` entries or `roles`.
    pub fn permissions(&self) -> Vec<&str> {
        match (&self.scp, &self.roles) {
            (Some(scp), _) => scp.split(' ').filter(|s| !s.is_empty()).collect(),
            (None, Some(roles)) => roles.iter().map(String::as_str).collect(),
            (None, None) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub tid: String,
    pub oid: String,
    pub sub: String,
    pub name: String,
    pub preferred_username: String,
    pub ver: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// Seconds since the epoch, real time (clients compare `exp` with their own clock).
pub fn now_epoch() -> i64 {
    Utc::now().timestamp()
}

pub fn sign<T: Serialize>(keys: &SigningKeys, claims: &T) -> Option<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(keys.kid.clone());
    header.x5t = Some(keys.kid.clone());
    jsonwebtoken::encode(&header, claims, &keys.encoding).ok()
}

/// Why an access token was rejected, with the message Graph gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRejection {
    Missing,
    Expired,
    Invalid(&'static str),
}

impl TokenRejection {
    pub fn message(&self) -> &'static str {
        match self {
            TokenRejection::Missing => "Access token is empty.",
            TokenRejection::Expired => "Access token has expired or is not yet valid.",
            TokenRejection::Invalid(m) => m,
        }
    }
}

pub fn verify_access_token(
    keys: &SigningKeys,
    issuer: &str,
    token: &str,
) -> Result<AccessClaims, TokenRejection> {
    use jsonwebtoken::errors::ErrorKind;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[GRAPH_AUDIENCE, GRAPH_APP_ID]);
    validation.set_issuer(&[issuer]);
    validation.leeway = 0;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "nbf", "aud", "iss"]);
    match jsonwebtoken::decode::<AccessClaims>(token, &keys.decoding, &validation) {
        Ok(data) => Ok(data.claims),
        Err(e) => Err(match e.kind() {
            ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => TokenRejection::Expired,
            ErrorKind::InvalidAudience => {
                TokenRejection::Invalid("Access token validation failure. Invalid audience.")
            }
            ErrorKind::InvalidSignature => {
                TokenRejection::Invalid("Access token validation failure. Invalid signature.")
            }
            _ => TokenRejection::Invalid("Access token validation failure."),
        }),
    }
}
