//! The Microsoft Graph subset under `/v1.0` and `/beta`.
//!
//! Requests are routed by hand (`route`) rather than by axum, because `$batch` must run the very
//! same routing for its inner requests and because Graph addresses objects with OData key
//! segments such as `servicePrincipals(appId='…')`. Each resource lives in its own module and
//! exposes `handle(&Call) -> Result<GraphResponse, GraphError>`.

pub mod auth;
mod batch;
mod collection;
mod deleted_items;
pub mod error;
pub mod filter;
mod groups;
mod object_connections;
mod provisioning_logs;
pub mod query;
mod service_principals;
mod synchronization;
mod user_properties;
mod users;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::Value;

use crate::faults::FaultAction;
use crate::state::TenantState;
pub use auth::{Caller, Requirement};
pub use error::GraphError;
use query::QueryOptions;

type Shared = Arc<TenantState>;

/// Graph rejects request bodies above 4 MB.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub const JSON_CONTENT_TYPE: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/v1.0/{*rest}", any(serve))
        .route("/beta/{*rest}", any(serve))
        .route("/v1.0", any(serve))
        .route("/beta", any(serve))
}

/// One Graph request, from HTTP or from inside a `$batch`.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    pub method: Method,
    /// `v1.0` or `beta`.
    pub version: String,
    /// The path after the version, as sent (still percent-encoded), starting with `/`.
    pub path: String,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl GraphRequest {
    /// Percent-decoded path segments.
    pub fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            })
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn consistency_eventual(&self) -> bool {
        self.header("consistencylevel")
            .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
    }

    /// The body as a JSON object; anything else is Graph's 400.
    pub fn json_object(&self) -> Result<serde_json::Map<String, Value>, GraphError> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "The request body exceeds the maximum size of 4 MB.",
            ));
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(GraphError::bad_request(
                "The request body must be a JSON object.",
            )),
            Err(_) => Err(GraphError::unreadable_json()),
        }
    }
}

#[derive(Debug, Clone)]
pub enum ResponseBody {
    Json(Value),
    Text(String),
    Empty,
}

#[derive(Debug, Clone)]
pub struct GraphResponse {
    pub status: StatusCode,
    pub body: ResponseBody,
    pub headers: Vec<(&'static str, String)>,
}

impl GraphResponse {
    pub fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: ResponseBody::Json(body),
            headers: Vec::new(),
        }
    }

    pub fn ok(body: Value) -> Self {
        Self::json(StatusCode::OK, body)
    }

    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: ResponseBody::Empty,
            headers: Vec::new(),
        }
    }

    pub fn text(body: String) -> Self {
        Self {
            status: StatusCode::OK,
            body: ResponseBody::Text(body),
            headers: Vec::new(),
        }
    }
}

/// What a resource handler gets.
pub struct Call<'a> {
    pub state: &'a TenantState,
    pub caller: &'a Caller,
    pub req: &'a GraphRequest,
    pub segments: Vec<String>,
    pub query: QueryOptions,
}

impl Call<'_> {
    /// `{base}/{version}/$metadata#{fragment}`
    pub fn context(&self, fragment: &str) -> String {
        format!(
            "{}/{}/$metadata#{fragment}",
            self.state.base_url, self.req.version
        )
    }

    /// `#users` or `#users(id,displayName)` when `$select` is given.
    pub fn collection_context(&self, set: &str) -> String {
        match &self.query.select {
            Some(s) => self.context(&format!("{set}({})", s.join(","))),
            None => self.context(set),
        }
    }

    pub fn next_link(&self, skiptoken: &str) -> String {
        query::next_link(
            &self.state.base_url,
            &self.req.version,
            &self.req.path,
            &self.req.raw_query,
            skiptoken,
        )
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }
}

/// Identifiers for one request: `request-id` is ours; `client-request-id` echoes the client's.
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub request_id: String,
    pub client_request_id: String,
    pub date: String,
}

impl RequestIds {
    pub fn new(headers: &HeaderMap) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 200)
            .map(str::to_string)
            .unwrap_or_else(|| request_id.clone());
        Self {
            request_id,
            client_request_id,
            date: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }
}

fn error_response(err: &GraphError, ids: &RequestIds) -> GraphResponse {
    let mut r = GraphResponse::json(
        err.status,
        err.body(&ids.request_id, Some(&ids.client_request_id), &ids.date),
    );
    r.headers = err.headers.clone();
    r
}

/// Runs one (outer or inner) Graph request after authentication: fault injection (except
/// dropped connections, handled by the HTTP layer), throttling, routing. Never panics on input.
pub fn execute(
    state: &TenantState,
    caller: &Caller,
    req: &GraphRequest,
    ids: &RequestIds,
) -> GraphResponse {
    let fault = state.faults().decide(&req.method, &req.path);
    if let Some(FaultAction::Fail {
        status,
        retry_after,
    }) = fault.clone()
    {
        let code = if status == StatusCode::SERVICE_UNAVAILABLE {
            "serviceNotAvailable"
        } else {
            "generalException"
        };
        let mut err = GraphError::new(
            status,
            code,
            "Injected failure (training tenant fault injection).",
        );
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            err = err.with_header("retry-after", retry_after);
        }
        return error_response(&err, ids);
    }
    if let Some(FaultAction::Throttle { retry_after }) = fault {
        return error_response(&GraphError::too_many_requests_saying(retry_after), ids);
    }
    let cost = crate::throttle::cost(&req.method, &req.path, &req.raw_query);
    let charged = state
        .throttle()
        .charge(caller.app_id(), state.tenant_id(), cost);
    let limit_percentage = match charged {
        Ok(p) => p,
        Err(t) => {
            let err = GraphError::too_many_requests(t.retry_after_secs)
                .with_header("x-ms-throttle-scope", t.scope)
                .with_header("x-ms-throttle-information", t.information);
            return error_response(&err, ids);
        }
    };
    let mut resp = match route(state, caller, req) {
        Ok(r) => r,
        Err(e) => error_response(&e, ids),
    };
    resp.headers
        .push(("x-ms-resource-unit", cost.resource_units.to_string()));
    if let Some(p) = limit_percentage {
        resp.headers.push(("x-ms-throttle-limit-percentage", p));
    }
    resp
}

fn route(
    state: &TenantState,
    caller: &Caller,
    req: &GraphRequest,
) -> Result<GraphResponse, GraphError> {
    let segments = req.segments();
    let first = segments
        .first()
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    if first == "$batch" {
        return Err(GraphError::bad_request(
            "Nested $batch requests are not supported.",
        ));
    }
    let query = if first == "auditlogs" {
        QueryOptions::parse_reports(&req.raw_query)?
    } else {
        QueryOptions::parse(&req.raw_query)?
    };
    let call = Call {
        state,
        caller,
        req,
        segments,
        query,
    };
    let resource = first.split('(').next().unwrap_or_default().to_string();
    // One module per resource; new resources (e.g. `auditLogs`) get an arm here, and
    // navigation under a service principal (e.g. `synchronization`) goes through
    // `service_principals::handle`.
    match resource.as_str() {
        "users" | "me" => users::handle(&call),
        "directory" => deleted_items::handle(&call),
        "groups" => groups::handle(&call),
        "serviceprincipals" => service_principals::handle(&call),
        "auditlogs" => provisioning_logs::handle(&call),
        _ => Err(GraphError::no_route(req.method.as_str(), &first)),
    }
}

/// The HTTP entry point for `/v1.0/...` and `/beta/...`.
async fn serve(State(state): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let ids = RequestIds::new(&parts.headers);
    let full_path = parts.uri.path().to_string();
    let (version, path) = match full_path.strip_prefix("/v1.0") {
        Some(rest) => ("v1.0", rest.to_string()),
        None => (
            "beta",
            full_path
                .strip_prefix("/beta")
                .unwrap_or_default()
                .to_string(),
        ),
    };

    let drop = state.faults().decide_drop(&parts.method, &path);
    if let Some(FaultAction::Drop) = drop {
        return crate::faults::dropped_connection();
    }
    let delay = state.faults().delay_for(&parts.method, &path);
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if state.settings.realistic_latency {
        let latency = crate::throttle::realistic_latency();
        tokio::time::sleep(latency.div_f64(state.settings.throttle_time_scale)).await;
    }

    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let err = GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "The request body exceeds the maximum size of 4 MB or could not be read.",
            );
            return render(error_response(&err, &ids), &ids);
        }
    };
    let caller = match Caller::from_headers(&state, &parts.headers) {
        Ok(c) => c,
        Err(e) => return render(error_response(&e, &ids), &ids),
    };
    let req = GraphRequest {
        method: parts.method,
        version: version.to_string(),
        path,
        raw_query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts.headers,
        body,
    };
    let resp = if req.path.eq_ignore_ascii_case("/$batch") {
        batch::handle(&state, &caller, &req, &ids)
    } else {
        execute(&state, &caller, &req, &ids)
    };
    // Done, and then the answer is lost on the way back (`applyThenDrop`).
    if resp.status.is_success()
        && state
            .faults()
            .decide_drop_after_apply(&req.method, &req.path)
    {
        return crate::faults::dropped_connection();
    }
    render(resp, &ids)
}

fn render(resp: GraphResponse, ids: &RequestIds) -> Response {
    let mut out = match resp.body {
        ResponseBody::Json(v) => {
            let bytes = serde_json::to_vec(&v).unwrap_or_default();
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static(JSON_CONTENT_TYPE));
            r
        }
        ResponseBody::Text(t) => {
            let mut r = Response::new(Body::from(t));
            r.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("text/plain;charset=utf-8"),
            );
            r
        }
        ResponseBody::Empty => Response::new(Body::empty()),
    };
    *out.status_mut() = resp.status;
    let h = out.headers_mut();
    h.insert("odata-version", HeaderValue::from_static("4.0"));
    h.insert("cache-control", HeaderValue::from_static("no-cache"));
    for (name, value) in [
        ("request-id", &ids.request_id),
        ("client-request-id", &ids.client_request_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    h.insert(
        "x-ms-ags-diagnostic",
        HeaderValue::from_static(
            r#"{"ServerInfo":{"DataCenter":"Training","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"LOOPBACK"}}"#,
        ),
    );
    for (name, value) in resp.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    out.into_response()
}
