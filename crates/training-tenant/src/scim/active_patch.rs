//! What a SCIM PATCH body tells an app about `active`, read on its own (not through the
//! app's PATCH handler), so that a check of "the app was told active = false" asserts the value
//! rather than finding the word `active` somewhere in the body.
//!
//! The shapes Entra sends (entra-docs `docs/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility.md`
//! and `use-scim-to-provision-users-and-groups.md`, fixtures
//! `entra-docs__scim-compat__disable-user__*.json`, `entra-docs__scim__disable-user__request.json`):
//! * `{"op":"Replace","path":"active","value":"False"}` — the default, a string;
//! * `{"op":"replace","path":"active","value":false}` — with `aadOptscim062020`, a boolean;
//! * `{"op":"replace","value":{"active":false}}` — a path-less replace (RFC 7644 §3.5.2.3).
//!
//! Op names and attribute names compare without case (RFC 7644 §3.5.2; RFC 7643 §2.1).

use serde_json::Value;

/// The value the body's operations leave `active` at (the last one that sets it wins), or
/// `None` when no operation sets it, or sets it to something that is not a boolean.
pub fn active_set_by(body: &Value) -> Option<bool> {
    let operations = body
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))?
        .1
        .as_array()?;
    let mut active = None;
    for operation in operations {
        let op = operation
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !op.eq_ignore_ascii_case("replace") && !op.eq_ignore_ascii_case("add") {
            continue;
        }
        let value = match operation.get("path").and_then(Value::as_str) {
            Some(path) if path.trim().eq_ignore_ascii_case("active") => operation.get("value"),
            Some(_) => None,
            None => operation
                .get("value")
                .and_then(Value::as_object)
                .and_then(|v| v.iter().find(|(k, _)| k.eq_ignore_ascii_case("active")))
                .map(|(_, v)| v),
        };
        if let Some(value) = value {
            active = Some(boolean(value));
        }
    }
    active.flatten()
}

/// `true`/`false`, or the strings `"True"`/`"False"` in any case.
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn microsofts_three_disable_bodies_set_active_to_false() {
        for name in [
            "entra-docs__scim-compat__disable-user__request-default-no-flag.json",
            "entra-docs__scim-compat__disable-user__request-aadOptscim062020.json",
            "entra-docs__scim__disable-user__request.json",
        ] {
            assert_eq!(active_set_by(&fixture(name)), Some(false), "{name}");
        }
    }

    #[test]
    fn a_path_less_replace_and_the_last_operation_count() {
        let path_less = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"displayName": "x", "Active": false}}]});
        assert_eq!(active_set_by(&path_less), Some(false));
        let back_on = json!({"Operations": [
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Replace", "path": "active", "value": "True"}]});
        assert_eq!(active_set_by(&back_on), Some(true));
    }

    /// The word "active" elsewhere in the body is not a disable.
    #[test]
    fn a_body_that_only_mentions_active_sets_nothing() {
        for body in [
            json!({"Operations": [{"op": "Replace", "path": "displayName", "value": "active false"}]}),
            json!({"Operations": [{"op": "Remove", "path": "active"}]}),
            json!({"Operations": [{"op": "Replace", "path": "active", "value": "maybe"}]}),
            json!({"active": false}),
        ] {
            assert_eq!(active_set_by(&body), None, "{body}");
        }
    }
}
