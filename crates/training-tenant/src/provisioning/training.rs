//! The training tenant's own control endpoints for provisioning (not Microsoft's):
//!
//! * `GET /_training/scim-requests?app=&user=&jobId=&method=` — every SCIM request the engine
//!   sent with the app's response ("what Entra sent to the app"), oldest first.
//! * `POST /_training/provisioning/run {"jobId" | "app"}` — run that job's next cycle now
//!   (all jobs when the body is empty).
//! * `GET /_training/provisioning` — jobs with their links, escrows, quarantine and staged
//!   deletes, and each app's accounts.
//! * `POST /_training/scim-apps/{app}/renew-token` — the app issues a new bearer token and the
//!   admin saves it as the job's Secret Token (the fix for an expired token).
//! * `PUT /_training/jobs/{jobId}/settings {"deleteThreshold","syncAll","skipOutOfScopeDeletions"}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::engine;
use crate::state::TenantState;

type Shared = Arc<TenantState>;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/_training/scim-requests", get(scim_requests))
        .route("/_training/provisioning", get(overview))
        .route("/_training/provisioning/run", post(run))
        .route("/_training/scim-apps/{app}/renew-token", post(renew_token))
        .route("/_training/jobs/{job}/settings", put(settings))
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": {"code": "BadRequest", "message": message.into()}})),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExchangeQuery {
    app: Option<String>,
    user: Option<String>,
    job_id: Option<String>,
    method: Option<String>,
}

async fn scim_requests(State(state): State<Shared>, Query(q): Query<ExchangeQuery>) -> Response {
    let prov = state.provisioning();
    let value: Vec<_> = prov
        .exchanges
        .iter()
        .filter(|e| {
            q.app
                .as_ref()
                .is_none_or(|a| a.eq_ignore_ascii_case(&e.app))
        })
        .filter(|e| {
            q.user.as_ref().is_none_or(|u| {
                e.user_id
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(u))
            })
        })
        .filter(|e| q.job_id.as_ref().is_none_or(|j| j == &e.job_id))
        .filter(|e| {
            q.method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
        })
        .collect();
    Json(json!({ "value": value })).into_response()
}

async fn overview(State(state): State<Shared>) -> Response {
    let prov = state.provisioning();
    Json(json!({
        "jobs": prov.jobs.values().collect::<Vec<_>>(),
        "apps": prov.apps.values().collect::<Vec<_>>(),
        "scimApps": prov.summaries,
    }))
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunRequest {
    job_id: Option<String>,
    app: Option<String>,
}

async fn run(State(state): State<Shared>, body: Bytes) -> Response {
    let req: RunRequest = if body.is_empty() {
        RunRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return problem(StatusCode::BAD_REQUEST, e.to_string()),
        }
    };
    let jobs: Vec<String> = {
        let prov = state.provisioning();
        prov.jobs
            .values()
            .filter(|j| req.job_id.as_ref().is_none_or(|id| id == &j.id))
            .filter(|j| {
                req.app
                    .as_ref()
                    .is_none_or(|a| a.eq_ignore_ascii_case(&j.app_key))
            })
            .map(|j| j.id.clone())
            .collect()
    };
    if jobs.is_empty() {
        return problem(StatusCode::NOT_FOUND, "no such job");
    }
    let before = state.provisioning().logs.len();
    for id in &jobs {
        engine::run_now(&state, id);
    }
    let after = state.provisioning().logs.len();
    Json(json!({"jobs": jobs, "logEntries": after - before})).into_response()
}

async fn renew_token(State(state): State<Shared>, Path(app): Path<String>) -> Response {
    let mut prov = state.provisioning();
    let token = format!(
        "scim-{app}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let Some(a) = prov.apps.get_mut(&app) else {
        return problem(StatusCode::NOT_FOUND, format!("no SCIM app '{app}'"));
    };
    a.token = token.clone();
    a.personality.token_expired = false;
    for j in prov.jobs.values_mut().filter(|j| j.app_key == app) {
        j.secret_token = token.clone();
    }
    for s in prov.summaries.iter_mut().filter(|s| s.key == app) {
        s.bearer_token = token.clone();
        s.personality.token_expired = false;
    }
    Json(json!({"bearerToken": token})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Settings {
    delete_threshold: Option<usize>,
    sync_all: Option<bool>,
    skip_out_of_scope_deletions: Option<bool>,
}

async fn settings(State(state): State<Shared>, Path(job): Path<String>, body: Bytes) -> Response {
    let s: Settings = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return problem(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let mut prov = state.provisioning();
    let Some(j) = prov.jobs.get_mut(&job) else {
        return problem(StatusCode::NOT_FOUND, format!("no job '{job}'"));
    };
    if let Some(t) = s.delete_threshold {
        j.delete_threshold = t;
    }
    if let Some(v) = s.sync_all {
        j.sync_all = v;
    }
    if let Some(v) = s.skip_out_of_scope_deletions {
        j.skip_out_of_scope_deletions = v;
    }
    Json(j.to_json()).into_response()
}
