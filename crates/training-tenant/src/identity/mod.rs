//! Microsoft identity platform v2.0 under `/{tenant}/...`: discovery, JWKS, authorize (auth code +
//! PKCE), token (authorization_code, refresh_token, device_code, client_credentials), devicecode
//! and the device-login pages. Follows graph-api.md §1.

pub mod error;
pub mod keys;
mod pages;
pub mod sessions;
pub mod tokens;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::scenario::stable_uuid;
use crate::state::directory::User;
use crate::state::TenantState;
pub use error::AadError;
use sessions::{AuthCode, DeviceDecision, DeviceGrant, RefreshGrant};
use tokens::{AccessClaims, IdClaims, GRAPH_AUDIENCE};

type Shared = Arc<TenantState>;

/// The training tenant's own, non-standard authorize parameters: with
/// `training_auto_consent=1&training_login_hint=<upn>` the authorize endpoint signs that account in
/// and redirects at once, so tests and scripts need no browser. Real Entra ignores them.
pub const TRAINING_LOGIN_HINT: &str = "training_login_hint";
pub const TRAINING_AUTO_CONSENT: &str = "training_auto_consent";

const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access", "email"];
const DEVICE_CODE_LIFETIME_SECS: i64 = 900;
const AUTH_CODE_LIFETIME_SECS: i64 = 600;

pub fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(devicecode))
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
        .route(
            "/devicelogin",
            get(device_login_page).post(device_login_code),
        )
        .route("/devicelogin/confirm", post(device_login_confirm))
}

fn tenant_known(state: &TenantState, tenant: &str) -> Result<(), AadError> {
    let known = tenant.eq_ignore_ascii_case(state.tenant_id())
        || tenant.eq_ignore_ascii_case(&state.summary.tenant_domain)
        || tenant == "common"
        || tenant == "organizations";
    if known {
        Ok(())
    } else {
        Err(AadError::new(
            "invalid_request",
            90002,
            format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        ))
    }
}

async fn discovery(State(state): State<Shared>, Path(tenant): Path<String>) -> Response {
    if let Err(e) = tenant_known(&state, &tenant) {
        return e.into_response();
    }
    let base = &state.base_url;
    let tid = state.tenant_id();
    Json(json!({
        "token_endpoint": format!("{base}/{tid}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tid}/discovery/v2.0/keys"),
        "response_modes_supported": ["query"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": state.issuer(),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tid}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "nonce", "oid", "preferred_username", "tid", "ver"],
        "code_challenge_methods_supported": ["S256"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "training.invalid",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net"
    }))
    .into_response()
}

async fn jwks(State(state): State<Shared>, Path(tenant): Path<String>) -> Response {
    if let Err(e) = tenant_known(&state, &tenant) {
        return e.into_response();
    }
    Json(state.keys.jwks(&state.issuer())).into_response()
}

fn parse_form(raw: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

/// Redirect URIs must be loopback over `http` (`localhost` or `127.0.0.1`, any port, any path);
/// `[::1]` is not supported by Entra (redirect URI rules doc).
fn loopback_redirect(uri: &str) -> Option<url::Url> {
    let url = url::Url::parse(uri).ok()?;
    let host = url.host_str()?;
    (url.scheme() == "http"
        && (host == "localhost" || host == "127.0.0.1")
        && url.fragment().is_none())
    .then_some(url)
}

/// Splits a requested `scope` into Graph permissions and OpenID Connect scopes. `.default` means
/// every consented permission. Scopes for other resources are `invalid_scope` (AADSTS70011);
/// Graph permissions nobody consented to are `consent_required` (AADSTS65001).
fn resolve_scopes(
    state: &TenantState,
    requested: &str,
    consented: &[String],
) -> Result<(Vec<String>, Vec<String>), AadError> {
    let mut graph = Vec::new();
    let mut oidc = Vec::new();
    for scope in requested.split_whitespace() {
        if let Some(o) = OIDC_SCOPES.iter().find(|o| o.eq_ignore_ascii_case(scope)) {
            oidc.push(o.to_string());
            continue;
        }
        let lower = scope.to_ascii_lowercase();
        let short = [
            "https://graph.microsoft.com/",
            "00000003-0000-0000-c000-000000000000/",
        ]
        .iter()
        .find_map(|prefix| lower.starts_with(prefix).then(|| &scope[prefix.len()..]))
        .unwrap_or(scope);
        if short.contains('/') || short.contains(':') {
            return Err(AadError::new(
                "invalid_scope",
                70011,
                format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
            ));
        }
        if short == ".default" {
            graph.extend(consented.iter().cloned());
            continue;
        }
        match consented
            .iter()
            .map(String::as_str)
            .chain(["User.Read"])
            .find(|c| c.eq_ignore_ascii_case(short))
        {
            Some(c) => graph.push(c.to_string()),
            None => {
                return Err(AadError::new(
                    "invalid_grant",
                    65001,
                    format!(
                        "The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource.",
                        state.summary.public_client_id, state.scenario.public_client.display_name
                    ),
                ))
            }
        }
    }
    if graph.is_empty() {
        graph.push("User.Read".into());
    }
    graph.sort();
    graph.dedup();
    oidc.dedup();
    Ok((graph, oidc))
}

fn check_public_client(
    state: &TenantState,
    form: &HashMap<String, String>,
) -> Result<(), AadError> {
    let client_id = form
        .get("client_id")
        .ok_or_else(|| AadError::missing("client_id"))?;
    if client_id.eq_ignore_ascii_case(&state.summary.automation_client_id) {
        return Err(AadError::new(
            "unauthorized_client",
            700016,
            "The automation client is a confidential client: use the client_credentials grant.",
        ));
    }
    if !client_id.eq_ignore_ascii_case(&state.summary.public_client_id) {
        return Err(AadError::new(
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", state.summary.organization),
        ));
    }
    if form.contains_key("client_secret") || form.contains_key("client_assertion") {
        return Err(AadError::new(
            "invalid_request",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    Ok(())
}

/// A user may sign in when active and enabled.
fn sign_in_user(state: &TenantState, login: &str) -> Result<User, AadError> {
    let dir = state.directory();
    let user = dir.find_user(login.trim()).ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            50034,
            format!("The user account {{EUII Hidden}} does not exist in the '{}' directory. To sign into this application, the account must be added to the directory.", state.tenant_id()),
        )
    })?;
    if !user.account_enabled() {
        return Err(AadError::new(
            "invalid_grant",
            50057,
            "The user account is disabled.",
        ));
    }
    Ok(user.clone())
}

/// Issues the token response for a signed-in user.
fn user_token_response(
    state: &TenantState,
    user: &User,
    client_id: &str,
    scopes: &[String],
    oidc: &[String],
    nonce: Option<String>,
) -> Result<Value, AadError> {
    let now = tokens::now_epoch();
    let lifetime = state.settings.access_token_lifetime.as_secs() as i64;
    let claims = AccessClaims {
        aud: GRAPH_AUDIENCE.into(),
        iss: state.issuer(),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        tid: state.tenant_id().into(),
        oid: user.id.clone(),
        sub: stable_uuid(&format!("{}:{client_id}", user.id)),
        appid: client_id.into(),
        app_displayname: state.scenario.public_client.display_name.clone(),
        idtyp: "user".into(),
        ver: "1.0".into(),
        uti: sessions::opaque(16),
        upn: Some(user.upn().into()),
        name: Some(user.display_name().into()),
        scp: Some(scopes.join(" ")),
        roles: None,
        wids: Some(
            user.directory_roles
                .iter()
                .cloned()
                .chain([crate::state::roles::DEFAULT_USER.to_string()])
                .collect(),
        ),
    };
    let access = tokens::sign(&state.keys, &claims).ok_or_else(server_error)?;
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scopes.iter().chain(oidc.iter()).cloned().collect::<Vec<_>>().join(" "),
        "expires_in": lifetime.saturating_sub(1),
        "ext_expires_in": lifetime.saturating_sub(1),
        "access_token": access,
    });
    if oidc.iter().any(|s| s == "offline_access") {
        let refresh = sessions::opaque(48);
        state.sessions().refresh.insert(
            refresh.clone(),
            RefreshGrant {
                client_id: client_id.into(),
                user_id: user.id.clone(),
                scopes: scopes.to_vec(),
                issued_at: state.clock.now(),
            },
        );
        body["refresh_token"] = json!(refresh);
    }
    if oidc.iter().any(|s| s == "openid") {
        let id = IdClaims {
            aud: client_id.into(),
            iss: state.issuer(),
            iat: now,
            nbf: now,
            exp: now + lifetime,
            tid: state.tenant_id().into(),
            oid: user.id.clone(),
            sub: claims.sub.clone(),
            name: user.display_name().into(),
            preferred_username: user.upn().into(),
            ver: "2.0".into(),
            nonce,
        };
        body["id_token"] = json!(tokens::sign(&state.keys, &id).ok_or_else(server_error)?);
    }
    Ok(body)
}

fn server_error() -> AadError {
    let mut e = AadError::new("server_error", 90015, "The token could not be signed.");
    e.status = StatusCode::INTERNAL_SERVER_ERROR;
    e
}

fn no_store(body: Value) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// authorize

/// A validated authorization request.
struct AuthorizeRequest {
    client_id: String,
    redirect: url::Url,
    redirect_uri: String,
    state: Option<String>,
    code_challenge: String,
    scopes: Vec<String>,
    oidc: Vec<String>,
    nonce: Option<String>,
}

/// Errors before the redirect URI is trusted are shown as a page; later ones go back to the app.
enum AuthorizeFailure {
    Page(String),
    Redirect(Redirect),
}

impl IntoResponse for AuthorizeFailure {
    fn into_response(self) -> Response {
        match self {
            AuthorizeFailure::Page(text) => (
                StatusCode::BAD_REQUEST,
                Html(pages::message(
                    "Sorry, but we're having trouble signing you in.",
                    &text,
                )),
            )
                .into_response(),
            AuthorizeFailure::Redirect(r) => r.into_response(),
        }
    }
}

fn error_redirect(
    redirect: &url::Url,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Redirect {
    let mut url = redirect.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", error);
        q.append_pair("error_description", description);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    Redirect::to(url.as_str())
}

fn validate_authorize(
    state: &TenantState,
    tenant: &str,
    params: &HashMap<String, String>,
) -> Result<AuthorizeRequest, AuthorizeFailure> {
    tenant_known(state, tenant)
        .map_err(|e| AuthorizeFailure::Page(format!("AADSTS{}: {}", e.code, e.description)))?;
    check_public_client(state, params)
        .map_err(|e| AuthorizeFailure::Page(format!("AADSTS{}: {}", e.code, e.description)))?;
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    let redirect = loopback_redirect(&redirect_uri).ok_or_else(|| {
        AuthorizeFailure::Page(format!(
            "AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{}'. The training tenant accepts loopback redirect URIs only (http://localhost or http://127.0.0.1, any port).",
            state.summary.public_client_id
        ))
    })?;
    let app_state = params.get("state").cloned();
    let fail = |error: &str, description: &str| {
        AuthorizeFailure::Redirect(error_redirect(
            &redirect,
            app_state.as_deref(),
            error,
            description,
        ))
    };
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "AADSTS700054: response_type 'code' is the only response type this application may use.",
        ));
    }
    if let Some(mode) = params.get("response_mode") {
        if mode != "query" {
            return Err(fail(
                "invalid_request",
                "AADSTS900144: The training tenant supports response_mode=query only.",
            ));
        }
    }
    let challenge = params.get("code_challenge").cloned().unwrap_or_default();
    if challenge.is_empty() {
        return Err(fail(
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange is required for this application: send code_challenge and code_challenge_method=S256.",
        ));
    }
    if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return Err(fail(
            "invalid_request",
            "AADSTS501491: The training tenant requires code_challenge_method=S256.",
        ));
    }
    let (scopes, oidc) = resolve_scopes(
        state,
        params.get("scope").map(String::as_str).unwrap_or_default(),
        &state.scenario.public_client.scopes,
    )
    .map_err(|e| fail(e.error, &format!("AADSTS{}: {}", e.code, e.description)))?;
    Ok(AuthorizeRequest {
        client_id: params.get("client_id").cloned().unwrap_or_default(),
        redirect,
        redirect_uri,
        state: app_state,
        code_challenge: challenge,
        scopes,
        oidc,
        nonce: params.get("nonce").cloned(),
    })
}

fn grant_code(state: &TenantState, req: &AuthorizeRequest, user: &User) -> Redirect {
    let code = sessions::opaque(64);
    let mut sessions = state.sessions();
    sessions.prune(state.clock.now());
    sessions.codes.insert(
        code.clone(),
        AuthCode {
            client_id: req.client_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            code_challenge: req.code_challenge.clone(),
            user_id: user.id.clone(),
            scopes: req.scopes.iter().chain(req.oidc.iter()).cloned().collect(),
            nonce: req.nonce.clone(),
            expires_at: state.clock.now() + Duration::seconds(AUTH_CODE_LIFETIME_SECS),
        },
    );
    let mut url = req.redirect.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = &req.state {
            q.append_pair("state", s);
        }
    }
    Redirect::to(url.as_str())
}

fn forwarded_fields(params: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "login" | "cancel"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    fields.sort();
    fields
}

async fn authorize_page(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = parse_form(query.unwrap_or_default().as_bytes());
    let req = match validate_authorize(&state, &tenant, &params) {
        Ok(r) => r,
        Err(f) => return f.into_response(),
    };
    if params.get(TRAINING_AUTO_CONSENT).map(String::as_str) == Some("1") {
        let login = params
            .get(TRAINING_LOGIN_HINT)
            .or_else(|| params.get("login_hint"))
            .cloned()
            .unwrap_or_default();
        return match sign_in_user(&state, &login) {
            Ok(user) => grant_code(&state, &req, &user).into_response(),
            Err(e) => error_redirect(
                &req.redirect,
                req.state.as_deref(),
                "access_denied",
                &format!("AADSTS{}: {}", e.code, e.description),
            )
            .into_response(),
        };
    }
    // There is no browser session to reuse: a silent request cannot succeed (auth-code doc:
    // `prompt=none` fails with `login_required` when the user must sign in).
    if params.get("prompt").map(String::as_str) == Some("none") {
        return error_redirect(
            &req.redirect,
            req.state.as_deref(),
            "login_required",
            "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
        )
        .into_response();
    }
    Html(pages::sign_in(
        &state.summary.organization,
        &state.scenario.public_client.display_name,
        &format!("/{tenant}/oauth2/v2.0/authorize"),
        &forwarded_fields(&params),
        &state.summary.demo_accounts,
        None,
    ))
    .into_response()
}

async fn authorize_submit(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let params = parse_form(&body);
    let req = match validate_authorize(&state, &tenant, &params) {
        Ok(r) => r,
        Err(f) => return f.into_response(),
    };
    if params.contains_key("cancel") {
        return error_redirect(
            &req.redirect,
            req.state.as_deref(),
            "access_denied",
            "the user canceled the authentication",
        )
        .into_response();
    }
    let login = params.get("login").cloned().unwrap_or_default();
    match sign_in_user(&state, &login) {
        Ok(user) => grant_code(&state, &req, &user).into_response(),
        Err(e) => Html(pages::sign_in(
            &state.summary.organization,
            &state.scenario.public_client.display_name,
            &format!("/{tenant}/oauth2/v2.0/authorize"),
            &forwarded_fields(&params),
            &state.summary.demo_accounts,
            Some(&format!("AADSTS{}: {}", e.code, e.description)),
        ))
        .into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// token

async fn token(State(state): State<Shared>, Path(tenant): Path<String>, body: Bytes) -> Response {
    match token_inner(&state, &tenant, &body) {
        Ok(body) => no_store(body),
        Err(e) => e.into_response(),
    }
}

fn token_inner(state: &TenantState, tenant: &str, body: &[u8]) -> Result<Value, AadError> {
    tenant_known(state, tenant)?;
    let form = parse_form(body);
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| AadError::missing("grant_type"))?;
    match grant_type.as_str() {
        "authorization_code" => redeem_code(state, &form),
        "refresh_token" => redeem_refresh(state, &form),
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => {
            redeem_device(state, &form)
        }
        "client_credentials" => client_credentials(state, &form),
        other => Err(AadError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn redeem_code(state: &TenantState, form: &HashMap<String, String>) -> Result<Value, AadError> {
    check_public_client(state, form)?;
    let code = form.get("code").ok_or_else(|| AadError::missing("code"))?;
    let verifier = form
        .get("code_verifier")
        .ok_or_else(|| AadError::missing("code_verifier"))?;
    let redirect_uri = form
        .get("redirect_uri")
        .ok_or_else(|| AadError::missing("redirect_uri"))?;
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    // Codes are single-use: removed whatever the outcome.
    let grant = state.sessions().codes.remove(code).ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            70000,
            "The provided value for the 'code' parameter is not valid. The code has expired, was already redeemed or was never issued.",
        )
    })?;
    if grant.expires_at < state.clock.now() {
        return Err(AadError::new(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if !grant.client_id.eq_ignore_ascii_case(&client_id) || &grant.redirect_uri != redirect_uri {
        return Err(AadError::new(
            "invalid_grant",
            50011,
            "The redirect URI or client id does not match the ones used to obtain the authorization code.",
        ));
    }
    let computed = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        Sha256::digest(verifier.as_bytes()),
    );
    if computed != grant.code_challenge {
        return Err(AadError::new(
            "invalid_grant",
            50148,
            "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        ));
    }
    let user = state
        .directory()
        .users
        .get(&grant.user_id)
        .cloned()
        .ok_or_else(|| {
            AadError::new(
                "invalid_grant",
                50034,
                "The user account does not exist in the directory.",
            )
        })?;
    let (graph, oidc): (Vec<String>, Vec<String>) = grant
        .scopes
        .into_iter()
        .partition(|s| !OIDC_SCOPES.contains(&s.as_str()));
    user_token_response(state, &user, &client_id, &graph, &oidc, grant.nonce)
}

fn redeem_refresh(state: &TenantState, form: &HashMap<String, String>) -> Result<Value, AadError> {
    check_public_client(state, form)?;
    let token = form
        .get("refresh_token")
        .ok_or_else(|| AadError::missing("refresh_token"))?;
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let grant = state
        .sessions()
        .refresh
        .get(token)
        .cloned()
        .ok_or_else(|| {
            AadError::new(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
            )
        })?;
    if !grant.client_id.eq_ignore_ascii_case(&client_id) {
        return Err(AadError::new(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
        ));
    }
    let user = {
        let dir = state.directory();
        dir.users.get(&grant.user_id).cloned()
    };
    let user = user.ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        )
    })?;
    if let Some(valid_from) = user.sign_in_sessions_valid_from() {
        if grant.issued_at < valid_from {
            state.sessions().refresh.remove(token);
            return Err(AadError::new(
                "invalid_grant",
                50173,
                format!("The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.", grant.issued_at.to_rfc3339(), valid_from.to_rfc3339()),
            ));
        }
    }
    if !user.account_enabled() {
        return Err(AadError::new(
            "invalid_grant",
            50057,
            "The user account is disabled.",
        ));
    }
    // Scope on refresh must be the original set or a subset of it (auth-code doc).
    let mut oidc = vec!["offline_access".to_string()];
    let scopes = match form.get("scope") {
        Some(requested) => {
            let (graph, requested_oidc) = resolve_scopes(state, requested, &grant.scopes)?;
            oidc.extend(requested_oidc.into_iter().filter(|s| s != "offline_access"));
            graph
                .into_iter()
                .filter(|s| grant.scopes.contains(s))
                .collect::<Vec<_>>()
        }
        None => grant.scopes.clone(),
    };
    user_token_response(state, &user, &client_id, &scopes, &oidc, None)
}

fn redeem_device(state: &TenantState, form: &HashMap<String, String>) -> Result<Value, AadError> {
    check_public_client(state, form)?;
    let device_code = form
        .get("device_code")
        .ok_or_else(|| AadError::missing("device_code"))?;
    let now = state.clock.now();
    let interval = state.settings.device_code_interval;
    let (user_id, scopes, client_id) = {
        let mut sessions = state.sessions();
        let grant = sessions.devices.get_mut(device_code).ok_or_else(|| {
            AadError::new(
                "bad_verification_code",
                70018,
                "The provided value for the input parameter 'device_code' is not valid.",
            )
        })?;
        if grant.expires_at < now {
            return Err(AadError::new(
                "expired_token",
                70019,
                "Verification code expired.",
            ));
        }
        let too_fast = grant
            .last_poll
            .is_some_and(|last| last.elapsed().as_secs() < interval);
        grant.last_poll = Some(Instant::now());
        match &grant.decision {
            DeviceDecision::Pending if too_fast => {
                // RFC 8628 §3.5; Entra does not document it (graph-api.md §1.4).
                return Err(AadError::new(
                    "slow_down",
                    70016,
                    "The client is polling too frequently; add 5 seconds to the interval.",
                ));
            }
            DeviceDecision::Pending => {
                return Err(AadError::new(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                ))
            }
            // The AADSTS number for a declined device code is not documented (UNCERTAIN).
            DeviceDecision::Declined => {
                return Err(AadError::new(
                    "authorization_declined",
                    70020,
                    "The end user denied the authorization request.",
                ))
            }
            DeviceDecision::Redeemed => {
                return Err(AadError::new(
                    "invalid_grant",
                    70000,
                    "The device code was already redeemed.",
                ))
            }
            DeviceDecision::Approved { user_id } => {
                let out = (
                    user_id.clone(),
                    grant.scopes.clone(),
                    grant.client_id.clone(),
                );
                grant.decision = DeviceDecision::Redeemed;
                out
            }
        }
    };
    let user = state
        .directory()
        .users
        .get(&user_id)
        .cloned()
        .ok_or_else(|| {
            AadError::new(
                "invalid_grant",
                50034,
                "The user account does not exist in the directory.",
            )
        })?;
    let (graph, oidc): (Vec<String>, Vec<String>) = scopes
        .into_iter()
        .partition(|s| !OIDC_SCOPES.contains(&s.as_str()));
    user_token_response(state, &user, &client_id, &graph, &oidc, None)
}

fn client_credentials(
    state: &TenantState,
    form: &HashMap<String, String>,
) -> Result<Value, AadError> {
    let client_id = form
        .get("client_id")
        .ok_or_else(|| AadError::missing("client_id"))?;
    let spec = &state.scenario.automation_client;
    if !client_id.eq_ignore_ascii_case(&spec.app_id) {
        if client_id.eq_ignore_ascii_case(&state.summary.public_client_id) {
            return Err(AadError::new(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
        return Err(AadError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'.",
                state.summary.organization
            ),
        ));
    }
    let secret = form.get("client_secret").ok_or_else(|| {
        AadError::new(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    })?;
    if secret != &spec.secret {
        return Err(AadError::new(
            "invalid_client",
            7000215,
            format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", spec.app_id),
        ));
    }
    let scope = form
        .get("scope")
        .ok_or_else(|| AadError::missing("scope"))?;
    let lower = scope.trim().to_ascii_lowercase();
    if lower != "https://graph.microsoft.com/.default"
        && lower != "00000003-0000-0000-c000-000000000000/.default"
    {
        return Err(AadError::new(
            "invalid_scope",
            1002012,
            format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        ));
    }
    let now = tokens::now_epoch();
    let lifetime = state.settings.access_token_lifetime.as_secs() as i64;
    let oid = state
        .scenario
        .object_id("servicePrincipal", "automation-client");
    let claims = AccessClaims {
        aud: GRAPH_AUDIENCE.into(),
        iss: state.issuer(),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        tid: state.tenant_id().into(),
        sub: oid.clone(),
        oid,
        appid: spec.app_id.clone(),
        app_displayname: spec.display_name.clone(),
        idtyp: "app".into(),
        ver: "1.0".into(),
        uti: sessions::opaque(16),
        upn: None,
        name: None,
        scp: None,
        roles: Some(spec.roles.clone()),
        wids: Some(vec!["0997a1d0-0d1d-4acb-b408-d5ca73121e90".into()]),
    };
    let access = tokens::sign(&state.keys, &claims).ok_or_else(server_error)?;
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime.saturating_sub(1),
        "ext_expires_in": lifetime.saturating_sub(1),
        "access_token": access,
    }))
}

// ---------------------------------------------------------------------------------------------
// device code

async fn devicecode(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let result = (|| {
        tenant_known(&state, &tenant)?;
        let form = parse_form(&body);
        check_public_client(&state, &form)?;
        let (graph, oidc) = resolve_scopes(
            &state,
            form.get("scope").map(String::as_str).unwrap_or_default(),
            &state.scenario.public_client.scopes,
        )?;
        let device_code = sessions::opaque(64);
        let user_code = sessions::user_code();
        let uri = format!("{}/devicelogin", state.base_url);
        let mut sessions = state.sessions();
        sessions.prune(state.clock.now());
        sessions.devices.insert(
            device_code.clone(),
            DeviceGrant {
                device_code: device_code.clone(),
                user_code: user_code.clone(),
                client_id: form.get("client_id").cloned().unwrap_or_default(),
                scopes: graph.into_iter().chain(oidc).collect(),
                expires_at: state.clock.now() + Duration::seconds(DEVICE_CODE_LIFETIME_SECS),
                last_poll: None,
                decision: DeviceDecision::Pending,
            },
        );
        Ok::<_, AadError>(json!({
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": uri,
            "expires_in": DEVICE_CODE_LIFETIME_SECS,
            "interval": state.settings.device_code_interval,
            "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
        }))
    })();
    match result {
        Ok(body) => no_store(body),
        Err(e) => e.into_response(),
    }
}

/// Front-channel logout: there is no browser session to end; goes back to a loopback
/// `post_logout_redirect_uri` if one is given.
async fn logout(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(e) = tenant_known(&state, &tenant) {
        return e.into_response();
    }
    let params = parse_form(query.unwrap_or_default().as_bytes());
    match params
        .get("post_logout_redirect_uri")
        .and_then(|u| loopback_redirect(u))
    {
        Some(url) => Redirect::to(url.as_str()).into_response(),
        None => Html(pages::message(
            "You signed out of your account",
            "You can close this window.",
        ))
        .into_response(),
    }
}

/// Approves or declines a pending device code as `login` (also used by `/_training/`).
pub fn decide_device_code(
    state: &TenantState,
    user_code: &str,
    login: Option<&str>,
    approve: bool,
) -> Result<(), AadError> {
    let user = match (approve, login) {
        (true, Some(login)) => Some(sign_in_user(state, login)?),
        (true, None) => return Err(AadError::missing("login")),
        (false, _) => None,
    };
    let now = state.clock.now();
    let mut sessions = state.sessions();
    let grant = sessions.device_by_user_code(user_code).ok_or_else(|| {
        AadError::new(
            "invalid_request",
            70018,
            "That code wasn't recognised. Check the code and try again.",
        )
    })?;
    if grant.expires_at < now {
        return Err(AadError::new(
            "expired_token",
            70019,
            "Verification code expired.",
        ));
    }
    if grant.decision != DeviceDecision::Pending {
        return Err(AadError::new(
            "invalid_request",
            70000,
            "This code was already used.",
        ));
    }
    grant.decision = match user {
        Some(u) => DeviceDecision::Approved { user_id: u.id },
        None => DeviceDecision::Declined,
    };
    Ok(())
}

async fn device_login_page() -> Html<String> {
    Html(pages::device_code_entry("/devicelogin", None))
}

async fn device_login_code(State(state): State<Shared>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let code = form.get("user_code").cloned().unwrap_or_default();
    let known = {
        let now = state.clock.now();
        let mut sessions = state.sessions();
        sessions
            .device_by_user_code(&code)
            .is_some_and(|g| g.expires_at >= now && g.decision == DeviceDecision::Pending)
    };
    if !known {
        return Html(pages::device_code_entry(
            "/devicelogin",
            Some("That code wasn't recognised or has expired. Check the code and try again."),
        ))
        .into_response();
    }
    Html(pages::device_code_confirm(
        &state.scenario.public_client.display_name,
        "/devicelogin/confirm",
        &[("user_code".into(), code)],
        &state.summary.demo_accounts,
    ))
    .into_response()
}

async fn device_login_confirm(State(state): State<Shared>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let code = form.get("user_code").cloned().unwrap_or_default();
    let approve = !form.contains_key("cancel");
    match decide_device_code(
        &state,
        &code,
        form.get("login").map(String::as_str),
        approve,
    ) {
        Ok(()) if approve => Html(pages::message(
            "You're signed in",
            &format!(
                "You have signed in to {}. You can close this window.",
                state.scenario.public_client.display_name
            ),
        ))
        .into_response(),
        Ok(()) => Html(pages::message(
            "Sign-in declined",
            "You can close this window.",
        ))
        .into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Html(pages::message(
                "Sign-in failed",
                &format!("AADSTS{}: {}", e.code, e.description),
            )),
        )
            .into_response(),
    }
}
