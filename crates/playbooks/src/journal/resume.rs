//! What an interrupted run has done, has maybe done, and has not done yet.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::record::{
    ActionFilter, ActionKind, ActionRecord, ActionStatus, RunRecord, TargetRecord,
};
use super::Journal;
use crate::error::Result;

/// An action of a bulk run's input that has no journal row yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedAction {
    pub row: u32,
    pub target: TargetRecord,
    pub kind: ActionKind,
}

/// The state of a run, read from the journal alone, split by what to do with each action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResumePlan {
    pub run: RunRecord,
    /// Answered (succeeded or failed): never sent again.
    pub completed: Vec<ActionRecord>,
    /// Pending or unknown: written, maybe sent, no answer recorded. It may or may not have
    /// happened, so observe the tenant before sending it again.
    pub verify_first: Vec<ActionRecord>,
    /// Never started: safe to run.
    pub not_started: Vec<PlannedAction>,
    /// Never started, and not to be: an earlier action for the same row failed (a row stops at
    /// its first failure, e.g. no session revocation for a user that could not be disabled).
    pub blocked: Vec<PlannedAction>,
}

impl ResumePlan {
    /// True when nothing is left to verify or run.
    pub fn is_complete(&self) -> bool {
        self.verify_first.is_empty() && self.not_started.is_empty()
    }
}

impl Journal {
    /// Reads back a run for resuming it: which actions completed, which are pending without an
    /// answer, and which never started. Bulk runs are compared against their stored input, row
    /// by row, in the order of the run's actions; for other runs only the recorded actions are
    /// known.
    pub fn resume(&self, run_id: &str) -> Result<ResumePlan> {
        let run = self.run(run_id)?;
        let recorded = self.actions(&ActionFilter {
            run_id: Some(run_id.to_string()),
            ..ActionFilter::default()
        })?;

        let mut plan = ResumePlan {
            run,
            completed: Vec::new(),
            verify_first: Vec::new(),
            not_started: Vec::new(),
            blocked: Vec::new(),
        };
        let mut by_slot: BTreeMap<(u32, ActionKind), ActionRecord> = BTreeMap::new();
        for action in recorded {
            match action.row {
                Some(row) => {
                    by_slot.insert((row, action.kind), action);
                }
                None => plan.sort_recorded(action),
            }
        }

        if let Some(input) = plan.run.input.clone() {
            for row in &input.rows {
                let mut failed_earlier = false;
                for &kind in &input.actions {
                    let planned = || PlannedAction {
                        row: row.row,
                        target: row.target.clone(),
                        kind,
                    };
                    match by_slot.remove(&(row.row, kind)) {
                        Some(action) => {
                            failed_earlier |= action.status == ActionStatus::Failed;
                            plan.sort_recorded(action);
                        }
                        None if failed_earlier => plan.blocked.push(planned()),
                        None => plan.not_started.push(planned()),
                    }
                }
            }
        }
        // Recorded rows the input does not list (not written by the runner): still reported.
        for action in by_slot.into_values() {
            plan.sort_recorded(action);
        }
        Ok(plan)
    }
}

impl ResumePlan {
    fn sort_recorded(&mut self, action: ActionRecord) {
        if action.status.needs_verification() {
            self.verify_first.push(action);
        } else {
            self.completed.push(action);
        }
    }
}
