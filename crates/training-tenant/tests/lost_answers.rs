//! The faults a client must survive on the way back (issue 13 items 1 and 6): `applyThenDrop`
//! carries a request out and then breaks the connection before answering; `retryAfterHeader`
//! sends any `Retry-After` text with injected 429s and 503s, also inside `$batch`.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

impl Env {
    async fn add_fault(&self, rule: Value) -> StatusCode {
        self.http
            .post(self.url("/_training/faults"))
            .json(&rule)
            .send()
            .await
            .unwrap()
            .status()
    }

    fn user_in_state(state: &Value, id: &str) -> Value {
        state["directory"]["users"][id].clone()
    }
}

#[tokio::test]
async fn apply_then_drop_makes_the_change_and_loses_the_answer() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("leaver-today");
    assert_eq!(
        env.add_fault(json!({"pathPrefix": "/users", "method": "PATCH", "applyThenDrop": 1}))
            .await,
        StatusCode::CREATED
    );
    // A read is not matched (method), and a failed request does not use the drop up.
    assert_eq!(
        env.get_json(&token, &format!("/v1.0/users/{id}")).await.0,
        StatusCode::OK
    );
    let (status, _) = env
        .send_json(
            Method::PATCH,
            &token,
            "/v1.0/users/nobody",
            r#"{"accountEnabled":false}"#,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let sent = env
        .http
        .patch(env.url(&format!("/v1.0/users/{id}")))
        .bearer_auth(&token)
        .json(&json!({"accountEnabled": false}))
        .send()
        .await;
    let answered = match sent {
        Err(_) => false,
        Ok(r) => r.bytes().await.is_ok(),
    };
    assert!(!answered, "the connection breaks before the answer");
    let state = env.state().await;
    assert_eq!(
        Env::user_in_state(&state, &id)["props"]["accountEnabled"],
        json!(false),
        "and yet the change was made"
    );

    // Count-limited: the next one is answered.
    let (status, _) = env
        .send_json(
            Method::PATCH,
            &token,
            &format!("/v1.0/users/{id}"),
            r#"{"accountEnabled":true}"#,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn retry_after_header_is_sent_as_given_also_inside_batch() {
    let env = start().await;
    let token = env.app_token().await;
    for value in [
        "1e308",
        "99999999999",
        "-5",
        "Sun, 06 Nov 1994 08:49:37 GMT",
    ] {
        env.add_fault(
            json!({"pathPrefix": "/groups", "throttleBurst": 1, "retryAfterHeader": value}),
        )
        .await;
        let r = env.get(&token, "/v1.0/groups").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()["retry-after"], value);
    }
    env.add_fault(
        json!({"pathPrefix": "/groups", "throttleBurst": 1, "retryAfterHeader": "1e308"}),
    )
    .await;
    let (status, body) = env
        .send_json(
            Method::POST,
            &token,
            "/v1.0/$batch",
            r#"{"requests":[{"id":"1","method":"GET","url":"/groups"}]}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let inner = &body["responses"][0];
    assert_eq!(inner["status"], 429);
    let header = inner["headers"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .map(|(_, v)| v.clone());
    assert_eq!(header, Some(json!("1e308")));

    // Not a header value: refused when the rule is added.
    for bad in ["two\nlines", &"9".repeat(201)] {
        assert_eq!(
            env.add_fault(json!({"throttleBurst": 1, "retryAfterHeader": bad}))
                .await,
            StatusCode::BAD_REQUEST,
            "{bad:?}"
        );
    }
}
