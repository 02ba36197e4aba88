//! Discovery endpoints (RFC 7644 §4): `/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`.
//! Entra reads `/Schemas` on save for some gallery apps ("Develop a SCIM endpoint", Entra docs);
//! compliance suites read all three.

use serde_json::{json, Value};

use super::path::{CORE_GROUP, CORE_USER, ENTERPRISE_USER};

pub fn is_discovery(segment: &str) -> bool {
    matches!(
        segment,
        "ServiceProviderConfig" | "Schemas" | "ResourceTypes"
    )
}

pub fn service_provider_config() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": 1000},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": "ServiceProviderConfig"}
    })
}

fn attr(name: &str, kind: &str, multi: bool, required: bool, uniqueness: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": name,
        "required": required,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": uniqueness,
    })
}

fn complex(name: &str, multi: bool, subs: &[(&str, &str)]) -> Value {
    let mut a = attr(name, "complex", multi, false, "none");
    a["subAttributes"] = Value::Array(
        subs.iter()
            .map(|(n, t)| attr(n, t, false, false, "none"))
            .collect(),
    );
    a
}

fn schema(id: &str, name: &str, attributes: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": name,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("Schemas/{id}")},
    })
}

pub fn schemas() -> Vec<Value> {
    let user = schema(
        CORE_USER,
        "User",
        vec![
            attr("userName", "string", false, true, "server"),
            attr("externalId", "string", false, false, "none"),
            attr("displayName", "string", false, false, "none"),
            attr("title", "string", false, false, "none"),
            attr("active", "boolean", false, false, "none"),
            complex(
                "name",
                false,
                &[
                    ("formatted", "string"),
                    ("familyName", "string"),
                    ("givenName", "string"),
                ],
            ),
            complex(
                "emails",
                true,
                &[
                    ("value", "string"),
                    ("type", "string"),
                    ("primary", "boolean"),
                ],
            ),
            complex(
                "phoneNumbers",
                true,
                &[
                    ("value", "string"),
                    ("type", "string"),
                    ("primary", "boolean"),
                ],
            ),
            complex(
                "roles",
                true,
                &[
                    ("value", "string"),
                    ("type", "string"),
                    ("primary", "boolean"),
                ],
            ),
        ],
    );
    let enterprise = schema(
        ENTERPRISE_USER,
        "EnterpriseUser",
        vec![
            attr("employeeNumber", "string", false, false, "none"),
            attr("department", "string", false, false, "none"),
            attr("costCenter", "string", false, false, "none"),
            attr("organization", "string", false, false, "none"),
            complex(
                "manager",
                false,
                &[("value", "string"), ("displayName", "string")],
            ),
        ],
    );
    let group = schema(
        CORE_GROUP,
        "Group",
        vec![
            attr("displayName", "string", false, true, "none"),
            attr("externalId", "string", false, false, "none"),
            complex(
                "members",
                true,
                &[("value", "string"), ("display", "string")],
            ),
        ],
    );
    vec![user, enterprise, group]
}

pub fn resource_types() -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
            "schema": CORE_USER,
            "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": "ResourceTypes/User"}
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Group",
            "schema": CORE_GROUP,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": "ResourceTypes/Group"}
        }),
    ]
}
