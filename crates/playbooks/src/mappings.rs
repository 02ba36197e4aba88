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

/// The app's attribute that says whether an account is active, and the mapping that sets it.
///
/// SCIM calls it `active` (RFC 7643 §4.1.1), but a gallery app keeps its own name: Microsoft's
/// object-mapping example (Salesforce) maps `IsActive ← Not([IsSoftDeleted])` (graph-docs
/// `api-reference/v1.0/resources/synchronization-objectmapping.md`), and a disabled or deleted
/// person reaches the app through whichever attribute is fed from `IsSoftDeleted` (entra-docs
/// `docs/identity/app-provisioning/how-provisioning-works.md`). Each app's attribute list —
/// name and type (`Boolean`, …) "as defined in the target object's schema" — is part of the
/// synchronization schema (entra-docs `docs/identity/app-provisioning/customize-application-attributes.md`).
/// So it is recognised, in this order, as: the attribute named `active`; the attribute a
/// mapping feeds from an expression over `IsSoftDeleted`; a mapped attribute whose name says
/// active (`IsActive`, `Enabled`); a Boolean attribute of that name in the app's object
/// definition, even unmapped.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveTarget<'a> {
    /// The app's name for it (`active`, `IsActive`).
    pub name: String,
    /// `None` when the app has the attribute but nothing maps to it.
    pub mapping: Option<&'a AttributeMapping>,
}

/// Names an app may give its "active" flag. Not `inactive`-like names: their meaning is the
/// opposite, and guessing it would pass a mapping that disables everyone.
fn names_active(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit([':', '.']).next().unwrap_or(&lower);
    !last.contains("inactive")
        && (last == "active"
            || last == "isactive"
            || last == "enabled"
            || last == "isenabled"
            || last == "accountenabled")
}

/// The app's active attribute in the user mapping, if it can be recognised (see
/// [`ActiveTarget`]).
pub fn active_target(schema: &SynchronizationSchema) -> Option<ActiveTarget<'_>> {
    let (rule, mapping) = schema.user_mappings().into_iter().next()?;
    let target = |m: &AttributeMapping| m.target_attribute_name.clone().unwrap_or_default();
    if let Some(m) = mapping.mapping_for("active") {
        return Some(ActiveTarget {
            name: target(m),
            mapping: Some(m),
        });
    }
    let mapped = |m: &&AttributeMapping| m.target_attribute_name.is_some();
    if let Some(m) = mapping.attribute_mappings.iter().filter(mapped).find(|m| {
        m.source
            .as_ref()
            .is_some_and(|s| uses_attribute(s, "IsSoftDeleted"))
    }) {
        return Some(ActiveTarget {
            name: target(m),
            mapping: Some(m),
        });
    }
    if let Some(m) = mapping
        .attribute_mappings
        .iter()
        .filter(mapped)
        .find(|m| names_active(&target(m)))
    {
        return Some(ActiveTarget {
            name: target(m),
            mapping: Some(m),
        });
    }
    // The app's object definition: the directory the rule writes to, the object the mapping
    // targets.
    let object = mapping.target_object_name.as_deref()?;
    schema
        .directories
        .iter()
        .filter(|d| {
            rule.target_directory_name.is_none()
                || d.name.as_deref().is_some_and(|n| {
                    rule.target_directory_name
                        .as_deref()
                        .is_some_and(|t| t.eq_ignore_ascii_case(n))
                })
        })
        .flat_map(|d| &d.objects)
        .filter(|o| {
            o.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(object))
        })
        .flat_map(|o| &o.attributes)
        .filter(|a| {
            a.attribute_type
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case("Boolean"))
        })
        .find_map(|a| a.name.clone().filter(|n| names_active(n)))
        .map(|name| ActiveTarget {
            name,
            mapping: None,
        })
}

/// A fixed value: a `Constant` source, or no source and only a default value (sent only when a
/// user is created, customize-application-attributes.md: never changes afterwards).
pub fn is_fixed_value(mapping: &AttributeMapping) -> bool {
    match &mapping.source {
        Some(source) => is_constant(source),
        None => mapping.default_value.is_some(),
    }
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

    // PD-MAP-001: active from IsSoftDeleted, under whatever name the app gives "active".
    let (status, evidence) = match active_target(schema) {
        None => (
            CheckStatus::Fail,
            vec!["No mapping targets the app's active attribute.".to_string()],
        ),
        Some(ActiveTarget {
            name,
            mapping: None,
        }) => (
            CheckStatus::Fail,
            vec![format!(
                "No mapping targets the app's active attribute ({name})."
            )],
        ),
        Some(ActiveTarget {
            name,
            mapping: Some(m),
        }) => {
            let own_name = if name.eq_ignore_ascii_case("active") {
                String::new()
            } else {
                format!(" ({name} is the app's own name for active)")
            };
            match &m.source {
                Some(source) if uses_attribute(source, "IsSoftDeleted") => (
                    CheckStatus::Pass,
                    vec![format!("{name} ← {}{own_name}", describe_source(m))],
                ),
                _ if is_fixed_value(m) => (
                    CheckStatus::Fail,
                    vec![format!("{name} ← {} (a constant)", describe_source(m))],
                ),
                _ => (
                    CheckStatus::Fail,
                    vec![format!(
                        "{name} ← {} (does not use IsSoftDeleted)",
                        describe_source(m)
                    )],
                ),
            }
        }
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

    fn microsofts_object_mapping() -> serde_json::Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/v1.0__synchronization-objectmapping__example.json");
        let mut mapping: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        mapping["sourceObjectName"] = "User".into();
        mapping
    }

    fn with_mapping(mapping: serde_json::Value) -> SynchronizationSchema {
        serde_json::from_value(serde_json::json!({
            "synchronizationRules": [{"id": "r", "objectMappings": [mapping]}]
        }))
        .unwrap()
    }

    fn active_check(schema: &SynchronizationSchema) -> Finding {
        lint(schema)
            .into_iter()
            .find(|f| f.id == "PD-MAP-001")
            .unwrap()
    }

    /// Microsoft's own object-mapping example (Salesforce) maps `IsActive ← Not([IsSoftDeleted])`:
    /// the app's own name for active, mapped the documented way. PD-MAP-001 passes.
    #[test]
    fn microsofts_example_object_mapping() {
        let schema = with_mapping(microsofts_object_mapping());
        let active = active_check(&schema);
        assert_eq!(active.status, CheckStatus::Pass, "{active:?}");
        assert_eq!(
            active.evidence,
            ["IsActive ← Not([IsSoftDeleted]) (IsActive is the app's own name for active)"]
        );
        assert!(
            !lint(&schema)
                .iter()
                .any(|f| f.severity == Severity::High && f.status == CheckStatus::Fail),
            "no High advice to change a correct mapping"
        );
        insta::assert_yaml_snapshot!(table(&schema));
        insta::assert_snapshot!(render_findings(&lint(&schema)));
    }

    /// The same app with IsActive fixed to "True", or not mapped at all while its object
    /// definition has IsActive: still High and failed.
    #[test]
    fn an_apps_own_active_attribute_constant_or_unmapped_fails() {
        let mut constant = microsofts_object_mapping();
        constant["attributeMappings"][0]["source"] = serde_json::json!(
            {"expression": "\"True\"", "name": "True", "type": "Constant", "parameters": []});
        let active = active_check(&with_mapping(constant));
        assert_eq!(active.status, CheckStatus::Fail);
        assert_eq!(active.severity, Severity::High);
        assert_eq!(active.evidence, ["IsActive ← \"True\" (a constant)"]);

        let mut unmapped = microsofts_object_mapping();
        unmapped["attributeMappings"]
            .as_array_mut()
            .unwrap()
            .remove(0);
        let schema: SynchronizationSchema = serde_json::from_value(serde_json::json!({
            "directories": [{"name": "salesforce.com", "objects": [{"name": "User", "attributes": [
                {"name": "Alias", "type": "String"}, {"name": "IsActive", "type": "Boolean"}]}]}],
            "synchronizationRules": [{"id": "r", "targetDirectoryName": "salesforce.com",
                "objectMappings": [unmapped]}]
        }))
        .unwrap();
        let active = active_check(&schema);
        assert_eq!(active.status, CheckStatus::Fail);
        assert_eq!(
            active.evidence,
            ["No mapping targets the app's active attribute (IsActive)."]
        );
        assert_eq!(active_target(&schema).unwrap().name, "IsActive");
    }

    #[test]
    fn no_active_attribute_at_all_fails() {
        let schema = schema(serde_json::json!([attribute(
            "userName",
            "userPrincipalName",
            1
        )]));
        let active = active_check(&schema);
        assert_eq!(active.status, CheckStatus::Fail);
        assert_eq!(active.severity, Severity::High);
        assert_eq!(
            active.evidence,
            ["No mapping targets the app's active attribute."]
        );
        // A name that means the opposite is not taken for active.
        let schema = schema_with_inactive();
        assert!(active_target(&schema).is_none());
    }

    fn schema_with_inactive() -> SynchronizationSchema {
        schema(serde_json::json!([
            attribute("userName", "userPrincipalName", 1),
            {"targetAttributeName": "IsInactive", "source": null, "defaultValue": "False"}
        ]))
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
