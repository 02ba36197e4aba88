//! Playbook 6 against the training tenant: every row previewed (found / already done / not
//! found / bad / duplicate), nothing run until confirmed, one journal record per action, a result
//! per row, and a rerun that repeats nothing.

mod common;

use std::collections::BTreeMap;

use common::{Training, HELPDESK};
use playbooks::bulk::playbook as bulk;
use playbooks::bulk::{BulkKind, RowState, RunControl};
use playbooks::journal::{ActionFilter, ActionKind};
use playbooks::plan::StepOutcome;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn new_control() -> (RunControl, mpsc::Receiver<playbooks::plan::ProgressEvent>) {
    let (progress, received) = mpsc::channel(1024);
    (
        RunControl {
            progress,
            cancel: CancellationToken::new(),
        },
        received,
    )
}

#[tokio::test]
async fn bulk_offboarding_previews_every_row_and_runs_the_ready_ones() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (leaver_id, leaver) = training.person("leaver-today");
    let (obrien_id, _) = training.person("obrien");
    let (_, intern) = training.person("intern-returning");
    let (recycled_id, _) = training.person("recycled");
    let file = format!(
        "upn,reason\n\
         {leaver},Season over\n\
         {intern},\n\
         nobody@contoso-training.onmicrosoft.com,\n\
         not a person,\n\
         {leaver},again\n\
         {obrien_id},\n\
         {recycled_id},\n"
    );
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    let states: BTreeMap<u32, String> = plan
        .preview
        .rows
        .iter()
        .map(|row| {
            let state = match &row.state {
                RowState::Ready => "ready".to_string(),
                RowState::AlreadyDone { detail } => format!("already done: {detail}"),
                RowState::LeftOut { reason } => format!("left out: {reason}"),
            };
            (row.row, state)
        })
        .collect();
    assert_eq!(states[&2], "ready");
    assert_eq!(states[&3], "already done: sign-in is already off");
    assert!(states[&4].contains("not found"), "{}", states[&4]);
    assert!(states[&5].starts_with("left out: Row 5:"), "{}", states[&5]);
    assert!(states[&6].contains("already on row 2"), "{}", states[&6]);
    assert_eq!(states[&7], "ready");
    assert!(
        states[&8].contains("not found"),
        "soft-deleted: {}",
        states[&8]
    );
    assert_eq!(plan.preview.ready, 2);
    // Previewing changed nothing.
    assert!(desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .is_empty());
    assert_eq!(plan.unfinished_run_id, None);

    let (control, _events) = new_control();
    let report = bulk::run(&desk, &plan, control).await.unwrap();
    assert_eq!(report.counts.total, 2);
    assert_eq!(report.counts.succeeded, 2);
    for id in [&leaver_id, &obrien_id] {
        let user = desk.graph().get_user(id).await.unwrap();
        assert_eq!(user.account_enabled, Some(false), "{id}");
    }
    let actions = desk.journal().actions(&ActionFilter::default()).unwrap();
    assert_eq!(actions.len(), 4, "disable + revoke for two people");
    let reason_row = actions.iter().find(|a| a.row == Some(2)).unwrap();
    assert_eq!(reason_row.target.id, leaver_id);

    // The same file again: both are now "already done", nothing is sent.
    let again = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    assert_eq!(again.preview.ready, 0);
    assert_eq!(again.unfinished_run_id, None, "the first run finished");

    // Reactivating the same people.
    let back = bulk::preview(&desk, BulkKind::Reactivate, file.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        back.preview.ready, 3,
        "leaver, intern and O'Brien are disabled"
    );
    let (control, _events) = new_control();
    let report = bulk::run(&desk, &back, control).await.unwrap();
    assert_eq!(report.counts.succeeded, 3);
    assert!(report
        .rows
        .iter()
        .all(|r| matches!(r.outcome, StepOutcome::Succeeded { .. })));
    let enables = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActionKind::Enable)
        .count();
    assert_eq!(enables, 3);
}

/// A season's worth of rows: 100,000 lines (most naming nobody, some duplicates, some bad)
/// are all previewed with their row numbers; nothing is run.
#[tokio::test]
async fn a_hundred_thousand_row_file_is_previewed_row_by_row() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (_, leaver) = training.person("leaver-today");
    let mut file = String::from("upn\n");
    file.push_str(&format!("{leaver}\n"));
    for index in 1..100_000 {
        match index % 1000 {
            0 => file.push_str("not a person\n"),
            1 => file.push_str(&format!("{leaver}\n")),
            _ => file.push_str(&format!("nobody{index}@contoso-training.onmicrosoft.com\n")),
        }
    }
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    assert_eq!(plan.preview.rows.len(), 100_000);
    assert_eq!(plan.preview.ready, 1);
    assert_eq!(plan.preview.left_out, 99_999);
    // Index i is on line i + 2 (header, then the leaver).
    let bad = plan.preview.rows.iter().find(|r| r.row == 1002).unwrap();
    assert!(
        matches!(&bad.state, RowState::LeftOut { reason } if reason.starts_with("Row 1002:")),
        "{bad:?}"
    );
    assert!(desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .is_empty());
}

/// No role in the sign-in is no proof of no right (a role for an administrative unit, or a
/// custom role, never shows there): the run tries, and each row Entra refuses is a failed row
/// naming the role to ask for — and nothing was changed.
#[tokio::test]
async fn without_a_role_in_the_sign_in_each_row_is_tried_and_a_refusal_names_the_role() {
    let training = Training::start().await;
    let desk = training.desk("pat").await; // no role at all
    let (leaver_id, leaver) = training.person("leaver-today");
    let file = format!("upn\n{leaver}\n");
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    assert!(plan.refusals.is_empty(), "{:?}", plan.refusals);
    assert!(
        plan.doubts
            .iter()
            .any(|d| d.starts_with("Entra may refuse to let you turn off sign-in")),
        "{:?}",
        plan.doubts
    );
    let (control, _events) = new_control();
    let report = bulk::run(&desk, &plan, control).await.unwrap();
    assert_eq!(report.counts.failed, 1, "{report:?}");
    let text = report.render_text();
    assert!(text.contains("User Administrator"), "{text}");
    let admin = training.desk(common::GLOBAL_ADMIN).await;
    let leaver = admin.graph().get_user(&leaver_id).await.unwrap();
    assert_eq!(
        leaver.account_enabled,
        Some(true),
        "Entra refused: nothing changed"
    );
}

/// Issue 13 item 2: a stray quote on one line used to swallow every later row into one field.
/// Now the line is a row problem naming it, the rows after it are looked up as usual, and the
/// preview says how many rows it read from how many lines.
#[tokio::test]
async fn a_stray_quote_leaves_out_one_row_and_the_rest_are_previewed() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (_, leaver) = training.person("leaver-today");
    let (_, intern) = training.person("intern-returning");
    let file = format!(
        "upn,reason\n\
         nobody@contoso-training.onmicrosoft.com,\"Moving to Lyon\n\
         {leaver},\"O'Brien, Pat said \"\"bye\"\"\"\n\
         \n\
         {intern},Season over\n"
    );
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .unwrap();
    let rows: Vec<(u32, &str)> = plan
        .preview
        .rows
        .iter()
        .map(|row| {
            let word = match &row.state {
                RowState::Ready => "ready",
                RowState::AlreadyDone { .. } => "already done",
                RowState::LeftOut { .. } => "left out",
            };
            (row.row, word)
        })
        .collect();
    // The intern is already disabled: looked up all the same, as every row after the quote.
    assert_eq!(
        rows,
        vec![(2, "left out"), (3, "ready"), (5, "already done")]
    );
    assert!(
        matches!(&plan.preview.rows[0].state, RowState::LeftOut { reason }
            if reason == "Line 2: a quote (\") opens here and is never closed, so we stopped reading this row"),
        "{:?}",
        plan.preview.rows[0]
    );
    assert_eq!((plan.csv.rows_read, plan.csv.lines_in_file), (3, 5));
    let run_rows = plan.preview.run_rows(&plan.csv);
    assert_eq!(
        run_rows[0].reason.as_deref(),
        Some("O'Brien, Pat said \"bye\"")
    );
}

/// Issue 13 item 11: the desktop app now hands `bulk::preview` the file's bytes (src-tauri
/// `csv_upload`) as the CLI does (`std::fs::read`), not the web view's decoded text: a file
/// with a byte-order mark hashes as its bytes on disk — so a run started in one is found for
/// resuming in the other — and a UTF-16 file is refused instead of being read as garbage.
#[tokio::test]
async fn the_file_is_hashed_as_its_bytes_on_disk_byte_order_mark_included() {
    use sha2::{Digest, Sha256};
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (_, leaver) = training.person("leaver-today");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leavers.csv");
    let text = format!("upn\r\n{leaver}\r\n");
    std::fs::write(
        &path,
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
    )
    .unwrap();

    let on_disk = std::fs::read(&path).unwrap();
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let plan = bulk::preview(&desk, BulkKind::Offboard, &on_disk)
        .await
        .unwrap();
    assert_eq!(plan.csv.content_sha256, hex(&on_disk));
    assert_ne!(plan.csv.content_sha256, hex(text.as_bytes()));
    assert_eq!(plan.preview.ready, 1);

    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let error = bulk::preview(&desk, BulkKind::Offboard, &utf16)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "csv_unreadable");
    assert!(error.to_string().contains("UTF-16"), "{error}");
}
