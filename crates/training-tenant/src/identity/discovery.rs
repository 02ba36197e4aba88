//! OpenID Connect discovery document and JWKS (identity platform "OpenID Connect" doc).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::*;

pub(super) async fn discovery(State(state): State<Shared>, Path(tenant): Path<String>) -> Response {
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

pub(super) async fn jwks(State(state): State<Shared>, Path(tenant): Path<String>) -> Response {
    if let Err(e) = tenant_known(&state, &tenant) {
        return e.into_response();
    }
    Json(state.keys.jwks(&state.issuer())).into_response()
}
