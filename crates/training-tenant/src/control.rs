//! `/_training/`: the training tenant's own control surface (not Microsoft's): scenario
//! discovery, the virtual clock, reset, a state dump for assertions, device-code decisions as a
//! demo account, fault injection and throttling limits.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::faults::FaultRule;
use crate::identity;
use crate::state::directory::timestamp;
use crate::state::TenantState;
use crate::throttle::ThrottleLimits;

type Shared = Arc<TenantState>;

const MAX_OFFSET_SECS: i64 = 100 * 366 * 86_400;

/// The read-only description and clock: third-party test harnesses read them without the
/// control token (the Host check still applies).
pub fn read_only_router() -> Router<Shared> {
    Router::new()
        .route("/_training/scenario", get(scenario))
        .route("/_training/clock", get(clock))
}

/// Everything else: needs the control token (`control_guard::require_token`, layered by
/// `server::app`).
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/_training/clock/advance", post(advance_clock))
        .route("/_training/reset", post(reset))
        .route("/_training/state", get(dump_state))
        .route("/_training/on-premises/disable", post(disable_on_premises))
        .route("/_training/on-premises/enable", post(enable_on_premises))
        .route("/_training/device-codes/approve", post(approve_device_code))
        .route("/_training/device-codes/decline", post(decline_device_code))
        .route(
            "/_training/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_training/assignments", post(add_assignment))
        .route(
            "/_training/throttling",
            get(get_throttling).put(set_throttling),
        )
}

fn problem(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message.into() } })),
    )
        .into_response()
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            e.to_string(),
        ))
    })
}

async fn scenario(State(state): State<Shared>) -> Response {
    let mut body = serde_json::to_value(&state.summary).unwrap_or_default();
    body["scimApps"] = serde_json::to_value(&state.provisioning().summaries).unwrap_or_default();
    Json(body).into_response()
}

fn clock_json(state: &TenantState) -> serde_json::Value {
    json!({
        "now": timestamp(state.clock.now()),
        "offsetSeconds": state.clock.offset().num_seconds(),
    })
}

async fn clock(State(state): State<Shared>) -> Response {
    Json(clock_json(&state)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Advance {
    #[serde(default)]
    days: i64,
    #[serde(default)]
    hours: i64,
    #[serde(default)]
    minutes: i64,
    #[serde(default)]
    seconds: i64,
}

/// Moves virtual time forward; users deleted more than 30 virtual days ago are hard-deleted.
async fn advance_clock(State(state): State<Shared>, body: Bytes) -> Response {
    let a: Advance = match parse(&body) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let parts = [
        (a.days, 86_400),
        (a.hours, 3_600),
        (a.minutes, 60),
        (a.seconds, 1),
    ];
    let mut total: i64 = 0;
    for (n, unit) in parts {
        if n < 0 {
            return problem(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "the clock only moves forward",
            );
        }
        match n.checked_mul(unit).and_then(|s| total.checked_add(s)) {
            Some(t) if t <= 3650 * 86_400 => total = t,
            _ => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "at most 10 years at a time",
                )
            }
        }
    }
    if state.clock.offset().num_seconds().saturating_add(total) > MAX_OFFSET_SECS {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the virtual clock stays within 100 years of real time; reset to start over",
        );
    }
    state.clock.advance(Duration::seconds(total));
    let hard_deleted = state.purge_expired();
    // Directory sync cycles from on-premises AD that fell due (every 30 virtual minutes).
    let directory_syncs = state.run_directory_syncs();
    // Provisioning cycles that fell due run now, each at its scheduled virtual time.
    let cycles = crate::provisioning::engine::run_due(&state);
    let mut body = clock_json(&state);
    body["hardDeleted"] = json!(hard_deleted);
    body["provisioningCycles"] = json!(cycles);
    body["directorySyncs"] = json!(directory_syncs);
    Json(body).into_response()
}

async fn reset(State(state): State<Shared>) -> Response {
    state.reset();
    StatusCode::NO_CONTENT.into_response()
}

async fn dump_state(State(state): State<Shared>) -> Response {
    let directory = serde_json::to_value(&*state.directory()).unwrap_or_default();
    let faults = serde_json::to_value(&*state.faults()).unwrap_or_default();
    let throttling = serde_json::to_value(&state.throttle().limits).unwrap_or_default();
    Json(json!({
        "clock": clock_json(&state),
        "directory": directory,
        "faults": faults,
        "throttling": throttling,
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OnPremisesChange {
    /// Object id or userPrincipalName of a synced person.
    user: String,
}

/// "Disable in on-premises AD": what the trainer shows as the right way to offboard a synced
/// person. It reaches Entra at the next directory sync, not at once.
async fn disable_on_premises(State(state): State<Shared>, body: Bytes) -> Response {
    change_on_premises(&state, &body, false)
}

async fn enable_on_premises(State(state): State<Shared>, body: Bytes) -> Response {
    change_on_premises(&state, &body, true)
}

fn change_on_premises(state: &TenantState, body: &[u8], enabled: bool) -> Response {
    let c: OnPremisesChange = match parse(body) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let mut dir = state.directory_mut();
    match dir.set_on_premises_enabled(&c.user, enabled) {
        Ok(id) => Json(json!({
            "id": id,
            "onPremisesAccountEnabled": enabled,
            "nextDirectorySync": dir.on_premises.next_sync.map(timestamp),
        }))
        .into_response(),
        Err(_) => problem(
            StatusCode::NOT_FOUND,
            "NotFound",
            "no synced (on-premises) person with this object id or userPrincipalName",
        ),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeviceDecision {
    user_code: String,
    #[serde(default)]
    user_principal_name: Option<String>,
}

async fn approve_device_code(State(state): State<Shared>, body: Bytes) -> Response {
    decide(&state, &body, true)
}

async fn decline_device_code(State(state): State<Shared>, body: Bytes) -> Response {
    decide(&state, &body, false)
}

fn decide(state: &TenantState, body: &[u8], approve: bool) -> Response {
    let d: DeviceDecision = match parse(body) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    match identity::decide_device_code(
        state,
        &d.user_code,
        d.user_principal_name.as_deref(),
        approve,
    ) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(
            StatusCode::BAD_REQUEST,
            e.error,
            format!("AADSTS{}: {}", e.code, e.description),
        ),
    }
}

async fn list_faults(State(state): State<Shared>) -> Response {
    Json(json!({ "rules": state.faults().rules.clone() })).into_response()
}

async fn add_fault(State(state): State<Shared>, body: Bytes) -> Response {
    let rule: FaultRule = match parse(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if let Err(e) = rule.validate() {
        return problem(StatusCode::BAD_REQUEST, "BadRequest", e);
    }
    let id = state.faults().add(rule);
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

async fn clear_faults(State(state): State<Shared>) -> Response {
    state.faults().clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_throttling(State(state): State<Shared>) -> Response {
    Json(state.throttle().limits.clone()).into_response()
}

async fn set_throttling(State(state): State<Shared>, body: Bytes) -> Response {
    let limits: ThrottleLimits = match parse(&body) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    if limits.resource_units_per_10s == 0 || limits.writes_per_150s == 0 {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "limits must be positive",
        );
    }
    state.throttle().set_limits(limits.clone());
    Json(limits).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewAssignment {
    /// The user or group assigned.
    principal_id: String,
    /// The enterprise app's service principal.
    service_principal_id: String,
}

/// `POST /_training/assignments {principalId, servicePrincipalId}`: assigns a user or group to
/// an app now (on the virtual clock), as an administrator would in the admin center. The
/// assignment is replicated to provisioning on demand only after a delay (see
/// `provisioning::engine::ON_DEMAND_REPLICATION_DELAY`).
async fn add_assignment(State(state): State<Shared>, body: Bytes) -> Response {
    let a: NewAssignment = match parse(&body) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let now = state.clock.now();
    let result = state.directory_mut().assign(
        &a.service_principal_id.to_ascii_lowercase(),
        &a.principal_id.to_ascii_lowercase(),
        now,
    );
    match result {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => problem(StatusCode::NOT_FOUND, "NotFound", format!("{e:?}")),
    }
}
