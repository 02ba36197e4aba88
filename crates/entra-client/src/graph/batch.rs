//! JSON batching ("Combine multiple requests in one HTTP call", graph-api.md §2.5).
//!
//! * At most 20 requests per `$batch`; larger inputs are split.
//! * Inner requests are independent here (no `dependsOn`): a batch "should be either fully
//!   sequential or fully parallel", and the bulk procedures are parallel.
//! * Answers come back in any order; they are returned in input order.
//! * Each inner request is throttled on its own: inner 429/503/504 answers are retried — only
//!   those — after the longest `Retry-After` among them, within the transport's retry budget.
//!   The outer `$batch` call itself goes through the normal retry loop, resent after a lost
//!   answer only when every request inside may be (see `transport`).

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::transport::{error_from_response, parse_retry_after};
use super::{ApiVersion, Graph, GraphRequest};
use crate::error::{Error, RequestIds, Result};

/// Graph's documented maximum per `$batch`.
pub const MAX_BATCH: usize = 20;

/// The successful answer of one inner request.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAnswer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    /// The JSON body, if any (204 answers have none).
    pub body: Option<Value>,
}

impl BatchAnswer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.body.clone().unwrap_or(Value::Null)).map_err(|e| {
            Error::UnexpectedResponse {
                detail: format!("{e} (inner HTTP {})", self.status),
                ids: RequestIds {
                    request_id: self.header("request-id"),
                    ..Default::default()
                },
            }
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

#[derive(Debug, Deserialize)]
struct BatchResponseBody {
    #[serde(default)]
    responses: Vec<InnerResponse>,
}

#[derive(Debug, Deserialize)]
struct InnerResponse {
    id: String,
    #[serde(default)]
    status: u16,
    #[serde(default)]
    headers: HashMap<String, Value>,
    #[serde(default)]
    body: Option<Value>,
}

fn header_map(headers: &HashMap<String, String>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            map.insert(name, value);
        }
    }
    map
}

impl Graph {
    /// Sends `requests` (v1.0 URLs of this Graph) through `$batch`, 20 at a time, and returns one
    /// result per request, in input order. `Err` only when the batch call itself failed.
    pub async fn batch(&self, requests: Vec<GraphRequest>) -> Result<Vec<Result<BatchAnswer>>> {
        let mut results: Vec<Option<Result<BatchAnswer>>> =
            (0..requests.len()).map(|_| None).collect();
        let indices: Vec<usize> = (0..requests.len()).collect();
        for chunk in indices.chunks(MAX_BATCH) {
            self.run_chunk(&requests, chunk, &mut results).await?;
        }
        Ok(results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(Error::UnexpectedResponse {
                        detail: "no answer for this request in the batch".into(),
                        ids: RequestIds::default(),
                    })
                })
            })
            .collect())
    }

    async fn run_chunk(
        &self,
        requests: &[GraphRequest],
        chunk: &[usize],
        results: &mut [Option<Result<BatchAnswer>>],
    ) -> Result<()> {
        let policy = self.transport.retry_policy();
        let mut pending: Vec<usize> = chunk.to_vec();
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        while !pending.is_empty() {
            attempt += 1;
            let body = json!({
                "requests": pending.iter().map(|&i| self.inner_json(i, &requests[i])).collect::<Vec<_>>()
            });
            // The operation of the first request stands for the batch in outer errors.
            let operation = requests[pending[0]].operation;
            let mut outer = GraphRequest::new(
                Method::POST,
                self.url(ApiVersion::V1, &["$batch"], &[]),
                operation,
            )
            .json(body);
            // The `$batch` POST is as safe to send again as the least safe request inside it:
            // a batch of reads is resent after a lost answer, a batch with a revoke is not (the
            // caller gets `AnswerLost` and reads each item's state back).
            if pending.iter().all(|&i| requests[i].idempotent) {
                outer = outer.without_side_effects();
            }
            let parsed: BatchResponseBody = self.send_json(outer).await?;

            let mut retry = Vec::new();
            let mut retry_after: Option<Duration> = None;
            let mut last_errors: HashMap<usize, Error> = HashMap::new();
            for inner in parsed.responses {
                // Ids are 1-based positions in the input, as in the docs' examples.
                let Some(i) = inner
                    .id
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .filter(|i| pending.contains(i))
                else {
                    continue;
                };
                let headers: HashMap<String, String> = inner
                    .headers
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k,
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect();
                if (200..300).contains(&inner.status) {
                    results[i] = Some(Ok(BatchAnswer {
                        status: inner.status,
                        headers,
                        body: inner.body,
                    }));
                    continue;
                }
                let map = header_map(&headers);
                let body_bytes = inner
                    .body
                    .as_ref()
                    .map(|b| serde_json::to_vec(b).unwrap_or_default())
                    .unwrap_or_default();
                let err = error_from_response(
                    inner.status,
                    &map,
                    &body_bytes,
                    Some(requests[i].operation),
                    None,
                );
                if matches!(inner.status, 429 | 503 | 504) {
                    let ra = parse_retry_after(&map);
                    retry_after = match (retry_after, ra) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    retry.push(i);
                    last_errors.insert(i, err);
                } else {
                    results[i] = Some(Err(err));
                }
            }
            // Requests the answer did not mention are retried too.
            for &i in &pending {
                if results[i].is_none() && !retry.contains(&i) {
                    retry.push(i);
                }
            }
            if retry.is_empty() {
                break;
            }
            let delay = policy.delay(attempt, retry_after);
            if attempt >= policy.max_attempts || waited + delay > policy.max_total_wait {
                for i in retry {
                    results[i] = Some(Err(last_errors.remove(&i).unwrap_or(Error::Throttled {
                        retry_after,
                        ids: RequestIds::default(),
                    })));
                }
                break;
            }
            tracing::info!(
                count = retry.len(),
                delay_ms = delay.as_millis() as u64,
                "retrying throttled batch requests"
            );
            tokio::time::sleep(delay).await;
            waited += delay;
            retry.sort_unstable();
            pending = retry;
        }
        Ok(())
    }

    fn inner_json(&self, index: usize, req: &GraphRequest) -> Value {
        let mut headers = serde_json::Map::new();
        for (k, v) in &req.headers {
            if let Ok(v) = v.to_str() {
                headers.insert(k.as_str().to_string(), Value::String(v.to_string()));
            }
        }
        let mut item = json!({
            "id": (index + 1).to_string(),
            "method": req.method.as_str(),
            "url": self.relative(&req.url),
        });
        if let Some(body) = &req.body {
            headers.insert(
                "Content-Type".into(),
                Value::String("application/json".into()),
            );
            item["body"] = body.clone();
        }
        if !headers.is_empty() {
            item["headers"] = Value::Object(headers);
        }
        item
    }
}
