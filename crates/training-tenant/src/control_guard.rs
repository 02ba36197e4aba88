//! Who may drive the training tenant: the guard in front of every route.
//!
//! The tenant listens on loopback, and a web page in any browser on the same computer can reach
//! loopback too: it can send a "simple" cross-origin request (a `POST` with a `text/plain` body,
//! no preflight) to a guessed port, or rebind its own host name to 127.0.0.1 and talk to the
//! tenant as if it were its own site. So:
//!
//! * every request must name the tenant by one of the loopback names it serves
//!   (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`) in `Host` — a rebound page names its own
//!   host — else `421 Misdirected Request` (RFC 9110 §15.5.20). Real Entra and Graph answer only
//!   to their own host names too; this applies to the whole tenant, not only to `/_training/`.
//! * a `/_training/` request that carries an `Origin` must come from one of those same origins
//!   (`403`); the tenant's own pages are the only ones a browser legitimately shows.
//! * every `/_training/` control except the read-only scenario description and clock needs the
//!   per-process control token in `X-Training-Control` (`403`) — the token is random, so a page
//!   cannot guess it, and a page can never set that header without a CORS preflight, which the
//!   tenant never grants;
//! * a control's body must be JSON (`application/json`, `415`): `POST`/`PUT`/`PATCH` always, any
//!   other method when it carries a body. `text/plain` and form bodies are what a page can send
//!   without a preflight.
//!
//! Microsoft documents none of this (the `/_training/` surface is ours, not Microsoft's); the
//! choices are the cautious ones. The device-login pages (`/devicelogin`) imitate Microsoft's
//! and stay open to the person in the browser: they act only on a user code the person was shown.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::RngCore;
use serde_json::json;

use crate::state::TenantState;

/// The request header that carries the control token.
pub const CONTROL_TOKEN_HEADER: &str = "x-training-control";

/// Bytes of OS randomness in a generated token (256 bits, printed as 64 hex digits).
const TOKEN_BYTES: usize = 32;

/// The shortest token a caller may choose (`Options::control_token`): 128 bits in hex.
pub const MIN_CHOSEN_TOKEN_LEN: usize = 32;

/// The per-process secret that lets a caller drive `/_training/`. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ControlToken(String);

impl std::fmt::Debug for ControlToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ControlToken(…)")
    }
}

impl ControlToken {
    /// A fresh token from the operating system's random source.
    pub fn random() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A token chosen by whoever starts the tenant (a test harness that must know it in
    /// advance): at least [`MIN_CHOSEN_TOKEN_LEN`] characters of `A-Z a-z 0-9 - _`, so it is
    /// both hard to guess and safe in a header. `None` when it is not.
    pub fn chosen(text: &str) -> Option<Self> {
        let usable = text.len() >= MIN_CHOSEN_TOKEN_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        usable.then(|| Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in time that depends only on the lengths (which are not secret), so the answer
    /// time does not tell a guesser how many leading characters were right.
    fn matches(&self, offered: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        if offered.len() != expected.len() {
            return false;
        }
        expected
            .iter()
            .zip(offered)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    }
}

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

/// The `host:port` names this tenant answers to, lower case.
fn served_names(base_url: &str) -> Vec<String> {
    let authority = base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let port = authority.rsplit(':').next().unwrap_or_default().to_string();
    let mut names = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !names.contains(&authority) {
        // Bound to another loopback address (127.0.0.2, …): that one too.
        names.push(authority);
    }
    if port == "80" {
        // A client may leave out the default port.
        names.extend(["127.0.0.1".into(), "localhost".into(), "[::1]".into()]);
    }
    names
}

/// Whether the request's target host (the URI's authority if absolute, and the `Host` header)
/// is one of ours. A request naming no host at all is refused as well.
fn names_this_tenant(request: &Request, names: &[String]) -> bool {
    let ours = |host: &str| names.iter().any(|n| n.eq_ignore_ascii_case(host.trim()));
    let from_uri = request.uri().authority().map(|a| a.as_str().to_string());
    let from_header = match request.headers().get(header::HOST) {
        Some(value) => match value.to_str() {
            Ok(text) => Some(text.to_string()),
            Err(_) => return false,
        },
        None => None,
    };
    if from_uri.is_none() && from_header.is_none() {
        return false;
    }
    from_uri.iter().chain(from_header.iter()).all(|h| ours(h))
}

fn is_control_path(path: &str) -> bool {
    path == "/_training" || path.starts_with("/_training/")
}

/// Layer on the whole tenant: the Host check, and the Origin check on `/_training/`.
pub async fn check_host(
    State(state): State<Arc<TenantState>>,
    request: Request,
    next: Next,
) -> Response {
    let names = served_names(&state.base_url);
    if !names_this_tenant(&request, &names) {
        return refused(
            StatusCode::MISDIRECTED_REQUEST,
            "MisdirectedRequest",
            "This training tenant answers only to its own loopback address (for example 127.0.0.1 with its port); the request named another host.",
        );
    }
    if is_control_path(request.uri().path()) {
        if let Some(origin) = request.headers().get(header::ORIGIN) {
            let allowed = origin.to_str().ok().is_some_and(|o| {
                o.strip_prefix("http://")
                    .is_some_and(|host| names.iter().any(|n| n.eq_ignore_ascii_case(host)))
            });
            if !allowed {
                return refused(
                    StatusCode::FORBIDDEN,
                    "ForeignOrigin",
                    "The training controls cannot be used from a web page.",
                );
            }
        }
    }
    next.run(request).await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim() != "0")
        .unwrap_or(false);
    length || headers.contains_key(header::TRANSFER_ENCODING)
}

/// Layer on the `/_training/` controls that need the token (all but the read-only scenario
/// description and clock): the token, then a JSON body.
pub async fn require_token(
    State(state): State<Arc<TenantState>>,
    request: Request,
    next: Next,
) -> Response {
    let offered = request
        .headers()
        .get(CONTROL_TOKEN_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !state.settings.control_token.matches(offered) {
        return refused(
            StatusCode::FORBIDDEN,
            "ControlTokenRequired",
            "This training control needs the tenant's control token (printed at start as \"control token: …\") in the X-Training-Control header.",
        );
    }
    let needs_json = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH
    ) || has_body(request.headers());
    if needs_json && !is_json(request.headers()) {
        return refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "Training controls take a JSON body sent as Content-Type: application/json.",
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_token_is_256_bits_of_hex_and_differs_each_time() {
        let a = ControlToken::random();
        assert_eq!(a.as_str().len(), 64);
        assert!(a.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, ControlToken::random());
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn a_chosen_token_must_be_long_and_header_safe() {
        assert!(ControlToken::chosen("short").is_none());
        assert!(ControlToken::chosen(&"a b".repeat(20)).is_none());
        let good = "0123456789abcdef0123456789ABCDEF";
        assert_eq!(ControlToken::chosen(good).unwrap().as_str(), good);
    }

    #[test]
    fn only_the_exact_token_matches() {
        let t = ControlToken::chosen("0123456789abcdef0123456789abcdef").unwrap();
        assert!(t.matches(b"0123456789abcdef0123456789abcdef"));
        assert!(!t.matches(b"0123456789abcdef0123456789abcdeF"));
        assert!(!t.matches(b"0123456789abcdef"));
        assert!(!t.matches(b""));
    }

    #[test]
    fn the_names_served_are_the_loopback_ones_with_the_port() {
        let names = served_names("http://127.0.0.1:4100");
        assert_eq!(names, ["127.0.0.1:4100", "localhost:4100", "[::1]:4100"]);
        assert!(served_names("http://[::1]:4100").contains(&"[::1]:4100".to_string()));
        assert!(served_names("http://127.0.0.2:4100").contains(&"127.0.0.2:4100".to_string()));
    }
}
