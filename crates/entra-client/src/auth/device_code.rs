//! The device authorization grant ("device code flow", graph-api.md §1.4).
//!
//! The person opens `verification_uri` on any device and types `user_code`. We show Microsoft's
//! `message` verbatim (it is localised and names the current URL — `microsoft.com/devicelogin`
//! became `www.microsoft.com/link`; never hard-code it) and poll the token endpoint at the given
//! interval. `authorization_pending` and `slow_down` (+5 s, RFC 8628 §3.5; not documented by
//! Entra but honoured) are handled by the `oauth2` crate's poller; `expired_token` and
//! `authorization_declined` (Entra's spelling of `access_denied`) end the flow.

use std::time::Duration;

use chrono::{DateTime, Utc};
use oauth2::{DeviceAuthorizationResponse, ExtraDeviceAuthorizationFields};
use serde::{Deserialize, Serialize};

use super::{token_error, Authenticator, TokenSet};
use crate::error::{Error, Result};

/// Entra's extra field in the device authorization answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EntraDeviceFields {
    #[serde(default)]
    pub message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for EntraDeviceFields {}

/// What to show the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// Microsoft's own sentence, e.g. "To sign in, use a web browser to open the page … and enter
    /// the code … to authenticate."
    pub message: String,
    pub expires_at: DateTime<Utc>,
}

/// A device-code sign-in waiting for the person.
pub struct PendingDeviceCode {
    auth: Authenticator,
    details: DeviceAuthorizationResponse<EntraDeviceFields>,
    prompt: DeviceCodePrompt,
}

impl std::fmt::Debug for PendingDeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingDeviceCode")
            .field("prompt", &self.prompt)
            .finish()
    }
}

impl Authenticator {
    /// Asks for a device code.
    pub async fn start_device_code(&self) -> Result<PendingDeviceCode> {
        let details: DeviceAuthorizationResponse<EntraDeviceFields> = self
            .oauth
            .exchange_device_code()
            .add_scopes(self.scopes())
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let verification_uri = details.verification_uri().to_string();
        let user_code = details.user_code().secret().clone();
        let message = details.extra_fields().message.clone().unwrap_or_else(|| {
            format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate.")
        });
        let expires_at = Utc::now()
            + chrono::Duration::from_std(details.expires_in())
                .unwrap_or(chrono::Duration::minutes(15));
        Ok(PendingDeviceCode {
            auth: self.clone(),
            prompt: DeviceCodePrompt {
                user_code,
                verification_uri,
                message,
                expires_at,
            },
            details,
        })
    }
}

impl PendingDeviceCode {
    pub fn prompt(&self) -> &DeviceCodePrompt {
        &self.prompt
    }

    /// The interval Microsoft asked us to poll at.
    pub fn interval(&self) -> Duration {
        self.details.interval()
    }

    /// Polls until the person finishes, declines, or the code expires.
    pub async fn finish(self) -> Result<TokenSet> {
        let resp = self
            .auth
            .oauth
            .exchange_device_access_token(&self.details)
            .request_async(&self.auth.http, tokio::time::sleep, None)
            .await
            .map_err(|e| match token_error(e) {
                Error::Identity(i) => match i.error.as_str() {
                    "expired_token" | "code_expired" => Error::DeviceCodeExpired,
                    "authorization_declined" | "access_denied" => Error::DeviceCodeDeclined,
                    _ => Error::Identity(i),
                },
                other => other,
            })?;
        Ok(TokenSet::from_response(&resp, None))
    }
}
