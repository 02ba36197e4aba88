//! SCIM filters (RFC 7644 §3.4.2.2) for the subset target apps need: `eq`, `ne`, `co`, `sw`,
//! `ew`, `pr`, joined with `and` / `or`. Entra itself only sends `eq` and `and` ("Develop a SCIM
//! endpoint", Entra docs); one docs example leaves the value unquoted
//! (`externalId eq jyoung`), which is accepted too. Comparisons are case-insensitive (userName
//! and e-mail are not case-exact).

use serde_json::Value;

use super::path;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        path: String,
        op: Op,
        value: Option<String>,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Pr,
}

fn tokens(input: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::from("\"");
            loop {
                match chars.next() {
                    Some('\\') => {
                        if let Some(n) = chars.next() {
                            s.push(n);
                        }
                    }
                    Some('"') => break,
                    Some(ch) => s.push(ch),
                    None => return Err("unterminated string in filter".into()),
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            let mut depth = 0usize;
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() && depth == 0 {
                    break;
                }
                if ch == '[' {
                    depth += 1;
                }
                if ch == ']' {
                    depth = depth.saturating_sub(1);
                }
                s.push(ch);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

pub fn parse(input: &str) -> Result<Filter, String> {
    if input.len() > 4096 {
        return Err("filter too long".into());
    }
    let toks = tokens(input)?;
    let mut pos = 0;
    let f = parse_or(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(format!("unexpected '{}' in filter", toks[pos]));
    }
    Ok(f)
}

fn parse_or(t: &[String], pos: &mut usize) -> Result<Filter, String> {
    let mut left = parse_and(t, pos)?;
    while t.get(*pos).is_some_and(|w| w.eq_ignore_ascii_case("or")) {
        *pos += 1;
        let right = parse_and(t, pos)?;
        left = Filter::Or(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_and(t: &[String], pos: &mut usize) -> Result<Filter, String> {
    let mut left = parse_compare(t, pos)?;
    while t.get(*pos).is_some_and(|w| w.eq_ignore_ascii_case("and")) {
        *pos += 1;
        let right = parse_compare(t, pos)?;
        left = Filter::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_compare(t: &[String], pos: &mut usize) -> Result<Filter, String> {
    let path = t
        .get(*pos)
        .filter(|p| !p.starts_with('"'))
        .ok_or("expected an attribute path")?
        .clone();
    let op = match t.get(*pos + 1).map(|o| o.to_ascii_lowercase()).as_deref() {
        Some("eq") => Op::Eq,
        Some("ne") => Op::Ne,
        Some("co") => Op::Co,
        Some("sw") => Op::Sw,
        Some("ew") => Op::Ew,
        Some("pr") => Op::Pr,
        Some(other) => return Err(format!("unsupported filter operator '{other}'")),
        None => return Err("expected an operator".into()),
    };
    if op == Op::Pr {
        *pos += 2;
        return Ok(Filter::Compare {
            path,
            op,
            value: None,
        });
    }
    let raw = t.get(*pos + 2).ok_or("expected a value")?;
    let value = match raw.strip_prefix('"') {
        Some(s) => Some(s.to_string()),
        None if raw.eq_ignore_ascii_case("null") => None,
        None => Some(raw.clone()),
    };
    *pos += 3;
    Ok(Filter::Compare { path, op, value })
}

impl Filter {
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Compare { path, op, value } => {
                let found = path::get(resource, path);
                let texts: Vec<String> = match &found {
                    Some(Value::Array(items)) => items.iter().map(path::scalar_text).collect(),
                    Some(v) => vec![path::scalar_text(v)],
                    None => Vec::new(),
                };
                let want = value.as_deref().unwrap_or_default().to_lowercase();
                let any = |f: &dyn Fn(&str) -> bool| texts.iter().any(|t| f(&t.to_lowercase()));
                match op {
                    Op::Pr => !texts.is_empty(),
                    Op::Eq if value.is_none() => texts.is_empty(),
                    Op::Eq => any(&|t| t == want),
                    Op::Ne => !any(&|t| t == want),
                    Op::Co => any(&|t| t.contains(&want)),
                    Op::Sw => any(&|t| t.starts_with(&want)),
                    Op::Ew => any(&|t| t.ends_with(&want)),
                }
            }
        }
    }

    /// `userName eq "x"` as a pair (the query Entra sends for matching).
    pub fn as_equality(&self) -> Option<(&str, &str)> {
        match self {
            Filter::Compare {
                path,
                op: Op::Eq,
                value: Some(v),
            } => Some((path, v)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entra_and_compliance_filters() {
        let u = json!({"userName": "Jsmith@Contoso.com", "externalId": "jsmith", "emails": [{"type": "work", "value": "j@x"}], "active": false});
        for (f, want) in [
            ("userName eq \"jsmith@contoso.com\"", true),
            ("externalId eq jsmith", true),
            ("userName eq \"a\" and externalId eq \"jsmith\"", false),
            ("userName co \"smith\"", true),
            (
                "userName sw \"js\" and emails[type eq \"work\"].value eq \"j@x\"",
                true,
            ),
            ("emails.value eq \"j@x\"", true),
            ("active eq false", true),
            ("displayName pr", false),
            ("userName eq \"x\" or externalId sw \"j\"", true),
        ] {
            assert_eq!(parse(f).unwrap().matches(&u), want, "{f}");
        }
        for bad in [
            "",
            "userName",
            "userName eq",
            "userName gt \"a\"",
            "\"x\" eq y",
            "a eq \"b",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
