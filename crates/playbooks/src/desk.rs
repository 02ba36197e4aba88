//! The facade both front ends hold: a signed-in person on a tenant, and the journal.
//!
//! The desktop app keeps one `Desk` in its state after sign-in; the CLI builds one per command.
//! Every playbook takes `&Desk`.

use std::sync::Arc;

use entra_client::Graph;

use crate::journal::{Actor, Journal, NewRun, RunRecord};
use crate::plan::PlaybookKind;
use crate::tenant::{SignedIn, TenantConnection, WhoAmI};
use crate::Result;

/// A signed-in person on a tenant, with the journal every change is recorded in.
#[derive(Clone, Debug)]
pub struct Desk {
    signed_in: SignedIn,
    journal: Arc<Journal>,
}

impl Desk {
    pub fn new(signed_in: SignedIn, journal: Arc<Journal>) -> Self {
        Desk { signed_in, journal }
    }

    pub fn signed_in(&self) -> &SignedIn {
        &self.signed_in
    }

    pub fn connection(&self) -> &TenantConnection {
        self.signed_in.connection()
    }

    pub fn graph(&self) -> &Graph {
        self.signed_in.graph()
    }

    pub fn journal(&self) -> &Arc<Journal> {
        &self.journal
    }

    pub fn actor(&self) -> Actor {
        self.signed_in.actor()
    }

    pub fn tenant_id(&self) -> String {
        self.signed_in.tenant_id()
    }

    pub fn whoami(&self) -> WhoAmI {
        self.signed_in.whoami()
    }

    /// Records the start of a single-target playbook run (bulk runs start through the runner).
    pub fn start_run(&self, playbook: PlaybookKind) -> Result<RunRecord> {
        self.journal.start_run(NewRun {
            playbook,
            actor: self.actor(),
            tenant_id: self.tenant_id(),
            input: None,
        })
    }
}
