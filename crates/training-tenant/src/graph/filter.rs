//! An OData `$filter` parser and evaluator for the subset the directory supports:
//! `eq`, `ne`, `in`, `startswith()`, `endswith()`, `and`, `or`, `not`, parentheses, and the
//! `any` lambda on string collections (`otherMails/any(x:x eq 'a@b.com')`, graph-docs
//! `concepts/filter-query-parameter.md`, "Filter using lambda operators"); literals are
//! single-quoted strings (a quote is doubled: `'O''Brien'`), `true`/`false`, `null`, numbers and
//! bare GUIDs (`resourceId eq 8e881353-...`).
//!
//! Pure functions with no panics on any input (a fuzz target drives `parse`). String comparison is
//! case-insensitive, like the directory's (UPNs and mail are looked up regardless of case); for
//! values inside `any` (`smtp:` aliases, other e-mails) Microsoft's pages say nothing about case,
//! and the tenant keeps the same rule — the desk does not rely on it for the `smtp:`/`SMTP:`
//! prefix and asks for both spellings. The identity reports compare exactly
//! ([`Expr::matches_case_sensitive`]).

use serde_json::Value;

const MAX_DEPTH: usize = 32;
const MAX_LEN: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Bool(bool),
    Null,
    Number(f64),
    Guid(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Eq(String, Literal),
    Ne(String, Literal),
    In(String, Vec<Literal>),
    StartsWith(String, String),
    EndsWith(String, String),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// `gt`/`ge`/`lt`/`le` (reports dialect only, e.g. `activityDateTime gt 2025-01-01T00:00:00Z`).
    Compare(String, Ordering, Literal),
    /// `contains(property,'value')` (reports dialect only).
    Contains(String, String),
    /// `collection/any(var:body)`: true when one item of the string collection satisfies
    /// `body`, in which `var` stands for the item.
    Any {
        collection: String,
        var: String,
        body: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            ',' => {
                chars.next();
                out.push(Token::Comma);
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) => {
                            if matches!(chars.peek(), Some((_, '\''))) {
                                chars.next();
                                s.push('\'');
                            } else {
                                break;
                            }
                        }
                        Some((_, ch)) => s.push(ch),
                        None => {
                            return Err(FilterError(format!(
                            "There is an unterminated string literal at position {i} in '{input}'."
                        )))
                        }
                    }
                }
                out.push(Token::Str(s));
            }
            c if c.is_alphanumeric()
                || matches!(c, '_' | '-' | '.' | '/' | '@' | '$' | '+' | ':') =>
            {
                let mut s = String::new();
                while let Some(&(_, ch)) = chars.peek() {
                    if ch.is_alphanumeric()
                        || matches!(ch, '_' | '-' | '.' | '/' | '@' | '$' | '+' | ':')
                    {
                        s.push(ch);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Ident(s));
            }
            other => {
                return Err(FilterError(format!(
                    "Syntax error: character '{other}' is not valid at position {i} in '{input}'."
                )))
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    /// The audit-log dialect: `gt`/`lt`/`ge`/`le`, `contains()` and unquoted date-times
    /// (provisioningObjectSummary list doc).
    reports: bool,
}

pub fn parse(input: &str) -> Result<Expr, FilterError> {
    parse_dialect(input, false)
}

/// `$filter` for the identity reports (`/auditLogs/provisioning`).
pub fn parse_reports(input: &str) -> Result<Expr, FilterError> {
    parse_dialect(input, true)
}

fn parse_dialect(input: &str, reports: bool) -> Result<Expr, FilterError> {
    if input.len() > MAX_LEN {
        return Err(FilterError("The $filter expression is too long.".into()));
    }
    let tokens = tokenize(input)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        reports,
    };
    let e = p.or()?;
    if p.pos != p.tokens.len() {
        return Err(FilterError(format!(
            "Syntax error at position {} in '{input}'.",
            p.pos
        )));
    }
    Ok(e)
}

fn strip_suffix_ignore_case<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = name.len().checked_sub(suffix.len())?;
    (name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(suffix)).then(|| &name[..cut])
}

fn is_variable(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn is_keyword(t: Option<&Token>, kw: &str) -> bool {
    matches!(t, Some(Token::Ident(s)) if s.eq_ignore_ascii_case(kw))
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, t: Token) -> Result<(), FilterError> {
        match self.next() {
            Some(ref got) if *got == t => Ok(()),
            got => Err(FilterError(format!(
                "Syntax error: expected {t:?}, found {got:?}."
            ))),
        }
    }

    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError(
                "The $filter expression is nested too deeply.".into(),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        self.enter()?;
        let mut left = self.and()?;
        while is_keyword(self.peek(), "or") {
            self.next();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while is_keyword(self.peek(), "and") {
            self.next();
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if is_keyword(self.peek(), "not") {
            self.next();
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        match self.next() {
            Some(Token::Open) => {
                let e = self.or()?;
                self.expect(Token::Close)?;
                Ok(e)
            }
            Some(Token::Ident(name)) if matches!(self.peek(), Some(Token::Open)) => {
                self.function(&name)
            }
            Some(Token::Ident(property)) => self.comparison(property),
            other => Err(FilterError(format!(
                "Syntax error: expected a property or function, found {other:?}."
            ))),
        }
    }

    fn function(&mut self, name: &str) -> Result<Expr, FilterError> {
        if let Some(collection) = strip_suffix_ignore_case(name, "/any") {
            return self.lambda(collection);
        }
        let lower = name.to_ascii_lowercase();
        let contains = self.reports && lower == "contains";
        if lower != "startswith" && lower != "endswith" && !contains {
            return Err(FilterError(format!("Unsupported function '{name}'.")));
        }
        self.expect(Token::Open)?;
        let property = match self.next() {
            Some(Token::Ident(p)) => p,
            other => {
                return Err(FilterError(format!(
                    "Syntax error: expected a property, found {other:?}."
                )))
            }
        };
        self.expect(Token::Comma)?;
        let value = match self.next() {
            Some(Token::Str(s)) => s,
            other => {
                return Err(FilterError(format!(
                    "Syntax error: expected a string literal, found {other:?}."
                )))
            }
        };
        self.expect(Token::Close)?;
        if contains {
            return Ok(Expr::Contains(property, value));
        }
        Ok(if lower == "startswith" {
            Expr::StartsWith(property, value)
        } else {
            Expr::EndsWith(property, value)
        })
    }

    /// `collection/any(var:body)`. The tokenizer keeps `x:x` (or `x:startswith`) as one word:
    /// it is split at the first `:` and the rest goes back as the body's first word.
    fn lambda(&mut self, collection: &str) -> Result<Expr, FilterError> {
        if collection.is_empty() || self.reports {
            return Err(FilterError(format!(
                "Unsupported function '{collection}/any'."
            )));
        }
        self.expect(Token::Open)?;
        let (var, rest) = match self.next() {
            Some(Token::Ident(word)) => match word.split_once(':') {
                Some((var, rest)) if is_variable(var) => (var.to_string(), rest.to_string()),
                _ => {
                    return Err(FilterError(format!(
                    "Syntax error: expected 'variable:' after '{collection}/any(', found '{word}'."
                )))
                }
            },
            other => {
                return Err(FilterError(format!(
                    "Syntax error: expected 'variable:' after '{collection}/any(', found {other:?}."
                )))
            }
        };
        if !rest.is_empty() {
            self.pos -= 1;
            self.tokens[self.pos] = Token::Ident(rest);
        }
        self.enter()?;
        let body = self.or()?;
        self.depth -= 1;
        self.expect(Token::Close)?;
        // Inside the lambda only the variable can be compared (no nested properties: the
        // collections we serve hold strings).
        if let Some(other) = body.properties().into_iter().find(|p| *p != var) {
            return Err(FilterError(format!(
                "Syntax error: '{other}' is not the lambda variable '{var}'."
            )));
        }
        Ok(Expr::Any {
            collection: collection.to_string(),
            var,
            body: Box::new(body),
        })
    }

    fn comparison(&mut self, property: String) -> Result<Expr, FilterError> {
        let op = match self.next() {
            Some(Token::Ident(op)) => op.to_ascii_lowercase(),
            other => {
                return Err(FilterError(format!(
                    "Syntax error: expected an operator after '{property}', found {other:?}."
                )))
            }
        };
        match op.as_str() {
            "eq" => Ok(Expr::Eq(property, self.literal()?)),
            "ne" => Ok(Expr::Ne(property, self.literal()?)),
            "in" => {
                self.expect(Token::Open)?;
                let mut values = vec![self.literal()?];
                while matches!(self.peek(), Some(Token::Comma)) {
                    self.next();
                    values.push(self.literal()?);
                }
                self.expect(Token::Close)?;
                Ok(Expr::In(property, values))
            }
            "gt" | "ge" | "lt" | "le" if self.reports => {
                let ordering = match op.as_str() {
                    "gt" => Ordering::Gt,
                    "ge" => Ordering::Ge,
                    "lt" => Ordering::Lt,
                    _ => Ordering::Le,
                };
                Ok(Expr::Compare(property, ordering, self.literal()?))
            }
            "gt" | "ge" | "lt" | "le" | "has" => Err(FilterError(format!(
                "Operator '{op}' is not supported by the training tenant for property '{property}'."
            ))),
            other => Err(FilterError(format!(
                "Syntax error: unknown operator '{other}'."
            ))),
        }
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Literal::String(s)),
            Some(Token::Ident(s)) => {
                let lower = s.to_ascii_lowercase();
                match lower.as_str() {
                    "true" => Ok(Literal::Bool(true)),
                    "false" => Ok(Literal::Bool(false)),
                    "null" => Ok(Literal::Null),
                    _ if uuid::Uuid::parse_str(&s).is_ok() => Ok(Literal::Guid(lower)),
                    _ if self.reports && chrono::DateTime::parse_from_rfc3339(&s).is_ok() => {
                        Ok(Literal::String(s))
                    }
                    _ => s
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .map(Literal::Number)
                        .ok_or_else(|| {
                            FilterError(format!("Syntax error: '{s}' is not a valid literal."))
                        }),
                }
            }
            other => Err(FilterError(format!(
                "Syntax error: expected a literal, found {other:?}."
            ))),
        }
    }
}

impl Expr {
    /// Every property the expression mentions.
    pub fn properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_properties(&mut out);
        out
    }

    fn collect_properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Eq(p, _)
            | Expr::Ne(p, _)
            | Expr::In(p, _)
            | Expr::StartsWith(p, _)
            | Expr::EndsWith(p, _)
            | Expr::Compare(p, _, _)
            | Expr::Contains(p, _) => out.push(p),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.collect_properties(out);
                b.collect_properties(out);
            }
            Expr::Not(a) => a.collect_properties(out),
            // The variable is not a property; the collection is.
            Expr::Any { collection, .. } => out.push(collection),
        }
    }

    /// Properties compared directly (`p eq …`, `startswith(p,…)`), not through `any`: Graph
    /// filters a string collection only with a lambda.
    pub fn direct_properties(&self) -> Vec<&str> {
        match self {
            Expr::Any { .. } => Vec::new(),
            Expr::And(a, b) | Expr::Or(a, b) => {
                let mut out = a.direct_properties();
                out.extend(b.direct_properties());
                out
            }
            Expr::Not(a) => a.direct_properties(),
            other => other.properties(),
        }
    }

    /// Collections filtered with `any`.
    pub fn lambda_collections(&self) -> Vec<&str> {
        match self {
            Expr::Any { collection, .. } => vec![collection.as_str()],
            Expr::And(a, b) | Expr::Or(a, b) => {
                let mut out = a.lambda_collections();
                out.extend(b.lambda_collections());
                out
            }
            Expr::Not(a) => a.lambda_collections(),
            _ => Vec::new(),
        }
    }

    /// `ne`, `not` and `endswith` are advanced queries on directory objects: they need
    /// `ConsistencyLevel: eventual` and `$count=true` (advanced query doc).
    pub fn advanced_operator(&self) -> Option<&'static str> {
        match self {
            Expr::Ne(..) => Some("ne"),
            Expr::Not(..) => Some("not"),
            Expr::EndsWith(..) => Some("endsWith"),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.advanced_operator().or_else(|| b.advanced_operator())
            }
            // "Use of $filter on a collection with endsWith operator" is listed among the
            // queries that need advanced query parameters; `eq` and `startsWith` inside `any`
            // work by default on otherMails and proxyAddresses (graph-docs
            // `concepts/aad-advanced-queries.md` and `includes/filter-directory-objects.md`).
            Expr::Any { body, .. } => body.advanced_operator(),
            Expr::Eq(..)
            | Expr::In(..)
            | Expr::StartsWith(..)
            | Expr::Compare(..)
            | Expr::Contains(..) => None,
        }
    }

    /// Evaluates against an object; `get` returns a property by (exact) name. Strings compare
    /// case-insensitively, like the directory's.
    pub fn matches<'v>(&self, get: &dyn Fn(&str) -> Option<&'v Value>) -> bool {
        self.evaluate(get, Case::Insensitive)
    }

    /// Evaluates with strings compared exactly: the identity reports' dialect ("The filters are
    /// all case sensitive", graph-docs `api-reference/v1.0/api/provisioningobjectsummary-list.md`).
    pub fn matches_case_sensitive<'v>(&self, get: &dyn Fn(&str) -> Option<&'v Value>) -> bool {
        self.evaluate(get, Case::Sensitive)
    }

    fn evaluate<'v>(&self, get: &dyn Fn(&str) -> Option<&'v Value>, case: Case) -> bool {
        let fold = |s: &str| case.fold(s);
        match self {
            Expr::Eq(p, lit) => literal_eq(get(p), lit, case),
            Expr::Ne(p, lit) => !literal_eq(get(p), lit, case),
            Expr::In(p, lits) => lits.iter().any(|l| literal_eq(get(p), l, case)),
            Expr::StartsWith(p, s) => {
                string_of(get(p)).is_some_and(|v| fold(v).starts_with(&fold(s)))
            }
            Expr::EndsWith(p, s) => string_of(get(p)).is_some_and(|v| fold(v).ends_with(&fold(s))),
            Expr::Compare(p, ordering, lit) => {
                compare(get(p), lit).is_some_and(|o| match ordering {
                    Ordering::Gt => o.is_gt(),
                    Ordering::Ge => o.is_ge(),
                    Ordering::Lt => o.is_lt(),
                    Ordering::Le => o.is_le(),
                })
            }
            Expr::Contains(p, s) => string_of(get(p)).is_some_and(|v| fold(v).contains(&fold(s))),
            Expr::And(a, b) => a.evaluate(get, case) && b.evaluate(get, case),
            Expr::Or(a, b) => a.evaluate(get, case) || b.evaluate(get, case),
            Expr::Not(a) => !a.evaluate(get, case),
            Expr::Any {
                collection,
                var,
                body,
            } => match get(collection) {
                Some(Value::Array(items)) => items
                    .iter()
                    .any(|item| body.evaluate(&|p| (p == var).then_some(item), case)),
                _ => false,
            },
        }
    }

    /// If the whole filter is `property eq 'value'`, that pair (lets callers use an index).
    pub fn as_equality(&self) -> Option<(&str, &str)> {
        match self {
            Expr::Eq(p, Literal::String(s)) | Expr::Eq(p, Literal::Guid(s)) => Some((p, s)),
            _ => None,
        }
    }
}

/// Orders a value against a literal: date-times as instants, numbers numerically.
fn compare(value: Option<&Value>, lit: &Literal) -> Option<std::cmp::Ordering> {
    match (value?, lit) {
        (Value::String(v), Literal::String(s)) => {
            match (
                chrono::DateTime::parse_from_rfc3339(v),
                chrono::DateTime::parse_from_rfc3339(s),
            ) {
                (Ok(a), Ok(b)) => Some(a.cmp(&b)),
                _ => Some(v.as_str().cmp(s.as_str())),
            }
        }
        (Value::Number(v), Literal::Number(n)) => v.as_f64()?.partial_cmp(n),
        _ => None,
    }
}

/// How string values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Insensitive,
    Sensitive,
}

impl Case {
    fn fold(self, s: &str) -> String {
        match self {
            Case::Insensitive => s.to_lowercase(),
            Case::Sensitive => s.to_string(),
        }
    }
}

fn string_of(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

fn literal_eq(value: Option<&Value>, lit: &Literal, case: Case) -> bool {
    match (value, lit) {
        (None | Some(Value::Null), Literal::Null) => true,
        // An unquoted GUID is lowercased when parsed: it compares without case in both dialects.
        (Some(Value::String(v)), Literal::Guid(s)) => v.to_lowercase() == *s,
        (Some(Value::String(v)), Literal::String(s)) => case.fold(v) == case.fold(s),
        (Some(Value::Bool(v)), Literal::Bool(b)) => v == b,
        (Some(Value::Number(v)), Literal::Number(n)) => v.as_f64() == Some(*n),
        (Some(Value::Array(items)), lit) => items.iter().any(|i| literal_eq(Some(i), lit, case)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(filter: &str, obj: &Value) -> bool {
        let e = parse(filter).expect("parses");
        e.matches(&|p| obj.get(p))
    }

    #[test]
    fn doubled_quotes_are_one_quote() {
        let e = parse("surname eq 'O''Brien'").unwrap();
        assert_eq!(
            e,
            Expr::Eq("surname".into(), Literal::String("O'Brien".into()))
        );
    }

    #[test]
    fn evaluates_the_supported_operators() {
        let u = json!({"userPrincipalName": "Siobhan.OBrien@contoso.com", "accountEnabled": false, "givenName": "Siobhan", "mail": null});
        assert!(eval(
            "userPrincipalName eq 'siobhan.obrien@CONTOSO.com'",
            &u
        ));
        assert!(eval(
            "startswith(givenName,'sio') and accountEnabled eq false",
            &u
        ));
        assert!(eval("accountEnabled eq true or givenName eq 'Siobhan'", &u));
        assert!(eval("not (accountEnabled eq true)", &u));
        assert!(eval("mail eq null", &u));
        assert!(eval("givenName in ('Pat', 'siobhan')", &u));
        assert!(eval("endswith(userPrincipalName,'@contoso.com')", &u));
        assert!(!eval("givenName ne 'Siobhan'", &u));
        assert!(eval(
            "(givenName eq 'x' or givenName eq 'Siobhan') and not(accountEnabled eq true)",
            &u
        ));
    }

    #[test]
    fn any_lambdas_match_one_item_of_a_string_collection() {
        let u = json!({
            "otherMails": ["ivy.personal@example.net"],
            "proxyAddresses": ["SMTP:ivy@contoso.com", "smtp:ivy@fabrikam.com"],
        });
        assert!(eval(
            "otherMails/any(x:x eq 'Ivy.Personal@example.net')",
            &u
        ));
        assert!(eval(
            "proxyAddresses/any(p: p eq 'smtp:ivy@contoso.com')",
            &u
        ));
        assert!(eval(
            "proxyAddresses/any(p:startswith(p,'SMTP:ivy@fab'))",
            &u
        ));
        assert!(eval(
            "mail eq 'nobody@x' or proxyAddresses/any(c:c eq 'SMTP:IVY@FABRIKAM.COM')",
            &u
        ));
        assert!(!eval("otherMails/any(x:x eq 'ivy@contoso.com')", &u));
        assert!(!eval("businessPhones/any(x:x eq '1')", &u));
        let e = parse("proxyAddresses/any(p:endswith(p,'fabrikam.com'))").unwrap();
        assert_eq!(e.advanced_operator(), Some("endsWith"));
        assert_eq!(e.properties(), ["proxyAddresses"]);
        assert!(e.direct_properties().is_empty());
        assert_eq!(e.lambda_collections(), ["proxyAddresses"]);
        let e = parse("otherMails/any(x:x eq 'a') or mail eq 'a'").unwrap();
        assert_eq!(e.advanced_operator(), None);
        assert_eq!(e.direct_properties(), ["mail"]);
        for bad in [
            "otherMails/any(x:y eq 'a')",
            "otherMails/any(x:x eq 'a'",
            "otherMails/any(:x eq 'a')",
            "otherMails/any(x eq 'a')",
            "/any(x:x eq 'a')",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn the_reports_dialect_orders_date_times() {
        let e = json!({"activityDateTime": "2025-03-01T10:00:00Z", "jobId": "scim.abc"});
        let f = parse_reports("activityDateTime gt 2025-01-01T00:00:00Z and contains(jobId,'ABC')")
            .unwrap();
        assert!(f.matches(&|p| e.get(p)));
        let f = parse_reports("activityDateTime lt 2025-01-01T00:00:00Z").unwrap();
        assert!(!f.matches(&|p| e.get(p)));
        assert!(parse("activityDateTime gt 2025-01-01T00:00:00Z").is_err());
        assert!(parse("contains(jobId,'a')").is_err());
    }

    #[test]
    fn the_reports_compare_values_exactly_and_the_directory_does_not() {
        let e = json!({"provisioningAction": "disable", "jobId": "scim.abc"});
        let get = |p: &str| e.get(p);
        let capitalised = parse_reports("provisioningAction eq 'Disable'").unwrap();
        assert!(capitalised.matches(&get));
        assert!(!capitalised.matches_case_sensitive(&get));
        let exact =
            parse_reports("provisioningAction eq 'disable' and contains(jobId,'abc')").unwrap();
        assert!(exact.matches_case_sensitive(&get));
        assert!(!parse_reports("contains(jobId,'ABC')")
            .unwrap()
            .matches_case_sensitive(&get));
    }

    #[test]
    fn guid_literals_are_unquoted() {
        let e = parse("resourceId eq 8E881353-1735-45af-af21-ee1344582a4d").unwrap();
        assert_eq!(
            e.as_equality(),
            Some(("resourceId", "8e881353-1735-45af-af21-ee1344582a4d"))
        );
    }

    #[test]
    fn advanced_operators_are_detected() {
        assert_eq!(parse("a ne 'b'").unwrap().advanced_operator(), Some("ne"));
        assert_eq!(
            parse("a eq 'b' and not(c eq 'd')")
                .unwrap()
                .advanced_operator(),
            Some("not")
        );
        assert_eq!(
            parse("startswith(a,'b')").unwrap().advanced_operator(),
            None
        );
    }

    /// The fuzz corpus (seeded from the filters the tests use) parses or fails cleanly.
    #[test]
    fn fuzz_corpus_seeds_do_not_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/filter");
        let entries = std::fs::read_dir(&dir).expect("corpus directory");
        let user = json!({"displayName": "x", "accountEnabled": true});
        let mut n = 0;
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            if let Ok(e) = parse(&text) {
                let _ = e.matches(&|p| user.get(p));
            }
            n += 1;
        }
        assert!(n >= 10);
    }

    /// A stable-toolchain stand-in for the fuzz target: many random token soups.
    #[test]
    fn random_token_soups_never_panic() {
        use rand::{Rng, SeedableRng};
        const PIECES: &[&str] = &[
            "(",
            ")",
            " ",
            "'",
            "''",
            "eq",
            "ne",
            "in",
            "and",
            "or",
            "not",
            "startswith",
            "endswith",
            ",",
            "true",
            "null",
            "displayName",
            "'x'",
            "1e309",
            "-1",
            "é",
            "\u{0}",
            "8e881353-1735-45af-af21-ee1344582a4d",
            "accountEnabled",
            "$",
            "/",
            "any",
            ":",
            "gt",
            "'O''Brien'",
            "\"",
            "%27",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let user = json!({"displayName": "x", "accountEnabled": true, "businessPhones": ["1"]});
        let mut parsed = 0;
        let valid =
            "displayName eq 'Siobhan' and not(accountEnabled eq true) or startswith(mail,'a')";
        for i in 0..20_000 {
            let text: String = if i % 2 == 0 {
                let len = rng.gen_range(0..24);
                (0..len)
                    .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
                    .collect::<Vec<_>>()
                    .join(if rng.gen_bool(0.5) { " " } else { "" })
            } else {
                // One random piece inserted into, or one character removed from, a valid filter.
                let mut chars: Vec<char> = valid.chars().collect();
                let at = rng.gen_range(0..chars.len());
                if rng.gen_bool(0.5) {
                    chars.remove(at);
                    chars.into_iter().collect()
                } else {
                    let (a, b) = chars.split_at(at);
                    let piece = PIECES[rng.gen_range(0..PIECES.len())];
                    a.iter().collect::<String>() + piece + &b.iter().collect::<String>()
                }
            };
            if let Ok(e) = parse(&text) {
                parsed += 1;
                let _ = e.matches(&|p| user.get(p));
                let _ = e.advanced_operator();
            }
        }
        assert!(parsed > 0, "some soups are valid filters");
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            "",
            "(",
            ")",
            "a eq",
            "a eq 'unterminated",
            "eq 'x'",
            "a zz 'b'",
            "startswith(a)",
            "startswith(a,b)",
            "a eq 'b' and",
            "a eq 'b' c",
            "a gt 1",
            "a in ()",
            "a eq 'b'))",
            "any(x: x eq 1)",
            "a eq #",
            "a eq nan",
            "a eq inf",
            "\u{0}",
            "not",
            "a in ('x',",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
        let deep = "(".repeat(1000) + "a eq 'b'" + &")".repeat(1000);
        assert!(parse(&deep).is_err());
        let nots = "not ".repeat(1000) + "a eq 'b'";
        assert!(parse(&nots).is_err());
    }
}
