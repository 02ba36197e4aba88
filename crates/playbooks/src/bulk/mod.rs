//! Bulk offboarding and reactivation (Playbook 6): the CSV input, the preview table, the runner
//! that executes rows exactly once even across a crash, and its report.

pub mod csv_input;
pub mod graph_actions;
pub mod playbook;
pub mod preview;
pub mod report;
pub mod runner;

pub use crate::journal::{ActionAnswer, Observation};
pub use csv_input::{
    parse_csv, BulkRow, CsvInput, RowProblem, RowProblemKind, TargetRef, MAX_CSV_BYTES,
};
pub use graph_actions::GraphRowActions;
pub use playbook::{BulkKind, BulkPlan};
pub use preview::{BulkPreview, Lookup, RowPreview, RowState};
pub use report::{BulkReport, RowReport};
pub use runner::{BulkRequest, BulkRunner, RowActions, RunControl};
