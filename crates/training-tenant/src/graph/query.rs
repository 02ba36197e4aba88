//! OData system query options and paging for Graph collections.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use super::error::GraphError;
use super::filter::{self, Expr};

/// Users and deleted items: default page 100, `$top` 1..=999 (list users doc).
pub const DEFAULT_PAGE: usize = 100;
pub const MAX_PAGE: usize = 999;

#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    pub select: Option<Vec<String>>,
    pub filter: Option<Expr>,
    pub filter_text: Option<String>,
    pub top: Option<usize>,
    pub count: bool,
    pub skiptoken: Option<String>,
    /// `$orderby=property [asc|desc]` (one property).
    pub orderby: Option<OrderBy>,
    /// `$search="property:term" [AND|OR "property:term"]…`
    pub search: Option<Search>,
    /// The raw query string, to rebuild `@odata.nextLink`.
    pub raw: String,
}

impl QueryOptions {
    pub fn parse(raw: &str) -> Result<Self, GraphError> {
        Self::parse_dialect(raw, false)
    }

    /// For the identity reports (`/auditLogs/…`): `$filter` also takes `gt`/`lt`/`contains`.
    pub fn parse_reports(raw: &str) -> Result<Self, GraphError> {
        Self::parse_dialect(raw, true)
    }

    fn parse_dialect(raw: &str, reports: bool) -> Result<Self, GraphError> {
        let mut q = QueryOptions {
            raw: raw.to_string(),
            ..Default::default()
        };
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            match key.as_ref() {
                "$select" => {
                    q.select = Some(
                        value
                            .split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    )
                }
                "$filter" => {
                    let parsed = if reports {
                        filter::parse_reports(&value)
                    } else {
                        filter::parse(&value)
                    };
                    let expr = parsed.map_err(|e| {
                        GraphError::bad_request(format!("Invalid filter clause: {}", e.0))
                    })?;
                    q.filter = Some(expr);
                    q.filter_text = Some(value.into_owned());
                }
                "$top" => {
                    let top = value.trim().parse::<usize>().ok().filter(|t| (1..=MAX_PAGE).contains(t));
                    q.top = Some(top.ok_or_else(|| {
                        GraphError::bad_request(format!(
                            "Invalid page size specified: '{value}'. Must be between 1 and {MAX_PAGE} inclusive."
                        ))
                    })?);
                }
                "$count" => match value.as_ref() {
                    "true" => q.count = true,
                    "false" => q.count = false,
                    other => {
                        return Err(GraphError::bad_request(format!(
                            "Invalid value '{other}' for $count: expected true or false."
                        )))
                    }
                },
                "$skiptoken" => q.skiptoken = Some(value.into_owned()),
                "$orderby" => q.orderby = Some(OrderBy::parse(&value)?),
                "$search" => q.search = Some(Search::parse(&value)?),
                "$expand" | "$skip" | "$format" | "$apply" => {
                    return Err(GraphError::unsupported_query(format!(
                        "The query option '{key}' is not supported by the training tenant on this resource."
                    )))
                }
                k if k.starts_with('$') => {
                    return Err(GraphError::bad_request(format!(
                        "Query option '{k}' is not allowed. Make sure that it is supported for the resource."
                    )))
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// `ConsistencyLevel: eventual` plus `$count=true`: the advanced-query switch.
    pub fn advanced(&self, consistency_eventual: bool) -> bool {
        consistency_eventual && self.count
    }

    /// Rejects filters on properties the resource does not filter on, and advanced operators
    /// without the advanced-query switch (400 `Request_UnsupportedQuery`, advanced query doc).
    pub fn check_filter(
        &self,
        resource: &str,
        filterable: &[&str],
        advanced: bool,
    ) -> Result<(), GraphError> {
        let Some(expr) = &self.filter else {
            return Ok(());
        };
        for p in expr.properties() {
            if !filterable.iter().any(|f| f.eq_ignore_ascii_case(p)) {
                return Err(GraphError::unsupported_query(format!(
                    "Unsupported or invalid query filter clause specified for property '{p}' of resource '{resource}'."
                )));
            }
        }
        if let Some(op) = expr.advanced_operator() {
            if !advanced {
                return Err(GraphError::unsupported_query(format!(
                    "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
                )));
            }
        }
        Ok(())
    }

    /// Checks `$select` against the resource's properties.
    pub fn check_select(&self, type_name: &str, known: &[&str]) -> Result<(), GraphError> {
        for s in self.select.iter().flatten() {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(s)) {
                return Err(GraphError::bad_request(format!(
                    "Could not find a property named '{s}' on type '{type_name}'."
                )));
            }
        }
        Ok(())
    }

    /// Rejects `$orderby` on properties the resource cannot sort by. `$orderby` combined with
    /// `$filter` or `$search` is an advanced query (advanced query doc).
    pub fn check_orderby(
        &self,
        resource: &str,
        sortable: &[&str],
        advanced: bool,
    ) -> Result<(), GraphError> {
        let Some(o) = &self.orderby else {
            return Ok(());
        };
        if !sortable.iter().any(|s| s.eq_ignore_ascii_case(&o.property)) {
            return Err(GraphError::unsupported_query(format!(
                "Sorting by property '{}' of resource '{resource}' is not supported.",
                o.property
            )));
        }
        if (self.filter.is_some() || o.descending) && !advanced {
            return Err(GraphError::unsupported_query(
                "Sorting with a $filter or in descending order is only supported with $count=true and the ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
            ));
        }
        Ok(())
    }

    /// `$search` works only with `ConsistencyLevel: eventual`, on the resource's searchable
    /// properties (advanced query doc).
    pub fn check_search(
        &self,
        searchable: &[&str],
        consistency_eventual: bool,
    ) -> Result<(), GraphError> {
        let Some(search) = &self.search else {
            return Ok(());
        };
        if !consistency_eventual {
            return Err(GraphError::unsupported_query(
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        for (p, _) in &search.terms {
            if !searchable.iter().any(|s| s.eq_ignore_ascii_case(p)) {
                return Err(GraphError::unsupported_query(format!(
                    "This query is not supported: $search on property '{p}'."
                )));
            }
        }
        Ok(())
    }

    pub fn page_size(&self) -> usize {
        self.top.unwrap_or(DEFAULT_PAGE)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    pub property: String,
    pub descending: bool,
}

impl OrderBy {
    fn parse(value: &str) -> Result<Self, GraphError> {
        let parts: Vec<&str> = value.split_whitespace().collect();
        let (property, descending) = match parts.as_slice() {
            [p] => (*p, false),
            [p, dir] if dir.eq_ignore_ascii_case("asc") => (*p, false),
            [p, dir] if dir.eq_ignore_ascii_case("desc") => (*p, true),
            _ => {
                return Err(GraphError::bad_request(format!(
                    "Invalid $orderby '{value}': the training tenant sorts by one property, asc or desc."
                )))
            }
        };
        Ok(Self {
            property: property.to_string(),
            descending,
        })
    }
}

/// `$search="displayName:room" OR "mail:room"`: clauses are ANDed or ORed (not mixed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub terms: Vec<(String, String)>,
    pub any: bool,
}

impl Search {
    fn parse(value: &str) -> Result<Self, GraphError> {
        let invalid = || {
            GraphError::bad_request(format!(
                "Syntax error in $search '{value}': expected \"property:term\" clauses joined by AND or OR."
            ))
        };
        let mut terms = Vec::new();
        let mut joiners = Vec::new();
        let mut rest = value.trim();
        loop {
            let inner = rest.strip_prefix('"').ok_or_else(invalid)?;
            let end = inner.find('"').ok_or_else(invalid)?;
            let (prop, term) = inner[..end].split_once(':').ok_or_else(invalid)?;
            if prop.trim().is_empty() {
                return Err(invalid());
            }
            terms.push((prop.trim().to_string(), term.to_string()));
            rest = inner[end + 1..].trim_start();
            if rest.is_empty() {
                break;
            }
            let (joiner, after) = rest.split_once(char::is_whitespace).ok_or_else(invalid)?;
            if !joiner.eq_ignore_ascii_case("and") && !joiner.eq_ignore_ascii_case("or") {
                return Err(invalid());
            }
            joiners.push(joiner.eq_ignore_ascii_case("or"));
            rest = after.trim_start();
        }
        let any = joiners.first().copied().unwrap_or(false);
        if joiners.iter().any(|j| *j != any) {
            return Err(invalid());
        }
        Ok(Self { terms, any })
    }

    /// Graph tokenizes displayName-like properties and matches word prefixes; other properties
    /// match by prefix. Case-insensitive.
    pub fn matches<'v>(&self, get: &dyn Fn(&str) -> Option<&'v Value>) -> bool {
        let one = |(prop, term): &(String, String)| {
            let term = term.to_lowercase();
            let Some(value) = get(prop).and_then(Value::as_str) else {
                return false;
            };
            let value = value.to_lowercase();
            value.starts_with(&term)
                || value
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|word| !word.is_empty() && word.starts_with(&term))
        };
        if self.any {
            self.terms.iter().any(one)
        } else {
            self.terms.iter().all(one)
        }
    }
}

/// Canonical casing of selected property names.
pub fn canonical<'a>(known: &[&'a str], name: &str) -> Option<&'a str> {
    known.iter().find(|k| k.eq_ignore_ascii_case(name)).copied()
}

/// Applies `$select` (or the default property set) to an object's properties; selected but
/// unset properties come back as `null`, as Graph does.
pub fn project(
    props: &Map<String, Value>,
    select: Option<&[String]>,
    defaults: &[&str],
    known: &[&str],
) -> Map<String, Value> {
    let mut out = Map::new();
    match select {
        Some(names) => {
            for n in names {
                let name = canonical(known, n).unwrap_or(n.as_str());
                out.insert(
                    name.to_string(),
                    props.get(name).cloned().unwrap_or(Value::Null),
                );
            }
        }
        None => {
            for name in defaults {
                out.insert(
                    name.to_string(),
                    props.get(*name).cloned().unwrap_or(Value::Null),
                );
            }
        }
    }
    out
}

/// A page of a collection ordered by a stable key. The skiptoken is opaque to clients (paging
/// doc: "never parse the token"); ours encodes the last key of the previous page, so paging stays
/// correct while objects are added or removed.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_skiptoken: Option<String>,
}

/// `items` must be sorted by key, ascending (or descending with `$orderby … desc`).
pub fn paginate<T>(items: Vec<(String, T)>, opts: &QueryOptions) -> Result<Page<T>, GraphError> {
    let descending = opts.orderby.as_ref().is_some_and(|o| o.descending);
    let after = match &opts.skiptoken {
        Some(token) => Some(decode_skiptoken(token)?),
        None => None,
    };
    let size = opts.page_size();
    let mut rest: Vec<(String, T)> = match &after {
        Some(a) if descending => items.into_iter().filter(|(k, _)| k < a).collect(),
        Some(a) => items.into_iter().filter(|(k, _)| k > a).collect(),
        None => items,
    };
    let more = rest.len() > size;
    rest.truncate(size);
    let next_skiptoken = if more {
        rest.last().map(|(k, _)| encode_skiptoken(k))
    } else {
        None
    };
    Ok(Page {
        items: rest.into_iter().map(|(_, v)| v).collect(),
        next_skiptoken,
    })
}

fn encode_skiptoken(last_key: &str) -> String {
    format!(
        "RFNwdAIA{}",
        URL_SAFE_NO_PAD.encode(format!("after:{last_key}"))
    )
}

fn decode_skiptoken(token: &str) -> Result<String, GraphError> {
    token
        .strip_prefix("RFNwdAIA")
        .and_then(|t| URL_SAFE_NO_PAD.decode(t).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("after:").map(str::to_string))
        .ok_or_else(|| {
            GraphError::bad_request("The specified page token value has expired or is invalid.")
        })
}

/// The absolute next link: the same request with the new `$skiptoken`.
pub fn next_link(
    base: &str,
    version: &str,
    path: &str,
    raw_query: &str,
    skiptoken: &str,
) -> String {
    let kept: Vec<&str> = raw_query
        .split('&')
        .filter(|p| {
            !p.is_empty()
                && !p.starts_with("$skiptoken=")
                && !p.to_ascii_lowercase().starts_with("%24skiptoken=")
        })
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("$skiptoken=");
    query.push_str(&url::form_urlencoded::byte_serialize(skiptoken.as_bytes()).collect::<String>());
    format!("{base}/{version}{path}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_every_item_once() {
        let items: Vec<(String, usize)> = (0..25).map(|i| (format!("{i:03}"), i)).collect();
        let mut opts = QueryOptions::parse("$top=10").unwrap();
        let mut seen = Vec::new();
        loop {
            let page = paginate(items.clone(), &opts).unwrap();
            seen.extend(page.items);
            match page.next_skiptoken {
                Some(t) => opts.skiptoken = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, (0..25).collect::<Vec<_>>());
    }

    #[test]
    fn bad_options_are_400s() {
        assert!(QueryOptions::parse("$top=0").is_err());
        assert!(QueryOptions::parse("$top=1000").is_err());
        assert!(QueryOptions::parse("$top=abc").is_err());
        assert!(QueryOptions::parse("$filter=a%20eq").is_err());
        assert!(QueryOptions::parse("$bogus=1").is_err());
        assert!(QueryOptions::parse("$orderby=a%20b%20c").is_err());
        assert!(QueryOptions::parse("$search=displayName:x").is_err());
        assert!(QueryOptions::parse(
            "$search=%22displayName:x%22%20AND%20%22mail:y%22%20OR%20%22a:b%22"
        )
        .is_err());
        let mut q = QueryOptions::parse("").unwrap();
        q.skiptoken = Some("garbage".into());
        assert!(paginate(Vec::<(String, u8)>::new(), &q).is_err());
    }

    #[test]
    fn search_matches_word_prefixes() {
        let q = QueryOptions::parse("$search=%22displayName:brie%22%20OR%20%22mail:zz%22").unwrap();
        let s = q.search.unwrap();
        let v = serde_json::json!({"displayName": "Siobhan O'Brien", "mail": "a@b"});
        assert!(s.matches(&|p| v.get(p)));
        let q = QueryOptions::parse("$search=%22displayName:bri%22%20AND%20%22mail:zz%22").unwrap();
        assert!(!q.search.unwrap().matches(&|p| v.get(p)));
    }

    #[test]
    fn next_link_replaces_the_skiptoken() {
        let link = next_link(
            "http://127.0.0.1:1",
            "v1.0",
            "/users",
            "$top=5&$skiptoken=old",
            "new+/",
        );
        assert_eq!(
            link,
            "http://127.0.0.1:1/v1.0/users?$top=5&$skiptoken=new%2B%2F"
        );
    }
}
