//! SCIM PATCH (RFC 7644 §3.5.2) in the shapes Entra sends: capitalised `Add`/`Replace`/`Remove`
//! with one path per operation (default), lowercase ops with a path-less `replace` whose value
//! maps attribute paths to values (`aadOptscim062020`), and group member removal either as
//! `{"op":"Remove","path":"members","value":[{"value":"id"}]}` or
//! `{"op":"remove","path":"members[value eq \"id\"]"}` ("Known issues and resolutions with
//! SCIM 2.0 protocol compliance", Entra docs). Servers must not require a particular op casing.

use serde_json::{Map, Value};

use super::path;

pub fn apply(resource: &mut Value, body: Option<&Value>) -> Result<(), String> {
    let ops = body
        .and_then(|b| b.as_object())
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("Operations")))
        .and_then(|(_, v)| v.as_array())
        .ok_or("A PatchOp body with an Operations array is required.")?;
    for op in ops {
        let name = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or("Each operation needs an op.")?
            .to_ascii_lowercase();
        let target = op.get("path").and_then(Value::as_str);
        let value = op.get("value").cloned();
        match (name.as_str(), target) {
            ("add" | "replace", None) => {
                let Some(Value::Object(map)) = value else {
                    return Err("A path-less add or replace needs an object value.".into());
                };
                apply_object(resource, &map, name == "add")?;
            }
            ("add", Some(p)) => add(resource, p, value.ok_or("add needs a value")?)?,
            ("replace", Some(p)) => {
                if !path::set(resource, p, value.ok_or("replace needs a value")?) {
                    return Err(format!("Invalid path '{p}'."));
                }
            }
            ("remove", Some(p)) => remove(resource, p, value)?,
            ("remove", None) => return Err("remove needs a path (noTarget).".into()),
            (other, _) => return Err(format!("Unknown operation '{other}'.")),
        }
    }
    Ok(())
}

/// Path-less: keys are attribute paths (`name.givenName`, full URNs) or a whole extension object.
fn apply_object(
    resource: &mut Value,
    map: &Map<String, Value>,
    add_mode: bool,
) -> Result<(), String> {
    for (k, v) in map {
        if k.to_ascii_lowercase().starts_with("urn:")
            && v.is_object()
            && path::get(resource, k).is_none()
        {
            if let Some(obj) = v.as_object() {
                for (sub, sv) in obj {
                    path::set(resource, &format!("{k}:{sub}"), sv.clone());
                }
                continue;
            }
        }
        if add_mode {
            add(resource, k, v.clone())?;
        } else if !path::set(resource, k, v.clone()) {
            return Err(format!("Invalid path '{k}'."));
        }
    }
    Ok(())
}

/// `add` on a multi-valued attribute appends; otherwise it sets.
fn add(resource: &mut Value, p: &str, value: Value) -> Result<(), String> {
    if let (Some(Value::Array(existing)), Value::Array(new)) = (path::get(resource, p), &value) {
        // Group PATCHes add thousands of members at once: duplicates are found by their
        // serialised form in a set, not by a scan per value.
        let mut seen: std::collections::HashSet<String> =
            existing.iter().map(Value::to_string).collect();
        let mut merged = existing;
        for n in new {
            if seen.insert(n.to_string()) {
                merged.push(n.clone());
            }
        }
        path::set(resource, p, Value::Array(merged));
        return Ok(());
    }
    if path::set(resource, p, value) {
        Ok(())
    } else {
        Err(format!("Invalid path '{p}'."))
    }
}

fn remove(resource: &mut Value, p: &str, value: Option<Value>) -> Result<(), String> {
    if let (Some(Value::Array(targets)), Some(Value::Array(existing))) =
        (&value, path::get(resource, p))
    {
        let ids: Vec<&Value> = targets.iter().filter_map(|t| t.get("value")).collect();
        let kept: Vec<Value> = existing
            .into_iter()
            .filter(|e| e.get("value").is_none_or(|v| !ids.contains(&v)))
            .collect();
        path::set(resource, p, Value::Array(kept));
        return Ok(());
    }
    if path::remove(resource, p) {
        Ok(())
    } else {
        Err(format!("Invalid path '{p}'."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json")
    }

    #[test]
    fn both_disable_shapes_and_multi_replace() {
        for f in [
            "entra-docs__scim-compat__disable-user__request-default-no-flag.json",
            "entra-docs__scim-compat__disable-user__request-aadOptscim062020.json",
            "entra-docs__scim__disable-user__request.json",
        ] {
            let mut u = json!({"userName": "a", "active": true});
            apply(&mut u, Some(&fixture(f))).unwrap();
            assert!(
                u["active"] == json!(false) || u["active"] == json!("False"),
                "{f}: {u}"
            );
        }
        let mut u = json!({"userName": "a"});
        apply(
            &mut u,
            Some(&fixture(
                "entra-docs__scim-compat__replace-multiple__request-default-no-flag.json",
            )),
        )
        .unwrap();
        assert_eq!(u["name"]["givenName"], "Gtfd");
        assert_eq!(u["emails"][0]["value"], "TestBcwqnm@test.microsoft.com");
        assert_eq!(u[path::ENTERPRISE_USER]["employeeNumber"], "Eqpj");
        let mut u = json!({"userName": "a"});
        let pathless = json!({"Operations": [{"op": "replace", "value": {"displayName": "X", "name.givenName": "G", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "D"}}]});
        apply(&mut u, Some(&pathless)).unwrap();
        assert_eq!(u["displayName"], "X");
        assert_eq!(u["name"]["givenName"], "G");
        assert_eq!(u[path::ENTERPRISE_USER]["department"], "D");
    }

    #[test]
    fn member_removal_in_both_shapes() {
        for f in [
            "entra-docs__scim-compat__remove-member__request-default-no-flag.json",
            "entra-docs__scim-compat__remove-member__request-aadOptscim062020.json",
        ] {
            let body = fixture(f);
            let id = body.to_string();
            let target = body["Operations"][0]["value"][0]["value"]
                .as_str()
                .map(str::to_string)
                .or_else(|| {
                    id.split("value eq \\\"")
                        .nth(1)
                        .and_then(|s| s.split('\\').next())
                        .map(str::to_string)
                })
                .unwrap();
            let mut g =
                json!({"displayName": "g", "members": [{"value": target}, {"value": "other"}]});
            apply(&mut g, Some(&body)).unwrap();
            assert_eq!(g["members"], json!([{"value": "other"}]), "{f}");
        }
    }

    #[test]
    fn bad_bodies_are_errors() {
        for b in [
            json!(null),
            json!({}),
            json!({"Operations": [{"op": "jump"}]}),
            json!({"Operations": [{"op": "replace", "value": 3}]}),
        ] {
            let mut u = json!({});
            assert!(apply(&mut u, Some(&b)).is_err(), "{b}");
        }
    }
}
