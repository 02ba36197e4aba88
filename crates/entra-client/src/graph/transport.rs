//! One HTTP client, one retry loop, one error mapping for every Graph call.
//!
//! Retry rules ("Microsoft Graph throttling guidance", graph-api.md §2.6):
//! * 429, 503 and 504 are retried. When the answer has `Retry-After` we wait at least that long
//!   (plus at most 50 ms, so parallel requests don't come back in the same instant); otherwise
//!   an exponential backoff with jitter.
//! * The whole retry budget is bounded (attempts and total waiting); when it runs out the last
//!   answer becomes [`Error::Throttled`] / [`Error::Unavailable`] carrying the wait Graph asked for.
//! * A 401 gets one forced token refresh and one more try ("access token expired").
//! * A connection that could not be opened is retried like 503: the request never left.
//! * A lost answer (the connection broke or timed out after the request went out) is retried
//!   only for requests that may be applied twice with the same effect ([`GraphRequest::idempotent`]:
//!   GET, PUT, DELETE by id and PATCH with absolute values — RFC 9110 §9.2.2). A POST (restore,
//!   revokeSignInSessions, provisionOnDemand, start/pause/restart, a `$batch` that changes
//!   something) is never sent again blindly: it ends in [`Error::AnswerLost`] and the caller reads
//!   the state back. An idempotent request resent after a lost answer whose second answer is a
//!   refusal (404 to a DELETE that the first attempt did) ends in [`Error::AnswerLost`] too.
//! * 504 Gateway Timeout says the gateway got no answer in time: for a POST, that is a lost
//!   answer as well (the docs do not say whether the request was applied; the cautious reading).
//!
//! Every request carries a fresh `client-request-id`; every error keeps it and Graph's
//! `request-id`. The bearer token is only ever sent to https or loopback URLs on the Graph
//! origin this transport was built for.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use url::Url;

use crate::cloud::require_secure;
use crate::error::{Error, RequestIds, Result};
use crate::permissions::Operation;

/// Something that hands out access tokens for Graph (a signed-in session, or a fixed token).
pub trait TokenProvider: Send + Sync {
    /// A valid access token; `force_refresh` after Graph rejected the previous one with 401.
    fn access_token(&self, force_refresh: bool) -> BoxFuture<'_, Result<String>>;
}

/// A token obtained elsewhere (e.g. the automation client's client-credentials token).
pub struct StaticToken(pub String);

impl TokenProvider for StaticToken {
    fn access_token(&self, _force_refresh: bool) -> BoxFuture<'_, Result<String>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}

/// How hard to try before giving up on a throttled or unavailable service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts including the first.
    pub max_attempts: u32,
    /// Upper bound for all waiting of one request together.
    pub max_total_wait: Duration,
    /// First backoff step when the server gave no `Retry-After`.
    pub base_delay: Duration,
    /// Cap for one backoff step without `Retry-After`.
    pub max_delay: Duration,
}

/// The most added to a `Retry-After` wait, at random.
const RETRY_AFTER_SPREAD: Duration = Duration::from_millis(50);

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            max_total_wait: Duration::from_secs(120),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (tests that want to see the first answer).
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt `attempt + 1` (1-based `attempt` just failed).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let mut rng = rand::thread_rng();
        match retry_after {
            // Never earlier than asked, and barely later: Microsoft's guidance is to wait the
            // Retry-After and retry. A spread of a few tens of milliseconds keeps parallel
            // requests from arriving in one instant without pushing a client past the point
            // its quota window reopens (a proportional spread cost 10% of every window).
            Some(ra) => ra + RETRY_AFTER_SPREAD.mul_f64(rng.gen::<f64>()),
            // "Equal jitter": half fixed, half random, doubling each attempt.
            None => {
                let exp = self
                    .base_delay
                    .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
                    .min(self.max_delay);
                exp / 2 + (exp / 2).mul_f64(rng.gen::<f64>())
            }
        }
    }
}

/// The longest `Retry-After` this client honours. Graph asks for seconds ("Microsoft Graph
/// throttling guidance" shows `Retry-After: 10`); the default retry budget is two minutes, so a
/// longer wait never leads to another attempt anyway. The cap keeps a bogus value (a huge
/// number, a date years ahead) from overflowing a `Duration` or telling the person to wait
/// for days: they are told to wait five minutes and try again.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(5 * 60);

/// `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3), clamped to
/// [`MAX_RETRY_AFTER`]. Anything else — a sign, a fraction, an exponent, `NaN`, a date that does
/// not parse — is no `Retry-After` at all (the caller backs off on its own). Never panics.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after_value(raw)
}

/// [`parse_retry_after`] for one header value (also the inner headers of a `$batch` answer).
pub fn parse_retry_after_value(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    // delta-seconds = 1*DIGIT; more digits than a u64 holds is simply "very long".
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        let secs = raw.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    // HTTP-date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"); RFC 2822 parsing accepts it.
    let when = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(
        delta
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// One Graph request, before it is sent.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    pub method: Method,
    pub url: Url,
    /// Extra headers such as `ConsistencyLevel: eventual`.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<serde_json::Value>,
    /// What is being done, for 403 hints and logs.
    pub operation: Operation,
    /// Whether sending it twice has the effect of sending it once, so that it may be sent
    /// again after its answer was lost. Set from the method by [`GraphRequest::new`].
    pub idempotent: bool,
}

impl GraphRequest {
    pub fn new(method: Method, url: Url, operation: Operation) -> Self {
        // RFC 9110 §9.2.2: GET, HEAD, OPTIONS, PUT and DELETE are idempotent. PATCH is not in
        // general, but every PATCH this crate sends sets absolute values (`accountEnabled:
        // false`), which is. POST is not: a restore, a revoke or a provision on demand is an
        // action, and a second one is a second action.
        let idempotent = method != Method::POST;
        Self {
            method,
            url,
            headers: Vec::new(),
            body: None,
            operation,
            idempotent,
        }
    }

    /// Marks a POST that changes nothing (a `$batch` of reads, `parseExpression`) as safe to
    /// send again after a lost answer.
    pub fn without_side_effects(mut self) -> Self {
        self.idempotent = true;
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds `ConsistencyLevel: eventual` (advanced queries, graph-api.md §2.4).
    pub fn eventual(mut self) -> Self {
        self.headers.push((
            HeaderName::from_static("consistencylevel"),
            HeaderValue::from_static("eventual"),
        ));
        self
    }
}

/// A successful answer.
#[derive(Debug)]
pub struct GraphResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub ids: RequestIds,
}

impl GraphResponse {
    /// Parses the body as JSON; an empty body is an [`Error::UnexpectedResponse`].
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::UnexpectedResponse {
            detail: format!("{e} (HTTP {})", self.status.as_u16()),
            ids: self.ids.clone(),
        })
    }
}

/// Graph's error body: `{"error":{"code","message","innerError":{...}}}` (errors.md).
#[derive(Debug, Default, Deserialize)]
pub struct GraphErrorBody {
    #[serde(default)]
    pub error: GraphErrorDetail,
}

#[derive(Debug, Default, Deserialize)]
pub struct GraphErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, rename = "innerError", alias = "innererror")]
    pub inner_error: Option<InnerError>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InnerError {
    #[serde(default, rename = "request-id")]
    pub request_id: Option<String>,
    #[serde(default, rename = "client-request-id")]
    pub client_request_id: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

/// Graph's refusal to change a property that on-premises Active Directory owns: "Unable to update
/// the specified properties for on-premises mastered Directory Sync objects or objects currently
/// undergoing migration." (quoted in microsoft-graph-docs-contrib issues #5768 and #1900 on
/// `api-reference/v1.0/api/user-update.md`). Its code is the generic `Request_BadRequest`, so the
/// message is the only thing that tells it apart; the docs do not list it, so we match the stable
/// part of Microsoft's sentence, case-insensitively.
fn is_on_premises_mastered(message: &str) -> bool {
    message
        .to_lowercase()
        .contains("on-premises mastered directory sync objects")
}

/// Builds the error for a non-success status from headers and body (also used for the inner
/// answers of a `$batch`).
pub fn error_from_response(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    operation: Option<Operation>,
    client_request_id: Option<&str>,
) -> Error {
    let parsed: Option<GraphErrorBody> = serde_json::from_slice(body).ok();
    let detail = parsed.map(|b| b.error).unwrap_or_default();
    let inner = detail.inner_error.unwrap_or_default();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let ids = RequestIds {
        request_id: header("request-id").or(inner.request_id),
        client_request_id: header("client-request-id")
            .or(inner.client_request_id)
            .or(client_request_id.map(str::to_string)),
        date: inner.date,
    };
    let message = if detail.message.is_empty() {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            format!("HTTP {status}")
        } else {
            text.chars().take(300).collect()
        }
    } else {
        detail.message
    };
    match status {
        401 => Error::Unauthorized { message, ids },
        403 => Error::Forbidden {
            code: detail.code,
            message,
            operation,
            ids,
        },
        404 => Error::NotFound { message, ids },
        429 => Error::Throttled {
            retry_after: parse_retry_after(headers),
            ids,
        },
        503 | 504 => Error::Unavailable { status, ids },
        400 if is_on_premises_mastered(&message) => Error::OnPremisesMastered { message, ids },
        _ => Error::Graph {
            status,
            code: if detail.code.is_empty() {
                format!("HTTP{status}")
            } else {
                detail.code
            },
            message,
            ids,
        },
    }
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// Whether a refusal of a request sent again after a lost answer may have been caused by the
/// first attempt: a DELETE that worked makes the second one 404; a change that worked can
/// make the second one conflict. A read changes nothing, so its refusal is its own.
fn may_be_our_own_doing(method: &Method, status: StatusCode) -> bool {
    *method != Method::GET && *method != Method::HEAD && matches!(status.as_u16(), 404 | 409 | 412)
}

/// The shared HTTP client: short connect timeout, bounded request time, no redirects (the
/// identity platform and Graph answer directly; following a redirect could leak a token).
pub fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ProvisioningDesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network {
            host: "-".into(),
            detail: e.to_string(),
            ids: RequestIds::default(),
        })
}

/// Sends Graph requests with the retry, auth and error rules above.
#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
    tokens: Arc<dyn TokenProvider>,
    retry: RetryPolicy,
    /// Only URLs on this origin get the bearer token.
    origin: url::Origin,
}

impl Transport {
    pub fn new(
        http: reqwest::Client,
        tokens: Arc<dyn TokenProvider>,
        retry: RetryPolicy,
        graph_base: &Url,
    ) -> Result<Self> {
        require_secure(graph_base)?;
        Ok(Self {
            http,
            tokens,
            retry,
            origin: graph_base.origin(),
        })
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn check_url(&self, url: &Url) -> Result<()> {
        require_secure(url)?;
        if url.origin() != self.origin {
            // A nextLink or batch URL pointing elsewhere must not receive our token.
            return Err(Error::InsecureUrl {
                url: url.to_string(),
            });
        }
        Ok(())
    }

    /// Sends one request; returns the 2xx answer or the mapped error.
    pub async fn send(&self, req: &GraphRequest) -> Result<GraphResponse> {
        self.check_url(&req.url)?;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let host = req.url.host_str().unwrap_or_default().to_string();
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        // One forced refresh per request, on the attempt right after a 401.
        let mut refreshed = false;
        let mut force_refresh = false;
        // Set once an attempt reached the server and its answer was lost (idempotent requests
        // only: the others stop there).
        let mut lost_before: Option<String> = None;
        loop {
            attempt += 1;
            let token = self
                .tokens
                .access_token(std::mem::take(&mut force_refresh))
                .await?;
            let mut builder = self
                .http
                .request(req.method.clone(), req.url.clone())
                .bearer_auth(token)
                .header("client-request-id", &client_request_id)
                .header("return-client-request-id", "true")
                .header(reqwest::header::ACCEPT, "application/json");
            for (name, value) in &req.headers {
                builder = builder.header(name, value);
            }
            builder = match &req.body {
                Some(body) => builder.json(body),
                // Actions such as start/pause take no body; send an explicit empty one.
                None if req.method == Method::POST => {
                    builder.header(reqwest::header::CONTENT_LENGTH, "0")
                }
                None => builder,
            };
            let ids = || RequestIds {
                request_id: None,
                client_request_id: Some(client_request_id.clone()),
                date: None,
            };
            let lost = |detail: String| Error::AnswerLost {
                host: host.clone(),
                detail,
                ids: ids(),
            };
            let outcome = builder.send().await;
            let (retry_after, last_error) = match outcome {
                Err(e) => {
                    // A connection that was never opened carried nothing: any request may be
                    // tried again. Past that point the request may have arrived.
                    if !e.is_connect() {
                        if !req.idempotent {
                            return Err(lost(e.to_string()));
                        }
                        lost_before.get_or_insert_with(|| e.to_string());
                    }
                    let err = if e.is_timeout() {
                        Error::Timeout {
                            host: host.clone(),
                            ids: ids(),
                        }
                    } else {
                        Error::Network {
                            host: host.clone(),
                            detail: e.to_string(),
                            ids: ids(),
                        }
                    };
                    (None, err)
                }
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    let body = match resp.bytes().await {
                        Ok(b) => b.to_vec(),
                        // The answer broke off: the request arrived and may have been
                        // applied. Sent again only when that is harmless.
                        Err(e) => {
                            if !req.idempotent {
                                return Err(lost(e.to_string()));
                            }
                            lost_before.get_or_insert_with(|| e.to_string());
                            let err = Error::Network {
                                host: host.clone(),
                                detail: e.to_string(),
                                ids: ids(),
                            };
                            let (ok, delay) = self.can_wait(attempt, waited, None);
                            if !ok {
                                return Err(err);
                            }
                            tokio::time::sleep(delay).await;
                            waited += delay;
                            continue;
                        }
                    };
                    tracing::debug!(
                        method = %req.method,
                        path = req.url.path(),
                        status = status.as_u16(),
                        attempt,
                        request_id = headers.get("request-id").and_then(|v| v.to_str().ok()).unwrap_or(""),
                        "graph request"
                    );
                    if status.is_success() {
                        let request_id = headers
                            .get("request-id")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string);
                        return Ok(GraphResponse {
                            status,
                            headers,
                            body,
                            ids: RequestIds {
                                request_id,
                                client_request_id: Some(client_request_id),
                                date: None,
                            },
                        });
                    }
                    let err = error_from_response(
                        status.as_u16(),
                        &headers,
                        &body,
                        Some(req.operation),
                        Some(&client_request_id),
                    );
                    if status == StatusCode::UNAUTHORIZED && !refreshed {
                        refreshed = true;
                        force_refresh = true;
                        // Not a throttling retry: it does not count against the budget.
                        attempt -= 1;
                        continue;
                    }
                    if status == StatusCode::GATEWAY_TIMEOUT {
                        if !req.idempotent {
                            return Err(lost(format!("HTTP 504: {err}")));
                        }
                        lost_before.get_or_insert_with(|| format!("HTTP 504: {err}"));
                    }
                    if !is_retryable(status) {
                        if let Some(first) = lost_before
                            .take()
                            .filter(|_| may_be_our_own_doing(&req.method, status))
                        {
                            return Err(lost(format!(
                                "{first}; sent again, the answer was: {err}"
                            )));
                        }
                        return Err(err);
                    }
                    (parse_retry_after(&headers), err)
                }
            };
            let (ok, delay) = self.can_wait(attempt, waited, retry_after);
            if !ok {
                tracing::warn!(
                    attempt,
                    waited_ms = waited.as_millis() as u64,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "graph retry budget exhausted"
                );
                return Err(last_error);
            }
            tracing::info!(
                attempt,
                delay_ms = delay.as_millis() as u64,
                code = last_error.code(),
                "retrying graph request"
            );
            tokio::time::sleep(delay).await;
            waited += delay;
        }
    }

    /// Whether another attempt fits the budget, and how long to wait before it.
    fn can_wait(
        &self,
        attempt: u32,
        waited: Duration,
        retry_after: Option<Duration>,
    ) -> (bool, Duration) {
        let delay = self.retry.delay(attempt, retry_after);
        let ok = attempt < self.retry.max_attempts && waited + delay <= self.retry.max_total_wait;
        (ok, delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_with_bounded_jitter() {
        let p = RetryPolicy::default();
        for _ in 0..50 {
            let d = p.delay(1, Some(Duration::from_secs(10)));
            assert!(
                d >= Duration::from_secs(10) && d <= Duration::from_millis(10_050),
                "{d:?}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        let first = p.delay(1, None);
        assert!(first <= p.base_delay && first >= p.base_delay / 2);
        let late = p.delay(12, None);
        assert!(late <= p.max_delay && late >= p.max_delay / 2);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("10"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(10)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h), None);
    }

    /// Issue 13 item 6: a value from outside never panics and never asks for more than five
    /// minutes; anything that is not delta-seconds or an HTTP-date is no Retry-After.
    #[test]
    fn hostile_retry_after_values_are_clamped_or_ignored() {
        for huge in [
            "99999999999",
            "18446744073709551615",
            "99999999999999999999999999",
        ] {
            assert_eq!(
                parse_retry_after_value(huge),
                Some(MAX_RETRY_AFTER),
                "{huge}"
            );
        }
        for junk in [
            "1e308",
            "-5",
            "-0",
            "NaN",
            "nan",
            "inf",
            "+10",
            "1.5",
            "0x10",
            "",
            "  ",
            "10 s",
            "Wed, 32 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(parse_retry_after_value(junk), None, "{junk:?}");
        }
        assert_eq!(parse_retry_after_value(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after_value("0"), Some(Duration::ZERO));
        // A date far in the future is a long wait, clamped; one in the past is no wait.
        assert_eq!(
            parse_retry_after_value("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(MAX_RETRY_AFTER)
        );
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(90))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let d = parse_retry_after_value(&soon).unwrap();
        assert!(
            d > Duration::from_secs(80) && d <= Duration::from_secs(90),
            "{d:?}"
        );
        // And what comes of it: a wait that adds up without overflowing.
        let p = RetryPolicy::default();
        let d = p.delay(1, parse_retry_after_value("99999999999"));
        assert!(d >= MAX_RETRY_AFTER && d <= MAX_RETRY_AFTER + RETRY_AFTER_SPREAD);
    }

    /// POST is an action; the other methods this crate sends may be sent again.
    #[test]
    fn only_requests_without_a_second_effect_are_marked_idempotent() {
        let url = Url::parse("https://graph.microsoft.com/v1.0/users/u1").unwrap();
        for method in [Method::GET, Method::PATCH, Method::PUT, Method::DELETE] {
            let req = GraphRequest::new(method.clone(), url.clone(), Operation::ReadUsers);
            assert!(req.idempotent, "{method}");
        }
        let post = GraphRequest::new(Method::POST, url, Operation::RevokeSignInSessions);
        assert!(!post.idempotent);
        assert!(post.without_side_effects().idempotent);
        assert!(may_be_our_own_doing(&Method::DELETE, StatusCode::NOT_FOUND));
        assert!(!may_be_our_own_doing(&Method::GET, StatusCode::NOT_FOUND));
        assert!(!may_be_our_own_doing(
            &Method::DELETE,
            StatusCode::FORBIDDEN
        ));
    }

    #[test]
    fn errors_keep_request_ids_from_body_or_headers() {
        let body = &crate::test_support::fixture("concepts__throttling__response-429.json");
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("10"));
        let e = error_from_response(429, &h, body, None, Some("abc"));
        assert_eq!(e.code(), "graph.throttled");
        let ids = e.request_ids().unwrap();
        assert_eq!(
            ids.request_id.as_deref(),
            Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
        );
        assert_eq!(ids.client_request_id.as_deref(), Some("abc"));
        assert!(
            matches!(e, Error::Throttled { retry_after: Some(d), .. } if d == Duration::from_secs(10))
        );

        let mut h = HeaderMap::new();
        h.insert("request-id", HeaderValue::from_static("from-header"));
        let e = error_from_response(403, &h, br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#, Some(Operation::SetAccountEnabled), None);
        assert_eq!(e.code(), "graph.forbidden");
        assert_eq!(
            e.request_ids().unwrap().request_id.as_deref(),
            Some("from-header")
        );
        assert!(e.hint().contains("User Administrator"));

        let e = error_from_response(500, &HeaderMap::new(), b"<html>oops</html>", None, None);
        assert!(matches!(e, Error::Graph { status: 500, .. }));
    }

    /// A synced person's on-premises-owned property: the desk says where to change it.
    #[test]
    fn on_premises_mastered_refusal_says_to_change_it_in_active_directory() {
        let body = br#"{"error":{"code":"Request_BadRequest","message":"Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.","innerError":{"date":"2021-05-03T18:43:52","request-id":"f247a79c-7eec-442d-b65e-134a327ae7eb"}}}"#;
        let e = error_from_response(400, &HeaderMap::new(), body, None, None);
        assert_eq!(e.code(), "graph.on_premises_mastered");
        assert!(e
            .to_string()
            .contains("synced from your on-premises Active Directory"));
        assert!(e.hint().contains("change this there"), "{}", e.hint());
        assert!(e.hint().contains("next directory sync"), "{}", e.hint());
        assert!(e.request_ids().is_some());
        // Any other 400 stays a plain refusal.
        let other = br#"{"error":{"code":"Request_BadRequest","message":"Invalid property 'x'."}}"#;
        let e = error_from_response(400, &HeaderMap::new(), other, None, None);
        assert_eq!(e.code(), "graph.rejected");
    }
}
