//! Pending and granted sign-ins: authorization codes, refresh tokens and device codes.

use std::collections::HashMap;
use std::time::Instant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::{Rng, RngCore};

/// An authorization code waiting to be redeemed (codes live about 10 minutes, auth-code doc).
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// What a refresh token grants. Refresh tokens are not revoked when used (auth-code doc); they stop
/// working when the user's sign-in sessions are revoked after `issued_at`.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceDecision {
    Pending,
    Approved {
        user_id: String,
    },
    Declined,
    /// Redeemed once; further polls are `invalid_grant`.
    Redeemed,
}

#[derive(Debug, Clone)]
pub struct DeviceGrant {
    pub device_code: String,
    pub user_code: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub last_poll: Option<Instant>,
    pub decision: DeviceDecision,
}

#[derive(Debug, Default)]
pub struct Sessions {
    pub codes: HashMap<String, AuthCode>,
    pub refresh: HashMap<String, RefreshGrant>,
    /// By device code.
    pub devices: HashMap<String, DeviceGrant>,
}

impl Sessions {
    /// Forgets authorization and device codes that expired more than an hour ago (virtual
    /// time); recently expired ones are kept so that their use is answered "expired".
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let horizon = now - chrono::Duration::hours(1);
        self.codes.retain(|_, c| c.expires_at >= horizon);
        self.devices.retain(|_, d| d.expires_at >= horizon);
    }

    pub fn device_by_user_code(&mut self, user_code: &str) -> Option<&mut DeviceGrant> {
        let wanted: String = user_code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        self.devices.values_mut().find(|d| d.user_code == wanted)
    }
}

/// An opaque random token of `bytes` random bytes, base64url.
pub fn opaque(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// An 8-letter user code like Entra's (`YZMYLD4K`), without easily confused characters.
pub fn user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}
