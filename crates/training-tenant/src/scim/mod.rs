//! SCIM 2.0 target apps (RFC 7643 / RFC 7644): the SaaS applications Entra provisions into.
//!
//! Each app is a small in-memory SCIM service provider with a *personality* that decides what
//! `DELETE` and `active:false` mean on its side, as real apps differ (PLAYBOOKS.md background):
//! some keep the record and go on returning it with `active:false` (soft delete), some purge
//! inactive accounts after N days, some reject a second account with the same e-mail (409).
//! An app can also have an expired bearer token (every request 401: Entra quarantines the job).
//!
//! The provisioning engine calls `ScimApp::handle` in-process (and records each exchange);
//! `http` serves the same handler under `/scim/{app}/v2` for trainees and compliance tools.

pub mod active_patch;
pub mod filter;
pub mod http;
pub mod patch;
pub mod path;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// What the app does on its side.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Personality {
    /// `DELETE /Users/{id}` keeps the record with `active:false`; it is still returned by GET and
    /// by filters.
    #[serde(default)]
    pub soft_deletes: bool,
    /// Accounts inactive for this many days are purged (then GET answers 404).
    #[serde(default)]
    pub purge_inactive_after_days: Option<i64>,
    /// A second account with the same work e-mail is refused with 409 (userName is unique in
    /// every app, RFC 7643 §4.1.1).
    #[serde(default)]
    pub unique_email: bool,
    /// The bearer token Entra holds has expired: every request is answered 401.
    #[serde(default)]
    pub token_expired: bool,
    /// With `soft_deletes`: a deleted account stays deleted whatever Entra sends. `GET` by id
    /// keeps answering it with `active:false`; `PATCH` and `PUT` are accepted (200) and it stays
    /// `active:false`; filter queries and the uniqueness checks no longer see it, so a new account
    /// may take its userName ("Project Insight": PLAYBOOKS.md, apps that soft-delete keep
    /// returning `active:false` and Entra keeps using the cached id).
    #[serde(default)]
    pub deleted_accounts_stay_inactive: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimRecord {
    pub resource: Value,
    /// When the account last became inactive (for purging).
    pub inactive_since: Option<DateTime<Utc>>,
    /// Deleted on the app's side and kept as an inactive record
    /// ([`Personality::deleted_accounts_stay_inactive`]).
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimApp {
    pub key: String,
    pub display_name: String,
    /// The long-lived bearer token the app issued ("Secret Token" in Entra).
    pub token: String,
    pub personality: Personality,
    pub users: BTreeMap<String, ScimRecord>,
    pub groups: BTreeMap<String, ScimRecord>,
    next_id: u64,
    /// Lower-case userName → user id, and lower-case e-mail → number of users holding it:
    /// uniqueness checks and Entra's `userName eq` queries stay O(1) in large tenants.
    #[serde(skip)]
    user_names: std::collections::HashMap<String, String>,
    #[serde(skip)]
    email_counts: std::collections::HashMap<String, usize>,
}

/// One request to a SCIM app, as sent over HTTP.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimRequest {
    pub method: String,
    /// After `/v2`, e.g. `/Users` or `/Users/2819c223`.
    pub path: String,
    /// Percent-decoded query pairs.
    pub query: Vec<(String, String)>,
    #[serde(skip)]
    pub bearer: Option<String>,
    pub body: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimResponse {
    pub status: u16,
    pub body: Option<Value>,
}

impl ScimResponse {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
        }
    }

    pub fn error(status: u16, scim_type: Option<&str>, detail: impl Into<String>) -> Self {
        let mut body =
            json!({"schemas": [ERROR], "status": status.to_string(), "detail": detail.into()});
        if let Some(t) = scim_type {
            body["scimType"] = json!(t);
        }
        Self::json(status, body)
    }
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl ScimApp {
    pub fn new(key: &str, display_name: &str, token: String, personality: Personality) -> Self {
        Self {
            key: key.to_string(),
            display_name: display_name.to_string(),
            token,
            personality,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            next_id: 1,
            user_names: Default::default(),
            email_counts: Default::default(),
        }
    }

    fn index(&mut self, id: &str, add: bool) {
        // A deleted record that stays inactive is out of the indexes: searches and the
        // uniqueness checks do not see it.
        let Some(r) = self.users.get(id).filter(|r| !r.deleted) else {
            return;
        };
        let name = path::get(&r.resource, "userName").map(|v| path::scalar_text(&v).to_lowercase());
        let mails = emails(&r.resource);
        if let Some(n) = name {
            if add {
                self.user_names.insert(n, id.to_string());
            } else if self.user_names.get(&n).is_some_and(|x| x == id) {
                self.user_names.remove(&n);
            }
        }
        for m in mails {
            let c = self.email_counts.entry(m.clone()).or_insert(0);
            if add {
                *c += 1;
            } else {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    self.email_counts.remove(&m);
                }
            }
        }
    }

    /// Inserts or replaces a user record, keeping the indexes in step.
    fn put_user(&mut self, id: &str, record: ScimRecord) {
        self.index(id, false);
        self.users.insert(id.to_string(), record);
        self.index(id, true);
    }

    fn remove_user(&mut self, id: &str) {
        self.index(id, false);
        self.users.remove(id);
    }

    /// Opaque ids like the docs' `48af03ac28ad4fb88478`: 20 hex digits, stable per app.
    fn new_id(&mut self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{}:{}", self.key, self.next_id).as_bytes());
        self.next_id += 1;
        digest[..10].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Adds an account directly (scenario data: what the app held before the training starts).
    pub fn seed_user(&mut self, mut resource: Value, now: DateTime<Utc>) -> String {
        let id = self.new_id();
        stamp(&mut resource, &id, "User", now, true);
        let inactive = active_of(&resource) == Some(false);
        self.put_user(
            &id,
            ScimRecord {
                resource,
                inactive_since: inactive.then_some(now),
                deleted: false,
            },
        );
        id
    }

    /// Deletes an account on the app's side, as its own admin would (scenario data).
    pub fn delete_user(&mut self, id: &str, now: DateTime<Utc>) {
        let _ = self.delete("Users", id, now);
    }

    /// Purges accounts inactive longer than the app keeps them.
    pub fn purge(&mut self, now: DateTime<Utc>) -> usize {
        let Some(days) = self.personality.purge_inactive_after_days else {
            return 0;
        };
        let expired: Vec<String> = self
            .users
            .iter()
            .filter(|(_, r)| {
                r.inactive_since
                    .is_some_and(|t| now - t >= Duration::days(days))
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &expired {
            self.remove_user(id);
        }
        expired.len()
    }

    pub fn handle(&mut self, req: &ScimRequest, now: DateTime<Utc>) -> ScimResponse {
        if self.personality.token_expired {
            return ScimResponse::error(401, None, "The bearer token has expired.");
        }
        if req.bearer.as_deref() != Some(self.token.as_str()) {
            return ScimResponse::error(401, None, "Missing or invalid bearer token.");
        }
        self.purge(now);
        let segs: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
        let method = req.method.to_ascii_uppercase();
        match (method.as_str(), segs.as_slice()) {
            ("GET", ["ServiceProviderConfig"]) => {
                ScimResponse::json(200, discovery::service_provider_config())
            }
            ("GET", ["Schemas"]) => ScimResponse::json(200, list_of(discovery::schemas())),
            ("GET", ["Schemas", id]) => one_of(discovery::schemas(), id),
            ("GET", ["ResourceTypes"]) => {
                ScimResponse::json(200, list_of(discovery::resource_types()))
            }
            ("GET", ["ResourceTypes", id]) => one_of(discovery::resource_types(), id),
            ("GET", [kind]) if is_kind(kind) => self.list(kind, req),
            // Searching with POST (RFC 7644 §3.4.3): the body carries the query parameters.
            ("POST", [kind, ".search"]) if is_kind(kind) => self.list(kind, &search_as_query(req)),
            ("POST", [".search"]) => self.list("", &search_as_query(req)),
            ("POST", [kind]) if is_kind(kind) => self.create(kind, req, now),
            ("GET", [kind, id]) if is_kind(kind) => match self.records(kind).get(*id) {
                Some(r) => ScimResponse::json(200, project(&r.resource, req)),
                None => not_found(id),
            },
            ("PUT", [kind, id]) if is_kind(kind) => self.replace(kind, id, req, now),
            ("PATCH", [kind, id]) if is_kind(kind) => self.patch(kind, id, req, now),
            ("DELETE", [kind, id]) if is_kind(kind) => self.delete(kind, id, now),
            (_, [kind, ..]) if is_kind(kind) || discovery::is_discovery(kind) => {
                ScimResponse::error(405, None, "Method not allowed on this endpoint.")
            }
            _ => ScimResponse::error(404, None, "No such SCIM endpoint."),
        }
    }

    fn records(&self, kind: &str) -> &BTreeMap<String, ScimRecord> {
        if kind == "Groups" {
            &self.groups
        } else {
            &self.users
        }
    }

    fn list(&self, kind: &str, req: &ScimRequest) -> ScimResponse {
        let filter = match query(req, "filter") {
            Some(f) => match filter::parse(f) {
                Ok(f) => Some(f),
                Err(e) => return ScimResponse::error(400, Some("invalidFilter"), e),
            },
            None => None,
        };
        let start = query(req, "startIndex")
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let count = query(req, "count")
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(100)
            .min(1000);
        let indexed = match (kind, filter.as_ref().and_then(|f| f.as_equality())) {
            // The index holds no deleted records (see `index`).
            ("Users", Some((p, v))) if p.eq_ignore_ascii_case("userName") => Some(
                self.user_names
                    .get(&v.to_lowercase())
                    .and_then(|id| self.users.get(id))
                    .into_iter()
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        // An empty kind is a search at the root: every resource type.
        let all: Vec<&ScimRecord> = if kind.is_empty() {
            self.users.values().chain(self.groups.values()).collect()
        } else {
            self.records(kind).values().collect()
        };
        let all: Vec<&ScimRecord> = all.into_iter().filter(|r| !r.deleted).collect();
        let matching: Vec<&ScimRecord> = match indexed {
            Some(found) => found,
            None => all
                .into_iter()
                .filter(|r| filter.as_ref().is_none_or(|f| f.matches(&r.resource)))
                .collect(),
        };
        let total = matching.len();
        let page: Vec<Value> = matching
            .into_iter()
            .skip(start - 1)
            .take(count)
            .map(|r| project(&r.resource, req))
            .collect();
        ScimResponse::json(
            200,
            json!({
                "schemas": [LIST_RESPONSE],
                "totalResults": total,
                "Resources": page,
                "startIndex": start,
                "itemsPerPage": page.len(),
            }),
        )
    }

    fn conflict(&self, kind: &str, resource: &Value, except: Option<&str>) -> Option<ScimResponse> {
        if kind == "Users" {
            let name =
                path::get(resource, "userName").map(|v| path::scalar_text(&v).to_lowercase());
            if name
                .and_then(|n| self.user_names.get(&n))
                .is_some_and(|id| Some(id.as_str()) != except)
            {
                return Some(ScimResponse::error(
                    409,
                    Some("uniqueness"),
                    "A resource with this userName already exists.",
                ));
            }
            if self.personality.unique_email {
                let own: Vec<String> = except
                    .and_then(|id| self.users.get(id))
                    .map(|r| emails(&r.resource))
                    .unwrap_or_default();
                if emails(resource).iter().any(|m| {
                    self.email_counts.get(m).copied().unwrap_or(0) > usize::from(own.contains(m))
                }) {
                    return Some(ScimResponse::error(
                        409,
                        Some("uniqueness"),
                        "A user with this email address already exists.",
                    ));
                }
            }
            return None;
        }
        let others = || {
            self.records(kind)
                .iter()
                .filter(move |(id, _)| Some(id.as_str()) != except)
                .map(|(_, r)| &r.resource)
        };
        let same = |a: Option<Value>, b: Option<Value>| match (a, b) {
            (Some(a), Some(b)) => {
                path::scalar_text(&a).eq_ignore_ascii_case(&path::scalar_text(&b))
            }
            _ => false,
        };
        let unique = if kind == "Groups" {
            "displayName"
        } else {
            "userName"
        };
        if others().any(|o| same(path::get(o, unique), path::get(resource, unique))) {
            return Some(ScimResponse::error(
                409,
                Some("uniqueness"),
                format!("A resource with this {unique} already exists."),
            ));
        }
        if kind == "Users" && self.personality.unique_email {
            let wanted = emails(resource);
            if others().any(|o| emails(o).iter().any(|e| wanted.contains(e))) {
                return Some(ScimResponse::error(
                    409,
                    Some("uniqueness"),
                    "A user with this email address already exists.",
                ));
            }
        }
        None
    }

    fn create(&mut self, kind: &str, req: &ScimRequest, now: DateTime<Utc>) -> ScimResponse {
        let Some(Value::Object(body)) = &req.body else {
            return ScimResponse::error(
                400,
                Some("invalidSyntax"),
                "The request body must be a JSON object.",
            );
        };
        let mut resource = Value::Object(body.clone());
        if let Some(e) = invalid(kind, &resource) {
            return e;
        }
        if let Some(c) = self.conflict(kind, &resource, None) {
            return c;
        }
        let id = self.new_id();
        let resource_type = if kind == "Groups" { "Group" } else { "User" };
        normalize_active(&mut resource);
        stamp(&mut resource, &id, resource_type, now, true);
        let inactive = active_of(&resource) == Some(false);
        let record = ScimRecord {
            resource: resource.clone(),
            inactive_since: inactive.then_some(now),
            deleted: false,
        };
        if kind == "Users" {
            self.put_user(&id, record);
        } else {
            self.groups.insert(id, record);
        }
        ScimResponse::json(201, resource)
    }

    fn replace(
        &mut self,
        kind: &str,
        id: &str,
        req: &ScimRequest,
        now: DateTime<Utc>,
    ) -> ScimResponse {
        let Some(Value::Object(body)) = &req.body else {
            return ScimResponse::error(
                400,
                Some("invalidSyntax"),
                "The request body must be a JSON object.",
            );
        };
        let Some(old) = self.records(kind).get(id) else {
            return not_found(id);
        };
        let created = old.resource["meta"]["created"].clone();
        let record_deleted = old.deleted;
        let mut resource = Value::Object(body.clone());
        if let Some(e) = invalid(kind, &resource) {
            return e;
        }
        // A deleted record that stays inactive is out of the uniqueness checks both ways.
        if let Some(c) = self
            .conflict(kind, &resource, Some(id))
            .filter(|_| !record_deleted)
        {
            return c;
        }
        normalize_active(&mut resource);
        stay_inactive_if_deleted(record_deleted, &mut resource);
        let resource_type = if kind == "Groups" { "Group" } else { "User" };
        stamp(&mut resource, id, resource_type, now, false);
        if !created.is_null() {
            resource["meta"]["created"] = created;
        }
        self.store(kind, id, resource.clone(), now);
        ScimResponse::json(200, resource)
    }

    fn patch(
        &mut self,
        kind: &str,
        id: &str,
        req: &ScimRequest,
        now: DateTime<Utc>,
    ) -> ScimResponse {
        let Some(record) = self.records(kind).get(id) else {
            return not_found(id);
        };
        let record_deleted = record.deleted;
        let mut resource = record.resource.clone();
        if let Err(e) = patch::apply(&mut resource, req.body.as_ref()) {
            return ScimResponse::error(400, Some("invalidSyntax"), e);
        }
        normalize_active(&mut resource);
        if let Some(e) = invalid(kind, &resource) {
            return e;
        }
        // A deleted record that stays inactive is out of the uniqueness checks both ways.
        if let Some(c) = self
            .conflict(kind, &resource, Some(id))
            .filter(|_| !record_deleted)
        {
            return c;
        }
        stay_inactive_if_deleted(record_deleted, &mut resource);
        let resource_type = if kind == "Groups" { "Group" } else { "User" };
        stamp(&mut resource, id, resource_type, now, false);
        self.store(kind, id, resource.clone(), now);
        if kind == "Groups" {
            // "Group PATCH should return 204" (Entra SCIM docs).
            ScimResponse {
                status: 204,
                body: None,
            }
        } else {
            ScimResponse::json(200, resource)
        }
    }

    fn store(&mut self, kind: &str, id: &str, resource: Value, now: DateTime<Utc>) {
        let inactive = active_of(&resource) == Some(false);
        let old = self.records(kind).get(id);
        let since = old.and_then(|r| r.inactive_since);
        let deleted = old.is_some_and(|r| r.deleted);
        let record = ScimRecord {
            resource,
            inactive_since: if inactive { since.or(Some(now)) } else { None },
            deleted,
        };
        if kind == "Users" {
            self.put_user(id, record);
        } else {
            self.groups.insert(id.to_string(), record);
        }
    }

    fn delete(&mut self, kind: &str, id: &str, now: DateTime<Utc>) -> ScimResponse {
        if !self.records(kind).contains_key(id) {
            return not_found(id);
        }
        if kind == "Users" && self.personality.soft_deletes {
            let stays_deleted = self.personality.deleted_accounts_stay_inactive;
            if stays_deleted {
                self.index(id, false);
            }
            if let Some(r) = self.users.get_mut(id) {
                r.resource["active"] = json!(false);
                r.resource["meta"]["lastModified"] = json!(ts(now));
                r.inactive_since.get_or_insert(now);
                r.deleted |= stays_deleted;
            }
        } else if kind == "Users" {
            self.remove_user(id);
        } else {
            self.groups.remove(id);
        }
        ScimResponse {
            status: 204,
            body: None,
        }
    }
}

/// A deleted account that stays inactive answers `active:false` whatever a PATCH or PUT set.
fn stay_inactive_if_deleted(deleted: bool, resource: &mut Value) {
    if deleted {
        resource["active"] = json!(false);
    }
}

/// A `SearchRequest` body turned into the equivalent query parameters.
fn search_as_query(req: &ScimRequest) -> ScimRequest {
    let mut q = req.clone();
    if let Some(Value::Object(body)) = &req.body {
        for (k, v) in body {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            q.query.push((k.clone(), text));
        }
    }
    q.body = None;
    q
}

/// The required, unique attribute must stay a non-empty string (RFC 7643 §4.1.1, §4.2).
fn invalid(kind: &str, resource: &Value) -> Option<ScimResponse> {
    let required = if kind == "Groups" {
        "displayName"
    } else {
        "userName"
    };
    match path::get(resource, required) {
        Some(Value::String(s)) if !s.trim().is_empty() => None,
        _ => Some(ScimResponse::error(
            400,
            Some("invalidValue"),
            format!("{required} is required and must be a string."),
        )),
    }
}

fn is_kind(kind: &str) -> bool {
    kind == "Users" || kind == "Groups"
}

fn query<'a>(req: &'a ScimRequest, name: &str) -> Option<&'a str> {
    req.query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn not_found(id: &str) -> ScimResponse {
    ScimResponse::error(404, None, format!("Resource {id} not found"))
}

fn list_of(items: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": items.len(),
        "itemsPerPage": items.len(),
        "startIndex": 1,
        "Resources": items,
    })
}

fn one_of(items: Vec<Value>, id: &str) -> ScimResponse {
    items
        .into_iter()
        .find(|i| i["id"].as_str() == Some(id))
        .map(|i| ScimResponse::json(200, i))
        .unwrap_or_else(|| not_found(id))
}

/// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5); `id` and `schemas` always stay.
fn project(resource: &Value, req: &ScimRequest) -> Value {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|a| a.trim().to_ascii_lowercase())
            .collect()
    };
    let Some(obj) = resource.as_object() else {
        return resource.clone();
    };
    let always = ["id", "schemas", "meta"];
    let mut out: Map<String, Value> = obj.clone();
    if let Some(attrs) = query(req, "attributes") {
        let keep = split(attrs);
        out.retain(|k, _| {
            always.contains(&k.as_str())
                || keep.iter().any(|a| {
                    a == &k.to_ascii_lowercase()
                        || a.starts_with(&format!("{}.", k.to_ascii_lowercase()))
                })
        });
    }
    if let Some(attrs) = query(req, "excludedAttributes") {
        let drop = split(attrs);
        out.retain(|k, _| always.contains(&k.as_str()) || !drop.contains(&k.to_ascii_lowercase()));
    }
    Value::Object(out)
}

fn stamp(resource: &mut Value, id: &str, resource_type: &str, now: DateTime<Utc>, created: bool) {
    let Some(obj) = resource.as_object_mut() else {
        return;
    };
    obj.insert("id".into(), json!(id));
    let schema = if resource_type == "Group" {
        path::CORE_GROUP
    } else {
        path::CORE_USER
    };
    let schemas = obj.entry("schemas").or_insert_with(|| json!([]));
    if !schemas.is_array() {
        *schemas = json!([]);
    }
    if let Some(list) = schemas.as_array_mut() {
        // Schemas the app does not serve (e.g. the ADSCIM group URN Entra sends with every
        // group) are accepted and not echoed: `schemas` lists what the resource conforms to.
        list.retain(|s| s.as_str() == Some(schema) || s.as_str() == Some(path::ENTERPRISE_USER));
        if !list.iter().any(|s| s.as_str() == Some(schema)) {
            list.insert(0, json!(schema));
        }
    }
    let meta = obj.entry("meta").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    meta["resourceType"] = json!(resource_type);
    if created || meta.get("created").is_none() {
        meta["created"] = json!(ts(now));
    }
    meta["lastModified"] = json!(ts(now));
    meta["location"] = json!(format!("{resource_type}s/{id}"));
    // The extension's URN is listed in `schemas` exactly when its attributes are present
    // (RFC 7643 §3).
    let has_extension = obj
        .get(path::ENTERPRISE_USER)
        .and_then(Value::as_object)
        .is_some_and(|o| !o.is_empty());
    if !has_extension {
        obj.remove(path::ENTERPRISE_USER);
    }
    if let Some(list) = obj.get_mut("schemas").and_then(Value::as_array_mut) {
        list.retain(|s| s.as_str() != Some(path::ENTERPRISE_USER));
        if has_extension {
            list.push(json!(path::ENTERPRISE_USER));
        }
    }
}

/// Entra's default PATCH sends `active` as the string `"False"`/`"True"` ("Known issues … SCIM
/// 2.0 protocol compliance"); the app stores a boolean either way.
fn normalize_active(resource: &mut Value) {
    if let Some(v) = resource
        .get("active")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
    {
        if v == "true" || v == "false" {
            resource["active"] = json!(v == "true");
        }
    }
}

pub fn active_of(resource: &Value) -> Option<bool> {
    match resource.get("active") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

fn emails(resource: &Value) -> Vec<String> {
    resource
        .get("emails")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|e| e.get("value").and_then(Value::as_str))
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

mod discovery;

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str, body: Option<Value>) -> ScimRequest {
        ScimRequest {
            method: method.into(),
            path: path.into(),
            query: Vec::new(),
            bearer: Some("t".into()),
            body,
        }
    }

    /// An app with `personality` whose token is `t`.
    fn app_with(personality: Personality) -> ScimApp {
        ScimApp::new("a", "A", "t".into(), personality)
    }

    /// Creates a user that the app must accept; returns its id.
    fn create_user(app: &mut ScimApp, body: Value, now: DateTime<Utc>) -> String {
        let created = app.handle(&req("POST", "/Users", Some(body)), now);
        assert_eq!(created.status, 201);
        created.body.unwrap()["id"].as_str().unwrap().to_string()
    }

    fn fixture(name: &str) -> Value {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json")
    }

    #[test]
    fn soft_deleting_app_keeps_the_record_inactive() {
        let now = Utc::now();
        let mut app = app_with(Personality {
            soft_deletes: true,
            ..Default::default()
        });
        let id = create_user(
            &mut app,
            fixture("entra-docs__scim__create-user__request.json"),
            now,
        );
        assert_eq!(
            app.handle(&req("DELETE", &format!("/Users/{id}"), None), now)
                .status,
            204
        );
        let got = app.handle(&req("GET", &format!("/Users/{id}"), None), now);
        assert_eq!(got.status, 200);
        assert_eq!(got.body.unwrap()["active"], false);
        let again = app.handle(
            &req(
                "POST",
                "/Users",
                Some(fixture("entra-docs__scim__create-user__request.json")),
            ),
            now,
        );
        assert_eq!(again.status, 409);
    }

    /// Project Insight's personality: a deleted account keeps answering `active:false` by id,
    /// whatever a PATCH sets, and is no longer found by userName, which a new account may take.
    #[test]
    fn deleted_accounts_stay_inactive_and_leave_searches() {
        let now = Utc::now();
        let mut app = app_with(Personality {
            soft_deletes: true,
            deleted_accounts_stay_inactive: true,
            ..Default::default()
        });
        let body = fixture("entra-docs__scim__create-user__request.json");
        let old = create_user(&mut app, body.clone(), now);
        let path = format!("/Users/{old}");
        assert_eq!(app.handle(&req("DELETE", &path, None), now).status, 204);
        let enable = json!({"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": "True"}, {"op": "Replace", "path": "title", "value": "Boss"}]});
        let patched = app.handle(&req("PATCH", &path, Some(enable)), now);
        assert_eq!(patched.status, 200);
        let patched = patched.body.unwrap();
        assert_eq!(patched["active"], false, "it stays inactive");
        assert_eq!(patched["title"], "Boss", "other changes are kept");
        assert_eq!(
            app.handle(&req("GET", &path, None), now).body.unwrap()["active"],
            false
        );
        let mut q = req("GET", "/Users", None);
        q.query = vec![(
            "filter".into(),
            format!("userName eq \"{}\"", body["userName"].as_str().unwrap()),
        )];
        assert_eq!(app.handle(&q, now).body.unwrap()["totalResults"], 0);
        let fresh = create_user(&mut app, body, now);
        assert_ne!(fresh, old);
        let found = app.handle(&q, now).body.unwrap();
        assert_eq!(found["totalResults"], 1);
        assert_eq!(found["Resources"][0]["id"], fresh.as_str());
        assert_eq!(found["Resources"][0]["active"], true);
        // Touching the old record again does not take the name back from the new account.
        let again = json!({"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "title", "value": "Chief"}]});
        assert_eq!(
            app.handle(&req("PATCH", &path, Some(again)), now).status,
            200
        );
        assert_eq!(
            app.handle(&q, now).body.unwrap()["Resources"][0]["id"],
            fresh.as_str()
        );
    }

    #[test]
    fn purging_app_forgets_inactive_accounts() {
        let now = Utc::now();
        let mut app = app_with(Personality {
            purge_inactive_after_days: Some(30),
            ..Default::default()
        });
        let id = create_user(
            &mut app,
            fixture("entra-docs__scim__create-user__request.json"),
            now,
        );
        let disable =
            fixture("entra-docs__scim-compat__disable-user__request-default-no-flag.json");
        let r = app.handle(&req("PATCH", &format!("/Users/{id}"), Some(disable)), now);
        assert_eq!(r.status, 200);
        assert_eq!(r.body.unwrap()["active"], false);
        assert_eq!(
            app.handle(
                &req("GET", &format!("/Users/{id}"), None),
                now + Duration::days(29)
            )
            .status,
            200
        );
        assert_eq!(
            app.handle(
                &req("GET", &format!("/Users/{id}"), None),
                now + Duration::days(31)
            )
            .status,
            404
        );
    }

    #[test]
    fn unique_email_and_bad_tokens() {
        let now = Utc::now();
        let mut app = app_with(Personality {
            unique_email: true,
            ..Default::default()
        });
        let mut body = fixture("entra-docs__scim__create-user__request.json");
        assert_eq!(
            app.handle(&req("POST", "/Users", Some(body.clone())), now)
                .status,
            201
        );
        body["userName"] = json!("someone-else");
        let r = app.handle(&req("POST", "/Users", Some(body)), now);
        assert_eq!(r.status, 409);
        assert_eq!(r.body.unwrap()["scimType"], "uniqueness");
        let mut anonymous = req("GET", "/Users", None);
        anonymous.bearer = None;
        assert_eq!(app.handle(&anonymous, now).status, 401);
        app.personality.token_expired = true;
        assert_eq!(app.handle(&req("GET", "/Users", None), now).status, 401);
    }

    /// Hostile or malformed requests are answered with SCIM errors, never a panic, and a
    /// refused change leaves the record as it was.
    #[test]
    fn bad_requests_never_panic() {
        let now = Utc::now();
        let mut app = app_with(Personality {
            unique_email: true,
            ..Default::default()
        });
        let id = create_user(
            &mut app,
            json!({"userName": "a", "emails": [{"value": "a@x"}]}),
            now,
        );
        let before = app.users[&id].resource.clone();
        let bodies = [
            json!(null),
            json!([]),
            json!("x"),
            json!({"Operations": "nope"}),
            json!({"Operations": [{"op": "replace", "path": "[[[", "value": 1}]}),
            json!({"Operations": [{"op": "add", "path": "emails[type eq \"work\"].value", "value": {"deep": [1, 2]}}, {"op": "explode"}]}),
            json!({"Operations": [{"op": "replace", "value": {"userName": "a", "urn:x:y": {"a": 1}}}, {"op": "remove"}]}),
            json!({"userName": 5}),
        ];
        for b in &bodies {
            for (m, p) in [
                ("POST", "/Users".to_string()),
                ("PUT", format!("/Users/{id}")),
                ("PATCH", format!("/Users/{id}")),
                ("POST", "/Groups".to_string()),
            ] {
                let r = app.handle(&req(m, &p, Some(b.clone())), now);
                assert!(r.status < 500, "{m} {p} {b}: {}", r.status);
            }
        }
        for f in [
            "userName eq",
            "((",
            "emails[type eq \"work\".value eq \"x\"",
            "a pr or",
            "\u{0} eq \"\"",
        ] {
            let mut q = req("GET", "/Users", None);
            q.query = vec![
                ("filter".into(), f.into()),
                ("startIndex".into(), "-5".into()),
                ("count".into(), "99999999999".into()),
            ];
            assert!(app.handle(&q, now).status < 500, "{f}");
        }
        for p in [
            "/",
            "/Users/x/y/z",
            "/../../etc",
            "/Schemas/nope",
            "/Users/.search",
        ] {
            assert!(app.handle(&req("GET", p, None), now).status < 500, "{p}");
        }
        assert_eq!(app.users[&id].resource["userName"], before["userName"]);
    }

    #[test]
    fn query_by_username_is_a_list_response() {
        let now = Utc::now();
        let mut app = app_with(Personality::default());
        create_user(
            &mut app,
            fixture("entra-docs__scim__create-user__request.json"),
            now,
        );
        let mut q = req("GET", "/Users", None);
        q.query = vec![(
            "filter".into(),
            "userName eq \"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee\"".into(),
        )];
        let r = app.handle(&q, now).body.unwrap();
        let shape = fixture("entra-docs__scim__get-user-by-query__response.json");
        assert_eq!(r["totalResults"], 1);
        for k in shape.as_object().unwrap().keys() {
            assert!(r.get(k).is_some(), "{k}");
        }
        q.query = vec![("filter".into(), "userName eq \"nobody\"".into())];
        let r = app.handle(&q, now).body.unwrap();
        assert_eq!(r["totalResults"], 0);
        assert_eq!(r["Resources"], json!([]));
    }
}
