//! Starting and stopping a training tenant: loopback-only binding, the scenario, the router.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{middleware, Json, Router};
use serde_json::json;
use tokio::sync::oneshot;

use crate::control_guard::{self, ControlToken};
use crate::scenario::{Scenario, ScenarioSummary};
use crate::state::{Settings, TenantState};
use crate::{control, graph, identity, Error};

/// How to start a training tenant.
#[derive(Debug, Clone)]
pub struct Options {
    /// Must be a loopback address; port 0 picks a free port.
    pub addr: SocketAddr,
    /// A bundled scenario (`scenario::NAMES`), or a path to a scenario file ending in `.json`;
    /// `contoso` by default.
    pub scenario: String,
    /// Overrides the number of generated people (e.g. 100_000 for scale tests).
    pub population: Option<usize>,
    /// Adds this many enterprise apps (service principals) without provisioning, as in a real
    /// tenant where thousands of apps exist and only a few sync accounts (scale tests).
    pub extra_apps: Option<usize>,
    /// Graph-like throttling and latency.
    pub realistic: bool,
    /// Throttling without the latency model (implied by `realistic`).
    pub throttling: bool,
    /// Divides every throttling window (3,000 writes per 150 s becomes per 150 s / scale) and the
    /// realistic latency, so benchmarks reach the quota in seconds. 1 = Graph's own timing.
    pub throttle_time_scale: f64,
    pub access_token_lifetime: Duration,
    /// Seconds a device-code client must wait between polls (`slow_down` if faster).
    pub device_code_interval: u64,
    /// The control token callers must send to drive `/_training/` (see `control_guard`);
    /// `None` (the default) draws a fresh random one. A harness that starts a tenant inside
    /// another process (the desktop app under test) chooses it so that it knows it.
    pub control_token: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            scenario: "contoso".into(),
            population: None,
            extra_apps: None,
            realistic: false,
            throttling: false,
            throttle_time_scale: 1.0,
            access_token_lifetime: Duration::from_secs(3600),
            device_code_interval: 5,
            control_token: None,
        }
    }
}

/// A running training tenant. Dropping it stops the server.
pub struct TrainingTenant {
    base_url: String,
    state: Arc<TenantState>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TrainingTenant {
    /// Starts the server on the given loopback address and returns once it accepts connections.
    pub async fn start(options: Options) -> Result<Self, Error> {
        if !options.addr.ip().is_loopback() {
            return Err(Error::NotLoopback(options.addr));
        }
        let control_token = match options.control_token.as_deref() {
            None => ControlToken::random(),
            Some(chosen) => ControlToken::chosen(chosen).ok_or(Error::UnusableControlToken)?,
        };
        let mut scenario = if options.scenario.ends_with(".json") {
            let text = std::fs::read_to_string(&options.scenario).map_err(|e| {
                Error::InvalidScenario(format!("cannot read {}: {e}", options.scenario))
            })?;
            Scenario::from_json(&text)?
        } else {
            Scenario::named(&options.scenario)?
        };
        if let Some(n) = options.population {
            scenario = scenario.with_population(n);
        }
        if let Some(n) = options.extra_apps {
            scenario = scenario.with_extra_apps(n);
        }
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|source| Error::Bind {
                addr: options.addr,
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: options.addr,
            source,
        })?;
        let base_url = format!("http://{local}");
        let settings = Settings {
            access_token_lifetime: options.access_token_lifetime,
            device_code_interval: options.device_code_interval,
            throttling: options.throttling || options.realistic,
            realistic_latency: options.realistic,
            throttle_time_scale: crate::throttle::valid_time_scale(options.throttle_time_scale),
            control_token,
        };
        let state = Arc::new(TenantState::new(scenario, base_url.clone(), settings)?);
        let app = app(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            base_url,
            state,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn summary(&self) -> &ScenarioSummary {
        &self.state.summary
    }

    /// The secret to send in `X-Training-Control` to drive `/_training/` (the binary prints it
    /// at start as `control token: …`).
    pub fn control_token(&self) -> &str {
        self.state.settings.control_token.as_str()
    }

    /// The SCIM apps and their provisioning jobs (also in `GET /_training/scenario` as
    /// `scimApps`).
    pub fn scim_apps(&self) -> Vec<crate::provisioning::ScimAppSummary> {
        self.state.provisioning().summaries.clone()
    }

    /// The tenant model, for in-process extensions (part 2's engine) and assertions.
    pub fn state(&self) -> &Arc<TenantState> {
        &self.state
    }
}

impl Drop for TrainingTenant {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The whole HTTP surface: identity platform, Graph, and `/_training/`, behind the Host check;
/// every control but the read-only ones also behind the control token (`control_guard`).
pub fn app(state: Arc<TenantState>) -> Router {
    let controls = control::router()
        .merge(crate::provisioning::training::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            control_guard::require_token,
        ));
    Router::new()
        .merge(control::read_only_router())
        .merge(controls)
        .merge(crate::scim::http::router())
        .merge(graph::router())
        .merge(identity::router())
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Json(json!({"error": {"code": "NotFound", "message": "No such endpoint on the training tenant."}})),
            )
                .into_response()
        })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            control_guard::check_host,
        ))
        .with_state(state)
}
