//! `/users` and `/me`: list, get, `$count`, update, soft delete, revokeSignInSessions and
//! appRoleAssignments (graph-api.md §5, §7).

use axum::http::{Method, StatusCode};
use chrono::DateTime;
use serde_json::{json, Map, Value};

use super::auth::{self, Requirement};
use super::query::{self, paginate};
use super::service_principals::assignment_json;
use super::user_properties::{self, DOCUMENTED};
use super::{Call, GraphError, GraphResponse};
use crate::state::directory::User;

const TYPE_NAME: &str = "Microsoft.DirectoryServices.User";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Bool,
    StrList,
    DateTime,
}

/// (name, type, writable, nullable)
const PROPERTIES: &[(&str, Kind, bool, bool)] = &[
    ("id", Kind::Str, false, false),
    ("accountEnabled", Kind::Bool, true, false),
    ("businessPhones", Kind::StrList, true, true),
    ("city", Kind::Str, true, true),
    ("companyName", Kind::Str, true, true),
    ("country", Kind::Str, true, true),
    ("createdDateTime", Kind::DateTime, false, true),
    ("deletedDateTime", Kind::DateTime, false, true),
    ("department", Kind::Str, true, true),
    ("displayName", Kind::Str, true, false),
    ("employeeHireDate", Kind::DateTime, true, true),
    ("employeeId", Kind::Str, true, true),
    ("employeeLeaveDateTime", Kind::DateTime, true, true),
    ("employeeType", Kind::Str, true, true),
    ("givenName", Kind::Str, true, true),
    ("jobTitle", Kind::Str, true, true),
    ("mail", Kind::Str, true, true),
    ("mailNickname", Kind::Str, true, false),
    ("mobilePhone", Kind::Str, true, true),
    ("officeLocation", Kind::Str, true, true),
    ("otherMails", Kind::StrList, true, true),
    ("postalCode", Kind::Str, true, true),
    ("preferredLanguage", Kind::Str, true, true),
    // Read-only (user resource: "Read-only, Not nullable"); Entra adds `SMTP:{mail}` to it
    // when mail changes.
    ("proxyAddresses", Kind::StrList, false, false),
    (
        "signInSessionsValidFromDateTime",
        Kind::DateTime,
        false,
        true,
    ),
    ("state", Kind::Str, true, true),
    ("streetAddress", Kind::Str, true, true),
    ("surname", Kind::Str, true, true),
    ("usageLocation", Kind::Str, true, true),
    ("userPrincipalName", Kind::Str, true, false),
    ("userType", Kind::Str, true, true),
    // Computed from the UPN (see `user_json`); read-only here.
    ("identities", Kind::StrList, false, true),
];

pub const PROPERTY_NAMES: &[&str] = &[
    "id",
    "accountEnabled",
    "businessPhones",
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "deletedDateTime",
    "department",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeLeaveDateTime",
    "employeeType",
    "givenName",
    "jobTitle",
    "mail",
    "mailNickname",
    "mobilePhone",
    "officeLocation",
    "otherMails",
    "postalCode",
    "preferredLanguage",
    "proxyAddresses",
    "signInSessionsValidFromDateTime",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
    "identities",
];

/// Returned when no `$select` is given (get user doc). `accountEnabled` is not among them.
pub const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

pub const FILTERABLE: &[&str] = &[
    "id",
    "userPrincipalName",
    "mail",
    "displayName",
    "givenName",
    "surname",
    "accountEnabled",
    "employeeId",
    "employeeType",
    "department",
    "jobTitle",
    "mailNickname",
    "userType",
    "city",
    "companyName",
    // String collections: filtered only through `any` (see `check_collections`).
    "otherMails",
    "proxyAddresses",
];

/// The string collections of a user that `$filter` reaches with the `any` lambda
/// (`otherMails/any(x:x eq '…')`, `proxyAddresses/any(x:x eq 'smtp:…')`: user resource page,
/// property table, and graph-api.md §11.6).
const COLLECTIONS: &[&str] = &["otherMails", "proxyAddresses", "businessPhones"];

/// A string collection compared without a lambda (`proxyAddresses eq 'smtp:…'`), or a lambda
/// over a property that is not a collection, is refused. Microsoft's docs show lambdas only
/// for collections and do not document the error text for the misuse; the message is Graph's
/// usual one for an unsupported filter clause (cautious reading: a naive client that forgets
/// `any` must see an error, not a match).
pub fn check_collections(q: &query::QueryOptions, resource: &str) -> Result<(), GraphError> {
    let Some(expr) = &q.filter else {
        return Ok(());
    };
    let is_collection = |p: &str| COLLECTIONS.iter().any(|c| c.eq_ignore_ascii_case(p));
    let misused = expr
        .direct_properties()
        .into_iter()
        .find(|p| is_collection(p))
        .or_else(|| {
            expr.lambda_collections()
                .into_iter()
                .find(|p| !is_collection(p))
        });
    match misused {
        Some(p) => Err(GraphError::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{p}' of resource '{resource}'."
        ))),
        None => Ok(()),
    }
}

const SORTABLE: &[&str] = &["displayName", "userPrincipalName"];

const SEARCHABLE: &[&str] = &[
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mail",
    "employeeId",
    "jobTitle",
    "department",
];

pub fn handle(call: &Call) -> Result<GraphResponse, GraphError> {
    let segs = &call.segments;
    let head = segs.first().map(String::as_str).unwrap_or_default();
    let (first, key) = split_first(head);
    let me = first.eq_ignore_ascii_case("me");
    if me && key.is_some() {
        return Err(GraphError::no_route(call.req.method.as_str(), head));
    }
    // `users/{key}` or `users('{key}')` or `me`.
    let (user_key, rest): (Option<String>, &[String]) = if me {
        (Some(me_id(call)?), &segs[1..])
    } else if let Some(k) = key {
        (Some(k), &segs[1..])
    } else if segs.len() > 1 {
        (Some(segs[1].clone()), &segs[2..])
    } else {
        (None, &segs[1..])
    };
    let method = &call.req.method;
    match (user_key, rest) {
        (None, []) if *method == Method::GET => list(call),
        (None, []) => Err(GraphError::method_not_allowed()),
        (Some(k), []) if k == "$count" && *method == Method::GET => count(call),
        (Some(k), []) => match *method {
            Method::GET => get(call, &k),
            Method::PATCH => update(call, &k),
            Method::DELETE => delete(call, &k),
            _ => Err(GraphError::method_not_allowed()),
        },
        (Some(k), [action]) if action.eq_ignore_ascii_case("revokeSignInSessions") => {
            if *method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            revoke(call, &k)
        }
        (Some(k), [nav]) if nav.eq_ignore_ascii_case("appRoleAssignments") => {
            if *method != Method::GET {
                return Err(GraphError::method_not_allowed());
            }
            app_role_assignments(call, &k)
        }
        (_, [other, ..]) => Err(GraphError::no_route(method.as_str(), other)),
    }
}

/// Splits `users('key')` into (`users`, Some(key)).
pub fn split_first(segment: &str) -> (&str, Option<String>) {
    match segment.find('(') {
        Some(open) if segment.ends_with(')') => {
            let inner = &segment[open + 1..segment.len() - 1];
            let key = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .map(|s| s.replace("''", "'"))
                .unwrap_or_else(|| inner.to_string());
            (&segment[..open], Some(key))
        }
        _ => (segment, None),
    }
}

fn me_id(call: &Call) -> Result<String, GraphError> {
    if call.caller.claims.is_app_only() {
        return Err(GraphError::bad_request(
            "/me request is only valid with delegated authentication flow.",
        ));
    }
    Ok(call.caller.claims.oid.clone())
}

pub fn user_json(user: &User, select: Option<&[String]>) -> Map<String, Value> {
    let mut out = query::project(&user.props, select, DEFAULT_PROPERTIES, DOCUMENTED);
    for (name, value) in out.iter_mut() {
        if value.is_null() {
            if let Some(unset) = user_properties::unset_value(name) {
                *value = unset;
            }
        }
    }
    if let Some(identities) = out.get_mut("identities") {
        // A member signs in with their UPN: one identity whose issuer is the UPN's domain.
        let upn = user.upn();
        let issuer = upn.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        *identities = json!([{
            "signInType": "userPrincipalName",
            "issuer": issuer,
            "issuerAssignedId": upn,
        }]);
    }
    out
}

fn find<'d>(dir: &'d crate::state::Directory, key: &str) -> Result<&'d User, GraphError> {
    dir.find_user(key).ok_or_else(|| GraphError::not_found(key))
}

fn list(call: &Call) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_USERS)?;
    let q = &call.query;
    q.check_select(TYPE_NAME, DOCUMENTED)?;
    let eventual = call.req.consistency_eventual();
    let advanced = q.advanced(eventual);
    q.check_filter("User", FILTERABLE, advanced)?;
    check_collections(q, "User")?;
    q.check_orderby("User", SORTABLE, advanced)?;
    q.check_search(SEARCHABLE, eventual)?;
    let dir = call.state.directory();
    let mut matching: Vec<(String, &User)> = match &q.filter {
        None => dir.users.iter().map(|(k, u)| (k.clone(), u)).collect(),
        Some(expr) => match expr.as_equality() {
            Some((p, v)) if p.eq_ignore_ascii_case("userPrincipalName") => dir
                .find_by_upn(v)
                .map(|u| (u.id.clone(), u))
                .into_iter()
                .collect(),
            _ => dir
                .users
                .iter()
                .filter(|(_, u)| expr.matches(&|p| property(u, p)))
                .map(|(k, u)| (k.clone(), u))
                .collect(),
        },
    };
    if let Some(search) = &q.search {
        matching.retain(|(_, u)| search.matches(&|p| property(u, p)));
    }
    if let Some(order) = &q.orderby {
        // Sort key: the property (case-insensitive), then the id, so that paging stays stable.
        for (key, u) in matching.iter_mut() {
            let value = property(u, &order.property)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_lowercase();
            *key = format!("{value}\u{1}{}", u.id);
        }
        matching.sort_by(|a, b| a.0.cmp(&b.0));
        if order.descending {
            matching.reverse();
        }
    }
    let total = matching.len();
    let page = paginate(matching, q)?;
    let mut body = json!({ "@odata.context": call.collection_context("users") });
    if advanced && q.skiptoken.is_none() {
        body["@odata.count"] = json!(total);
    }
    if let Some(t) = &page.next_skiptoken {
        body["@odata.nextLink"] = json!(call.next_link(t));
    }
    body["value"] = Value::Array(
        page.items
            .into_iter()
            .map(|u| Value::Object(user_json(u, q.select.as_deref())))
            .collect(),
    );
    Ok(GraphResponse::ok(body))
}

/// A property by name, case-insensitively.
pub fn property<'u>(user: &'u User, name: &str) -> Option<&'u Value> {
    user.props
        .get(name)
        .or_else(|| query::canonical(PROPERTY_NAMES, name).and_then(|n| user.props.get(n)))
}

/// `GET /users/$count`: plain text, needs `ConsistencyLevel: eventual`.
fn count(call: &Call) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_USERS)?;
    if !call.req.consistency_eventual() {
        return Err(GraphError::bad_request(
            "Count is not currently supported. ConsistencyLevel:eventual header is required for $count.",
        ));
    }
    call.query.check_filter("User", FILTERABLE, true)?;
    check_collections(&call.query, "User")?;
    let dir = call.state.directory();
    let n = match &call.query.filter {
        Some(expr) => dir
            .users
            .values()
            .filter(|u| expr.matches(&|p| property(u, p)))
            .count(),
        None => dir.users.len(),
    };
    Ok(GraphResponse::text(n.to_string()))
}

fn get(call: &Call, key: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_USERS)?;
    call.query.check_select(TYPE_NAME, DOCUMENTED)?;
    let dir = call.state.directory();
    let user = find(&dir, key)?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(call.collection_context("users") + "/$entity"),
    );
    body.extend(user_json(user, call.query.select.as_deref()));
    Ok(GraphResponse::ok(Value::Object(body)))
}

/// Validates a PATCH body against the user schema; nothing is changed here.
fn validate_changes(
    body: Map<String, Value>,
    domain: &str,
) -> Result<Map<String, Value>, GraphError> {
    let mut out = Map::new();
    for (name, value) in body {
        if name.starts_with('@') {
            continue;
        }
        let Some(&(canonical, kind, writable, nullable)) = PROPERTIES
            .iter()
            .find(|(n, ..)| n.eq_ignore_ascii_case(&name))
        else {
            return Err(GraphError::bad_request(format!(
                "Invalid property '{name}'."
            )));
        };
        if !writable {
            return Err(GraphError::bad_request(format!(
                "Property '{canonical}' is read-only and cannot be set."
            )));
        }
        let type_ok = match (&value, kind) {
            (Value::Null, _) => nullable,
            (Value::String(_), Kind::Str) => true,
            (Value::Bool(_), Kind::Bool) => true,
            (Value::Array(items), Kind::StrList) => items.iter().all(Value::is_string),
            (Value::String(s), Kind::DateTime) => DateTime::parse_from_rfc3339(s).is_ok(),
            _ => false,
        };
        if !type_ok {
            let edm = match kind {
                Kind::Str => "Edm.String",
                Kind::Bool => "Edm.Boolean",
                Kind::StrList => "Collection(Edm.String)",
                Kind::DateTime => "Edm.DateTimeOffset",
            };
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("Cannot convert the literal '{value}' to the expected type '{edm}' for property '{canonical}'."),
            ));
        }
        if canonical == "userPrincipalName" {
            let upn = value.as_str().unwrap_or_default();
            let valid = upn
                .rsplit_once('@')
                .is_some_and(|(local, d)| !local.is_empty() && d.eq_ignore_ascii_case(domain));
            if !valid {
                return Err(GraphError::bad_request(format!(
                    "Property userPrincipalName is invalid: the domain portion must be a verified domain of the organization ({domain})."
                )));
            }
        }
        if matches!(canonical, "displayName" | "mailNickname")
            && value.as_str().is_some_and(str::is_empty)
        {
            return Err(GraphError::bad_request(format!(
                "Invalid value specified for property '{canonical}' of resource 'User'."
            )));
        }
        out.insert(canonical.to_string(), value);
    }
    Ok(out)
}

fn update(call: &Call, key: &str) -> Result<GraphResponse, GraphError> {
    let body = call.req.json_object()?;
    let only_enable_disable = !body.is_empty()
        && body
            .keys()
            .filter(|k| !k.starts_with('@'))
            .all(|k| k.eq_ignore_ascii_case("accountEnabled"));
    let need: &Requirement = if only_enable_disable {
        &auth::ENABLE_DISABLE_USER
    } else {
        &auth::UPDATE_USER
    };
    call.caller.require(need)?;
    let changes = validate_changes(body, &call.state.summary.tenant_domain)?;
    let now = call.now();
    let mut dir = call.state.directory_mut();
    let user = find(&dir, key)?;
    let actions: &[&str] = match changes.get("accountEnabled").and_then(Value::as_bool) {
        Some(false) if only_enable_disable => &[auth::DISABLE_USERS_ACTION],
        Some(true) if only_enable_disable => &[auth::ENABLE_USERS_ACTION],
        _ => &[],
    };
    call.caller.require_over(need, &user.id, actions)?;
    call.caller.require_can_manage(&user.directory_roles)?;
    // A synced person's on-premises-owned properties are refused; `accountEnabled` is accepted
    // and put back by the next directory sync (state/directory_sync.rs).
    if crate::state::directory_sync::mastered_change(user, &changes).is_some() {
        return Err(GraphError::bad_request(
            crate::state::directory_sync::MASTERED_MESSAGE,
        ));
    }
    let id = user.id.clone();
    if let Some(upn) = changes.get("userPrincipalName").and_then(Value::as_str) {
        if dir.find_user(upn).is_some_and(|other| other.id != id) {
            return Err(GraphError::bad_request(format!(
                "Another object with the same value for property userPrincipalName already exists: '{upn}'."
            )));
        }
    }
    dir.update_user(&id, changes, now)?;
    Ok(GraphResponse::no_content())
}

fn delete(call: &Call, key: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::DELETE_USER)?;
    let now = call.now();
    let mut dir = call.state.directory_mut();
    let user = find(&dir, key)?;
    call.caller
        .require_over(&auth::DELETE_USER, &user.id, &[auth::DELETE_USERS_ACTION])?;
    call.caller.require_can_manage(&user.directory_roles)?;
    if !call.caller.claims.is_app_only() && user.id == call.caller.claims.oid {
        return Err(GraphError::bad_request(
            "You cannot delete your own account.",
        ));
    }
    let id = user.id.clone();
    dir.soft_delete_user(&id, now)?;
    Ok(GraphResponse::no_content())
}

/// 200 with `{"value": true}` as the v1.0 doc shows (fixture `user-revokesigninsessions`).
fn revoke(call: &Call, key: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::REVOKE_SESSIONS)?;
    let now = call.now();
    let mut dir = call.state.directory_mut();
    let user = find(&dir, key)?;
    call.caller.require_over(
        &auth::REVOKE_SESSIONS,
        &user.id,
        &[auth::REVOKE_SESSIONS_ACTION],
    )?;
    call.caller.require_can_manage(&user.directory_roles)?;
    let id = user.id.clone();
    dir.revoke_sessions(&id, now)?;
    Ok(GraphResponse::ok(json!({
        "@odata.context": call.context("Edm.Boolean"),
        "value": true,
    })))
}

/// Assignments of the user, including those granted to groups the user directly belongs to.
fn app_role_assignments(call: &Call, key: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_USER_APP_ROLE_ASSIGNMENTS)?;
    let q = &call.query;
    q.check_filter(
        "AppRoleAssignment",
        &["resourceId", "appRoleId", "principalId"],
        q.advanced(call.req.consistency_eventual()),
    )?;
    q.check_orderby("directoryObject", &[], false)?;
    q.check_search(&[], call.req.consistency_eventual())?;
    let dir = call.state.directory();
    let user = find(&dir, key)?;
    let items: Vec<(String, Value)> = dir
        .assignments_of_user(&user.id)
        .into_iter()
        .map(|a| assignment_json(&dir, a))
        .filter(|v| q.filter.as_ref().is_none_or(|f| f.matches(&|p| v.get(p))))
        .map(|v| (v["id"].as_str().unwrap_or_default().to_string(), v))
        .collect();
    let mut items = items;
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let page = paginate(items, q)?;
    let mut body = json!({
        "@odata.context": call.context(&format!("users('{}')/appRoleAssignments", user.id)),
    });
    if let Some(t) = &page.next_skiptoken {
        body["@odata.nextLink"] = json!(call.next_link(t));
    }
    body["value"] = Value::Array(page.items);
    Ok(GraphResponse::ok(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_validation_rejects_unknown_readonly_and_mistyped() {
        let d = "contoso.test";
        let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(validate_changes(obj(json!({"accountEnabled": false})), d).is_ok());
        assert!(validate_changes(obj(json!({"businessPhones": ["1"], "city": null})), d).is_ok());
        for bad in [
            json!({"nope": 1}),
            json!({"id": "x"}),
            json!({"accountEnabled": "false"}),
            json!({"accountEnabled": null}),
            json!({"businessPhones": [1]}),
            json!({"employeeLeaveDateTime": "yesterday"}),
            json!({"userPrincipalName": "a@elsewhere.com"}),
            json!({"displayName": ""}),
        ] {
            assert!(validate_changes(obj(bad.clone()), d).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_segments() {
        assert_eq!(
            split_first("users('a''b@c')"),
            ("users", Some("a'b@c".into()))
        );
        assert_eq!(split_first("users"), ("users", None));
    }
}
