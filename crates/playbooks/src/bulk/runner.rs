//! Runs the rows of a bulk run with bounded concurrency, exactly once, across crashes.
//!
//! Exactly-once rests on the journal's invariant: an action is written *pending* before it is
//! sent and completed after the answer. On (re)starting, the runner asks [`Journal::resume`] for
//! the state of every row and action:
//! - answered actions are never sent again;
//! - pending or unknown actions may or may not have happened, so the tenant is *observed* first
//!   ([`RowActions::observe`]); only an action observed not applied is sent again (and the
//!   journal counts the attempt before it goes out);
//! - actions never started are run.
//!
//! Within a row, actions run in order and the row stops at its first failure (no session
//! revocation for someone who could not be disabled). Cancelling stops *starting* actions; an
//! action already sent is allowed to finish and be recorded, so cancelling never leaves a hole.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use futures::stream::{self, StreamExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::report::{BulkReport, RowReport};
use crate::error::{Error, Result};
use crate::journal::{
    ActionAnswer, ActionIntent, ActionKind, ActionOutcome, ActionRecord, ActionStatus, Actor,
    Journal, NewRun, Observation, RunInput, RunRow, RunStatus,
};
use crate::plan::{BulkCounts, PlaybookKind, ProgressEvent, StepOutcome, UserFacingError};

/// How many rows are worked on at once unless told otherwise. Graph's write quota, not this
/// number, is what limits a real run; a handful in flight hides the latency.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What a bulk run does to one row's target: wired to `entra-client` by the playbooks, replaced
/// by a fake in tests.
pub trait RowActions: Send + Sync {
    /// Sends one action and reports the answer. Called only after the journal holds the action
    /// as pending.
    fn perform(&self, row: &RunRow, kind: ActionKind) -> impl Future<Output = ActionAnswer> + Send;

    /// Observes whether an action whose answer was lost took effect (e.g. is the account
    /// disabled; are sessions valid only from after `action.intended_at`).
    fn observe(
        &self,
        row: &RunRow,
        action: &ActionRecord,
    ) -> impl Future<Output = Observation> + Send;

    /// The request summary stored in the journal. Never include secrets.
    fn describe(&self, row: &RunRow, kind: ActionKind) -> String {
        format!("{} {}", kind.as_str(), row.target.id)
    }
}

/// A new bulk run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRequest {
    pub playbook: PlaybookKind,
    pub actor: Actor,
    pub tenant_id: String,
    /// SHA-256 of the CSV file (`CsvInput::content_sha256`), to find the run again on resume.
    pub source_sha256: Option<String>,
    pub rows: Vec<RunRow>,
    /// The actions every row gets, in order.
    pub actions: Vec<ActionKind>,
}

/// Where progress goes and how to stop.
#[derive(Debug, Clone)]
pub struct RunControl {
    /// Receives every [`ProgressEvent`]; keep draining it, the runner waits when it is full.
    /// A closed receiver is fine: the run goes on without reporting.
    pub progress: mpsc::Sender<ProgressEvent>,
    pub cancel: CancellationToken,
}

/// Executes bulk runs against a journal.
pub struct BulkRunner<A> {
    journal: Arc<Journal>,
    actions: Arc<A>,
    concurrency: usize,
    /// Who carries the run out now, and on which tenant (see [`BulkRunner::as_signed_in`]).
    actor: Option<Actor>,
    tenant_id: Option<String>,
}

impl<A: RowActions> BulkRunner<A> {
    pub fn new(journal: Arc<Journal>, actions: Arc<A>) -> Self {
        BulkRunner {
            journal,
            actions,
            concurrency: DEFAULT_CONCURRENCY,
            actor: None,
            tenant_id: None,
        }
    }

    /// The person signed in now and their tenant: a resumed run continues only on the tenant it
    /// began on, and each new action is journaled as sent by `actor`.
    pub fn as_signed_in(mut self, actor: Actor, tenant_id: String) -> Self {
        self.actor = Some(actor);
        self.tenant_id = Some(tenant_id);
        self
    }

    /// Rows worked on at once (at least 1).
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Records a new run with its input, then runs it. Row numbers must be unique (they are
    /// what the journal matches actions to on resume).
    pub async fn start(&self, request: BulkRequest, control: RunControl) -> Result<BulkReport> {
        let mut seen = std::collections::HashSet::new();
        if let Some(row) = request.rows.iter().find(|row| !seen.insert(row.row)) {
            return Err(Error::DuplicateRowNumber(row.row));
        }
        let run = self.journal.start_run(NewRun {
            playbook: request.playbook,
            actor: request.actor,
            tenant_id: request.tenant_id,
            input: Some(RunInput {
                source_sha256: request.source_sha256,
                rows: request.rows,
                actions: request.actions,
            }),
        })?;
        let _claim = self.journal.claim_run(&run.id)?;
        self.execute(&run.id, control).await
    }

    /// Continues a run from what the journal says: nothing answered is repeated, nothing
    /// unanswered is re-sent without being observed first, nothing unstarted is skipped.
    ///
    /// Refused while another runner (another window, `provdesk`) is carrying the run out, and
    /// on another tenant than the one the run began on: its rows name that tenant's people.
    pub async fn resume(&self, run_id: &str, control: RunControl) -> Result<BulkReport> {
        let run = self.journal.run(run_id)?;
        if let Some(here) = &self.tenant_id {
            if &run.tenant_id != here {
                return Err(Error::RunOnAnotherTenant {
                    run_id: run_id.to_string(),
                    run_tenant: run.tenant_id,
                    here: here.clone(),
                });
            }
        }
        let _claim = self.journal.claim_run(run_id)?;
        self.journal.set_run_status(run_id, RunStatus::Running)?;
        self.execute(run_id, control).await
    }

    async fn execute(&self, run_id: &str, control: RunControl) -> Result<BulkReport> {
        let plan = self.journal.resume(run_id)?;
        let input = plan
            .run
            .input
            .clone()
            .ok_or_else(|| Error::NotABulkRun(run_id.to_string()))?;

        let mut slots: HashMap<(u32, ActionKind), Slot> = HashMap::new();
        for action in plan.completed {
            let Some(row) = action.row else { continue };
            let key = (row, action.kind);
            let slot = match action.status {
                ActionStatus::Failed => Slot::Failed(action),
                _ => Slot::Done,
            };
            slots.insert(key, slot);
        }
        for action in plan.verify_first {
            if let Some(row) = action.row {
                slots.insert((row, action.kind), Slot::Verify(action));
            }
        }

        let total = u32::try_from(input.rows.len()).unwrap_or(u32::MAX);
        let mut tally = Tally::new(total);
        let mut reports = Vec::new();
        send(
            &control,
            ProgressEvent::RunStarted {
                run_id: run_id.to_string(),
                total,
            },
        )
        .await;

        // Rows settled by an earlier session are reported at once; the rest is work.
        let mut work = Vec::new();
        for row in input.rows {
            let row_slots: Vec<(ActionKind, Slot)> = input
                .actions
                .iter()
                .map(|&kind| {
                    let slot = slots.remove(&(row.row, kind)).unwrap_or(Slot::Run);
                    (kind, slot)
                })
                .collect();
            if let Some((_, Slot::Failed(action))) = row_slots
                .iter()
                .find(|(_, slot)| matches!(slot, Slot::Failed(_)))
            {
                let outcome = StepOutcome::Failed {
                    error: earlier_failure(action),
                };
                tally.settle(&outcome, false);
                reports.push(self.report_row(&control, row, outcome).await);
            } else if row_slots.iter().all(|(_, slot)| matches!(slot, Slot::Done)) {
                let outcome = StepOutcome::AlreadyDone {
                    detail: "done in an earlier session of this run; not repeated".into(),
                };
                tally.settle(&outcome, false);
                reports.push(self.report_row(&control, row, outcome).await);
            } else {
                work.push((row, row_slots));
            }
        }
        send(&control, tally.progress()).await;

        let mut rows_in_flight = stream::iter(work)
            .map(|(row, row_slots)| self.run_row(run_id, row, row_slots, &control))
            .buffer_unordered(self.concurrency);
        while let Some(finished) = rows_in_flight.next().await {
            // A journal failure stops everything: without the journal, exactly-once is gone.
            let Some((row, outcome)) = finished? else {
                continue; // not reached before the cancel
            };
            tally.settle(&outcome, true);
            reports.push(self.report_row(&control, row, outcome).await);
            send(&control, tally.progress()).await;
        }
        drop(rows_in_flight);

        let cancelled = control.cancel.is_cancelled() && tally.counts.remaining() > 0;
        let status = if cancelled {
            RunStatus::Cancelled
        } else if tally.counts.unknown > 0 {
            RunStatus::Incomplete
        } else {
            RunStatus::Finished
        };
        self.journal.set_run_status(run_id, status)?;
        send(
            &control,
            ProgressEvent::RunFinished {
                run_id: run_id.to_string(),
                counts: Some(tally.counts),
                cancelled,
            },
        )
        .await;
        reports.sort_by_key(|report| report.row);
        Ok(BulkReport {
            run_id: run_id.to_string(),
            counts: tally.counts,
            rows: reports,
            cancelled,
        })
    }

    async fn report_row(
        &self,
        control: &RunControl,
        row: RunRow,
        outcome: StepOutcome,
    ) -> RowReport {
        send(
            control,
            ProgressEvent::RowFinished {
                row: row.row,
                target: row.target.display_name.clone(),
                outcome: outcome.clone(),
            },
        )
        .await;
        RowReport {
            row: row.row,
            target: row.target,
            outcome,
        }
    }

    /// Runs one row's remaining actions in order. `Ok(None)` when cancelled before the row
    /// finished (what was done is journaled; the rest is left for a resume).
    async fn run_row(
        &self,
        run_id: &str,
        row: RunRow,
        row_slots: Vec<(ActionKind, Slot)>,
        control: &RunControl,
    ) -> Result<Option<(RunRow, StepOutcome)>> {
        let mut verified_only = true;
        for (kind, slot) in row_slots {
            let outcome = match slot {
                Slot::Done => continue,
                // Settled before the work started; listed for completeness.
                Slot::Failed(action) => {
                    return Ok(Some((
                        row,
                        StepOutcome::Failed {
                            error: earlier_failure(&action),
                        },
                    )))
                }
                Slot::Verify(action) => {
                    if control.cancel.is_cancelled() {
                        return Ok(None);
                    }
                    self.step_started(control, &row, kind).await;
                    self.verify_then_send(&row, kind, action).await?
                }
                Slot::Run => {
                    if control.cancel.is_cancelled() {
                        return Ok(None);
                    }
                    self.step_started(control, &row, kind).await;
                    verified_only = false;
                    self.send_new(run_id, &row, kind).await?
                }
            };
            send(
                control,
                ProgressEvent::StepFinished {
                    step_id: kind.as_str().to_string(),
                    row: Some(row.row),
                    outcome: outcome.clone(),
                },
            )
            .await;
            match outcome {
                StepOutcome::Succeeded { .. } => verified_only = false,
                StepOutcome::AlreadyDone { .. } | StepOutcome::Skipped { .. } => {}
                StepOutcome::Failed { .. } | StepOutcome::Unknown { .. } => {
                    return Ok(Some((row, outcome)))
                }
            }
        }
        let outcome = if verified_only {
            StepOutcome::AlreadyDone {
                detail: "confirmed done after an interruption; not sent again".into(),
            }
        } else {
            StepOutcome::Succeeded { detail: None }
        };
        Ok(Some((row, outcome)))
    }

    /// Journal first, then send, then journal the answer.
    async fn send_new(&self, run_id: &str, row: &RunRow, kind: ActionKind) -> Result<StepOutcome> {
        let intent = ActionIntent {
            run_id: run_id.to_string(),
            actor: self.actor.clone(),
            step: kind.as_str().to_string(),
            row: Some(row.row),
            target: row.target.clone(),
            kind,
            request_summary: self.actions.describe(row, kind),
        };
        let (_, answer) = self
            .journal
            .journaled(intent, || self.actions.perform(row, kind))
            .await?;
        Ok(step_outcome(answer))
    }

    /// An action with no recorded answer: observe, and send again only if it did not happen.
    async fn verify_then_send(
        &self,
        row: &RunRow,
        kind: ActionKind,
        action: ActionRecord,
    ) -> Result<StepOutcome> {
        match self.actions.observe(row, &action).await {
            Observation::Applied => {
                self.journal.record_outcome(
                    &action.id,
                    ActionOutcome::Succeeded {
                        request_id: None,
                        note: Some("confirmed by observation after an interruption".into()),
                    },
                )?;
                Ok(StepOutcome::AlreadyDone {
                    detail: "it had happened before the interruption; not sent again".into(),
                })
            }
            Observation::NotApplied => {
                self.journal.record_resend(&action)?;
                let answer = self.actions.perform(row, kind).await;
                self.journal
                    .record_outcome(&action.id, answer.to_outcome())?;
                Ok(step_outcome(answer))
            }
            Observation::CannotTell { because } => {
                let message = format!("outcome unknown and it could not be checked: {because}");
                self.journal.record_outcome(
                    &action.id,
                    ActionOutcome::Unknown {
                        request_id: None,
                        message: message.clone(),
                    },
                )?;
                Ok(StepOutcome::Unknown { because: message })
            }
        }
    }

    async fn step_started(&self, control: &RunControl, row: &RunRow, kind: ActionKind) {
        send(
            control,
            ProgressEvent::StepStarted {
                step_id: kind.as_str().to_string(),
                title: kind.plain_title(&row.target.display_name),
                row: Some(row.row),
            },
        )
        .await;
    }
}

/// What is known about one (row, action) before the session starts.
#[derive(Debug, Clone)]
enum Slot {
    Done,
    Failed(ActionRecord),
    Verify(ActionRecord),
    Run,
}

/// Counts plus what the estimate of time left needs.
struct Tally {
    counts: BulkCounts,
    started: Instant,
    /// Rows finished by this session (the pace the estimate is based on).
    finished_here: u32,
}

impl Tally {
    fn new(total: u32) -> Self {
        Tally {
            counts: BulkCounts {
                total,
                ..BulkCounts::default()
            },
            started: Instant::now(),
            finished_here: 0,
        }
    }

    fn settle(&mut self, outcome: &StepOutcome, worked_here: bool) {
        match outcome {
            StepOutcome::Succeeded { .. } => self.counts.succeeded += 1,
            StepOutcome::AlreadyDone { .. } | StepOutcome::Skipped { .. } => {
                self.counts.skipped += 1
            }
            StepOutcome::Failed { .. } => self.counts.failed += 1,
            StepOutcome::Unknown { .. } => self.counts.unknown += 1,
        }
        if worked_here {
            self.finished_here += 1;
        }
    }

    fn progress(&self) -> ProgressEvent {
        let remaining = self.counts.remaining();
        let eta_seconds = (self.finished_here > 0).then(|| {
            let per_row = self.started.elapsed().as_secs_f64() / f64::from(self.finished_here);
            (per_row * f64::from(remaining)).ceil() as u32
        });
        ProgressEvent::BulkProgress {
            counts: self.counts,
            eta_seconds,
        }
    }
}

/// How an answer shows in the progress stream and the report.
fn step_outcome(answer: ActionAnswer) -> StepOutcome {
    match answer {
        ActionAnswer::Succeeded { .. } => StepOutcome::Succeeded { detail: None },
        ActionAnswer::Failed { error, .. } => StepOutcome::Failed { error },
        ActionAnswer::NoAnswer { message } => StepOutcome::Unknown {
            because: format!("no answer came back ({message}); resuming the run will check"),
        },
    }
}

/// A failure recorded by an earlier session, shown again in this session's report.
fn earlier_failure(action: &ActionRecord) -> UserFacingError {
    UserFacingError {
        code: action
            .error_code
            .clone()
            .unwrap_or_else(|| "failed".to_string()),
        message: action
            .error_message
            .clone()
            .unwrap_or_else(|| "This action failed.".to_string()),
        hint: "It failed in an earlier session of this run and is not retried automatically; \
               fix the cause, then run this person again."
            .into(),
    }
}

/// Progress is best-effort: a closed receiver must not stop the run.
async fn send(control: &RunControl, event: ProgressEvent) {
    let _ = control.progress.send(event).await;
}

#[cfg(test)]
mod tests;
