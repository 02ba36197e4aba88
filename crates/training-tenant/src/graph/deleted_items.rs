//! `/directory/deletedItems`: soft-deleted users (graph-api.md §6). Listing needs the OData cast
//! `microsoft.graph.user` (the `graph.user` spelling is accepted too, as Graph does); get,
//! restore and permanent delete address the item by id.

use axum::http::Method;
use serde_json::{json, Map, Value};

use super::auth;
use super::query::paginate;
use super::user_properties::DOCUMENTED;
use super::users::{user_json, FILTERABLE};
use super::{Call, GraphError, GraphResponse};
use crate::state::directory::User;

fn is_user_cast(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("microsoft.graph.user")
        || segment.eq_ignore_ascii_case("graph.user")
}

pub fn handle(call: &Call) -> Result<GraphResponse, GraphError> {
    let segs = &call.segments;
    let method = &call.req.method;
    if segs.len() < 2 || !segs[1].eq_ignore_ascii_case("deletedItems") {
        return Err(GraphError::no_route(
            method.as_str(),
            segs.get(1).map(String::as_str).unwrap_or("directory"),
        ));
    }
    match &segs[2..] {
        [] => Err(GraphError::bad_request(
            "Unsupported request: the type of the deleted items must be given, for example /directory/deletedItems/microsoft.graph.user.",
        )),
        [cast] if is_user_cast(cast) && *method == Method::GET => list(call),
        [cast] if cast.to_ascii_lowercase().starts_with("microsoft.graph.") => Err(GraphError::bad_request(format!(
            "The training tenant keeps deleted users only; '{cast}' is not supported."
        ))),
        [cast, id] if is_user_cast(cast) && *method == Method::GET => get(call, id),
        [id] => match *method {
            Method::GET => get(call, id),
            Method::DELETE => permanently_delete(call, id),
            _ => Err(GraphError::method_not_allowed()),
        },
        [id, action] if action.eq_ignore_ascii_case("restore") || action.eq_ignore_ascii_case("microsoft.graph.restore") => {
            if *method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            restore(call, id)
        }
        [_, other, ..] => Err(GraphError::no_route(method.as_str(), other)),
    }
}

/// A deleted user as a directoryObject: user properties plus `@odata.type` and `deletedDateTime`.
fn deleted_json(user: &User, select: Option<&[String]>) -> Value {
    let mut m = Map::new();
    m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    m.extend(user_json(user, select));
    if select.is_none() {
        m.insert(
            "deletedDateTime".into(),
            user.props
                .get("deletedDateTime")
                .cloned()
                .unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

fn list(call: &Call) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_USERS)?;
    let q = &call.query;
    q.check_select("Microsoft.DirectoryServices.User", DOCUMENTED)?;
    let advanced = q.advanced(call.req.consistency_eventual());
    q.check_filter("User", FILTERABLE, advanced)?;
    super::users::check_collections(q, "User")?;
    q.check_orderby("User", &[], advanced)?;
    q.check_search(&[], call.req.consistency_eventual())?;
    let dir = call.state.directory();
    let matching: Vec<(String, &User)> = dir
        .deleted_users
        .iter()
        .filter(|(_, u)| {
            q.filter
                .as_ref()
                .is_none_or(|f| f.matches(&|p| super::users::property(u, p)))
        })
        .map(|(k, u)| (k.clone(), u))
        .collect();
    let total = matching.len();
    let page = paginate(matching, q)?;
    let mut body = json!({ "@odata.context": call.collection_context("directoryObjects") });
    if advanced && q.skiptoken.is_none() {
        body["@odata.count"] = json!(total);
    }
    if let Some(t) = &page.next_skiptoken {
        body["@odata.nextLink"] = json!(call.next_link(t));
    }
    body["value"] = Value::Array(
        page.items
            .into_iter()
            .map(|u| deleted_json(u, q.select.as_deref()))
            .collect(),
    );
    Ok(GraphResponse::ok(body))
}

fn with_context(call: &Call, item: Value) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        json!(call.context("directoryObjects/$entity")),
    );
    if let Value::Object(o) = item {
        m.extend(o);
    }
    Value::Object(m)
}

fn get(call: &Call, id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_USERS)?;
    call.query
        .check_select("Microsoft.DirectoryServices.User", DOCUMENTED)?;
    let dir = call.state.directory();
    let user = dir
        .deleted_users
        .get(&id.to_ascii_lowercase())
        .ok_or_else(|| GraphError::not_found(id))?;
    Ok(GraphResponse::ok(with_context(
        call,
        deleted_json(user, call.query.select.as_deref()),
    )))
}

/// 200 with the restored object (restore doc; fixture `directory-deleteditems-restore`).
fn restore(call: &Call, id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::RESTORE_USER)?;
    let now = call.now();
    let mut dir = call.state.directory_mut();
    let key = id.to_ascii_lowercase();
    let user = dir
        .deleted_users
        .get(&key)
        .ok_or_else(|| GraphError::not_found(id))?;
    call.caller.require_tenant_wide(&auth::RESTORE_USER)?;
    call.caller.require_can_manage(&user.directory_roles)?;
    let restored = dir.restore_user(&key, now)?;
    let mut item = Map::new();
    item.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    item.extend(user_json(restored, None));
    Ok(GraphResponse::ok(with_context(call, Value::Object(item))))
}

fn permanently_delete(call: &Call, id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::DELETE_USER)?;
    let now = call.now();
    let mut dir = call.state.directory_mut();
    let key = id.to_ascii_lowercase();
    let user = dir
        .deleted_users
        .get(&key)
        .ok_or_else(|| GraphError::not_found(id))?;
    call.caller.require_tenant_wide(&auth::DELETE_USER)?;
    call.caller.require_can_manage(&user.directory_roles)?;
    dir.hard_delete_user(&key, now)?;
    Ok(GraphResponse::no_content())
}
