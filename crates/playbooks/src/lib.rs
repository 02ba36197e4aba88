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
//! - [`reconcile`]: single changes a crash left without an answer: listed at start, checked
//!   against the tenant and journaled as what happened.
//! - [`relink`]: Playbook 7, re-link one person (object connections, Graph beta), and the jobs an
//!   interrupted re-link left paused.

pub mod app_sync;
mod bindings;
pub mod bulk;
pub mod desk;
pub mod diagnose;
pub mod error;
pub mod explain;
pub mod find;
pub mod job_cause;
pub mod journal;
pub mod logs;
pub mod mappings;
pub mod offboard;
pub mod on_demand;
pub mod on_premises;
pub mod plan;
pub mod private_files;
pub mod reactivate;
mod read_back;
pub mod reconcile;
pub mod relink;
pub mod restart;
pub mod steps;
pub mod tenant;

pub use desk::Desk;
pub use error::{Error, Result};
pub use tenant::{SignedIn, TenantConnection, TenantProfile, WhoAmI};

/// The desktop app runs playbooks inside Tauri commands, which need `Send` futures: this fails
/// to compile if a playbook holds something thread-bound across an `.await`.
#[cfg(test)]
#[allow(dead_code)]
mod futures_are_send {
    use tokio::sync::mpsc;

    use crate::plan::ProgressEvent;
    use crate::*;

    fn send<T: Send>(_: T) {}

    fn every_playbook(
        desk: &Desk,
        progress: &mpsc::Sender<ProgressEvent>,
        offboarding: &offboard::OffboardPreview,
        reactivation: &reactivate::ReactivatePreview,
        restarting: &restart::RestartPreview,
        bulk_plan: &bulk::BulkPlan,
        control: bulk::RunControl,
    ) {
        let connection = desk.connection();
        send(TenantConnection::connect(TenantProfile::TrainingAt {
            url: String::new(),
        }));
        send(connection.sign_in_as_demo("helpdesk"));
        send(connection.restore());
        send(find::find_person(desk, "x"));
        send(offboard::preview(desk, "x", offboard::Departure::Temporary));
        send(offboard::run(desk, offboarding, progress));
        send(offboard::verify(desk, "x", &[], chrono::Utc::now()));
        send(reactivate::preview(desk, "x"));
        send(reactivate::run(desk, reactivation, progress));
        send(restart::preview(desk, "x", None, None));
        send(restart::run(desk, restarting, None, progress));
        send(diagnose::diagnose(desk, "x", "y"));
        send(mappings::inspect(desk, "x"));
        send(bulk::playbook::preview(desk, bulk::BulkKind::Offboard, b""));
        send(bulk::playbook::run(desk, bulk_plan, control.clone()));
        send(bulk::playbook::resume(desk, "run", control));
    }

    fn relink_playbook(
        desk: &Desk,
        progress: &mpsc::Sender<ProgressEvent>,
        relinking: &relink::RelinkPreview,
        paused: &relink::PausedJob,
    ) {
        send(relink::preview(desk, "x", "y"));
        send(relink::run(desk, relinking, progress));
        send(relink::resume(desk, paused));
    }
}
