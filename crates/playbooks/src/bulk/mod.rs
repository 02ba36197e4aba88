//! Bulk offboarding and reactivation (Playbook 6): the CSV input and the runner that executes
//! its rows exactly once, even across a crash.

pub mod csv_input;
pub mod report;
pub mod runner;

pub use csv_input::{parse_csv, BulkRow, CsvInput, RowProblem, RowProblemKind, TargetRef};
pub use report::{BulkReport, RowReport};
pub use runner::{ActionAnswer, BulkRequest, BulkRunner, Observation, RowActions, RunControl};
