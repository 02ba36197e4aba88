//! The authorize endpoint (auth code + PKCE, loopback redirect URIs only) with its sign-in
//! page, and front-channel logout.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Duration;

use super::sessions::AuthCode;
use super::*;
use crate::state::directory::User;
use crate::state::TenantState;

/// A validated authorization request.
pub(super) struct AuthorizeRequest {
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
pub(super) enum AuthorizeFailure {
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

pub(super) fn error_redirect(
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

pub(super) fn validate_authorize(
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

pub(super) fn grant_code(state: &TenantState, req: &AuthorizeRequest, user: &User) -> Redirect {
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

pub(super) fn forwarded_fields(params: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "login" | "cancel"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    fields.sort();
    fields
}

pub(super) async fn authorize_page(
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

pub(super) async fn authorize_submit(
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

/// Front-channel logout: there is no browser session to end; goes back to a loopback
/// `post_logout_redirect_uri` if one is given.
pub(super) async fn logout(
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
