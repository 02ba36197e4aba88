//! Helpers shared by the integration tests: fixture files and a tiny local HTTP server for the
//! scenarios the training tenant does not serve (yet).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use entra_client::graph::{RetryPolicy, StaticToken};
use entra_client::{Cloud, Graph, TenantId};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

pub fn fixture_text(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture_text(name)).expect("fixture is JSON")
}

/// A request the local server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What the local server answers: `(status, headers, body)` for each request.
pub type Answer =
    Arc<dyn Fn(&Seen, usize) -> (u16, Vec<(&'static str, String)>, String) + Send + Sync>;

/// A local HTTP server on 127.0.0.1:0 that records requests and answers with `answer`
/// (which also gets the 0-based number of the request).
pub struct LocalServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl LocalServer {
    pub async fn start(answer: Answer) -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let seen2 = seen.clone();
        let app = Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let seen = seen2.clone();
                let answer = answer.clone();
                async move {
                    let s = Seen {
                        method,
                        path: uri.path().to_string(),
                        query: uri.query().unwrap_or_default().to_string(),
                        headers,
                        body,
                    };
                    let n = {
                        let mut v = seen.lock().unwrap();
                        v.push(s.clone());
                        v.len() - 1
                    };
                    let (status, headers, body) = answer(&s, n);
                    let mut resp =
                        Response::builder().status(StatusCode::from_u16(status).unwrap());
                    if !body.is_empty() {
                        resp = resp.header("content-type", "application/json");
                    }
                    for (k, v) in headers {
                        resp = resp.header(k, v);
                    }
                    resp.body(axum::body::Body::from(body))
                        .unwrap()
                        .into_response()
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, seen }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A Graph client for this server with a fixed token.
    pub fn graph(&self, retry: RetryPolicy) -> Graph {
        let cloud = Cloud::custom(&self.base(), &self.base()).unwrap();
        let endpoints = cloud
            .endpoints(&TenantId::parse("contoso.onmicrosoft.com").unwrap())
            .unwrap();
        Graph::with_http(
            entra_client::graph::transport::http_client().unwrap(),
            &endpoints,
            Arc::new(StaticToken("test-token".into())),
            retry,
        )
        .unwrap()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A quick retry policy for tests.
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        max_total_wait: std::time::Duration::from_secs(20),
        base_delay: std::time::Duration::from_millis(20),
        max_delay: std::time::Duration::from_millis(100),
    }
}
