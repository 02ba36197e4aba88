//! The training tenant's answers held against Graph's published schema: the CSDL Microsoft
//! generates its SDKs from (microsoftgraph/msgraph-metadata `clean_v10_metadata/cleanMetadata.xml`;
//! the subset in `tests/fixtures/graph-schema-v1.0-subset.json`, extracted by
//! `scripts/extract-graph-schema.py`). Every property of a user, a provisioning log entry and a
//! synchronization job must be declared (on the type, a base type, or an open type), with a
//! JSON value of the declared type, and every enum value a declared member; `$select` of any
//! documented user property is accepted.

mod common;

use common::Env;
use reqwest::StatusCode;
use serde_json::{Map, Value};

struct Schema(Value);

impl Schema {
    fn load() -> Self {
        Schema(common::fixture("graph-schema-v1.0-subset.json"))
    }

    /// An entity or complex type.
    fn structured(&self, name: &str) -> Option<&Value> {
        self.0["entityTypes"]
            .get(name)
            .or_else(|| self.0["complexTypes"].get(name))
    }

    /// The type and its base types, most derived first.
    fn chain(&self, name: &str) -> Vec<&Value> {
        let mut out = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(n) = next {
            let Some(t) = self.structured(&n) else { break };
            out.push(t);
            next = t["baseType"].as_str().map(str::to_string);
        }
        out
    }

    fn property(&self, type_name: &str, property: &str) -> Option<&Value> {
        self.chain(type_name)
            .into_iter()
            .find_map(|t| t["properties"].get(property))
    }

    fn is_open(&self, type_name: &str) -> bool {
        self.chain(type_name)
            .iter()
            .any(|t| t["openType"] == Value::Bool(true))
    }

    /// Every structural property name of an entity type, base types included.
    fn property_names(&self, type_name: &str) -> Vec<String> {
        self.chain(type_name)
            .iter()
            .flat_map(|t| t["properties"].as_object().into_iter().flatten())
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Checks one object of `type_name`; problems are added as "path: what is wrong".
    fn check_object(
        &self,
        type_name: &str,
        object: &Map<String, Value>,
        path: &str,
        problems: &mut Vec<String>,
    ) {
        for (key, value) in object {
            // Annotations (`@odata.context`, `value@odata.type`) are not properties.
            if key.contains('@') {
                continue;
            }
            match self.property(type_name, key) {
                Some(declared) => {
                    self.check_value(declared, value, &format!("{path}.{key}"), problems)
                }
                None if self.is_open(type_name) => {}
                None => problems.push(format!("{path}.{key}: not a property of {type_name}")),
            }
        }
    }

    fn check_value(&self, declared: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
        if value.is_null() {
            if declared["nullable"] == Value::Bool(false) {
                problems.push(format!("{path}: null, but declared not nullable"));
            }
            return;
        }
        let type_name = declared["type"].as_str().unwrap_or_default();
        if declared["collection"] == Value::Bool(true) {
            match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_scalar(type_name, item, &format!("{path}[{i}]"), problems);
                    }
                }
                None => problems.push(format!(
                    "{path}: {value} is not a collection of {type_name}"
                )),
            }
            return;
        }
        self.check_scalar(type_name, value, path, problems);
    }

    fn check_scalar(&self, type_name: &str, value: &Value, path: &str, problems: &mut Vec<String>) {
        let fits = match type_name {
            "Edm.String" | "Edm.Guid" | "Edm.Binary" | "Edm.Duration" | "Edm.Date"
            | "Edm.TimeOfDay" => value.is_string(),
            "Edm.DateTimeOffset" => value
                .as_str()
                .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
            "Edm.Boolean" => value.is_boolean(),
            "Edm.Int16" | "Edm.Int32" | "Edm.Int64" | "Edm.Byte" => {
                value.is_i64() || value.is_u64()
            }
            "Edm.Double" | "Edm.Single" | "Edm.Decimal" => value.is_number(),
            other => {
                if let Some(enumeration) = self.0["enumTypes"].get(other) {
                    let members: Vec<&str> = enumeration["members"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let flags = enumeration["flags"] == Value::Bool(true);
                    match value.as_str() {
                        Some(text) if flags => text.split(',').all(|m| members.contains(&m.trim())),
                        Some(text) => members.contains(&text),
                        None => false,
                    }
                } else if self.structured(other).is_some() {
                    match value.as_object() {
                        Some(object) => {
                            self.check_object(other, object, path, problems);
                            true
                        }
                        None => false,
                    }
                } else {
                    // A type outside the subset (e.g. Edm.Stream): not judged here.
                    true
                }
            }
        };
        if !fits {
            problems.push(format!("{path}: {value} is not a {type_name}"));
        }
    }

    /// Checks every item of a collection answer.
    fn check_collection(&self, type_name: &str, body: &Value, what: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let items = body["value"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty(), "{what}: no items to check in {body}");
        for (i, item) in items.iter().enumerate() {
            let object = item.as_object().expect("an object");
            self.check_object(type_name, object, &format!("{what}[{i}]"), &mut problems);
        }
        problems
    }
}

/// The tenant after a sync round that turned someone off (so the log holds disables too).
async fn after_a_round() -> (Env, String) {
    let env = common::start().await;
    let token = env.app_token().await;
    let (leaver, _) = env.person("leaver-today");
    let (s, b) = env
        .send_json(
            reqwest::Method::PATCH,
            &token,
            &format!("/v1.0/users/{leaver}"),
            r#"{"accountEnabled":false}"#,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    env.advance_minutes(41).await;
    (env, token)
}

#[test]
fn the_schema_subset_holds_the_types_the_tenant_serves() {
    let schema = Schema::load();
    for name in ["user", "provisioningObjectSummary", "synchronizationJob"] {
        assert!(schema.structured(name).is_some(), "{name}");
    }
    let members = |name: &str| schema.0["enumTypes"][name]["members"].clone();
    assert!(members("provisioningAction")
        .as_array()
        .unwrap()
        .contains(&Value::from("stagedDelete")));
    assert!(members("synchronizationStatusCode")
        .as_array()
        .unwrap()
        .contains(&Value::from("Quarantine")));
    assert!(schema.0["source"]["commit"].as_str().unwrap().len() == 40);
}

#[tokio::test]
async fn provisioning_log_entries_match_the_published_schema() {
    let schema = Schema::load();
    let (env, token) = after_a_round().await;
    let (s, body) = env
        .get_json(&token, "/v1.0/auditLogs/provisioning?$top=999")
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let problems = schema.check_collection("provisioningObjectSummary", &body, "entry");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn synchronization_jobs_match_the_published_schema() {
    let schema = Schema::load();
    let (env, token) = after_a_round().await;
    let mut problems = Vec::new();
    for app in env.tenant.scim_apps() {
        let (s, body) = env
            .get_json(
                &token,
                &format!(
                    "/v1.0/servicePrincipals/{}/synchronization/jobs",
                    app.service_principal_id
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {body}", app.key);
        problems.extend(schema.check_collection("synchronizationJob", &body, &app.key));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn users_match_the_published_schema_and_every_documented_property_can_be_selected() {
    let schema = Schema::load();
    let env = common::start().await;
    let token = env.app_token().await;
    let (s, body) = env.get_json(&token, "/v1.0/users?$top=999").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut problems = schema.check_collection("user", &body, "user");

    let names = schema.property_names("user");
    assert!(names.len() > 50, "{names:?}");
    let (obrien, _) = env.person("obrien");
    let (s, user) = env
        .get_json(
            &token,
            &format!("/v1.0/users/{obrien}?$select={}", names.join(",")),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "every documented property may be selected: {user}"
    );
    schema.check_object("user", user.as_object().unwrap(), "obrien", &mut problems);
    for name in ["id", "userPrincipalName", "accountEnabled", "displayName"] {
        assert!(!user[name].is_null(), "{name} in {user}");
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
