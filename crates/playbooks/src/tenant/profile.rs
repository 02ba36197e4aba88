//! Which tenant the desk works on, and the connection to it before anyone signs in.

use std::sync::Arc;

use entra_client::TokenCache;
use entra_client::{
    Authenticator, ClientId, Cloud, DeploymentConfig, NationalCloud, SignInConfig, TenantId,
};

use super::training::TrainingScenario;
use crate::error::{Error, Result};

/// Where to work. The desktop app's default is a training tenant started in-process; the CLI
/// talks to one started with `provdesk training serve` (an in-process tenant would vanish when
/// the command exits), or to a real tenant.
#[derive(Debug, Clone)]
pub enum TenantProfile {
    /// Starts a training tenant inside this process, on 127.0.0.1.
    TrainingInProcess(training_tenant::Options),
    /// A training tenant already running, by its base URL (`http://127.0.0.1:PORT`).
    TrainingAt { url: String },
    /// A real tenant, from the deployment settings file (cloud, tenant id, client id).
    Tenant(DeploymentConfig),
}

/// A tenant we know how to sign in to. Cheap to clone; an in-process training tenant lives as
/// long as any clone (or any [`super::SignedIn`] made from it).
#[derive(Clone)]
pub struct TenantConnection {
    authenticator: Authenticator,
    /// For a training tenant: its own description, and its base URL.
    training: Option<(TrainingScenario, String)>,
    token_cache: TokenCache,
    /// Keeps an in-process training tenant running.
    in_process: Option<Arc<training_tenant::TrainingTenant>>,
}

impl std::fmt::Debug for TenantConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantConnection")
            .field("config", self.authenticator.config())
            .field("training", &self.training.as_ref().map(|(_, url)| url))
            .finish()
    }
}

impl TenantConnection {
    /// Connects to `profile`: starts or discovers a training tenant, or prepares sign-in to a
    /// real one. Nothing is signed in yet.
    pub async fn connect(profile: TenantProfile) -> Result<Self> {
        match profile {
            TenantProfile::TrainingInProcess(options) => {
                let tenant = training_tenant::TrainingTenant::start(options)
                    .await
                    .map_err(|error| Error::TrainingTenantStart(error.to_string()))?;
                let url = tenant.base_url().to_string();
                let mut connection = Self::training_at(&url).await?;
                connection.in_process = Some(Arc::new(tenant));
                Ok(connection)
            }
            TenantProfile::TrainingAt { url } => Self::training_at(&url).await,
            TenantProfile::Tenant(config) => Self::real(&config),
        }
    }

    async fn training_at(url: &str) -> Result<Self> {
        let base = url.trim_end_matches('/').to_string();
        let http = entra_client::graph::transport::http_client()?;
        let scenario = TrainingScenario::discover(&http, &base).await?;
        let cloud = Cloud::custom(&base, &base)?;
        let config = SignInConfig::new(
            cloud,
            TenantId::parse(&scenario.tenant_id)?,
            ClientId::parse(&scenario.public_client_id)?,
        );
        Ok(TenantConnection {
            authenticator: Authenticator::new(config, http)?,
            training: Some((scenario, base)),
            // Training sign-ins are one click away; nothing goes to the keychain.
            token_cache: TokenCache::session_only(),
            in_process: None,
        })
    }

    fn real(config: &DeploymentConfig) -> Result<Self> {
        let http = entra_client::graph::transport::http_client()?;
        // Without a keychain (headless Linux without Secret Service) the sign-in still works;
        // it is just not remembered. `WhoAmI::remembered` says so.
        let token_cache = TokenCache::keychain().unwrap_or_else(|error| {
            tracing::warn!(%error, "keychain unavailable; the sign-in will not be remembered");
            TokenCache::session_only()
        });
        Ok(TenantConnection {
            authenticator: Authenticator::new(config.sign_in_config(), http)?,
            training: None,
            token_cache,
            in_process: None,
        })
    }

    /// A training tenant standing in for a tenant in `national` cloud: the desk then behaves as
    /// it would there (what Microsoft does not document in that cloud is explained, not sent),
    /// so a trainer can rehearse a 21Vianet tenant. A real tenant's cloud is what its settings
    /// say; it is returned unchanged.
    pub fn standing_in_for(self, national: NationalCloud) -> Result<Self> {
        if !self.is_training() {
            return Ok(self);
        }
        let mut config = self.authenticator.config().clone();
        config.cloud = config.cloud.standing_in_for(national);
        let http = self.authenticator.http().clone();
        Ok(TenantConnection {
            authenticator: Authenticator::new(config, http)?,
            ..self
        })
    }

    /// Uses a different token cache (tests; a person who does not want to be remembered).
    pub fn with_token_cache(mut self, cache: TokenCache) -> Self {
        self.token_cache = cache;
        self
    }

    pub fn authenticator(&self) -> &Authenticator {
        &self.authenticator
    }

    pub fn token_cache(&self) -> &TokenCache {
        &self.token_cache
    }

    /// The training tenant's description; `None` for a real tenant.
    pub fn training(&self) -> Option<&TrainingScenario> {
        self.training.as_ref().map(|(scenario, _)| scenario)
    }

    /// The training tenant's base URL (for its `/_training/` controls); `None` for a real tenant.
    pub fn training_url(&self) -> Option<&str> {
        self.training.as_ref().map(|(_, url)| url.as_str())
    }

    pub fn is_training(&self) -> bool {
        self.training.is_some()
    }

    /// The training tenant running in this process, if this connection started it (for the
    /// desktop app's clock controls and for tests' assertions).
    pub fn in_process_tenant(&self) -> Option<&training_tenant::TrainingTenant> {
        self.in_process.as_deref()
    }

    /// The tenant's "now". A training tenant runs a virtual clock (trainees skip ahead to the
    /// next provisioning cycle), so "the next cycle is due in 25 minutes" must be measured on it;
    /// a real tenant's time is this computer's.
    pub async fn tenant_now(&self) -> chrono::DateTime<chrono::Utc> {
        let Some(url) = self.training_url() else {
            return chrono::Utc::now();
        };
        #[derive(serde::Deserialize)]
        struct Clock {
            now: chrono::DateTime<chrono::Utc>,
        }
        let clock = async {
            self.authenticator
                .http()
                .get(format!("{url}/_training/clock"))
                .send()
                .await
                .ok()?
                .json::<Clock>()
                .await
                .ok()
        };
        clock.await.map(|c| c.now).unwrap_or_else(chrono::Utc::now)
    }

    /// The tenant (directory) id or domain sign-in goes to.
    pub fn tenant_id(&self) -> &str {
        self.authenticator.config().tenant.as_str()
    }
}
