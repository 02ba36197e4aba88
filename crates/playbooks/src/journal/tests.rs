use std::sync::atomic::{AtomicI64, Ordering};

use chrono::TimeZone;

use super::*;

fn actor() -> Actor {
    Actor {
        upn: "helpdesk@contoso.com".into(),
        oid: "11111111-1111-1111-1111-111111111111".into(),
    }
}

fn target(name: &str) -> TargetRecord {
    TargetRecord {
        id: format!("{}@contoso.com", name.to_lowercase()),
        display_name: name.into(),
    }
}

fn single_run(journal: &Journal, playbook: PlaybookKind) -> RunRecord {
    journal
        .start_run(NewRun {
            playbook,
            actor: actor(),
            tenant_id: "contoso-tenant".into(),
            input: None,
        })
        .unwrap()
}

fn bulk_run(journal: &Journal, names: &[&str]) -> RunRecord {
    let rows = names
        .iter()
        .enumerate()
        .map(|(index, name)| RunRow {
            row: index as u32 + 2,
            target: target(name),
            reason: None,
            before: None,
        })
        .collect();
    journal
        .start_run(NewRun {
            playbook: PlaybookKind::BulkOffboard,
            actor: actor(),
            tenant_id: "contoso-tenant".into(),
            input: Some(RunInput {
                source_sha256: Some("abc123".into()),
                rows,
                actions: vec![ActionKind::Disable, ActionKind::RevokeSessions],
            }),
        })
        .unwrap()
}

fn intent(run: &RunRecord, row: Option<u32>, name: &str, kind: ActionKind) -> ActionIntent {
    ActionIntent {
        run_id: run.id.clone(),
        actor: None,
        step: kind.as_str().into(),
        row,
        target: target(name),
        kind,
        request_summary: format!("{} {name}", kind.as_str()),
    }
}

fn succeeded() -> ActionOutcome {
    ActionOutcome::Succeeded {
        request_id: Some("req-1".into()),
        note: None,
    }
}

/// A clock that starts at 1 Nov 2026 09:00 and moves when told.
fn test_clock() -> (Clock, Arc<AtomicI64>) {
    let minutes = Arc::new(AtomicI64::new(0));
    let offset = minutes.clone();
    let clock: Clock = Arc::new(move || {
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
            + chrono::Duration::minutes(offset.load(Ordering::SeqCst))
    });
    (clock, minutes)
}

#[test]
fn an_action_is_pending_until_its_answer_is_recorded() {
    let journal = Journal::in_memory().unwrap();
    let run = single_run(&journal, PlaybookKind::Offboard);
    let pending = journal
        .record_intent(intent(&run, None, "Jane", ActionKind::Disable))
        .unwrap();
    assert_eq!(pending.status, ActionStatus::Pending);
    assert_eq!(pending.actor, actor());
    assert_eq!(pending.tenant_id, "contoso-tenant");
    assert_eq!(pending.playbook, PlaybookKind::Offboard);
    assert_eq!(pending.completed_at, None);

    let done = journal.record_outcome(&pending.id, succeeded()).unwrap();
    assert_eq!(done.status, ActionStatus::Succeeded);
    assert_eq!(done.request_id.as_deref(), Some("req-1"));
    assert!(done.completed_at.is_some());

    let again = journal
        .record_outcome(&pending.id, succeeded())
        .unwrap_err();
    assert_eq!(again.code(), "action_already_completed");
    let missing = journal.record_outcome("nope", succeeded()).unwrap_err();
    assert_eq!(missing.code(), "action_not_found");
}

#[test]
fn failures_keep_code_and_message() {
    let journal = Journal::in_memory().unwrap();
    let run = single_run(&journal, PlaybookKind::Offboard);
    let pending = journal
        .record_intent(intent(&run, None, "Jane", ActionKind::Disable))
        .unwrap();
    let failed = journal
        .record_outcome(
            &pending.id,
            ActionOutcome::Failed {
                request_id: Some("req-9".into()),
                code: "Authorization_RequestDenied".into(),
                message: "Insufficient privileges to complete the operation.".into(),
            },
        )
        .unwrap();
    assert_eq!(failed.status, ActionStatus::Failed);
    assert_eq!(
        failed.error_code.as_deref(),
        Some("Authorization_RequestDenied")
    );
}

#[test]
fn an_action_needs_an_existing_run() {
    let journal = Journal::in_memory().unwrap();
    let ghost = RunRecord {
        id: "no-such-run".into(),
        ..single_run(&journal, PlaybookKind::Offboard)
    };
    let error = journal
        .record_intent(intent(&ghost, None, "Jane", ActionKind::Disable))
        .unwrap_err();
    assert_eq!(error.code(), "run_not_found");
}

#[test]
fn the_database_refuses_a_second_action_for_the_same_row_and_kind() {
    let journal = Journal::in_memory().unwrap();
    let run = bulk_run(&journal, &["Jane"]);
    journal
        .record_intent(intent(&run, Some(2), "Jane", ActionKind::Disable))
        .unwrap();
    let error = journal
        .record_intent(intent(&run, Some(2), "Jane", ActionKind::Disable))
        .unwrap_err();
    assert_eq!(error.code(), "action_already_recorded");
    // Another kind for the same row is fine.
    journal
        .record_intent(intent(&run, Some(2), "Jane", ActionKind::RevokeSessions))
        .unwrap();
}

#[test]
fn resume_sorts_completed_unanswered_and_never_started() {
    let journal = Journal::in_memory().unwrap();
    let run = bulk_run(&journal, &["Ann", "Bob", "Cat", "Dan"]);
    // Ann (row 2): both done. Bob (row 3): disabled, revoke sent without answer.
    // Cat (row 4): disable failed. Dan (row 5): nothing yet.
    for kind in [ActionKind::Disable, ActionKind::RevokeSessions] {
        let action = journal
            .record_intent(intent(&run, Some(2), "Ann", kind))
            .unwrap();
        journal.record_outcome(&action.id, succeeded()).unwrap();
    }
    let bob_disable = journal
        .record_intent(intent(&run, Some(3), "Bob", ActionKind::Disable))
        .unwrap();
    journal
        .record_outcome(&bob_disable.id, succeeded())
        .unwrap();
    let bob_revoke = journal
        .record_intent(intent(&run, Some(3), "Bob", ActionKind::RevokeSessions))
        .unwrap();
    let cat_disable = journal
        .record_intent(intent(&run, Some(4), "Cat", ActionKind::Disable))
        .unwrap();
    journal
        .record_outcome(
            &cat_disable.id,
            ActionOutcome::Failed {
                request_id: None,
                code: "Request_ResourceNotFound".into(),
                message: "not found".into(),
            },
        )
        .unwrap();

    let plan = journal.resume(&run.id).unwrap();
    let slots = |actions: &[ActionRecord]| -> Vec<(Option<u32>, ActionKind)> {
        actions.iter().map(|a| (a.row, a.kind)).collect()
    };
    assert_eq!(
        slots(&plan.completed),
        vec![
            (Some(2), ActionKind::Disable),
            (Some(2), ActionKind::RevokeSessions),
            (Some(3), ActionKind::Disable),
            (Some(4), ActionKind::Disable),
        ]
    );
    assert_eq!(plan.verify_first.len(), 1);
    assert_eq!(plan.verify_first[0].id, bob_revoke.id);
    let planned = |actions: &[PlannedAction]| -> Vec<(u32, ActionKind)> {
        actions.iter().map(|a| (a.row, a.kind)).collect()
    };
    assert_eq!(
        planned(&plan.not_started),
        vec![(5, ActionKind::Disable), (5, ActionKind::RevokeSessions)]
    );
    assert_eq!(
        planned(&plan.blocked),
        vec![(4, ActionKind::RevokeSessions)]
    );
    assert!(!plan.is_complete());
}

#[test]
fn resend_goes_back_to_pending_and_counts_the_attempt() {
    let journal = Journal::in_memory().unwrap();
    let run = bulk_run(&journal, &["Bob"]);
    let action = journal
        .record_intent(intent(&run, Some(2), "Bob", ActionKind::Disable))
        .unwrap();
    journal
        .record_outcome(
            &action.id,
            ActionOutcome::Unknown {
                request_id: None,
                message: "timed out".into(),
            },
        )
        .unwrap();
    let seen = journal.action(&action.id).unwrap();
    let resent = journal.record_resend(&seen).unwrap();
    assert_eq!(resent.status, ActionStatus::Pending);
    assert_eq!(resent.attempts, 2);
    // A second resumer that read the same record loses the race and sends nothing.
    assert_eq!(journal.record_resend(&seen).unwrap_err().code(), "run_busy");
    let done = journal.record_outcome(&action.id, succeeded()).unwrap();
    assert_eq!(done.attempts, 2);
    assert!(journal.record_resend(&done).is_err());
}

#[test]
fn runs_can_be_found_again_until_they_finish() {
    let journal = Journal::in_memory().unwrap();
    let run = bulk_run(&journal, &["Ann"]);
    let single = single_run(&journal, PlaybookKind::Restart);
    journal
        .set_run_status(&single.id, RunStatus::Finished)
        .unwrap();
    let unfinished: Vec<_> = journal
        .unfinished_runs()
        .unwrap()
        .into_iter()
        .map(|run| run.id)
        .collect();
    assert_eq!(unfinished, vec![run.id.clone()]);
    let found = journal
        .unfinished_run_for(PlaybookKind::BulkOffboard, "abc123", "contoso-tenant")
        .unwrap()
        .unwrap();
    assert_eq!(found, run);
    assert_eq!(
        journal
            .unfinished_run_for(PlaybookKind::BulkOffboard, "other", "contoso-tenant")
            .unwrap(),
        None
    );
    // The same file on another tenant (practised on the training tenant): not offered.
    assert_eq!(
        journal
            .unfinished_run_for(PlaybookKind::BulkOffboard, "abc123", "another-tenant")
            .unwrap(),
        None
    );
    journal
        .set_run_status(&run.id, RunStatus::Cancelled)
        .unwrap();
    assert_eq!(journal.run(&run.id).unwrap().status, RunStatus::Cancelled);
    assert!(journal.run(&run.id).unwrap().finished_at.is_some());
    assert_eq!(
        journal
            .set_run_status("nope", RunStatus::Finished)
            .unwrap_err()
            .code(),
        "run_not_found"
    );
}

#[test]
fn queries_filter_by_time_playbook_target_and_status() {
    let (clock, minutes) = test_clock();
    let journal = Journal::in_memory().unwrap().with_clock(clock);
    let offboard = single_run(&journal, PlaybookKind::Offboard);
    let restart = single_run(&journal, PlaybookKind::Restart);

    let jane = journal
        .record_intent(intent(&offboard, None, "Jane", ActionKind::Disable))
        .unwrap();
    journal.record_outcome(&jane.id, succeeded()).unwrap();
    minutes.store(60, Ordering::SeqCst);
    journal
        .record_intent(intent(&offboard, None, "Bob", ActionKind::Disable))
        .unwrap();
    minutes.store(120, Ordering::SeqCst);
    journal
        .record_intent(intent(&restart, None, "Floorplan", ActionKind::RestartJob))
        .unwrap();

    let names = |filter: ActionFilter| -> Vec<String> {
        journal
            .actions(&filter)
            .unwrap()
            .into_iter()
            .map(|a| a.target.display_name)
            .collect()
    };
    assert_eq!(names(ActionFilter::default()), ["Jane", "Bob", "Floorplan"]);
    let at = |minute: i64| {
        Some(
            Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute),
        )
    };
    assert_eq!(
        names(ActionFilter {
            since: at(30),
            until: at(120),
            ..ActionFilter::default()
        }),
        ["Bob"]
    );
    assert_eq!(
        names(ActionFilter {
            playbook: Some(PlaybookKind::Restart),
            ..ActionFilter::default()
        }),
        ["Floorplan"]
    );
    assert_eq!(
        names(ActionFilter {
            target: Some("JANE@contoso".into()),
            ..ActionFilter::default()
        }),
        ["Jane"]
    );
    assert_eq!(
        names(ActionFilter {
            target: Some("%".into()),
            ..ActionFilter::default()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        names(ActionFilter {
            status: Some(ActionStatus::Pending),
            ..ActionFilter::default()
        }),
        ["Bob", "Floorplan"]
    );
    assert_eq!(
        names(ActionFilter {
            run_id: Some(restart.id.clone()),
            ..ActionFilter::default()
        }),
        ["Floorplan"]
    );
}

#[test]
fn exports_csv_and_json_for_the_ticket() {
    let (clock, _) = test_clock();
    let journal = Journal::in_memory().unwrap().with_clock(clock);
    let run = single_run(&journal, PlaybookKind::Offboard);
    let mut evil = intent(&run, None, "Jane", ActionKind::Disable);
    evil.target.display_name = "=HYPERLINK(\"http://x\")".into();
    let action = journal.record_intent(evil).unwrap();
    journal.record_outcome(&action.id, succeeded()).unwrap();
    let actions = journal.actions(&ActionFilter::default()).unwrap();

    let mut csv = Vec::new();
    export_csv(&actions, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("intended_at,completed_at,status,playbook,step,action,row,target_id"));
    let line = lines.next().unwrap();
    assert!(line.starts_with("2026-11-01T09:00:00.000Z,2026-11-01T09:00:00.000Z,succeeded,offboard,disable,disable,,jane@contoso.com,"));
    assert!(line.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{line}");

    let json = export_json(&actions).unwrap();
    let parsed: Vec<ActionRecord> = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed, actions);
    assert!(json.contains("\"intendedAt\": \"2026-11-01T09:00:00Z\""));
}

#[test]
fn request_summaries_never_keep_secrets() {
    let journal = Journal::in_memory().unwrap();
    let run = single_run(&journal, PlaybookKind::Offboard);
    let mut leaky = intent(&run, None, "Jane", ActionKind::Disable);
    leaky.request_summary =
        "PATCH /users/x Authorization: Bearer abc.def.ghi eyJhbGciOi.eyJzdWIi.sig client_secret=hunter2 accountEnabled=false".into();
    let action = journal.record_intent(leaky).unwrap();
    assert_eq!(
        action.request_summary,
        "PATCH /users/x Authorization: Bearer [redacted] [redacted] client_secret=[redacted] accountEnabled=false"
    );
}

#[test]
fn a_file_journal_uses_wal_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/journal.sqlite3");
    let run_id = {
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.path(), Some(path.as_path()));
        let mode: String = journal
            .lock()
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let run = bulk_run(&journal, &["Ann"]);
        journal
            .record_intent(intent(&run, Some(2), "Ann", ActionKind::Disable))
            .unwrap();
        run.id
    };
    let journal = Journal::open(&path).unwrap();
    let version: i64 = journal
        .lock()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, schema::current_version());
    let plan = journal.resume(&run_id).unwrap();
    assert_eq!(plan.verify_first.len(), 1);
    assert_eq!(plan.not_started.len(), 1);
}

/// Issue 13 item 11: the journal says what was done to whom; a new one is the owner's only
/// (0600, with its -wal and -shm files), in folders created for it the owner's only (0700).
#[cfg(unix)]
#[test]
fn a_new_journal_is_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("com.provisioningdesk.app");
    let path = folder.join("journal.sqlite3");
    let journal = Journal::open(&path).unwrap();
    let run = bulk_run(&journal, &["Ann"]);
    journal
        .record_intent(intent(&run, Some(2), "Ann", ActionKind::Disable))
        .unwrap();
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&path), 0o600);
    for sidecar in ["journal.sqlite3-wal", "journal.sqlite3-shm"] {
        assert_eq!(mode(&folder.join(sidecar)), 0o600, "{sidecar}");
    }
    assert_eq!(journal.actions(&ActionFilter::default()).unwrap().len(), 1);
}

#[test]
fn a_garbage_file_is_named_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();

    let error = Journal::open(&path).unwrap_err();
    assert_eq!(error.code(), "journal_unreadable");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("not a SQLite database"), "{message}");
    let shown = crate::plan::UserFacingError::from(&error);
    assert!(shown.hint.contains("left untouched"));

    assert_eq!(std::fs::read(&path).unwrap(), garbage);
    // Opening again gives the same answer: nothing was "repaired" in between.
    assert_eq!(
        Journal::open(&path).unwrap_err().code(),
        "journal_unreadable"
    );
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_truncated_journal_is_reported_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    {
        let journal = Journal::open(&path).unwrap();
        let run = bulk_run(&journal, &["Ann"]);
        for index in 0..200 {
            let mut action = intent(&run, None, "Ann", ActionKind::Disable);
            action.request_summary = format!("{index} {}", "x".repeat(500));
            journal.record_intent(action).unwrap();
        }
        // Fold the WAL into the main file so that truncating it damages real pages.
        journal
            .lock()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    // Keep the header page, wreck the rest.
    let mut damaged = bytes[..4096].to_vec();
    damaged.extend(std::iter::repeat_n(0xAB, bytes.len() - 4096));
    std::fs::write(&path, &damaged).unwrap();

    let outcome = Journal::open(&path).and_then(|journal| {
        journal.actions(&ActionFilter::default())?;
        Ok(())
    });
    let error = outcome.unwrap_err();
    assert_eq!(error.code(), "journal_unreadable", "{error}");
    assert!(error.to_string().contains(&path.display().to_string()));
    assert_eq!(std::fs::read(&path).unwrap(), damaged);
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let other = Connection::open(&path).unwrap();
        other
            .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi');")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Journal::open(&path).unwrap_err();
    assert_eq!(error.code(), "journal_not_ours");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_journal_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    drop(Journal::open(&path).unwrap());
    {
        let connection = Connection::open(&path).unwrap();
        connection
            .execute_batch("PRAGMA user_version = 99;")
            .unwrap();
    }
    let error = Journal::open(&path).unwrap_err();
    assert_eq!(error.code(), "journal_too_new");
    assert!(error.to_string().contains("schema 99"));
}

#[test]
fn a_folder_is_not_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let error = Journal::open(dir.path()).unwrap_err();
    assert_eq!(error.code(), "journal_unreadable");
}

#[test]
fn the_app_and_the_cli_can_write_at_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let app = Journal::open(&path).unwrap();
    let run = single_run(&app, PlaybookKind::Offboard);
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let path = path.clone();
            let run = run.clone();
            std::thread::spawn(move || {
                let journal = Journal::open(&path).unwrap();
                for index in 0..50 {
                    let action = journal
                        .record_intent(intent(
                            &run,
                            None,
                            &format!("User{writer}x{index}"),
                            ActionKind::Disable,
                        ))
                        .unwrap();
                    journal.record_outcome(&action.id, succeeded()).unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let all = app.actions(&ActionFilter::default()).unwrap();
    assert_eq!(all.len(), 100);
    assert!(all.iter().all(|a| a.status == ActionStatus::Succeeded));
}

#[test]
fn the_default_path_is_the_apps_data_folder() {
    if let Ok(path) = Journal::default_path() {
        assert!(path.ends_with("com.provisioningdesk.app/journal.sqlite3"));
    }
}

#[test]
fn stored_names_round_trip() {
    for kind in ActionKind::ALL {
        assert_eq!(ActionKind::parse(kind.as_str()), Some(kind));
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.as_str())
        );
    }
    for status in [
        ActionStatus::Pending,
        ActionStatus::Succeeded,
        ActionStatus::Failed,
        ActionStatus::Unknown,
    ] {
        assert_eq!(ActionStatus::parse(status.as_str()), Some(status));
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{}\"", status.as_str())
        );
    }
    for status in [
        RunStatus::Running,
        RunStatus::Finished,
        RunStatus::Cancelled,
        RunStatus::Incomplete,
    ] {
        assert_eq!(RunStatus::parse(status.as_str()), Some(status));
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{}\"", status.as_str())
        );
        // The schema's CHECK constraint accepts every status.
        let journal = Journal::in_memory().unwrap();
        let run = single_run(&journal, PlaybookKind::Offboard);
        journal.set_run_status(&run.id, status).unwrap();
        assert_eq!(journal.run(&run.id).unwrap().status, status);
    }
}

#[tokio::test]
async fn journaled_writes_before_sending_and_after_the_answer() {
    let journal = Journal::in_memory().unwrap();
    let run = single_run(&journal, PlaybookKind::Offboard);

    let (record, answer) = journal
        .journaled(intent(&run, None, "Jane", ActionKind::Disable), || async {
            // While the request is "in flight", the journal already holds it as pending.
            let pending = journal.actions(&ActionFilter::default()).unwrap();
            assert_eq!(pending.len(), 1);
            assert_eq!(pending[0].status, ActionStatus::Pending);
            ActionAnswer::Succeeded {
                request_id: Some("req-7".into()),
            }
        })
        .await
        .unwrap();
    assert_eq!(record.status, ActionStatus::Succeeded);
    assert_eq!(record.request_id.as_deref(), Some("req-7"));
    assert!(matches!(answer, ActionAnswer::Succeeded { .. }));

    let (record, _) = journal
        .journaled(
            intent(&run, None, "Jane", ActionKind::RevokeSessions),
            || async {
                ActionAnswer::Failed {
                    request_id: None,
                    error: crate::plan::UserFacingError {
                        code: "Authorization_RequestDenied".into(),
                        message: "You may not end sessions.".into(),
                        hint: "Ask for the Privileged Authentication Administrator role.".into(),
                    },
                }
            },
        )
        .await
        .unwrap();
    assert_eq!(record.status, ActionStatus::Failed);
    assert_eq!(
        record.error_message.as_deref(),
        Some("You may not end sessions.")
    );
}

#[tokio::test]
async fn journaled_never_sends_when_the_intent_cannot_be_written() {
    let journal = Journal::in_memory().unwrap();
    let ghost = RunRecord {
        id: "no-such-run".into(),
        ..single_run(&journal, PlaybookKind::Offboard)
    };
    let sent = std::sync::atomic::AtomicBool::new(false);
    let error = journal
        .journaled(
            intent(&ghost, None, "Jane", ActionKind::Disable),
            || async {
                sent.store(true, Ordering::SeqCst);
                ActionAnswer::Succeeded { request_id: None }
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "run_not_found");
    assert!(!sent.load(Ordering::SeqCst));
}

/// The desktop app and `provdesk` may create the journal at the same moment: every opener
/// succeeds and the schema is created once.
#[test]
fn a_new_file_opened_at_once_from_many_places_is_created_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let openers: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Journal::open(&path).map(|_| ()))
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    assert!(Journal::open(&path).is_ok());
}

/// Group commit: records written in one transaction are still answered one by one; the unique
/// index refusing one of them leaves the others committed.
#[test]
fn one_refused_record_does_not_fail_the_others_in_its_batch() {
    let journal = Journal::in_memory().unwrap();
    let run = bulk_run(&journal, &["Ann", "Bob"]);
    let ghost = RunRecord {
        id: "no-such-run".into(),
        ..run.clone()
    };
    let writes = vec![
        journal.intent_write(intent(&run, Some(2), "Ann", ActionKind::Disable)),
        journal.intent_write(intent(&run, Some(2), "Ann", ActionKind::Disable)),
        journal.intent_write(intent(&ghost, Some(3), "Bob", ActionKind::Disable)),
        journal.intent_write(intent(&run, Some(3), "Bob", ActionKind::Disable)),
    ];
    let answers = writer::write_one_batch(&journal.lock(), writes);
    assert_eq!(answers.len(), 4);
    let first = answers[0].as_ref().unwrap();
    assert_eq!(first.status, ActionStatus::Pending);
    assert_eq!(
        answers[1].as_ref().unwrap_err().code(),
        "action_already_recorded"
    );
    assert_eq!(answers[2].as_ref().unwrap_err().code(), "run_not_found");
    assert_eq!(answers[3].as_ref().unwrap().row, Some(3));
    assert!(journal.lock().is_autocommit(), "the batch was committed");

    let stored = journal.actions(&ActionFilter::default()).unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].id, first.id);
}

/// If the batch's transaction cannot be had, no record of it is kept and every caller hears so
/// (none of them may send).
#[test]
fn a_batch_that_cannot_commit_keeps_nothing_and_fails_every_record() {
    let journal = Journal::in_memory().unwrap();
    let run = bulk_run(&journal, &["Ann", "Bob"]);
    let writes = vec![
        journal.intent_write(intent(&run, Some(2), "Ann", ActionKind::Disable)),
        journal.intent_write(intent(&run, Some(3), "Bob", ActionKind::Disable)),
    ];
    let connection = journal.lock();
    // BEGIN inside a transaction fails, as a busy or broken file would.
    connection.execute_batch("BEGIN").unwrap();
    let answers = writer::write_one_batch(&connection, writes);
    connection.execute_batch("ROLLBACK").unwrap();
    drop(connection);
    assert!(answers
        .iter()
        .all(|answer| answer.as_ref().unwrap_err().code() == "journal_write_failed"));
    assert!(journal
        .actions(&ActionFilter::default())
        .unwrap()
        .is_empty());
}

/// Many actions in flight at once: each is sent only once its pending record is committed (seen
/// from another connection, i.e. on disk), and every answer is recorded.
#[tokio::test]
async fn actions_in_flight_together_are_each_committed_before_they_are_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let journal = Journal::open(&path).unwrap();
    let names: Vec<String> = (0..40).map(|index| format!("User{index}")).collect();
    let run = bulk_run(
        &journal,
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let outside = Connection::open(&path).unwrap();
    let outside = std::sync::Mutex::new(outside);
    let journal = &journal;
    let outside = &outside;
    let sends = names.iter().enumerate().map(|(index, name)| {
        let row = index as u32 + 2;
        let intent = intent(&run, Some(row), name, ActionKind::Disable);
        async move {
            journal
                .journaled(intent, || async move {
                    let status: String = outside
                        .lock()
                        .unwrap()
                        .query_row(
                            "SELECT status FROM actions WHERE row_number = ?1",
                            [row],
                            |found| found.get(0),
                        )
                        .unwrap();
                    assert_eq!(status, "pending");
                    tokio::task::yield_now().await;
                    ActionAnswer::Succeeded { request_id: None }
                })
                .await
        }
    });
    let results = futures::future::join_all(sends).await;
    assert!(results.iter().all(Result::is_ok));
    let stored = journal.actions(&ActionFilter::default()).unwrap();
    assert_eq!(stored.len(), 40);
    assert!(stored.iter().all(|a| a.status == ActionStatus::Succeeded));
}
