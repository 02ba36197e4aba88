use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::{extract::State, routing::get, Json, Router};
use serde::Serialize;
use tokio::sync::oneshot;

use crate::Error;

/// How to start a training tenant.
#[derive(Debug, Clone)]
pub struct Options {
    /// Must be a loopback address; port 0 picks a free port.
    pub addr: SocketAddr,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }
}

/// What a tool needs to know to talk to a running training tenant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSummary {
    pub tenant_id: String,
    pub tenant_domain: String,
    pub organization: String,
}

/// A running training tenant. Dropping it stops the server.
pub struct TrainingTenant {
    base_url: String,
    summary: Arc<ScenarioSummary>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TrainingTenant {
    /// Starts the server on the given loopback address and returns once it accepts connections.
    pub async fn start(options: Options) -> Result<Self, Error> {
        if !options.addr.ip().is_loopback() {
            return Err(Error::NotLoopback(options.addr));
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
        let summary = Arc::new(ScenarioSummary {
            tenant_id: "8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71".into(),
            tenant_domain: "contoso-training.onmicrosoft.com".into(),
            organization: "Contoso (training)".into(),
        });
        let app = Router::new()
            .route("/_training/scenario", get(scenario))
            .with_state(summary.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            base_url: format!("http://{local}"),
            summary,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn summary(&self) -> &ScenarioSummary {
        &self.summary
    }
}

impl Drop for TrainingTenant {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn scenario(State(summary): State<Arc<ScenarioSummary>>) -> Json<ScenarioSummary> {
    Json((*summary).clone())
}
