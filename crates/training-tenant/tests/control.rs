//! `/_training/` control endpoints, fault injection, throttling, the binary and start-up rules.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use training_tenant::{Error, Options, TrainingTenant};

#[tokio::test]
async fn scenario_describes_the_tenant() {
    let env = start().await;
    let s: Value = env
        .http
        .get(env.url("/_training/scenario"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["tenantId"], env.tid());
    assert_eq!(s["tenantDomain"], "contoso-training.onmicrosoft.com");
    assert_eq!(
        s["authority"],
        format!("{}/{}", env.tenant.base_url(), env.tid())
    );
    for f in [
        "organization",
        "publicClientId",
        "automationClientId",
        "automationClientSecret",
        "graphBaseUrl",
    ] {
        assert!(s[f].is_string(), "{f}");
    }
    let roles: Vec<String> = s["demoAccounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
        })
        .collect();
    for r in [
        "User Administrator",
        "Application Administrator",
        "Reports Reader",
        "Global Administrator",
    ] {
        assert!(roles.contains(&r.to_string()), "{r}");
    }
    assert!(s["apps"].as_array().unwrap().len() >= 3);
}

#[tokio::test]
async fn reset_restores_the_scenario_and_clock() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("obrien");
    env.send_json(Method::DELETE, &token, &format!("/v1.0/users/{id}"), "")
        .await;
    env.http
        .post(env.url("/_training/clock/advance"))
        .json(&json!({"days": 40}))
        .send()
        .await
        .unwrap();
    let clock: Value = env
        .http
        .get(env.url("/_training/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(clock["offsetSeconds"].as_i64().unwrap() >= 40 * 86_400);
    let r = env
        .http
        .post(env.url("/_training/reset"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        env.get_json(&token, &format!("/v1.0/users/{id}")).await.0,
        StatusCode::OK,
        "old token still valid"
    );
    let state = env.state().await;
    assert_eq!(state["clock"]["offsetSeconds"], 0);
    assert!(
        state["directory"]["deletedUsers"]
            .as_object()
            .unwrap()
            .len()
            == 3
    );
    // Bad control input.
    for body in [
        json!({"days": -1}),
        json!({"weeks": 1}),
        json!({"days": 1_000_000_000_000i64}),
    ] {
        let r = env
            .http
            .post(env.url("/_training/clock/advance"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let r = env
        .http
        .post(env.url("/_training/device-codes/approve"))
        .json(&json!({"userCode": "NOPE", "userPrincipalName": env.upn("User Administrator")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn injected_errors_delays_and_drops() {
    let env = start().await;
    let token = env.app_token().await;
    let add = |rule: Value| {
        let http = env.http.clone();
        let url = env.url("/_training/faults");
        async move { http.post(url).json(&rule).send().await.unwrap().status() }
    };
    assert_eq!(
        add(json!({"pathPrefix": "/users", "errorRate": 1.0, "status": 500})).await,
        StatusCode::CREATED
    );
    let (status, body) = env.get_json(&token, "/v1.0/users").await;
    assert_graph_error(status, &body, 500, "generalException");
    // Other routes are untouched.
    assert_eq!(env.get_json(&token, "/v1.0/groups").await.0, StatusCode::OK);
    env.http
        .delete(env.url("/_training/faults"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        add(json!({"pathPrefix": "/groups", "errorRate": 1.0, "status": 503})).await,
        StatusCode::CREATED
    );
    let r = env.get(&token, "/v1.0/groups").send().await.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_graph_error(status, &body, 503, "serviceNotAvailable");
    env.http
        .delete(env.url("/_training/faults"))
        .send()
        .await
        .unwrap();

    add(json!({"pathPrefix": "/servicePrincipals", "delayMs": 300})).await;
    let started = std::time::Instant::now();
    assert_eq!(
        env.get_json(&token, "/v1.0/servicePrincipals").await.0,
        StatusCode::OK
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    env.http
        .delete(env.url("/_training/faults"))
        .send()
        .await
        .unwrap();

    add(json!({"pathPrefix": "/users", "dropRate": 1.0})).await;
    let dropped = match env.get(&token, "/v1.0/users").send().await {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(dropped, "the connection breaks");
    env.http
        .delete(env.url("/_training/faults"))
        .send()
        .await
        .unwrap();

    add(json!({"throttleBurst": 1, "retryAfter": 3})).await;
    let r = env.get(&token, "/v1.0/users").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "3");
    assert_eq!(
        env.get_json(&token, "/v1.0/users").await.0,
        StatusCode::OK,
        "burst over"
    );

    for bad in [
        json!({"errorRate": 2.0}),
        json!({"status": 200}),
        json!({"bogus": 1}),
    ] {
        assert_eq!(add(bad).await, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn throttling_answers_429_with_graph_headers() {
    let env = start().await;
    let token = env.app_token().await;
    let r = env
        .http
        .put(env.url("/_training/throttling"))
        .json(&json!({"enabled": true, "resourceUnitsPer10s": 5, "writesPer150s": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = env.get(&token, "/v1.0/users").send().await.unwrap();
    assert_eq!(r.headers()["x-ms-resource-unit"], "2");
    env.get(&token, "/v1.0/users").send().await.unwrap();
    let r = env.get(&token, "/v1.0/users").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(
        r.headers()["x-ms-throttle-information"],
        "ResourceUnitLimitExceeded"
    );
    assert!(r.headers()["x-ms-throttle-scope"]
        .to_str()
        .unwrap()
        .starts_with("Tenant_Application/"));
    let body: Value = r.json().await.unwrap();
    assert_same_shape(
        &fixture("concepts__throttling__response-429.json"),
        &body,
        "$",
    );
}

#[tokio::test]
async fn only_loopback_addresses() {
    let addr: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let r = TrainingTenant::start(Options {
        addr,
        ..Options::default()
    })
    .await;
    assert!(matches!(r, Err(Error::NotLoopback(_))));
    let r = TrainingTenant::start(Options {
        scenario: "nope".into(),
        ..Options::default()
    })
    .await;
    assert!(matches!(r, Err(Error::UnknownScenario(_))));
}

#[test]
fn binary_prints_its_url_first_and_refuses_other_addresses() {
    let bin = env!("CARGO_BIN_EXE_training-tenant");
    let out = Command::new(bin)
        .args(["--addr", "0.0.0.0:8080"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));

    let mut child = Command::new(bin)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.trim().starts_with("http://127.0.0.1:"), "{line}");
}

#[tokio::test]
async fn large_tenant_pages_and_filters() {
    let started = std::time::Instant::now();
    let env = start_with(Options {
        population: Some(training_tenant::scenario::LARGE_POPULATION),
        ..Options::default()
    })
    .await;
    eprintln!("100k-user tenant started in {:?}", started.elapsed());
    let token = env.app_token().await;
    let r = env
        .get(&token, "/v1.0/users/$count")
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    let n: usize = r.text().await.unwrap().parse().unwrap();
    assert!(n >= 100_000);
    let started = std::time::Instant::now();
    let (status, body) = env
        .get_json(
            &token,
            "/v1.0/users?$filter=employeeId%20eq%20'E050000'&$select=id,userPrincipalName",
        )
        .await;
    eprintln!("filter over 100k users took {:?}", started.elapsed());
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
}
