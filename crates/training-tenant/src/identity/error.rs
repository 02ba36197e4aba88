//! Token-endpoint errors in the Microsoft identity platform's shape: `error`, an
//! `error_description` starting with `AADSTSnnnnn:` and ending with trace/correlation ids and a
//! timestamp, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`
//! (auth-code flow doc, fixture `token-error-response.json`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct AadError {
    pub status: StatusCode,
    /// OAuth error: `invalid_request`, `invalid_grant`, `authorization_pending`, ...
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    pub description: String,
}

impl AadError {
    pub fn new(error: &'static str, code: u32, description: impl Into<String>) -> Self {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        Self {
            status,
            error,
            code,
            description: description.into(),
        }
    }

    pub fn missing(parameter: &str) -> Self {
        Self::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    pub fn body(&self) -> serde_json::Value {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
        json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
                self.code, self.description
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        })
    }
}

impl IntoResponse for AadError {
    fn into_response(self) -> Response {
        (
            self.status,
            [("cache-control", "no-store"), ("pragma", "no-cache")],
            Json(self.body()),
        )
            .into_response()
    }
}
