//! Sign-in with the Microsoft identity platform v2.0 through the `oauth2` crate.
//!
//! * [`pkce_loopback`]: authorization code + PKCE (S256) in the system browser, answered on a
//!   loopback listener (graph-api.md §1.2, §1.5).
//! * [`device_code`]: the device authorization grant for machines without a usable browser (§1.4).
//! * [`session`]: a signed-in [`Session`] that refreshes before expiry, keeps rotated refresh
//!   tokens in the [`TokenCache`], and is the [`crate::graph::TokenProvider`] of a `Graph`.
//!
//! This is a *public client*: no secret is ever sent ("Allow public client flows" must be on).

pub mod claims;
pub mod device_code;
pub mod pkce_loopback;
pub mod session;
pub mod token_cache;

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthUrl, ClientId as OAuthClientId, DeviceAuthorizationUrl, EndpointNotSet, EndpointSet,
    ErrorResponseType, HttpClientError, RefreshToken, RequestTokenError, StandardErrorResponse,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::cloud::{ClientId, Cloud, Endpoints, TenantId};
use crate::error::{Error, IdentityError, RequestIds, Result};
pub use claims::AccessTokenClaims;
pub use session::Session;
pub use token_cache::{CacheKey, CachedTokens, TokenCache};

/// Who signs in where, asking for which Graph permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInConfig {
    pub cloud: Cloud,
    pub tenant: TenantId,
    pub client_id: ClientId,
    /// Graph permission names (`User.Read.All`); qualified for the cloud when requested.
    pub permissions: Vec<String>,
}

impl SignInConfig {
    /// A configuration asking for every least-privileged permission the procedures use.
    pub fn new(cloud: Cloud, tenant: TenantId, client_id: ClientId) -> Self {
        Self {
            cloud,
            tenant,
            client_id,
            permissions: crate::permissions::all_least_privileged_permissions()
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }
}

pub(crate) type OAuthClient =
    BasicClient<EndpointSet, EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Tokens of one sign-in. `Debug` never prints the tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSet {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub obtained_at: DateTime<Utc>,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_at", &self.expires_at)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl TokenSet {
    fn from_response(resp: &BasicTokenResponse, previous_refresh: Option<&str>) -> Self {
        let now = Utc::now();
        let lifetime = resp.expires_in().unwrap_or(Duration::from_secs(3600));
        Self {
            access_token: resp.access_token().secret().clone(),
            expires_at: now
                + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::hours(1)),
            obtained_at: now,
            // Refresh-token rotation: a new one replaces the old; keep the old only if none came.
            refresh_token: resp
                .refresh_token()
                .map(|r| r.secret().clone())
                .or_else(|| previous_refresh.map(str::to_string)),
            scopes: resp
                .scopes()
                .map(|s| s.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default(),
        }
    }

    /// Parses a token-endpoint success body (as documented for the auth-code and device-code
    /// flows).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        let resp: BasicTokenResponse =
            serde_json::from_slice(body).map_err(|e| Error::UnexpectedResponse {
                detail: format!("not a token response: {e}"),
                ids: RequestIds::default(),
            })?;
        Ok(Self::from_response(&resp, None))
    }

    /// Refresh this long before expiry: 5 minutes, or a quarter of a short lifetime.
    pub fn refresh_margin(&self) -> chrono::Duration {
        let lifetime = self.expires_at - self.obtained_at;
        (lifetime / 4).min(chrono::Duration::minutes(5))
    }

    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        now + self.refresh_margin() >= self.expires_at
    }

    pub fn claims(&self) -> Result<AccessTokenClaims> {
        AccessTokenClaims::decode_unverified(&self.access_token)
    }
}

/// Talks to the identity platform for one [`SignInConfig`].
#[derive(Clone)]
pub struct Authenticator {
    config: SignInConfig,
    endpoints: Endpoints,
    http: reqwest::Client,
    oauth: OAuthClient,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("config", &self.config)
            .finish()
    }
}

fn oauth_url<T>(
    make: impl FnOnce(String) -> std::result::Result<T, url::ParseError>,
    url: &url::Url,
) -> Result<T> {
    make(url.to_string()).map_err(|e| Error::InvalidUrl {
        value: url.to_string(),
        reason: e.to_string(),
    })
}

impl Authenticator {
    /// Validates the endpoints (https, or http on loopback) and prepares the OAuth client.
    pub fn new(config: SignInConfig, http: reqwest::Client) -> Result<Self> {
        let endpoints = config.cloud.endpoints(&config.tenant)?;
        let oauth = BasicClient::new(OAuthClientId::new(config.client_id.to_string()))
            .set_auth_uri(oauth_url(AuthUrl::new, &endpoints.authorize)?)
            .set_token_uri(oauth_url(TokenUrl::new, &endpoints.token)?)
            .set_device_authorization_url(oauth_url(
                DeviceAuthorizationUrl::new,
                &endpoints.device_code,
            )?);
        Ok(Self {
            config,
            endpoints,
            http,
            oauth,
        })
    }

    pub fn config(&self) -> &SignInConfig {
        &self.config
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `openid profile offline_access` + the Graph permissions qualified for the cloud.
    pub fn scopes(&self) -> Vec<oauth2::Scope> {
        ["openid", "profile", "offline_access"]
            .into_iter()
            .map(String::from)
            .chain(
                self.config
                    .permissions
                    .iter()
                    .map(|p| self.endpoints.graph_scope(p)),
            )
            .map(oauth2::Scope::new)
            .collect()
    }

    /// Redeems a refresh token. The answer carries a new refresh token, which replaces the old.
    /// `invalid_grant` (expired, revoked, sessions revoked by an admin) means: sign in again.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet> {
        let rt = RefreshToken::new(refresh_token.to_string());
        let resp = self
            .oauth
            .exchange_refresh_token(&rt)
            .add_scopes(self.scopes())
            .request_async(&self.http)
            .await
            .map_err(|e| match token_error(e) {
                Error::Identity(i)
                    if i.error == "invalid_grant" || i.error == "interaction_required" =>
                {
                    Error::ReauthenticationRequired {
                        detail: i.aadsts.map(|c| format!("AADSTS{c}")).unwrap_or(i.error),
                    }
                }
                other => other,
            })?;
        Ok(TokenSet::from_response(&resp, Some(refresh_token)))
    }

    /// The cache key for an account of this configuration.
    pub fn cache_key(&self, account: &str) -> CacheKey {
        CacheKey {
            cloud: self.config.cloud.key(),
            tenant: self.config.tenant.to_string(),
            client_id: self.config.client_id.to_string(),
            account: account.to_string(),
        }
    }
}

/// Maps an `oauth2` token error to ours, keeping the AADSTS code and ids.
pub(crate) fn token_error<T>(
    e: RequestTokenError<HttpClientError<reqwest::Error>, StandardErrorResponse<T>>,
) -> Error
where
    T: ErrorResponseType + AsRef<str> + std::fmt::Display + 'static,
{
    match e {
        RequestTokenError::ServerResponse(r) => Error::Identity(IdentityError::from_parts(
            r.error().as_ref(),
            r.error_description().map(String::as_str),
        )),
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => Error::Network {
            host: e
                .url()
                .and_then(|u| u.host_str())
                .unwrap_or("the sign-in service")
                .to_string(),
            detail: e.to_string(),
            ids: RequestIds::default(),
        },
        RequestTokenError::Request(other) => Error::Network {
            host: "the sign-in service".into(),
            detail: other.to_string(),
            ids: RequestIds::default(),
        },
        RequestTokenError::Parse(err, body) => match IdentityError::from_body(&body) {
            // An error body the crate could not type (e.g. an unknown `error` value) still
            // carries the AADSTS details.
            Some(identity) => Error::Identity(identity),
            None => Error::UnexpectedResponse {
                detail: format!("the sign-in service's answer could not be read: {err}"),
                ids: RequestIds::default(),
            },
        },
        RequestTokenError::Other(detail) => Error::UnexpectedResponse {
            detail,
            ids: RequestIds::default(),
        },
    }
}
