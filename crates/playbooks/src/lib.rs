//! The procedures of shared/PLAYBOOKS.md — the one API the desktop app and the `provdesk` CLI
//! both call.
//!
//! This crate knows nothing of Tauri. Modules:
//! - [`plan`]: what a playbook shows before it runs and streams while it runs (exported to
//!   TypeScript).
//! - [`journal`]: the audit trail in SQLite; every mutation is written *before* it is sent and
//!   completed *after* the answer, which is what makes interrupted runs resumable.
//! - [`bulk`]: CSV input for bulk runs and the runner that executes rows exactly once.

mod bindings;
pub mod bulk;
pub mod error;
pub mod journal;
pub mod plan;

pub use error::{Error, Result};
