//! Graph's error body: `{"error":{"code","message","innerError":{"date","request-id",
//! "client-request-id"}}}` (Graph "Error responses" doc; branch on `code`, never on `message`).

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::state::directory::DirectoryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra response headers (e.g. `Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(&'static str, String)>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 401: token missing, malformed, expired, wrong audience or signature.
    pub fn invalid_token(message: &str, authorization_uri: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message).with_header(
            "www-authenticate",
            format!(
                "Bearer realm=\"\", authorization_uri=\"{authorization_uri}\", client_id=\"00000003-0000-0000-c000-000000000000\""
            ),
        )
    }

    /// 403 from the directory: missing permission or missing role.
    pub fn denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    pub fn not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    /// Body that is not JSON at all (Graph answers `BadRequest` with this message).
    pub fn unreadable_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    pub fn no_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{path}' ({method})."),
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::too_many_requests_saying(retry_after_secs.to_string())
    }

    /// A 429 whose `Retry-After` is `retry_after` as given (fault injection may send junk).
    pub fn too_many_requests_saying(retry_after: String) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
        )
        .with_header("retry-after", retry_after)
    }

    pub fn body(&self, request_id: &str, client_request_id: Option<&str>, date: &str) -> Value {
        let mut inner = json!({ "date": date, "request-id": request_id });
        if let Some(c) = client_request_id {
            inner["client-request-id"] = json!(c);
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // Shape of the throttling doc's sample 429 body.
            inner["code"] = json!("429");
            inner["status"] = json!("429");
            inner["message"] = json!("Please retry after");
        }
        json!({ "error": { "code": self.code, "message": self.message, "innerError": inner } })
    }
}

impl From<DirectoryError> for GraphError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::NotFound(id) => GraphError::not_found(&id),
            DirectoryError::UpnInUse(upn) => GraphError::bad_request(format!(
                "Another object with the same value for property userPrincipalName already exists: '{upn}'."
            )),
        }
    }
}
