//! `/scim/{app}/v2/…`: the SCIM apps over HTTP, for trainees (curl), the desktop app and SCIM
//! compliance suites. Responses are `application/scim+json` ("Develop a SCIM endpoint").
//! Requests arriving here are the app's own traffic; only what the engine sends is recorded.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::Value;

use super::{ScimRequest, ScimResponse};
use crate::state::TenantState;

type Shared = Arc<TenantState>;

const MAX_BODY: usize = 1024 * 1024;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/scim/{app}/v2", any(root))
        .route("/scim/{app}/v2/{*rest}", any(serve))
}

async fn root(
    State(state): State<Shared>,
    Path(app): Path<String>,
    method: Method,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&state, &app, String::new(), method, q, headers, body)
}

async fn serve(
    State(state): State<Shared>,
    Path((app, rest)): Path<(String, String)>,
    method: Method,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&state, &app, rest, method, q, headers, body)
}

fn handle(
    state: &TenantState,
    app: &str,
    rest: String,
    method: Method,
    q: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string());
    let resp = if body.len() > MAX_BODY {
        ScimResponse::error(413, None, "The request body is too large.")
    } else {
        let parsed = if body.is_empty() {
            Ok(None)
        } else {
            serde_json::from_slice::<Value>(&body).map(Some)
        };
        match parsed {
            Err(_) => ScimResponse::error(
                400,
                Some("invalidSyntax"),
                "The request body is not valid JSON.",
            ),
            Ok(body) => {
                let req = ScimRequest {
                    method: method.as_str().to_string(),
                    path: format!("/{rest}"),
                    query: url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
                        .into_owned()
                        .collect(),
                    bearer,
                    body,
                };
                let now = state.clock.now();
                let mut prov = state.provisioning();
                match prov.apps.get_mut(app) {
                    Some(a) => a.handle(&req, now),
                    None => ScimResponse::error(
                        404,
                        None,
                        format!("There is no SCIM app '{app}' in this training tenant."),
                    ),
                }
            }
        }
    };
    render(resp)
}

fn render(resp: ScimResponse) -> Response {
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = match resp.body {
        Some(b) => {
            let mut r = Response::new(Body::from(serde_json::to_vec(&b).unwrap_or_default()));
            r.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("application/scim+json"),
            );
            r
        }
        None => Response::new(Body::empty()),
    };
    *out.status_mut() = status;
    out.into_response()
}
