//! Bad input anywhere: never a 5xx, never a panic, never a state change.

mod common;

use common::*;
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn garbage_requests_change_nothing() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, upn) = env.person("obrien");
    let before = env.state().await["directory"].clone();

    let paths = [
        format!("/v1.0/users/{id}"),
        format!("/v1.0/users('{upn}')"),
        format!("/v1.0/users/{id}/revokeSignInSessions/extra"),
        "/v1.0/users/%ZZ".to_string(),
        "/v1.0/users/%00".to_string(),
        format!("/v1.0/users/{}", "a".repeat(5000)),
        "/v1.0/users('unterminated".to_string(),
        "/v1.0/users(')".to_string(),
        "/v1.0/servicePrincipals(appId=)".to_string(),
        "/v1.0/servicePrincipals()/appRoleAssignedTo".to_string(),
        "/v1.0/groups/x/members/$ref".to_string(),
        "/v1.0/directory".to_string(),
        "/v1.0/directory/deletedItems/microsoft.graph.group".to_string(),
        format!("/v1.0/directory/deletedItems/{id}/restore"),
        "/beta/$batch".to_string(),
        "/v1.0/".to_string(),
        "/v1.0".to_string(),
    ];
    let bodies = [
        "",
        "{",
        "null",
        "[]",
        "\"string\"",
        r#"{"accountEnabled": 0}"#,
        r#"{"@odata.id": 5}"#,
        r#"{"requests": [{"id": "1", "method": "DELETE", "url": "/users/x", "dependsOn": "1"}]}"#,
        "\u{0}\u{1}\u{2}",
    ];
    let methods = [Method::POST, Method::PATCH, Method::PUT, Method::DELETE];
    for (i, path) in paths.iter().enumerate() {
        for method in &methods {
            // The first two paths address a real user: DELETE would rightly delete them.
            if i < 2 && *method == Method::DELETE {
                continue;
            }
            for body in &bodies {
                let r = env
                    .http
                    .request(method.clone(), env.url(path))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .expect("answer");
                let status = r.status();
                assert!(
                    !status.is_server_error(),
                    "{method} {path} {body:?} → {status}"
                );
            }
        }
    }
    // Query strings with bad encodings or bytes.
    for q in [
        "$filter=%ZZ",
        "$filter=%27%FF%27",
        "$top=%00",
        "$select=%E2%28",
        "%24filter=displayName%20eq%20'",
        "$count=maybe",
    ] {
        let r = env
            .get(&token, &format!("/v1.0/users?{q}"))
            .send()
            .await
            .expect("answer");
        assert!(
            r.status().is_client_error() || r.status().is_success(),
            "{q}: {}",
            r.status()
        );
    }
    assert_eq!(env.state().await["directory"], before, "state unchanged");
}

#[tokio::test]
async fn identity_endpoints_reject_garbage() {
    let env = start().await;
    let tid = env.tid();
    for path in [
        format!("/{tid}/oauth2/v2.0/token"),
        format!("/{tid}/oauth2/v2.0/devicecode"),
        format!("/{tid}/oauth2/v2.0/authorize"),
        "/devicelogin".to_string(),
        "/devicelogin/confirm".to_string(),
        "/_training/clock/advance".to_string(),
        "/_training/faults".to_string(),
        "/_training/device-codes/approve".to_string(),
    ] {
        for body in [
            &b"\xff\xfe\x00"[..],
            b"grant_type=%ZZ&&&==",
            b"{\"json\": true}",
            b"",
        ] {
            let r = env
                .http
                .post(env.url(&path))
                .body(body.to_vec())
                .send()
                .await
                .expect("answer");
            assert!(!r.status().is_server_error(), "{path}: {}", r.status());
            assert!(
                !r.status().is_success()
                    || path.contains("devicelogin") && !path.contains("confirm"),
                "{path}: {}",
                r.status()
            );
        }
    }
    let r = env
        .http
        .get(env.url(&format!("/{tid}/oauth2/v2.0/authorize?%ZZ=%FF")))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    let body: Value = env
        .http
        .get(env.url("/nowhere"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["code"], "NotFound");
}
