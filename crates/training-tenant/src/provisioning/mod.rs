//! The provisioning engine: synchronization jobs that run in cycles on the virtual clock and
//! export users to SCIM target apps, imitating Entra's provisioning service as documented in
//! "How application provisioning works", "Develop a SCIM endpoint", "Application provisioning in
//! quarantine status" and the Graph synchronization API (graph-api.md §3 and §8).
//!
//! State per job: the schema (mappings), the watermark (position in the directory's change
//! events: `None` means the next cycle is an initial cycle), the links (Entra object id → cached
//! SCIM id), escrows (failed exports retried with growing back-off), quarantine, staged deletes
//! and the status Graph reports. Locking: the engine reads the directory and then locks
//! `Provisioning`; nothing locks them in the other order.

pub mod engine;
pub mod expression;
pub mod job;
pub mod logs;
pub mod schema;
pub mod training;

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::scenario::Scenario;
use crate::scim::{Personality, ScimApp, ScimRequest, ScimResponse};
use crate::state::directory::Directory;
pub use job::{Job, PatchStyle};

/// Tenants up to this many users start with their jobs' initial cycle done (steady state).
pub const INITIAL_CYCLE_AT_START_MAX_USERS: usize = 5_000;

/// How an enterprise app of a scenario file is provisioned (`apps[].scim`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScimAppSpec {
    #[serde(default)]
    pub personality: Personality,
    #[serde(default)]
    pub mappings: schema::MappingSpec,
    /// `aadOptscim062020` (SCIM-compliant PATCH) instead of the default shape.
    #[serde(default)]
    pub aad_opt_scim062020: bool,
    /// "Sync all users and groups" instead of "Sync only assigned users and groups".
    #[serde(default)]
    pub sync_all: bool,
    /// Accounts the app already holds when the scenario starts.
    #[serde(default)]
    pub existing_accounts: Vec<ExistingAccount>,
    /// The app's provisioning connects with OAuth (like G Suite, Box, Slack) instead of a
    /// long-lived Secret Token: its template's metadata says `IsOAuthEnabled` (Graph's
    /// `synchronizationMetadata` enum, msgraph-metadata), and provision on demand is refused
    /// while its job runs (see `graph::synchronization::on_demand`).
    #[serde(default)]
    pub oauth: bool,
}

/// An account left in an app by earlier provisioning, described by what produced it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExistingAccount {
    /// A person of the scenario whose *current* Entra account is soft-deleted: the app holds
    /// the account as the default mappings left it after the soft delete (userName with the
    /// object-id prefix, `active:false`).
    #[serde(default)]
    pub deleted_person: Option<String>,
    /// A person whose *previous* Entra account was soft-deleted and then hard-deleted while the
    /// app's job had no Delete among its target object actions: the app still holds that
    /// account (prefixed userName, `active:false`, the person's e-mail).
    #[serde(default)]
    pub previous_account_of: Option<String>,
    /// A person of the scenario with a current Entra account: the app holds an account made
    /// from that person's data (userName = UPN, `active:true`).
    #[serde(default)]
    pub account_of: Option<String>,
    /// With `account_of`: the account's `title` as the app holds it, when it is out of date.
    #[serde(default)]
    pub title: Option<String>,
    /// With `account_of`: the app's own admin deleted the account on the app's side (what that
    /// means is the app's personality; a soft-deleting app keeps it, inactive).
    #[serde(default)]
    pub deleted_in_app: bool,
    /// With `account_of`: Entra's job already holds a link from this person (a scenario key) to
    /// this account, as an earlier cycle stored it. The link may point at another person's
    /// account (the wrong-account story).
    #[serde(default)]
    pub linked_from: Option<String>,
}

/// What `/_training/scenario` says about one SCIM app.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimAppSummary {
    pub key: String,
    pub display_name: String,
    pub service_principal_id: String,
    pub job_id: String,
    pub scim_base_url: String,
    pub bearer_token: String,
    pub personality: Personality,
    pub active_mapping: String,
    pub flow_types: String,
    pub patch_style: PatchStyle,
}

/// One SCIM request the engine sent and the app's answer ("what Entra sent to the app").
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimExchange {
    pub seq: u64,
    pub at: String,
    pub app: String,
    pub job_id: String,
    pub cycle_id: String,
    /// The Entra object id the request was about.
    pub user_id: Option<String>,
    pub method: String,
    /// Path after the app's base URL, with the query string.
    pub path: String,
    pub request_body: Option<Value>,
    pub status: u16,
    pub response_body: Option<Value>,
}

#[derive(Debug, Default)]
pub struct Provisioning {
    pub apps: BTreeMap<String, ScimApp>,
    pub jobs: BTreeMap<String, Job>,
    /// provisioningObjectSummary entries, oldest first.
    pub logs: Vec<Value>,
    pub exchanges: Vec<ScimExchange>,
    pub summaries: Vec<ScimAppSummary>,
    /// Real-time stamps of recent provisionOnDemand / reports calls (5 per 10 s).
    pub on_demand_calls: VecDeque<Instant>,
    pub report_calls: BTreeMap<String, VecDeque<Instant>>,
    next_seq: u64,
}

/// A sliding window of `limit` calls per 10 seconds of real time (Graph's documented limits for
/// provisionOnDemand and the identity reports); `Err(retry_after_secs)` when exceeded.
pub fn rate_limit(calls: &mut VecDeque<Instant>, limit: usize) -> Result<(), u64> {
    let now = Instant::now();
    let window = std::time::Duration::from_secs(10);
    while calls
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        calls.pop_front();
    }
    if calls.len() >= limit {
        let wait = calls
            .front()
            .map(|t| window.saturating_sub(now.duration_since(*t)))
            .unwrap_or(window);
        return Err(wait.as_secs().max(1));
    }
    calls.push_back(now);
    Ok(())
}

impl Provisioning {
    /// Jobs and SCIM apps for the scenario's enterprise apps that have a `scim` entry.
    pub fn build(scenario: &Scenario, dir: &Directory, base_url: &str, now: DateTime<Utc>) -> Self {
        let mut p = Provisioning::default();
        for app in &scenario.apps {
            let Some(spec) = &app.scim else {
                continue;
            };
            let sp_id = scenario.object_id("servicePrincipal", &app.key);
            let token = format!(
                "scim-{}-{}",
                app.key,
                &crate::scenario::stable_uuid(&format!(
                    "{}:scim-token:{}",
                    scenario.tenant_id, app.key
                ))[..8]
            );
            let mut target = ScimApp::new(
                &app.key,
                &app.display_name,
                token.clone(),
                spec.personality.clone(),
            );
            let mut seeded_links = Vec::new();
            for acc in &spec.existing_accounts {
                let Some(resource) = existing_account(scenario, dir, acc) else {
                    continue;
                };
                let id = target.seed_user(resource, now);
                if acc.deleted_in_app {
                    target.delete_user(&id, now);
                }
                if let Some(key) = &acc.linked_from {
                    seeded_links.push((scenario.object_id("user", key), id));
                }
            }
            let mut job = Job::new(
                &sp_id,
                &app.key,
                &app.display_name,
                spec,
                token.clone(),
                now,
            );
            let active_mapping = schema::compile(&job.schema)
                .ok()
                .and_then(|m| {
                    m.active_rule()
                        .and_then(|r| r.expr.as_ref().map(|e| e.text()))
                })
                .unwrap_or_else(|| "(not mapped)".into());
            for (user_id, target_id) in seeded_links {
                let Some(user) = dir.users.get(&user_id) else {
                    continue;
                };
                job.links.insert(
                    user_id.clone(),
                    job::Link {
                        target_id,
                        matched_on: format!("userName:{}", user.upn()),
                        display_name: user.display_name().to_string(),
                        managed: true,
                    },
                );
            }
            p.summaries.push(ScimAppSummary {
                key: app.key.clone(),
                display_name: app.display_name.clone(),
                service_principal_id: sp_id.clone(),
                job_id: job.id.clone(),
                scim_base_url: format!("{base_url}/scim/{}/v2", app.key),
                bearer_token: token,
                personality: spec.personality.clone(),
                active_mapping,
                flow_types: spec
                    .mappings
                    .flow_types
                    .clone()
                    .unwrap_or_else(|| "Add, Update, Delete".into()),
                patch_style: job.patch_style,
            });
            p.apps.insert(app.key.clone(), target);
            p.jobs.insert(job.id.clone(), job);
        }
        p
    }

    pub fn jobs_of<'a>(&'a self, service_principal_id: &'a str) -> impl Iterator<Item = &'a Job> {
        self.jobs
            .values()
            .filter(move |j| j.service_principal_id == service_principal_id)
    }

    /// Sends one request to an app on behalf of a job and records the exchange.
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &mut self,
        app_key: &str,
        bearer: &str,
        job_id: &str,
        cycle_id: &str,
        user_id: Option<&str>,
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Value>,
        now: DateTime<Utc>,
    ) -> ScimResponse {
        let req = ScimRequest {
            method: method.to_string(),
            path: path.to_string(),
            query,
            bearer: Some(bearer.to_string()),
            body,
        };
        let resp = match self.apps.get_mut(app_key) {
            Some(app) => app.handle(&req, now),
            None => ScimResponse::error(404, None, "The SCIM endpoint does not exist."),
        };
        // The request is recorded as sent (moved, not copied: a full cycle sends thousands).
        let ScimRequest {
            method,
            path,
            query,
            body,
            ..
        } = req;
        let qs = if query.is_empty() {
            String::new()
        } else {
            format!(
                "?{}",
                query
                    .iter()
                    .map(|(k, v)| format!(
                        "{k}={}",
                        url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                    ))
                    .collect::<Vec<_>>()
                    .join("&")
            )
        };
        self.next_seq += 1;
        self.exchanges.push(ScimExchange {
            seq: self.next_seq,
            at: crate::state::directory::timestamp(now),
            app: app_key.to_string(),
            job_id: job_id.to_string(),
            cycle_id: cycle_id.to_string(),
            user_id: user_id.map(str::to_string),
            method,
            path: format!("{path}{qs}"),
            request_body: body,
            status: resp.status,
            response_body: resp.body.clone(),
        });
        resp
    }
}

fn existing_account(scenario: &Scenario, dir: &Directory, acc: &ExistingAccount) -> Option<Value> {
    if let Some(key) = &acc.account_of {
        let user = dir.users.get(&scenario.object_id("user", key))?;
        let mut resource = account_from(user, user.upn(), None);
        resource["active"] = json!(true);
        if let Some(title) = &acc.title {
            resource["title"] = json!(title);
        }
        return Some(resource);
    }
    let (user, prefix_id) = if let Some(key) = &acc.deleted_person {
        let id = scenario.object_id("user", key);
        let u = dir.deleted_users.get(&id)?;
        (u, None)
    } else {
        let key = acc.previous_account_of.as_ref()?;
        let id = scenario.object_id("user", key);
        let u = dir.users.get(&id).or_else(|| dir.deleted_users.get(&id))?;
        (u, Some(scenario.object_id("user-previous", key)))
    };
    let user_name = match &prefix_id {
        Some(prev) => format!("{}{}", prev.replace('-', ""), user.upn()),
        None => user.upn().to_string(),
    };
    Some(account_from(
        user,
        &user_name,
        prefix_id.is_some().then_some("E-previous"),
    ))
}

/// A SCIM user made from an Entra user's data (inactive), with `user_name` and, when given, an
/// employee number other than the user's.
fn account_from(
    user: &crate::state::directory::User,
    user_name: &str,
    employee_number: Option<&str>,
) -> Value {
    let s = |n: &str| user.str_prop(n).unwrap_or_default().to_string();
    let mail = {
        let m = s("mail");
        // The soft-deleted account's mail is unchanged (only the UPN gets the prefix).
        let prefix = user.id.replace('-', "");
        m.strip_prefix(&prefix).map(str::to_string).unwrap_or(m)
    };
    json!({
        "schemas": [crate::scim::path::CORE_USER, crate::scim::path::ENTERPRISE_USER],
        "userName": user_name,
        "externalId": s("mailNickname"),
        "active": false,
        "displayName": s("displayName"),
        "title": s("jobTitle"),
        "name": {"givenName": s("givenName"), "familyName": s("surname")},
        "emails": [{"type": "work", "primary": true, "value": mail}],
        crate::scim::path::ENTERPRISE_USER: {"department": s("department"), "employeeNumber": employee_number.map_or_else(|| s("employeeId"), str::to_string)},
    })
}
