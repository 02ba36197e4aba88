//! A typed Microsoft Graph client for the operations the procedures need.
//!
//! [`Graph`] is cheap to clone (one shared HTTP client and transport). Operations live in the
//! resource modules as `impl Graph` blocks: [`users`], [`deleted_items`], [`service_principals`],
//! [`synchronization`], [`object_connections`] (beta), [`provisioning_logs`].

pub mod batch;
pub mod deleted_items;
pub mod lenient;
pub mod me;
pub mod object_connections;
pub mod odata;
pub mod paging;
pub mod provisioning_logs;
pub mod service_principals;
pub mod synchronization;
pub mod transport;
pub mod users;

use std::sync::Arc;

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use crate::cloud::Endpoints;
use crate::error::{Error, Result};
use crate::permissions::Operation;
pub use transport::{
    GraphRequest, GraphResponse, RetryPolicy, StaticToken, TokenProvider, Transport,
};

/// Which Graph version a request goes to. v1.0 unless a feature is beta-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

/// The Graph client.
#[derive(Clone)]
pub struct Graph {
    transport: Transport,
    v1: Arc<Url>,
    beta: Arc<Url>,
}

impl Graph {
    /// A client for the Graph of `endpoints`, authenticating with `tokens`, with its own HTTP client.
    pub fn new(endpoints: &Endpoints, tokens: Arc<dyn TokenProvider>) -> Result<Self> {
        Self::with_http(
            transport::http_client()?,
            endpoints,
            tokens,
            RetryPolicy::default(),
        )
    }

    /// Same, sharing an HTTP client (the sign-in uses the same one) and with a retry policy.
    pub fn with_http(
        http: reqwest::Client,
        endpoints: &Endpoints,
        tokens: Arc<dyn TokenProvider>,
        retry: RetryPolicy,
    ) -> Result<Self> {
        let transport = Transport::new(http, tokens, retry, &endpoints.graph_v1)?;
        Ok(Self {
            transport,
            v1: Arc::new(endpoints.graph_v1.clone()),
            beta: Arc::new(endpoints.graph_beta.clone()),
        })
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// `{base}/{segments…}?{query}`; each segment is percent-encoded as a path segment (so a B2B
    /// UPN's `#` becomes `%23` and a `/` cannot change the path), the query as form pairs.
    pub fn url(&self, version: ApiVersion, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = match version {
            ApiVersion::V1 => (*self.v1).clone(),
            ApiVersion::Beta => (*self.beta).clone(),
        };
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            for s in segments {
                path.push(s);
            }
        }
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// The URL relative to the version root, as `$batch` wants it (`/users/{id}?…`).
    pub fn relative(&self, url: &Url) -> String {
        let base = self.v1.path().trim_end_matches('/');
        let path = url.path();
        let rel = path.strip_prefix(base).unwrap_or(path);
        match url.query() {
            Some(q) => format!("{rel}?{q}"),
            None => rel.to_string(),
        }
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        operation: Operation,
    ) -> Result<T> {
        self.transport
            .send(&GraphRequest::new(Method::GET, url, operation))
            .await?
            .json()
    }

    pub(crate) async fn send(&self, req: GraphRequest) -> Result<GraphResponse> {
        self.transport.send(&req).await
    }

    /// Sends and parses a JSON answer; a 204 or empty body is an error here.
    pub(crate) async fn send_json<T: DeserializeOwned>(&self, req: GraphRequest) -> Result<T> {
        let resp = self.transport.send(&req).await?;
        if resp.body.is_empty() {
            return Err(Error::UnexpectedResponse {
                detail: format!("an empty answer (HTTP {})", resp.status.as_u16()),
                ids: resp.ids,
            });
        }
        resp.json()
    }
}
