//! JSON batching (`POST /$batch`, graph-api.md §2.5): at most 20 requests with unique ids;
//! relative (`/users/x`, `users?…`) or absolute URLs; `dependsOn` runs requests in order and a
//! failed dependency answers 424; every inner request is authorized, throttled and fault-injected
//! on its own (inner 429s). The outer status is 200 whenever the payload itself is valid.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use base64::Engine;
use serde_json::{json, Map, Value};

use super::{
    error_response, execute, Caller, GraphError, GraphRequest, GraphResponse, RequestIds,
    ResponseBody, JSON_CONTENT_TYPE,
};
use crate::state::TenantState;

pub const MAX_REQUESTS: usize = 20;

struct Inner {
    id: String,
    depends_on: Vec<String>,
    request: Result<GraphRequest, GraphError>,
}

fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

pub fn handle(
    state: &TenantState,
    caller: &Caller,
    outer: &GraphRequest,
    ids: &RequestIds,
) -> GraphResponse {
    if outer.method != Method::POST {
        return error_response(&GraphError::method_not_allowed(), ids);
    }
    match parse(outer) {
        Ok(inner) => run(state, caller, inner),
        Err(e) => error_response(&e, ids),
    }
}

fn parse(outer: &GraphRequest) -> Result<Vec<Inner>, GraphError> {
    let body = outer.json_object()?;
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("Invalid batch payload format: a 'requests' array is required."))?;
    if requests.is_empty() {
        return Err(invalid(
            "Invalid batch payload format: the batch contains no requests.",
        ));
    }
    if requests.len() > MAX_REQUESTS {
        return Err(invalid(format!(
            "Number of batch requests ({}) exceeds the maximum of {MAX_REQUESTS}.",
            requests.len()
        )));
    }
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for r in requests {
        let r = r.as_object().ok_or_else(|| {
            invalid("Invalid batch payload format: each request must be an object.")
        })?;
        let id = r
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                invalid("Invalid batch payload format: each request needs a string 'id'.")
            })?
            .to_string();
        if seen.iter().any(|s| s.eq_ignore_ascii_case(&id)) {
            return Err(invalid(format!(
                "Request id '{id}' is used more than once in the batch."
            )));
        }
        let depends_on: Vec<String> = match r.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|d| d.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    invalid("Invalid batch payload format: 'dependsOn' must list request ids.")
                })?,
            Some(_) => {
                return Err(invalid(
                    "Invalid batch payload format: 'dependsOn' must be an array.",
                ))
            }
        };
        for d in &depends_on {
            if !seen.iter().any(|s| s.eq_ignore_ascii_case(d)) {
                return Err(invalid(format!(
                    "Request '{id}' depends on '{d}', which is not an earlier request of the batch."
                )));
            }
        }
        seen.push(id.clone());
        out.push(Inner {
            id,
            depends_on,
            request: inner_request(outer, r),
        });
    }
    Ok(out)
}

/// Builds an inner request; problems specific to it become its own 400 rather than the batch's.
fn inner_request(outer: &GraphRequest, r: &Map<String, Value>) -> Result<GraphRequest, GraphError> {
    let method = r
        .get("method")
        .and_then(Value::as_str)
        .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
        .ok_or_else(|| GraphError::bad_request("Each batch request needs a valid 'method'."))?;
    let url = r
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("Each batch request needs a 'url'."))?;
    let (version, path, query) = split_url(url, &outer.version);
    let mut headers = outer.headers.clone();
    headers.remove("content-type");
    headers.remove("content-length");
    headers.remove("client-request-id");
    if let Some(h) = r.get("headers") {
        let h = h
            .as_object()
            .ok_or_else(|| GraphError::bad_request("'headers' must be a JSON object."))?;
        for (k, v) in h {
            let value = v.as_str().ok_or_else(|| {
                GraphError::bad_request(format!("Header '{k}' must be a string."))
            })?;
            let name = HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()).map_err(|_| {
                GraphError::bad_request(format!("'{k}' is not a valid header name."))
            })?;
            if name == "authorization" {
                continue;
            }
            let value = HeaderValue::from_str(value).map_err(|_| {
                GraphError::bad_request(format!("Header '{k}' has an invalid value."))
            })?;
            headers.insert(name, value);
        }
    }
    let body = match r.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(b) => {
            let content_type = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| {
                    GraphError::bad_request(
                        "Content-Type header must be specified for a batch request with a body.",
                    )
                })?;
            match b {
                Value::String(s) if !content_type.contains("json") => Bytes::from(
                    base64::engine::general_purpose::STANDARD
                        .decode(s)
                        .map_err(|_| {
                            GraphError::bad_request(
                                "The body of a non-JSON batch request must be base64.",
                            )
                        })?,
                ),
                other => Bytes::from(serde_json::to_vec(other).unwrap_or_default()),
            }
        }
    };
    Ok(GraphRequest {
        method,
        version,
        path,
        raw_query: query,
        headers,
        body,
    })
}

/// `https://graph.microsoft.com/v1.0/users?$top=1`, `/users/x`, `users?…`, `/beta/users`
/// → (version, `/path`, query).
fn split_url(url: &str, default_version: &str) -> (String, String, String) {
    let without_host = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map(|p| &rest[p..]).unwrap_or("/")
        }
        None => url,
    };
    let (path, query) = without_host.split_once('?').unwrap_or((without_host, ""));
    let path = format!("/{}", path.trim_start_matches('/'));
    for v in ["v1.0", "beta"] {
        if let Some(rest) = path.strip_prefix(&format!("/{v}/")) {
            return (v.to_string(), format!("/{rest}"), query.to_string());
        }
    }
    (default_version.to_string(), path, query.to_string())
}

fn run(state: &TenantState, caller: &Caller, inner: Vec<Inner>) -> GraphResponse {
    let mut statuses: HashMap<String, StatusCode> = HashMap::new();
    let mut responses = Vec::new();
    for item in inner {
        let ids = match &item.request {
            Ok(r) => RequestIds::new(&r.headers),
            Err(_) => RequestIds::new(&HeaderMap::new()),
        };
        let failed_dependency = item.depends_on.iter().any(|d| {
            statuses
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(d))
                .is_none_or(|(_, s)| !s.is_success())
        });
        let resp = if failed_dependency {
            let err = GraphError::new(
                StatusCode::FAILED_DEPENDENCY,
                "FailedDependency",
                "Failed Dependency",
            );
            error_response(&err, &ids)
        } else {
            match &item.request {
                Ok(r) if r.path.eq_ignore_ascii_case("/$batch") => error_response(
                    &GraphError::bad_request("Nested $batch requests are not supported."),
                    &ids,
                ),
                Ok(r) => execute(state, caller, r, &ids),
                Err(e) => error_response(e, &ids),
            }
        };
        statuses.insert(item.id.clone(), resp.status);
        let mut headers = Map::new();
        if matches!(resp.body, ResponseBody::Json(_)) {
            headers.insert("Content-Type".into(), json!(JSON_CONTENT_TYPE));
        }
        headers.insert("Cache-Control".into(), json!("no-cache"));
        for (k, v) in &resp.headers {
            headers.insert(canonical_header(k), json!(v));
        }
        let mut out = json!({ "id": item.id, "status": resp.status.as_u16(), "headers": headers });
        match resp.body {
            ResponseBody::Json(v) => out["body"] = v,
            ResponseBody::Text(t) => out["body"] = json!(t),
            ResponseBody::Empty => {}
        }
        responses.push(out);
    }
    GraphResponse::ok(json!({ "responses": responses }))
}

fn canonical_header(name: &str) -> String {
    match name {
        "retry-after" => "Retry-After".into(),
        "www-authenticate" => "WWW-Authenticate".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split() {
        assert_eq!(
            split_url("/users/x", "v1.0"),
            ("v1.0".into(), "/users/x".into(), "".into())
        );
        assert_eq!(
            split_url("users?$select=id&$top=1", "beta"),
            ("beta".into(), "/users".into(), "$select=id&$top=1".into())
        );
        assert_eq!(
            split_url(
                "https://graph.microsoft.com/beta/users/x?$select=id",
                "v1.0"
            ),
            ("beta".into(), "/users/x".into(), "$select=id".into())
        );
    }
}
