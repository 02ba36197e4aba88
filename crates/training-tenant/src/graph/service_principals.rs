//! `/servicePrincipals`: list (`$filter` on displayName, appId), get by id or
//! `servicePrincipals(appId='…')`, and `appRoleAssignedTo` (graph-api.md §7).

use axum::http::Method;
use serde_json::{json, Map, Value};

use super::auth;
use super::collection::Collection;
use super::query::paginate;
use super::users::split_first;
use super::{Call, GraphError, GraphResponse};
use crate::state::directory::{
    timestamp, AppRoleAssignment, Directory, PrincipalType, ServicePrincipal,
};

const TYPE_NAME: &str = "Microsoft.DirectoryServices.ServicePrincipal";

const PROPERTY_NAMES: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "description",
    "appRoles",
    "tags",
    "appRoleAssignmentRequired",
    "servicePrincipalType",
    "accountEnabled",
    "createdDateTime",
    "deletedDateTime",
    "appDisplayName",
    "appOwnerOrganizationId",
    "servicePrincipalNames",
    "preferredSingleSignOnMode",
];

const FILTERABLE: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "servicePrincipalType",
    "accountEnabled",
    "tags",
];

const SERVICE_PRINCIPALS: Collection = Collection {
    name: "servicePrincipals",
    type_name: TYPE_NAME,
    entity: "ServicePrincipal",
    properties: PROPERTY_NAMES,
    filterable: FILTERABLE,
};

pub fn handle(call: &Call) -> Result<GraphResponse, GraphError> {
    let segs = &call.segments;
    let (_, key) = split_first(segs.first().map(String::as_str).unwrap_or_default());
    // servicePrincipals(appId='…') or servicePrincipals/{id}
    let (selector, rest): (Option<Selector>, &[String]) = match key {
        Some(k) => (Some(Selector::parse(&k)), &segs[1..]),
        None if segs.len() > 1 => (Some(Selector::Id(segs[1].clone())), &segs[2..]),
        None => (None, &segs[1..]),
    };
    // Part 2: `…/synchronization/…` has its own module and its own methods.
    if let (Some(s), [nav, sync_rest @ ..]) = (&selector, rest) {
        if nav.eq_ignore_ascii_case("synchronization") {
            let sp_id = s.find(&call.state.directory())?.id.clone();
            return super::synchronization::handle(call, &sp_id, sync_rest);
        }
    }
    if call.req.method != Method::GET {
        return Err(GraphError::method_not_allowed());
    }
    match (selector, rest) {
        (None, []) => list(call),
        (Some(s), []) => get(call, &s),
        (Some(s), [nav]) if nav.eq_ignore_ascii_case("appRoleAssignedTo") => assigned_to(call, &s),
        (_, [other, ..]) => Err(GraphError::no_route("GET", other)),
    }
}

enum Selector {
    Id(String),
    AppId(String),
}

impl Selector {
    fn parse(key: &str) -> Self {
        match key.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("appId") => {
                let v = value.trim();
                let v = v
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .unwrap_or(v);
                Selector::AppId(v.to_string())
            }
            _ => Selector::Id(key.to_string()),
        }
    }

    fn find<'d>(&self, dir: &'d Directory) -> Result<&'d ServicePrincipal, GraphError> {
        match self {
            Selector::Id(id) => dir
                .service_principals
                .get(&id.to_ascii_lowercase())
                .ok_or_else(|| GraphError::not_found(id)),
            Selector::AppId(app_id) => dir
                .service_principals
                .values()
                .find(|s| s.app_id.eq_ignore_ascii_case(app_id))
                .ok_or_else(|| GraphError::not_found(app_id)),
        }
    }
}

pub fn service_principal_json(sp: &ServicePrincipal, tenant_id: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(sp.id));
    m.insert("deletedDateTime".into(), Value::Null);
    m.insert("accountEnabled".into(), json!(true));
    m.insert("appDisplayName".into(), json!(sp.display_name));
    m.insert("appId".into(), json!(sp.app_id));
    m.insert("appOwnerOrganizationId".into(), json!(tenant_id));
    m.insert(
        "appRoleAssignmentRequired".into(),
        json!(sp.app_role_assignment_required),
    );
    m.insert(
        "createdDateTime".into(),
        json!(timestamp(sp.created_date_time)),
    );
    m.insert("description".into(), json!(sp.description));
    m.insert("displayName".into(), json!(sp.display_name));
    m.insert("preferredSingleSignOnMode".into(), json!("saml"));
    m.insert("servicePrincipalNames".into(), json!([sp.app_id]));
    m.insert("servicePrincipalType".into(), json!("Application"));
    m.insert("tags".into(), json!(sp.tags));
    m.insert(
        "appRoles".into(),
        Value::Array(
            sp.app_roles
                .iter()
                .map(|r| {
                    json!({
                        "allowedMemberTypes": r.allowed_member_types,
                        "description": r.description,
                        "displayName": r.display_name,
                        "id": r.id,
                        "isEnabled": r.is_enabled,
                        "origin": "ServicePrincipal",
                        "value": if r.value.is_empty() { Value::Null } else { json!(r.value) },
                    })
                })
                .collect(),
        ),
    );
    m
}

fn list(call: &Call) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_SERVICE_PRINCIPALS)?;
    let dir = call.state.directory();
    let tenant = call.state.tenant_id();
    SERVICE_PRINCIPALS.list(call, dir.service_principals.iter(), |sp| {
        service_principal_json(sp, tenant)
    })
}

fn get(call: &Call, selector: &Selector) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_SERVICE_PRINCIPALS)?;
    SERVICE_PRINCIPALS.check_select(call)?;
    let dir = call.state.directory();
    let sp = selector.find(&dir)?;
    Ok(SERVICE_PRINCIPALS.entity(call, service_principal_json(sp, call.state.tenant_id())))
}

/// The appRoleAssignment resource (fixture `serviceprincipal-list-approleassignedto`).
pub fn assignment_json(dir: &Directory, a: &AppRoleAssignment) -> Value {
    json!({
        "id": a.id,
        "deletedDateTime": null,
        "appRoleId": a.app_role_id,
        "createdDateTime": timestamp(a.created_date_time),
        "principalDisplayName": dir.principal_display_name(&a.principal_id),
        "principalId": a.principal_id,
        "principalType": match a.principal_type {
            PrincipalType::User => "User",
            PrincipalType::Group => "Group",
            PrincipalType::ServicePrincipal => "ServicePrincipal",
        },
        "resourceDisplayName": dir.principal_display_name(&a.resource_id),
        "resourceId": a.resource_id,
    })
}

/// Users, groups and service principals assigned to the app (direct assignments only: group
/// members are not expanded here, unlike `users/{id}/appRoleAssignments`).
fn assigned_to(call: &Call, selector: &Selector) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_APP_ROLE_ASSIGNED_TO)?;
    let q = &call.query;
    q.check_filter(
        "AppRoleAssignment",
        &["principalId", "principalType", "appRoleId", "resourceId"],
        q.advanced(call.req.consistency_eventual()),
    )?;
    q.check_orderby("directoryObject", &[], false)?;
    q.check_search(&[], call.req.consistency_eventual())?;
    let dir = call.state.directory();
    let sp = selector.find(&dir)?;
    let mut items: Vec<(String, Value)> = dir
        .app_role_assignments
        .iter()
        .filter(|a| a.resource_id == sp.id)
        .map(|a| assignment_json(&dir, a))
        .filter(|v| q.filter.as_ref().is_none_or(|f| f.matches(&|p| v.get(p))))
        .map(|v| (v["id"].as_str().unwrap_or_default().to_string(), v))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let page = paginate(items, q)?;
    let mut body = json!({
        "@odata.context": call.context(&format!("servicePrincipals('{}')/appRoleAssignedTo", sp.id)),
    });
    if let Some(t) = &page.next_skiptoken {
        body["@odata.nextLink"] = json!(call.next_link(t));
    }
    body["value"] = Value::Array(page.items);
    Ok(GraphResponse::ok(body))
}
