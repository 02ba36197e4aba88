//! The synchronization schema of a job (Graph `synchronizationSchema`): rules → object mappings →
//! attribute mappings, plus directory definitions. Stored as the JSON Graph returns; compiled
//! into a `UserMapping` that the engine evaluates.
//!
//! The default custom-SCIM user mappings follow "Develop a SCIM endpoint" (Entra docs):
//! userPrincipalName → userName (matching), mailNickname → externalId, IsSoftDeleted → active,
//! displayName, givenName/surname → name.*, mail → work e-mail, jobTitle → title, department and
//! employeeId → enterprise extension.

use serde::Deserialize;
use serde_json::{json, Value};

use super::expression::{self, Expr};
use crate::scim::path::ENTERPRISE_USER;

pub const SOURCE_DIRECTORY: &str = "Azure Active Directory";
pub const USER_RULE_ID: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";
pub const GROUP_TARGET_OBJECT: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// The default `active` expression of the non-gallery SCIM app (graph-api.md §8.6).
pub const ACTIVE_SWITCH: &str =
    "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")";

/// How an app's scenario entry configures its job's mappings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MappingSpec {
    /// Expression for `active`; `ACTIVE_SWITCH` by default.
    #[serde(default)]
    pub active: Option<String>,
    /// Source of `userName` (the matching attribute); `[userPrincipalName]` by default.
    #[serde(default)]
    pub user_name: Option<String>,
    /// Target object actions; `"Add, Update, Delete"` by default.
    #[serde(default)]
    pub flow_types: Option<String>,
}

pub fn default_schema(target_directory: &str, spec: &MappingSpec) -> Value {
    let active = spec
        .active
        .clone()
        .unwrap_or_else(|| ACTIVE_SWITCH.to_string());
    let user_name = spec
        .user_name
        .clone()
        .unwrap_or_else(|| "[userPrincipalName]".to_string());
    let department = format!("{ENTERPRISE_USER}:department");
    let employee_number = format!("{ENTERPRISE_USER}:employeeNumber");
    let rows: Vec<(&str, String, i32, &str)> = vec![
        ("userName", user_name, 1, "Always"),
        ("active", active, 0, "Always"),
        ("displayName", "[displayName]".into(), 0, "Always"),
        ("title", "[jobTitle]".into(), 0, "Always"),
        (
            "emails[type eq \"work\"].value",
            "[mail]".into(),
            0,
            "Always",
        ),
        ("name.givenName", "[givenName]".into(), 0, "Always"),
        ("name.familyName", "[surname]".into(), 0, "Always"),
        ("externalId", "[mailNickname]".into(), 0, "Always"),
        (&department, "[department]".into(), 0, "Always"),
        (&employee_number, "[employeeId]".into(), 0, "Always"),
    ];
    let mappings = attribute_mappings(rows);
    let group_mappings = attribute_mappings(vec![
        ("displayName", "[displayName]".into(), 1, "Always"),
        ("externalId", "[objectId]".into(), 0, "Always"),
        ("members", "[members]".into(), 0, "Always"),
    ]);
    let flow_types = spec
        .flow_types
        .clone()
        .unwrap_or_else(|| "Add, Update, Delete".to_string());
    let attr = |name: &str, kind: &str| json!({"name": name, "type": kind, "anchor": false, "caseExact": false, "multivalued": false, "mutability": "ReadWrite", "required": false, "defaultValue": null, "flowNullValues": false, "metadata": [], "referencedObjects": [], "apiExpressions": []});
    let source_attrs: Vec<Value> = [
        ("objectId", "String"),
        ("userPrincipalName", "String"),
        ("displayName", "String"),
        ("givenName", "String"),
        ("surname", "String"),
        ("mail", "String"),
        ("mailNickname", "String"),
        ("jobTitle", "String"),
        ("department", "String"),
        ("employeeId", "String"),
        ("accountEnabled", "Boolean"),
        ("IsSoftDeleted", "Boolean"),
        ("appRoleAssignments", "String"),
        ("preferredLanguage", "String"),
        ("city", "String"),
        ("officeLocation", "String"),
        ("mobilePhone", "String"),
        ("employeeType", "String"),
    ]
    .iter()
    .map(|(n, t)| attr(n, t))
    .collect();
    let target_attrs: Vec<Value> = [
        ("userName", "String"),
        ("active", "Boolean"),
        ("displayName", "String"),
        ("title", "String"),
        ("emails[type eq \"work\"].value", "String"),
        ("name.givenName", "String"),
        ("name.familyName", "String"),
        ("externalId", "String"),
    ]
    .iter()
    .map(|(n, t)| attr(n, t))
    .chain([
        attr(&format!("{ENTERPRISE_USER}:department"), "String"),
        attr(&format!("{ENTERPRISE_USER}:employeeNumber"), "String"),
    ])
    .collect();
    let group_source_attrs: Vec<Value> = [
        ("objectId", "String"),
        ("displayName", "String"),
        ("mailNickname", "String"),
        ("description", "String"),
        ("members", "Reference"),
    ]
    .iter()
    .map(|(n, t)| attr(n, t))
    .collect();
    let group_target_attrs: Vec<Value> = [
        ("displayName", "String"),
        ("externalId", "String"),
        ("members", "Reference"),
    ]
    .iter()
    .map(|(n, t)| attr(n, t))
    .collect();
    json!({
        "id": "scim",
        "version": "date:2024-01-01T00:00:00Z~1",
        "directories": [
            {"id": "66e4a8cc-1b7b-435e-95f8-f06cea133828", "name": SOURCE_DIRECTORY, "discoverabilities": "None", "discoveryDateTime": null, "readOnly": true, "version": "1", "objects": [{"name": "User", "attributes": source_attrs, "metadata": [], "supportedApis": []}, {"name": "Group", "attributes": group_source_attrs, "metadata": [], "supportedApis": []}]},
            {"id": "8ffa6169-f354-4751-9b77-9c00765be92d", "name": target_directory, "discoverabilities": "None", "discoveryDateTime": null, "readOnly": false, "version": "1", "objects": [{"name": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "attributes": target_attrs, "metadata": [], "supportedApis": []}, {"name": GROUP_TARGET_OBJECT, "attributes": group_target_attrs, "metadata": [], "supportedApis": []}]}
        ],
        "synchronizationRules": [{
            "id": USER_RULE_ID,
            "name": "USER_OUTBOUND_USER",
            "editable": true,
            "priority": 1,
            "sourceDirectoryName": SOURCE_DIRECTORY,
            "targetDirectoryName": target_directory,
            "containerFilter": {"includedContainers": []},
            "groupFilter": {"includedGroups": []},
            "metadata": [],
            "objectMappings": [{
                "name": format!("Provision Azure Active Directory Users"),
                "enabled": true,
                "flowTypes": flow_types,
                "sourceObjectName": "User",
                "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "scope": null,
                "metadata": [
                    {"key": "Disposition", "value": "\"Normal\""},
                    {"key": "EscrowBehavior", "value": "\"Default\""}
                ],
                "attributeMappings": mappings,
            }, {
                "name": "Provision Azure Active Directory Groups",
                "enabled": true,
                "flowTypes": flow_types,
                "sourceObjectName": "Group",
                "targetObjectName": GROUP_TARGET_OBJECT,
                "scope": null,
                "metadata": [
                    {"key": "Disposition", "value": "\"Normal\""},
                    {"key": "EscrowBehavior", "value": "\"Default\""}
                ],
                "attributeMappings": group_mappings,
            }]
        }]
    })
}

/// Attribute mappings from (target, source expression, matchingPriority, flowType) rows.
fn attribute_mappings(rows: Vec<(&str, String, i32, &str)>) -> Vec<Value> {
    rows.into_iter()
        .map(|(target, source, priority, flow)| {
            let src = expression::parse(&source)
                .map(|e| e.to_source())
                .unwrap_or(Value::Null);
            json!({
                "defaultValue": null,
                "exportMissingReferences": false,
                "flowBehavior": "FlowWhenChanged",
                "flowType": flow,
                "matchingPriority": priority,
                "source": src,
                "targetAttributeName": target,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct AttributeRule {
    pub target: String,
    pub expr: Option<Expr>,
    pub default_value: Option<String>,
    /// `ObjectAddOnly`: only sent on create ("Only during creation" in the portal).
    pub add_only: bool,
    pub matching_priority: i64,
    pub boolean: bool,
}

/// One scoping clause (`objectMapping.scope.groups[].clauses[]`).
#[derive(Debug, Clone)]
pub struct Clause {
    pub attribute: String,
    pub operator: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct UserMapping {
    pub rule_id: String,
    pub enabled: bool,
    pub add: bool,
    pub update: bool,
    pub delete: bool,
    /// Any group true (clauses within a group all true); empty = everyone.
    pub scope: Vec<Vec<Clause>>,
    pub attributes: Vec<AttributeRule>,
}

impl UserMapping {
    /// Matching attributes in precedence order (lowest `matchingPriority` first, 0 excluded).
    pub fn matching(&self) -> Vec<&AttributeRule> {
        let mut m: Vec<&AttributeRule> = self
            .attributes
            .iter()
            .filter(|a| a.matching_priority > 0)
            .collect();
        m.sort_by_key(|a| a.matching_priority);
        m
    }

    pub fn active_rule(&self) -> Option<&AttributeRule> {
        self.attributes
            .iter()
            .find(|a| a.target.eq_ignore_ascii_case("active"))
    }
}

pub const SCOPE_OPERATORS: &[&str] = &[
    "EQUALS",
    "NOT EQUALS",
    "IS TRUE",
    "IS FALSE",
    "IS NULL",
    "IS NOT NULL",
    "Includes",
    "ENDS_WITH",
    "Greater_Than",
    "Greater_Than_OR_EQUALS",
    "&",
    "!&",
];

/// Validates a schema document and compiles its user mapping. Errors are the messages of the
/// 400 a `PUT …/schema` answers.
pub fn compile(schema: &Value) -> Result<UserMapping, String> {
    let rules = schema
        .get("synchronizationRules")
        .and_then(Value::as_array)
        .ok_or("The schema needs synchronizationRules.")?;
    for rule in rules {
        for om in rule
            .get("objectMappings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for am in om
                .get("attributeMappings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(src) = am.get("source").filter(|s| !s.is_null()) {
                    expression::from_source(src).map_err(|e| {
                        format!(
                            "Attribute mapping for '{}': {}",
                            am.get("targetAttributeName")
                                .and_then(Value::as_str)
                                .unwrap_or("?"),
                            e.0
                        )
                    })?;
                }
            }
            if let Some(groups) = om.pointer("/scope/groups").and_then(Value::as_array) {
                for c in groups
                    .iter()
                    .filter_map(|g| g.get("clauses").and_then(Value::as_array))
                    .flatten()
                {
                    let op = c
                        .get("operatorName")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    if !SCOPE_OPERATORS.iter().any(|o| o.eq_ignore_ascii_case(op)) {
                        return Err(format!(
                            "The scoping filter operator '{op}' is not supported."
                        ));
                    }
                }
            }
        }
    }
    let (rule, om) =
        object_mapping(rules, "User").ok_or("The schema has no object mapping for users.")?;
    let parts = ObjectMapping::compile(om)?;
    let scope = om
        .pointer("/scope/groups")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .map(|g| {
                    g.get("clauses")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|c| Clause {
                            attribute: c
                                .get("sourceOperandName")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                            operator: c
                                .get("operatorName")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                            values: c
                                .pointer("/targetOperand/values")
                                .and_then(Value::as_array)
                                .into_iter()
                                .flatten()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect(),
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(UserMapping {
        rule_id: rule
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(USER_RULE_ID)
            .to_string(),
        enabled: parts.enabled,
        add: parts.add,
        update: parts.update,
        delete: parts.delete,
        scope,
        attributes: parts.attributes,
    })
}

/// The group object mapping of a valid schema (`None` if it has none): assigned groups are
/// provisioned with it when it is enabled.
pub fn compile_groups(schema: &Value) -> Option<ObjectMapping> {
    let rules = schema.get("synchronizationRules")?.as_array()?;
    let (_, om) = object_mapping(rules, "Group")?;
    ObjectMapping::compile(om).ok()
}

/// The first object mapping (and its rule) whose source object is `source_object`.
fn object_mapping<'a>(rules: &'a [Value], source_object: &str) -> Option<(&'a Value, &'a Value)> {
    rules.iter().find_map(|r| {
        r.get("objectMappings")
            .and_then(Value::as_array)?
            .iter()
            .find(|om| {
                om.get("sourceObjectName")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case(source_object))
            })
            .map(|om| (r, om))
    })
}

/// What every object mapping has: whether it is enabled, its target object actions and its
/// attribute mappings.
#[derive(Debug, Clone)]
pub struct ObjectMapping {
    pub enabled: bool,
    pub add: bool,
    pub update: bool,
    pub delete: bool,
    pub attributes: Vec<AttributeRule>,
}

impl ObjectMapping {
    fn compile(om: &Value) -> Result<Self, String> {
        let flow = om
            .get("flowTypes")
            .and_then(Value::as_str)
            .unwrap_or("Add, Update, Delete");
        let has = |f: &str| flow.split(',').any(|x| x.trim().eq_ignore_ascii_case(f));
        let mut attributes = Vec::new();
        for am in om
            .get("attributeMappings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let target = am
                .get("targetAttributeName")
                .and_then(Value::as_str)
                .ok_or("Each attribute mapping needs a targetAttributeName.")?;
            let expr = match am
                .get("source")
                .filter(|s| !s.is_null() && s.as_object().is_some_and(|o| !o.is_empty()))
            {
                Some(src) => Some(expression::from_source(src).map_err(|e| e.0)?),
                None => None,
            };
            attributes.push(AttributeRule {
                target: target.to_string(),
                expr,
                default_value: am
                    .get("defaultValue")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                add_only: am
                    .get("flowType")
                    .and_then(Value::as_str)
                    .is_some_and(|f| f.eq_ignore_ascii_case("ObjectAddOnly")),
                matching_priority: am
                    .get("matchingPriority")
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
                boolean: target.eq_ignore_ascii_case("active"),
            });
        }
        Ok(Self {
            enabled: om.get("enabled").and_then(Value::as_bool).unwrap_or(true),
            add: has("Add"),
            update: has("Update"),
            delete: has("Delete"),
            attributes,
        })
    }

    /// Matching attributes in precedence order (lowest `matchingPriority` first, 0 excluded).
    pub fn matching(&self) -> Vec<&AttributeRule> {
        let mut m: Vec<&AttributeRule> = self
            .attributes
            .iter()
            .filter(|a| a.matching_priority > 0)
            .collect();
        m.sort_by_key(|a| a.matching_priority);
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_compiles_and_matches_on_user_name() {
        let s = default_schema(
            "customappsso",
            &MappingSpec {
                active: None,
                user_name: None,
                flow_types: None,
            },
        );
        let m = compile(&s).unwrap();
        assert!(m.add && m.update && m.delete);
        assert_eq!(m.matching()[0].target, "userName");
        assert_eq!(
            m.active_rule().unwrap().expr.as_ref().unwrap().text(),
            ACTIVE_SWITCH
        );
    }

    #[test]
    fn unknown_functions_are_refused() {
        let mut s = default_schema(
            "x",
            &MappingSpec {
                active: None,
                user_name: None,
                flow_types: None,
            },
        );
        s["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["source"] = json!({"type": "Function", "name": "Frobnicate", "expression": "Frobnicate([IsSoftDeleted])", "parameters": []});
        assert!(compile(&s).unwrap_err().contains("Frobnicate"));
        assert!(compile(&json!({})).is_err());
    }
}
