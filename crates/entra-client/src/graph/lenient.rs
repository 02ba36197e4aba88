//! Tolerant deserializers for what Microsoft actually sends (graph-api.md §9).
//!
//! * DateTimeOffsets may be `""`, `null` or `0001-01-01T00:00:00Z`, all meaning "none" (§9.3).
//! * Booleans and numbers may arrive as strings (`"True"`, `"500"`) (§9.4).
//! * Enum casing differs between endpoints and even between examples (§9.2): enums here are
//!   parsed case-insensitively and keep unknown values instead of failing.
//! * A property documented as a collection may be a single object (§9.10).
//! * A collection may be `null`.

use chrono::{DateTime, Datelike, Utc};
use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

/// `null`, `""`, the year-1 sentinel or an unparseable value → `None`.
pub fn opt_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.as_ref().and_then(Value::as_str).and_then(parse_datetime))
}

/// Parses an ISO-8601 DateTimeOffset; the .NET `DateTimeOffset.MinValue` sentinel is "none".
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        // Graph sometimes omits the offset ("2020-08-18T12:51:51"): it is UTC.
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })?;
    (parsed.year() > 1).then_some(parsed)
}

/// `true`, `"True"`, `"true"`, `1` → `Some(true)`; `null`/`""`/unknown → `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.as_ref().and_then(value_as_bool))
}

pub fn value_as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

/// A boolean that defaults to `false` when missing, null or unreadable.
pub fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

/// A number or a numeric string.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A string, or any scalar rendered as a string (`"500"`, `500`, `true`).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::String(s)) => Some(s),
        Some(Value::Null) | None => None,
        Some(other @ (Value::Number(_) | Value::Bool(_))) => Some(other.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

/// `null` or missing → empty collection; elements that don't parse are skipped rather than
/// failing the whole answer (the docs' own examples contain `{}` placeholders).
pub fn vec_skip_bad<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|i| serde_json::from_value(i).ok())
            .collect(),
        Some(Value::Null) | None => Vec::new(),
        // A single object where a collection was documented (§9.10).
        Some(single) => serde_json::from_value(single).ok().into_iter().collect(),
    })
}

/// Defines a string enum that parses case-insensitively, keeps unknown values, and serializes
/// as the canonical (documented) spelling.
macro_rules! lenient_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this client does not know (kept verbatim).
            Unrecognized(String),
        }

        impl $name {
            pub fn parse(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($text) { return $name::$variant; })+
                $name::Unrecognized(s.to_string())
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unrecognized(s) => s,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = Option::<serde_json::Value>::deserialize(d)?;
                Ok(match v {
                    Some(serde_json::Value::String(s)) => $name::parse(&s),
                    Some(serde_json::Value::Null) | None => $name::Unrecognized(String::new()),
                    Some(other) => $name::Unrecognized(other.to_string()),
                })
            }
        }
    };
}
pub(crate) use lenient_enum;

/// Parses an ISO-8601 duration such as `PT40M` or `P10675199DT2H48M5.4775807S`.
/// .NET's `TimeSpan.MaxValue` (how Graph says "never") comes out as `None`.
pub fn parse_iso_duration(s: &str) -> Option<std::time::Duration> {
    let rest = s.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut secs = 0f64;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
            } else {
                let factor = units.iter().find(|(u, _)| *u == c)?.1;
                secs += num.parse::<f64>().ok()? * factor;
                num.clear();
            }
        }
        num.is_empty().then_some(())
    };
    take(
        date,
        &[
            ('Y', 365.0 * 86400.0),
            ('M', 30.0 * 86400.0),
            ('W', 7.0 * 86400.0),
            ('D', 86400.0),
        ],
    )?;
    take(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    // Anything beyond ~100 years is the "never" sentinel.
    (secs < 100.0 * 365.0 * 86400.0).then(|| std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "opt_datetime")]
        at: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_i64")]
        n: Option<i64>,
    }

    fn t(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn none_dates() {
        assert!(t(r#"{"at":""}"#).at.is_none());
        assert!(t(r#"{"at":null}"#).at.is_none());
        assert!(t(r#"{"at":"0001-01-01T00:00:00Z"}"#).at.is_none());
        assert!(t(r#"{}"#).at.is_none());
        assert!(t(r#"{"at":"2020-06-26T13:58:24.7682084Z"}"#).at.is_some());
        assert!(t(r#"{"at":"2020-08-18T12:51:51"}"#).at.is_some());
    }

    #[test]
    fn string_scalars() {
        assert_eq!(t(r#"{"flag":"True"}"#).flag, Some(true));
        assert_eq!(t(r#"{"flag":"false"}"#).flag, Some(false));
        assert_eq!(t(r#"{"flag":false}"#).flag, Some(false));
        assert_eq!(t(r#"{"n":"500"}"#).n, Some(500));
        assert_eq!(t(r#"{"n":2}"#).n, Some(2));
    }

    #[test]
    fn durations() {
        assert_eq!(
            parse_iso_duration("PT40M"),
            Some(std::time::Duration::from_secs(2400))
        );
        assert_eq!(
            parse_iso_duration("PT2M"),
            Some(std::time::Duration::from_secs(120))
        );
        assert_eq!(parse_iso_duration("P10675199DT2H48M5.4775807S"), None);
        assert_eq!(parse_iso_duration("garbage"), None);
    }
}
