//! The runner against an in-process fake tenant that counts every request and every effect.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::journal::{ActionFilter, TargetRecord};

const SHA: &str = "5ea5on-interns-csv";

/// Stands in for Microsoft Graph: remembers what was sent and what took effect.
#[derive(Default)]
struct FakeTenant {
    state: Mutex<FakeState>,
}

#[derive(Default)]
struct FakeState {
    /// Effects in the tenant per (target, action): exactly-once means every value is 1.
    applied: HashMap<(String, ActionKind), u32>,
    /// Requests received per (target, action).
    sent: HashMap<(String, ActionKind), u32>,
    performs: usize,
    /// Requests after this many hang forever (the process is "killed" while they wait).
    hang_after: Option<usize>,
    hung: usize,
    /// Targets whose every action is refused.
    refuse: HashSet<String>,
    /// Actions that take effect but whose answer is lost.
    lose_answer: HashSet<(String, ActionKind)>,
    /// Observation is impossible (missing permission).
    blind: bool,
    /// Cancel this token when this many requests have been answered.
    cancel_at: Option<(usize, CancellationToken)>,
}

enum Behaviour {
    Answer,
    Refuse,
    LoseAnswer,
    Hang { apply: bool },
}

impl FakeTenant {
    fn with(configure: impl FnOnce(&mut FakeState)) -> Arc<Self> {
        let tenant = FakeTenant::default();
        configure(&mut tenant.state.lock().unwrap());
        Arc::new(tenant)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap()
    }

    async fn wait_until_hung(&self, count: usize) {
        while self.state().hung < count {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    fn assert_each_applied_once(&self, rows: &[RunRow], kinds: &[ActionKind]) {
        let state = self.state();
        for row in rows {
            for &kind in kinds {
                let key = (row.target.id.clone(), kind);
                assert_eq!(state.applied.get(&key), Some(&1), "{key:?}");
            }
        }
        assert_eq!(state.applied.len(), rows.len() * kinds.len());
    }

    fn total_sent(&self) -> u32 {
        self.state().sent.values().sum()
    }

    fn sent(&self, target: &str, kind: ActionKind) -> u32 {
        let key = (format!("{target}@contoso.com"), kind);
        self.state().sent.get(&key).copied().unwrap_or(0)
    }
}

impl RowActions for FakeTenant {
    fn perform(&self, row: &RunRow, kind: ActionKind) -> impl Future<Output = ActionAnswer> + Send {
        let key = (row.target.id.clone(), kind);
        async move {
            let behaviour = {
                let mut state = self.state();
                state.performs += 1;
                *state.sent.entry(key.clone()).or_default() += 1;
                if state.hang_after.is_some_and(|limit| state.performs > limit) {
                    // Alternate: the effect happened and the answer was lost, or the request
                    // never reached the service.
                    let apply = state.hung.is_multiple_of(2);
                    state.hung += 1;
                    Behaviour::Hang { apply }
                } else if state.refuse.contains(&key.0) {
                    Behaviour::Refuse
                } else if state.lose_answer.remove(&key) {
                    Behaviour::LoseAnswer
                } else {
                    Behaviour::Answer
                }
            };
            let apply = |state: &mut FakeState| {
                *state.applied.entry(key.clone()).or_default() += 1;
            };
            match behaviour {
                Behaviour::Hang { apply: applied } => {
                    if applied {
                        apply(&mut self.state());
                    }
                    std::future::pending::<()>().await;
                    unreachable!("a hung request never answers")
                }
                Behaviour::Refuse => ActionAnswer::Failed {
                    request_id: Some("req-404".into()),
                    error: UserFacingError {
                        code: "Request_ResourceNotFound".into(),
                        message: "This person was not found in the directory.".into(),
                        hint: "Check the spelling of the user principal name.".into(),
                    },
                },
                Behaviour::LoseAnswer => {
                    apply(&mut self.state());
                    ActionAnswer::NoAnswer {
                        message: "the connection was reset".into(),
                    }
                }
                Behaviour::Answer => {
                    let mut state = self.state();
                    apply(&mut state);
                    let answered = state.performs;
                    if let Some((at, token)) = &state.cancel_at {
                        if answered >= *at {
                            token.cancel();
                        }
                    }
                    ActionAnswer::Succeeded {
                        request_id: Some(format!("req-{answered}")),
                    }
                }
            }
        }
    }

    fn observe(
        &self,
        row: &RunRow,
        action: &ActionRecord,
    ) -> impl Future<Output = Observation> + Send {
        let key = (row.target.id.clone(), action.kind);
        async move {
            let state = self.state();
            if state.blind {
                Observation::CannotTell {
                    because: "missing permission User.Read.All".into(),
                }
            } else if state.applied.contains_key(&key) {
                Observation::Applied
            } else {
                Observation::NotApplied
            }
        }
    }
}

fn rows(names: &[&str]) -> Vec<RunRow> {
    names
        .iter()
        .enumerate()
        .map(|(index, name)| RunRow {
            row: index as u32 + 2,
            target: TargetRecord {
                id: format!("{}@contoso.com", name.to_lowercase()),
                display_name: (*name).to_string(),
            },
            reason: Some("Season over".into()),
            before: None,
        })
        .collect()
}

fn interns(count: usize) -> Vec<RunRow> {
    let names: Vec<String> = (0..count).map(|index| format!("Intern{index}")).collect();
    rows(&names.iter().map(String::as_str).collect::<Vec<_>>())
}

const OFFBOARD: [ActionKind; 2] = [ActionKind::Disable, ActionKind::RevokeSessions];

fn request(rows: Vec<RunRow>) -> BulkRequest {
    BulkRequest {
        playbook: PlaybookKind::BulkOffboard,
        actor: Actor {
            upn: "helpdesk@contoso.com".into(),
            oid: "11111111-1111-1111-1111-111111111111".into(),
        },
        tenant_id: "contoso-tenant".into(),
        source_sha256: Some(SHA.into()),
        rows,
        actions: OFFBOARD.to_vec(),
    }
}

/// A control whose events are collected in the background.
fn control() -> (RunControl, tokio::task::JoinHandle<Vec<ProgressEvent>>) {
    control_with(CancellationToken::new())
}

fn control_with(
    cancel: CancellationToken,
) -> (RunControl, tokio::task::JoinHandle<Vec<ProgressEvent>>) {
    let (progress, mut receiver) = mpsc::channel(64);
    let collector = tokio::spawn(async move {
        let mut events = Vec::new();
        while let Some(event) = receiver.recv().await {
            events.push(event);
        }
        events
    });
    (RunControl { progress, cancel }, collector)
}

fn all_actions(journal: &Journal) -> Vec<ActionRecord> {
    journal.actions(&ActionFilter::default()).unwrap()
}

#[tokio::test]
async fn every_row_runs_once_with_progress() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let tenant = Arc::new(FakeTenant::default());
    let rows = interns(30);
    let runner = BulkRunner::new(journal.clone(), tenant.clone()).with_concurrency(4);
    let (control, events) = control();

    let report = runner.start(request(rows.clone()), control).await.unwrap();
    drop(runner);
    let events = events.await.unwrap();

    tenant.assert_each_applied_once(&rows, &OFFBOARD);
    assert_eq!(tenant.total_sent(), 60);
    assert_eq!(
        report.counts,
        BulkCounts {
            total: 30,
            succeeded: 30,
            ..BulkCounts::default()
        }
    );
    assert!(!report.cancelled);
    assert_eq!(report.rows.len(), 30);
    assert!(report.rows.windows(2).all(|pair| pair[0].row < pair[1].row));

    let actions = all_actions(&journal);
    assert_eq!(actions.len(), 60);
    assert!(actions
        .iter()
        .all(|a| a.status == ActionStatus::Succeeded && a.attempts == 1 && a.request_id.is_some()));
    assert_eq!(
        journal.run(&report.run_id).unwrap().status,
        RunStatus::Finished
    );

    assert!(matches!(
        events.first(),
        Some(ProgressEvent::RunStarted { total: 30, .. })
    ));
    assert!(matches!(
        events.last(),
        Some(ProgressEvent::RunFinished { cancelled: false, counts: Some(counts), .. })
            if counts.succeeded == 30
    ));
    assert!(events.contains(&ProgressEvent::StepStarted {
        step_id: "disable".into(),
        title: "Turn off sign-in for Intern0".into(),
        row: Some(2),
    }));
    let last_progress = events.iter().rev().find_map(|event| match event {
        ProgressEvent::BulkProgress {
            counts,
            eta_seconds,
        } => Some((*counts, *eta_seconds)),
        _ => None,
    });
    assert_eq!(last_progress.map(|(counts, _)| counts.done()), Some(30));
    assert_eq!(last_progress.and_then(|(_, eta)| eta), Some(0));
    let rows_finished = events
        .iter()
        .filter(|event| matches!(event, ProgressEvent::RowFinished { .. }))
        .count();
    assert_eq!(rows_finished, 30);
}

#[tokio::test]
async fn a_row_stops_at_its_first_failure_and_others_go_on() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let tenant = FakeTenant::with(|state| {
        state.refuse.insert("cat@contoso.com".into());
        state
            .lose_answer
            .insert(("dan@contoso.com".into(), ActionKind::RevokeSessions));
    });
    let rows = rows(&["Ann", "Bob", "Cat", "Dan", "Eve"]);
    let runner = BulkRunner::new(journal.clone(), tenant.clone()).with_concurrency(2);

    let (control_one, _) = control();
    let first = runner
        .start(request(rows.clone()), control_one)
        .await
        .unwrap();
    assert_eq!(
        first.counts,
        BulkCounts {
            total: 5,
            succeeded: 3,
            failed: 1,
            unknown: 1,
            ..BulkCounts::default()
        }
    );
    let cat = &first.rows[2];
    assert!(
        matches!(&cat.outcome, StepOutcome::Failed { error } if error.code == "Request_ResourceNotFound")
    );
    assert_eq!(tenant.sent("cat", ActionKind::RevokeSessions), 0);
    assert_eq!(
        journal.run(&first.run_id).unwrap().status,
        RunStatus::Incomplete
    );

    // Resuming settles Dan by observation and neither retries Cat nor repeats anything.
    let (control_two, _) = control();
    let second = runner.resume(&first.run_id, control_two).await.unwrap();
    assert_eq!(
        second.counts,
        BulkCounts {
            total: 5,
            skipped: 4,
            failed: 1,
            ..BulkCounts::default()
        }
    );
    assert!(matches!(
        &second.rows[3].outcome,
        StepOutcome::AlreadyDone { detail } if detail.contains("confirmed")
    ));
    assert_eq!(tenant.sent("dan", ActionKind::RevokeSessions), 1);
    assert_eq!(tenant.sent("cat", ActionKind::Disable), 1);
    assert_eq!(tenant.total_sent(), 9);
    assert_eq!(
        journal.run(&first.run_id).unwrap().status,
        RunStatus::Finished
    );
    let dan_revoke = all_actions(&journal)
        .into_iter()
        .find(|a| a.target.display_name == "Dan" && a.kind == ActionKind::RevokeSessions)
        .unwrap();
    assert_eq!(dan_revoke.status, ActionStatus::Succeeded);
    assert_eq!(
        dan_revoke.note.as_deref(),
        Some("confirmed by observation after an interruption")
    );
}

#[tokio::test]
async fn an_unverifiable_action_stays_unknown_and_is_never_resent() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let tenant = FakeTenant::with(|state| {
        state
            .lose_answer
            .insert(("ann@contoso.com".into(), ActionKind::Disable));
        state.blind = true;
    });
    let runner = BulkRunner::new(journal.clone(), tenant.clone());
    let (control_one, _) = control();
    let first = runner
        .start(request(rows(&["Ann"])), control_one)
        .await
        .unwrap();
    assert_eq!(first.counts.unknown, 1);
    // The row stopped: no session revocation without knowing whether she is disabled.
    assert_eq!(tenant.sent("ann", ActionKind::RevokeSessions), 0);

    let (control_two, _) = control();
    let second = runner.resume(&first.run_id, control_two).await.unwrap();
    assert_eq!(second.counts.unknown, 1);
    assert!(matches!(
        &second.rows[0].outcome,
        StepOutcome::Unknown { because } if because.contains("missing permission")
    ));
    assert_eq!(tenant.sent("ann", ActionKind::Disable), 1);
    assert_eq!(
        journal.run(&first.run_id).unwrap().status,
        RunStatus::Incomplete
    );
}

#[tokio::test]
async fn cancel_stops_starting_actions_and_resume_finishes_the_rest() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let cancel = CancellationToken::new();
    let tenant = FakeTenant::with(|state| state.cancel_at = Some((10, cancel.clone())));
    let rows = interns(20);
    let runner = BulkRunner::new(journal.clone(), tenant.clone()).with_concurrency(3);

    let (control_one, events) = control_with(cancel);
    let first = runner
        .start(request(rows.clone()), control_one)
        .await
        .unwrap();
    assert!(first.cancelled);
    assert!(first.counts.remaining() > 0);
    // Actions already sent were allowed to finish: nothing is left pending.
    let actions = all_actions(&journal);
    assert!(actions.iter().all(|a| a.status == ActionStatus::Succeeded));
    assert!(
        actions.len() >= 10 && actions.len() < 40,
        "{}",
        actions.len()
    );
    assert_eq!(
        journal.run(&first.run_id).unwrap().status,
        RunStatus::Cancelled
    );
    assert!(matches!(
        events.await.unwrap().last(),
        Some(ProgressEvent::RunFinished {
            cancelled: true,
            ..
        })
    ));

    let (control_two, _) = control();
    let second = runner.resume(&first.run_id, control_two).await.unwrap();
    assert!(!second.cancelled);
    assert_eq!(second.counts.done(), 20);
    assert_eq!(second.counts.failed + second.counts.unknown, 0);
    tenant.assert_each_applied_once(&rows, &OFFBOARD);
    assert_eq!(tenant.total_sent(), 40);
}

/// The crash test: the process dies while requests are in flight (nothing is closed or
/// cleaned up), and a new process resumes from the same journal file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_run_then_resume_is_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let tenant = FakeTenant::with(|state| state.hang_after = Some(13));
    let rows = interns(40);

    {
        let journal = Arc::new(Journal::open(&path).unwrap());
        let runner = BulkRunner::new(journal.clone(), tenant.clone()).with_concurrency(4);
        let (control, _events) = control();
        let run = runner.start(request(rows.clone()), control);
        tokio::select! {
            result = run => panic!("the run should hang, but ended: {result:?}"),
            () = tenant.wait_until_hung(4) => {}
        }
        // kill -9: the connection is never closed, the WAL never checkpointed.
        std::mem::forget(runner);
        std::mem::forget(journal);
    }

    let journal = Arc::new(Journal::open(&path).unwrap());
    let run = journal
        .unfinished_run_for(PlaybookKind::BulkOffboard, SHA, "contoso-tenant")
        .unwrap()
        .expect("the interrupted run is found again by its file");
    assert_eq!(run.status, RunStatus::Running);
    let plan = journal.resume(&run.id).unwrap();
    assert_eq!(plan.completed.len(), 13);
    assert_eq!(plan.verify_first.len(), 4);
    assert_eq!(plan.not_started.len(), 80 - 13 - 4);
    assert!(plan.blocked.is_empty());

    tenant.state().hang_after = None;
    let runner = BulkRunner::new(journal.clone(), tenant.clone()).with_concurrency(4);
    let (control, _events) = control();
    let report = runner.resume(&run.id, control).await.unwrap();

    // Every effect exactly once; only the two requests that never reached the tenant were sent
    // a second time.
    tenant.assert_each_applied_once(&rows, &OFFBOARD);
    assert_eq!(tenant.total_sent(), 80 + 2);
    assert_eq!(report.counts.done(), 40);
    assert_eq!(report.counts.failed + report.counts.unknown, 0);
    let actions = all_actions(&journal);
    assert_eq!(actions.len(), 80);
    assert!(actions.iter().all(|a| a.status == ActionStatus::Succeeded));
    assert_eq!(actions.iter().filter(|a| a.attempts == 2).count(), 2);
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.note.as_deref() == Some("confirmed by observation after an interruption"))
            .count(),
        2
    );
    assert_eq!(journal.run(&run.id).unwrap().status, RunStatus::Finished);
    assert!(journal.unfinished_runs().unwrap().is_empty());
}

/// The app spawns runs on Tauri's runtime: the futures must be `Send`.
#[test]
fn run_futures_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let journal = Arc::new(Journal::in_memory().unwrap());
    let runner = BulkRunner::new(journal, Arc::new(FakeTenant::default()));
    let (progress, _receiver) = mpsc::channel(1);
    let control = RunControl {
        progress,
        cancel: CancellationToken::new(),
    };
    assert_send(&runner.start(request(Vec::new()), control.clone()));
    assert_send(&runner.resume("run", control));
}

#[tokio::test]
async fn rows_must_have_unique_numbers() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let mut rows = rows(&["Ann", "Bob"]);
    rows[1].row = rows[0].row;
    let runner = BulkRunner::new(journal.clone(), Arc::new(FakeTenant::default()));
    let (control, _) = control();
    let error = runner.start(request(rows), control).await.unwrap_err();
    assert_eq!(error.code(), "duplicate_row_number");
    assert!(journal.unfinished_runs().unwrap().is_empty());
}

#[tokio::test]
async fn only_bulk_runs_can_be_resumed_by_the_runner() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let run = journal
        .start_run(NewRun {
            playbook: PlaybookKind::Offboard,
            actor: request(Vec::new()).actor,
            tenant_id: "contoso-tenant".into(),
            input: None,
        })
        .unwrap();
    let runner = BulkRunner::new(journal, Arc::new(FakeTenant::default()));
    let (control, _) = control();
    let error = runner.resume(&run.id, control).await.unwrap_err();
    assert_eq!(error.code(), "not_a_bulk_run");
}

/// A cancelled run of 20 interns, half done: what the tests below continue.
async fn half_done_run(journal: &Arc<Journal>, tenant: &Arc<FakeTenant>) -> String {
    let cancel = CancellationToken::new();
    tenant.state().cancel_at = Some((10, cancel.clone()));
    let runner = BulkRunner::new(journal.clone(), tenant.clone()).with_concurrency(3);
    let (control, _) = control_with(cancel);
    let first = runner.start(request(interns(20)), control).await.unwrap();
    assert!(first.cancelled);
    tenant.state().cancel_at = None;
    first.run_id
}

#[tokio::test]
async fn a_run_being_carried_out_cannot_be_resumed_by_another_runner() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let tenant = Arc::new(FakeTenant::default());
    let run_id = half_done_run(&journal, &tenant).await;
    let sent_before = tenant.total_sent();

    // Another window (or provdesk) is carrying the run out right now.
    let live = journal.claim_run(&run_id).unwrap();
    let other = BulkRunner::new(journal.clone(), tenant.clone());
    let (ctl, _) = control();
    let refused = other.resume(&run_id, ctl).await.unwrap_err();
    assert_eq!(refused.code(), "run_busy");
    assert_eq!(tenant.total_sent(), sent_before, "nothing sent again");
    assert_eq!(
        journal.run(&run_id).unwrap().status,
        RunStatus::Cancelled,
        "the run is left as it was"
    );

    // Once it is no longer carried out (finished, crashed, closed), it can be continued.
    drop(live);
    let (ctl, _) = control();
    let done = other.resume(&run_id, ctl).await.unwrap();
    assert_eq!(done.counts.done(), 20);
    tenant.assert_each_applied_once(&interns(20), &OFFBOARD);
}

#[tokio::test]
async fn a_run_continues_only_on_its_tenant_and_journals_who_continued_it() {
    let journal = Arc::new(Journal::in_memory().unwrap());
    let tenant = Arc::new(FakeTenant::default());
    let run_id = half_done_run(&journal, &tenant).await;
    let sent_before = tenant.total_sent();
    let colleague = Actor {
        upn: "second.shift@contoso.com".into(),
        oid: "22222222-2222-2222-2222-222222222222".into(),
    };

    // Practised on the training tenant, continued signed in to a real one: refused.
    let elsewhere = BulkRunner::new(journal.clone(), tenant.clone())
        .as_signed_in(colleague.clone(), "fabrikam-real-tenant".into());
    let (ctl, _) = control();
    let refused = elsewhere.resume(&run_id, ctl).await.unwrap_err();
    assert_eq!(refused.code(), "run_on_another_tenant");
    assert!(refused.to_string().contains("another tenant"), "{refused}");
    assert_eq!(tenant.total_sent(), sent_before, "nothing sent");

    // A colleague on the same tenant continues it: the new actions are theirs.
    let here = BulkRunner::new(journal.clone(), tenant.clone())
        .as_signed_in(colleague.clone(), "contoso-tenant".into());
    let (ctl, _) = control();
    here.resume(&run_id, ctl).await.unwrap();
    let actions = all_actions(&journal);
    let by = |upn: &str| actions.iter().filter(|a| a.actor.upn == upn).count();
    assert_eq!(
        by("helpdesk@contoso.com") + by("second.shift@contoso.com"),
        40
    );
    assert_eq!(by("second.shift@contoso.com") as u32, 40 - sent_before);
    assert!(actions
        .iter()
        .filter(|a| a.actor.upn == "second.shift@contoso.com")
        .all(|a| a.actor.oid == colleague.oid));
}
