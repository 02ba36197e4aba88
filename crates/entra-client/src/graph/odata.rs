//! OData literals and filters.
//!
//! OData string literals are single-quoted and a quote inside is doubled (OData ABNF
//! `SQUOTE-in-string`), so `o'brien@contoso.com` becomes `'o''brien@contoso.com'`. Percent-
//! encoding of the query (`#EXT#` → `%23EXT%23`, `+`, `&`) is left to `url`'s query serializer:
//! filters are built as plain text and added with `query_pairs_mut`, never spliced into a URL.

use chrono::{DateTime, SecondsFormat, Utc};

/// `'…'` with embedded single quotes doubled.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A DateTimeOffset literal (unquoted in OData v4): `2025-01-01T00:00:00Z`.
pub fn datetime(value: DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `property eq 'value'`.
pub fn eq(property: &str, value: &str) -> String {
    format!("{property} eq {}", quote(value))
}

/// `startswith(property,'value')`.
pub fn starts_with(property: &str, value: &str) -> String {
    format!("startswith({property},{})", quote(value))
}

/// Joins clauses with ` and `, parenthesising each so `or` clauses keep their meaning.
pub fn and(clauses: &[String]) -> String {
    join(clauses, " and ")
}

/// Joins clauses with ` or `.
pub fn or(clauses: &[String]) -> String {
    join(clauses, " or ")
}

fn join(clauses: &[String], op: &str) -> String {
    match clauses.len() {
        0 => String::new(),
        1 => clauses[0].clone(),
        _ => clauses
            .iter()
            .map(|c| {
                if c.contains(" or ") || c.contains(" and ") {
                    format!("({c})")
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(op),
    }
}

/// Path segments addressing one entity of `collection` by id or key. A key starting with `$`
/// can't be a plain segment and is written `users('$x@y.com')` ("Get user", Microsoft Learn).
pub fn entity_segments(collection: &str, key: &str) -> Vec<String> {
    if key.starts_with('$') {
        vec![format!("{collection}({})", quote(key))]
    } else {
        vec![collection.to_string(), key.to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(quote("o'brien@contoso.com"), "'o''brien@contoso.com'");
        assert_eq!(
            eq("userPrincipalName", "o'brien@contoso.com"),
            "userPrincipalName eq 'o''brien@contoso.com'"
        );
        assert_eq!(quote("''"), "''''''");
    }

    #[test]
    fn percent_encoding_is_left_to_the_url_serializer() {
        let mut url = url::Url::parse("https://graph.microsoft.com/v1.0/users").unwrap();
        url.query_pairs_mut().append_pair(
            "$filter",
            &eq("userPrincipalName", "ad_fabrikam.com#EXT#@contoso.com"),
        );
        assert!(url.as_str().contains("%23EXT%23"), "{url}");
        let back: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            back[0].1,
            "userPrincipalName eq 'ad_fabrikam.com#EXT#@contoso.com'"
        );
    }

    #[test]
    fn clauses_combine_with_parentheses() {
        let f = and(&[or(&[eq("a", "1"), eq("b", "2")]), eq("c", "3")]);
        assert_eq!(f, "(a eq '1' or b eq '2') and c eq '3'");
        assert_eq!(
            entity_segments("users", "$admin@contoso.com"),
            vec!["users('$admin@contoso.com')".to_string()]
        );
        assert_eq!(
            entity_segments("users", "x@contoso.com"),
            vec!["users".to_string(), "x@contoso.com".to_string()]
        );
    }

    #[test]
    fn datetimes_are_unquoted_utc() {
        let t = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(datetime(t), "2025-01-01T00:00:00Z");
    }
}
