//! A web page cannot drive the training tenant: the control token, JSON bodies, and the Host
//! and Origin checks in front of `/_training/` (issue 13, item 8).
//!
//! Requests are written by hand over TCP so that the test, not an HTTP library, decides every
//! header — exactly what a browser's no-cors `fetch` or a DNS-rebound page would send.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every `/_training/` control (method, path, JSON body), read-only ones included.
fn every_control(env: &Env) -> Vec<(&'static str, String, &'static str)> {
    let job = env.tenant.scim_apps()[0].job_id.clone();
    let device = r#"{"userCode":"NOPE1234","userPrincipalName":"nobody@example.test"}"#;
    vec![
        ("GET", "/_training/scenario".into(), ""),
        ("GET", "/_training/clock".into(), ""),
        ("POST", "/_training/clock/advance".into(), r#"{"days":40}"#),
        ("POST", "/_training/reset".into(), "{}"),
        ("GET", "/_training/state".into(), ""),
        (
            "POST",
            "/_training/on-premises/disable".into(),
            r#"{"user":"nobody"}"#,
        ),
        (
            "POST",
            "/_training/on-premises/enable".into(),
            r#"{"user":"nobody"}"#,
        ),
        ("POST", "/_training/device-codes/approve".into(), device),
        ("POST", "/_training/device-codes/decline".into(), device),
        ("GET", "/_training/faults".into(), ""),
        (
            "POST",
            "/_training/faults".into(),
            r#"{"pathPrefix":"/users","errorRate":1.0,"status":503}"#,
        ),
        ("DELETE", "/_training/faults".into(), ""),
        (
            "POST",
            "/_training/assignments".into(),
            r#"{"principalId":"x","servicePrincipalId":"y"}"#,
        ),
        ("GET", "/_training/throttling".into(), ""),
        (
            "PUT",
            "/_training/throttling".into(),
            r#"{"resourceUnitsPer10s":1,"writesPer150s":1}"#,
        ),
        ("GET", "/_training/scim-requests".into(), ""),
        ("GET", "/_training/provisioning".into(), ""),
        ("POST", "/_training/provisioning/run".into(), "{}"),
        (
            "POST",
            "/_training/scim-apps/expensely/renew-token".into(),
            "{}",
        ),
        (
            "PUT",
            format!("/_training/jobs/{job}/settings"),
            r#"{"deleteThreshold":1}"#,
        ),
    ]
}

/// The ones that do not change anything and stay open to loopback clients without the token.
fn is_public(method: &str, path: &str) -> bool {
    method == "GET" && (path == "/_training/scenario" || path == "/_training/clock")
}

struct Raw<'a> {
    env: &'a Env,
}

impl Raw<'_> {
    fn port(&self) -> u16 {
        self.env
            .tenant
            .base_url()
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    fn our_host(&self) -> String {
        format!("127.0.0.1:{}", self.port())
    }

    /// One HTTP/1.1 exchange with exactly these headers (plus Content-Length for a body); the
    /// status and the body.
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port()))
            .await
            .unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer).to_string();
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }
}

/// What the controls can change, to check that a refused request changed none of it.
async fn observable(env: &Env) -> Value {
    let mut state = env.state().await;
    // The dump's clock reads "now", which moves by itself; the offset is what a control changes.
    state["clock"]["now"] = Value::Null;
    state
}

/// A no-cors `fetch("http://127.0.0.1:PORT/_training/reset", {method: "POST", body: "{}"})` from
/// any web page: `text/plain`, no token. Neither it nor its variants change anything.
#[tokio::test]
async fn a_no_cors_text_plain_post_cannot_reset_the_tenant() {
    let env = start().await;
    let raw = Raw { env: &env };
    let host = raw.our_host();
    let token = env.tenant.control_token().to_string();
    // The trainer moved the clock on: a reset would bring it back to 0.
    let (status, _) = raw
        .send(
            "POST",
            "/_training/clock/advance",
            &[
                ("Host", &host),
                ("X-Training-Control", &token),
                ("Content-Type", "application/json"),
            ],
            r#"{"days":3}"#,
        )
        .await;
    assert_eq!(status, 200);
    let before = observable(&env).await;
    assert_eq!(before["clock"]["offsetSeconds"], 3 * 86_400);

    let page = [("Host", host.as_str()), ("Origin", "https://evil.example")];
    let attempts: Vec<(Vec<(&str, &str)>, u16)> = vec![
        // The page as a browser sends it.
        (
            [&page[..], &[("Content-Type", "text/plain;charset=UTF-8")]].concat(),
            403,
        ),
        // The same from a page without an Origin (a sandboxed frame sends "null").
        (
            vec![
                ("Host", host.as_str()),
                ("Origin", "null"),
                ("Content-Type", "text/plain"),
            ],
            403,
        ),
        // No Origin at all, no token: the token is what is missing.
        (
            vec![("Host", host.as_str()), ("Content-Type", "text/plain")],
            403,
        ),
        // Even with the token, a text/plain, form or untyped body is not a control's body.
        (
            vec![
                ("Host", host.as_str()),
                ("X-Training-Control", token.as_str()),
                ("Content-Type", "text/plain"),
            ],
            415,
        ),
        (
            vec![
                ("Host", host.as_str()),
                ("X-Training-Control", token.as_str()),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            415,
        ),
        (
            vec![
                ("Host", host.as_str()),
                ("X-Training-Control", token.as_str()),
                ("Content-Type", "multipart/form-data; boundary=x"),
            ],
            415,
        ),
        (
            vec![
                ("Host", host.as_str()),
                ("X-Training-Control", token.as_str()),
            ],
            415,
        ),
    ];
    for (headers, expected) in attempts {
        let (status, body) = raw.send("POST", "/_training/reset", &headers, "{}").await;
        assert_eq!(status, expected, "{headers:?}: {body}");
        let answer: Value = serde_json::from_str(&body).expect("a JSON error");
        assert!(answer["error"]["message"].is_string(), "{body}");
    }
    assert_eq!(observable(&env).await, before, "nothing was reset");
}

/// A page that rebinds its own host name to 127.0.0.1 sends its own name as Host: every
/// `/_training/` route refuses it, the read-only ones included, token or not.
#[tokio::test]
async fn a_foreign_host_is_refused_on_every_training_route() {
    let env = start().await;
    let raw = Raw { env: &env };
    let token = env.tenant.control_token().to_string();
    let before = observable(&env).await;
    let rebound = format!("attacker.example:{}", raw.port());
    for host in [rebound.as_str(), "attacker.example", "127.0.0.1:1"] {
        for (method, path, body) in every_control(&env) {
            let (status, answer) = raw
                .send(
                    method,
                    &path,
                    &[
                        ("Host", host),
                        ("X-Training-Control", &token),
                        ("Content-Type", "application/json"),
                    ],
                    body,
                )
                .await;
            assert_eq!(status, 421, "{method} {path} as {host}: {answer}");
        }
    }
    // No Host at all is not one of ours either.
    let (status, _) = raw
        .send(
            "GET",
            "/_training/scenario",
            &[("X-Training-Control", &token)],
            "",
        )
        .await;
    assert_eq!(status, 421);
    assert_eq!(observable(&env).await, before, "nothing changed");
}

/// Without the token (or with a wrong one) no control but the read-only two answers, even with
/// a proper JSON body; nothing changes.
#[tokio::test]
async fn without_the_token_no_control_is_obeyed() {
    let env = start().await;
    let raw = Raw { env: &env };
    let host = raw.our_host();
    let wrong = "0".repeat(env.tenant.control_token().len());
    let before = observable(&env).await;
    for (method, path, body) in every_control(&env) {
        if is_public(method, &path) {
            continue;
        }
        for token in [None, Some(wrong.as_str()), Some("")] {
            let mut headers = vec![
                ("Host", host.as_str()),
                ("Content-Type", "application/json"),
            ];
            if let Some(t) = token {
                headers.push(("X-Training-Control", t));
            }
            let (status, answer) = raw.send(method, &path, &headers, body).await;
            assert_eq!(status, 403, "{method} {path} with {token:?}: {answer}");
        }
    }
    assert_eq!(observable(&env).await, before, "nothing changed");
}

/// The person who started the tenant drives it: token plus JSON works, under every loopback
/// name the tenant serves.
#[tokio::test]
async fn with_the_token_and_json_the_controls_work() {
    let env = start().await;
    let raw = Raw { env: &env };
    let token = env.tenant.control_token().to_string();
    let port = raw.port();
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let json_headers = [
            ("Host", host.as_str()),
            ("X-Training-Control", token.as_str()),
            ("Content-Type", "application/json; charset=utf-8"),
        ];
        let (status, body) = raw
            .send(
                "POST",
                "/_training/clock/advance",
                &json_headers,
                r#"{"days":2}"#,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let moved: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(moved["offsetSeconds"], 2 * 86_400);
        let (status, _) = raw
            .send("POST", "/_training/reset", &json_headers, "{}")
            .await;
        assert_eq!(status, 204);
        // A DELETE without a body needs no content type; its own origin is welcome.
        let (status, _) = raw
            .send(
                "DELETE",
                "/_training/faults",
                &[
                    ("Host", host.as_str()),
                    ("X-Training-Control", token.as_str()),
                    ("Origin", &format!("http://{host}")),
                ],
                "",
            )
            .await;
        assert_eq!(status, 204);
    }
    assert_eq!(env.state().await["clock"]["offsetSeconds"], 0, "reset");
}

/// Third-party harnesses read the scenario and the clock without the token, from loopback.
#[tokio::test]
async fn the_scenario_and_clock_are_readable_without_the_token() {
    let env = start().await;
    let plain = reqwest::Client::new();
    for path in ["/_training/scenario", "/_training/clock"] {
        let r = plain.get(env.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(body.is_object(), "{path}: {body}");
    }
    let r = plain
        .get(env.url("/_training/scenario"))
        .send()
        .await
        .unwrap();
    let scenario: Value = r.json().await.unwrap();
    assert_eq!(scenario["tenantId"], env.tid());
    // The full state dump is not part of that: it needs the token.
    let r = plain.get(env.url("/_training/state")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // Nor is a write disguised as the read-only path.
    let r = plain
        .post(env.url("/_training/clock"))
        .json(&json!({"days": 1}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(env.state().await["clock"]["offsetSeconds"], 0);
}

/// A harness that starts the tenant elsewhere (the desktop app under test) chooses the token;
/// a guessable one is refused at start.
#[tokio::test]
async fn a_chosen_token_is_used_and_a_weak_one_refused() {
    let chosen = "harness-chosen-token-0123456789abcdef";
    let env = start_with(training_tenant::Options {
        control_token: Some(chosen.into()),
        ..training_tenant::Options::default()
    })
    .await;
    assert_eq!(env.tenant.control_token(), chosen);
    let weak = training_tenant::TrainingTenant::start(training_tenant::Options {
        control_token: Some("1234".into()),
        ..training_tenant::Options::default()
    })
    .await;
    assert!(matches!(
        weak,
        Err(training_tenant::Error::UnusableControlToken)
    ));
}

/// The binary prints the token on the line after the URL; with it, a script resets the tenant,
/// without it, it cannot.
#[tokio::test]
async fn the_binary_prints_the_control_token_after_the_url() {
    let bin = env!("CARGO_BIN_EXE_training-tenant");
    let mut child = Command::new(bin)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let token = second
        .strip_prefix("control token: ")
        .unwrap_or_else(|| panic!("second line: {second:?}"))
        .to_string();
    assert!(token.len() >= 32, "{token}");
    let http = reqwest::Client::new();
    let without = http
        .post(format!("{url}/_training/reset"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .status();
    let with = http
        .post(format!("{url}/_training/reset"))
        .header("X-Training-Control", &token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .status();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(without, 403);
    assert_eq!(with, 204);
}
