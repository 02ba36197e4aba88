//! Bulk offboarding and reactivation (Playbook 6): the CSV input and the runner that executes
//! its rows exactly once, even across a crash.

pub mod csv_input;
pub mod runner;

pub use csv_input::{parse_csv, BulkRow, CsvInput, RowProblem, RowProblemKind, TargetRef};
pub use runner::{
    ActionAnswer, BulkReport, BulkRequest, BulkRunner, Observation, RowActions, RowReport,
    RunControl,
};
