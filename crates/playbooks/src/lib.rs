//! The procedures of shared/PLAYBOOKS.md — the one API the desktop app and the `provdesk` CLI
//! both call.
//!
//! This crate knows nothing of Tauri. Modules:
//! - [`plan`]: what a playbook shows before it runs and streams while it runs (exported to
//!   TypeScript).
//! - [`journal`]: the audit trail in SQLite; every mutation is written *before* it is sent and
//!   completed *after* the answer, which is what makes interrupted runs resumable.
//! - [`bulk`]: CSV input for bulk runs and the runner that executes rows exactly once.
//! - [`tenant`]: connecting to a tenant profile (training or real), signing in, who am I.
//! - [`desk`]: [`Desk`], the signed-in person plus the journal: what every playbook takes.
//! - [`find`]: the person or app a playbook is about, from what someone typed.

pub mod app_sync;
mod bindings;
pub mod bulk;
pub mod desk;
pub mod diagnose;
pub mod error;
pub mod explain;
pub mod find;
pub mod journal;
pub mod mappings;
pub mod offboard;
pub mod plan;
pub mod reactivate;
pub mod restart;
pub mod steps;
pub mod tenant;

pub use desk::Desk;
pub use error::{Error, Result};
pub use tenant::{SignedIn, TenantConnection, TenantProfile, WhoAmI};
