//! Signing in, and what a signed-in person holds: a Graph client, who they are, what they may do.

use std::sync::Arc;
use std::time::Duration;

use entra_client::auth::device_code::PendingDeviceCode;
use entra_client::auth::pkce_loopback::{BrowserSignInOptions, PendingBrowserSignIn};
use entra_client::auth::AccessTokenClaims;
use entra_client::graph::{RetryPolicy, StaticToken};
use entra_client::permissions::{check, Capability};
use entra_client::{Graph, Operation, Session, TokenSet};

use super::profile::TenantConnection;
use super::whoami::WhoAmI;
use crate::error::{Error, Result};
use crate::journal::Actor;

/// A signed-in person on a tenant. Cheap to clone.
#[derive(Clone)]
pub struct SignedIn {
    connection: TenantConnection,
    graph: Graph,
    /// `None` when signed in with a bare access token (automation).
    session: Option<Session>,
    /// The bare access token (automation), kept to rebuild the client with another retry policy.
    bare_token: Option<Arc<str>>,
    /// The token's claims, read only as a hint of what the person may do (see
    /// `entra_client::permissions`); never to say who they are.
    claims: AccessTokenClaims,
    /// Who is signed in, as Graph's `/me` answers; `None` for an app-only token.
    me: Option<Me>,
}

/// The signed-in person as `/me` answers (Microsoft: don't read access tokens for APIs you
/// don't own — entra-docs `access-tokens.md`, graph-api.md §11.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Me {
    pub(crate) id: String,
    pub(crate) user_principal_name: String,
    pub(crate) display_name: Option<String>,
}

impl Me {
    /// Asks Graph. An app-only token has no `/me` (Graph answers 400), and a sign-in whose
    /// `/me` cannot be read falls back to the token's account name, said in the log.
    async fn of(graph: &Graph, claims: &AccessTokenClaims) -> Option<Me> {
        if claims.scp.is_none() && !claims.roles.is_empty() {
            return None;
        }
        match graph.get_me().await {
            Ok(user) => Some(Me {
                user_principal_name: user.user_principal_name.clone().unwrap_or_default(),
                display_name: user.display_name.clone(),
                id: user.id,
            }),
            Err(error) => {
                tracing::warn!(%error, "GET /me failed; who is signed in is taken from the token");
                None
            }
        }
    }
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("account", &self.account())
            .field("connection", &self.connection)
            .finish()
    }
}

impl TenantConnection {
    /// Training only: signs in as one of the tenant's demo accounts (UPN, the part before `@`,
    /// or a role name such as "User Administrator") with one click. This is the real
    /// authorization-code + PKCE flow with a loopback redirect; the training tenant's test-only
    /// `training_auto_consent` parameter stands in for the person typing a password, and this
    /// function plays the browser's part (open the authorize URL, follow the redirect).
    pub async fn sign_in_as_demo(&self, account: &str) -> Result<SignedIn> {
        let Some(scenario) = self.training() else {
            return Err(Error::NotTraining);
        };
        let Some(demo) = scenario.demo_account(account) else {
            return Err(Error::UnknownDemoAccount {
                wanted: account.to_string(),
                known: scenario
                    .demo_accounts
                    .iter()
                    .map(|d| d.user_principal_name.clone())
                    .collect(),
            });
        };
        let pending = self
            .authenticator()
            .start_browser_sign_in(BrowserSignInOptions {
                timeout: Duration::from_secs(30),
                prompt: None,
                login_hint: None,
                extra_params: vec![
                    ("training_auto_consent".into(), "1".into()),
                    (
                        "training_login_hint".into(),
                        demo.user_principal_name.clone(),
                    ),
                ],
            })
            .await?;
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| Error::TrainingSignIn(error.to_string()))?;
        let answer = browser
            .get(pending.authorize_url().clone())
            .send()
            .await
            .map_err(|error| Error::TrainingSignIn(error.to_string()))?;
        let location = answer
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                Error::TrainingSignIn(format!(
                    "the sign-in page answered HTTP {} without sending the browser back",
                    answer.status().as_u16()
                ))
            })?;
        // The redirect goes to our own loopback listener, which `finish` is waiting on.
        let follow = tokio::spawn(async move { browser.get(location).send().await });
        let tokens = pending.finish().await;
        let _ = follow.await;
        self.signed_in_with(tokens?).await
    }

    /// Starts a browser sign-in (real tenants): open [`PendingBrowserSignIn::authorize_url`] in
    /// the system browser, then pass the result of `finish()` to [`Self::signed_in_with`].
    pub async fn start_browser_sign_in(&self) -> Result<PendingBrowserSignIn> {
        Ok(self
            .authenticator()
            .start_browser_sign_in(BrowserSignInOptions::default())
            .await?)
    }

    /// Opens the system browser and waits for the sign-in.
    pub async fn sign_in_with_browser(&self) -> Result<SignedIn> {
        let tokens = self
            .authenticator()
            .sign_in_with_browser(BrowserSignInOptions::default())
            .await?;
        self.signed_in_with(tokens).await
    }

    /// Starts a device-code sign-in: show `prompt().message`, then pass `finish()`'s tokens to
    /// [`Self::signed_in_with`].
    pub async fn start_device_code(&self) -> Result<PendingDeviceCode> {
        Ok(self.authenticator().start_device_code().await?)
    }

    /// Finishes any sign-in: remembers it (keychain for real tenants) and builds the client.
    pub async fn signed_in_with(&self, tokens: TokenSet) -> Result<SignedIn> {
        let session = Session::new(
            self.authenticator().clone(),
            self.token_cache().clone(),
            tokens,
        )
        .await?;
        let graph = session.graph()?;
        let claims = session.claims();
        let me = Me::of(&graph, &claims).await;
        Ok(SignedIn {
            connection: self.clone(),
            graph,
            claims,
            session: Some(session),
            bare_token: None,
            me,
        })
    }

    /// The remembered sign-in, refreshed if needed; `None` when nobody is remembered.
    pub async fn restore(&self) -> Result<Option<SignedIn>> {
        let Some(session) =
            Session::restore(self.authenticator().clone(), self.token_cache().clone()).await?
        else {
            return Ok(None);
        };
        let graph = session.graph()?;
        let claims = session.claims();
        let me = Me::of(&graph, &claims).await;
        Ok(Some(SignedIn {
            connection: self.clone(),
            graph,
            claims,
            session: Some(session),
            bare_token: None,
            me,
        }))
    }

    /// Automation: a ready access token (`PROVDESK_ACCESS_TOKEN`), used as it is, never stored.
    /// Who acted is asked of `/me` (an app-only token names its app).
    pub async fn with_access_token(&self, token: &str) -> Result<SignedIn> {
        let claims = AccessTokenClaims::decode_unverified(token)?;
        let endpoints = self.authenticator().endpoints();
        let graph = Graph::with_http(
            self.authenticator().http().clone(),
            endpoints,
            Arc::new(StaticToken(token.to_string())),
            RetryPolicy::default(),
        )?;
        let me = Me::of(&graph, &claims).await;
        Ok(SignedIn {
            connection: self.clone(),
            graph,
            session: None,
            claims,
            bare_token: Some(Arc::from(token)),
            me,
        })
    }
}

/// What the sign-in says about one operation, before trying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    /// The permission is granted and a role that allows it shows in the sign-in.
    Allowed,
    /// The permission is granted, but no role that allows it shows in the sign-in (roles
    /// scoped to an administrative unit and custom roles never do): the desk tries.
    Unconfirmed(String),
    /// A delegated permission is missing: Graph refuses every such call.
    Refused(String),
}

impl SignedIn {
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn connection(&self) -> &TenantConnection {
        &self.connection
    }

    /// Replaces the retry policy (tests want quick retries; benchmarks none).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Result<Self> {
        self.graph = match (&self.session, &self.bare_token) {
            (Some(session), _) => session.graph_with_retry(retry)?,
            (None, Some(token)) => {
                let authenticator = self.connection.authenticator();
                Graph::with_http(
                    authenticator.http().clone(),
                    authenticator.endpoints(),
                    Arc::new(StaticToken(token.to_string())),
                    retry,
                )?
            }
            (None, None) => return Err(Error::NotSignedIn),
        };
        Ok(self)
    }

    /// Who acted, for the journal: as `/me` answered at sign-in, never typed in.
    pub fn actor(&self) -> Actor {
        Actor {
            upn: self.account(),
            oid: self
                .me
                .as_ref()
                .map(|me| me.id.clone())
                .or_else(|| self.claims.oid.clone())
                .unwrap_or_default(),
        }
    }

    /// The signed-in account's user principal name (an app-only token: its app id).
    pub fn account(&self) -> String {
        self.me
            .as_ref()
            .map(|me| me.user_principal_name.clone())
            .filter(|upn| !upn.is_empty())
            .unwrap_or_else(|| self.claims.account())
    }

    pub(crate) fn me(&self) -> Option<&Me> {
        self.me.as_ref()
    }

    /// The tenant id from the token (falls back to the configured tenant).
    pub fn tenant_id(&self) -> String {
        self.claims
            .tid
            .clone()
            .unwrap_or_else(|| self.connection.tenant_id().to_string())
    }

    /// Every operation and whether this person may perform it.
    pub fn preflight(&self) -> Vec<Capability> {
        entra_client::permissions::preflight(&self.claims.granted_access())
    }

    /// What the sign-in says about `operation` (see [`Permission`]).
    pub fn permission(&self, operation: Operation) -> Permission {
        let capability = check(operation, &self.claims.granted_access());
        let why = || {
            capability
                .explanation
                .clone()
                .unwrap_or_else(|| format!("you are not allowed to {}", operation.describe()))
        };
        if capability.allowed {
            Permission::Allowed
        } else if capability.unconfirmed {
            Permission::Unconfirmed(why())
        } else {
            Permission::Refused(why())
        }
    }

    /// Whether this person may perform `operation`; `Err(reason)` only when it is refused for
    /// sure (a delegated permission is missing). A role that does not show in the token is no
    /// reason to skip a step: Graph decides, and a 403 is explained then.
    pub fn may(&self, operation: Operation) -> std::result::Result<(), String> {
        match self.permission(operation) {
            Permission::Refused(why) => Err(why),
            Permission::Allowed | Permission::Unconfirmed(_) => Ok(()),
        }
    }

    /// For each `(operation, what it does in plain words)` this person surely may not perform, a
    /// sentence "You cannot {what}: {why}" — what a preview lists before anything runs.
    pub fn refusals(&self, wanted: &[(Operation, &str)]) -> Vec<String> {
        wanted
            .iter()
            .filter_map(|&(operation, what)| match self.permission(operation) {
                Permission::Refused(why) => Some(format!("You cannot {what}: {why}")),
                _ => None,
            })
            .collect()
    }

    /// For each `(operation, what)` whose role does not show in the sign-in, a sentence saying
    /// the desk will try and Entra decides.
    pub fn doubts(&self, wanted: &[(Operation, &str)]) -> Vec<String> {
        wanted
            .iter()
            .filter_map(|&(operation, what)| match self.permission(operation) {
                Permission::Unconfirmed(why) => {
                    Some(format!("Entra may refuse to let you {what}. {why}"))
                }
                _ => None,
            })
            .collect()
    }

    /// Who am I, on which tenant, and what may I do (and not, and why).
    pub fn whoami(&self) -> WhoAmI {
        WhoAmI::new(self)
    }

    pub(crate) fn claims(&self) -> &AccessTokenClaims {
        &self.claims
    }

    pub(crate) fn is_remembered(&self) -> bool {
        self.session.as_ref().is_some_and(Session::is_persistent)
    }

    /// Signs out: forgets the tokens here and in the keychain.
    pub async fn sign_out(&self) -> Result<()> {
        if let Some(session) = &self.session {
            session.sign_out().await?;
        }
        Ok(())
    }
}
