//! Playbook 6 — bulk offboarding from a CSV, as PLAYBOOKS.md tells it: the season's list is
//! dropped on the window, every row is previewed (found / already done / left out), the run shows
//! its progress, every row gets a result, and the results are exported for the ticket.

use fantoccini::Locator;
use provisioning_desk_e2e::{audit, App};

mod support;
use support::tenant::{events, Tenant};

const DOMAIN: &str = "contoso-training.onmicrosoft.com";
const HOSTILE: &str = "<img src=x onerror=alert(1)>";

#[tokio::test(flavor = "multi_thread")]
async fn bulk_offboarding_previews_every_row_runs_and_exports_the_results() {
    let csv = format!(
        "user,reason\n\
         leo.leaving@{DOMAIN},season over\n\
         ivy.intern@{DOMAIN},season over\n\
         nobody.here@{DOMAIN},typo in the list\n\
         leo.leaving@{DOMAIN},listed twice\n\
         hostile.name@{DOMAIN},a name that looks like markup\n"
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
    assert!(counts.contains("2 ready"), "{counts}");
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
    // The hostile display name is shown as text, never as markup.
    assert!(row(HOSTILE).contains("Ready"));
    assert!(app
        .client
        .find_all(Locator::Css("main img"))
        .await
        .unwrap()
        .is_empty());
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
    assert!(result.contains("2 done"), "{result}");
    assert!(result.contains("0 failed"), "{result}");
    let report = app.texts("[data-testid=bulk-report-row]").await;
    for name in ["Leo Leaving", HOSTILE] {
        assert!(
            report
                .iter()
                .any(|r| r.contains(name) && r.contains("Done")),
            "{name}: {report:#?}"
        );
    }
    assert!(app
        .client
        .find_all(Locator::Css("main img"))
        .await
        .unwrap()
        .is_empty());
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(summary.contains("interns-2026.csv"), "{summary}");

    // Export the run's results: one line per action (turn off sign-in, end sessions) and person.
    app.click("[data-testid=export-results]").await;
    let status = app
        .wait_for_text("[data-testid=export-status]", "Saved 4 entries to ")
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

/// Someone whose sign-in shows no role to change accounts is warned before anything runs (a role
/// for an administrative unit, or a custom role, never shows in the sign-in, so the desk cannot
/// know); the run tries, Entra refuses, and the row says so — nothing was changed.
#[tokio::test(flavor = "multi_thread")]
async fn bulk_offboarding_without_a_role_in_the_sign_in_is_warned_and_entras_refusal_is_the_result()
{
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
    let doubts = app
        .wait_for_text("[data-testid=bulk-doubts]", "Entra may refuse")
        .await;
    assert!(
        doubts.contains("User Administrator"),
        "the role it takes: {doubts}"
    );
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");

    app.click("[data-testid=confirm]").await;
    let result = app
        .wait_for_text("[data-testid=bulk-result]", "Finished")
        .await;
    assert!(result.contains("0 done"), "{result}");
    assert!(result.contains("1 failed"), "{result}");
    let report = app.texts("[data-testid=bulk-report-row]").await;
    assert!(
        report
            .iter()
            .any(|r| r.contains("Leo Leaving") && r.contains("Failed")),
        "{report:#?}"
    );
    app.close().await;
}

/// Playbook 6's interruption story: a long list is started, stopped half-way (the run shows
/// where it stands), continued, stopped again, then continued after the app was closed and
/// opened again. Every row is done exactly once: the training tenants' event logs hold one
/// "turn off sign-in" and one "end sessions" per person, and the run's history one of each
/// per row.
#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_bulk_run_continues_after_a_restart_and_does_every_row_exactly_once() {
    const ROWS: usize = 60;
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    let tenant = Tenant::of_running_app().await;
    let targets = enabled_employees(&tenant, ROWS).await;
    let dir = std::env::temp_dir().join(format!("provdesk-bulk-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv_path = dir.join("leavers-2026.csv");
    let csv: String = std::iter::once("user,reason".to_string())
        .chain(targets.iter().map(|t| format!("{},end of contract", t.upn)))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&csv_path, &csv).expect("the CSV is written");
    // Slow each "turn off sign-in" so the run is still going when Stop is pressed.
    tenant
        .post(
            "faults",
            serde_json::json!({"pathPrefix": "/users", "method": "PATCH", "delayMs": 1000}),
        )
        .await;

    app.click("[data-testid=start-bulk]").await;
    choose_file(&app, &csv_path).await;
    let counts = app
        .wait_for_text("[data-testid=bulk-counts]", "leavers-2026.csv")
        .await;
    assert!(counts.contains(&format!("{ROWS} ready")), "{counts}");

    // Start, then stop once some rows are done.
    app.click("[data-testid=confirm]").await;
    wait_for_done_at_least(&app, 8).await;
    app.click("[data-testid=cancel-run]").await;
    let stopped = app
        .wait_for_text("[data-testid=bulk-result]", "Stopped")
        .await;
    let first = count(&stopped, "done");
    assert!((8..ROWS).contains(&first), "{stopped}");
    assert_eq!(count(&stopped, "failed"), 0, "{stopped}");
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(summary.contains("rows not done yet"), "{summary}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the stopped run: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("bulk-stopped").await;

    // Continue in the same session, and stop again.
    app.click("[data-testid=resume-run]").await;
    wait_for_done_at_least(&app, 8).await;
    app.click("[data-testid=cancel-run]").await;
    let stopped = app
        .wait_for_text("[data-testid=bulk-result]", "Stopped")
        .await;
    let second = count(&stopped, "done");
    assert!(second >= 8 && first + second < ROWS, "{stopped}");
    assert_eq!(
        count(&stopped, "nothing to do"),
        first,
        "the rows of the first session are not repeated: {stopped}"
    );
    let before_restart = tenant.get("state").await;
    app.close().await;

    // Open the app again: the same file offers to continue the earlier run.
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    let tenant = Tenant::of_running_app().await;
    app.click("[data-testid=start-bulk]").await;
    choose_file(&app, &csv_path).await;
    app.wait_for_text("[data-testid=bulk-counts]", "leavers-2026.csv")
        .await;
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the preview offering to continue: {violations:#?}"
    );
    app.click("[data-testid=resume-run]").await;
    let finished = app
        .wait_for_text("[data-testid=bulk-result]", "Finished")
        .await;
    assert_eq!(
        count(&finished, "done"),
        ROWS - first - second,
        "{finished}"
    );
    assert_eq!(
        count(&finished, "nothing to do"),
        first + second,
        "{finished}"
    );
    assert_eq!(count(&finished, "failed"), 0, "{finished}");
    let after_restart = tenant.get("state").await;

    // Each person: one "turn off sign-in" and one "end sessions", over both app sessions.
    for (kind, what) in [
        ("userUpdated", "turned off"),
        ("sessionsRevoked", "sessions ended"),
    ] {
        for target in &targets {
            let times: usize = [&before_restart, &after_restart]
                .iter()
                .map(|state| {
                    events(state)
                        .iter()
                        .filter(|e| e["kind"] == kind && e["objectId"] == target.id.as_str())
                        .count()
                })
                .sum();
            assert_eq!(times, 1, "{} {what} {times} times", target.upn);
        }
    }

    // The history holds one action of each kind per row.
    app.click("[data-testid=export-results]").await;
    let status = app
        .wait_for_text("[data-testid=export-status]", "Saved ")
        .await;
    let path = status
        .split(" to ")
        .nth(1)
        .expect("a path")
        .trim()
        .to_string();
    let exported = std::fs::read_to_string(&path).expect("the export exists");
    std::fs::remove_file(&path).ok();
    for kind in [",disable,", ",revoke_sessions,"] {
        let lines = exported.lines().filter(|l| l.contains(kind)).count();
        assert_eq!(lines, ROWS, "{kind} lines in the history:\n{exported}");
    }
    std::fs::remove_dir_all(&dir).ok();
    app.close().await;
}

struct Target {
    id: String,
    upn: String,
}

/// `n` enabled generated employees of the training tenant (none of the story people or demo
/// accounts), in a stable order.
async fn enabled_employees(tenant: &Tenant, n: usize) -> Vec<Target> {
    let scenario = tenant.get("scenario").await;
    let story: Vec<&str> = scenario["people"]
        .as_object()
        .map(|people| people.values().filter_map(|p| p["id"].as_str()).collect())
        .unwrap_or_default();
    let state = tenant.get("state").await;
    let mut found: Vec<Target> = state["directory"]["users"]
        .as_object()
        .expect("the users")
        .values()
        .map(|u| &u["props"])
        .filter(|p| p["accountEnabled"] == true && p["employeeType"] == "Employee")
        .filter_map(|p| {
            let id = p["id"].as_str()?;
            let upn = p["userPrincipalName"].as_str()?;
            (!story.contains(&id)).then(|| Target {
                id: id.to_string(),
                upn: upn.to_string(),
            })
        })
        .collect();
    found.sort_by(|a, b| a.upn.cmp(&b.upn));
    assert!(found.len() >= n, "only {} enabled employees", found.len());
    found.truncate(n);
    found
}

/// Chooses the file with the wizard's "Choose a CSV file…" button, as a person would.
async fn choose_file(app: &App, path: &std::path::Path) {
    app.wait_for(Locator::Css("[data-testid=csv-file]"))
        .await
        .send_keys(&path.display().to_string())
        .await
        .expect("the file is chosen");
}

/// The number in front of `word` in "12 done, 0 failed, 3 nothing to do".
fn count(text: &str, word: &str) -> usize {
    let before = text
        .split(&format!(" {word}"))
        .next()
        .unwrap_or_else(|| panic!("no {word:?} in {text:?}"));
    before
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count before {word:?} in {text:?}"))
}

/// Waits until the progress says at least `n` rows were done in this session.
async fn wait_for_done_at_least(app: &App, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let text = app
            .texts("[data-testid=bulk-progress] [role=status]")
            .await
            .join(" ");
        if text.contains(" done") && count(&text, "done") >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never reached {n} rows done: {text:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Issue 13 items 2 and 11: the file reaches Rust as its bytes, so a UTF-16 file is named for
/// what it is (the web view's decoded text used to turn it into rows of garbage); and a stray
/// quote leaves out its own line only, with the preview saying how many rows it read from how
/// many lines.
#[tokio::test(flavor = "multi_thread")]
async fn a_utf16_file_is_named_and_a_stray_quote_leaves_out_one_line() {
    let drop_bytes = |name: &str, bytes: Vec<u8>| {
        let script = format!(
            "const dt = new DataTransfer();
             dt.items.add(new File([new Uint8Array(arguments[0])], '{name}', {{ type: 'text/csv' }}));
             document.querySelector('[data-testid=csv-drop]')
               .dispatchEvent(new DragEvent('drop', {{ dataTransfer: dt, bubbles: true, cancelable: true }}));
             return true;"
        );
        (script, vec![serde_json::json!(bytes)])
    };
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    app.click("[data-testid=start-bulk]").await;

    let text = format!("user\r\nleo.leaving@{DOMAIN}\r\n");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let (script, args) = drop_bytes("unicode.csv", utf16);
    app.client.execute(&script, args).await.expect("dropped");
    let error = app.wait_for_text("[role=alert]", "UTF-16").await;
    assert!(error.contains("csv_unreadable"), "{error}");

    let csv = format!(
        "user,reason\n\
         leo.leaving@{DOMAIN},\"Moving to Lyon\n\
         ivy.intern@{DOMAIN},season over\n\
         \n\
         nobody.here@{DOMAIN},\"O'Brien, Pat said \"\"bye\"\"\"\n"
    );
    let (script, args) = drop_bytes("stray-quote.csv", csv.into_bytes());
    app.client.execute(&script, args).await.expect("dropped");
    app.wait_for_text("[data-testid=bulk-counts]", "stray-quote.csv")
        .await;
    let problems = app.text("[data-testid=csv-problems]").await;
    assert!(
        problems.contains("Line 2: a quote (\") opens here and is never closed"),
        "{problems}"
    );
    let read = app.text("[data-testid=csv-lines-read]").await;
    assert_eq!(
        read,
        "3 rows read from the file's 5 lines (the header and 1 blank line are not rows)."
    );
    let rows = app.texts("[data-testid=bulk-row]").await;
    assert!(
        rows.iter().any(|r| r.contains("Ivy Intern")),
        "the row after the quote is read: {rows:#?}"
    );
    app.screenshot("bulk-stray-quote").await;
    app.close().await;
}
