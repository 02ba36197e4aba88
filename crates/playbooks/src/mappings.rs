//! Playbook 5 — inspect and lint an app's attribute mappings.
//!
//! The user mappings as a readable table (target ← source, matching precedence, when applied),
//! and findings modelled on Maester's: a stable id, severity, evidence, a fix — or "skipped
//! because …" when a check cannot run (a missing permission, or a setting Graph does not show).

use entra_client::graph::synchronization::{
    AttributeMapping, AttributeMappingSource, ObjectMapping, SynchronizationSchema,
};
use entra_client::Operation;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::Result;
use crate::find::{find_app, AppMatch};
use crate::plan::{CheckStatus, Finding, Severity};

/// One line of the mapping table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MappingRow {
    /// The app's attribute (`userName`, `active`, `emails[type eq "work"].value`).
    pub target: String,
    /// Where the value comes from: `[userPrincipalName]`, `Not([IsSoftDeleted])`, `"True"`.
    pub source: String,
    /// 1 = matched first; `None` = not used to match.
    pub matching_precedence: Option<i64>,
    /// "always" or "on create only".
    pub applied: String,
}

/// An app's user mappings and what the lint found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MappingReport {
    pub app: AppMatch,
    pub job_id: Option<String>,
    pub rows: Vec<MappingRow>,
    pub findings: Vec<Finding>,
}

/// Where the checks come from (for the "Why?" panel).
pub const SOURCE: &str =
    "How Application Provisioning works in Microsoft Entra ID (attribute mappings, matching)";

/// Why the checks are skipped when Entra answers 403: what it refused and the role to ask for
/// (the sign-in's roles are only a hint, so the refusal is where we learn it).
fn refused_because(error: &entra_client::Error) -> String {
    format!(
        "Entra refused to show the attribute mappings. {}",
        error.hint()
    )
}

/// Reads the app's schema and lints it. A missing permission gives every check "skipped".
pub async fn inspect(desk: &Desk, app: &str) -> Result<MappingReport> {
    let app = find_app(desk, app).await?;
    let skipped_all = |because: String| MappingReport {
        app: app.clone(),
        job_id: None,
        rows: Vec::new(),
        findings: skipped_findings(&because),
    };
    if let Err(because) = desk.signed_in().may(Operation::ReadSynchronization) {
        return Ok(skipped_all(because));
    }
    let jobs = match desk.graph().list_jobs(&app.service_principal_id).await {
        Ok(jobs) => jobs,
        Err(entra_client::Error::NotFound { .. }) => Vec::new(),
        Err(error @ entra_client::Error::Forbidden { .. }) => {
            return Ok(skipped_all(refused_because(&error)))
        }
        Err(error) => return Err(error.into()),
    };
    let Some(job) = jobs.first() else {
        return Ok(skipped_all(format!(
            "{} has no automatic account sync (provisioning job), so there are no mappings",
            app.display_name
        )));
    };
    let schema = match desk
        .graph()
        .get_schema(&app.service_principal_id, &job.id)
        .await
    {
        Ok(schema) => schema,
        Err(error @ entra_client::Error::Forbidden { .. }) => {
            return Ok(skipped_all(refused_because(&error)))
        }
        Err(error) => return Err(error.into()),
    };
    Ok(MappingReport {
        rows: table(&schema),
        findings: lint(&schema),
        job_id: Some(job.id.clone()),
        app,
    })
}

/// The user mapping (Entra `User` → the app's user), enabled first.
fn user_mapping(schema: &SynchronizationSchema) -> Option<&ObjectMapping> {
    schema.user_mappings().first().map(|(_, mapping)| *mapping)
}

/// The user mappings as a table.
pub fn table(schema: &SynchronizationSchema) -> Vec<MappingRow> {
    let Some(mapping) = user_mapping(schema) else {
        return Vec::new();
    };
    mapping
        .attribute_mappings
        .iter()
        .filter(|m| m.target_attribute_name.is_some())
        .map(|m| MappingRow {
            target: m.target_attribute_name.clone().unwrap_or_default(),
            source: describe_source(m),
            matching_precedence: m.matching_priority.filter(|p| *p > 0),
            applied: match m.flow_type.as_deref() {
                Some(t) if t.eq_ignore_ascii_case("ObjectAddOnly") => "on create only".into(),
                _ => "always".into(),
            },
        })
        .collect()
}

fn describe_source(mapping: &AttributeMapping) -> String {
    match &mapping.source {
        Some(source) => source
            .expression
            .clone()
            .or_else(|| source.name.clone().map(|n| format!("[{n}]")))
            .unwrap_or_else(|| "(empty)".into()),
        None => match &mapping.default_value {
            Some(value) => format!("\"{value}\" (default value only)"),
            None => "(nothing)".into(),
        },
    }
}

/// Whether a source expression uses the attribute `name` anywhere (`Switch([IsSoftDeleted], …)`).
fn uses_attribute(source: &AttributeMappingSource, name: &str) -> bool {
    let is_attribute = source
        .source_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Attribute"));
    if is_attribute
        && source
            .name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    {
        return true;
    }
    if source.expression.as_deref().is_some_and(|e| {
        e.to_lowercase()
            .contains(&format!("[{}]", name.to_lowercase()))
    }) {
        return true;
    }
    source
        .parameters
        .iter()
        .filter_map(|p| p.value.as_deref())
        .any(|value| uses_attribute(value, name))
}

fn is_constant(source: &AttributeMappingSource) -> bool {
    source
        .source_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Constant"))
}

/// Source attributes that change during a person's life or are not unique: poor matching keys
/// and poor userName sources.
const MUTABLE_ATTRIBUTES: [&str; 9] = [
    "displayName",
    "givenName",
    "surname",
    "mail",
    "jobTitle",
    "department",
    "companyName",
    "mailNickname",
    "proxyAddresses",
];

fn source_attribute(mapping: &AttributeMapping) -> Option<String> {
    let source = mapping.source.as_ref()?;
    let is_attribute = source
        .source_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Attribute"));
    is_attribute.then(|| source.name.clone()).flatten()
}

/// Lints the user mappings. Findings come in id order; every check appears once.
pub fn lint(schema: &SynchronizationSchema) -> Vec<Finding> {
    let Some(mapping) = user_mapping(schema) else {
        return skipped_findings("the schema has no mapping for users");
    };
    let mut findings = Vec::new();

    // PD-MAP-001: active from IsSoftDeleted.
    let active = mapping.mapping_for("active");
    let (status, evidence) = match active {
        None => (
            CheckStatus::Fail,
            vec!["No mapping targets the app's active attribute.".to_string()],
        ),
        Some(m) => match &m.source {
            Some(source) if uses_attribute(source, "IsSoftDeleted") => (
                CheckStatus::Pass,
                vec![format!("active ← {}", describe_source(m))],
            ),
            Some(source) if is_constant(source) => (
                CheckStatus::Fail,
                vec![format!("active ← {} (a constant)", describe_source(m))],
            ),
            _ => (
                CheckStatus::Fail,
                vec![format!(
                    "active ← {} (does not use IsSoftDeleted)",
                    describe_source(m)
                )],
            ),
        },
    };
    findings.push(Finding {
        id: "PD-MAP-001".into(),
        severity: Severity::High,
        title: "Turning off sign-in marks the app account inactive".into(),
        evidence,
        fix: "Map active from Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\") (Microsoft's default) or Not([IsSoftDeleted]). Without it, disabling or deleting a person changes nothing in the app.".into(),
        status,
    });

    // PD-MAP-002: matching on a mutable or non-unique attribute.
    let matching = mapping.matching_attributes();
    let risky: Vec<String> = matching
        .iter()
        .filter_map(|m| {
            let attribute = source_attribute(m)?;
            MUTABLE_ATTRIBUTES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&attribute))
                .then(|| {
                    format!(
                        "Matched on {} ← [{attribute}] (precedence {})",
                        m.target_attribute_name.as_deref().unwrap_or("?"),
                        m.matching_priority.unwrap_or(0)
                    )
                })
        })
        .collect();
    findings.push(Finding {
        id: "PD-MAP-002".into(),
        severity: Severity::Medium,
        title: "People are matched on an attribute that does not change".into(),
        evidence: if matching.is_empty() {
            vec!["No attribute is used for matching.".into()]
        } else if risky.is_empty() {
            matching
                .iter()
                .map(|m| format!("Matched on {} ← {}", m.target_attribute_name.as_deref().unwrap_or("?"), describe_source(m)))
                .collect()
        } else {
            risky.clone()
        },
        fix: "Match on userPrincipalName, objectId or employeeId (unique and stable); names and e-mail addresses change and repeat, which links the wrong account.".into(),
        status: if matching.is_empty() || !risky.is_empty() {
            CheckStatus::Fail
        } else {
            CheckStatus::Pass
        },
    });

    // PD-MAP-003: userName from something that can change.
    let user_name = mapping.mapping_for("userName");
    let (status, evidence) = match user_name {
        None => (
            CheckStatus::Fail,
            vec!["No mapping targets userName.".to_string()],
        ),
        Some(m) => {
            let mutable = source_attribute(m).is_some_and(|attribute| {
                MUTABLE_ATTRIBUTES
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&attribute))
            });
            (
                if mutable {
                    CheckStatus::Fail
                } else {
                    CheckStatus::Pass
                },
                vec![format!("userName ← {}", describe_source(m))],
            )
        }
    };
    findings.push(Finding {
        id: "PD-MAP-003".into(),
        severity: Severity::Medium,
        title: "The app's userName comes from a stable attribute".into(),
        evidence,
        fix: "Source userName from userPrincipalName (or a stable id); a name or e-mail that changes renames the account and can break matching and other integrations.".into(),
        status,
    });

    // PD-MAP-004: scope "sync all" — stored as a provisioning secret, not in the schema.
    findings.push(Finding {
        id: "PD-MAP-004".into(),
        severity: Severity::Low,
        title: "Only assigned people are synced".into(),
        evidence: Vec::new(),
        fix: "In the app's Provisioning settings, choose \"Sync only assigned users and groups\" unless every person in the tenant should have an account.".into(),
        status: CheckStatus::Skipped {
            because: "the scope setting is kept with the app's provisioning credentials (the SyncAll secret), which Microsoft Graph does not show in the schema; check it in the Entra admin center".into(),
        },
    });

    // PD-MAP-005: the user mapping is turned on.
    findings.push(Finding {
        id: "PD-MAP-005".into(),
        severity: Severity::High,
        title: "User provisioning is turned on".into(),
        evidence: vec![format!(
            "{} → {}: {}",
            mapping.source_object_name.as_deref().unwrap_or("User"),
            mapping.target_object_name.as_deref().unwrap_or("?"),
            if mapping.enabled.unwrap_or(true) {
                "enabled"
            } else {
                "disabled"
            }
        )],
        fix: "Turn on the user mapping in the app's Provisioning → Mappings.".into(),
        status: if mapping.enabled.unwrap_or(true) {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        },
    });
    findings
}

/// Every check, skipped for the same reason.
fn skipped_findings(because: &str) -> Vec<Finding> {
    [
        (
            "PD-MAP-001",
            Severity::High,
            "Turning off sign-in marks the app account inactive",
        ),
        (
            "PD-MAP-002",
            Severity::Medium,
            "People are matched on an attribute that does not change",
        ),
        (
            "PD-MAP-003",
            Severity::Medium,
            "The app's userName comes from a stable attribute",
        ),
        (
            "PD-MAP-004",
            Severity::Low,
            "Only assigned people are synced",
        ),
        (
            "PD-MAP-005",
            Severity::High,
            "User provisioning is turned on",
        ),
    ]
    .into_iter()
    .map(|(id, severity, title)| Finding {
        id: id.into(),
        severity,
        title: title.into(),
        evidence: Vec::new(),
        fix: String::new(),
        status: CheckStatus::Skipped {
            because: because.to_string(),
        },
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::render_findings;

    fn schema(mappings: serde_json::Value) -> SynchronizationSchema {
        serde_json::from_value(serde_json::json!({
            "synchronizationRules": [{
                "id": "rule-1",
                "objectMappings": [{
                    "enabled": true,
                    "sourceObjectName": "User",
                    "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                    "attributeMappings": mappings
                }]
            }]
        }))
        .unwrap()
    }

    fn attribute(target: &str, name: &str, priority: i64) -> serde_json::Value {
        serde_json::json!({"targetAttributeName": target, "matchingPriority": priority, "flowType": "Always",
            "source": {"expression": format!("[{name}]"), "name": name, "parameters": [], "type": "Attribute"}})
    }

    /// Microsoft's own object-mapping example maps IsActive, not active: PD-MAP-001 fails.
    #[test]
    fn microsofts_example_object_mapping() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/v1.0__synchronization-objectmapping__example.json");
        let mut mapping: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        mapping["sourceObjectName"] = "User".into();
        let schema: SynchronizationSchema = serde_json::from_value(serde_json::json!({
            "synchronizationRules": [{"id": "r", "objectMappings": [mapping]}]
        }))
        .unwrap();
        insta::assert_yaml_snapshot!(table(&schema));
        insta::assert_snapshot!(render_findings(&lint(&schema)));
    }

    #[test]
    fn the_default_mapping_passes() {
        let schema = schema(serde_json::json!([
            attribute("userName", "userPrincipalName", 1),
            {"targetAttributeName": "active", "source": {"expression": "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")",
                "name": "Switch", "type": "Function", "parameters": [
                    {"key": "source", "value": {"name": "IsSoftDeleted", "type": "Attribute", "parameters": []}}]}}
        ]));
        let findings = lint(&schema);
        let statuses: Vec<(&str, &CheckStatus)> = findings
            .iter()
            .map(|f| (f.id.as_str(), &f.status))
            .collect();
        assert_eq!(statuses[0], ("PD-MAP-001", &CheckStatus::Pass));
        assert_eq!(statuses[1], ("PD-MAP-002", &CheckStatus::Pass));
        assert_eq!(statuses[2], ("PD-MAP-003", &CheckStatus::Pass));
        assert!(matches!(statuses[3].1, CheckStatus::Skipped { .. }));
        assert_eq!(statuses[4], ("PD-MAP-005", &CheckStatus::Pass));
    }

    #[test]
    fn constant_active_and_mutable_matching_are_flagged() {
        let schema = schema(serde_json::json!([
            attribute("userName", "mail", 0),
            attribute("displayName", "displayName", 1),
            {"targetAttributeName": "active", "source": {"expression": "\"True\"", "name": "True", "type": "Constant", "parameters": []}}
        ]));
        let findings = lint(&schema);
        insta::assert_snapshot!(render_findings(&findings));
        assert_eq!(findings[0].status, CheckStatus::Fail);
        assert_eq!(findings[1].status, CheckStatus::Fail);
        assert_eq!(findings[2].status, CheckStatus::Fail);
    }
}
