//! Provisioning log entries (`provisioningObjectSummary`, Graph v1.0) in the shape of the
//! docs' examples: steps Import → Scoping → Matching → Processing → Export with their details;
//! and the provisionOnDemand answer, whose `key` and `value` are JSON documents encoded as
//! strings with PascalCase enum values (graph-api.md §3.7, §4).

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::state::directory::timestamp;

#[derive(Debug, Clone)]
pub struct Step {
    pub name: &'static str,
    /// import | scoping | matching | processing | export
    pub kind: &'static str,
    /// success | skipped | failure | warning
    pub status: &'static str,
    pub description: String,
    pub details: Map<String, Value>,
}

/// Everything one processed object contributes to the log.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub job_id: String,
    pub cycle_id: String,
    pub service_principal_id: String,
    pub app_display_name: String,
    /// The enterprise app's application (client) id.
    pub application_id: String,
    /// create | update | delete | disable | stagedDelete | other
    pub action: &'static str,
    /// success | failure | skipped | warning
    pub status: &'static str,
    pub error: Option<ErrorInfo>,
    /// `User` or `Group`.
    pub source_type: &'static str,
    pub source_id: String,
    pub source_display_name: String,
    pub reportable: String,
    pub target_id: Option<String>,
    pub steps: Vec<Step>,
    pub modified: Vec<(String, Option<String>, Option<String>)>,
    pub initiated_by: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: String,
    pub reason: String,
    pub category: &'static str,
    pub recommended_action: Option<String>,
}

/// A version-4 UUID from the thread's generator: log ids need no system entropy, and one
/// `getrandom` call per id is measurable in a full cycle.
pub fn random_uuid() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

pub fn step(
    name: &'static str,
    kind: &'static str,
    status: &'static str,
    description: impl Into<String>,
    details: Value,
) -> Step {
    Step {
        name,
        kind,
        status,
        description: description.into(),
        details: details.as_object().cloned().unwrap_or_default(),
    }
}

impl Entry {
    /// The target object type of the app's schema for this entry's source type.
    fn target_type(&self) -> &'static str {
        if self.source_type == "Group" {
            super::schema::GROUP_TARGET_OBJECT
        } else {
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        }
    }

    /// The provisioningObjectSummary; consumes the entry so that its steps and texts move into
    /// the document instead of being copied (a full cycle logs one entry per user).
    pub fn into_summary(self, tenant_id: &str) -> Value {
        let target_type = self.target_type();
        let error = self.error.map(|e| {
            json!({
                "errorCode": e.code,
                "reason": e.reason,
                "additionalDetails": null,
                "errorCategory": e.category,
                "recommendedAction": e.recommended_action,
            })
        });
        let (initiator_id, initiator_name, initiator_type) = match self.initiated_by {
            Some((id, name)) => (id, name, "user"),
            None => (
                String::new(),
                "Azure AD Provisioning Service".to_string(),
                "system",
            ),
        };
        let duration = 120 + (self.steps.len() as i64) * 37;
        json!({
            "id": random_uuid(),
            "activityDateTime": timestamp(self.at),
            "tenantId": tenant_id,
            "jobId": self.job_id,
            "cycleId": self.cycle_id,
            "changeId": random_uuid(),
            "provisioningAction": self.action,
            "durationInMilliseconds": duration,
            "provisioningStatusInfo": {"status": self.status, "errorInformation": error},
            "provisioningSteps": self.steps.into_iter().map(|s| json!({
                "name": s.name,
                "provisioningStepType": s.kind,
                "status": s.status,
                "description": s.description,
                "details": s.details,
            })).collect::<Vec<_>>(),
            "modifiedProperties": self.modified.into_iter().map(|(n, o, v)| json!({"displayName": n, "oldValue": o, "newValue": v})).collect::<Vec<_>>(),
            "servicePrincipal": {"id": self.service_principal_id, "displayName": self.app_display_name},
            "sourceSystem": {"id": "66e4a8cc-1b7b-435e-95f8-f06cea133828", "displayName": "Azure Active Directory", "details": {}},
            "targetSystem": {"id": "8ffa6169-f354-4751-9b77-9c00765be92d", "displayName": self.app_display_name, "details": {
                "ApplicationId": self.application_id,
                "ServicePrincipalId": self.service_principal_id,
                "ServicePrincipalDisplayName": self.app_display_name,
            }},
            // The docs' two examples spell the type `initiatingType` and `initiatorType`; both
            // are sent so that clients written against either example read it.
            "initiatedBy": {"id": initiator_id, "displayName": initiator_name, "initiatorType": initiator_type, "initiatingType": initiator_type},
            "sourceIdentity": {"id": self.source_id, "displayName": self.source_display_name, "identityType": self.source_type, "details": {}},
            "targetIdentity": {"id": self.target_id.unwrap_or_default(), "displayName": self.reportable, "identityType": target_type, "details": {}},
        })
    }

    /// The provisionOnDemand answer: `stringKeyStringValuePair` with JSON-in-string `key` and
    /// `value`, PascalCase statuses and step types (graph-api.md §3.7).
    pub fn to_on_demand(&self, context: &str) -> Value {
        let pascal = |s: &str| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        let result = pascal(self.status);
        let details = match &self.error {
            Some(e) => json!({"errorCode": e.code, "errorMessage": e.reason}),
            None => json!({}),
        };
        let key = json!({"result": result, "details": details});
        let now = timestamp(self.at);
        let value = json!({
            "action": pascal(self.action),
            "changeId": random_uuid(),
            "startTime": now,
            "endTime": now,
            "modifiedProperties": self.modified.iter().map(|(n, o, v)| json!({"displayName": n, "oldValue": o, "newValue": v})).collect::<Vec<_>>(),
            "provisioningSteps": self.steps.iter().map(|s| json!({
                "name": s.name,
                "type": pascal(s.kind),
                "status": pascal(s.status),
                "description": s.description,
                "timestamp": now,
                "details": s.details,
            })).collect::<Vec<_>>(),
            "reportableIdentifier": self.reportable,
            "statusInfo": {
                "status": result,
                "errorCode": self.error.as_ref().map(|e| e.code.clone()),
                "reason": self.error.as_ref().map(|e| e.reason.clone()),
                "additionalDetails": null,
                "errorCategory": self.error.as_ref().map(|e| e.category),
                "recommendedAction": self.error.as_ref().and_then(|e| e.recommended_action.clone()),
            },
            "sourceIdentity": {"id": self.source_id, "type": self.source_type, "displayName": self.source_display_name, "details": null},
            "sourceSystem": {"id": null, "name": "Azure Active Directory", "details": null},
            "targetIdentity": {"id": self.target_id, "type": self.target_type(), "displayName": null, "details": null},
            "targetSystem": {"id": null, "name": self.app_display_name, "details": null},
        });
        json!({
            "@odata.context": context,
            "key": key.to_string(),
            "value": value.to_string(),
        })
    }
}
