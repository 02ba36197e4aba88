//! SCIM attribute paths (RFC 7644 §3.10 and §3.5.2) on a resource held as JSON: `userName`,
//! `name.givenName`, `emails[type eq "work"].value`, extension attributes by full URN
//! (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`) and
//! `members[value eq "…"]`. These are the forms Entra's provisioning service sends
//! ("Known issues and resolutions with SCIM 2.0 protocol compliance", Entra docs).

use serde_json::{Map, Value};

pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// One parsed path: optional extension URN, attribute, optional `[sub eq "v"]` filter and
/// optional sub-attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub urn: Option<String>,
    pub attr: String,
    pub filter: Option<(String, String)>,
    pub sub: Option<String>,
}

/// Parses a path; `None` when it is not one of the supported forms.
pub fn parse(path: &str) -> Option<AttrPath> {
    let path = path.trim();
    if path.is_empty() {
        return None;
    }
    let (urn, rest) = split_urn(path);
    let (head, sub_after_filter) = match rest.find('[') {
        Some(open) => {
            let close = rest.rfind(']')?;
            if close < open {
                return None;
            }
            let inner = &rest[open + 1..close];
            let after = rest[close + 1..].strip_prefix('.').map(str::to_string);
            let mut words = inner.splitn(3, char::is_whitespace);
            let key = words.next()?.trim().to_string();
            let op = words.next()?.trim();
            if !op.eq_ignore_ascii_case("eq") {
                return None;
            }
            let value = words.next()?.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value)
                .to_string();
            (
                (rest[..open].to_string(), Some((key, value))),
                after.map(Some).unwrap_or(None),
            )
        }
        None => ((rest.to_string(), None), None),
    };
    let (attr_part, filter) = head;
    // A whole extension (`urn:…:2.0:User`) has dots that are not sub-attribute separators.
    let whole_extension = attr_part.to_ascii_lowercase().starts_with("urn:");
    let (attr, sub) = match (
        filter.is_some() || whole_extension,
        attr_part.split_once('.'),
    ) {
        (false, Some((a, s))) => (a.to_string(), Some(s.to_string())),
        _ => (attr_part, sub_after_filter),
    };
    if attr.is_empty() {
        return None;
    }
    Some(AttrPath {
        urn,
        attr,
        filter,
        sub,
    })
}

/// `urn:…:User:employeeNumber` → (`urn:…:User`, `employeeNumber`); the core User URN is
/// dropped (its attributes live at the top level).
fn split_urn(path: &str) -> (Option<String>, &str) {
    if !path.to_ascii_lowercase().starts_with("urn:") || path.eq_ignore_ascii_case(ENTERPRISE_USER)
    {
        // A whole extension is a top-level attribute named by its URN.
        return (None, path);
    }
    // The URN ends at the last ':' before a `[filter]`: the filter's value may hold colons.
    let head = &path[..path.find('[').unwrap_or(path.len())];
    match head
        .rfind(':')
        .map(|colon| (&path[..colon], &path[colon + 1..]))
    {
        Some((urn, attr)) if !attr.is_empty() => {
            if urn.eq_ignore_ascii_case(CORE_USER) || urn.eq_ignore_ascii_case(CORE_GROUP) {
                (None, attr)
            } else {
                (Some(urn.to_string()), attr)
            }
        }
        _ => (None, path),
    }
}

/// Keys compare case-insensitively (SCIM attribute names are case-insensitive, RFC 7643 §2.1).
fn key_of<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name))
}

fn container<'a>(resource: &'a Value, p: &AttrPath) -> Option<&'a Map<String, Value>> {
    let obj = resource.as_object()?;
    match &p.urn {
        Some(urn) => obj.get(key_of(obj, urn)?)?.as_object(),
        None => Some(obj),
    }
}

fn container_mut<'a>(resource: &'a mut Value, p: &AttrPath) -> Option<&'a mut Map<String, Value>> {
    let obj = resource.as_object_mut()?;
    match &p.urn {
        Some(urn) => {
            let key = key_of(obj, urn).cloned().unwrap_or_else(|| urn.clone());
            let ext = obj.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !ext.is_object() {
                *ext = Value::Object(Map::new());
            }
            ext.as_object_mut()
        }
        None => Some(obj),
    }
}

fn element_matches(item: &Value, filter: &(String, String)) -> bool {
    item.as_object()
        .and_then(|o| key_of(o, &filter.0).and_then(|k| o.get(k)))
        .is_some_and(|v| scalar_text(v).eq_ignore_ascii_case(&filter.1))
}

/// A scalar as text (`true` → `"true"`), for comparisons.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The value at `path`, if any.
pub fn get(resource: &Value, path: &str) -> Option<Value> {
    let p = parse(path)?;
    let obj = container(resource, &p)?;
    let v = obj.get(key_of(obj, &p.attr)?)?;
    let v = match &p.filter {
        Some(f) => v.as_array()?.iter().find(|i| element_matches(i, f))?,
        None => v,
    };
    match &p.sub {
        Some(sub) => match v {
            Value::Array(items) => {
                let values: Vec<Value> = items
                    .iter()
                    .filter_map(|i| i.as_object().and_then(|o| o.get(key_of(o, sub)?)).cloned())
                    .collect();
                (!values.is_empty()).then_some(Value::Array(values))
            }
            Value::Object(o) => o.get(key_of(o, sub)?).cloned(),
            _ => None,
        },
        None => Some(v.clone()),
    }
    .filter(|v| !v.is_null())
}

/// Sets the value at `path`, creating containers and the filtered element as needed (a new
/// `emails[type eq "work"]` element is created with `type` set, and `primary: true` when it is
/// the only one, as Entra's create payload shows).
pub fn set(resource: &mut Value, path: &str, value: Value) -> bool {
    let Some(p) = parse(path) else {
        return false;
    };
    let Some(obj) = container_mut(resource, &p) else {
        return false;
    };
    let key = key_of(obj, &p.attr)
        .cloned()
        .unwrap_or_else(|| p.attr.clone());
    match (&p.filter, &p.sub) {
        (None, None) => {
            obj.insert(key, value);
        }
        (None, Some(sub)) => {
            let slot = obj.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Some(o) = slot.as_object_mut() {
                let k = key_of(o, sub).cloned().unwrap_or_else(|| sub.clone());
                o.insert(k, value);
            }
        }
        (Some(f), sub) => {
            let slot = obj.entry(key).or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            let Some(items) = slot.as_array_mut() else {
                return false;
            };
            let index = match items.iter().position(|i| element_matches(i, f)) {
                Some(i) => i,
                None => {
                    let mut element = Map::new();
                    element.insert(f.0.clone(), Value::String(f.1.clone()));
                    if items.is_empty() && sub.is_some() {
                        element.insert("primary".into(), Value::Bool(true));
                    }
                    items.push(Value::Object(element));
                    items.len() - 1
                }
            };
            match sub {
                Some(sub) => {
                    if let Some(o) = items[index].as_object_mut() {
                        let k = key_of(o, sub).cloned().unwrap_or_else(|| sub.clone());
                        o.insert(k, value);
                    }
                }
                None => items[index] = value,
            }
        }
    }
    true
}

/// Removes the value at `path` (a filtered path removes the matching elements).
pub fn remove(resource: &mut Value, path: &str) -> bool {
    let Some(p) = parse(path) else {
        return false;
    };
    let Some(obj) = container_mut(resource, &p) else {
        return false;
    };
    let Some(key) = key_of(obj, &p.attr).cloned() else {
        return true;
    };
    match (&p.filter, &p.sub) {
        (None, None) => {
            obj.remove(&key);
        }
        (None, Some(sub)) => {
            if let Some(o) = obj.get_mut(&key).and_then(Value::as_object_mut) {
                if let Some(k) = key_of(o, sub).cloned() {
                    o.remove(&k);
                }
            }
        }
        (Some(f), None) => {
            if let Some(items) = obj.get_mut(&key).and_then(Value::as_array_mut) {
                items.retain(|i| !element_matches(i, f));
            }
        }
        (Some(f), Some(sub)) => {
            if let Some(items) = obj.get_mut(&key).and_then(Value::as_array_mut) {
                for i in items.iter_mut().filter(|i| element_matches(i, f)) {
                    if let Some(o) = i.as_object_mut() {
                        if let Some(k) = key_of(o, sub).cloned() {
                            o.remove(&k);
                        }
                    }
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Found by `tests/fuzz_parsers.rs`: a colon in the filter value of an extension attribute
    /// was taken for the end of the URN.
    #[test]
    fn a_colon_in_a_filter_value_is_not_the_end_of_the_urn() {
        let path = format!("{ENTERPRISE_USER}:a[A eq \":\"]");
        assert_eq!(
            parse(&path),
            Some(AttrPath {
                urn: Some(ENTERPRISE_USER.to_string()),
                attr: "a".into(),
                filter: Some(("A".into(), ":".into())),
                sub: None,
            })
        );
        assert_eq!(
            parse("emails[value eq \"sip:ann@x\"].display").map(|p| p.urn),
            Some(None)
        );
    }

    #[test]
    fn reads_and_writes_entra_paths() {
        let mut u =
            json!({"userName": "a", "emails": [{"type": "work", "value": "a@x", "primary": true}]});
        assert_eq!(
            get(&u, "emails[type eq \"work\"].value"),
            Some(json!("a@x"))
        );
        assert!(set(&mut u, "emails[type eq \"work\"].value", json!("b@x")));
        assert_eq!(u["emails"][0]["value"], "b@x");
        assert!(set(&mut u, "name.givenName", json!("Ada")));
        assert_eq!(get(&u, "NAME.givenname"), Some(json!("Ada")));
        let emp = format!("{ENTERPRISE_USER}:employeeNumber");
        assert!(set(&mut u, &emp, json!("E1")));
        assert_eq!(u[ENTERPRISE_USER]["employeeNumber"], "E1");
        assert_eq!(get(&u, &emp), Some(json!("E1")));
        assert!(remove(&mut u, "emails[type eq \"work\"]"));
        assert_eq!(u["emails"], json!([]));
        let mut fresh = json!({});
        set(&mut fresh, "emails[type eq \"work\"].value", json!("c@x"));
        assert_eq!(
            fresh["emails"],
            json!([{"type": "work", "value": "c@x", "primary": true}])
        );
    }

    #[test]
    fn odd_paths_do_not_panic() {
        for p in [
            "",
            "[",
            "]",
            "a[",
            "a]b[",
            "emails[type]",
            "urn:",
            "a.b.c",
            "x[y eq]",
            "é[ü eq \"\"].",
        ] {
            let mut v = json!({"a": 1});
            let _ = get(&v, p);
            let _ = set(&mut v, p, json!(1));
            let _ = remove(&mut v, p);
        }
    }
}
