//! `GET /auditLogs/provisioning` (graph-api.md §4): provisioningObjectSummary entries, newest
//! first, with `$filter` (eq, contains, gt, lt on activityDateTime, provisioningAction,
//! provisioningStatusInfo/status, sourceIdentity/id, targetIdentity/id, servicePrincipal/id,
//! jobId, cycleId, …), `$top`, `$orderby=activityDateTime [asc|desc]` and `$skiptoken` paging.
//! Identity reports allow 5 requests per 10 seconds per app and tenant (throttling limits doc).

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
            if !FILTERABLE.iter().any(|k| k.eq_ignore_ascii_case(p)) {
                return Err(GraphError::bad_request(format!(
                    "Invalid filter clause: the property '{p}' cannot be filtered on."
                )));
            }
        }
    }
    let ascending = match &call.query.orderby {
        None => false,
        Some(o) if o.property.eq_ignore_ascii_case("activityDateTime") => !o.descending,
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
    let canonical = |p: &str| {
        FILTERABLE
            .iter()
            .find(|k| k.eq_ignore_ascii_case(p))
            .copied()
            .unwrap_or(p)
            .to_string()
    };
    let mut items: Vec<(String, Value)> = prov
        .logs
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches(&|p| e.pointer(&format!("/{}", canonical(p)))))
        })
        .map(|(i, e)| {
            let key = if ascending {
                format!("{i:020}")
            } else {
                format!("{:020}", u64::MAX - i as u64)
            };
            (key, e.clone())
        })
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
