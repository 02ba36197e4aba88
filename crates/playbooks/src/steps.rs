//! Running the steps of a single-target playbook: every mutation journaled *pending* before it
//! is sent and completed after the answer, progress streamed, a result per step.

use std::future::Future;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::Result;
use crate::journal::{
    ActionAnswer, ActionIntent, ActionKind, ActionOutcome, Observation, TargetRecord,
};
use crate::plan::{ProgressEvent, StepOutcome, UserFacingError};

/// How one step of a run ended, for the result screen and the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub step_id: String,
    pub title: String,
    pub outcome: StepOutcome,
}

/// The ticket-summary tail every single-target result shares: one line per step with its
/// outcome and reason, what happens next, and the journal run to look up.
pub(crate) fn render_steps(out: &mut String, steps: &[StepResult], next: &[String], run_id: &str) {
    for step in steps {
        out.push_str(&format!("  {:<13} {}", step.outcome.label(), step.title));
        match &step.outcome {
            StepOutcome::AlreadyDone { detail } => out.push_str(&format!(" — {detail}")),
            StepOutcome::Skipped { because } | StepOutcome::Unknown { because } => {
                out.push_str(&format!(" — {because}"))
            }
            StepOutcome::Failed { error } => {
                out.push_str(&format!(" — {} {}", error.message, error.hint))
            }
            StepOutcome::Succeeded { .. } => {}
        }
        out.push('\n');
    }
    if !next.is_empty() {
        out.push_str("What happens next\n");
        for line in next {
            out.push_str(&format!("  - {line}\n"));
        }
    }
    out.push_str(&format!("Journal run: {run_id}\n"));
}

/// The steps of one run as they happen.
pub(crate) struct StepRun<'a> {
    desk: &'a Desk,
    pub(crate) run_id: String,
    progress: &'a mpsc::Sender<ProgressEvent>,
    pub(crate) results: Vec<StepResult>,
    /// Held while the steps run: another window checking unfinished changes
    /// (`reconcile`) leaves a live run alone.
    _claim: crate::journal::RunClaim,
}

impl<'a> StepRun<'a> {
    pub(crate) async fn start(
        desk: &'a Desk,
        playbook: crate::plan::PlaybookKind,
        total: usize,
        progress: &'a mpsc::Sender<ProgressEvent>,
    ) -> Result<StepRun<'a>> {
        let run = desk.start_run(playbook)?;
        let claim = desk.journal().claim_run(&run.id)?;
        let _ = progress
            .send(ProgressEvent::RunStarted {
                run_id: run.id.clone(),
                total: u32::try_from(total).unwrap_or(u32::MAX),
            })
            .await;
        Ok(StepRun {
            desk,
            run_id: run.id,
            progress,
            results: Vec::new(),
            _claim: claim,
        })
    }

    /// Journals and sends one mutation. `send` runs only once the journal holds it as pending.
    pub(crate) async fn action<Fut>(
        &mut self,
        step_id: &str,
        kind: ActionKind,
        target: &TargetRecord,
        request_summary: String,
        send: impl FnOnce() -> Fut,
    ) -> Result<StepOutcome>
    where
        Fut: Future<Output = entra_client::Result<()>>,
    {
        let title = kind.plain_title(&target.display_name);
        self.started(step_id, &title).await;
        let intent = ActionIntent {
            run_id: self.run_id.clone(),
            actor: None,
            step: step_id.to_string(),
            row: None,
            target: target.clone(),
            kind,
            request_summary,
        };
        let (_, answer) = self
            .desk
            .journal()
            .journaled(intent, || async { answer_of(send().await) })
            .await?;
        let outcome = outcome_of(answer);
        self.finished(step_id, &title, outcome.clone()).await;
        Ok(outcome)
    }

    /// Like [`StepRun::action`], for a change whose answer may be lost: when no answer comes
    /// back, `check` reads the tenant and the journal records what actually happened — done
    /// (success), not done (sent once more, the attempt counted first), or not known (left
    /// "unknown" with the reason). One journal entry either way.
    pub(crate) async fn action_checked<Fut, CheckFut>(
        &mut self,
        step_id: &str,
        kind: ActionKind,
        target: &TargetRecord,
        request_summary: String,
        send: impl Fn() -> Fut,
        check: impl Fn() -> CheckFut,
    ) -> Result<StepOutcome>
    where
        Fut: Future<Output = entra_client::Result<()>>,
        CheckFut: Future<Output = Observation>,
    {
        let title = kind.plain_title(&target.display_name);
        self.started(step_id, &title).await;
        let intent = ActionIntent {
            run_id: self.run_id.clone(),
            actor: None,
            step: step_id.to_string(),
            row: None,
            target: target.clone(),
            kind,
            request_summary,
        };
        let journal = self.desk.journal();
        let (mut record, mut answer) = journal
            .journaled(intent, || async { answer_of(send().await) })
            .await?;
        let mut resent = false;
        let outcome = loop {
            let ActionAnswer::NoAnswer { message } = answer else {
                break outcome_of(answer);
            };
            match check().await {
                Observation::Applied => {
                    journal
                        .record_outcome_async(
                            &record.id,
                            ActionOutcome::Succeeded {
                                request_id: None,
                                note: Some(
                                    "the answer was lost; reading the tenant back showed it was done"
                                        .into(),
                                ),
                            },
                        )
                        .await?;
                    break StepOutcome::Succeeded {
                        detail: Some(
                            "The answer from Microsoft was lost on the way back; checking again showed it was done.".into(),
                        ),
                    };
                }
                // Sent once more, never twice more: a second loss is left to a person.
                Observation::NotApplied if !resent => {
                    resent = true;
                    record = journal.record_resend(&record)?;
                    answer = answer_of(send().await);
                    if !matches!(answer, ActionAnswer::NoAnswer { .. }) {
                        record = journal
                            .record_outcome_async(&record.id, answer.to_outcome())
                            .await?;
                    }
                }
                Observation::NotApplied => {
                    let because = format!(
                        "{message}; it was sent a second time and that answer was lost too, and it is still not done"
                    );
                    journal
                        .record_outcome_async(
                            &record.id,
                            ActionOutcome::Unknown {
                                request_id: None,
                                message: because.clone(),
                            },
                        )
                        .await?;
                    break StepOutcome::Unknown { because };
                }
                Observation::CannotTell { because } => {
                    let because =
                        format!("{message}; whether it was done could not be checked: {because}");
                    journal
                        .record_outcome_async(
                            &record.id,
                            ActionOutcome::Unknown {
                                request_id: None,
                                message: because.clone(),
                            },
                        )
                        .await?;
                    break StepOutcome::Unknown { because };
                }
            }
        };
        self.finished(step_id, &title, outcome.clone()).await;
        Ok(outcome)
    }

    /// A step that needs no request (already done, not allowed, or informational).
    pub(crate) async fn note(&mut self, step_id: &str, title: &str, outcome: StepOutcome) {
        self.started(step_id, title).await;
        self.finished(step_id, title, outcome).await;
    }

    async fn started(&self, step_id: &str, title: &str) {
        let _ = self
            .progress
            .send(ProgressEvent::StepStarted {
                step_id: step_id.to_string(),
                title: title.to_string(),
                row: None,
            })
            .await;
    }

    async fn finished(&mut self, step_id: &str, title: &str, outcome: StepOutcome) {
        let _ = self
            .progress
            .send(ProgressEvent::StepFinished {
                step_id: step_id.to_string(),
                row: None,
                outcome: outcome.clone(),
            })
            .await;
        self.results.push(StepResult {
            step_id: step_id.to_string(),
            title: title.to_string(),
            outcome,
        });
    }

    /// Marks the run finished in the journal and tells the listener.
    pub(crate) async fn finish(self) -> Result<(String, Vec<StepResult>)> {
        let unknown = self
            .results
            .iter()
            .any(|r| matches!(r.outcome, StepOutcome::Unknown { .. }));
        let status = if unknown {
            crate::journal::RunStatus::Incomplete
        } else {
            crate::journal::RunStatus::Finished
        };
        self.desk.journal().set_run_status(&self.run_id, status)?;
        let _ = self
            .progress
            .send(ProgressEvent::RunFinished {
                run_id: self.run_id.clone(),
                counts: None,
                cancelled: false,
            })
            .await;
        Ok((self.run_id, self.results))
    }
}

/// How an answer shows as a step's outcome.
fn outcome_of(answer: ActionAnswer) -> StepOutcome {
    match answer {
        ActionAnswer::Succeeded { .. } => StepOutcome::Succeeded { detail: None },
        ActionAnswer::Failed { error, .. } => StepOutcome::Failed { error },
        ActionAnswer::NoAnswer { message } => StepOutcome::Unknown { because: message },
    }
}

/// What the journal records for a Graph answer. A lost answer (network, timeout, or
/// `graph.answer_lost`: a request that is not sent twice) is "no answer": it may have
/// happened, and must be observed before anything is sent again.
pub(crate) fn answer_of(result: entra_client::Result<()>) -> ActionAnswer {
    match result {
        Ok(()) => ActionAnswer::Succeeded { request_id: None },
        Err(error) => {
            let request_id = error.request_ids().and_then(|ids| ids.request_id.clone());
            match error {
                entra_client::Error::Network { .. }
                | entra_client::Error::Timeout { .. }
                | entra_client::Error::AnswerLost { .. } => ActionAnswer::NoAnswer {
                    message: error.to_string(),
                },
                other => ActionAnswer::Failed {
                    request_id,
                    error: UserFacingError::from(&crate::Error::from(other)),
                },
            }
        }
    }
}

/// Whether every step went well (or had nothing to do).
pub fn all_succeeded(results: &[StepResult]) -> bool {
    results.iter().all(|r| {
        matches!(
            r.outcome,
            StepOutcome::Succeeded { .. } | StepOutcome::AlreadyDone { .. }
        )
    })
}
