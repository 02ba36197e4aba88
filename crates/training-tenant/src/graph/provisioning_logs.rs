//! `GET /auditLogs/provisioning` (graph-api.md §4, §11.5): provisioningObjectSummary entries with
//! `$filter` (eq, contains, gt, lt on activityDateTime, provisioningAction,
//! provisioningStatusInfo/status, sourceIdentity/id, targetIdentity/id, servicePrincipal/id,
//! jobId, cycleId, …), `$top`, `$orderby=activityDateTime [asc|desc]` and `$skiptoken` paging.
//! Identity reports allow 5 requests per 10 seconds per app and tenant (throttling limits doc).
//!
//! Read the way that breaks a naive client wherever Microsoft leaves it open
//! (graph-docs `api-reference/v1.0/api/provisioningobjectsummary-list.md`):
//! * The order without `$orderby` is not documented. Here it is oldest first (the order the
//!   entries were written), so a client that takes the first page for the newest entries reads
//!   the oldest ones. A client that wants the newest asks for `$orderby=activityDateTime desc`.
//! * "The filters are all case sensitive." Property names in `$filter` and `$orderby` must be
//!   spelled as the schema spells them (`JobId` is refused with 400, as OData refuses an unknown
//!   property), and string values compare exactly (`provisioningAction eq 'Disable'` matches
//!   nothing: the values are `disable`, … as the resource page lists them). Unquoted GUIDs
//!   compare without case, as everywhere in Graph.

use axum::http::Method;
use serde_json::{json, Value};

use super::query::paginate;
use super::{auth, Call, GraphError, GraphResponse};
use crate::provisioning::rate_limit;

const FILTERABLE: &[&str] = &[
    "id",
    "activityDateTime",
    "changeId",
    "cycleId",
    "jobId",
    "provisioningAction",
    "provisioningStatusInfo/status",
    "sourceIdentity/id",
    "sourceIdentity/displayName",
    "sourceIdentity/identityType",
    "targetIdentity/id",
    "targetIdentity/displayName",
    "targetIdentity/identityType",
    "servicePrincipal/id",
    "servicePrincipal/displayName",
    "initiatedBy/id",
    "initiatedBy/displayName",
];

/// The order of an answer; each gives every entry a key that sorts ascending in that order
/// (what [`paginate`] pages on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Also the answer without `$orderby` (see the module comment).
    OldestFirst,
    NewestFirst,
}

impl Order {
    /// `index` is the entry's place in the log (in the order written): ties in time keep it.
    fn key(self, index: usize, entry: &Value) -> String {
        let micros = entry["activityDateTime"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or(0, |t| t.timestamp_micros().max(0) as u64);
        let index = index as u64;
        match self {
            Order::OldestFirst => format!("{micros:020}{index:020}"),
            Order::NewestFirst => format!("{:020}{:020}", u64::MAX - micros, u64::MAX - index),
        }
    }
}

/// OData's answer for a property the type does not have, which is what a wrongly cased name is
/// to a case-sensitive filter.
fn unknown_property(name: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Could not find a property named '{name}' on type 'microsoft.graph.provisioningObjectSummary'."
    ))
}

pub fn handle(call: &Call) -> Result<GraphResponse, GraphError> {
    let segs: Vec<String> = call
        .segments
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    if segs.len() != 2 || segs[1] != "provisioning" {
        return Err(GraphError::no_route(
            call.req.method.as_str(),
            segs.get(1).map(String::as_str).unwrap_or("auditLogs"),
        ));
    }
    if call.req.method != Method::GET {
        return Err(GraphError::method_not_allowed());
    }
    call.caller.require(&auth::READ_PROVISIONING_LOGS)?;
    if !call.caller.claims.is_app_only()
        && !call
            .caller
            .has_permission(&["Directory.Read.All", "Directory.ReadWrite.All"])
    {
        return Err(GraphError::denied());
    }
    // Parsed in the reports dialect (gt/lt/contains) by the router.
    let filter = call.query.filter.clone();
    if let Some(f) = &filter {
        for p in f.properties() {
            if FILTERABLE.contains(&p) {
                continue;
            }
            if FILTERABLE.iter().any(|k| k.eq_ignore_ascii_case(p)) {
                return Err(unknown_property(p));
            }
            return Err(GraphError::bad_request(format!(
                "Invalid filter clause: the property '{p}' cannot be filtered on."
            )));
        }
    }
    let order = match &call.query.orderby {
        None => Order::OldestFirst,
        Some(o) if o.property == "activityDateTime" && o.descending => Order::NewestFirst,
        Some(o) if o.property == "activityDateTime" => Order::OldestFirst,
        Some(o) if o.property.eq_ignore_ascii_case("activityDateTime") => {
            return Err(unknown_property(&o.property))
        }
        Some(o) => {
            return Err(GraphError::bad_request(format!(
                "Sorting by '{}' is not supported; use activityDateTime.",
                o.property
            )))
        }
    };
    let mut prov = call.state.provisioning();
    let bucket = prov
        .report_calls
        .entry(call.caller.app_id().to_string())
        .or_default();
    if let Err(retry) = rate_limit(bucket, 5) {
        return Err(GraphError::too_many_requests(retry));
    }
    let mut items: Vec<(String, Value)> = prov
        .logs
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches_case_sensitive(&|p| e.pointer(&format!("/{p}"))))
        })
        .map(|(i, e)| (order.key(i, e), e.clone()))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut q = call.query.clone();
    q.orderby = None;
    if q.top.is_none() {
        q.top = Some(50);
    }
    let page = paginate(items, &q)?;
    let mut body = json!({"@odata.context": call.context("auditLogs/provisioning")});
    if let Some(t) = &page.next_skiptoken {
        body["@odata.nextLink"] = json!(call.next_link(t));
    }
    body["value"] = Value::Array(page.items);
    Ok(GraphResponse::ok(body))
}
