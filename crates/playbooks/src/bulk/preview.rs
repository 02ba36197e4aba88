//! The bulk preview table (Playbook 6): every CSV row in file order with what will happen to it,
//! built from the parsed file and what looking each row up in the tenant found.
//!
//! Looking up is the playbook's job (it needs Microsoft Graph); this module only combines the
//! answers, so the table's rules are tested without a tenant. Nothing runs from a preview until
//! the person confirms; only [`RowState::Ready`] rows go to the runner.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::csv_input::{CsvInput, RowProblemKind};
use crate::journal::{RunRow, TargetRecord};

/// What looking a row up in the tenant found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Found, and the change is needed.
    Found(TargetRecord),
    /// Found, but nothing to do ("sign-in is already off").
    AlreadyDone {
        target: TargetRecord,
        detail: String,
    },
    NotFound,
    /// The lookup itself failed for this row (e.g. throttled past retries).
    Failed {
        message: String,
    },
}

/// One line of the preview table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowPreview {
    pub row: u32,
    /// The person as written in the file.
    pub written: String,
    /// The person as found in the tenant.
    pub found: Option<TargetRecord>,
    pub state: RowState,
}

/// What will happen to a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RowState {
    /// Will be changed when the person confirms.
    Ready,
    /// Nothing to do.
    AlreadyDone { detail: String },
    /// Left out: not found, a bad row, a duplicate, or the lookup failed.
    LeftOut { reason: String },
}

/// The whole preview: the table and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkPreview {
    pub rows: Vec<RowPreview>,
    pub ready: u32,
    pub already_done: u32,
    pub left_out: u32,
}

impl BulkPreview {
    /// Combines the parsed file with the lookups (by row number; a usable row without a lookup
    /// is left out, never silently run). Two rows that turn out to be the same person — a UPN
    /// on one and the object id on the other — are caught here: the first is kept.
    pub fn new(csv: &CsvInput, mut lookups: HashMap<u32, Lookup>) -> Self {
        let mut rows: Vec<RowPreview> = Vec::with_capacity(csv.rows.len() + csv.problems.len());
        let mut first_row_of: HashMap<String, u32> = HashMap::new();

        for parsed in &csv.rows {
            let written = parsed.target.as_str().to_string();
            let (found, state) = match lookups.remove(&parsed.row) {
                None => (
                    None,
                    left_out("it was not looked up; preview again".to_string()),
                ),
                Some(Lookup::NotFound) => (
                    None,
                    left_out(format!("{written} was not found in the directory")),
                ),
                Some(Lookup::Failed { message }) => (
                    None,
                    left_out(format!("looking up {written} failed: {message}")),
                ),
                Some(Lookup::Found(target)) => (Some(target), RowState::Ready),
                Some(Lookup::AlreadyDone { target, detail }) => {
                    (Some(target), RowState::AlreadyDone { detail })
                }
            };
            let state = match &found {
                Some(target) => match first_row_of.get(&target.id.to_lowercase()) {
                    Some(&of_row) => left_out(format!(
                        "{} is the same person as row {of_row}",
                        target.display_name
                    )),
                    None => {
                        first_row_of.insert(target.id.to_lowercase(), parsed.row);
                        state
                    }
                },
                None => state,
            };
            rows.push(RowPreview {
                row: parsed.row,
                written,
                found,
                state,
            });
        }

        for problem in &csv.problems {
            let written = match &problem.kind {
                RowProblemKind::NotATarget { value } => value.clone(),
                RowProblemKind::NoTarget
                | RowProblemKind::NotText
                | RowProblemKind::UnclosedQuote
                | RowProblemKind::Duplicate { .. } => String::new(),
            };
            rows.push(RowPreview {
                row: problem.row,
                written,
                found: None,
                state: left_out(problem.message.clone()),
            });
        }
        rows.sort_by_key(|row| row.row);

        let count = |wanted: fn(&RowState) -> bool| {
            u32::try_from(rows.iter().filter(|row| wanted(&row.state)).count()).unwrap_or(u32::MAX)
        };
        BulkPreview {
            ready: count(|state| matches!(state, RowState::Ready)),
            already_done: count(|state| matches!(state, RowState::AlreadyDone { .. })),
            left_out: count(|state| matches!(state, RowState::LeftOut { .. })),
            rows,
        }
    }

    /// The rows to hand to the runner once the person confirms, with the reason from the file.
    pub fn run_rows(&self, csv: &CsvInput) -> Vec<RunRow> {
        let reasons: HashMap<u32, &Option<String>> =
            csv.rows.iter().map(|row| (row.row, &row.reason)).collect();
        self.rows
            .iter()
            .filter(|preview| preview.state == RowState::Ready)
            .filter_map(|preview| {
                Some(RunRow {
                    row: preview.row,
                    target: preview.found.clone()?,
                    reason: reasons
                        .get(&preview.row)
                        .and_then(|reason| (*reason).clone()),
                    before: None,
                })
            })
            .collect()
    }
}

/// One app with automatic account sync, as the accidental-deletion check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDeletionScope {
    pub app: String,
    /// `QuarantineTooManyDeletesThreshold` of its job.
    pub threshold: u32,
    /// The job did not show it; Microsoft's example value (500) is assumed.
    pub threshold_assumed: bool,
    /// The people in its scope (lower-case object ids).
    pub in_scope: std::collections::BTreeSet<String>,
}

impl BulkPreview {
    /// For an offboarding file: a warning for every app where the ready rows in its scope would
    /// reach its accidental-deletion threshold in one sync round. entra-docs
    /// `accidental-deletions.md`: disables count toward the threshold as well as deletions; "when
    /// the deletion threshold is met, the job goes into quarantine" and the changes wait for an
    /// admin to allow them (the page also says "anything above the threshold": we warn from the
    /// threshold itself, the cautious reading).
    pub fn deletion_threshold_warnings(&self, apps: &[AppDeletionScope]) -> Vec<String> {
        let ready: Vec<String> = self
            .rows
            .iter()
            .filter(|row| row.state == RowState::Ready)
            .filter_map(|row| row.found.as_ref().map(|f| f.id.to_lowercase()))
            .collect();
        apps.iter()
            .filter_map(|app| {
                let n = ready.iter().filter(|id| app.in_scope.contains(*id)).count();
                let threshold = app.threshold as usize;
                (threshold > 0 && n >= threshold).then(|| {
                    let name = &app.app;
                    let assumed = if app.threshold_assumed {
                        " (the job does not show it; this is Microsoft's example value)"
                    } else {
                        ""
                    };
                    format!(
                        "{n} people in this file are in scope of {name}, whose accidental-deletion threshold is {threshold}{assumed}. At its next sync round Entra will hold back all of these changes instead of turning the accounts off in {name}, and pause sync for {name} (quarantine) until an administrator reviews them. Sign-in through single sign-on is still blocked as soon as sign-in is turned off. To avoid it, run the file in parts of fewer than {threshold} people in scope of {name}, one part per sync round (about 40 minutes apart), or ask {name}'s administrator to raise the threshold first."
                    )
                })
            })
            .collect()
    }
}

fn left_out(reason: String) -> RowState {
    RowState::LeftOut { reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::parse_csv;

    /// Disables count toward an app's deletion threshold: a file whose ready rows in scope of
    /// an app reach it warns before anything runs; rows out of scope or not ready do not count.
    #[test]
    fn rows_that_reach_an_apps_deletion_threshold_are_warned_about() {
        let csv = parse_csv(
            "upn\nann@contoso.com\nbob@contoso.com\ncat@contoso.com\ndan@contoso.com\n".as_bytes(),
        )
        .unwrap();
        let lookups = HashMap::from([
            (2, Lookup::Found(person("A1", "Ann Lee"))),
            (3, Lookup::Found(person("b2", "Bob Ray"))),
            (
                4,
                Lookup::AlreadyDone {
                    target: person("c3", "Cat Wu"),
                    detail: "sign-in is already off".into(),
                },
            ),
            (5, Lookup::Found(person("d4", "Dan Oz"))),
        ]);
        let preview = BulkPreview::new(&csv, lookups);
        let scope = |ids: &[&str]| ids.iter().map(|i| i.to_string()).collect();
        let apps = vec![
            AppDeletionScope {
                app: "Floorplan".into(),
                threshold: 2,
                threshold_assumed: false,
                in_scope: scope(&["a1", "b2", "c3"]),
            },
            AppDeletionScope {
                app: "Lunchbox".into(),
                threshold: 2,
                threshold_assumed: false,
                in_scope: scope(&["a1", "c3"]),
            },
        ];
        let warnings = preview.deletion_threshold_warnings(&apps);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("2 people in this file are in scope of Floorplan"),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("pause sync for Floorplan (quarantine)"));
    }

    fn person(id: &str, name: &str) -> TargetRecord {
        TargetRecord {
            id: id.into(),
            display_name: name.into(),
        }
    }

    #[test]
    fn every_row_appears_in_file_order_with_its_state() {
        let file = "upn,reason\n\
                    ann@contoso.com,Season over\n\
                    bob@contoso.com,\n\
                    not a person,\n\
                    cat@contoso.com,\n\
                    0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10,\n\
                    ann@contoso.com,\n\
                    dan@contoso.com,\n\
                    eve@contoso.com,\n";
        let csv = parse_csv(file.as_bytes()).unwrap();
        let ann = person("0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10", "Ann Lee");
        let lookups = HashMap::from([
            (2, Lookup::Found(ann.clone())),
            (
                3,
                Lookup::AlreadyDone {
                    target: person("b0b", "Bob Ray"),
                    detail: "sign-in is already off".into(),
                },
            ),
            (5, Lookup::NotFound),
            // Row 6 names Ann by object id: the same person as row 2.
            (6, Lookup::Found(ann.clone())),
            (
                8,
                Lookup::Failed {
                    message: "the service was busy".into(),
                },
            ),
            // Row 9 (Eve) was never looked up.
        ]);
        let preview = BulkPreview::new(&csv, lookups);
        let table: Vec<(u32, String)> = preview
            .rows
            .iter()
            .map(|row| {
                let state = match &row.state {
                    RowState::Ready => "ready".to_string(),
                    RowState::AlreadyDone { detail } => format!("already done: {detail}"),
                    RowState::LeftOut { reason } => format!("left out: {reason}"),
                };
                (row.row, state)
            })
            .collect();
        assert_eq!(
            table,
            vec![
                (2, "ready".to_string()),
                (3, "already done: sign-in is already off".to_string()),
                (4, "left out: Row 4: 'not a person' is neither a user principal name (name@domain) nor an object id (a GUID)".to_string()),
                (5, "left out: cat@contoso.com was not found in the directory".to_string()),
                (6, "left out: Ann Lee is the same person as row 2".to_string()),
                (7, "left out: Row 7: ann@contoso.com is already on row 2; this row is left out".to_string()),
                (8, "left out: looking up dan@contoso.com failed: the service was busy".to_string()),
                (9, "left out: it was not looked up; preview again".to_string()),
            ]
        );
        assert_eq!(
            (preview.ready, preview.already_done, preview.left_out),
            (1, 1, 6)
        );

        let run_rows = preview.run_rows(&csv);
        assert_eq!(
            run_rows,
            vec![RunRow {
                row: 2,
                target: ann,
                reason: Some("Season over".into()),
                before: None,
            }]
        );
    }
}
