//! The facade both front ends hold: a signed-in person on a tenant, and the journal.
//!
//! The desktop app keeps one `Desk` in its state after sign-in; the CLI builds one per command.
//! Every playbook takes `&Desk`.

use std::sync::Arc;

use entra_client::{Cloud, CloudFeature, Graph};

use crate::journal::{Actor, Journal, NewRun, RunRecord};
use crate::plan::PlaybookKind;
use crate::tenant::{SignedIn, TenantConnection, WhoAmI};
use crate::{Error, Result};

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

    /// The cloud the tenant lives in (which features Microsoft documents there:
    /// [`Desk::require`]).
    pub fn cloud(&self) -> &Cloud {
        &self.connection().authenticator().config().cloud
    }

    /// `Ok` when Microsoft documents `feature` in the tenant's cloud; otherwise the plain
    /// [`Error::NotInThisCloud`], before anything is sent.
    pub fn require(&self, feature: CloudFeature) -> Result<()> {
        if self.cloud().offers(feature) {
            Ok(())
        } else {
            Err(Error::NotInThisCloud {
                feature,
                cloud: self.cloud().national(),
            })
        }
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
