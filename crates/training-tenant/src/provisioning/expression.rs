//! Attribute-mapping expressions ("Reference for writing expressions for attribute mappings",
//! Entra docs): `[attribute]`, `"constant"`, and `Function(arg, , arg)` where empty arguments
//! are allowed (`Switch([IsSoftDeleted], , "False", "True", "True", "False")`).
//!
//! Values are strings, booleans or string lists; booleans print as `True` / `False`, which is
//! why Entra's default `active` mapping produces the *string* `"False"` (graph-api.md §8.6).
//! An unknown function is a parse error, so a schema that uses one is refused on PUT.

use std::collections::HashMap;

use serde_json::{json, Value};

const MAX_LEN: usize = 10_000;
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Attribute(String),
    Constant(String),
    Call(Function, Vec<Option<Expr>>),
}

/// The functions the engine evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Append,
    Coalesce,
    Guid,
    IIF,
    IsNull,
    IsNullOrEmpty,
    IsPresent,
    IsString,
    Join,
    Left,
    Mid,
    Not,
    Replace,
    SingleAppRoleAssignment,
    Split,
    StripSpaces,
    Switch,
    ToLower,
    ToUpper,
    Trim,
}

const FUNCTIONS: &[(&str, Function, &[&str])] = &[
    ("Append", Function::Append, &["source", "suffix"]),
    ("Coalesce", Function::Coalesce, &["source"]),
    ("Guid", Function::Guid, &[]),
    (
        "IIF",
        Function::IIF,
        &["condition", "valueIfTrue", "valueIfFalse"],
    ),
    ("IsNull", Function::IsNull, &["expression"]),
    ("IsNullOrEmpty", Function::IsNullOrEmpty, &["expression"]),
    ("IsPresent", Function::IsPresent, &["expression"]),
    ("IsString", Function::IsString, &["expression"]),
    ("Join", Function::Join, &["separator", "source"]),
    ("Left", Function::Left, &["source", "numChars"]),
    ("Mid", Function::Mid, &["source", "start", "length"]),
    ("Not", Function::Not, &["source"]),
    (
        "Replace",
        Function::Replace,
        &[
            "source",
            "oldValue",
            "regexPattern",
            "regexGroupName",
            "replacementValue",
            "replacementAttributeName",
            "template",
        ],
    ),
    (
        "SingleAppRoleAssignment",
        Function::SingleAppRoleAssignment,
        &["source"],
    ),
    ("Split", Function::Split, &["source", "delimiter"]),
    ("StripSpaces", Function::StripSpaces, &["source"]),
    (
        "Switch",
        Function::Switch,
        &["source", "defaultValue", "key", "value"],
    ),
    ("ToLower", Function::ToLower, &["source", "culture"]),
    ("ToUpper", Function::ToUpper, &["source", "culture"]),
    ("Trim", Function::Trim, &["source"]),
];

impl Function {
    pub fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(_, f, _)| *f == self)
            .map(|(n, _, _)| *n)
            .unwrap_or_default()
    }

    fn parameter_name(self, i: usize) -> String {
        let names = FUNCTIONS
            .iter()
            .find(|(_, f, _)| *f == self)
            .map(|(_, _, p)| *p)
            .unwrap_or_default();
        names
            .get(i)
            .map(|s| s.to_string())
            .unwrap_or_else(|| format!("{}{}", names.last().unwrap_or(&"arg"), i))
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        FUNCTIONS.iter().map(|(n, _, _)| *n)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Bool(bool),
    List(Vec<String>),
}

impl Val {
    /// The text Entra exports (`True`/`False` for booleans; a list's first value).
    pub fn text(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Bool(true) => "True".into(),
            Val::Bool(false) => "False".into(),
            Val::List(items) => items.first().cloned().unwrap_or_default(),
        }
    }

    fn truthy(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Val::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Val::Str(s) => s.is_empty(),
            Val::List(l) => l.is_empty(),
            Val::Bool(_) => false,
        }
    }

    pub fn from_json(v: &Value) -> Option<Val> {
        match v {
            Value::String(s) => Some(Val::Str(s.clone())),
            Value::Bool(b) => Some(Val::Bool(*b)),
            Value::Number(n) => Some(Val::Str(n.to_string())),
            Value::Array(items) => Some(Val::List(
                items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect(),
            )),
            _ => None,
        }
    }
}

/// Source attributes by name (looked up case-insensitively, as Entra does).
#[derive(Debug, Clone, Default)]
pub struct Source(HashMap<String, Val>);

impl Source {
    pub fn insert(&mut self, name: &str, value: Val) {
        self.0.insert(name.to_ascii_lowercase(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Val> {
        self.0.get(&name.to_ascii_lowercase())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

pub fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_LEN {
        return Err(ParseError(
            "Expressions are limited to 10,000 characters.".into(),
        ));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut p = Parser {
        chars,
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    let e = p
        .expr()?
        .ok_or_else(|| ParseError("The expression is empty.".into()))?;
    p.skip_ws();
    if p.pos != p.chars.len() {
        return Err(ParseError(format!(
            "Unexpected character at position {} in '{text}'.",
            p.pos
        )));
    }
    Ok(e)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    /// One argument; `None` when empty (`Switch(x, , "a", "b")`).
    fn expr(&mut self) -> Result<Option<Expr>, ParseError> {
        self.skip_ws();
        match self.chars.get(self.pos) {
            None | Some(',') | Some(')') => Ok(None),
            Some('[') => {
                let start = self.pos + 1;
                let end = (start..self.chars.len())
                    .find(|i| self.chars[*i] == ']')
                    .ok_or_else(|| ParseError("Missing ']' after an attribute name.".into()))?;
                let name: String = self.chars[start..end].iter().collect();
                self.pos = end + 1;
                if name.trim().is_empty() {
                    return Err(ParseError("An attribute name is empty.".into()));
                }
                Ok(Some(Expr::Attribute(name.trim().to_string())))
            }
            Some('"') => {
                self.pos += 1;
                let mut s = String::new();
                loop {
                    match self.chars.get(self.pos) {
                        None => return Err(ParseError("Unterminated string constant.".into())),
                        Some('\\') => {
                            if let Some(c) = self.chars.get(self.pos + 1) {
                                s.push(*c);
                            }
                            self.pos += 2;
                        }
                        Some('"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            self.pos += 1;
                        }
                    }
                }
                Ok(Some(Expr::Constant(s)))
            }
            Some(c) if c.is_alphanumeric() => {
                let start = self.pos;
                while self
                    .chars
                    .get(self.pos)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                self.skip_ws();
                if self.chars.get(self.pos) != Some(&'(') {
                    // A bare word is a constant (numbers in `Mid([x], 1, 8)`).
                    return Ok(Some(Expr::Constant(name)));
                }
                let function = FUNCTIONS
                    .iter()
                    .find(|(n, _, _)| n.eq_ignore_ascii_case(&name))
                    .map(|(_, f, _)| *f)
                    .ok_or_else(|| {
                        ParseError(format!(
                            "The function '{name}' is not a supported function."
                        ))
                    })?;
                self.pos += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(ParseError("The expression is nested too deeply.".into()));
                }
                let mut args = Vec::new();
                loop {
                    args.push(self.expr()?);
                    self.skip_ws();
                    match self.chars.get(self.pos) {
                        Some(',') => self.pos += 1,
                        Some(')') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            return Err(ParseError(format!(
                                "Missing ')' after the arguments of {name}."
                            )))
                        }
                    }
                }
                self.depth -= 1;
                if args.len() == 1 && args[0].is_none() {
                    args.clear();
                }
                Ok(Some(Expr::Call(function, args)))
            }
            Some(c) => Err(ParseError(format!(
                "Unexpected character '{c}' at position {}.",
                self.pos
            ))),
        }
    }
}

impl Expr {
    /// The expression as Entra prints it.
    pub fn text(&self) -> String {
        match self {
            Expr::Attribute(a) => format!("[{a}]"),
            // entra-docs `functions-for-customizing-application-data.md`: "if you need a
            // backslash ( \ ) or quotation mark ( " ) in the string, it must be escaped with
            // the backslash ( \ ) symbol". The backslash first, or the quote's escape doubles.
            Expr::Constant(c) => format!("\"{}\"", c.replace('\\', "\\\\").replace('"', "\\\"")),
            Expr::Call(f, args) => format!(
                "{}({})",
                f.name(),
                args.iter()
                    .map(|a| a.as_ref().map(Expr::text).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The `attributeMappingSource` JSON (Graph docs: type, name, expression, parameters).
    pub fn to_source(&self) -> Value {
        match self {
            Expr::Attribute(a) => {
                json!({"expression": self.text(), "name": a, "parameters": [], "type": "Attribute"})
            }
            Expr::Constant(c) => {
                json!({"expression": self.text(), "name": c, "parameters": [], "type": "Constant"})
            }
            Expr::Call(f, args) => json!({
                "expression": self.text(),
                "name": f.name(),
                "parameters": args.iter().enumerate().filter_map(|(i, a)| a.as_ref().map(|a| json!({"key": f.parameter_name(i), "value": a.to_source()}))).collect::<Vec<_>>(),
                "type": "Function",
            }),
        }
    }

    /// Attributes the expression reads.
    pub fn attributes(&self) -> Vec<&str> {
        match self {
            Expr::Attribute(a) => vec![a.as_str()],
            Expr::Constant(_) => Vec::new(),
            Expr::Call(_, args) => args.iter().flatten().flat_map(Expr::attributes).collect(),
        }
    }

    pub fn eval(&self, src: &Source) -> Option<Val> {
        match self {
            Expr::Attribute(a) => src.get(a).cloned(),
            Expr::Constant(c) => Some(Val::Str(c.clone())),
            Expr::Call(f, args) => call(*f, args, src),
        }
    }
}

fn call(f: Function, args: &[Option<Expr>], src: &Source) -> Option<Val> {
    let arg = |i: usize| {
        args.get(i)
            .and_then(|a| a.as_ref())
            .and_then(|a| a.eval(src))
    };
    let text = |i: usize| arg(i).map(|v| v.text());
    match f {
        Function::Append => match (text(0), text(1)) {
            (Some(a), Some(b)) => Some(Val::Str(a + &b)),
            (a, b) => a.or(b).map(Val::Str),
        },
        Function::Coalesce => (0..args.len()).filter_map(arg).find(|v| !v.is_empty()),
        Function::Guid => Some(Val::Str(uuid::Uuid::new_v4().to_string())),
        Function::IIF => match arg(0).and_then(|c| c.truthy()) {
            Some(true) => arg(1),
            _ => arg(2),
        },
        Function::IsNull => Some(Val::Bool(arg(0).is_none())),
        Function::IsNullOrEmpty => Some(Val::Bool(arg(0).is_none_or(|v| v.is_empty()))),
        Function::IsPresent => Some(Val::Bool(arg(0).is_some_and(|v| !v.is_empty()))),
        Function::IsString => Some(Val::Bool(matches!(arg(0), Some(Val::Str(_))))),
        Function::Join => {
            let sep = text(0).unwrap_or_default();
            let parts: Vec<String> = (1..args.len())
                .filter_map(arg)
                .flat_map(|v| match v {
                    Val::List(l) => l,
                    other => vec![other.text()],
                })
                .collect();
            Some(Val::Str(parts.join(&sep)))
        }
        Function::Left => {
            let s = text(0)?;
            let n = text(1)
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            Some(Val::Str(s.chars().take(n).collect()))
        }
        Function::Mid => {
            let s = text(0)?;
            let start = text(1)
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(1)
                .max(1);
            let len = text(2)
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            Some(Val::Str(s.chars().skip(start - 1).take(len).collect()))
        }
        Function::Not => arg(0).and_then(|v| v.truthy()).map(|b| Val::Bool(!b)),
        Function::Replace => {
            let s = text(0)?;
            let old = text(1).or_else(|| text(2)).unwrap_or_default();
            let new = text(4)
                .or_else(|| {
                    args.get(5)
                        .and_then(|a| a.as_ref())
                        .and_then(|a| a.eval(src))
                        .map(|v| v.text())
                })
                .unwrap_or_default();
            if old.is_empty() {
                Some(Val::Str(s))
            } else {
                Some(Val::Str(s.replace(&old, &new)))
            }
        }
        Function::SingleAppRoleAssignment => match arg(0)? {
            Val::List(l) => l.into_iter().next().map(Val::Str),
            other => Some(Val::Str(other.text())),
        },
        Function::Split => {
            let s = text(0)?;
            let d = text(1).unwrap_or_else(|| ",".into());
            Some(Val::List(if d.is_empty() {
                vec![s]
            } else {
                s.split(d.as_str()).map(str::to_string).collect()
            }))
        }
        Function::StripSpaces => {
            text(0).map(|s| Val::Str(s.chars().filter(|c| !c.is_whitespace()).collect()))
        }
        Function::Switch => {
            let key = text(0);
            let mut i = 2;
            while i + 1 < args.len() {
                if key.is_some() && text(i) == key {
                    return arg(i + 1);
                }
                i += 2;
            }
            arg(1)
        }
        Function::ToLower => text(0).map(|s| Val::Str(s.to_lowercase())),
        Function::ToUpper => text(0).map(|s| Val::Str(s.to_uppercase())),
        Function::Trim => text(0).map(|s| Val::Str(s.trim().to_string())),
    }
}

/// Rebuilds an expression from an `attributeMappingSource` (the `expression` text when given,
/// otherwise type/name/parameters).
pub fn from_source(source: &Value) -> Result<Expr, ParseError> {
    if let Some(text) = source
        .get("expression")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
    {
        return parse(text);
    }
    let name = source
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match source
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Attribute")
    {
        "Constant" => Ok(Expr::Constant(name.to_string())),
        "Function" => {
            let function = FUNCTIONS
                .iter()
                .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, f, _)| *f)
                .ok_or_else(|| {
                    ParseError(format!(
                        "The function '{name}' is not a supported function."
                    ))
                })?;
            let params = source
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let args = params
                .iter()
                .map(|p| p.get("value").map(from_source).transpose())
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Expr::Call(function, args))
        }
        _ if name.is_empty() => Err(ParseError("An attribute source needs a name.".into())),
        _ => Ok(Expr::Attribute(name.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `tests/fuzz_parsers.rs`: a constant holding a backslash was printed unescaped,
    /// and read back without it (`"\"` is an escaped quote, an unterminated string).
    #[test]
    fn a_backslash_in_a_constant_is_printed_escaped_and_read_back() {
        for text in ["\\", "C:\\Users\\ann", "say \\\"hi\\\"", "\\\""] {
            let constant = Expr::Constant(text.to_string());
            assert_eq!(
                parse(&constant.text()),
                Ok(constant.clone()),
                "{}",
                constant.text()
            );
        }
        assert_eq!(Expr::Constant("a\\b".into()).text(), "\"a\\\\b\"");
    }

    fn src(soft_deleted: bool) -> Source {
        let mut s = Source::default();
        s.insert("IsSoftDeleted", Val::Bool(soft_deleted));
        s.insert("userPrincipalName", Val::Str("Ada@Contoso.com".into()));
        s.insert("preferredLanguage", Val::Str("en-US".into()));
        s.insert("appRoleAssignments", Val::List(vec!["User".into()]));
        s
    }

    fn eval(e: &str, s: &Source) -> Option<String> {
        parse(e).expect("parses").eval(s).map(|v| v.text())
    }

    #[test]
    fn default_active_mappings() {
        let sw = "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")";
        assert_eq!(eval(sw, &src(true)).as_deref(), Some("False"));
        assert_eq!(eval(sw, &src(false)).as_deref(), Some("True"));
        assert_eq!(
            eval("Not([IsSoftDeleted])", &src(true)).as_deref(),
            Some("False")
        );
        assert_eq!(eval("\"True\"", &src(true)).as_deref(), Some("True"));
    }

    #[test]
    fn common_functions() {
        let s = src(false);
        assert_eq!(
            eval("ToLower([userPrincipalName])", &s).as_deref(),
            Some("ada@contoso.com")
        );
        assert_eq!(
            eval("Replace([preferredLanguage], \"-\", , , \"_\", , )", &s).as_deref(),
            Some("en_US")
        );
        assert_eq!(
            eval("Append(\"x-\", [userPrincipalName])", &s).as_deref(),
            Some("x-Ada@Contoso.com")
        );
        assert_eq!(
            eval("Join(\",\", \"a\", [missing], \"b\")", &s).as_deref(),
            Some("a,b")
        );
        assert_eq!(
            eval("Coalesce([missing], \"fallback\")", &s).as_deref(),
            Some("fallback")
        );
        assert_eq!(
            eval("SingleAppRoleAssignment([appRoleAssignments])", &s).as_deref(),
            Some("User")
        );
        assert_eq!(
            eval("Mid([userPrincipalName], 1, 3)", &s).as_deref(),
            Some("Ada")
        );
        assert_eq!(
            eval("IIF(IsPresent([missing]), \"y\", \"n\")", &s).as_deref(),
            Some("n")
        );
        assert_eq!(eval("[missing]", &s), None);
    }

    #[test]
    fn unknown_functions_and_garbage_are_errors() {
        for bad in [
            "Frobnicate([x])",
            "",
            "[x",
            "\"x",
            "Not([x]",
            "Not([x]) y",
            "Not(,,",
            "(",
            "[]",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "Not(".repeat(100) + "[x]" + &")".repeat(100);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn sources_round_trip_with_the_docs_example() {
        let e = parse("Mid([userPrincipalName], 1, 8)").unwrap();
        let s = e.to_source();
        assert_eq!(s["name"], "Mid");
        assert_eq!(s["parameters"][0]["value"]["type"], "Attribute");
        let mut no_text = s.clone();
        no_text["expression"] = json!("");
        assert_eq!(from_source(&no_text).unwrap().text(), e.text());
    }
}
