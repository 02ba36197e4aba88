//! Where tokens survive an app restart: the OS keychain, and nowhere else.
//!
//! * `keyring` 3 with its native backends (Secret Service on Linux, Keychain on macOS,
//!   Credential Manager on Windows). Without those features keyring silently falls back to an
//!   in-memory mock (STYLE.md "Known pitfalls"); the workspace enables them.
//! * Entries are keyed by cloud + tenant + client + account; one more entry per cloud + tenant +
//!   client remembers which account signed in last.
//! * When no keychain is reachable (headless Linux without a Secret Service) [`TokenCache::keychain`]
//!   fails with [`Error::KeychainUnavailable`]; the caller may then choose
//!   [`TokenCache::session_only`], which keeps tokens in memory for this process only.
//!   Nothing is ever written to a file.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The keychain "service" name of every entry of this app.
pub const KEYCHAIN_SERVICE: &str = "provisioning-desk";

/// Which sign-in an entry belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub cloud: String,
    pub tenant: String,
    pub client_id: String,
    pub account: String,
}

impl CacheKey {
    fn user(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.cloud,
            self.tenant,
            self.client_id,
            self.account.to_ascii_lowercase()
        )
    }

    fn last_account_user(&self) -> String {
        format!(
            "{}|{}|{}|@last-account",
            self.cloud, self.tenant, self.client_id
        )
    }
}

/// What is stored per account. `Debug` never prints the tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedTokens {
    pub account: String,
    pub refresh_token: String,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub access_token_expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl fmt::Debug for CachedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedTokens")
            .field("account", &self.account)
            .field("refresh_token", &"<redacted>")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .field("access_token_expires_at", &self.access_token_expires_at)
            .finish()
    }
}

/// The token store.
#[derive(Clone)]
pub enum TokenCache {
    /// The OS keychain, under this service name.
    Keychain { service: String },
    /// Memory of this process only ("sign in for this session only").
    SessionOnly(Arc<Mutex<HashMap<String, String>>>),
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenCache::Keychain { service } => write!(f, "TokenCache::Keychain({service})"),
            TokenCache::SessionOnly(_) => f.write_str("TokenCache::SessionOnly"),
        }
    }
}

fn keychain_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            Error::KeychainUnavailable {
                detail: inner.to_string(),
            }
        }
        other => Error::Keychain {
            detail: other.to_string(),
        },
    }
}

impl TokenCache {
    /// The OS keychain, after checking that it answers.
    pub fn keychain() -> Result<Self> {
        Self::keychain_with_service(KEYCHAIN_SERVICE)
    }

    /// The OS keychain under another service name (tests use their own).
    pub fn keychain_with_service(service: &str) -> Result<Self> {
        let cache = TokenCache::Keychain {
            service: service.to_string(),
        };
        cache.probe()?;
        Ok(cache)
    }

    /// Memory only; lost when the app exits.
    pub fn session_only() -> Self {
        TokenCache::SessionOnly(Arc::new(Mutex::new(HashMap::new())))
    }

    /// Whether a sign-in survives an app restart.
    pub fn is_persistent(&self) -> bool {
        matches!(self, TokenCache::Keychain { .. })
    }

    /// Reads an entry that does not exist: "no entry" proves the keychain answers.
    fn probe(&self) -> Result<()> {
        match self.read_secret("@probe") {
            Ok(_) => Ok(()),
            Err(Error::Keychain { detail }) => Err(Error::KeychainUnavailable { detail }),
            Err(e) => Err(e),
        }
    }

    /// Stores a secret under `name`.
    pub fn store_secret(&self, name: &str, secret: &str) -> Result<()> {
        match self {
            TokenCache::Keychain { service } => keyring::Entry::new(service, name)
                .and_then(|e| e.set_password(secret))
                .map_err(keychain_error),
            TokenCache::SessionOnly(map) => {
                map.lock()
                    .map_err(|_| Error::Keychain {
                        detail: "session store poisoned".into(),
                    })?
                    .insert(name.to_string(), secret.to_string());
                Ok(())
            }
        }
    }

    /// Reads the secret under `name`; `None` when there is none.
    pub fn read_secret(&self, name: &str) -> Result<Option<String>> {
        match self {
            TokenCache::Keychain { service } => {
                match keyring::Entry::new(service, name).and_then(|e| e.get_password()) {
                    Ok(s) => Ok(Some(s)),
                    Err(keyring::Error::NoEntry) => Ok(None),
                    Err(e) => Err(keychain_error(e)),
                }
            }
            TokenCache::SessionOnly(map) => Ok(map
                .lock()
                .map_err(|_| Error::Keychain {
                    detail: "session store poisoned".into(),
                })?
                .get(name)
                .cloned()),
        }
    }

    /// Deletes the secret under `name`; deleting what is not there is fine.
    pub fn delete_secret(&self, name: &str) -> Result<()> {
        match self {
            TokenCache::Keychain { service } => {
                match keyring::Entry::new(service, name).and_then(|e| e.delete_credential()) {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(keychain_error(e)),
                }
            }
            TokenCache::SessionOnly(map) => {
                map.lock()
                    .map_err(|_| Error::Keychain {
                        detail: "session store poisoned".into(),
                    })?
                    .remove(name);
                Ok(())
            }
        }
    }

    /// Saves the tokens of one account and remembers it as the last one.
    pub fn save(&self, key: &CacheKey, tokens: &CachedTokens) -> Result<()> {
        let json = serde_json::to_string(tokens).map_err(|e| Error::Keychain {
            detail: e.to_string(),
        })?;
        self.store_secret(&key.user(), &json)?;
        self.store_secret(&key.last_account_user(), &key.account)
    }

    /// The tokens of one account, if stored. An unreadable entry is treated as absent.
    pub fn load(&self, key: &CacheKey) -> Result<Option<CachedTokens>> {
        Ok(self
            .read_secret(&key.user())?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// The account that signed in last for this cloud + tenant + client.
    pub fn last_account(&self, key: &CacheKey) -> Result<Option<String>> {
        self.read_secret(&key.last_account_user())
    }

    /// Forgets the account's tokens (and the last-account pointer if it names this account).
    pub fn forget(&self, key: &CacheKey) -> Result<()> {
        self.delete_secret(&key.user())?;
        if self
            .last_account(key)?
            .is_some_and(|a| a.eq_ignore_ascii_case(&key.account))
        {
            self.delete_secret(&key.last_account_user())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(account: &str) -> CacheKey {
        CacheKey {
            cloud: "global".into(),
            tenant: "t".into(),
            client_id: "c".into(),
            account: account.into(),
        }
    }

    #[test]
    fn session_only_cache_round_trips_and_forgets() {
        let cache = TokenCache::session_only();
        assert!(!cache.is_persistent());
        let k = key("Helpdesk@Contoso.com");
        let t = CachedTokens {
            account: k.account.clone(),
            refresh_token: "rt-secret".into(),
            access_token: None,
            access_token_expires_at: None,
            scopes: vec![],
        };
        cache.save(&k, &t).unwrap();
        assert_eq!(cache.load(&k).unwrap(), Some(t.clone()));
        assert_eq!(
            cache.last_account(&k).unwrap().as_deref(),
            Some("Helpdesk@Contoso.com")
        );
        // Keys are case-insensitive in the account part.
        assert!(cache.load(&key("helpdesk@contoso.com")).unwrap().is_some());
        cache.forget(&k).unwrap();
        assert_eq!(cache.load(&k).unwrap(), None);
        assert_eq!(cache.last_account(&k).unwrap(), None);
    }

    #[test]
    fn debug_never_shows_tokens() {
        let t = CachedTokens {
            account: "a".into(),
            refresh_token: "rt-secret".into(),
            access_token: Some("at-secret".into()),
            access_token_expires_at: None,
            scopes: vec![],
        };
        let s = format!("{t:?}");
        assert!(!s.contains("secret"), "{s}");
    }
}
