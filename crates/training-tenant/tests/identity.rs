//! Identity platform v2.0 over real HTTP: discovery, JWKS, authorize, token grants, device code.

mod common;

use common::*;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::Value;
use training_tenant::Options;

async fn token_error(r: reqwest::Response, status: u16, error: &str, code: u64) -> Value {
    assert_eq!(r.status().as_u16(), status);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    let description = body["error_description"].as_str().expect("description");
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: "));
    assert_same_shape(
        &fixture("entra-docs__v2-oauth2-auth-code-flow__token-error-response.json"),
        &body,
        "$",
    );
    body
}

#[tokio::test]
async fn discovery_and_jwks_verify_issued_tokens() {
    let env = start().await;
    let tid = env.tid();
    let doc: Value = env
        .http
        .get(env.url(&format!("/{tid}/v2.0/.well-known/openid-configuration")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for field in [
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "issuer",
        "device_authorization_endpoint",
    ] {
        assert!(
            doc[field]
                .as_str()
                .unwrap()
                .starts_with(env.tenant.base_url()),
            "{field}"
        );
    }
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"][0],
        "client_secret_post"
    );
    let jwks: Value = env
        .http
        .get(doc["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    let token = env.app_token().await;
    let header = decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let dk =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&["https://graph.microsoft.com"]);
    v.set_issuer(&[doc["issuer"].as_str().unwrap()]);
    let claims = decode::<Value>(&token, &dk, &v).unwrap().claims;
    assert_eq!(claims["tid"], tid);
    assert_eq!(claims["idtyp"], "app");
    assert!(claims["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "User.ReadWrite.All"));
    for c in ["exp", "iat", "nbf", "oid"] {
        assert!(!claims[c].is_null(), "{c}");
    }

    let r = env
        .http
        .get(env.url("/fabrikam.example/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    token_error(r, 400, "invalid_request", 90002).await;
}

#[tokio::test]
async fn auth_code_with_pkce_gives_user_tokens_with_roles() {
    let env = start().await;
    let upn = env.upn("User Administrator");
    let tokens = env.user_tokens(&upn).await;
    assert_same_shape(
        &fixture("entra-docs__v2-oauth2-auth-code-flow__token-response.json"),
        &tokens,
        "$",
    );
    assert_eq!(tokens["token_type"], "Bearer");
    let claims: Value = {
        let payload = tokens["access_token"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap();
        let bytes =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    assert_eq!(claims["upn"], upn);
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert!(claims["scp"]
        .as_str()
        .unwrap()
        .contains("User.ReadWrite.All"));
    assert!(claims["wids"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w == "fe930be7-5e62-47db-91af-98c3a49a38b1"));
    assert!(tokens["id_token"].is_string());
    assert!(tokens["refresh_token"].is_string());
}

#[tokio::test]
async fn code_redemption_checks_verifier_and_is_single_use() {
    let env = start().await;
    let upn = env.upn("Reports Reader");
    let code = env.code_for(&upn, "User.Read.All offline_access").await;
    token_error(
        env.redeem(&code, "wrong-verifier").await,
        400,
        "invalid_grant",
        50148,
    )
    .await;
    // The failed attempt consumed the code.
    token_error(
        env.redeem(&code, VERIFIER).await,
        400,
        "invalid_grant",
        70000,
    )
    .await;
    let code = env.code_for(&upn, "User.Read.All").await;
    env.tenant
        .state()
        .clock
        .advance(chrono::Duration::minutes(11));
    token_error(
        env.redeem(&code, VERIFIER).await,
        400,
        "invalid_grant",
        70008,
    )
    .await;
}

fn authorize_url(env: &Env, extra: &[(&str, &str)]) -> String {
    let s = env.tenant.summary();
    let challenge = challenge(VERIFIER);
    let mut pairs = vec![
        ("client_id", s.public_client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", "http://127.0.0.1:5555/cb"),
        ("scope", "openid User.Read.All"),
        ("state", "xyz"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        pairs.retain(|(pk, _)| pk != k);
        pairs.push((k, v));
    }
    let mut url =
        url::Url::parse(&env.url(&format!("/{}/oauth2/v2.0/authorize", s.tenant_id))).unwrap();
    url.query_pairs_mut()
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()));
    url.to_string()
}

#[tokio::test]
async fn authorize_validates_before_redirecting() {
    let env = start().await;
    // Page listing demo accounts, escaped.
    let r = env.http.get(authorize_url(&env, &[])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains(&env.upn("User Administrator")));
    assert!(html.contains("Reports Reader"));
    assert!(!html.contains("<img"));

    // Non-loopback redirect: an error page, never a redirect.
    let r = env
        .http
        .get(authorize_url(
            &env,
            &[("redirect_uri", "https://evil.example/cb")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("AADSTS50011"));
    for bad in ["http://[::1]:5555/", "http://localhost.evil.example/"] {
        let r = env
            .http
            .get(authorize_url(&env, &[("redirect_uri", bad)]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    // Unknown client.
    let r = env
        .http
        .get(authorize_url(
            &env,
            &[("client_id", "00000000-1111-2222-3333-444444444444")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // PKCE: missing or plain → error redirect with state.
    for extra in [
        [("code_challenge", "")],
        [("code_challenge_method", "plain")],
    ] {
        let r = env
            .http
            .get(authorize_url(&env, &extra))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            loc.starts_with("http://127.0.0.1:5555/cb?error=invalid_request"),
            "{loc}"
        );
        assert!(loc.contains("state=xyz"));
    }
    // Scope of another resource.
    let r = env
        .http
        .get(authorize_url(
            &env,
            &[("scope", "https://foo.microsoft.com/mail.read")],
        ))
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("error=invalid_scope"), "{loc}");

    // prompt=none: there is no session to reuse.
    let r = env
        .http
        .get(authorize_url(&env, &[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        loc.contains("error=login_required") && loc.contains("state=xyz"),
        "{loc}"
    );

    // Logout goes back to a loopback URI only.
    let tid = env.tid();
    let r = env
        .http
        .get(env.url(&format!(
            "/{tid}/oauth2/v2.0/logout?post_logout_redirect_uri=http://localhost:1234/bye"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "http://localhost:1234/bye");
    let r = env
        .http
        .get(env.url(&format!(
            "/{tid}/oauth2/v2.0/logout?post_logout_redirect_uri=https://evil.example/"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Disabled user cannot sign in (auto consent answers access_denied).
    let upn = env.person("intern-returning").1;
    let r = env
        .http
        .get(authorize_url(
            &env,
            &[
                ("training_login_hint", &upn),
                ("training_auto_consent", "1"),
            ],
        ))
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        loc.contains("error=access_denied") && loc.contains("AADSTS50057"),
        "{loc}"
    );
}

#[tokio::test]
async fn sign_in_page_form_post_issues_a_code_and_cancel_is_access_denied() {
    let env = start().await;
    let s = env.tenant.summary();
    let challenge = challenge(VERIFIER);
    let form = [
        ("client_id", s.public_client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:9000"),
        ("scope", "User.Read.All"),
        ("state", "s"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let url = env.url(&format!("/{}/oauth2/v2.0/authorize", s.tenant_id));
    let upn = env.upn("Application Administrator");
    let mut with_login = form.to_vec();
    with_login.push(("login", upn.as_str()));
    let r = env.http.post(&url).form(&with_login).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("http://localhost:9000/?code="), "{loc}");

    let mut cancel = form.to_vec();
    cancel.push(("cancel", "1"));
    let r = env.http.post(&url).form(&cancel).send().await.unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("error=access_denied"), "{loc}");

    let mut unknown = form.to_vec();
    unknown.push(("login", "nobody@contoso-training.onmicrosoft.com"));
    let r = env.http.post(&url).form(&unknown).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("AADSTS50034"));
}

#[tokio::test]
async fn refresh_rotates_and_revocation_ends_it() {
    let env = start().await;
    let (_, upn) = env.person("obrien");
    let tokens = env.user_tokens(&upn).await;
    let s = env.tenant.summary().clone();
    let token_url = env.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id));
    let refresh = |rt: String| {
        let http = env.http.clone();
        let url = token_url.clone();
        let client = s.public_client_id.clone();
        async move {
            http.post(url)
                .form(&[
                    ("client_id", client.as_str()),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", rt.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = refresh(tokens["refresh_token"].as_str().unwrap().to_string()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let next: Value = r.json().await.unwrap();
    assert_ne!(next["refresh_token"], tokens["refresh_token"], "rotated");
    assert!(next["access_token"].is_string());

    token_error(
        refresh("not-a-token".into()).await,
        400,
        "invalid_grant",
        9002313,
    )
    .await;

    // An admin revokes the user's sessions: the refresh token stops working.
    let admin = env.app_token().await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _) = env
        .send_json(
            reqwest::Method::POST,
            &admin,
            &format!("/v1.0/users/{upn}/revokeSignInSessions"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    token_error(
        refresh(next["refresh_token"].as_str().unwrap().to_string()).await,
        400,
        "invalid_grant",
        50173,
    )
    .await;
}

#[tokio::test]
async fn device_code_flow_pending_slow_down_declined_expired_approved() {
    let env = start_with(Options {
        device_code_interval: 2,
        ..Options::default()
    })
    .await;
    let s = env.tenant.summary().clone();
    let start_device = || {
        let http = env.http.clone();
        let url = env.url(&format!("/{}/oauth2/v2.0/devicecode", s.tenant_id));
        let client = s.public_client_id.clone();
        async move {
            let r = http
                .post(url)
                .form(&[
                    ("client_id", client.as_str()),
                    ("scope", "User.Read.All offline_access openid"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    let poll = |device_code: String| {
        let http = env.http.clone();
        let url = env.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id));
        let client = s.public_client_id.clone();
        async move {
            http.post(url)
                .form(&[
                    ("client_id", client.as_str()),
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("device_code", device_code.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let decide = |action: &'static str, user_code: String, upn: Option<String>| {
        let http = env.http.clone();
        let url = env.url(&format!("/_training/device-codes/{action}"));
        async move {
            let mut body = serde_json::json!({ "userCode": user_code });
            if let Some(u) = upn {
                body["userPrincipalName"] = u.into();
            }
            http.post(url).json(&body).send().await.unwrap().status()
        }
    };

    let d = start_device().await;
    for f in [
        "device_code",
        "user_code",
        "verification_uri",
        "expires_in",
        "interval",
        "message",
    ] {
        assert!(!d[f].is_null(), "{f}");
    }
    assert_eq!(d["expires_in"], 900);
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains(d["user_code"].as_str().unwrap()));
    let dc = d["device_code"].as_str().unwrap().to_string();
    token_error(poll(dc.clone()).await, 400, "authorization_pending", 70016).await;
    token_error(poll(dc.clone()).await, 400, "slow_down", 70016).await;
    let upn = env.upn("User Administrator");
    assert_eq!(
        decide(
            "approve",
            d["user_code"].as_str().unwrap().into(),
            Some(upn.clone())
        )
        .await,
        StatusCode::NO_CONTENT
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = poll(dc.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let tokens: Value = r.json().await.unwrap();
    assert_same_shape(
        &fixture("entra-docs__v2-oauth2-device-code__token-response.json"),
        &tokens,
        "$",
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    token_error(poll(dc).await, 400, "invalid_grant", 70000).await;

    let d = start_device().await;
    assert_eq!(
        decide("decline", d["user_code"].as_str().unwrap().into(), None).await,
        StatusCode::NO_CONTENT
    );
    token_error(
        poll(d["device_code"].as_str().unwrap().into()).await,
        400,
        "authorization_declined",
        70020,
    )
    .await;

    let d = start_device().await;
    env.tenant
        .state()
        .clock
        .advance(chrono::Duration::minutes(16));
    token_error(
        poll(d["device_code"].as_str().unwrap().into()).await,
        400,
        "expired_token",
        70019,
    )
    .await;
    token_error(
        poll("bogus".into()).await,
        400,
        "bad_verification_code",
        70018,
    )
    .await;

    // The device-login pages work too.
    let d = start_device().await;
    let r = env
        .http
        .get(d["verification_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = env
        .http
        .post(env.url("/devicelogin"))
        .form(&[("user_code", d["user_code"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains(&upn));
    let r = env
        .http
        .post(env.url("/devicelogin/confirm"))
        .form(&[
            ("user_code", d["user_code"].as_str().unwrap()),
            ("login", upn.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        poll(d["device_code"].as_str().unwrap().into())
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn client_credentials_errors() {
    let env = start().await;
    let s = env.tenant.summary().clone();
    let url = env.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id));
    let send = |form: Vec<(&'static str, String)>| {
        let http = env.http.clone();
        let url = url.clone();
        async move { http.post(url).form(&form).send().await.unwrap() }
    };
    let base = |secret: &str, scope: &str| {
        vec![
            ("client_id", s.automation_client_id.clone()),
            ("client_secret", secret.to_string()),
            ("grant_type", "client_credentials".to_string()),
            ("scope", scope.to_string()),
        ]
    };
    token_error(
        send(base("wrong", "https://graph.microsoft.com/.default")).await,
        401,
        "invalid_client",
        7000215,
    )
    .await;
    token_error(
        send(base(&s.automation_client_secret, "User.Read.All")).await,
        400,
        "invalid_scope",
        1002012,
    )
    .await;
    token_error(
        send(vec![
            ("client_id", s.public_client_id.clone()),
            ("grant_type", "client_credentials".into()),
            ("scope", "https://graph.microsoft.com/.default".into()),
        ])
        .await,
        401,
        "invalid_client",
        7000218,
    )
    .await;
    token_error(
        send(vec![("grant_type", "password".into())]).await,
        400,
        "unsupported_grant_type",
        70003,
    )
    .await;
    token_error(send(vec![]).await, 400, "invalid_request", 900144).await;
    token_error(
        send(vec![
            ("client_id", "nope".into()),
            ("grant_type", "authorization_code".into()),
        ])
        .await,
        400,
        "unauthorized_client",
        700016,
    )
    .await;
    // A public client must not send a secret.
    token_error(
        send(vec![
            ("client_id", s.public_client_id.clone()),
            ("client_secret", "x".into()),
            ("grant_type", "authorization_code".into()),
        ])
        .await,
        400,
        "invalid_request",
        700025,
    )
    .await;
}

/// MSAL sends `client_info=1` on its token requests and reads the answer's `client_info`
/// (base64url of `{"uid","utid"}`) as the account's home id (MSAL Python `_build_client`,
/// `token_cache.py`); the tenant answers it on every user grant that asks, and only then.
#[tokio::test]
async fn client_info_is_answered_when_msal_asks_for_it_and_only_then() {
    let env = start_with(Options {
        device_code_interval: 0,
        ..Options::default()
    })
    .await;
    let s = env.tenant.summary().clone();
    let token_url = env.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id));
    let (id, upn) = env.person("obrien");
    let post = |form: Vec<(&'static str, String)>| {
        let http = env.http.clone();
        let url = token_url.clone();
        let client = s.public_client_id.clone();
        async move {
            let mut form = form;
            form.push(("client_id", client));
            let r = http.post(url).form(&form).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    let decoded = |tokens: &Value| -> Value {
        let raw = tokens["client_info"].as_str().expect("client_info");
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("json")
    };
    let expected = serde_json::json!({ "uid": id, "utid": env.tid() });
    let scope = "openid profile offline_access User.Read.All";

    // Authorization code, asked and not asked.
    let redeem = |code: String, client_info: Option<&'static str>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code),
            ("redirect_uri", "http://localhost:8400".to_string()),
            ("code_verifier", VERIFIER.to_string()),
        ];
        if let Some(v) = client_info {
            form.push(("client_info", v.to_string()));
        }
        post(form)
    };
    let asked = redeem(env.code_for(&upn, scope).await, Some("1")).await;
    assert_eq!(decoded(&asked), expected);
    let unasked = redeem(env.code_for(&upn, scope).await, None).await;
    assert!(unasked.get("client_info").is_none(), "{unasked}");
    let zero = redeem(env.code_for(&upn, scope).await, Some("0")).await;
    assert!(zero.get("client_info").is_none(), "{zero}");

    // Refresh, asked and not asked.
    let refresh = |rt: &Value, client_info: bool| {
        let mut form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", rt.as_str().unwrap().to_string()),
        ];
        if client_info {
            form.push(("client_info", "1".to_string()));
        }
        post(form)
    };
    let refreshed = refresh(&asked["refresh_token"], true).await;
    assert_eq!(decoded(&refreshed), expected);
    let refreshed = refresh(&asked["refresh_token"], false).await;
    assert!(refreshed.get("client_info").is_none(), "{refreshed}");

    // Device code: the poll that redeems it asks.
    let d: Value = env
        .http
        .post(env.url(&format!("/{}/oauth2/v2.0/devicecode", s.tenant_id)))
        .form(&[
            ("client_id", s.public_client_id.as_str()),
            ("scope", scope),
            ("client_info", "1"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let approved = env
        .http
        .post(env.url("/_training/device-codes/approve"))
        .json(&serde_json::json!({ "userCode": d["user_code"], "userPrincipalName": upn }))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::NO_CONTENT);
    let device = post(vec![
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:device_code".to_string(),
        ),
        (
            "device_code",
            d["device_code"].as_str().unwrap().to_string(),
        ),
        ("client_info", "1".to_string()),
    ])
    .await;
    assert_eq!(decoded(&device), expected);
}
