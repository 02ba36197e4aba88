//! Property tests ("fuzz on stable Rust") for the tenant's parsers of outside input: Graph's
//! `$filter`, SCIM filters and PATCH paths, and the attribute-mapping expressions. Any input
//! is answered (parsed or refused) without a panic, and what a parser accepts it reads back
//! from its own printed form.
//!
//! A bounded run is part of `cargo test` (128 cases per property unless `PROPTEST_CASES` says
//! otherwise); `make fuzz` runs 100,000. A failure found here becomes a named unit test beside
//! the parser, with the input that broke it.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::json;
use training_tenant::graph::filter::{self as graph_filter, Expr as GraphExpr, Literal};
use training_tenant::provisioning::expression::{self, Expr as MappingExpr, Function, Source, Val};
use training_tenant::scim::filter::{self as scim_filter, Filter as ScimFilter, Op};
use training_tenant::scim::path::{self, AttrPath, ENTERPRISE_USER};

/// 128 cases per property in `cargo test`; `PROPTEST_CASES` (e.g. 100000 in `make fuzz`)
/// overrides it.
fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 128;
    }
    // No regression files: a failure becomes a named unit test beside the parser.
    config.failure_persistence = None;
    config
}

/// Text that is mostly the parsers' own punctuation and words, with anything else mixed in:
/// random text alone rarely gets past a tokenizer.
fn soup(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(pieces).prop_map(str::to_string),
        1 => any::<String>(),
        1 => "[a-zA-Z0-9 ]{1,6}",
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|parts| parts.concat())
}

// ---- Graph `$filter` ----------------------------------------------------------------------

const GRAPH_PIECES: &[&str] = &[
    "(",
    ")",
    " ",
    "'",
    "''",
    ",",
    "eq ",
    " ne ",
    " in ",
    " and ",
    " or ",
    "not ",
    " gt ",
    "startswith(",
    "endswith(",
    "contains(",
    "/any(",
    "x:x",
    "x:",
    "true",
    "null",
    "1e309",
    "-1",
    "displayName",
    "otherMails",
    "proxyAddresses/any(p:startswith(p,'smtp:'))",
    "8e881353-1735-45af-af21-ee1344582a4d",
    "2026-01-01T00:00:00Z",
    "'O''Brien'",
];

const ODATA_WORDS: &[&str] = &[
    "and", "or", "not", "eq", "ne", "in", "gt", "ge", "lt", "le", "has", "true", "false", "null",
];

fn odata_name() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9_]{0,8}".prop_filter("not a keyword", |name| {
        !ODATA_WORDS
            .iter()
            .any(|word| word.eq_ignore_ascii_case(name))
    })
}

fn odata_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn graph_literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<String>().prop_map(Literal::String),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Null),
        any::<i32>().prop_map(|n| Literal::Number(f64::from(n) / 4.0)),
        any::<u128>()
            .prop_map(|n| Literal::Guid(uuid::Uuid::from_u128(n).hyphenated().to_string())),
    ]
}

fn print_literal(literal: &Literal) -> String {
    match literal {
        Literal::String(text) => odata_string(text),
        Literal::Bool(value) => value.to_string(),
        Literal::Null => "null".into(),
        Literal::Number(n) => n.to_string(),
        Literal::Guid(id) => id.clone(),
    }
}

fn graph_expr() -> impl Strategy<Value = GraphExpr> {
    let leaf = prop_oneof![
        (odata_name(), graph_literal()).prop_map(|(p, l)| GraphExpr::Eq(p, l)),
        (odata_name(), graph_literal()).prop_map(|(p, l)| GraphExpr::Ne(p, l)),
        (
            odata_name(),
            proptest::collection::vec(graph_literal(), 1..4)
        )
            .prop_map(|(p, l)| GraphExpr::In(p, l)),
        (odata_name(), any::<String>()).prop_map(|(p, s)| GraphExpr::StartsWith(p, s)),
        (odata_name(), any::<String>()).prop_map(|(p, s)| GraphExpr::EndsWith(p, s)),
        (
            odata_name(),
            "[a-z][a-z0-9]{0,2}",
            any::<String>(),
            any::<bool>()
        )
            .prop_filter("the variable is no keyword", |(_, var, _, _)| {
                !ODATA_WORDS.contains(&var.as_str())
            })
            .prop_map(|(collection, var, value, starts)| GraphExpr::Any {
                collection,
                body: Box::new(if starts {
                    GraphExpr::StartsWith(var.clone(), value)
                } else {
                    GraphExpr::Eq(var.clone(), Literal::String(value))
                }),
                var,
            }),
    ];
    leaf.prop_recursive(5, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| GraphExpr::And(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| GraphExpr::Or(a.into(), b.into())),
            inner.prop_map(|a| GraphExpr::Not(a.into())),
        ]
    })
}

/// The filter as a client would write it, every operand in parentheses.
fn print_graph(expr: &GraphExpr) -> String {
    match expr {
        GraphExpr::Eq(p, l) => format!("{p} eq {}", print_literal(l)),
        GraphExpr::Ne(p, l) => format!("{p} ne {}", print_literal(l)),
        GraphExpr::In(p, values) => format!(
            "{p} in ({})",
            values
                .iter()
                .map(print_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        GraphExpr::StartsWith(p, s) => format!("startswith({p},{})", odata_string(s)),
        GraphExpr::EndsWith(p, s) => format!("endswith({p}, {})", odata_string(s)),
        GraphExpr::And(a, b) => format!("({}) and ({})", print_graph(a), print_graph(b)),
        GraphExpr::Or(a, b) => format!("({}) or ({})", print_graph(a), print_graph(b)),
        GraphExpr::Not(a) => format!("not ({})", print_graph(a)),
        GraphExpr::Any {
            collection,
            var,
            body,
        } => format!("{collection}/any({var}:{})", print_graph(body)),
        GraphExpr::Compare(..) | GraphExpr::Contains(..) => unreachable!("reports dialect"),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn graph_filter_answers_any_text_without_panicking(text in soup(GRAPH_PIECES)) {
        let user = json!({"displayName": "Ann", "accountEnabled": true, "otherMails": ["a@x"]});
        if let Ok(expr) = graph_filter::parse(&text) {
            let _ = expr.matches(&|p| user.get(p));
            let _ = (expr.properties(), expr.advanced_operator(), expr.as_equality());
        }
        if let Ok(expr) = graph_filter::parse_reports(&text) {
            let _ = expr.matches_case_sensitive(&|p| user.get(p));
        }
    }

    #[test]
    fn graph_filter_reads_back_what_a_client_writes(expr in graph_expr()) {
        let text = print_graph(&expr);
        prop_assert_eq!(graph_filter::parse(&text), Ok(expr), "{}", text);
    }
}

// ---- SCIM filters and PATCH paths ---------------------------------------------------------

const SCIM_PIECES: &[&str] = &[
    " ",
    "\"",
    "\\",
    "\\\"",
    "[",
    "]",
    ".",
    ":",
    " eq ",
    " ne ",
    " co ",
    " sw ",
    " ew ",
    " pr",
    " and ",
    " or ",
    "null",
    "userName",
    "emails",
    "type",
    "value",
    "\"work\"",
    "members",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:User:",
    "manager",
    "emails[type eq \"work\"].value",
];

fn scim_name() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9]{0,8}".prop_filter("not a keyword", |name| {
        !["and", "or", "urn"]
            .iter()
            .any(|word| word.eq_ignore_ascii_case(name))
    })
}

fn scim_compare() -> impl Strategy<Value = ScimFilter> {
    let op = proptest::sample::select(vec![Op::Eq, Op::Ne, Op::Co, Op::Sw, Op::Ew, Op::Pr]);
    (scim_name(), op, proptest::option::of(any::<String>())).prop_map(|(path, op, value)| {
        ScimFilter::Compare {
            path,
            op,
            value: if op == Op::Pr { None } else { value },
        }
    })
}

fn print_scim(filter: &ScimFilter) -> String {
    match filter {
        ScimFilter::Compare { path, op, value } => {
            let op = match op {
                Op::Eq => "eq",
                Op::Ne => "ne",
                Op::Co => "co",
                Op::Sw => "sw",
                Op::Ew => "ew",
                Op::Pr => return format!("{path} pr"),
            };
            match value {
                Some(v) => format!(
                    "{path} {op} \"{}\"",
                    v.replace('\\', "\\\\").replace('"', "\\\"")
                ),
                None => format!("{path} {op} null"),
            }
        }
        ScimFilter::And(a, b) => format!("{} and {}", print_scim(a), print_scim(b)),
        ScimFilter::Or(a, b) => format!("{} or {}", print_scim(a), print_scim(b)),
    }
}

/// `a and b or c and d` as the parser groups it: `and` binds tighter, both lean left.
fn scim_filter_tree() -> impl Strategy<Value = ScimFilter> {
    proptest::collection::vec(proptest::collection::vec(scim_compare(), 1..4), 1..4).prop_map(
        |groups| {
            let and = |group: Vec<ScimFilter>| {
                group
                    .into_iter()
                    .reduce(|a, b| ScimFilter::And(a.into(), b.into()))
                    .expect("a group has one comparison or more")
            };
            groups
                .into_iter()
                .map(and)
                .reduce(|a, b| ScimFilter::Or(a.into(), b.into()))
                .expect("one group or more")
        },
    )
}

fn attr_path() -> impl Strategy<Value = AttrPath> {
    let value = "[a-zA-Z0-9@._:-]{1,12}";
    (
        any::<bool>(),
        scim_name(),
        proptest::option::of((scim_name(), value)),
        proptest::option::of(scim_name()),
    )
        .prop_map(|(enterprise, attr, filter, sub)| AttrPath {
            urn: enterprise.then(|| ENTERPRISE_USER.to_string()),
            attr,
            filter,
            sub,
        })
}

fn print_path(p: &AttrPath) -> String {
    let mut text = String::new();
    if let Some(urn) = &p.urn {
        text.push_str(urn);
        text.push(':');
    }
    text.push_str(&p.attr);
    if let Some((key, value)) = &p.filter {
        text.push_str(&format!("[{key} eq \"{value}\"]"));
    }
    if let Some(sub) = &p.sub {
        text.push('.');
        text.push_str(sub);
    }
    text
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scim_filter_answers_any_text_without_panicking(text in soup(SCIM_PIECES)) {
        let user = json!({"userName": "ann@x", "emails": [{"type": "work", "value": "a@x"}],
            ENTERPRISE_USER: {"manager": {"value": "m"}}});
        if let Ok(filter) = scim_filter::parse(&text) {
            let _ = (filter.matches(&user), filter.as_equality());
        }
    }

    #[test]
    fn scim_filter_reads_back_what_entra_writes(filter in scim_filter_tree()) {
        let text = print_scim(&filter);
        prop_assert_eq!(scim_filter::parse(&text), Ok(filter), "{}", text);
    }

    #[test]
    fn scim_paths_answer_any_text_without_panicking(text in soup(SCIM_PIECES)) {
        let mut user = json!({"userName": "ann@x", "emails": [{"type": "work", "value": "a@x"}],
            "members": [{"value": "1"}], ENTERPRISE_USER: {"manager": {"value": "m"}}});
        let _ = path::parse(&text);
        let _ = path::get(&user, &text);
        let _ = path::set(&mut user, &text, json!("v"));
        let _ = path::remove(&mut user, &text);
    }

    #[test]
    fn scim_paths_read_back_what_entra_writes(p in attr_path()) {
        let text = print_path(&p);
        prop_assert_eq!(path::parse(&text), Some(p), "{}", text);
    }
}

// ---- attribute-mapping expressions --------------------------------------------------------

const EXPRESSION_PIECES: &[&str] = &[
    "(",
    ")",
    ",",
    " ",
    "\"",
    "\\",
    "\\\"",
    "[",
    "]",
    "[userPrincipalName]",
    "[mail]",
    "\"@contoso.com\"",
    "Append(",
    "Join(",
    "Mid(",
    "Left(",
    "Replace(",
    "Switch(",
    "IIF(",
    "Coalesce(",
    "ToLower(",
    "SingleAppRoleAssignment(",
    "FormatDateTime(",
    "Not(",
    "IsNull(",
    "Split(",
    "StripSpaces(",
    "-1",
    "0",
    "8",
    "99999999999999999999",
    "True",
    "False",
];

fn functions() -> Vec<Function> {
    Function::names()
        .filter_map(|name| match expression::parse(&format!("{name}()")) {
            Ok(MappingExpr::Call(function, _)) => Some(function),
            _ => None,
        })
        .collect()
}

fn mapping_expr() -> impl Strategy<Value = MappingExpr> {
    let leaf = prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_.]{0,10}".prop_map(MappingExpr::Attribute),
        any::<String>().prop_map(MappingExpr::Constant),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        (
            proptest::sample::select(functions()),
            proptest::collection::vec(proptest::option::of(inner), 0..4),
        )
            // `F()` reads as no arguments, not as one empty argument.
            .prop_filter("one empty argument", |(_, args)| {
                !(args.len() == 1 && args[0].is_none())
            })
            .prop_map(|(function, args)| MappingExpr::Call(function, args))
    })
}

fn sample_source() -> Source {
    let mut source = Source::default();
    source.insert("userPrincipalName", Val::Str("ann@contoso.com".into()));
    source.insert("mail", Val::Str("Ann.Lee@contoso.com".into()));
    source.insert("accountEnabled", Val::Bool(true));
    source.insert(
        "proxyAddresses",
        Val::List(vec!["SMTP:a@x".into(), "smtp:b@x".into()]),
    );
    source
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mapping_expressions_answer_any_text_without_panicking(text in soup(EXPRESSION_PIECES)) {
        if let Ok(expr) = expression::parse(&text) {
            let _ = expr.eval(&sample_source());
            let _ = (expr.text(), expr.attributes());
            let _ = expression::from_source(&expr.to_source());
        }
    }

    #[test]
    fn mapping_expressions_read_back_as_entra_prints_them(expr in mapping_expr()) {
        let text = expr.text();
        prop_assert_eq!(expression::parse(&text), Ok(expr.clone()), "{}", text);
        prop_assert_eq!(expression::from_source(&expr.to_source()), Ok(expr));
    }
}
