//! The answer to a sent action, and the one call that keeps the journal's invariant for a
//! single action: written pending before it is sent, completed after the answer.

use std::future::Future;

use super::record::{ActionIntent, ActionOutcome, ActionRecord};
use super::Journal;
use crate::error::Result;
use crate::plan::UserFacingError;

/// The answer to one sent action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionAnswer {
    Succeeded {
        request_id: Option<String>,
    },
    /// Refused by the service (not found, missing permission, …).
    Failed {
        request_id: Option<String>,
        error: UserFacingError,
    },
    /// The request may have gone out, but no answer came back (timeout, connection lost).
    NoAnswer {
        message: String,
    },
}

/// What observing the tenant says about an unanswered action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    Applied,
    NotApplied,
    /// The state cannot be read (missing permission, the service is down).
    CannotTell {
        because: String,
    },
}

impl ActionAnswer {
    /// What the journal records for this answer.
    pub fn to_outcome(&self) -> ActionOutcome {
        match self {
            ActionAnswer::Succeeded { request_id } => ActionOutcome::Succeeded {
                request_id: request_id.clone(),
                note: None,
            },
            ActionAnswer::Failed { request_id, error } => ActionOutcome::Failed {
                request_id: request_id.clone(),
                code: error.code.clone(),
                message: error.message.clone(),
            },
            ActionAnswer::NoAnswer { message } => ActionOutcome::Unknown {
                request_id: None,
                message: message.clone(),
            },
        }
    }
}

impl Journal {
    /// Journals and sends one action: records `intent` as pending, then calls `send`, then
    /// records the answer. If the intent cannot be written, `send` is never called. If the
    /// answer cannot be written, the action stays pending (a resume verifies it) and the error
    /// is returned. Playbooks send every mutation through this (or the bulk runner).
    pub async fn journaled<Fut>(
        &self,
        intent: ActionIntent,
        send: impl FnOnce() -> Fut,
    ) -> Result<(ActionRecord, ActionAnswer)>
    where
        Fut: Future<Output = ActionAnswer>,
    {
        // Awaited, not blocking: the rows in flight beside this one queue their records too,
        // and the journal's writer commits them together (one fsync for the batch).
        let pending = self.record_intent_async(intent).await?;
        let answer = send().await;
        let record = self
            .record_outcome_async(&pending.id, answer.to_outcome())
            .await?;
        Ok((record, answer))
    }
}
