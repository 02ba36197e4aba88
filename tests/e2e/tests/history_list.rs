//! The history (journal) is a virtualized list like the logs: a long history keeps only the rows
//! in view in the page, and the keyboard walks it to the end, the selected change shown beside.

use playbooks::journal::{
    ActionIntent, ActionKind, ActionOutcome, Actor, Journal, NewRun, TargetRecord,
};
use playbooks::plan::PlaybookKind;
use provisioning_desk_e2e::{audit, App};

/// A name only this test writes (all e2e tests of a run share one journal).
const PERSON: &str = "Vera Virtuallist";
const ROWS: usize = 1_500;

/// A bulk offboarding of `ROWS` people named after `PERSON`, oldest row first, as `provdesk`
/// would record it.
fn seed_long_history() {
    let journal = Journal::open_default().expect("the journal of the test session");
    let run = journal
        .start_run(NewRun {
            playbook: PlaybookKind::BulkOffboard,
            actor: Actor {
                upn: "helpdesk@contoso-training.onmicrosoft.com".into(),
                oid: "00000000-0000-0000-0000-0000000000aa".into(),
            },
            tenant_id: "contoso-training".into(),
            input: None,
        })
        .unwrap();
    for row in 1..=ROWS {
        let name = format!("{PERSON} {row:04}");
        let action = journal
            .record_intent(ActionIntent {
                run_id: run.id.clone(),
                actor: None,
                step: "disable".into(),
                row: Some(u32::try_from(row).unwrap()),
                target: TargetRecord {
                    id: format!("id-vera-{row}"),
                    display_name: name,
                },
                kind: ActionKind::Disable,
                request_summary: format!("PATCH /users/id-vera-{row} accountEnabled=false"),
            })
            .unwrap();
        journal
            .record_outcome(
                &action.id,
                ActionOutcome::Succeeded {
                    request_id: Some(format!("req-{row}")),
                    note: None,
                },
            )
            .unwrap();
    }
}

async fn rows_in_page(app: &App) -> usize {
    app.text_contents("[data-testid=journal-row]").await.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_history_is_virtualized_and_walked_by_keyboard() {
    seed_long_history();
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    app.click("[data-testid=nav-journal]").await;
    app.type_into("[data-testid=filter-person]", PERSON).await;
    let count = app
        .wait_for_text("[data-testid=journal-count]", &format!("{ROWS} changes"))
        .await;
    assert!(count.contains("newest first"), "{count}");
    let shown = rows_in_page(&app).await;
    assert!(
        (1..100).contains(&shown),
        "{shown} rows in the page for {ROWS} changes: the list is not virtualized"
    );
    let detail = app.text("[data-testid=journal-detail]").await;
    assert!(detail.contains(&format!("{PERSON} {ROWS:04}")), "{detail}");

    // The keyboard: into the list, down one, then to the end (the oldest change).
    app.client
        .execute(
            "document.querySelector('[data-testid=journal-table]').focus(); return true;",
            vec![],
        )
        .await
        .expect("the list takes focus");
    let list = app
        .wait_for(fantoccini::Locator::Css("[data-testid=journal-table]"))
        .await;
    list.send_keys("\u{E015}").await.expect("arrow down");
    let detail = app
        .wait_for_text(
            "[data-testid=journal-detail]",
            &format!("{PERSON} {:04}", ROWS - 1),
        )
        .await;
    assert!(detail.contains("Turn off sign-in"), "{detail}");
    list.send_keys("\u{E010}").await.expect("End");
    let detail = app
        .wait_for_text("[data-testid=journal-detail]", &format!("{PERSON} 0001"))
        .await;
    assert!(detail.contains("row 1 of the list"), "{detail}");
    let last = app
        .wait_for_text(".journal-row.active", &format!("{PERSON} 0001"))
        .await;
    assert!(
        last.contains("Success"),
        "the active row is in view: {last}"
    );
    assert!(
        rows_in_page(&app).await < 100,
        "scrolled to the end, the page still holds only the rows in view"
    );
    let active = app
        .client
        .execute(
            "return document.querySelector('[data-testid=journal-table]').getAttribute('aria-activedescendant');",
            vec![],
        )
        .await
        .expect("the page answers");
    assert_eq!(active, format!("journal-{}", ROWS - 1));

    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.scroll_to_top().await;
    app.screenshot("journal-long").await;
    app.close().await;
}
