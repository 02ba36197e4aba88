//! The token endpoint: authorization_code (PKCE verified), refresh_token (rotated),
//! device_code polling, and client_credentials for the automation client.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::sessions::{DeviceDecision, RefreshGrant};
use super::tokens::{AccessClaims, IdClaims, GRAPH_AUDIENCE};
use super::*;
use crate::scenario::stable_uuid;
use crate::state::directory::User;
use crate::state::TenantState;

/// True when the token request asks for `client_info` (`client_info=1`).
///
/// Microsoft's MSAL libraries send `client_info=1` on every token request (MSAL Python
/// `msal/application.py`, `_build_client`: `default_body = {"client_info": 1}`) and read the
/// answer's `client_info` — base64url of `{"uid": …, "utid": …}`, the user's object id and
/// tenant id — as the account's home id `uid.utid` (`msal/token_cache.py`, `__parse_account`;
/// MSAL.NET `ClientInfoClaim`: `uid`, `utid`). The identity platform's protocol pages do not
/// document the parameter. MSAL Python's comment says it comes back "when client_info and
/// profile are in request"; MSAL always asks for `profile`, and this tenant answers whenever
/// `client_info=1` is asked on a user's grant, never otherwise (a client must not count on it
/// unasked). App-only tokens have no user, so no `client_info`.
pub(super) fn wants_client_info(form: &HashMap<String, String>) -> bool {
    form.get("client_info").map(|v| v.trim()) == Some("1")
}

/// `client_info` as MSAL reads it: base64url (no padding) of `{"uid":"<object id>","utid":"<tenant id>"}`.
pub(super) fn client_info(state: &TenantState, user: &User) -> String {
    let json = json!({ "uid": user.id, "utid": state.tenant_id() }).to_string();
    base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        json.as_bytes(),
    )
}

/// Issues the token response for a signed-in user; with `client_info` when the request asked
/// for it ([`wants_client_info`]).
pub(super) fn user_token_response(
    state: &TenantState,
    user: &User,
    client_id: &str,
    scopes: &[String],
    oidc: &[String],
    nonce: Option<String>,
    with_client_info: bool,
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
    if with_client_info {
        body["client_info"] = json!(client_info(state, user));
    }
    Ok(body)
}

pub(super) fn server_error() -> AadError {
    let mut e = AadError::new("server_error", 90015, "The token could not be signed.");
    e.status = StatusCode::INTERNAL_SERVER_ERROR;
    e
}

pub(super) fn no_store(body: Value) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

pub(super) async fn token(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    match token_inner(&state, &tenant, &body) {
        Ok(body) => no_store(body),
        Err(e) => e.into_response(),
    }
}

pub(super) fn token_inner(
    state: &TenantState,
    tenant: &str,
    body: &[u8],
) -> Result<Value, AadError> {
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

pub(super) fn redeem_code(
    state: &TenantState,
    form: &HashMap<String, String>,
) -> Result<Value, AadError> {
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
    user_token_response(
        state,
        &user,
        &client_id,
        &graph,
        &oidc,
        grant.nonce,
        wants_client_info(form),
    )
}

pub(super) fn redeem_refresh(
    state: &TenantState,
    form: &HashMap<String, String>,
) -> Result<Value, AadError> {
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
    user_token_response(
        state,
        &user,
        &client_id,
        &scopes,
        &oidc,
        None,
        wants_client_info(form),
    )
}

pub(super) fn redeem_device(
    state: &TenantState,
    form: &HashMap<String, String>,
) -> Result<Value, AadError> {
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
    user_token_response(
        state,
        &user,
        &client_id,
        &graph,
        &oidc,
        None,
        wants_client_info(form),
    )
}

pub(super) fn client_credentials(
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
        // App-only Graph tokens carry this well-known wid (observed in real tokens; it grants
        // nothing here: application permissions come from `roles`).
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
