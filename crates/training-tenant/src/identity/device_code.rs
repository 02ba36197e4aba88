//! The device authorization grant: `devicecode`, the device-login pages, and approving or
//! declining a pending code (also from `/_training/`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Duration;
use serde_json::json;

use super::sessions::{DeviceDecision, DeviceGrant};
use super::*;
use crate::state::TenantState;

pub(super) async fn devicecode(
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

pub(super) async fn device_login_page() -> Html<String> {
    Html(pages::device_code_entry("/devicelogin", None))
}

pub(super) async fn device_login_code(State(state): State<Shared>, body: Bytes) -> Response {
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

pub(super) async fn device_login_confirm(State(state): State<Shared>, body: Bytes) -> Response {
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
