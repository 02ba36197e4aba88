//! A signed-in person: tokens kept fresh, the cache kept in step, a Graph client on top.
//!
//! Invariants:
//! * The access token is refreshed before it expires (5 minutes early, or a quarter of a short
//!   lifetime), and at once after Graph answered 401.
//! * Every refresh stores the rotated refresh token in the cache before it is used again.
//! * After [`Session::sign_out`] nothing of the sign-in is left, in memory or in the keychain.

use std::sync::Arc;

use chrono::Utc;
use futures::future::BoxFuture;
use tokio::sync::Mutex;

use super::{AccessTokenClaims, Authenticator, CacheKey, CachedTokens, TokenCache, TokenSet};
use crate::error::{Error, Result};
use crate::graph::{Graph, RetryPolicy, TokenProvider};
use crate::permissions::{preflight, Capability, GrantedAccess};

struct Inner {
    auth: Authenticator,
    cache: TokenCache,
    key: CacheKey,
    tokens: Mutex<Option<TokenSet>>,
    claims: std::sync::RwLock<AccessTokenClaims>,
}

/// A signed-in session. Cheap to clone.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.inner.key.account)
            .field("cache", &self.inner.cache)
            .finish()
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    // Keychain calls are synchronous (D-Bus, Security framework); keep them off the reactor.
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Keychain {
            detail: e.to_string(),
        })?
}

impl Session {
    /// Starts a session from fresh tokens (after browser or device-code sign-in) and saves them.
    pub async fn new(auth: Authenticator, cache: TokenCache, tokens: TokenSet) -> Result<Self> {
        let claims = tokens.claims()?;
        let key = auth.cache_key(&claims.account());
        let session = Self {
            inner: Arc::new(Inner {
                auth,
                cache,
                key,
                tokens: Mutex::new(None),
                claims: std::sync::RwLock::new(claims),
            }),
        };
        session.save(&tokens).await?;
        *session.inner.tokens.lock().await = Some(tokens);
        Ok(session)
    }

    /// Resumes the last account's session from the cache (after an app restart). `Ok(None)`
    /// when nothing is stored; [`Error::ReauthenticationRequired`] when the stored refresh token
    /// no longer works (the entry is then forgotten).
    pub async fn restore(auth: Authenticator, cache: TokenCache) -> Result<Option<Self>> {
        let probe = auth.cache_key("");
        let c = cache.clone();
        let Some(account) = blocking(move || c.last_account(&probe)).await? else {
            return Ok(None);
        };
        Self::restore_account(auth, cache, &account).await
    }

    /// Resumes a given account's session from the cache.
    pub async fn restore_account(
        auth: Authenticator,
        cache: TokenCache,
        account: &str,
    ) -> Result<Option<Self>> {
        let key = auth.cache_key(account);
        let (c, k) = (cache.clone(), key.clone());
        let Some(stored) = blocking(move || c.load(&k)).await? else {
            return Ok(None);
        };
        // Use the stored access token if it is still good; refresh otherwise.
        let reusable = match (&stored.access_token, stored.access_token_expires_at) {
            (Some(at), Some(exp)) => {
                let set = TokenSet {
                    access_token: at.clone(),
                    expires_at: exp,
                    obtained_at: Utc::now() - chrono::Duration::minutes(5),
                    refresh_token: Some(stored.refresh_token.clone()),
                    scopes: stored.scopes.clone(),
                };
                (!set.needs_refresh(Utc::now())).then_some(set)
            }
            _ => None,
        };
        let tokens = match reusable {
            Some(t) => t,
            None => match auth.refresh(&stored.refresh_token).await {
                Ok(t) => t,
                // Only a refused refresh token is forgotten; a network failure keeps it.
                Err(e @ Error::ReauthenticationRequired { .. }) => {
                    let (c, k) = (cache.clone(), key.clone());
                    blocking(move || c.forget(&k)).await?;
                    return Err(e);
                }
                Err(e) => return Err(e),
            },
        };
        Ok(Some(Self::new(auth, cache, tokens).await?))
    }

    async fn save(&self, tokens: &TokenSet) -> Result<()> {
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Ok(());
        };
        let entry = CachedTokens {
            account: self.inner.key.account.clone(),
            refresh_token,
            access_token: Some(tokens.access_token.clone()),
            access_token_expires_at: Some(tokens.expires_at),
            scopes: tokens.scopes.clone(),
        };
        let (c, k) = (self.inner.cache.clone(), self.inner.key.clone());
        blocking(move || c.save(&k, &entry)).await
    }

    /// The signed-in account (UPN).
    pub fn account(&self) -> &str {
        &self.inner.key.account
    }

    pub fn authenticator(&self) -> &Authenticator {
        &self.inner.auth
    }

    /// Whether this sign-in survives an app restart (keychain) or not (session only).
    pub fn is_persistent(&self) -> bool {
        self.inner.cache.is_persistent()
    }

    pub fn claims(&self) -> AccessTokenClaims {
        self.inner
            .claims
            .read()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// What the current token grants.
    pub fn granted_access(&self) -> GrantedAccess {
        self.claims().granted_access()
    }

    /// The permission preflight for this person: every operation, and for those they can't
    /// perform, the sentence saying what is missing.
    pub fn preflight(&self) -> Vec<Capability> {
        preflight(&self.granted_access())
    }

    /// A Graph client using this session for tokens.
    pub fn graph(&self) -> Result<Graph> {
        self.graph_with_retry(RetryPolicy::default())
    }

    pub fn graph_with_retry(&self, retry: RetryPolicy) -> Result<Graph> {
        let auth = &self.inner.auth;
        Graph::with_http(
            auth.http().clone(),
            auth.endpoints(),
            Arc::new(self.clone()),
            retry,
        )
    }

    /// A valid access token, refreshing if needed (or if `force`). The lock is held across the
    /// refresh so concurrent callers wait for one refresh instead of racing with the same
    /// (rotating) refresh token.
    pub async fn access_token(&self, force: bool) -> Result<String> {
        let mut guard = self.inner.tokens.lock().await;
        let Some(current) = guard.as_ref() else {
            return Err(Error::NotSignedIn);
        };
        if !force && !current.needs_refresh(Utc::now()) {
            return Ok(current.access_token.clone());
        }
        let Some(rt) = current.refresh_token.clone() else {
            return Err(Error::ReauthenticationRequired {
                detail: "no refresh token".into(),
            });
        };
        let fresh = match self.inner.auth.refresh(&rt).await {
            Ok(t) => t,
            // The refresh token was refused (expired, revoked, sessions revoked by an admin):
            // it is useless now, so nothing of it is kept.
            Err(e @ Error::ReauthenticationRequired { .. }) => {
                *guard = None;
                let (c, k) = (self.inner.cache.clone(), self.inner.key.clone());
                blocking(move || c.forget(&k)).await?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        self.save(&fresh).await?;
        if let Ok(claims) = fresh.claims() {
            if let Ok(mut c) = self.inner.claims.write() {
                *c = claims;
            }
        }
        let token = fresh.access_token.clone();
        *guard = Some(fresh);
        tracing::debug!(account = %self.inner.key.account, "access token refreshed");
        Ok(token)
    }

    /// Forgets everything: tokens in memory and the keychain entry.
    pub async fn sign_out(&self) -> Result<()> {
        *self.inner.tokens.lock().await = None;
        let (c, k) = (self.inner.cache.clone(), self.inner.key.clone());
        blocking(move || c.forget(&k)).await
    }
}

impl TokenProvider for Session {
    fn access_token(&self, force_refresh: bool) -> BoxFuture<'_, Result<String>> {
        Box::pin(Session::access_token(self, force_refresh))
    }
}
