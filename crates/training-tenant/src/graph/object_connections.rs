//! `GET|DELETE /beta/servicePrincipals/{sp}/synchronization/jobs/{job}/objectConnections('{objectId}')`:
//! one object's stored link between the source object (the Entra user or group) and the target
//! object (the app's SCIM id), as entra-docs `docs/identity/app-provisioning/manage-object-connections.md`
//! (dated 09/2026) documents it:
//!
//! * beta only ("The object connections API is available only in the Microsoft Graph `beta`
//!   endpoint"): under `v1.0` the segment is unknown, answered as Graph answers any unknown segment;
//! * the id is looked up "first … as a source identifier. If no connection is found, the API
//!   searches for it as a target identifier";
//! * listing the collection is `400` ("The API doesn't support listing or filtering");
//! * not found is `404`; DELETE needs the job's `schedule.state` `Paused` or `Disabled`, else `409`;
//! * "DELETE is idempotent. If no connection contains the supplied identifier, the API also returns
//!   `204 No Content`";
//! * deleting "doesn't delete the source object or target object. It deletes only the provisioning
//!   service's stored association": the app and the directory are left alone; the next cycle (or a
//!   provision on demand) matches the object afresh by the matching attribute.
//!
//! The link store is the job's `links` (users) and `group_links` (groups).

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::synchronization::job_not_found;
use super::{auth, Call, GraphError, GraphResponse};
use crate::provisioning::Job;

/// The navigation property as the page spells it.
const SEGMENT: &str = "objectConnections";

/// One stored connection, whichever map holds it.
struct Connection {
    /// The source object's id (the key of the link).
    source: String,
    target: String,
    display_name: String,
    /// `objectTypeName`: "The object type, such as `user` or `group`" (lower case, as the page's
    /// example answers `"user"`).
    object_type: &'static str,
}

pub fn handle(
    call: &Call,
    sp_id: &str,
    job_id: &str,
    segment: &str,
) -> Result<GraphResponse, GraphError> {
    let method = &call.req.method;
    if !call.req.version.eq_ignore_ascii_case("beta") {
        return Err(GraphError::no_route(method.as_str(), SEGMENT));
    }
    if *method != Method::GET && *method != Method::DELETE {
        return Err(GraphError::method_not_allowed());
    }
    let need = if *method == Method::GET {
        &auth::READ_OBJECT_CONNECTIONS
    } else {
        &auth::DELETE_OBJECT_CONNECTIONS
    };
    call.caller.require(need)?;
    let object_id = key_of(segment)?;
    let mut prov = call.state.provisioning();
    let job = prov
        .jobs
        .get_mut(job_id)
        .filter(|j| j.service_principal_id == sp_id)
        .ok_or_else(|| job_not_found(job_id))?;
    if *method == Method::GET {
        let found = find(job, &object_id).ok_or_else(|| not_found(&object_id))?;
        Ok(GraphResponse::ok(json!({
            "@odata.context": call.context("objectConnection/$entity"),
            "objectId": object_id,
            "sourceAnchor": found.source,
            "targetAnchor": found.target,
            "displayName": found.display_name,
            "objectTypeName": found.object_type,
        })))
    } else {
        // "The synchronization job must be paused or disabled before you delete an object
        // connection. A DELETE request for an active job returns `409 Conflict`." The state is
        // checked before the connection is looked up, so an active job answers 409 even for an
        // id with nothing stored. The page does not say whether a pause must have "completed":
        // here pausing is immediate (cycles are atomic), and a quarantined job is not paused.
        if !job.paused {
            return Err(job_active(job_id));
        }
        if let Some(found) = find(job, &object_id) {
            forget(job, &found);
        }
        Ok(GraphResponse::no_content())
    }
}

/// The key of `objectConnections('{objectId}')`, already percent-decoded (so `%27` quotes are
/// accepted). OData doubles a quote inside a string literal (`''`). Bare `objectConnections` is
/// the collection, which cannot be listed; an empty or unquoted key is an invalid identifier
/// (both `400 Bad Request` on the page). Only the documented parenthesised form is served.
fn key_of(segment: &str) -> Result<String, GraphError> {
    let rest = segment.get(SEGMENT.len()..).unwrap_or_default();
    if rest.is_empty() {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Listing object connections is not supported. Supply a known source or target identifier: objectConnections('{objectId}').",
        ));
    }
    let inner = rest
        .strip_prefix("('")
        .and_then(|r| r.strip_suffix("')"))
        .filter(|k| !k.is_empty())
        .ok_or_else(|| invalid_identifier(rest))?;
    let unquoted = inner.replace("''", "'");
    if unquoted.contains('\'') || unquoted.chars().any(char::is_control) {
        return Err(invalid_identifier(rest));
    }
    Ok(unquoted)
}

/// Source first (Entra object ids are GUIDs: compared without case), then target (SCIM ids are
/// case-exact, RFC 7643 §3.1). The page does not say what happens when several connections hold
/// the same target identifier (two people linked to one app account); the first in the store's
/// order is answered and only that one is deleted.
fn find(job: &Job, id: &str) -> Option<Connection> {
    let source = id.to_ascii_lowercase();
    let user = |(k, l): (&String, &crate::provisioning::job::Link)| Connection {
        source: k.clone(),
        target: l.target_id.clone(),
        display_name: l.display_name.clone(),
        object_type: "user",
    };
    let group = |(k, g): (&String, &crate::provisioning::job::GroupLink)| Connection {
        source: k.clone(),
        target: g.target_id.clone(),
        display_name: g.display_name.clone(),
        object_type: "group",
    };
    job.links
        .get_key_value(&source)
        .map(user)
        .or_else(|| job.group_links.get_key_value(&source).map(group))
        .or_else(|| job.links.iter().find(|(_, l)| l.target_id == id).map(user))
        .or_else(|| {
            job.group_links
                .iter()
                .find(|(_, g)| g.target_id == id)
                .map(group)
        })
}

/// Removes that one link; nothing is sent to the app and nothing changes in Entra. The next cycle
/// evaluates the object again ([`Job::rematch`]).
fn forget(job: &mut Job, c: &Connection) {
    if c.object_type == "group" {
        job.group_links.remove(&c.source);
    } else {
        job.links.remove(&c.source);
    }
    job.rematch.insert(c.source.clone());
}

fn not_found(id: &str) -> GraphError {
    // The page gives only the status; the code is Graph's usual one for a missing resource —
    // the same as for a missing job (also 404 on the page), so only the message tells them apart.
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("No object connection of this synchronization job contains the identifier '{id}'."),
    )
}

fn job_active(job_id: &str) -> GraphError {
    // The page documents the status only; "Conflict" is Graph's generic code for a 409.
    GraphError::new(
        StatusCode::CONFLICT,
        "Conflict",
        format!(
            "The synchronization job '{job_id}' is active. Pause or disable the job and try again."
        ),
    )
}

fn invalid_identifier(key: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("The object connection identifier {key} is invalid: supply it as objectConnections('{{objectId}}')."),
    )
}
