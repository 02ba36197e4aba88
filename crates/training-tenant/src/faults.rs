//! Fault injection for Graph routes, set through `/_training/faults`: error rates (500/503),
//! delays, dropped connections (before or after the request is carried out) and forced 429
//! bursts, per path prefix and method.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use rand::Rng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default)]
    pub id: String,
    /// Matches Graph paths after the version, case-insensitively (`/users`, `/directory/deletedItems`).
    /// Empty matches every Graph route.
    #[serde(default)]
    pub path_prefix: String,
    /// `GET`, `PATCH`, ...; absent matches every method.
    #[serde(default)]
    pub method: Option<String>,
    /// Probability (0..=1) that a matching request fails with `status`.
    #[serde(default)]
    pub error_rate: f64,
    /// 500 or 503 (other 4xx/5xx statuses are accepted too).
    #[serde(default = "default_status")]
    pub status: u16,
    /// Added to every matching request before it is answered.
    #[serde(default)]
    pub delay_ms: u64,
    /// Probability (0..=1) that the connection is dropped instead of answered.
    #[serde(default)]
    pub drop_rate: f64,
    /// The next N matching requests answer 429 with `Retry-After: retryAfter` (also sent with
    /// injected 503s).
    #[serde(default)]
    pub throttle_burst: u32,
    #[serde(default = "default_retry_after")]
    pub retry_after: u64,
    /// Sent verbatim as the `Retry-After` of injected 429s and 503s instead of `retryAfter`:
    /// a huge number, a negative or fractional one, an HTTP-date, or junk. Microsoft's
    /// throttling guidance only shows whole seconds; a client must survive anything in a header.
    #[serde(default)]
    pub retry_after_header: Option<String>,
    /// The next N matching requests are carried out, and then the connection is dropped
    /// before the answer goes out: the change is made, the client never hears of it (a
    /// network that fails on the way back). Only answers that succeeded count. Matched on the
    /// outer request, so `pathPrefix: "/$batch"` drops a whole batch after running it.
    #[serde(default)]
    pub apply_then_drop: u32,
}

fn default_status() -> u16 {
    503
}

fn default_retry_after() -> u64 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// An injected error; `retry_after` is sent as `Retry-After` with 503 and 429.
    Fail {
        status: StatusCode,
        retry_after: String,
    },
    Throttle {
        retry_after: String,
    },
    Drop,
}

#[derive(Debug, Default, Serialize)]
pub struct Faults {
    pub rules: Vec<FaultRule>,
    next_id: u64,
}

impl FaultRule {
    fn retry_after_value(&self) -> String {
        self.retry_after_header
            .clone()
            .unwrap_or_else(|| self.retry_after.to_string())
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()));
        let path_ok = path
            .to_ascii_lowercase()
            .starts_with(&self.path_prefix.to_ascii_lowercase());
        method_ok && path_ok
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) || !(0.0..=1.0).contains(&self.drop_rate) {
            return Err("errorRate and dropRate must be between 0 and 1".into());
        }
        if StatusCode::from_u16(self.status).is_err() || self.status < 400 {
            return Err("status must be an HTTP error status (400-599)".into());
        }
        if self.delay_ms > 120_000 {
            return Err("delayMs must be at most 120000".into());
        }
        if let Some(value) = &self.retry_after_header {
            if value.len() > 200 || axum::http::HeaderValue::from_str(value).is_err() {
                return Err(
                    "retryAfterHeader must be a header value (visible text, at most 200 characters)"
                        .into(),
                );
            }
        }
        Ok(())
    }
}

impl Faults {
    pub fn add(&mut self, mut rule: FaultRule) -> String {
        self.next_id += 1;
        rule.id = format!("fault-{}", self.next_id);
        let id = rule.id.clone();
        self.rules.push(rule);
        id
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// A forced 429 (burst) or an injected error for this request, if any.
    pub fn decide(&mut self, method: &Method, path: &str) -> Option<FaultAction> {
        let mut rng = rand::thread_rng();
        for rule in self.rules.iter_mut().filter(|r| r.matches(method, path)) {
            if rule.throttle_burst > 0 {
                rule.throttle_burst -= 1;
                return Some(FaultAction::Throttle {
                    retry_after: rule.retry_after_value(),
                });
            }
            if rule.error_rate > 0.0 && rng.gen_bool(rule.error_rate) {
                let status =
                    StatusCode::from_u16(rule.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                return Some(FaultAction::Fail {
                    status,
                    retry_after: rule.retry_after_value(),
                });
            }
        }
        None
    }

    /// After a request was carried out with a successful answer: whether to drop the
    /// connection instead of answering (`applyThenDrop`, counted down).
    pub fn decide_drop_after_apply(&mut self, method: &Method, path: &str) -> bool {
        match self
            .rules
            .iter_mut()
            .find(|r| r.apply_then_drop > 0 && r.matches(method, path))
        {
            Some(rule) => {
                rule.apply_then_drop -= 1;
                true
            }
            None => false,
        }
    }

    pub fn decide_drop(&self, method: &Method, path: &str) -> Option<FaultAction> {
        let mut rng = rand::thread_rng();
        self.rules
            .iter()
            .filter(|r| r.matches(method, path) && r.drop_rate > 0.0)
            .any(|r| rng.gen_bool(r.drop_rate))
            .then_some(FaultAction::Drop)
    }

    pub fn delay_for(&self, method: &Method, path: &str) -> Option<Duration> {
        self.rules
            .iter()
            .filter(|r| r.matches(method, path))
            .map(|r| r.delay_ms)
            .max()
            .filter(|d| *d > 0)
            .map(Duration::from_millis)
    }
}

/// A response whose body fails at once: the server closes the connection mid-response and the
/// client sees a broken connection rather than an HTTP answer.
pub fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))
    });
    Response::new(Body::from_stream(stream))
}
