//! The CSV file of a bulk run: one person per row, named by user principal name or object id.
//!
//! Accepted shapes (documented for the people who write these files):
//! - **With a header row**: a column named `user`, `upn`, `id`, `objectId` or `userPrincipalName`
//!   (any case; spaces, `_` and `-` ignored) holds the person; an optional `reason` column is kept
//!   for the journal. Other columns are ignored, so an export from the Entra admin center works as
//!   it is (the first matching column from the left is used).
//! - **Without a header**: the first column holds the person, an optional second column the reason.
//! - UTF-8 with or without a byte-order mark, CRLF, LF or CR line ends, quoted fields (with `""`
//!   for a quote inside), blank lines (ignored). One line is one row: a quote that is not closed
//!   on its line leaves that row out, and the next line is read as usual. A file whose first line has semicolons and no commas is
//!   read as semicolon-separated (what Excel writes in many European locales).
//! - There are no comment lines: a line starting with `#` is an ordinary (bad) row.
//!
//! Row numbers are the line on which the row starts, counting the header, as a text editor or a
//! spreadsheet shows it. Bad rows and duplicates are reported per row; the good rows stay usable.
//! Duplicates are detected by the text written (UPNs case-insensitively); a UPN and an object id
//! naming the same person can only be matched once the rows are looked up in the tenant.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::journal::{RunRow, TargetRecord};

/// Who a row names, as written in the file (not yet looked up in the tenant).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum TargetRef {
    /// A user principal name, as written (sign-in names are case-insensitive).
    Upn(String),
    /// An object id, normalised to lower-case hyphenated form.
    ObjectId(String),
}

impl TargetRef {
    /// Reads a UPN or an object id; `None` if the text is neither.
    pub fn parse(text: &str) -> Option<TargetRef> {
        let text = text.trim();
        if let Ok(id) = Uuid::try_parse(text) {
            return Some(TargetRef::ObjectId(id.hyphenated().to_string()));
        }
        is_user_principal_name(text).then(|| TargetRef::Upn(text.to_string()))
    }

    /// The text as a person wrote it (object ids normalised).
    pub fn as_str(&self) -> &str {
        match self {
            TargetRef::Upn(text) | TargetRef::ObjectId(text) => text,
        }
    }

    /// The key two rows are duplicates under.
    fn duplicate_key(&self) -> String {
        self.as_str().to_lowercase()
    }
}

/// A usable row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkRow {
    /// The line the row starts on (1 is the first line of the file).
    pub row: u32,
    pub target: TargetRef,
    pub reason: Option<String>,
}

impl BulkRow {
    /// The row as the runner and the journal take it before the person is looked up in the
    /// tenant: the text written stands for both id and name. The preview replaces it with the
    /// object id and display name it finds.
    pub fn to_run_row(&self) -> RunRow {
        RunRow {
            row: self.row,
            target: TargetRecord {
                id: self.target.as_str().to_string(),
                display_name: self.target.as_str().to_string(),
            },
            reason: self.reason.clone(),
            before: None,
        }
    }
}

/// A row that will not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowProblem {
    pub row: u32,
    pub kind: RowProblemKind,
    /// The plain sentence for the preview table, starting with "Row N:".
    pub message: String,
}

/// What is wrong with a row, for the UI to branch on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowProblemKind {
    /// The person column holds something that is neither a UPN nor an object id.
    NotATarget { value: String },
    /// The row has other columns filled but the person column is empty.
    NoTarget,
    /// The row's bytes are not UTF-8 text.
    NotText,
    /// The same person was already named on an earlier row; that earlier row is kept.
    Duplicate { of_row: u32 },
    /// A quote opens on this line and is not closed on it; the row is not read further.
    UnclosedQuote,
}

/// The parsed file: usable rows in file order, and the problems of the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CsvInput {
    pub rows: Vec<BulkRow>,
    /// In file order; a row has at most one problem.
    pub problems: Vec<RowProblem>,
    /// The header of the column read as the person, or `None` for a file without a header.
    pub target_column: Option<String>,
    /// SHA-256 of the file's bytes (hex), stored with the run so a resume can tell it is the
    /// same file.
    pub content_sha256: String,
    /// Rows read (usable or with a problem): every line but the header and blank lines, so
    /// the preview can show that no line went missing.
    pub rows_read: u32,
    /// Lines in the file, as a text editor counts them.
    pub lines_in_file: u32,
}

/// Header names (normalised by [`header_key`]) that name the person column.
const TARGET_HEADERS: [&str; 5] = ["user", "upn", "id", "objectid", "userprincipalname"];
const REASON_HEADER: &str = "reason";

/// The largest file a bulk run reads: 5 MB holds about 100,000 rows of user names, more than a
/// day's work; a larger file is most likely the wrong file (a full directory export with every
/// column), and reading it whole would hold the window up.
pub const MAX_CSV_BYTES: usize = 5_000_000;

/// Parses a bulk CSV file, given as the file's bytes exactly as on disk (the desktop app sends
/// the bytes it read, the CLI reads the file: both hash the same bytes).
///
/// Fails only when the file as a whole cannot be used (too large, UTF-16, a header without a
/// person column, no rows at all); anything wrong with single rows is in [`CsvInput::problems`].
///
/// Every line is one row: a quote that is not closed on its line is a problem of that row, and
/// reading goes on with the next line, so one stray quote cannot swallow the rest of the file.
/// (RFC 4180 allows line breaks inside quotes; a user name or a reason never needs one, and
/// reading them would let a single unmatched quote turn every later row into one field.)
pub fn parse_csv(bytes: &[u8]) -> Result<CsvInput> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(Error::CsvTooLarge {
            size: bytes.len(),
            limit: MAX_CSV_BYTES,
        });
    }
    let content_sha256 = sha256_hex(bytes);
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::CsvUnreadable(
            "it is saved as UTF-16 (\"Unicode text\"), not as UTF-8".into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = sniff_delimiter(bytes);

    let mut layout: Option<Layout> = None;
    let mut target_column = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    let mut lines_in_file = 0u32;
    let mut rows_read = 0u32;

    for (row, line) in lines(bytes) {
        lines_in_file = row;
        let Ok(text) = std::str::from_utf8(line) else {
            rows_read += 1;
            problems.push(RowProblem {
                row,
                kind: RowProblemKind::NotText,
                message: format!(
                    "Row {row}: this row is not readable text; save the file as \"CSV UTF-8\""
                ),
            });
            continue;
        };
        let fields = match split_fields(text, delimiter) {
            Ok(fields) => fields,
            Err(UnclosedQuote) if layout.is_none() => {
                return Err(Error::CsvUnreadable(format!(
                    "a quote (\") on line {row}, the first row, opens and is never closed, so \
                     its columns cannot be told apart"
                )));
            }
            Err(UnclosedQuote) => {
                rows_read += 1;
                problems.push(RowProblem {
                    row,
                    kind: RowProblemKind::UnclosedQuote,
                    message: format!(
                        "Line {row}: a quote (\") opens here and is never closed, so we stopped \
                         reading this row"
                    ),
                });
                continue;
            }
        };
        if fields.iter().all(|field| field.is_empty()) {
            // A blank row (or only separators, as spreadsheets export trailing rows): ignored.
            continue;
        }

        let current = match layout {
            Some(layout) => layout,
            None => {
                // The first non-blank row decides the layout; if it is a header, it is not data.
                let (found, header_name) = Layout::from_first_row(&fields)?;
                layout = Some(found);
                if header_name.is_some() {
                    target_column = header_name;
                    continue;
                }
                found
            }
        };
        rows_read += 1;

        let value = fields.get(current.target).map_or("", String::as_str);
        let reason = current
            .reason
            .and_then(|index| fields.get(index))
            .filter(|reason| !reason.is_empty())
            .cloned();
        if value.is_empty() {
            problems.push(RowProblem {
                row,
                kind: RowProblemKind::NoTarget,
                message: format!(
                    "Row {row}: no user principal name or object id; the row is left out"
                ),
            });
            continue;
        }
        let Some(target) = TargetRef::parse(value) else {
            problems.push(RowProblem {
                row,
                kind: RowProblemKind::NotATarget {
                    value: value.to_string(),
                },
                message: not_a_target_message(row, value, target_column.is_none() && row == 1),
            });
            continue;
        };
        match first_row_of.get(&target.duplicate_key()) {
            Some(&of_row) => problems.push(RowProblem {
                row,
                kind: RowProblemKind::Duplicate { of_row },
                message: format!(
                    "Row {row}: {} is already on row {of_row}; this row is left out",
                    target.as_str()
                ),
            }),
            None => {
                first_row_of.insert(target.duplicate_key(), row);
                rows.push(BulkRow {
                    row,
                    target,
                    reason,
                });
            }
        }
    }

    if rows.is_empty() && problems.is_empty() {
        return Err(Error::CsvUnreadable("it contains no people".into()));
    }
    Ok(CsvInput {
        rows,
        problems,
        target_column,
        content_sha256,
        rows_read,
        lines_in_file,
    })
}

/// The file's lines, numbered from 1 as a text editor shows them, without their line ends.
/// A line ends at CRLF, LF or a lone CR (what "CSV (Macintosh)" writes); a last line without a
/// line end counts, the empty text after a final line end does not.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let mut rest = bytes;
    let mut number = 0u32;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        number = number.saturating_add(1);
        let end = rest
            .iter()
            .position(|&byte| byte == b'\n' || byte == b'\r')
            .unwrap_or(rest.len());
        let line = &rest[..end];
        let ending = match rest.get(end..end + 2) {
            Some(b"\r\n") => 2,
            _ if end < rest.len() => 1,
            _ => 0,
        };
        rest = &rest[end + ending..];
        Some((number, line))
    })
}

/// A quoted field that is still open at the end of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UnclosedQuote;

/// Splits one line into trimmed fields, the way spreadsheets write them: a field that starts
/// with `"` (after spaces) is quoted, `""` inside it is one quote, and the delimiter inside it
/// is text; text after the closing quote is kept (`"ab"c` is `abc`). A quote inside an
/// unquoted field is an ordinary character (`Pat "the cat"` stays as written).
fn split_fields(line: &str, delimiter: u8) -> std::result::Result<Vec<String>, UnclosedQuote> {
    let delimiter = char::from(delimiter);
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        while let Some(&c) = chars.peek() {
            if c == ' ' || c == '\t' {
                field.push(c);
                chars.next();
            } else {
                break;
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            field.clear();
            loop {
                match chars.next() {
                    None => return Err(UnclosedQuote),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
        }
        let mut ended_by_delimiter = false;
        for c in chars.by_ref() {
            if c == delimiter {
                ended_by_delimiter = true;
                break;
            }
            field.push(c);
        }
        fields.push(field.trim().to_string());
        if !ended_by_delimiter {
            return Ok(fields);
        }
    }
}

/// Which columns hold the person and the reason.
#[derive(Debug, Clone, Copy)]
struct Layout {
    target: usize,
    reason: Option<usize>,
}

impl Layout {
    const HEADERLESS: Layout = Layout {
        target: 0,
        reason: Some(1),
    };

    /// Decides from the first non-blank row whether the file has a header. Returns the layout
    /// and, for a header, the name of the person column.
    fn from_first_row(fields: &[String]) -> Result<(Layout, Option<String>)> {
        let keys: Vec<String> = fields.iter().map(|field| header_key(field)).collect();
        let target = keys
            .iter()
            .position(|key| TARGET_HEADERS.contains(&key.as_str()));
        let reason = keys.iter().position(|key| key == REASON_HEADER);
        match (target, reason) {
            (Some(target), reason) => Ok((Layout { target, reason }, Some(fields[target].clone()))),
            (None, Some(_)) => Err(Error::CsvUnreadable(format!(
                "the first row has column names ({}) but none of them is user, upn, id or \
                 userPrincipalName",
                fields.join(", ")
            ))),
            (None, None) => Ok((Layout::HEADERLESS, None)),
        }
    }
}

fn not_a_target_message(row: u32, value: &str, maybe_header: bool) -> String {
    let mut message = format!(
        "Row {row}: '{value}' is neither a user principal name (name@domain) nor an object id \
         (a GUID)"
    );
    if maybe_header {
        message.push_str(
            "; if this is a header row, name the column user, upn, id or userPrincipalName",
        );
    }
    message
}

/// Lower-case, without spaces, `_` or `-`: "User Principal Name" and "user_principal_name" match.
fn header_key(field: &str) -> String {
    field
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Semicolons for a first line with semicolons and no commas; commas otherwise.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first_line = lines(bytes)
        .map(|(_, line)| line)
        .find(|line| line.iter().any(|byte| !byte.is_ascii_whitespace()))
        .unwrap_or(&[]);
    if first_line.contains(&b';') && !first_line.contains(&b',') {
        b';'
    } else {
        b','
    }
}

/// A user principal name is `name@domain`: one `@`, no spaces, and a domain of dot-separated
/// labels (UPN suffixes are verified domains such as contoso.com or contoso.onmicrosoft.com).
/// Guest UPNs (`jane_gmail.com#EXT#@contoso.onmicrosoft.com`) qualify.
fn is_user_principal_name(text: &str) -> bool {
    let Some((name, domain)) = text.split_once('@') else {
        return false;
    };
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !"\"(),:;<>[]\\@".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    name_ok && domain_ok
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upn(text: &str) -> TargetRef {
        TargetRef::Upn(text.into())
    }

    #[test]
    fn header_with_reason_column() {
        let input =
            parse_csv(b"userPrincipalName,reason\njane@contoso.com,Leaving\nbob@contoso.com,\n")
                .unwrap();
        assert_eq!(input.target_column.as_deref(), Some("userPrincipalName"));
        assert_eq!(
            input.rows,
            vec![
                BulkRow {
                    row: 2,
                    target: upn("jane@contoso.com"),
                    reason: Some("Leaving".into())
                },
                BulkRow {
                    row: 3,
                    target: upn("bob@contoso.com"),
                    reason: None
                },
            ]
        );
        assert!(input.problems.is_empty());
    }

    #[test]
    fn accepted_header_names() {
        for header in [
            "user",
            "UPN",
            "Id",
            "object id",
            "User_Principal_Name",
            "objectId",
        ] {
            let file = format!("{header}\njane@contoso.com\n");
            let input = parse_csv(file.as_bytes()).unwrap();
            assert_eq!(input.target_column.as_deref(), Some(header), "{header}");
            assert_eq!(input.rows.len(), 1, "{header}");
        }
    }

    #[test]
    fn entra_export_uses_first_matching_column_and_ignores_others() {
        let file = "displayName,userPrincipalName,id,department\n\
                    Jane Smith,jane@contoso.com,0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10,Sales\n";
        let input = parse_csv(file.as_bytes()).unwrap();
        assert_eq!(input.rows[0].target, upn("jane@contoso.com"));
        assert_eq!(input.rows[0].reason, None);
    }

    #[test]
    fn headerless_single_column_and_object_ids() {
        let file = "jane@contoso.com\n0B5A1C7E-3F0E-4C55-9D0E-2D9F1C3B4A10\n{1b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10}\n";
        let input = parse_csv(file.as_bytes()).unwrap();
        assert_eq!(input.target_column, None);
        let targets: Vec<_> = input.rows.iter().map(|row| row.target.clone()).collect();
        assert_eq!(
            targets,
            vec![
                upn("jane@contoso.com"),
                TargetRef::ObjectId("0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10".into()),
                TargetRef::ObjectId("1b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10".into()),
            ]
        );
    }

    #[test]
    fn headerless_second_column_is_the_reason() {
        let input = parse_csv(b"jane@contoso.com,Season over\n").unwrap();
        assert_eq!(input.rows[0].reason.as_deref(), Some("Season over"));
        let run_row = input.rows[0].to_run_row();
        assert_eq!(run_row.row, 1);
        assert_eq!(run_row.target.id, "jane@contoso.com");
        assert_eq!(run_row.reason.as_deref(), Some("Season over"));
    }

    #[test]
    fn bom_crlf_quotes_and_blank_lines() {
        let file = b"\xEF\xBB\xBFupn,reason\r\n\r\n\"jane@contoso.com\",\"Leaving, \"\"for good\"\"\"\r\n  \r\n,,\r\nbob@contoso.com, \"Moved; left\" \r\nann@contoso.com\r\n";
        let input = parse_csv(file).unwrap();
        assert_eq!(input.target_column.as_deref(), Some("upn"));
        assert!(input.problems.is_empty(), "{:?}", input.problems);
        let summary: Vec<_> = input
            .rows
            .iter()
            .map(|row| (row.row, row.target.as_str(), row.reason.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (3, "jane@contoso.com", Some("Leaving, \"for good\"")),
                (6, "bob@contoso.com", Some("Moved; left")),
                (7, "ann@contoso.com", None),
            ]
        );
        assert_eq!((input.rows_read, input.lines_in_file), (3, 7));
    }

    /// Issue 13 item 2: one unmatched quote used to make the rest of the file one field, and
    /// every later row silently vanished.
    #[test]
    fn a_stray_quote_leaves_out_its_row_only() {
        let file = "upn,reason\njane@contoso.com,Leaving\nbob@contoso.com,\"Moving to Lyon\nann@contoso.com,Season over\nlee@contoso.com,\n";
        let input = parse_csv(file.as_bytes()).unwrap();
        let good: Vec<_> = input
            .rows
            .iter()
            .map(|row| (row.row, row.target.as_str(), row.reason.as_deref()))
            .collect();
        assert_eq!(
            good,
            vec![
                (2, "jane@contoso.com", Some("Leaving")),
                (4, "ann@contoso.com", Some("Season over")),
                (5, "lee@contoso.com", None),
            ]
        );
        assert_eq!(
            input.problems,
            vec![RowProblem {
                row: 3,
                kind: RowProblemKind::UnclosedQuote,
                message: "Line 3: a quote (\") opens here and is never closed, so we stopped reading this row".into(),
            }]
        );
        assert_eq!((input.rows_read, input.lines_in_file), (4, 5));
    }

    #[test]
    fn a_field_spanning_lines_is_a_row_problem_naming_its_line() {
        let file = "upn,reason\nbob@contoso.com,\"two\r\nlines\"\r\nann@contoso.com\r\n";
        let input = parse_csv(file.as_bytes()).unwrap();
        assert_eq!(input.rows.len(), 1);
        assert_eq!(input.rows[0].row, 4);
        assert_eq!(input.problems[0].row, 2);
        assert_eq!(input.problems[0].kind, RowProblemKind::UnclosedQuote);
        assert!(input.problems[0].message.starts_with("Line 2: a quote"));
        // The rest of the broken field is read as a row of its own, and said to be no person.
        assert_eq!(input.problems[1].row, 3);
        assert_eq!(
            input.problems[1].kind,
            RowProblemKind::NotATarget {
                value: "lines\"".into()
            }
        );
        assert_eq!((input.rows_read, input.lines_in_file), (3, 4));
    }

    #[test]
    fn a_quote_that_never_closes_on_the_last_line() {
        let input = parse_csv(b"jane@contoso.com\n\"bob@contoso.com").unwrap();
        assert_eq!(input.rows.len(), 1);
        assert_eq!(input.problems[0].row, 2);
        assert_eq!(input.problems[0].kind, RowProblemKind::UnclosedQuote);
        assert_eq!((input.rows_read, input.lines_in_file), (2, 2));
    }

    #[test]
    fn an_unclosed_quote_in_the_first_row_refuses_the_file() {
        let error = parse_csv(b"upn,\"reason\njane@contoso.com,x\n").unwrap_err();
        assert_eq!(error.code(), "csv_unreadable");
        assert!(error.to_string().contains("on line 1"), "{error}");
    }

    #[test]
    fn quotes_in_names_and_reasons_still_work() {
        let file = "user,name,reason\n\
                    pat.obrien@contoso.com,\"O'Brien, Pat\",\"Say \"\"hi\"\"\"\n\
                    lee@contoso.com,Lee \"Junior\" Park,Pat \"the cat\" left\n\
                    \"kim\"@contoso.com,,\"a\"b\n";
        let input = parse_csv(file.as_bytes()).unwrap();
        assert!(input.problems.is_empty(), "{:?}", input.problems);
        assert_eq!(input.rows[0].reason.as_deref(), Some("Say \"hi\""));
        assert_eq!(
            input.rows[1].reason.as_deref(),
            Some("Pat \"the cat\" left")
        );
        assert_eq!(
            split_fields(
                "pat.obrien@contoso.com,\"O'Brien, Pat\",\"Say \"\"hi\"\"\"",
                b','
            ),
            Ok(vec![
                "pat.obrien@contoso.com".to_string(),
                "O'Brien, Pat".to_string(),
                "Say \"hi\"".to_string(),
            ])
        );
        // Text after a closing quote is kept, as spreadsheets read it.
        assert_eq!(input.rows[2].target, upn("kim@contoso.com"));
        assert_eq!(input.rows[2].reason.as_deref(), Some("ab"));
    }

    #[test]
    fn old_mac_line_ends_are_lines() {
        let input = parse_csv(b"upn\rjane@contoso.com\rbob@contoso.com\r").unwrap();
        let rows: Vec<_> = input.rows.iter().map(|row| row.row).collect();
        assert_eq!(rows, vec![2, 3]);
        assert_eq!(input.lines_in_file, 3);
    }

    #[test]
    fn a_file_over_the_size_cap_is_refused_before_reading() {
        let mut file = b"upn\n".to_vec();
        file.resize(MAX_CSV_BYTES + 1, b'a');
        let error = parse_csv(&file).unwrap_err();
        assert_eq!(error.code(), "csv_too_large");
        assert_eq!(
            error.to_string(),
            "the CSV file is larger than the 5 MB a bulk run reads (it is 5.0 MB)"
        );
    }

    #[test]
    fn semicolon_separated_file() {
        let input = parse_csv(b"upn;reason\njane@contoso.com;Leaving, soon\n").unwrap();
        assert_eq!(input.rows[0].target, upn("jane@contoso.com"));
        assert_eq!(input.rows[0].reason.as_deref(), Some("Leaving, soon"));
    }

    #[test]
    fn bad_rows_are_reported_with_their_row_and_good_rows_stay() {
        let file = "upn,reason\njane@contoso.com,\njane smith,\n,forgot the name\n# comment\nbob@contoso\nbob@contoso.com\n";
        let input = parse_csv(file.as_bytes()).unwrap();
        let good: Vec<_> = input.rows.iter().map(|row| row.target.as_str()).collect();
        assert_eq!(good, vec!["jane@contoso.com", "bob@contoso.com"]);
        let messages: Vec<_> = input.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "Row 3: 'jane smith' is neither a user principal name (name@domain) nor an object id (a GUID)",
                "Row 4: no user principal name or object id; the row is left out",
                "Row 5: '# comment' is neither a user principal name (name@domain) nor an object id (a GUID)",
                "Row 6: 'bob@contoso' is neither a user principal name (name@domain) nor an object id (a GUID)",
            ]
        );
    }

    #[test]
    fn unknown_first_row_hints_at_header_names() {
        let input = parse_csv(b"Email\njane@contoso.com\n").unwrap();
        assert_eq!(input.rows.len(), 1);
        assert!(input.problems[0].message.ends_with(
            "if this is a header row, name the column user, upn, id or userPrincipalName"
        ));
    }

    #[test]
    fn header_without_person_column_is_refused() {
        let error = parse_csv(b"email,reason\njane@contoso.com,x\n").unwrap_err();
        assert_eq!(error.code(), "csv_unreadable");
        assert!(error.to_string().contains("none of them is user, upn, id"));
    }

    #[test]
    fn duplicates_keep_the_first_and_name_it() {
        let file = "jane@contoso.com\nbob@contoso.com\nJANE@Contoso.com\n0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10\n0B5A1C7E3F0E4C559D0E2D9F1C3B4A10\n";
        let input = parse_csv(file.as_bytes()).unwrap();
        assert_eq!(input.rows.len(), 3);
        assert_eq!(
            input.problems[0].kind,
            RowProblemKind::Duplicate { of_row: 1 }
        );
        assert_eq!(
            input.problems[0].message,
            "Row 3: JANE@Contoso.com is already on row 1; this row is left out"
        );
        assert_eq!(input.problems[1].row, 5);
        assert_eq!(
            input.problems[1].kind,
            RowProblemKind::Duplicate { of_row: 4 }
        );
    }

    #[test]
    fn guest_upns_are_accepted() {
        assert!(TargetRef::parse("jane_gmail.com#EXT#@contoso.onmicrosoft.com").is_some());
        assert!(TargetRef::parse("jane@@contoso.com").is_none());
        assert!(TargetRef::parse("@contoso.com").is_none());
        assert!(TargetRef::parse("jane@contoso..com").is_none());
    }

    #[test]
    fn non_utf8_row_is_a_row_problem() {
        let input = parse_csv(b"jane@contoso.com\nj\xE9r\xF4me@contoso.com\n").unwrap();
        assert_eq!(input.rows.len(), 1);
        assert_eq!(input.problems[0].kind, RowProblemKind::NotText);
        assert_eq!(input.problems[0].row, 2);
    }

    #[test]
    fn utf16_and_empty_files_are_refused() {
        assert!(parse_csv(b"\xFF\xFEj\0a\0").is_err());
        assert!(parse_csv(b"").is_err());
        assert!(parse_csv(b"upn\n\n").is_err());
    }

    #[test]
    fn hash_identifies_the_file() {
        let a = parse_csv(b"jane@contoso.com\n").unwrap();
        let b = parse_csv(b"jane@contoso.com\r\n").unwrap();
        assert_eq!(a.content_sha256.len(), 64);
        assert_ne!(a.content_sha256, b.content_sha256);
    }

    #[test]
    fn parses_100k_rows() {
        let mut file = String::from("upn,reason\n");
        for index in 0..100_000 {
            file.push_str(&format!("intern{index}@contoso.com,Season over\n"));
        }
        file.push_str("intern5@contoso.com,again\n");
        let input = parse_csv(file.as_bytes()).unwrap();
        assert_eq!(input.rows.len(), 100_000);
        assert_eq!(input.rows[99_999].row, 100_001);
        assert_eq!(input.problems.len(), 1);
        assert_eq!(
            input.problems[0].kind,
            RowProblemKind::Duplicate { of_row: 7 }
        );
    }
}
