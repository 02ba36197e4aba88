//! Helpers shared by the integration tests: a tenant on 127.0.0.1:0 and tokens obtained through
//! its own endpoints over real HTTP.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::{redirect, Client, Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use training_tenant::{Options, TrainingTenant};

pub const VERIFIER: &str = "a-sufficiently-long-pkce-code-verifier-0123456789-abcdefghijklmnop";

pub struct Env {
    pub tenant: TrainingTenant,
    pub http: Client,
}

pub async fn start() -> Env {
    start_with(Options {
        device_code_interval: 0,
        ..Options::default()
    })
    .await
}

pub async fn start_with(options: Options) -> Env {
    let tenant = TrainingTenant::start(options).await.expect("tenant starts");
    // The tests drive `/_training/` as the person who started the tenant: with its token.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-training-control",
        tenant.control_token().parse().expect("a header value"),
    );
    let http = Client::builder()
        .redirect(redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client");
    Env { tenant, http }
}

pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} readable: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Asserts that every field of `fixture` exists in `ours` with the same JSON type (null in either
/// is accepted), recursing into objects and the first element of arrays.
pub fn assert_same_shape(fixture: &Value, ours: &Value, path: &str) {
    match (fixture, ours) {
        (Value::Object(f), Value::Object(o)) => {
            for (k, fv) in f {
                let ov = o
                    .get(k)
                    .unwrap_or_else(|| panic!("missing field {path}.{k} in {ours}"));
                assert_same_shape(fv, ov, &format!("{path}.{k}"));
            }
        }
        (Value::Array(f), Value::Array(o)) => {
            if let (Some(fv), Some(ov)) = (f.first(), o.first()) {
                assert_same_shape(fv, ov, &format!("{path}[0]"));
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        (f, o) => assert_eq!(
            std::mem::discriminant(f),
            std::mem::discriminant(o),
            "type of {path}: fixture {f}, ours {o}"
        ),
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.tenant.base_url())
    }

    pub fn tid(&self) -> String {
        self.tenant.summary().tenant_id.clone()
    }

    pub fn upn(&self, demo_role: &str) -> String {
        self.tenant
            .summary()
            .demo_accounts
            .iter()
            .find(|d| {
                d.roles.iter().any(|r| r == demo_role)
                    || (demo_role.is_empty() && d.roles.is_empty())
            })
            .map(|d| d.user_principal_name.clone())
            .expect("demo account with that role")
    }

    pub fn person(&self, key: &str) -> (String, String) {
        let p = &self.tenant.summary().people[key];
        (p.id.clone(), p.user_principal_name.clone())
    }

    pub async fn app_token(&self) -> String {
        let s = self.tenant.summary();
        let r = self
            .http
            .post(self.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
            .form(&[
                ("client_id", s.automation_client_id.as_str()),
                ("client_secret", s.automation_client_secret.as_str()),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.expect("json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// An authorization code for `upn` through the test-only auto-consent parameters.
    pub async fn code_for(&self, upn: &str, scope: &str) -> String {
        let s = self.tenant.summary();
        let r = self
            .http
            .get(self.url(&format!("/{}/oauth2/v2.0/authorize", s.tenant_id)))
            .query(&[
                ("client_id", s.public_client_id.as_str()),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:8400"),
                ("scope", scope),
                ("state", "st-1"),
                ("code_challenge", &challenge(VERIFIER)),
                ("code_challenge_method", "S256"),
                ("training_login_hint", upn),
                ("training_auto_consent", "1"),
            ])
            .send()
            .await
            .expect("authorize");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "authorize redirects");
        let location = r.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let url = url::Url::parse(&location).expect("redirect url");
        assert!(
            location.starts_with("http://localhost:8400/?"),
            "{location}"
        );
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs.get("state").map(String::as_str), Some("st-1"));
        pairs
            .get("code")
            .unwrap_or_else(|| panic!("code in {location}"))
            .clone()
    }

    pub async fn redeem(&self, code: &str, verifier: &str) -> Response {
        let s = self.tenant.summary();
        self.http
            .post(self.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
            .form(&[
                ("client_id", s.public_client_id.as_str()),
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", "http://localhost:8400"),
                ("code_verifier", verifier),
                ("scope", "User.Read.All"),
            ])
            .send()
            .await
            .expect("token request")
    }

    /// Token response (JSON) for a user signed in with the default console scopes.
    pub async fn user_tokens(&self, upn: &str) -> Value {
        let code = self
            .code_for(
                upn,
                "openid profile offline_access https://graph.microsoft.com/.default",
            )
            .await;
        let r = self.redeem(&code, VERIFIER).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("json")
    }

    pub async fn user_token(&self, upn: &str) -> String {
        self.user_tokens(upn).await["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    pub fn get(&self, token: &str, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(token)
    }

    pub async fn get_json(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self.get(token, path).send().await.expect("request");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        let r = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Advances the virtual clock (the provisioning cycles that fall due run).
    pub async fn advance_minutes(&self, minutes: i64) {
        let r = self
            .http
            .post(self.url("/_training/clock/advance"))
            .json(&serde_json::json!({ "minutes": minutes }))
            .send()
            .await
            .expect("advance");
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// The SCIM requests the engine sent, oldest first; `query` as `/_training/scim-requests`
    /// takes it (`app=…&user=…&method=…`).
    pub async fn scim_requests(&self, query: &str) -> Vec<Value> {
        let r: Value = self
            .http
            .get(self.url(&format!("/_training/scim-requests?{query}")))
            .send()
            .await
            .expect("scim requests")
            .json()
            .await
            .expect("json");
        r["value"].as_array().cloned().unwrap_or_default()
    }

    pub async fn state(&self) -> Value {
        self.http
            .get(self.url("/_training/state"))
            .send()
            .await
            .expect("state")
            .json()
            .await
            .expect("json")
    }
}

/// Asserts a Graph error: status, `error.code`, and the innerError fields.
pub fn assert_graph_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["error"]["code"], want_code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "{body}"
    );
    assert!(body["error"]["innerError"]["date"].is_string(), "{body}");
}
