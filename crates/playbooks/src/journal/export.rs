//! Journal exports for the ticket: CSV for spreadsheets, JSON for tools.

use std::io::Write;

use chrono::SecondsFormat;

use super::record::ActionRecord;
use crate::error::{Error, Result};

const CSV_HEADER: [&str; 20] = [
    "intended_at",
    "completed_at",
    "status",
    "playbook",
    "step",
    "action",
    "row",
    "target_id",
    "target_name",
    "actor_upn",
    "actor_oid",
    "tenant_id",
    "request_summary",
    "request_id",
    "error_code",
    "error_message",
    "note",
    "attempts",
    "run_id",
    "action_id",
];

/// Writes `actions` as CSV (UTF-8, header row, RFC 4180 quoting).
///
/// Text that a spreadsheet would run as a formula is prefixed with `'`: display names come from
/// the directory and must not execute when the export is opened. OWASP's "CSV Injection" page
/// lists the characters a cell must not start with: `=`, `+`, `-`, `@`, tab (0x09) and carriage
/// return (0x0D).
pub fn export_csv(actions: &[ActionRecord], writer: impl Write) -> Result<()> {
    let export_error = |error: csv::Error| Error::Export(error.to_string());
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(CSV_HEADER).map_err(export_error)?;
    for action in actions {
        let time =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
        let record = [
            time(action.intended_at),
            action.completed_at.map(time).unwrap_or_default(),
            action.status.as_str().to_string(),
            action.playbook.as_str().to_string(),
            action.step.clone(),
            action.kind.as_str().to_string(),
            action.row.map(|row| row.to_string()).unwrap_or_default(),
            action.target.id.clone(),
            action.target.display_name.clone(),
            action.actor.upn.clone(),
            action.actor.oid.clone(),
            action.tenant_id.clone(),
            action.request_summary.clone(),
            action.request_id.clone().unwrap_or_default(),
            action.error_code.clone().unwrap_or_default(),
            action.error_message.clone().unwrap_or_default(),
            action.note.clone().unwrap_or_default(),
            action.attempts.to_string(),
            action.run_id.clone(),
            action.id.clone(),
        ];
        csv.write_record(record.iter().map(|field| defuse_formula(field)))
            .map_err(export_error)?;
    }
    csv.flush()
        .map_err(|error| Error::Export(error.to_string()))
}

/// `actions` as a pretty-printed JSON array (the same shape as the TypeScript `ActionRecord`).
pub fn export_json(actions: &[ActionRecord]) -> Result<String> {
    serde_json::to_string_pretty(actions).map_err(|error| Error::Export(error.to_string()))
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn defuse_formula(field: &str) -> String {
    if field.starts_with(FORMULA_STARTS) {
        format!("'{field}")
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_defused_and_ordinary_text_is_kept() {
        for evil in [
            "=1+1",
            "+1",
            "-1+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
        ] {
            assert_eq!(defuse_formula(evil), format!("'{evil}"), "{evil:?}");
        }
        for plain in ["Jane Smith", "jane@contoso.com", " =not at the start", ""] {
            assert_eq!(defuse_formula(plain), plain);
        }
    }
}
