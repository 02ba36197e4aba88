//! `$batch` over real HTTP.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn batch(env: &Env, token: &str, body: Value) -> (StatusCode, Value) {
    env.send_json(Method::POST, token, "/v1.0/$batch", &body.to_string())
        .await
}

fn by_id<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .expect("response")
}

#[tokio::test]
async fn batch_runs_inner_requests_with_their_own_statuses() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("leaver-today");
    let (status, body) = batch(
        &env,
        &token,
        json!({"requests": [
            {"id": "1", "method": "GET", "url": format!("/users/{id}?$select=id,accountEnabled")},
            {"id": "2", "method": "PATCH", "url": format!("/users/{id}"), "headers": {"Content-Type": "application/json"}, "body": {"accountEnabled": false}},
            {"id": "3", "method": "GET", "url": "users?$select=id,displayName,userPrincipalName&$filter=accountEnabled eq false&$count=true", "headers": {"ConsistencyLevel": "eventual"}},
            {"id": "4", "method": "GET", "url": format!("https://graph.microsoft.com/beta/users/{id}")},
            {"id": "5", "method": "GET", "url": "/users/00000000-0000-0000-0000-00000000dead"},
            {"id": "6", "method": "POST", "url": format!("/users/{id}/revokeSignInSessions")},
            {"id": "7", "method": "DELETE", "url": "/groups/0e226165-c685-41ce-8bfc-df8360ab325d"}
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Envelope and error item shaped like the docs' response (its item "3" is a directory 403).
    let docs = fixture("v1.0__json-batching__response.json");
    assert_same_shape(&docs["responses"][2], by_id(&body, "5"), "$.responses[5]");
    assert_eq!(by_id(&body, "1")["status"], 200);
    assert_eq!(by_id(&body, "2")["status"], 204);
    assert!(by_id(&body, "2").get("body").is_none());
    assert_eq!(by_id(&body, "3")["status"], 200);
    assert!(by_id(&body, "3")["body"]["@odata.count"].as_u64().unwrap() > 0);
    assert_eq!(by_id(&body, "4")["status"], 200);
    assert!(by_id(&body, "4")["body"]["@odata.context"]
        .as_str()
        .unwrap()
        .contains("/beta/"));
    assert_eq!(by_id(&body, "5")["status"], 404);
    assert_eq!(
        by_id(&body, "5")["body"]["error"]["code"],
        "Request_ResourceNotFound"
    );
    assert_eq!(by_id(&body, "6")["status"], 200);
    assert_eq!(by_id(&body, "7")["status"], 405);
}

/// The docs' own batch request: unsupported routes answer inside the batch, never fail it.
#[tokio::test]
async fn the_docs_batch_request_is_answered_item_by_item() {
    let env = start().await;
    let token = env.app_token().await;
    let (status, body) = batch(&env, &token, fixture("v1.0__json-batching__request.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["responses"].as_array().unwrap().len(), 5);
    for r in body["responses"].as_array().unwrap() {
        assert!(r["status"].as_u64().unwrap() < 500, "{r}");
    }
    assert_eq!(by_id(&body, "3")["status"], 405);
    let five = by_id(&body, "5");
    assert_eq!(five["status"], 200, "{five}");
    assert!(five["body"]["@odata.count"].is_u64());
}

#[tokio::test]
async fn depends_on_failures_are_424() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("obrien");
    let (status, body) = batch(
        &env,
        &token,
        json!({"requests": [
            {"id": "a", "method": "PATCH", "url": format!("/users/{id}"), "headers": {"Content-Type": "application/json"}, "body": {"nope": 1}},
            {"id": "b", "method": "POST", "url": format!("/users/{id}/revokeSignInSessions"), "dependsOn": ["a"]},
            {"id": "c", "method": "GET", "url": format!("/users/{id}"), "dependsOn": ["b"]}
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id(&body, "a")["status"], 400);
    assert_eq!(by_id(&body, "b")["status"], 424);
    assert_eq!(by_id(&body, "c")["status"], 424);
    let (_, u) = env
        .get_json(
            &token,
            &format!("/v1.0/users/{id}?$select=signInSessionsValidFromDateTime"),
        )
        .await;
    assert!(
        u["signInSessionsValidFromDateTime"].is_null(),
        "dependent request did not run"
    );
}

#[tokio::test]
async fn malformed_batches_are_400() {
    let env = start().await;
    let token = env.app_token().await;
    let twenty_one: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users"}))
        .collect();
    for bad in [
        json!({}),
        json!({"requests": []}),
        json!({"requests": twenty_one}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/users"}, {"id": "1", "method": "GET", "url": "/users"}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]}]}),
        json!({"requests": [{"method": "GET", "url": "/users"}]}),
        json!({"requests": "no"}),
    ] {
        let (status, body) = batch(&env, &token, bad.clone()).await;
        assert_graph_error(status, &body, 400, "BadRequest");
    }
    let (status, body) = env
        .send_json(Method::POST, &token, "/v1.0/$batch", "{{{")
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    // An inner body without Content-Type is that request's 400.
    let (status, body) = batch(
        &env,
        &token,
        json!({"requests": [{"id": "1", "method": "PATCH", "url": "/users/x", "body": {"city": "x"}}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id(&body, "1")["status"], 400);
    let (status, body) = env.get_json(&token, "/v1.0/$batch").await;
    assert_graph_error(status, &body, 405, "Request_BadRequest");
    let (status, body) = env.get_json("nope", "/v1.0/$batch").await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
}

#[tokio::test]
async fn inner_requests_are_throttled_individually() {
    let env = start().await;
    let token = env.app_token().await;
    let r = env
        .http
        .post(env.url("/_training/faults"))
        .json(
            &json!({"pathPrefix": "/users", "method": "GET", "throttleBurst": 2, "retryAfter": 7}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let requests: Vec<Value> = (0..4)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users?$top=1"}))
        .collect();
    let (status, body) = batch(&env, &token, json!({ "requests": requests })).await;
    assert_eq!(status, StatusCode::OK);
    let throttled: Vec<&Value> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 429)
        .collect();
    assert_eq!(throttled.len(), 2);
    assert_eq!(throttled[0]["headers"]["Retry-After"], "7");
    assert_same_shape(
        &fixture("concepts__throttling__response-429.json"),
        &throttled[0]["body"],
        "$",
    );
}
