//! Playbook 6 — bulk offboarding from a CSV, as PLAYBOOKS.md tells it: the season's list is
//! dropped on the window, every row is previewed (found / already done / left out), the run shows
//! its progress, every row gets a result, and the results are exported for the ticket.

use provisioning_desk_e2e::{audit, App};

const DOMAIN: &str = "contoso-training.onmicrosoft.com";

#[tokio::test(flavor = "multi_thread")]
async fn bulk_offboarding_previews_every_row_runs_and_exports_the_results() {
    let csv = format!(
        "user,reason\n\
         leo.leaving@{DOMAIN},season over\n\
         ivy.intern@{DOMAIN},season over\n\
         nobody.here@{DOMAIN},typo in the list\n\
         leo.leaving@{DOMAIN},listed twice\n"
    );
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    app.click("[data-testid=start-bulk]").await;
    app.wait_for_text("main h1", "list of people").await;
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core on choose: {violations:#?}");

    // Drop the file on the window, as a person would drag it from the file manager.
    app.client
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File([arguments[0]], 'interns-2026.csv', { type: 'text/csv' }));
             const zone = document.querySelector('[data-testid=csv-drop]');
             zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
             return true;",
            vec![serde_json::Value::String(csv)],
        )
        .await
        .expect("the file is dropped");

    // Every row previewed before anything changes.
    let counts = app
        .wait_for_text("[data-testid=bulk-counts]", "interns-2026.csv")
        .await;
    assert!(counts.contains("1 ready"), "{counts}");
    assert!(counts.contains("1 already done"), "{counts}");
    let rows = app.texts("[data-testid=bulk-row]").await;
    let row = |needle: &str| -> String {
        rows.iter()
            .find(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle}: {rows:#?}"))
            .clone()
    };
    assert!(row("Leo Leaving").contains("Ready"));
    assert!(row("Ivy Intern").contains("Already done"));
    assert!(row("nobody.here").contains("Left out"));
    let problems = app.text("[data-testid=csv-problems]").await;
    assert!(
        problems.contains("Row 5"),
        "the duplicate is reported: {problems}"
    );
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the preview: {violations:#?}"
    );
    app.screenshot("bulk-preview").await;

    // Run: one person changed; every row has its result.
    app.click("[data-testid=confirm]").await;
    let result = app
        .wait_for_text("[data-testid=bulk-result]", "Finished")
        .await;
    assert!(result.contains("1 done"), "{result}");
    assert!(result.contains("0 failed"), "{result}");
    let report = app.texts("[data-testid=bulk-report-row]").await;
    assert!(
        report
            .iter()
            .any(|r| r.contains("Leo Leaving") && r.contains("Done")),
        "{report:#?}"
    );
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(summary.contains("interns-2026.csv"), "{summary}");

    // Export the run's results: one line per action (turn off sign-in, end sessions).
    app.click("[data-testid=export-results]").await;
    let status = app
        .wait_for_text("[data-testid=export-status]", "Saved 2 entries to ")
        .await;
    let path = status
        .split(" to ")
        .nth(1)
        .expect("a path")
        .trim()
        .to_string();
    let exported = std::fs::read_to_string(&path).expect("the export exists");
    std::fs::remove_file(&path).ok();
    assert!(
        exported.contains(",disable,") && exported.contains(",revoke_sessions,"),
        "{exported}"
    );
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("bulk").await;
    app.close().await;
}

/// Someone without the right to change accounts sees why before anything runs, and which role
/// to ask for; the run cannot be started.
#[tokio::test(flavor = "multi_thread")]
async fn bulk_offboarding_without_the_role_is_refused_before_anything_runs() {
    let csv = format!("user\nleo.leaving@{DOMAIN}\n");
    let app = App::start().await;
    app.sign_in_as("reports").await;
    app.click("[data-testid=start-bulk]").await;
    app.client
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File([arguments[0]], 'one.csv', { type: 'text/csv' }));
             document.querySelector('[data-testid=csv-drop]')
               .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
             return true;",
            vec![serde_json::Value::String(csv)],
        )
        .await
        .expect("the file is dropped");
    let refusals = app
        .wait_for_text("[data-testid=bulk-refusals]", "nothing will run")
        .await;
    assert!(
        refusals.contains("Administrator"),
        "the role to ask for: {refusals}"
    );
    let confirm = app
        .wait_for(fantoccini::Locator::Css("[data-testid=confirm]"))
        .await;
    assert_eq!(
        confirm.prop("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.close().await;
}
