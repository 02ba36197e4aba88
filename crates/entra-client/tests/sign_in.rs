//! Identity-platform behaviour the training tenant does not produce on demand, against a tiny
//! local server: `slow_down` while polling a device code, and the AADSTS7000218 answer of an app
//! registration without "Allow public client flows".

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use common::LocalServer;
use entra_client::{Authenticator, ClientId, Cloud, SignInConfig, TenantId};
use serde_json::json;

fn fake_jwt() -> String {
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        b.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b.encode(r#"{"upn":"helpdesk@contoso.com","scp":"User.Read.All","wids":[]}"#)
    )
}

fn authenticator(server: &LocalServer) -> Authenticator {
    Authenticator::new(
        SignInConfig::new(
            Cloud::custom(&server.base(), &server.base()).unwrap(),
            TenantId::parse("contoso.onmicrosoft.com").unwrap(),
            ClientId::parse("5d7c3f0e-7a52-4e57-9a8e-2f5b1b0c4d11").unwrap(),
        ),
        entra_client::graph::transport::http_client().unwrap(),
    )
    .unwrap()
}

fn device_code_answer() -> String {
    json!({
        "user_code": "YZMYLD4K",
        "device_code": "dc-1",
        "verification_uri": "https://www.microsoft.com/link",
        "expires_in": 900,
        "interval": 1,
        "message": "To sign in, use a web browser to open the page https://www.microsoft.com/link and enter the code YZMYLD4K to authenticate."
    })
    .to_string()
}

#[tokio::test]
async fn slow_down_adds_five_seconds_to_the_polling_interval() {
    let polls: Arc<std::sync::Mutex<Vec<Instant>>> = Arc::default();
    let p2 = polls.clone();
    let server = LocalServer::start(Arc::new(move |s, _| {
        if s.path.ends_with("/devicecode") {
            return (200, vec![], device_code_answer());
        }
        let mut polls = p2.lock().unwrap();
        polls.push(Instant::now());
        match polls.len() {
            1 => (400, vec![], json!({"error": "authorization_pending", "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.", "error_codes": [70016]}).to_string()),
            2 => (400, vec![], json!({"error": "slow_down", "error_description": "polling too fast"}).to_string()),
            _ => (200, vec![], json!({"token_type": "Bearer", "scope": "User.Read.All", "expires_in": 3599, "access_token": fake_jwt(), "refresh_token": "rt"}).to_string()),
        }
    }))
    .await;
    let pending = authenticator(&server).start_device_code().await.unwrap();
    assert_eq!(pending.prompt().user_code, "YZMYLD4K");
    assert!(
        pending.prompt().message.contains("www.microsoft.com/link"),
        "Microsoft's message verbatim"
    );
    assert_eq!(pending.interval(), Duration::from_secs(1));
    let tokens = pending.finish().await.unwrap();
    assert_eq!(tokens.claims().unwrap().account(), "helpdesk@contoso.com");
    let polls = polls.lock().unwrap();
    assert_eq!(polls.len(), 3);
    assert!(
        polls[1] - polls[0] >= Duration::from_secs(1),
        "interval honoured"
    );
    assert!(
        polls[2] - polls[1] >= Duration::from_secs(6),
        "slow_down adds 5 s: {:?}",
        polls[2] - polls[1]
    );
    // The device-code form carried no secret (public client).
    let body = String::from_utf8_lossy(&server.seen()[1].body).to_string();
    assert!(
        !body.contains("client_secret") && body.contains("device_code=dc-1"),
        "{body}"
    );
}

#[tokio::test]
async fn public_client_flows_disabled_says_what_to_enable() {
    let server = LocalServer::start(Arc::new(|s, _| {
        if s.path.ends_with("/devicecode") {
            return (200, vec![], device_code_answer());
        }
        (
            401,
            vec![],
            json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: 2024-01-01 00:00:00Z",
                "error_codes": [7000218],
                "trace_id": "t-1",
                "correlation_id": "c-1"
            })
            .to_string(),
        )
    }))
    .await;
    let e = authenticator(&server)
        .start_device_code()
        .await
        .unwrap()
        .finish()
        .await
        .unwrap_err();
    assert_eq!(e.code(), "sign_in.public_client_flows_disabled", "{e}");
    assert!(e.hint().contains("Allow public client flows"));
    match e {
        entra_client::Error::Identity(i) => assert_eq!(i.correlation_id.as_deref(), Some("c-1")),
        other => panic!("{other:?}"),
    }
}
