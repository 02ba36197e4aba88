//! The history screen over the journal the app shares with `provdesk`: filters, hostile names
//! shown as text, export, and the last screen remembered across restarts.

use fantoccini::Locator;
use playbooks::journal::{
    ActionIntent, ActionKind, ActionOutcome, Actor, Journal, NewRun, TargetRecord,
};
use playbooks::plan::PlaybookKind;
use provisioning_desk_e2e::{audit, App};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";
/// A name no other test offboards (all e2e tests of a run share one journal).
const SEEDED: &str = "Quinn Journalseed";

/// Writes an offboarding of Quinn (two actions that succeeded) and a failed one of the person with
/// a hostile display name, as `provdesk` would, into the journal the app opens.
fn seed_journal() {
    let journal = Journal::open_default().expect("the journal of the test session");
    let actor = Actor {
        upn: "helpdesk@contoso-training.onmicrosoft.com".into(),
        oid: "00000000-0000-0000-0000-0000000000aa".into(),
    };
    let act = |name: &str, kind: ActionKind, outcome: ActionOutcome| {
        let run = journal
            .start_run(NewRun {
                playbook: PlaybookKind::Offboard,
                actor: actor.clone(),
                tenant_id: "contoso-training".into(),
                input: None,
            })
            .unwrap();
        let action = journal
            .record_intent(ActionIntent {
                run_id: run.id,
                actor: None,
                step: kind.as_str().into(),
                row: None,
                target: TargetRecord {
                    id: format!("id-{name}"),
                    display_name: name.into(),
                },
                kind,
                request_summary: format!("{} {name}", kind.as_str()),
            })
            .unwrap();
        journal.record_outcome(&action.id, outcome).unwrap();
    };
    let ok = || ActionOutcome::Succeeded {
        request_id: Some("req-1".into()),
        note: None,
    };
    act(SEEDED, ActionKind::Disable, ok());
    act(SEEDED, ActionKind::RevokeSessions, ok());
    act(
        HOSTILE,
        ActionKind::Disable,
        ActionOutcome::Failed {
            request_id: None,
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges to complete the operation.".into(),
        },
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn history_filters_exports_and_shows_hostile_names_as_text() {
    seed_journal();
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    app.click("[data-testid=nav-journal]").await;
    app.wait_for_text("main h1", "History of changes").await;
    app.wait_for(Locator::Css("[data-testid=journal-table]"))
        .await;

    let rows = app.texts("[data-testid=journal-row]").await;
    assert!(rows.len() >= 3, "{rows:#?}");
    assert!(rows
        .iter()
        .any(|r| r.contains("Turn off sign-in") && r.contains(SEEDED) && r.contains("Success")));
    assert!(rows
        .iter()
        .any(|r| r.contains("End active sessions") && r.contains(SEEDED)));
    // The hostile display name is text, never markup.
    assert!(
        rows.iter()
            .any(|r| r.contains(HOSTILE) && r.contains("Failed")),
        "the hostile name does not show literally: {rows:#?}"
    );
    let images = app.client.find_all(Locator::Css("main img")).await.unwrap();
    assert!(images.is_empty(), "a display name became an image element");

    // Filter by result: only the failure remains.
    app.client
        .find(Locator::Css("[data-testid=filter-status]"))
        .await
        .unwrap()
        .select_by_value("failed")
        .await
        .unwrap();
    app.wait_for_text("[data-testid=journal-table]", HOSTILE)
        .await;
    let rows = app.texts("[data-testid=journal-row]").await;
    assert!(rows.iter().all(|r| r.contains("Failed")), "{rows:#?}");

    // Filter by person as well: nothing matches the seeded person among the failures. (Earlier
    // tests of the session share this journal: other Quinns may be in it, this surname is not.)
    app.type_into("[data-testid=filter-person]", "Journalseed")
        .await;
    app.wait_for(Locator::Css("[data-testid=journal-empty]"))
        .await;
    app.client
        .find(Locator::Css("[data-testid=filter-status]"))
        .await
        .unwrap()
        .select_by_value("")
        .await
        .unwrap();
    app.wait_for(Locator::Css("[data-testid=journal-table]"))
        .await;
    let rows = app.texts("[data-testid=journal-row]").await;
    assert!(rows.iter().all(|r| r.contains(SEEDED)), "{rows:#?}");
    assert_eq!(rows.len(), 2, "{rows:#?}");

    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.screenshot("journal").await;

    // Export what the filter shows, for the ticket.
    app.click("[data-testid=export-csv]").await;
    let status = app
        .wait_for_text("[data-testid=export-status]", "Saved 2 entries to ")
        .await;
    let path = status
        .split("Saved 2 entries to ")
        .nth(1)
        .expect("a path")
        .trim()
        .to_string();
    let csv = std::fs::read_to_string(&path).expect("the export exists");
    std::fs::remove_file(&path).ok();
    assert!(csv.starts_with("intended_at,"), "{csv}");
    assert_eq!(
        csv.lines().filter(|l| l.contains(SEEDED)).count(),
        2,
        "{csv}"
    );
    app.close().await;

    // The app reopens on the screen it was left on.
    let app = App::start().await;
    app.sign_in("helpdesk").await;
    app.wait_for_text("main h1", "History of changes").await;
    app.close().await;
}
