//! Provisioning (synchronization) jobs: list, get, start, pause, restart, provision on demand,
//! schema (attribute mappings) get/put, parseExpression, templates (graph-api.md §3).
//!
//! The path segment is the service principal's **object id** (§9.14). Job ids are opaque.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::lenient::{
    bool_or_false, lenient_enum, opt_bool, opt_datetime, opt_i64, opt_string, parse_iso_duration,
    vec_skip_bad,
};
use super::provisioning_logs::{ModifiedProperty, ProvisioningStatus, StepType};
use super::{ApiVersion, Graph, GraphRequest};
use crate::error::{Error, Result};
use crate::permissions::Operation;

lenient_enum! {
    /// `synchronizationStatus.code`.
    JobStatusCode {
        NotConfigured => "NotConfigured",
        NotRun => "NotRun",
        Active => "Active",
        Paused => "Paused",
        Quarantine => "Quarantine",
    }
}

lenient_enum! {
    /// `synchronizationSchedule.state`.
    ScheduleState { Active => "Active", Disabled => "Disabled", Paused => "Paused" }
}

lenient_enum! {
    /// `synchronizationTaskExecution.state`.
    ExecutionState { Succeeded => "Succeeded", Failed => "Failed", EntryLevelErrors => "EntryLevelErrors" }
}

lenient_enum! {
    /// `quarantineReason`. The Entra docs spell one "QuarantineOnDemand"; the enum is
    /// `QuarantinedOnDemand` (§9.13) — both parse.
    QuarantineReason {
        EncounteredBaseEscrowThreshold => "EncounteredBaseEscrowThreshold",
        EncounteredTotalEscrowThreshold => "EncounteredTotalEscrowThreshold",
        EncounteredEscrowProportionThreshold => "EncounteredEscrowProportionThreshold",
        EncounteredQuarantineException => "EncounteredQuarantineException",
        Unknown => "Unknown",
        QuarantinedOnDemand => "QuarantinedOnDemand",
        TooManyDeletes => "TooManyDeletes",
        IngestionInterrupted => "IngestionInterrupted",
    }
}

/// A provisioning job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationJob {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub template_id: Option<String>,
    #[serde(default)]
    pub schedule: Option<SynchronizationSchedule>,
    #[serde(default)]
    pub status: Option<SynchronizationStatus>,
    /// Values are strings even for numbers (`"500"`) (§9.4).
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub synchronization_job_settings: Vec<KeyValuePair>,
}

impl SynchronizationJob {
    pub fn status_code(&self) -> JobStatusCode {
        self.status
            .as_ref()
            .map(|s| s.code.clone())
            .unwrap_or(JobStatusCode::Unrecognized(String::new()))
    }

    pub fn is_quarantined(&self) -> bool {
        self.status_code() == JobStatusCode::Quarantine
            || self
                .status
                .as_ref()
                .and_then(|s| s.quarantine.as_ref())
                .is_some_and(|q| q.is_present())
    }

    /// The cycle interval; `None` for a paused/never-scheduled job (TimeSpan.MaxValue).
    pub fn cycle_interval(&self) -> Option<Duration> {
        self.schedule
            .as_ref()?
            .interval
            .as_deref()
            .and_then(parse_iso_duration)
    }

    /// When the next cycle is roughly due: last execution start (or end) + interval.
    pub fn next_cycle_due(&self) -> Option<DateTime<Utc>> {
        let interval = chrono::Duration::from_std(self.cycle_interval()?).ok()?;
        let last = self.status.as_ref()?.last_execution.as_ref()?;
        Some(last.time_began.or(last.time_ended)? + interval)
    }

    pub fn setting(&self, name: &str) -> Option<&str> {
        self.synchronization_job_settings
            .iter()
            .find(|kv| kv.name.eq_ignore_ascii_case(name))
            .and_then(|kv| kv.value.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyValuePair {
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationSchedule {
    #[serde(default, deserialize_with = "opt_datetime")]
    pub expiration: Option<DateTime<Utc>>,
    /// ISO-8601 duration, e.g. `PT40M`.
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default = "unknown_schedule")]
    pub state: ScheduleState,
}

fn unknown_schedule() -> ScheduleState {
    ScheduleState::Unrecognized(String::new())
}

fn unknown_code() -> JobStatusCode {
    JobStatusCode::Unrecognized(String::new())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationStatus {
    #[serde(default = "unknown_code")]
    pub code: JobStatusCode,
    #[serde(default, deserialize_with = "opt_i64")]
    pub count_successive_complete_failures: Option<i64>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub escrows_pruned: Option<bool>,
    #[serde(default)]
    pub last_execution: Option<TaskExecution>,
    #[serde(default)]
    pub last_successful_execution: Option<TaskExecution>,
    #[serde(default)]
    pub last_successful_execution_with_exports: Option<TaskExecution>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub progress: Vec<SynchronizationProgress>,
    #[serde(default)]
    pub quarantine: Option<SynchronizationQuarantine>,
    /// `0001-01-01T00:00:00Z` = never (§9.3).
    #[serde(default, deserialize_with = "opt_datetime")]
    pub steady_state_first_achieved_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub steady_state_last_achieved_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub synchronized_entry_count_by_type: Vec<StringKeyLongValuePair>,
    #[serde(default)]
    pub troubleshooting_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskExecution {
    #[serde(default)]
    pub activity_identifier: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub count_entitled: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub count_escrowed: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub count_exported: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub count_imported: Option<i64>,
    #[serde(default)]
    pub error: Option<SynchronizationError>,
    #[serde(default)]
    pub state: Option<ExecutionState>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub time_began: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub time_ended: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationProgress {
    #[serde(default, deserialize_with = "opt_i64")]
    pub completed_units: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_units: Option<i64>,
    #[serde(default)]
    pub units: Option<String>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub progress_observation_date_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringKeyLongValuePair {
    #[serde(default)]
    pub key: String,
    #[serde(default, deserialize_with = "opt_i64")]
    pub value: Option<i64>,
}

/// The docs' own example sends `""` for every timestamp and the reason (§3.1 DISCREPANCY).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationQuarantine {
    #[serde(default, deserialize_with = "opt_datetime")]
    pub current_began: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub next_attempt: Option<DateTime<Utc>>,
    #[serde(default)]
    reason: Option<QuarantineReason>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub series_began: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub series_count: Option<i64>,
    #[serde(default)]
    pub error: Option<SynchronizationError>,
}

impl SynchronizationQuarantine {
    /// The reason, `None` when Graph sent `""` or nothing.
    pub fn reason(&self) -> Option<QuarantineReason> {
        match &self.reason {
            Some(QuarantineReason::Unrecognized(s)) if s.is_empty() => None,
            Some(QuarantineReason::Unrecognized(s))
                if s.eq_ignore_ascii_case("QuarantineOnDemand") =>
            {
                Some(QuarantineReason::QuarantinedOnDemand)
            }
            r => r.clone(),
        }
    }

    fn is_present(&self) -> bool {
        self.reason().is_some() || self.error.is_some() || self.series_count.unwrap_or(0) > 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub tenant_actionable: Option<bool>,
}

/// `synchronizationJobRestartScope` flags ("synchronizationJobRestartCriteria", graph-docs
/// `api-reference/v1.0/resources/synchronization-synchronizationjobrestartcriteria.md`). The bit
/// values are Graph's own (msgraph-metadata CSDL, graph-api.md §11.1): ConnectorDataStore=1,
/// Escrows=2, Watermark=4, QuarantineState=8, Full=15 (the four before it), ForceDeletes=32 — so
/// `Full` does **not** force held-back deletions. Sent as a comma-separated string of PascalCase
/// names in documented order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ResetScope(u8);

impl ResetScope {
    /// Docs: "Clears the underlying cache for all users. DO NOT USE. Contact Microsoft Support."
    pub const CONNECTOR_DATA_STORE: ResetScope = ResetScope(1);
    /// "Clearing escrows will stop the service from retrying failures."
    pub const ESCROWS: ResetScope = ResetScope(1 << 1);
    /// "Re-evaluate all the users again, rather than just processing changes."
    pub const WATERMARK: ResetScope = ResetScope(1 << 2);
    /// "Temporarily lifts the quarantine."
    pub const QUARANTINE_STATE: ResetScope = ResetScope(1 << 3);
    /// "All of the options": ConnectorDataStore, Escrows, Watermark and QuarantineState. Clearing
    /// the connector data store is what breaks the links between source and target objects.
    /// Not ForceDeletes.
    pub const FULL: ResetScope = ResetScope(0b1111);
    /// "Forces the system to delete the pending deleted users when using the accidental
    /// deletions prevention feature and the deletion threshold is exceeded" ("Allow deletes").
    pub const FORCE_DELETES: ResetScope = ResetScope(1 << 5);
    /// What the portal's "Restart provisioning" does, and what an empty scope means ("similar to
    /// setting the resetScope to include QuarantineState, Watermark, and Escrows"). Sent
    /// explicitly rather than as `""` (graph-api.md §3.6: whether an empty value is accepted
    /// everywhere is not documented).
    pub const PORTAL_RESTART: ResetScope = ResetScope((1 << 1) | (1 << 2) | (1 << 3));

    /// The single flags, in documented order (`Full` is written when all four of its flags are
    /// set).
    const NAMES: [(ResetScope, &'static str); 5] = [
        (Self::CONNECTOR_DATA_STORE, "ConnectorDataStore"),
        (Self::WATERMARK, "Watermark"),
        (Self::ESCROWS, "Escrows"),
        (Self::QUARANTINE_STATE, "QuarantineState"),
        (Self::FORCE_DELETES, "ForceDeletes"),
    ];

    pub const fn empty() -> Self {
        ResetScope(0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, other: ResetScope) -> bool {
        self.0 & other.0 == other.0
    }

    /// Names of the flags set, in documented order; `Full` stands for its four flags.
    pub fn names(self) -> Vec<&'static str> {
        let full = self.contains(Self::FULL);
        let mut names = Vec::new();
        if full {
            names.push("Full");
        }
        names.extend(
            Self::NAMES
                .iter()
                .filter(|(f, _)| self.contains(*f) && !(full && Self::FULL.contains(*f)))
                .map(|(_, n)| *n),
        );
        names
    }
}

impl BitOr for ResetScope {
    type Output = ResetScope;
    fn bitor(self, rhs: ResetScope) -> ResetScope {
        ResetScope(self.0 | rhs.0)
    }
}

impl BitOrAssign for ResetScope {
    fn bitor_assign(&mut self, rhs: ResetScope) {
        self.0 |= rhs.0;
    }
}

impl fmt::Display for ResetScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(", "))
    }
}

impl FromStr for ResetScope {
    type Err = String;
    /// Parses `"Watermark, Escrows, QuarantineState"` (case-insensitive; `None` is empty).
    fn from_str(s: &str) -> Result<Self, String> {
        let mut scope = ResetScope::empty();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("None") {
                continue;
            }
            let flag = if part.eq_ignore_ascii_case("Full") {
                Self::FULL
            } else {
                Self::NAMES
                    .iter()
                    .find(|(_, n)| n.eq_ignore_ascii_case(part))
                    .map(|(f, _)| *f)
                    .ok_or_else(|| format!("unknown reset scope \"{part}\""))?
            };
            scope |= flag;
        }
        Ok(scope)
    }
}

impl Serialize for ResetScope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ResetScope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Who to provision on demand: an Entra object and its type (`User`, `Group`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationJobSubject {
    pub object_id: String,
    pub object_type_name: String,
    /// For a group: up to 5 members (`links.members`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Value>,
}

impl SynchronizationJobSubject {
    pub fn user(object_id: &str) -> Self {
        Self {
            object_id: object_id.to_string(),
            object_type_name: "User".into(),
            links: None,
        }
    }
}

/// `key` of a provisionOnDemand answer (a JSON document inside a string, §9.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandResultKey {
    /// `Success`, `Skipped`, `Failure` … (capitalised here, lowercase in the logs, §9.2).
    #[serde(default = "unknown_status")]
    pub result: ProvisioningStatus,
    #[serde(default)]
    pub details: OnDemandDetails,
}

fn unknown_status() -> ProvisioningStatus {
    ProvisioningStatus::Unrecognized(String::new())
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandDetails {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `value` of a provisionOnDemand answer: what the engine did for this one object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandSummary {
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub change_id: Option<String>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub modified_properties: Vec<ModifiedProperty>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub provisioning_steps: Vec<OnDemandStep>,
    #[serde(default)]
    pub reportable_identifier: Option<String>,
    #[serde(default)]
    pub status_info: Option<OnDemandStatusInfo>,
    #[serde(default)]
    pub source_identity: Option<Value>,
    #[serde(default)]
    pub source_system: Option<Value>,
    #[serde(default)]
    pub target_identity: Option<Value>,
    #[serde(default)]
    pub target_system: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandStep {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type", alias = "provisioningStepType")]
    pub step_type: Option<StepType>,
    #[serde(default)]
    pub status: Option<ProvisioningStatus>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub timestamp: Option<DateTime<Utc>>,
    #[serde(default)]
    pub details: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnDemandStatusInfo {
    #[serde(default)]
    pub status: Option<ProvisioningStatus>,
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

/// A provisionOnDemand answer, both halves parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionOnDemandResult {
    pub key: OnDemandResultKey,
    pub summary: OnDemandSummary,
}

impl ProvisionOnDemandResult {
    /// Parses the `stringKeyStringValuePair` answer. `key` and `value` are JSON documents
    /// encoded as strings; an object is accepted too in case that is ever fixed.
    pub fn from_answer(answer: &Value) -> std::result::Result<Self, String> {
        fn inner<T: serde::de::DeserializeOwned>(
            v: Option<&Value>,
            what: &str,
        ) -> std::result::Result<T, String> {
            let v = v.ok_or_else(|| format!("no `{what}`"))?;
            let parsed = match v {
                Value::String(s) => serde_json::from_str(s),
                other => serde_json::from_value(other.clone()),
            };
            parsed.map_err(|e| format!("`{what}` is not the documented JSON: {e}"))
        }
        Ok(Self {
            key: inner(answer.get("key"), "key")?,
            summary: inner(answer.get("value"), "value")?,
        })
    }
}

// --- schema ------------------------------------------------------------------------------------
// Schema types keep every property they don't model (`extra`) so that get → edit → put does not
// drop anything: the real document is "a few thousand lines of JSON".

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationSchema {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub directories: Vec<DirectoryDefinition>,
    #[serde(default)]
    pub synchronization_rules: Vec<SynchronizationRule>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub objects: Vec<ObjectDefinition>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub attributes: Vec<AttributeDefinition>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `String`, `Integer`, `Boolean` … (the docs' example writes `string`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub attribute_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationRule {
    /// The `ruleId` provisionOnDemand needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_directory_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_directory_name: Option<String>,
    #[serde(default)]
    pub object_mappings: Vec<ObjectMapping>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_bool"
    )]
    pub enabled: Option<bool>,
    /// Flags such as `"Add, Update, Delete"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_types: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_object_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_object_name: Option<String>,
    /// The scoping filter; `null` = no scoping filter.
    #[serde(default)]
    pub scope: Option<Value>,
    #[serde(default)]
    pub attribute_mappings: Vec<AttributeMapping>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ObjectMapping {
    /// The mapping whose target is `name` (case-insensitive).
    pub fn mapping_for(&self, target: &str) -> Option<&AttributeMapping> {
        self.attribute_mappings.iter().find(|m| {
            m.target_attribute_name
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(target))
        })
    }

    /// Matching attributes by precedence (1 first; 0 = not matching).
    pub fn matching_attributes(&self) -> Vec<&AttributeMapping> {
        let mut m: Vec<&AttributeMapping> = self
            .attribute_mappings
            .iter()
            .filter(|a| a.matching_priority.unwrap_or(0) > 0)
            .collect();
        m.sort_by_key(|a| a.matching_priority.unwrap_or(0));
        m
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeMapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_attribute_name: Option<String>,
    /// `None` (null) = constant/default-only mapping.
    #[serde(default)]
    pub source: Option<AttributeMappingSource>,
    #[serde(default)]
    pub default_value: Option<String>,
    /// `FlowWhenChanged` | `FlowAlways`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_behavior: Option<String>,
    /// `Always` | `ObjectAddOnly` ("only during creation") | …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_type: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_i64"
    )]
    pub matching_priority: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AttributeMapping {
    /// The expression text (`Not([IsSoftDeleted])`, `[mail]`, `"True"`), if there is a source.
    pub fn expression(&self) -> Option<&str> {
        self.source.as_ref()?.expression.as_deref()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeMappingSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub parameters: Vec<MappingSourceParameter>,
    /// `Attribute` | `Constant` | `Function`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MappingSourceParameter {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub value: Option<Box<AttributeMappingSource>>,
}

impl SynchronizationSchema {
    /// The object mappings from Entra users (source object `User`), enabled ones first.
    pub fn user_mappings(&self) -> Vec<(&SynchronizationRule, &ObjectMapping)> {
        let mut out: Vec<(&SynchronizationRule, &ObjectMapping)> = self
            .synchronization_rules
            .iter()
            .flat_map(|r| r.object_mappings.iter().map(move |m| (r, m)))
            .filter(|(_, m)| {
                m.source_object_name
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("User"))
            })
            .collect();
        out.sort_by_key(|(_, m)| !m.enabled.unwrap_or(true));
        out
    }

    /// The rule id to use for provisionOnDemand of users.
    pub fn user_rule_id(&self) -> Option<&str> {
        self.user_mappings()
            .first()
            .and_then(|(r, _)| r.id.as_deref())
    }
}

// --- parseExpression ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseExpressionRequest {
    pub expression: String,
    #[serde(default)]
    pub test_input_object: Option<ExpressionInputObject>,
    #[serde(default)]
    pub target_attribute_definition: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpressionInputObject {
    #[serde(default)]
    pub definition: Option<Value>,
    #[serde(default)]
    pub properties: Vec<StringKeyObjectValuePair>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StringKeyObjectValuePair {
    pub key: String,
    /// A string, or a collection (with a `value@odata.type` annotation kept in `extra`).
    #[serde(default)]
    pub value: Value,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseExpressionResponse {
    #[serde(default)]
    pub error: Option<Value>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub evaluation_result: Vec<String>,
    #[serde(default, deserialize_with = "bool_or_false")]
    pub evaluation_succeeded: bool,
    #[serde(default)]
    pub parsed_expression: Option<AttributeMappingSource>,
    #[serde(default, deserialize_with = "bool_or_false")]
    pub parsing_succeeded: bool,
}

/// A synchronization template (`GET …/synchronization/templates`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationTemplate {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub factory_tag: Option<String>,
    #[serde(default)]
    pub schema: Option<SynchronizationSchema>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SynchronizationTemplate {
    /// Whether the app's provisioning is authorized with OAuth: the template's `metadata`
    /// (a synchronizationMetadataEntry collection, graph-docs `resources/synchronization-
    /// synchronizationtemplate.md`) holds `IsOAuthEnabled` (a `synchronizationMetadata` key in
    /// msgraph-metadata) with a true value. The docs show no example value, so "true" is
    /// compared without case.
    pub fn connects_with_oauth(&self) -> bool {
        self.extra
            .get("metadata")
            .and_then(Value::as_array)
            .is_some_and(|entries| {
                entries.iter().any(|e| {
                    e.get("key")
                        .and_then(Value::as_str)
                        .is_some_and(|k| k.eq_ignore_ascii_case("IsOAuthEnabled"))
                        && e.get("value")
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
                })
            })
    }
}

impl Graph {
    fn job_url(&self, sp: &str, job: &str, tail: &[&str]) -> url::Url {
        let mut segments = vec!["servicePrincipals", sp, "synchronization", "jobs", job];
        segments.extend_from_slice(tail);
        self.url(ApiVersion::V1, &segments, &[])
    }

    /// `GET /servicePrincipals/{id}/synchronization/jobs`. A service principal can have several
    /// jobs. One without provisioning may answer an empty list or 404: both are "no jobs".
    pub async fn list_jobs(&self, service_principal_id: &str) -> Result<Vec<SynchronizationJob>> {
        let url = self.url(
            ApiVersion::V1,
            &[
                "servicePrincipals",
                service_principal_id,
                "synchronization",
                "jobs",
            ],
            &[],
        );
        match self
            .collect(self.list_request(url, Operation::ReadSynchronization), None)
            .await
        {
            Err(Error::NotFound { .. }) => Ok(Vec::new()),
            other => other,
        }
    }

    pub async fn get_job(
        &self,
        service_principal_id: &str,
        job_id: &str,
    ) -> Result<SynchronizationJob> {
        self.get_json(
            self.job_url(service_principal_id, job_id, &[]),
            Operation::ReadSynchronization,
        )
        .await
    }

    /// Resumes a paused job or clears quarantine. Microsoft: "use the start job only when the job
    /// is currently paused or in quarantine" — don't call it on a running job (§9.12).
    pub async fn start_job(&self, service_principal_id: &str, job_id: &str) -> Result<()> {
        let url = self.job_url(service_principal_id, job_id, &["start"]);
        self.send(GraphRequest::new(
            Method::POST,
            url,
            Operation::StartSynchronizationJob,
        ))
        .await?;
        Ok(())
    }

    /// Pauses; the current cycle runs to completion, state is kept.
    pub async fn pause_job(&self, service_principal_id: &str, job_id: &str) -> Result<()> {
        let url = self.job_url(service_principal_id, job_id, &["pause"]);
        self.send(GraphRequest::new(
            Method::POST,
            url,
            Operation::PauseSynchronizationJob,
        ))
        .await?;
        Ok(())
    }

    /// Restarts with the given scope (`{"criteria":{"resetScope":"…"}}`). Callers send the
    /// portal's restart as [`ResetScope::PORTAL_RESTART`] (the flags written out) rather than an
    /// empty scope. Only `Full` (its ConnectorDataStore) breaks the cached source↔target links
    /// (§9.11); only `ForceDeletes` lets held-back deletions through.
    pub async fn restart_job(
        &self,
        service_principal_id: &str,
        job_id: &str,
        scope: ResetScope,
    ) -> Result<()> {
        let url = self.job_url(service_principal_id, job_id, &["restart"]);
        let body = json!({ "criteria": { "resetScope": scope.to_string() } });
        self.send(
            GraphRequest::new(Method::POST, url, Operation::RestartSynchronizationJob).json(body),
        )
        .await?;
        Ok(())
    }

    /// Provisions the subjects now. Rate limit: 5 requests per 10 s (429 otherwise, retried by
    /// the transport). Users disabled or deleted in Entra are not processed on demand.
    pub async fn provision_on_demand(
        &self,
        service_principal_id: &str,
        job_id: &str,
        rule_id: &str,
        subjects: Vec<SynchronizationJobSubject>,
    ) -> Result<ProvisionOnDemandResult> {
        let url = self.job_url(service_principal_id, job_id, &["provisionOnDemand"]);
        let body = json!({ "parameters": [ { "subjects": subjects, "ruleId": rule_id } ] });
        let resp = self
            .send(GraphRequest::new(Method::POST, url, Operation::ProvisionOnDemand).json(body))
            .await?;
        let answer: Value = resp.json()?;
        ProvisionOnDemandResult::from_answer(&answer).map_err(|detail| Error::UnexpectedResponse {
            detail,
            ids: resp.ids.clone(),
        })
    }

    pub async fn get_schema(
        &self,
        service_principal_id: &str,
        job_id: &str,
    ) -> Result<SynchronizationSchema> {
        self.get_json(
            self.job_url(service_principal_id, job_id, &["schema"]),
            Operation::ReadSynchronization,
        )
        .await
    }

    /// Replaces the schema. Saving mappings triggers a full initial cycle of the job.
    pub async fn put_schema(
        &self,
        service_principal_id: &str,
        job_id: &str,
        schema: &SynchronizationSchema,
    ) -> Result<()> {
        let url = self.job_url(service_principal_id, job_id, &["schema"]);
        let body = serde_json::to_value(schema).map_err(|e| Error::UnexpectedResponse {
            detail: format!("schema could not be serialized: {e}"),
            ids: Default::default(),
        })?;
        self.send(
            GraphRequest::new(Method::PUT, url, Operation::UpdateSynchronizationSchema).json(body),
        )
        .await?;
        Ok(())
    }

    /// Parses (and with a test object, evaluates) a mapping expression on the job's schema.
    pub async fn parse_expression(
        &self,
        service_principal_id: &str,
        job_id: &str,
        request: &ParseExpressionRequest,
    ) -> Result<ParseExpressionResponse> {
        let url = self.job_url(service_principal_id, job_id, &["schema", "parseExpression"]);
        let body = serde_json::to_value(request).unwrap_or(Value::Null);
        // Parsing changes nothing: safe to send again after a lost answer.
        self.send_json(
            GraphRequest::new(Method::POST, url, Operation::ParseExpression)
                .json(body)
                .without_side_effects(),
        )
        .await
    }

    pub async fn list_templates(
        &self,
        service_principal_id: &str,
    ) -> Result<Vec<SynchronizationTemplate>> {
        let url = self.url(
            ApiVersion::V1,
            &[
                "servicePrincipals",
                service_principal_id,
                "synchronization",
                "templates",
            ],
            &[],
        );
        self.collect(self.list_request(url, Operation::ReadSynchronization), None)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_says_whether_it_connects_with_oauth() {
        let template = |metadata: Value| -> SynchronizationTemplate {
            serde_json::from_value(json!({"id": "slack", "metadata": metadata})).unwrap()
        };
        assert!(
            template(json!([{"key": "IsOAuthEnabled", "value": "True"}])).connects_with_oauth()
        );
        assert!(
            !template(json!([{"key": "IsOAuthEnabled", "value": "false"}])).connects_with_oauth()
        );
        assert!(!template(json!([])).connects_with_oauth());
        assert!(!template(json!(null)).connects_with_oauth());
    }

    #[test]
    fn reset_scope_formats_in_documented_order_and_parses_back() {
        let s = ResetScope::PORTAL_RESTART;
        assert_eq!(s.to_string(), "Watermark, Escrows, QuarantineState");
        assert_eq!(
            "Watermark, Escrows, QuarantineState"
                .parse::<ResetScope>()
                .unwrap(),
            s
        );
        assert_eq!("full".parse::<ResetScope>().unwrap(), ResetScope::FULL);
        assert_eq!("".parse::<ResetScope>().unwrap(), ResetScope::empty());
        assert_eq!("None".parse::<ResetScope>().unwrap(), ResetScope::empty());
        assert!("Everything".parse::<ResetScope>().is_err());
        // Full is the four flags, not ForceDeletes (CSDL: Full=15, ForceDeletes=32).
        assert_eq!(ResetScope::FULL.to_string(), "Full");
        assert!(ResetScope::FULL.contains(ResetScope::CONNECTOR_DATA_STORE | s));
        assert!(!ResetScope::FULL.contains(ResetScope::FORCE_DELETES));
        assert_eq!(
            (ResetScope::FULL | ResetScope::FORCE_DELETES).to_string(),
            "Full, ForceDeletes"
        );
        assert_eq!(
            "ConnectorDataStore, Escrows, Watermark, QuarantineState"
                .parse::<ResetScope>()
                .unwrap(),
            ResetScope::FULL
        );
        let q = ResetScope::QUARANTINE_STATE | ResetScope::FORCE_DELETES;
        assert!(q.contains(ResetScope::FORCE_DELETES));
        assert_eq!(
            serde_json::to_string(&q).unwrap(),
            "\"QuarantineState, ForceDeletes\""
        );
    }

    #[test]
    fn next_cycle_from_interval() {
        let job: SynchronizationJob = serde_json::from_value(json!({
            "id": "scim.1",
            "schedule": {"interval": "PT40M", "state": "Active", "expiration": null},
            "status": {"code": "Active", "lastExecution": {"timeBegan": "2025-01-01T10:00:00Z", "state": "Succeeded"}}
        }))
        .unwrap();
        assert_eq!(job.cycle_interval(), Some(Duration::from_secs(2400)));
        assert_eq!(
            job.next_cycle_due().unwrap().to_rfc3339(),
            "2025-01-01T10:40:00+00:00"
        );
        assert!(!job.is_quarantined());
    }
}
