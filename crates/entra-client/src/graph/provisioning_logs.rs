//! Provisioning logs: `GET /auditLogs/provisioning` (graph-api.md §4).
//!
//! * Needs AuditLog.Read.All *and* Directory.Read.All, a reader role, and an Entra ID P1/P2
//!   tenant.
//! * Throttled at 5 requests / 10 s per app and tenant: pages are fetched at most one per 2 s.
//! * "The filters are all case sensitive" (graph-docs
//!   `api-reference/v1.0/api/provisioningobjectsummary-list.md`): property names are sent as
//!   the resource page spells them and values as Graph writes them (enum values lowercase,
//!   `success`, `disable`; ids as Graph returned them). Answers are parsed case-insensitively:
//!   enum values are capitalised in provisionOnDemand and in some examples (§9.2).
//! * The default order is not documented (graph-api.md §11.5): every request asks for
//!   `$orderby=activityDateTime desc`, and nothing here relies on the answer's order —
//!   [`Graph::recent_provisioning_logs`] checks it and sorts.
//! * `servicePrincipal` is documented as a collection but sent as an object (§9.10);
//!   `initiatedBy` has `initiatorType` or `initiatingType` depending on the example.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lenient::{lenient_enum, opt_datetime, opt_i64, opt_string, vec_skip_bad};
use super::odata;
use super::{ApiVersion, Graph};
use crate::error::Result;
use crate::permissions::Operation;

lenient_enum! {
    /// Outcome of a provisioning event or step.
    ProvisioningStatus {
        Success => "success",
        Warning => "warning",
        Failure => "failure",
        Skipped => "skipped",
        UnknownFutureValue => "unknownFutureValue",
    }
}

lenient_enum! {
    /// What the engine did to the target object.
    ProvisioningAction {
        Create => "create",
        Update => "update",
        Delete => "delete",
        Disable => "disable",
        StagedDelete => "stagedDelete",
        Other => "other",
        UnknownFutureValue => "unknownFutureValue",
    }
}

lenient_enum! {
    /// Step types of a provisioning event.
    StepType {
        Import => "import",
        Scoping => "scoping",
        Matching => "matching",
        Processing => "processing",
        ReferenceResolution => "referenceResolution",
        Export => "export",
        UnknownFutureValue => "unknownFutureValue",
    }
}

/// Pace between pages of the reports API.
pub const REPORTS_PAGE_PACE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub old_value: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub new_value: Option<String>,
}

/// One provisioning event (provisioningObjectSummary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningObjectSummary {
    #[serde(default)]
    pub id: String,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub activity_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub change_id: Option<String>,
    #[serde(default)]
    pub cycle_id: Option<String>,
    #[serde(default)]
    pub job_id: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub duration_in_milliseconds: Option<i64>,
    /// Beta's deprecated `action` is accepted as well.
    #[serde(default, alias = "action")]
    pub provisioning_action: Option<ProvisioningAction>,
    #[serde(default, alias = "statusInfo")]
    pub provisioning_status_info: Option<ProvisioningStatusInfo>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub provisioning_steps: Vec<ProvisioningStep>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub modified_properties: Vec<ModifiedProperty>,
    /// Object in practice, collection in the docs: both parse into a list.
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub service_principal: Vec<ProvisioningServicePrincipal>,
    #[serde(default)]
    pub source_identity: Option<ProvisionedIdentity>,
    #[serde(default)]
    pub target_identity: Option<ProvisionedIdentity>,
    #[serde(default)]
    pub source_system: Option<ProvisioningSystem>,
    #[serde(default)]
    pub target_system: Option<ProvisioningSystem>,
    #[serde(default)]
    pub initiated_by: Option<Initiator>,
}

impl ProvisioningObjectSummary {
    pub fn status(&self) -> Option<&ProvisioningStatus> {
        self.provisioning_status_info.as_ref()?.status.as_ref()
    }

    pub fn error(&self) -> Option<&ProvisioningErrorInfo> {
        self.provisioning_status_info
            .as_ref()?
            .error_information
            .as_ref()
    }

    pub fn service_principal_id(&self) -> Option<&str> {
        self.service_principal.first()?.id.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningStatusInfo {
    #[serde(default)]
    pub status: Option<ProvisioningStatus>,
    /// `errorInformation` (current) or `errorInfo` (older page).
    #[serde(default, alias = "errorInfo")]
    pub error_information: Option<ProvisioningErrorInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningErrorInfo {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub additional_details: Option<String>,
    #[serde(default)]
    pub error_category: Option<String>,
    #[serde(default)]
    pub recommended_action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningStep {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, alias = "type")]
    pub provisioning_step_type: Option<StepType>,
    #[serde(default)]
    pub status: Option<ProvisioningStatus>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub details: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningServicePrincipal {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionedIdentity {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, alias = "type")]
    pub identity_type: Option<String>,
    #[serde(default)]
    pub details: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningSystem {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, alias = "name")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub details: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Initiator {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    /// `initiatorType`, or `initiatingType` in one docs example (see [`Initiator::kind`]).
    #[serde(default)]
    pub initiator_type: Option<String>,
    /// The other spelling. A separate field rather than a serde alias: an answer carrying both
    /// spellings must still parse (an alias makes that a "duplicate field" error and loses the
    /// whole page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiating_type: Option<String>,
}

impl Initiator {
    /// `initiatorType`, falling back to `initiatingType`.
    pub fn kind(&self) -> Option<&str> {
        self.initiator_type
            .as_deref()
            .or(self.initiating_type.as_deref())
    }
}

/// Filters for the provisioning logs; all given filters must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProvisioningLogQuery {
    pub job_id: Option<String>,
    pub service_principal_id: Option<String>,
    /// The Entra object id of the user (source identity).
    pub source_identity_id: Option<String>,
    pub status: Option<ProvisioningStatus>,
    pub action: Option<ProvisioningAction>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Page size (`$top`).
    pub page_size: Option<u32>,
}

impl ProvisioningLogQuery {
    /// The `$filter` text, or `None` when there is nothing to filter on.
    pub fn filter(&self) -> Option<String> {
        let mut c = Vec::new();
        if let Some(v) = &self.job_id {
            c.push(odata::eq("jobId", v));
        }
        if let Some(v) = &self.service_principal_id {
            c.push(odata::eq("servicePrincipal/id", v));
        }
        if let Some(v) = &self.source_identity_id {
            c.push(odata::eq("sourceIdentity/id", v));
        }
        if let Some(v) = &self.status {
            c.push(odata::eq("provisioningStatusInfo/status", v.as_str()));
        }
        if let Some(v) = &self.action {
            c.push(odata::eq("provisioningAction", v.as_str()));
        }
        if let Some(v) = self.since {
            c.push(format!("activityDateTime gt {}", odata::datetime(v)));
        }
        if let Some(v) = self.until {
            c.push(format!("activityDateTime lt {}", odata::datetime(v)));
        }
        (!c.is_empty()).then(|| odata::and(&c))
    }
}

/// What every request asks for: the default order is not documented (graph-api.md §11.5).
pub const NEWEST_FIRST: &str = "activityDateTime desc";

/// Tells whether a sequence of entries has come newest first so far. An entry without a time
/// breaks the order: nothing can be concluded from where it stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderCheck {
    last: Option<DateTime<Utc>>,
    broken: bool,
}

impl OrderCheck {
    /// Takes the next entries in the order they came.
    pub fn observe<'a>(
        &mut self,
        entries: impl IntoIterator<Item = &'a ProvisioningObjectSummary>,
    ) {
        for entry in entries {
            match (entry.activity_date_time, self.last) {
                (None, _) => self.broken = true,
                (Some(at), Some(last)) if at > last => self.broken = true,
                (Some(at), _) => self.last = Some(at),
            }
        }
    }

    /// True while every entry seen was no newer than the one before it.
    pub fn newest_first(&self) -> bool {
        !self.broken
    }
}

/// Newest first; entries without a time last. Stable: ties keep the order they came in.
pub fn sort_newest_first(entries: &mut [ProvisioningObjectSummary]) {
    entries.sort_by_key(|e| std::cmp::Reverse(e.activity_date_time));
}

impl Graph {
    /// The matching events, asked for newest first (`$orderby=activityDateTime desc`) but
    /// streamed in the order Graph answers — callers must not rely on it (see
    /// [`OrderCheck`]) — paged slowly (reports throttling).
    pub fn provisioning_logs(
        &self,
        query: &ProvisioningLogQuery,
    ) -> impl Stream<Item = Result<ProvisioningObjectSummary>> + Send + 'static {
        let filter = query.filter();
        let top = query.page_size.unwrap_or(50).clamp(1, 500).to_string();
        let mut params = vec![("$top", top.as_str()), ("$orderby", NEWEST_FIRST)];
        if let Some(f) = &filter {
            params.push(("$filter", f));
        }
        let url = self.url(ApiVersion::V1, &["auditLogs", "provisioning"], &params);
        self.items(
            self.list_request(url, Operation::ReadProvisioningLogs),
            Some(REPORTS_PAGE_PACE),
        )
    }

    /// The `limit` newest events matching the query, newest first. Reading stops after `limit`
    /// entries only while the answer has come newest first as asked; a service that answers
    /// in another order is read to the end of the query (bound it with `since`) and the newest
    /// are chosen here.
    pub async fn recent_provisioning_logs(
        &self,
        query: &ProvisioningLogQuery,
        limit: usize,
    ) -> Result<Vec<ProvisioningObjectSummary>> {
        use futures::StreamExt;
        let mut entries = Vec::new();
        let mut order = OrderCheck::default();
        let mut stream = std::pin::pin!(self.provisioning_logs(query));
        while let Some(entry) = stream.next().await {
            let entry = entry?;
            order.observe([&entry]);
            entries.push(entry);
            if entries.len() >= limit && order.newest_first() {
                break;
            }
        }
        sort_newest_first(&mut entries);
        entries.truncate(limit);
        Ok(entries)
    }
}

#[cfg(test)]
mod initiator_tests {
    use super::*;

    #[test]
    fn both_spellings_of_the_initiator_type_parse() {
        let both: Initiator = serde_json::from_value(serde_json::json!({
            "id": "x", "initiatorType": "system", "initiatingType": "system"
        }))
        .unwrap();
        assert_eq!(both.kind(), Some("system"));
        let older: Initiator =
            serde_json::from_value(serde_json::json!({"initiatingType": "user"})).unwrap();
        assert_eq!(older.kind(), Some("user"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: &str, time: Option<&str>) -> ProvisioningObjectSummary {
        serde_json::from_value(serde_json::json!({"id": id, "activityDateTime": time})).unwrap()
    }

    #[test]
    fn the_order_check_notices_an_answer_that_is_not_newest_first() {
        let newest_first = [
            at("c", Some("2026-11-20T10:30:00Z")),
            at("b", Some("2026-11-20T10:30:00Z")),
            at("a", Some("2026-11-20T10:00:00Z")),
        ];
        let mut check = OrderCheck::default();
        check.observe(&newest_first);
        assert!(check.newest_first());
        check.observe([&at("d", Some("2026-11-20T11:00:00Z"))]);
        assert!(!check.newest_first(), "a newer entry after older ones");

        let mut undated = OrderCheck::default();
        undated.observe([&at("x", None)]);
        assert!(!undated.newest_first());

        let mut oldest_first = vec![
            newest_first[2].clone(),
            newest_first[0].clone(),
            at("z", None),
        ];
        sort_newest_first(&mut oldest_first);
        let ids: Vec<_> = oldest_first.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "z"]);
    }

    #[test]
    fn filters_are_escaped_and_combined() {
        let q = ProvisioningLogQuery {
            job_id: Some("scim.1".into()),
            source_identity_id: Some("o'x".into()),
            status: Some(ProvisioningStatus::Failure),
            since: Some(
                DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
                    .unwrap()
                    .with_timezone(&Utc),
            ),
            ..Default::default()
        };
        assert_eq!(
            q.filter().unwrap(),
            "jobId eq 'scim.1' and sourceIdentity/id eq 'o''x' and provisioningStatusInfo/status eq 'failure' and activityDateTime gt 2025-01-01T00:00:00Z"
        );
        assert!(ProvisioningLogQuery::default().filter().is_none());
    }

    #[test]
    fn casing_and_shape_differences_parse() {
        let e: ProvisioningObjectSummary = serde_json::from_value(serde_json::json!({
            "id": "x",
            "provisioningAction": "Disable",
            "provisioningStatusInfo": {"status": "Failure", "errorInfo": {"errorCode": "EntryConflict"}},
            "provisioningSteps": [{"name": "a", "provisioningStepType": "MATCHING", "status": "skipped"}],
            "servicePrincipal": [{"id": "sp1", "displayName": "App"}],
            "initiatedBy": {"initiatorType": "system"}
        }))
        .unwrap();
        assert_eq!(e.provisioning_action, Some(ProvisioningAction::Disable));
        assert_eq!(e.status(), Some(&ProvisioningStatus::Failure));
        assert_eq!(
            e.error().unwrap().error_code.as_deref(),
            Some("EntryConflict")
        );
        assert_eq!(
            e.provisioning_steps[0].provisioning_step_type,
            Some(StepType::Matching)
        );
        assert_eq!(e.service_principal_id(), Some("sp1"));
    }
}
