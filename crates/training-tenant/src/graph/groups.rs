//! `/groups`: list, get, members, and adding/removing members with `$ref`.

use axum::http::Method;
use serde_json::{json, Map, Value};

use super::auth;
use super::collection::Collection;
use super::query::paginate;
use super::users::{split_first, user_json};
use super::{Call, GraphError, GraphResponse};
use crate::state::directory::{timestamp, Group};

const TYPE_NAME: &str = "Microsoft.DirectoryServices.Group";
const PROPERTY_NAMES: &[&str] = &[
    "id",
    "displayName",
    "description",
    "mailNickname",
    "mailEnabled",
    "securityEnabled",
    "groupTypes",
    "createdDateTime",
    "deletedDateTime",
    "mail",
    "visibility",
];
const FILTERABLE: &[&str] = &[
    "id",
    "displayName",
    "mailNickname",
    "securityEnabled",
    "mailEnabled",
];
const GROUPS: Collection = Collection {
    name: "groups",
    type_name: TYPE_NAME,
    entity: "Group",
    properties: PROPERTY_NAMES,
    filterable: FILTERABLE,
};

pub fn handle(call: &Call) -> Result<GraphResponse, GraphError> {
    let segs = &call.segments;
    let method = &call.req.method;
    let (_, key) = split_first(segs.first().map(String::as_str).unwrap_or_default());
    let (group, rest): (Option<String>, &[String]) = match key {
        Some(k) => (Some(k), &segs[1..]),
        None if segs.len() > 1 => (Some(segs[1].clone()), &segs[2..]),
        None => (None, &segs[1..]),
    };
    match (group, rest) {
        (None, []) if *method == Method::GET => list(call),
        (Some(g), []) if *method == Method::GET => get(call, &g),
        (Some(g), [m]) if m.eq_ignore_ascii_case("members") && *method == Method::GET => {
            members(call, &g)
        }
        (Some(g), [m, r])
            if m.eq_ignore_ascii_case("members") && r == "$ref" && *method == Method::POST =>
        {
            add_member(call, &g)
        }
        (Some(g), [m, member, r])
            if m.eq_ignore_ascii_case("members") && r == "$ref" && *method == Method::DELETE =>
        {
            remove_member(call, &g, member)
        }
        (_, [other, ..]) if !other.eq_ignore_ascii_case("members") => {
            Err(GraphError::no_route(method.as_str(), other))
        }
        _ => Err(GraphError::method_not_allowed()),
    }
}

fn group_json(g: &Group) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(g.id));
    m.insert("deletedDateTime".into(), Value::Null);
    m.insert(
        "createdDateTime".into(),
        json!(timestamp(g.created_date_time)),
    );
    m.insert("description".into(), json!(g.description));
    m.insert("displayName".into(), json!(g.display_name));
    m.insert("groupTypes".into(), json!([]));
    m.insert("mail".into(), Value::Null);
    m.insert("mailEnabled".into(), json!(false));
    m.insert("mailNickname".into(), json!(g.mail_nickname));
    m.insert("securityEnabled".into(), json!(g.security_enabled));
    m.insert("visibility".into(), Value::Null);
    m
}

fn find<'d>(dir: &'d crate::state::Directory, id: &str) -> Result<&'d Group, GraphError> {
    dir.groups
        .get(&id.to_ascii_lowercase())
        .ok_or_else(|| GraphError::not_found(id))
}

fn list(call: &Call) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_GROUPS)?;
    let dir = call.state.directory();
    GROUPS.list(call, dir.groups.iter(), group_json)
}

fn get(call: &Call, id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_GROUPS)?;
    GROUPS.check_select(call)?;
    let dir = call.state.directory();
    let g = find(&dir, id)?;
    Ok(GROUPS.entity(call, group_json(g)))
}

/// Direct members, as directoryObjects with `@odata.type`.
fn members(call: &Call, id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_GROUPS)?;
    let q = &call.query;
    q.check_select(
        "Microsoft.DirectoryServices.User",
        super::users::PROPERTY_NAMES,
    )?;
    q.check_filter(
        "User",
        super::users::FILTERABLE,
        q.advanced(call.req.consistency_eventual()),
    )?;
    q.check_orderby("directoryObject", &[], false)?;
    q.check_search(&[], call.req.consistency_eventual())?;
    let dir = call.state.directory();
    let g = find(&dir, id)?;
    let mut items: Vec<(String, Value)> = g
        .members
        .iter()
        .filter_map(|m| dir.users.get(m))
        .filter(|u| {
            q.filter
                .as_ref()
                .is_none_or(|f| f.matches(&|p| super::users::property(u, p)))
        })
        .map(|u| {
            let mut m = Map::new();
            m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
            m.extend(user_json(u, q.select.as_deref()));
            (u.id.clone(), Value::Object(m))
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let page = paginate(items, q)?;
    let mut body = json!({ "@odata.context": call.context("directoryObjects") });
    if let Some(t) = &page.next_skiptoken {
        body["@odata.nextLink"] = json!(call.next_link(t));
    }
    body["value"] = Value::Array(page.items);
    Ok(GraphResponse::ok(body))
}

/// `POST /groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{id}"}` → 204.
fn add_member(call: &Call, id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_GROUP_MEMBERS)?;
    let body = call.req.json_object()?;
    let reference = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            GraphError::bad_request(
                "The request body must contain '@odata.id' referencing a directory object.",
            )
        })?;
    let member_id = reference
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .map(|s| users_key(s).to_ascii_lowercase())
        .unwrap_or_default();
    let now = call.now();
    let mut dir = call.state.directory_mut();
    find(&dir, id)?;
    if !dir.users.contains_key(&member_id) {
        return Err(GraphError::not_found(&member_id));
    }
    let added = dir.add_member(&id.to_ascii_lowercase(), &member_id, now)?;
    if !added {
        return Err(GraphError::bad_request(
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    Ok(GraphResponse::no_content())
}

/// Accepts `users/{id}`-style last segments as well as `directoryObjects('{id}')`.
fn users_key(segment: &str) -> String {
    let (_, key) = split_first(segment);
    key.unwrap_or_else(|| segment.to_string())
}

fn remove_member(call: &Call, id: &str, member: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_GROUP_MEMBERS)?;
    let now = call.now();
    let mut dir = call.state.directory_mut();
    find(&dir, id)?;
    dir.remove_member(&id.to_ascii_lowercase(), &member.to_ascii_lowercase(), now)?;
    Ok(GraphResponse::no_content())
}
