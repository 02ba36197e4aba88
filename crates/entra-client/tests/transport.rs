//! Transport behaviour the training tenant cannot show on demand, against a tiny local server:
//! one forced refresh after 401, Retry-After on 503, backoff on 504, the same client-request-id
//! across retries, nextLink safety and header re-sending, `$batch` chunking and partial retries.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{fast_retry, LocalServer};
use entra_client::graph::{ApiVersion, GraphRequest, TokenProvider};
use entra_client::{Cloud, Error, Graph, Operation, TenantId};
use futures::future::BoxFuture;
use futures::TryStreamExt;
use reqwest::Method;
use serde_json::{json, Value};

/// Counts tokens handed out; a forced refresh gives a new token.
struct CountingTokens {
    forced: AtomicUsize,
}

impl TokenProvider for CountingTokens {
    fn access_token(&self, force_refresh: bool) -> BoxFuture<'_, entra_client::Result<String>> {
        if force_refresh {
            self.forced.fetch_add(1, Ordering::SeqCst);
        }
        let n = self.forced.load(Ordering::SeqCst);
        Box::pin(async move { Ok(format!("token-{n}")) })
    }
}

fn graph_with(server: &LocalServer, tokens: Arc<dyn TokenProvider>) -> Graph {
    let cloud = Cloud::custom(&server.base(), &server.base()).unwrap();
    let endpoints = cloud
        .endpoints(&TenantId::parse("contoso.onmicrosoft.com").unwrap())
        .unwrap();
    Graph::with_http(
        entra_client::graph::transport::http_client().unwrap(),
        &endpoints,
        tokens,
        fast_retry(4),
    )
    .unwrap()
}

fn user_body() -> String {
    json!({"id": "u1", "accountEnabled": "False"}).to_string()
}

#[tokio::test]
async fn a_401_gets_exactly_one_forced_refresh() {
    let server = LocalServer::start(Arc::new(|s, _| {
        let auth = s.headers["authorization"].to_str().unwrap().to_string();
        if auth == "Bearer token-0" {
            (401, vec![], r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}"#.into())
        } else {
            (200, vec![], user_body())
        }
    }))
    .await;
    let tokens = Arc::new(CountingTokens {
        forced: AtomicUsize::new(0),
    });
    let graph = graph_with(&server, tokens.clone());
    let u = graph.get_user("u1").await.unwrap();
    assert_eq!(u.account_enabled, Some(false), "string boolean");
    assert_eq!(tokens.forced.load(Ordering::SeqCst), 1);

    // A server that keeps refusing: one refresh, then the error.
    let server = LocalServer::start(Arc::new(|_, _| {
        (
            401,
            vec![],
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"nope"}}"#.into(),
        )
    }))
    .await;
    let tokens = Arc::new(CountingTokens {
        forced: AtomicUsize::new(0),
    });
    let e = graph_with(&server, tokens.clone())
        .get_user("u1")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph.unauthorized");
    assert_eq!(tokens.forced.load(Ordering::SeqCst), 1);
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn retries_keep_the_client_request_id_and_honour_retry_after() {
    let server = LocalServer::start(Arc::new(|_, n| match n {
        0 => (503, vec![("Retry-After", "1".into())], String::new()),
        1 => (504, vec![], String::new()),
        _ => (200, vec![], user_body()),
    }))
    .await;
    let graph = server.graph(fast_retry(4));
    let t = Instant::now();
    graph.get_user("u1").await.unwrap();
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let ids: Vec<&str> = seen
        .iter()
        .map(|s| s.headers["client-request-id"].to_str().unwrap())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "one id per logical request: {ids:?}"
    );
    // A second request gets a new id.
    graph.get_user("u1").await.unwrap();
    assert_ne!(
        server.seen()[3].headers["client-request-id"],
        seen[0].headers["client-request-id"]
    );
}

#[tokio::test]
async fn retry_after_beyond_the_budget_fails_at_once() {
    let server = LocalServer::start(Arc::new(|_, _| {
        (
            429,
            vec![("Retry-After", "3600".into())],
            r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#.into(),
        )
    }))
    .await;
    let t = Instant::now();
    let e = server
        .graph(fast_retry(4))
        .get_user("u1")
        .await
        .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2));
    // An hour is more than the desk ever waits or tells anyone to wait: clamped to 5 minutes.
    assert!(
        matches!(e, Error::Throttled { retry_after: Some(d), .. } if d == entra_client::graph::transport::MAX_RETRY_AFTER),
        "{e:?}"
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn paging_follows_empty_pages_and_resends_headers() {
    let base = Arc::new(std::sync::Mutex::new(String::new()));
    let b2 = base.clone();
    let server = LocalServer::start(Arc::new(move |s, _| {
        let base = b2.lock().unwrap().clone();
        let body = match s.query.as_str() {
            q if q.contains("page=3") => json!({"value": [{"id": "c"}]}),
            q if q.contains("page=2") => json!({"value": [], "@odata.nextLink": format!("{base}/v1.0/users?page=3")}),
            _ => json!({"@odata.count": 3, "value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": format!("{base}/v1.0/users?page=2")}),
        };
        (200, vec![], body.to_string())
    }))
    .await;
    *base.lock().unwrap() = server.base();
    let graph = server.graph(fast_retry(2));
    let req = GraphRequest::new(
        Method::GET,
        graph.url(ApiVersion::V1, &["users"], &[("$count", "true")]),
        Operation::ReadUsers,
    )
    .eventual();
    let users: Vec<entra_client::graph::users::User> =
        graph.items(req, None).try_collect().await.unwrap();
    assert_eq!(
        users.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    for s in server.seen() {
        assert_eq!(
            s.headers["consistencylevel"], "eventual",
            "re-sent on {}",
            s.query
        );
    }
}

#[tokio::test]
async fn a_next_link_to_another_origin_never_gets_the_token() {
    let server = LocalServer::start(Arc::new(|_, _| {
        (200, vec![], json!({"value": [{"id": "a"}], "@odata.nextLink": "https://evil.example.com/v1.0/users?page=2"}).to_string())
    }))
    .await;
    let graph = server.graph(fast_retry(2));
    let req = GraphRequest::new(
        Method::GET,
        graph.url(ApiVersion::V1, &["users"], &[]),
        Operation::ReadUsers,
    );
    let e = graph.collect::<Value>(req, None).await.unwrap_err();
    assert_eq!(e.code(), "config.insecure_url");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn batch_splits_by_twenty_and_retries_only_failed_inner_requests() {
    // A stateless server: every inner request whose id is a multiple of 3 is throttled with its
    // own Retry-After each time; `missing` answers 404 (not retried); the rest succeed.
    let server = LocalServer::start(Arc::new(|s, _| {
        let body: Value = serde_json::from_slice(&s.body).unwrap();
        let responses: Vec<Value> = body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let id = r["id"].as_str().unwrap();
                let n: usize = id.parse().unwrap();
                if r["url"].as_str().unwrap().contains("missing") {
                    json!({"id": id, "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}})
                } else if n % 3 == 0 {
                    json!({"id": id, "status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {"code": "TooManyRequests", "message": "slow"}}})
                } else {
                    json!({"id": id, "status": 204})
                }
            })
            .collect();
        (200, vec![], json!({"responses": responses}).to_string())
    }))
    .await;
    let graph = server.graph(fast_retry(3));
    let requests: Vec<GraphRequest> = (0..45)
        .map(|i| {
            let seg = if i == 7 {
                "missing".to_string()
            } else {
                format!("u{i}")
            };
            GraphRequest::new(
                Method::PATCH,
                graph.url(ApiVersion::V1, &["users", &seg], &[]),
                Operation::SetAccountEnabled,
            )
            .json(json!({"accountEnabled": false}))
        })
        .collect();
    let t = Instant::now();
    let results = graph.batch(requests).await.unwrap();
    assert_eq!(results.len(), 45);
    assert_eq!(results[7].as_ref().unwrap_err().code(), "graph.not_found");
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited the inner Retry-After"
    );

    let bodies: Vec<Value> = server
        .seen()
        .iter()
        .map(|s| serde_json::from_slice(&s.body).unwrap())
        .collect();
    let ids: Vec<Vec<usize>> = bodies
        .iter()
        .map(|b| {
            b["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().parse().unwrap())
                .collect()
        })
        .collect();
    // Chunks of 20, 20, 5 (ids are 1-based input positions), each followed by two rounds that
    // carry only its throttled requests.
    let sizes: Vec<usize> = ids.iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![20, 6, 6, 20, 7, 7, 5, 2, 2]);
    for round in [1, 2, 4, 5, 7, 8] {
        assert!(ids[round].iter().all(|i| i % 3 == 0), "{:?}", ids[round]);
    }
    // The stateless server throttles the same ids again, so those end as Throttled when the
    // budget runs out; every other request succeeded, in input order.
    for (i, r) in results.iter().enumerate() {
        if i == 7 {
            continue;
        }
        if (i + 1) % 3 == 0 {
            assert!(matches!(r, Err(Error::Throttled { .. })), "{i}: {r:?}");
        } else {
            assert_eq!(r.as_ref().unwrap().status, 204, "{i}");
        }
    }
}

#[tokio::test]
async fn user_keys_are_encoded_as_graph_documents() {
    let server = LocalServer::start(Arc::new(|_, _| (200, vec![], user_body()))).await;
    let graph = server.graph(fast_retry(1));
    graph
        .get_user("AdeleVance_adatum.com#EXT#@contoso.com")
        .await
        .unwrap();
    graph.get_user("$admin@contoso.com").await.unwrap();
    graph.revoke_sign_in_sessions("a/b").await.unwrap();
    let paths: Vec<String> = server.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths[0],
        "/v1.0/users/AdeleVance_adatum.com%23EXT%23@contoso.com"
    );
    assert_eq!(paths[1], "/v1.0/users('$admin@contoso.com')");
    assert_eq!(
        paths[2], "/v1.0/users/a%2Fb/revokeSignInSessions",
        "a slash cannot change the path"
    );
}

/// A look-up by address goes out as an advanced query (`ConsistencyLevel: eventual` and
/// `$count=true`), with the lambda filter intact once decoded (graph-api.md §2.4, §11.6), and
/// the header is sent again on the next page (§2.3).
#[tokio::test]
async fn an_address_look_up_is_an_advanced_query_on_every_page() {
    let server = LocalServer::start(Arc::new(|seen, n| {
        let body = if n == 0 {
            let host = seen.headers["host"].to_str().unwrap_or_default();
            json!({
                "@odata.count": 2,
                "value": [{"id": "1"}],
                "@odata.nextLink": format!("http://{host}/v1.0/users?$skiptoken=page2"),
            })
        } else {
            json!({"value": [{"id": "2"}]})
        };
        (200, vec![], body.to_string())
    }))
    .await;
    let graph = server.graph(fast_retry(1));
    let found = graph
        .find_users_by_address("ad_fabrikam.com#EXT#@contoso.com", 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.headers["consistencylevel"], "eventual");
    }
    let query: Vec<(String, String)> = url::form_urlencoded::parse(seen[0].query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("$count"), Some("true"));
    assert_eq!(
        get("$filter"),
        Some(
            "mail eq 'ad_fabrikam.com#EXT#@contoso.com' \
             or otherMails/any(x:x eq 'ad_fabrikam.com#EXT#@contoso.com') \
             or proxyAddresses/any(x:x eq 'smtp:ad_fabrikam.com#EXT#@contoso.com') \
             or proxyAddresses/any(x:x eq 'SMTP:ad_fabrikam.com#EXT#@contoso.com')"
        )
    );
    assert!(seen[0].query.contains("%23EXT%23"), "{}", seen[0].query);
}
