//! The client against the training tenant over real HTTP: the same code path as a real tenant
//! (a `Cloud::Custom` on loopback), real OAuth tokens, sign-in driven non-interactively through
//! the tenant's test-only consent parameters and device-code control endpoint, short token
//! lifetimes for refresh, and fault injection for retry and `$batch`.

mod common;

use std::time::{Duration, Instant};

use entra_client::auth::device_code::PendingDeviceCode;
use entra_client::auth::pkce_loopback::BrowserSignInOptions;
use entra_client::graph::{ApiVersion, GraphRequest, RetryPolicy};
use entra_client::{
    Authenticator, ClientId, Cloud, Error, Operation, Session, SignInConfig, TenantId, TokenCache,
    TokenSet,
};
use futures::TryStreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use training_tenant::{Options, TrainingTenant};

struct Env {
    tenant: TrainingTenant,
    http: reqwest::Client,
}

async fn start(options: Options) -> Env {
    let tenant = TrainingTenant::start(options)
        .await
        .expect("training tenant starts");
    // The tests drive `/_training/` as the person who started the tenant: with its token.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-training-control",
        tenant.control_token().parse().unwrap(),
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    Env { tenant, http }
}

async fn start_default() -> Env {
    start(Options {
        device_code_interval: 1,
        ..Options::default()
    })
    .await
}

impl Env {
    fn base(&self) -> &str {
        self.tenant.base_url()
    }

    /// The configuration a deployed settings file would give for this tenant.
    fn sign_in_config(&self) -> SignInConfig {
        let s = self.tenant.summary();
        SignInConfig::new(
            Cloud::custom(self.base(), self.base()).unwrap(),
            TenantId::parse(&s.tenant_id).unwrap(),
            ClientId::parse(&s.public_client_id).unwrap(),
        )
    }

    fn authenticator(&self) -> Authenticator {
        Authenticator::new(
            self.sign_in_config(),
            entra_client::graph::transport::http_client().unwrap(),
        )
        .unwrap()
    }

    fn demo(&self, role: &str) -> String {
        self.tenant
            .summary()
            .demo_accounts
            .iter()
            .find(|d| d.roles.iter().any(|r| r == role))
            .map(|d| d.user_principal_name.clone())
            .unwrap_or_else(|| panic!("demo account with role {role}"))
    }

    fn person(&self, key: &str) -> (String, String) {
        let p = &self.tenant.summary().people[key];
        (p.id.clone(), p.user_principal_name.clone())
    }

    fn app(&self, key: &str) -> String {
        self.tenant
            .summary()
            .apps
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.service_principal_id.clone())
            .unwrap()
    }

    /// What the system browser does: open the authorize URL (the tenant's test consent signs
    /// `upn` in at once and redirects), then follow the redirect to our loopback listener.
    async fn browser_sign_in(&self, auth: &Authenticator, upn: &str) -> Result<TokenSet, Error> {
        let pending = auth
            .start_browser_sign_in(BrowserSignInOptions {
                extra_params: vec![
                    ("training_auto_consent".into(), "1".into()),
                    ("training_login_hint".into(), upn.into()),
                ],
                timeout: Duration::from_secs(20),
                ..Default::default()
            })
            .await?;
        assert!(pending.redirect_uri().starts_with("http://localhost:"));
        let r = self
            .http
            .get(pending.authorize_url().clone())
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_redirection(),
            "authorize answered {}",
            r.status()
        );
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(pending.redirect_uri()), "{location}");
        let http = self.http.clone();
        let browser = tokio::spawn(async move {
            let page = http.get(location).send().await.unwrap();
            (page.status(), page.text().await.unwrap())
        });
        let tokens = pending.finish().await;
        let (status, page) = browser.await.unwrap();
        assert_eq!(status, 200);
        assert!(page.contains("close this tab"), "{page}");
        tokens
    }

    async fn session(&self, role: &str) -> Session {
        let auth = self.authenticator();
        let tokens = self.browser_sign_in(&auth, &self.demo(role)).await.unwrap();
        Session::new(auth, TokenCache::session_only(), tokens)
            .await
            .unwrap()
    }

    async fn control(&self, method: Method, path: &str, body: Value) -> reqwest::Response {
        self.http
            .request(method, format!("{}{path}", self.base()))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn fault(&self, rule: Value) {
        let r = self.control(Method::POST, "/_training/faults", rule).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    }
}

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        max_total_wait: Duration::from_secs(30),
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    }
}

#[tokio::test]
async fn browser_sign_in_and_helpdesk_procedures() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    assert_eq!(session.account(), env.demo("User Administrator"));
    let graph = session.graph().unwrap();

    // Preflight from the real token's scp + wids.
    let caps = session.preflight();
    let can = |op: Operation| caps.iter().find(|c| c.operation == op).unwrap().clone();
    assert!(can(Operation::SetAccountEnabled).allowed);
    assert!(can(Operation::RevokeSignInSessions).allowed);
    let restart = can(Operation::RestartSynchronizationJob);
    assert!(!restart.allowed);
    assert!(restart
        .explanation
        .unwrap()
        .contains("Application Administrator"));

    // Find by UPN with a quote in it, and by surname prefix.
    let (obrien_id, obrien_upn) = env.person("obrien");
    let found = graph.find_users(&obrien_upn, 5).await.unwrap();
    assert_eq!(found.len(), 1, "{obrien_upn}");
    assert_eq!(found[0].id, obrien_id);
    assert_eq!(
        found[0].account_enabled,
        Some(true),
        "accountEnabled is always selected"
    );
    let by_name = graph.find_users("O'Brien", 5).await.unwrap();
    assert!(by_name.iter().any(|u| u.id == obrien_id), "{by_name:?}");
    assert_eq!(graph.get_user(&obrien_upn).await.unwrap().id, obrien_id);

    // Offboard: disable + revoke, observed afterwards.
    let (leaver_id, _) = env.person("leaver-today");
    let before = graph.get_user(&leaver_id).await.unwrap();
    graph.set_account_enabled(&leaver_id, false).await.unwrap();
    graph.revoke_sign_in_sessions(&leaver_id).await.unwrap();
    let after = graph.get_user(&leaver_id).await.unwrap();
    assert_eq!(after.account_enabled, Some(false));
    assert!(
        after.sign_in_sessions_valid_from_date_time >= before.sign_in_sessions_valid_from_date_time
    );

    // Deleted users: list, restore one, permanently delete another.
    let (recycled_id, _) = env.person("recycled");
    let (nearly_id, _) = env.person("nearly-gone");
    let deleted = graph.list_deleted_users(None, None).await.unwrap();
    assert!(deleted
        .iter()
        .any(|u| u.id == recycled_id && u.deleted_date_time.is_some()));
    let restored = graph.restore_deleted_user(&recycled_id).await.unwrap();
    assert_eq!(restored.user.id, recycled_id);
    assert_eq!(graph.get_user(&recycled_id).await.unwrap().id, recycled_id);
    graph.permanently_delete_user(&nearly_id).await.unwrap();
    let e = graph.get_deleted_user(&nearly_id).await.unwrap_err();
    assert_eq!(e.code(), "graph.not_found", "{e}");
    assert!(
        e.request_ids().unwrap().request_id.is_some(),
        "request-id kept"
    );
}

#[tokio::test]
async fn assignments_direct_and_through_groups() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    let graph = session.graph().unwrap();
    let floorplan = env.app("floorplan");
    let (obrien_id, _) = env.person("obrien");

    let direct = graph
        .user_assignment_to_app(&obrien_id, &floorplan)
        .await
        .unwrap();
    assert!(!direct.direct.is_empty(), "{direct:?}");

    let assigned = graph.app_role_assigned_to(&floorplan).await.unwrap();
    let group = assigned
        .iter()
        .find(|a| a.principal_type == entra_client::graph::service_principals::PrincipalType::Group)
        .expect("a group is assigned to Floorplan");
    // A member of that group (Facilities or Engineering) is in scope through the group.
    let members: Page = graph
        .transport()
        .send(&GraphRequest::new(
            Method::GET,
            graph.url(
                ApiVersion::V1,
                &["groups", group.principal_id.as_deref().unwrap(), "members"],
                &[("$select", "id")],
            ),
            Operation::ReadUsers,
        ))
        .await
        .unwrap()
        .json()
        .unwrap();
    let member = members.value[0]["id"].as_str().unwrap().to_string();
    let via = graph
        .user_assignment_to_app(&member, &floorplan)
        .await
        .unwrap();
    assert!(via.is_assigned());
    assert!(!via.via_groups.is_empty(), "{via:?}");

    let sp = graph.get_service_principal(&floorplan).await.unwrap();
    assert_eq!(sp.display_name.as_deref(), Some("Floorplan"));
    let by_app = graph
        .get_service_principal_by_app_id(sp.app_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(by_app.id, floorplan);
    let listed = graph
        .list_service_principals(Some("Floor"), None)
        .await
        .unwrap();
    assert!(listed.iter().any(|s| s.id == floorplan));
}

#[derive(serde::Deserialize)]
struct Page {
    value: Vec<Value>,
}

#[tokio::test]
async fn a_missing_role_is_a_forbidden_error_that_names_the_role() {
    let env = start_default().await;
    let session = env.session("Application Administrator").await;
    let graph = session.graph().unwrap();
    let (leaver_id, _) = env.person("leaver-today");
    let e = graph
        .set_account_enabled(&leaver_id, false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph.forbidden", "{e}");
    assert!(e.hint().contains("User Administrator"), "{}", e.hint());
    assert!(
        e.to_string().contains("disable or re-enable accounts"),
        "{e}"
    );
    let ids = e.request_ids().unwrap();
    assert!(
        ids.request_id.is_some() && ids.client_request_id.is_some(),
        "{ids:?}"
    );
    // The preflight said so before trying.
    let cap = session
        .preflight()
        .into_iter()
        .find(|c| c.operation == Operation::SetAccountEnabled)
        .unwrap();
    assert!(!cap.allowed);
}

/// A synced person's job title belongs to on-premises AD: Entra's refusal reaches the desk as
/// its own code with the plain hint; turning sign-in off is accepted (graph-api.md §11.8).
#[tokio::test]
async fn a_synced_persons_on_premises_property_is_refused_in_plain_words() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    let graph = session.graph().unwrap();
    let (synced_id, _) = env.person("synced-leaver");
    let user = graph.get_user(&synced_id).await.unwrap();
    assert_eq!(user.on_premises_sync_enabled, Some(true));
    let e = graph
        .update_user(
            &synced_id,
            &entra_client::graph::users::UserPatch {
                job_title: Some("Former Office Manager".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph.on_premises_mastered", "{e}");
    assert!(
        e.hint()
            .contains("synced from your on-premises Active Directory; change this there"),
        "{}",
        e.hint()
    );
    graph.set_account_enabled(&synced_id, false).await.unwrap();
}

#[tokio::test]
async fn device_code_sign_in_approved_and_declined() {
    let env = start_default().await;
    let auth = env.authenticator();

    let pending: PendingDeviceCode = auth.start_device_code().await.unwrap();
    let prompt = pending.prompt().clone();
    assert!(!prompt.user_code.is_empty());
    assert!(
        prompt.message.contains(&prompt.user_code),
        "{}",
        prompt.message
    );
    let upn = env.demo("User Administrator");
    let approve = env
        .control(
            Method::POST,
            "/_training/device-codes/approve",
            json!({"userCode": prompt.user_code, "userPrincipalName": upn}),
        )
        .await;
    assert_eq!(approve.status(), 204);
    let tokens = pending.finish().await.unwrap();
    assert_eq!(tokens.claims().unwrap().account(), upn);

    let pending = auth.start_device_code().await.unwrap();
    let code = pending.prompt().user_code.clone();
    let finish = tokio::spawn(pending.finish());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let decline = env
        .control(
            Method::POST,
            "/_training/device-codes/decline",
            json!({"userCode": code, "userPrincipalName": upn}),
        )
        .await;
    assert_eq!(decline.status(), 204);
    let e = finish.await.unwrap().unwrap_err();
    assert_eq!(e.code(), "sign_in.device_code_declined", "{e}");
}

/// A forged redirect (another page or process answering with a state that is not ours) is
/// refused and does not end the sign-in: it keeps waiting for the browser it started, here
/// until its timeout (issue 13 item 11).
#[tokio::test]
async fn a_redirect_with_the_wrong_state_is_refused_and_the_sign_in_keeps_waiting() {
    let env = start_default().await;
    let auth = env.authenticator();
    let pending = auth
        .start_browser_sign_in(BrowserSignInOptions {
            timeout: Duration::from_secs(5),
            ..Default::default()
        })
        .await
        .unwrap();
    let forged = format!("{}?code=stolen&state=not-ours", pending.redirect_uri());
    let http = env.http.clone();
    let browser = tokio::spawn(async move {
        // Another path first: answered 404, the listener keeps waiting.
        let favicon = http
            .get(format!("{}favicon.ico", forged.split('?').next().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(favicon.status(), 404);
        http.get(forged).send().await.unwrap().status()
    });
    let e = pending.finish().await.unwrap_err();
    assert_eq!(
        e.code(),
        "sign_in.timed_out",
        "the forged answer did not end it"
    );
    assert_eq!(browser.await.unwrap(), 400);
}

#[tokio::test]
async fn sign_in_times_out_cleanly() {
    let env = start_default().await;
    let auth = env.authenticator();
    let pending = auth
        .start_browser_sign_in(BrowserSignInOptions {
            timeout: Duration::from_millis(300),
            ..Default::default()
        })
        .await
        .unwrap();
    let e = pending.finish().await.unwrap_err();
    assert_eq!(e.code(), "sign_in.timed_out");
}

#[tokio::test]
async fn identity_errors_are_specific() {
    let env = start_default().await;
    let mut config = env.sign_in_config();
    config.client_id = ClientId::parse("00000000-0000-0000-0000-0000000000aa").unwrap();
    let auth = Authenticator::new(
        config,
        entra_client::graph::transport::http_client().unwrap(),
    )
    .unwrap();
    let e = auth.start_device_code().await.unwrap_err();
    assert_eq!(e.code(), "sign_in.app_not_found", "{e}");
    assert!(e.to_string().contains("AADSTS700016"), "{e}");

    let e = env
        .authenticator()
        .refresh("not-a-refresh-token")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "sign_in.reauthentication_required", "{e}");
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_and_the_refresh_token_rotates() {
    let env = start(Options {
        access_token_lifetime: Duration::from_secs(4),
        device_code_interval: 1,
        ..Options::default()
    })
    .await;
    let auth = env.authenticator();
    let upn = env.demo("User Administrator");
    let tokens = env.browser_sign_in(&auth, &upn).await.unwrap();
    let cache = TokenCache::session_only();
    let session = Session::new(auth.clone(), cache.clone(), tokens.clone())
        .await
        .unwrap();
    let key = auth.cache_key(&upn);
    let first_rt = cache.load(&key).unwrap().unwrap().refresh_token;

    let graph = session.graph().unwrap();
    let (obrien_id, _) = env.person("obrien");
    graph.get_user(&obrien_id).await.unwrap();
    assert_eq!(
        session.access_token(false).await.unwrap(),
        tokens.access_token,
        "still fresh"
    );

    // Past the refresh margin: the next call refreshes first, and the cache holds the rotated token.
    tokio::time::sleep(Duration::from_secs(4)).await;
    graph.get_user(&obrien_id).await.unwrap();
    let second_at = session.access_token(false).await.unwrap();
    assert_ne!(second_at, tokens.access_token);
    let second_rt = cache.load(&key).unwrap().unwrap().refresh_token;
    assert_ne!(second_rt, first_rt, "refresh token rotated and stored");

    // The old refresh token no longer matters: an "app restart" resumes from the cache.
    let restored = Session::restore(env.authenticator(), cache.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(restored.account(), upn);
    restored
        .graph()
        .unwrap()
        .get_user(&obrien_id)
        .await
        .unwrap();

    // Sign-out forgets everything.
    restored.sign_out().await.unwrap();
    assert!(cache.load(&key).unwrap().is_none());
    assert_eq!(
        restored.access_token(false).await.unwrap_err().code(),
        "sign_in.not_signed_in"
    );
    assert!(Session::restore(env.authenticator(), cache)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn throttling_is_retried_after_retry_after() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    let graph = session.graph_with_retry(quick_retry()).unwrap();
    let (obrien_id, _) = env.person("obrien");
    env.fault(
        json!({"pathPrefix": "/users", "method": "GET", "throttleBurst": 2, "retryAfter": 1}),
    )
    .await;
    let t = Instant::now();
    let u = graph.get_user(&obrien_id).await.unwrap();
    assert_eq!(u.id, obrien_id);
    assert!(
        t.elapsed() >= Duration::from_secs(2),
        "waited Retry-After twice: {:?}",
        t.elapsed()
    );

    // A budget too small for the burst gives a Throttled error with the ids.
    env.fault(
        json!({"pathPrefix": "/users", "method": "GET", "throttleBurst": 5, "retryAfter": 1}),
    )
    .await;
    let tight = session
        .graph_with_retry(RetryPolicy {
            max_attempts: 2,
            ..quick_retry()
        })
        .unwrap();
    let e = tight.get_user(&obrien_id).await.unwrap_err();
    assert_eq!(e.code(), "graph.throttled", "{e}");
    assert!(
        matches!(e, Error::Throttled { retry_after: Some(d), .. } if d == Duration::from_secs(1))
    );
    assert!(e.request_ids().unwrap().client_request_id.is_some());
}

#[tokio::test]
async fn unavailable_is_retried_then_reported() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    let (obrien_id, _) = env.person("obrien");
    env.fault(json!({"pathPrefix": "/users", "method": "GET", "errorRate": 1.0, "status": 503}))
        .await;
    let graph = session
        .graph_with_retry(RetryPolicy {
            max_attempts: 3,
            ..quick_retry()
        })
        .unwrap();
    let e = graph.get_user(&obrien_id).await.unwrap_err();
    assert_eq!(e.code(), "graph.unavailable", "{e}");
    assert!(e.is_transient());
    env.control(Method::DELETE, "/_training/faults", json!({}))
        .await;
    graph.get_user(&obrien_id).await.unwrap();
}

#[tokio::test]
async fn batch_retries_only_the_throttled_inner_requests() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    let graph = session.graph_with_retry(quick_retry()).unwrap();
    let state: Value = env
        .http
        .get(format!("{}/_training/state", env.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // 25 enabled users: two batches (20 + 5).
    let ids: Vec<String> = state["directory"]["users"]
        .as_array()
        .map(|a| a.iter().collect::<Vec<_>>())
        .or_else(|| {
            state["directory"]["users"]
                .as_object()
                .map(|o| o.values().collect())
        })
        .unwrap()
        .into_iter()
        .filter(|u| u["deletedDateTime"].is_null() && u["accountEnabled"] != json!(false))
        .filter_map(|u| u["id"].as_str().map(String::from))
        .take(25)
        .collect();
    assert_eq!(ids.len(), 25);
    // The first 3 PATCHes (inner requests are throttled on their own) answer 429.
    env.fault(
        json!({"pathPrefix": "/users", "method": "PATCH", "throttleBurst": 3, "retryAfter": 1}),
    )
    .await;
    let requests = ids
        .iter()
        .map(|id| {
            GraphRequest::new(
                Method::PATCH,
                graph.url(ApiVersion::V1, &["users", id], &[]),
                Operation::SetAccountEnabled,
            )
            .json(json!({"accountEnabled": false}))
        })
        .collect();
    let t = Instant::now();
    let results = graph.batch(requests).await.unwrap();
    assert_eq!(results.len(), 25);
    for r in &results {
        assert_eq!(r.as_ref().unwrap().status, 204, "{r:?}");
    }
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited the inner Retry-After"
    );
    for id in ids.iter().take(3).chain(ids.iter().skip(22)) {
        assert_eq!(
            graph.get_user(id).await.unwrap().account_enabled,
            Some(false)
        );
    }
}

#[tokio::test]
async fn paging_streams_every_user_and_resends_headers() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    let graph = session.graph().unwrap();
    let url = graph.url(
        ApiVersion::V1,
        &["users"],
        &[
            ("$top", "37"),
            ("$select", "id,displayName"),
            ("$count", "true"),
        ],
    );
    let req = GraphRequest::new(Method::GET, url, Operation::ReadUsers).eventual();
    let pages: Vec<entra_client::graph::paging::Page<entra_client::graph::users::User>> =
        graph.pages(req, None).try_collect().await.unwrap();
    assert!(pages.len() > 3, "{} pages", pages.len());
    let total: usize = pages.iter().map(|p| p.value.len()).sum();
    assert!(total >= 200, "{total}");
    assert!(pages[0].count.is_some(), "@odata.count on the first page");
    let mut ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.value.iter().map(|u| u.id.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "no user twice");
}

#[tokio::test]
async fn an_expired_device_code_is_reported_as_such() {
    let env = start_default().await;
    let pending = env.authenticator().start_device_code().await.unwrap();
    assert!(pending.prompt().expires_at > chrono::Utc::now());
    // The tenant's virtual clock moves past the 15-minute lifetime.
    let r = env
        .control(
            Method::POST,
            "/_training/clock/advance",
            json!({"minutes": 16}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let e = pending.finish().await.unwrap_err();
    assert_eq!(e.code(), "sign_in.device_code_expired", "{e}");
    assert!(e.hint().contains("new code"), "{}", e.hint());
}

#[tokio::test]
async fn the_deployed_settings_file_reaches_the_training_tenant() {
    let env = start_default().await;
    let s = env.tenant.summary();
    let dir = std::env::temp_dir().join(format!("provdesk-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    std::fs::write(
        &path,
        json!({
            "tenantId": s.tenant_id,
            "clientId": s.public_client_id,
            "cloud": {"custom": {"authority": env.base(), "graph": env.base()}}
        })
        .to_string(),
    )
    .unwrap();
    let config = entra_client::DeploymentConfig::load(&path).unwrap();
    let auth = Authenticator::new(
        config.sign_in_config(),
        entra_client::graph::transport::http_client().unwrap(),
    )
    .unwrap();
    let tokens = env
        .browser_sign_in(&auth, &env.demo("Reports Reader"))
        .await
        .unwrap();
    let session = Session::new(auth, TokenCache::session_only(), tokens)
        .await
        .unwrap();
    let caps = session.preflight();
    let logs = caps
        .iter()
        .find(|c| c.operation == Operation::ReadProvisioningLogs)
        .unwrap();
    assert!(logs.allowed, "{logs:?}");
    let disable = caps
        .iter()
        .find(|c| c.operation == Operation::SetAccountEnabled)
        .unwrap();
    assert!(!disable.allowed);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_persons_apps_with_assignment_paths() {
    let env = start_default().await;
    let session = env.session("User Administrator").await;
    let graph = session.graph().unwrap();
    let (leaver_id, _) = env.person("leaver-today");
    let apps = graph.user_apps(&leaver_id).await.unwrap();
    let lunchbox = apps
        .iter()
        .find(|a| a.service_principal_id == env.app("lunchbox"))
        .expect("assigned to Lunchbox");
    assert!(!lunchbox.assignment.direct.is_empty(), "{lunchbox:?}");
    // Finance group → Lunchbox as well.
    assert!(!lunchbox.assignment.via_groups.is_empty(), "{lunchbox:?}");
    assert!(apps
        .iter()
        .any(|a| a.service_principal_id == env.app("timesheets")));
    for app in &apps {
        // Either the jobs or, for a helpdesk operator without an application role, why not.
        assert!(app.jobs.is_some() ^ app.jobs_error.is_some(), "{app:?}");
    }
}

#[tokio::test]
async fn revoked_sessions_force_a_new_sign_in_and_the_cache_is_forgotten() {
    let env = start_default().await;
    let auth = env.authenticator();
    let upn = env.demo("User Administrator");
    let tokens = env.browser_sign_in(&auth, &upn).await.unwrap();
    let cache = TokenCache::session_only();
    let session = Session::new(auth.clone(), cache.clone(), tokens)
        .await
        .unwrap();
    env.control(
        Method::POST,
        "/_training/clock/advance",
        json!({"minutes": 1}),
    )
    .await;
    // An administrator revokes this person's sessions (here: the person themself).
    let me = session.claims().oid.unwrap();
    session
        .graph()
        .unwrap()
        .revoke_sign_in_sessions(&me)
        .await
        .unwrap();
    env.control(
        Method::POST,
        "/_training/clock/advance",
        json!({"minutes": 1}),
    )
    .await;

    let e = session.access_token(true).await.unwrap_err();
    assert_eq!(e.code(), "sign_in.reauthentication_required", "{e}");
    assert_eq!(e.hint(), "Sign in again.");
    assert!(
        cache.load(&auth.cache_key(&upn)).unwrap().is_none(),
        "a refused refresh token is forgotten"
    );
    assert_eq!(
        session.access_token(false).await.unwrap_err().code(),
        "sign_in.not_signed_in"
    );
    assert!(Session::restore(env.authenticator(), cache.clone())
        .await
        .unwrap()
        .is_none());
}

/// The whole provisioning-job life cycle through the typed client against the training
/// tenant's synchronization API.
#[tokio::test]
async fn provisioning_jobs_life_cycle() {
    use entra_client::graph::provisioning_logs::ProvisioningLogQuery;
    use entra_client::graph::synchronization::{
        ExpressionInputObject, JobStatusCode, ParseExpressionRequest, ResetScope,
        StringKeyObjectValuePair, SynchronizationJobSubject,
    };

    let env = start_default().await;
    let session = env.session("Application Administrator").await;
    let graph = session.graph().unwrap();
    let floorplan = env.app("floorplan");
    let jobs = graph.list_jobs(&floorplan).await.unwrap();
    assert!(!jobs.is_empty(), "Floorplan has a provisioning job");
    let apps = graph.apps_with_provisioning().await.unwrap();
    let app = apps
        .iter()
        .find(|a| a.service_principal.id == floorplan)
        .expect("Floorplan has a provisioning job");
    let sp = app.service_principal.id.clone();
    let job_id = app.jobs[0].id.clone();

    let job = graph.get_job(&sp, &job_id).await.unwrap();
    assert_eq!(job.id, job_id);
    let schema = graph.get_schema(&sp, &job_id).await.unwrap();
    let rule = schema.user_rule_id().expect("a user rule").to_string();
    let (_, mapping) = schema.user_mappings()[0];
    assert!(mapping.mapping_for("active").is_some() || mapping.mapping_for("userName").is_some());

    graph.pause_job(&sp, &job_id).await.unwrap();
    assert_eq!(
        graph.get_job(&sp, &job_id).await.unwrap().status_code(),
        JobStatusCode::Paused
    );
    graph.start_job(&sp, &job_id).await.unwrap();
    assert_ne!(
        graph.get_job(&sp, &job_id).await.unwrap().status_code(),
        JobStatusCode::Paused
    );
    graph
        .restart_job(&sp, &job_id, ResetScope::PORTAL_RESTART)
        .await
        .unwrap();

    let (obrien_id, _) = env.person("obrien");
    let pod = graph
        .provision_on_demand(
            &sp,
            &job_id,
            &rule,
            vec![SynchronizationJobSubject::user(&obrien_id)],
        )
        .await
        .unwrap();
    assert!(!pod.key.result.as_str().is_empty(), "{pod:?}");

    let parsed = graph
        .parse_expression(
            &sp,
            &job_id,
            &ParseExpressionRequest {
                expression: "Not([IsSoftDeleted])".into(),
                test_input_object: Some(ExpressionInputObject {
                    definition: None,
                    properties: vec![StringKeyObjectValuePair {
                        key: "IsSoftDeleted".into(),
                        value: json!("true"),
                        extra: Default::default(),
                    }],
                }),
                target_attribute_definition: None,
            },
        )
        .await
        .unwrap();
    assert!(parsed.parsing_succeeded, "{parsed:?}");

    let _logs = graph
        .recent_provisioning_logs(
            &ProvisioningLogQuery {
                job_id: Some(job_id.clone()),
                ..Default::default()
            },
            5,
        )
        .await
        .unwrap();
}

/// Object connections (beta) as the client sees them: a stored link read by the Entra id,
/// Microsoft's 409 on an active job as `JobStillActive`, the idempotent DELETE, the 404 as "no
/// link" (`None`), an identifier the API refuses as `ObjectConnectionRefused` (400), and a role
/// the page does not list as a 403 that names the page's roles.
#[tokio::test]
async fn object_connections_read_forget_and_their_errors() {
    let env = start_default().await;
    let session = env.session("Application Administrator").await;
    let graph = session.graph().unwrap();
    let floorplan = env
        .tenant
        .scim_apps()
        .into_iter()
        .find(|a| a.key == "floorplan")
        .unwrap();
    let (sp, job) = (&floorplan.service_principal_id, &floorplan.job_id);
    let (obrien, _) = env.person("obrien");

    let link = graph
        .get_object_connection(sp, job, &obrien)
        .await
        .unwrap()
        .expect("O'Brien is linked in Floorplan");
    assert!(link
        .source_anchor
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case(&obrien)));
    let target = link.target_anchor.clone().unwrap();
    // Looked up by the app's id too ("then as a target identifier").
    let by_target = graph
        .get_object_connection(sp, job, &target)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_target.target_anchor.as_deref(), Some(target.as_str()));

    let active = graph
        .delete_object_connection(sp, job, &obrien)
        .await
        .unwrap_err();
    assert_eq!(active.code(), "graph.job_still_active", "{active}");

    let refused = graph
        .get_object_connection(sp, job, "o'brien")
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        "graph.object_connection_refused",
        "{refused}"
    );

    graph.pause_job(sp, job).await.unwrap();
    graph
        .delete_object_connection(sp, job, &obrien)
        .await
        .unwrap();
    assert!(graph
        .get_object_connection(sp, job, &obrien)
        .await
        .unwrap()
        .is_none());
    // Idempotent: nothing stored, still 204.
    graph
        .delete_object_connection(sp, job, &obrien)
        .await
        .unwrap();
    graph.start_job(sp, job).await.unwrap();

    let helpdesk = env.session("User Administrator").await;
    let forbidden = helpdesk
        .graph()
        .unwrap()
        .get_object_connection(sp, job, &target)
        .await
        .unwrap_err();
    assert_eq!(forbidden.code(), "graph.forbidden");
    assert!(
        forbidden.hint().contains("Cloud Application Administrator"),
        "{}",
        forbidden.hint()
    );
}
