//! The result of a bulk run, for the result screen and the ticket.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::journal::TargetRecord;
use crate::plan::{BulkCounts, StepOutcome};

/// The result of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowReport {
    pub row: u32,
    pub target: TargetRecord,
    pub outcome: StepOutcome,
}

/// The result of a bulk run (or of this session of it, for rows not reached before a cancel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    pub run_id: String,
    pub counts: BulkCounts,
    /// Finished rows, in row order. Rows not reached before a cancel are absent.
    pub rows: Vec<RowReport>,
    pub cancelled: bool,
}

impl BulkReport {
    /// The ticket summary: totals, then every row that needs attention. Rows that went well are
    /// only counted (a season's interns can be thousands of lines); the journal has each one.
    pub fn render_text(&self) -> String {
        let counts = &self.counts;
        let mut out = format!(
            "Bulk run {}: {} people\n  Done: {}   Already done: {}   Failed: {}   Check by hand: {}   Not reached: {}\n",
            self.run_id,
            counts.total,
            counts.succeeded,
            counts.skipped,
            counts.failed,
            counts.unknown,
            counts.remaining()
        );
        let name = |report: &RowReport| {
            if report.target.display_name == report.target.id {
                report.target.id.clone()
            } else {
                format!("{} ({})", report.target.display_name, report.target.id)
            }
        };
        let failed: Vec<&RowReport> = self
            .rows
            .iter()
            .filter(|report| matches!(report.outcome, StepOutcome::Failed { .. }))
            .collect();
        if !failed.is_empty() {
            out.push_str("\nFailed\n");
            for report in failed {
                if let StepOutcome::Failed { error } = &report.outcome {
                    out.push_str(&format!(
                        "  Row {}  {}: {}\n         What to do: {}\n",
                        report.row,
                        name(report),
                        error.message,
                        error.hint
                    ));
                }
            }
        }
        let unknown: Vec<&RowReport> = self
            .rows
            .iter()
            .filter(|report| matches!(report.outcome, StepOutcome::Unknown { .. }))
            .collect();
        if !unknown.is_empty() {
            out.push_str("\nCheck by hand\n");
            for report in unknown {
                if let StepOutcome::Unknown { because } = &report.outcome {
                    out.push_str(&format!(
                        "  Row {}  {}: {because}\n",
                        report.row,
                        name(report)
                    ));
                }
            }
        }
        if counts.remaining() > 0 {
            out.push_str(&format!(
                "\nNot reached{}: {} people. Resume the run to finish them; nothing done is repeated.\n",
                if self.cancelled { " because the run was stopped" } else { "" },
                counts.remaining()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::UserFacingError;

    fn row(row: u32, name: &str, outcome: StepOutcome) -> RowReport {
        RowReport {
            row,
            target: TargetRecord {
                id: format!("{}@contoso.com", name.to_lowercase()),
                display_name: name.into(),
            },
            outcome,
        }
    }

    #[test]
    fn report_renders_for_the_ticket() {
        let report = BulkReport {
            run_id: "7c1e0f7a-54c4-4c4e-9a39-3f4f3c1d2b10".into(),
            counts: BulkCounts {
                total: 6,
                succeeded: 2,
                failed: 1,
                skipped: 0,
                unknown: 1,
            },
            rows: vec![
                row(2, "Ann", StepOutcome::Succeeded { detail: None }),
                row(3, "Bob", StepOutcome::Succeeded { detail: None }),
                row(
                    4,
                    "Cat",
                    StepOutcome::Failed {
                        error: UserFacingError {
                            code: "Request_ResourceNotFound".into(),
                            message: "This person was not found in the directory.".into(),
                            hint: "Check the spelling of the user principal name.".into(),
                        },
                    },
                ),
                row(
                    5,
                    "Dan",
                    StepOutcome::Unknown {
                        because: "no answer came back (the connection was reset); resuming the run will check".into(),
                    },
                ),
            ],
            cancelled: true,
        };
        insta::assert_snapshot!(report.render_text());
    }
}
