//! Microsoft identity platform v2.0 under `/{tenant}/...`: discovery, JWKS, authorize (auth code +
//! PKCE), token (authorization_code, refresh_token, device_code, client_credentials), devicecode
//! and the device-login pages. Follows graph-api.md §1.

mod authorize;
mod device_code;
mod discovery;
pub mod error;
pub mod keys;
mod pages;
mod rules;
pub mod sessions;
mod token;
pub mod tokens;

use std::collections::HashMap;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::state::TenantState;
pub use device_code::decide_device_code;
pub use error::AadError;
use rules::{check_public_client, loopback_redirect, resolve_scopes, sign_in_user};
use token::no_store;

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
            get(discovery::discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::jwks))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::authorize_page).post(authorize::authorize_submit),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(device_code::devicecode),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(authorize::logout))
        .route(
            "/devicelogin",
            get(device_code::device_login_page).post(device_code::device_login_code),
        )
        .route(
            "/devicelogin/confirm",
            post(device_code::device_login_confirm),
        )
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

pub(super) fn parse_form(raw: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}
