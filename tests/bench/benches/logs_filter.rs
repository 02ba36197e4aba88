//! The provisioning-logs screen over 50,000 log entries (issue 7's numbers), printed, never
//! asserted. Runs under `scripts/test-session.sh` (Xvfb): `tests/bench/run.sh logs_filter`.
//!
//! The training tenant's control API cannot write log entries directly, so the bench makes the
//! sync write them as it would: every enabled person is turned off (then on again) through Graph
//! `$batch` with the scenario's automation client, and the next provisioning cycle is run, until
//! the tenant holds 50,000 entries. Then, in the real app, what a person waits for: opening the
//! screen until the first rows show (the screen reads the last 7 days newest first, 500 entries
//! per page, at most 5 requests per 10 s); until the whole cache is read; and, on the full
//! cache, each filter change — the `logs_page` command alone, and from a keystroke in the
//! filter to the new count on screen.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use provisioning_desk_bench::tenant::Tenant;
use provisioning_desk_e2e::App;
use serde_json::{json, Value};

const ENTRIES: u64 = 50_000;
/// Longest the bench waits for the whole cache to be read.
const READ_LIMIT: Duration = Duration::from_secs(900);

/// Turns every one of `ids` on or off through `$batch` (20 requests per batch).
async fn set_enabled(tenant: &Tenant, token: &str, ids: &[String], enabled: bool) {
    for chunk in ids.chunks(20) {
        let requests: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| {
                json!({
                    "id": i.to_string(),
                    "method": "PATCH",
                    "url": format!("/users/{id}"),
                    "body": {"accountEnabled": enabled},
                    "headers": {"Content-Type": "application/json"},
                })
            })
            .collect();
        let (status, answer) = tenant
            .graph(
                token,
                "POST",
                "/v1.0/$batch",
                json!({ "requests": requests }),
            )
            .await;
        assert_eq!(status, 200, "$batch: {answer}");
    }
}

/// Writes log entries until the tenant holds at least `ENTRIES`; returns how many it holds.
async fn fill_the_logs(tenant: &Tenant) -> u64 {
    let token = tenant.automation_token().await;
    let scenario = tenant.get("scenario").await;
    let demo: Vec<&str> = scenario["demoAccounts"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["id"].as_str()).collect())
        .unwrap_or_default();
    let state = tenant.get("state").await;
    let ids: Vec<String> = state["directory"]["users"]
        .as_object()
        .map(|users| {
            users
                .values()
                .map(|u| &u["props"])
                .filter(|p| p["accountEnabled"] == true)
                .filter_map(|p| p["id"].as_str())
                .filter(|id| !demo.contains(id))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut written = 0u64;
    let mut enabled = false;
    while written < ENTRIES {
        set_enabled(tenant, &token, &ids, enabled).await;
        let round = tenant.post("provisioning/run", json!({})).await;
        let entries = round["logEntries"].as_u64().unwrap_or(0);
        assert!(entries > 0, "a sync round wrote nothing: {round}");
        written += entries;
        enabled = !enabled;
    }
    written
}

/// Runs the screen's `logs_page` command from the page, as the screen does, and returns
/// (milliseconds, matching entries), or `None` without an answer.
async fn time_command(app: &App, filter: Value) -> Option<(f64, u64)> {
    let answer = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const t0 = performance.now();
             window.__TAURI_INTERNALS__.invoke('logs_page', { filter: arguments[0], offset: 0, count: 60 })
               .then(page => done(JSON.stringify({ ms: performance.now() - t0, count: page.total })),
                     e => done(JSON.stringify({ error: e })));",
            vec![filter],
        )
        .await
        .ok()?;
    let answer: Value =
        serde_json::from_str(answer.as_str().unwrap_or("{}")).unwrap_or(Value::Null);
    if let Some(error) = answer.get("error") {
        println!("    the command failed: {error}");
    }
    Some((answer["ms"].as_f64()?, answer["count"].as_u64()?))
}

/// Sets a filter field as typing does and returns the milliseconds until the count line changes
/// to one that says `expected`, measured in the page (no WebDriver round trip), with that line;
/// `None` after 10 s.
async fn time_on_screen(
    app: &App,
    field: &str,
    value: &str,
    expected: &str,
) -> Option<(f64, String)> {
    let answer = app
        .client
        .execute_async(
            "const [css, value, expected, done] = arguments;
             const field = document.querySelector(css);
             const shown = () => {
               const count = document.querySelector('[data-testid=logs-count], [data-testid=logs-empty]');
               return count ? count.textContent : '';
             };
             const before = shown();
             const t0 = performance.now();
             const tag = field.tagName === 'SELECT' ? 'change' : 'input';
             field.value = value;
             field.dispatchEvent(new Event(tag, { bubbles: true }));
             const check = () => {
               const text = shown();
               if (text !== before && text.includes(expected)) done(JSON.stringify({ ms: performance.now() - t0, text }));
               else if (performance.now() - t0 > 10000) done('{}');
               else requestAnimationFrame(check);
             };
             check();",
            vec![json!(field), json!(value), json!(expected)],
        )
        .await
        .ok()?;
    let answer: Value =
        serde_json::from_str(answer.as_str().unwrap_or("{}")).unwrap_or(Value::Null);
    let text = answer["text"].as_str()?.split(", newest").next()?.trim();
    Some((answer["ms"].as_f64()?, text.to_string()))
}

#[tokio::main]
async fn main() {
    let app = App::start().await;
    app.sign_in_as("reports").await;
    let tenant = Tenant::of_running_app().await;
    let started = Instant::now();
    let written = fill_the_logs(&tenant).await;
    println!(
        "log entries written by sync rounds: {written} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    app.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(60)),
            None,
            None,
        ))
        .await
        .expect("script timeout set");

    // Opening the screen: the first rows, then the whole cache.
    let opened = Instant::now();
    app.click("[data-testid=nav-logs]").await;
    match app
        .client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("[data-testid=log-row]"))
        .await
    {
        Ok(_) => println!(
            "opening the screen: first rows shown after {:.1} s",
            opened.elapsed().as_secs_f64()
        ),
        Err(_) => println!("opening the screen: no rows within 60 s"),
    }
    let mut last_said = String::new();
    loop {
        let said = app.text("[data-testid=logs-progress]").await;
        if said.contains("are here") {
            println!(
                "the whole cache read after {:.1} s: \"{}\"",
                opened.elapsed().as_secs_f64(),
                said.split(';').next().unwrap_or_default()
            );
            break;
        }
        if opened.elapsed() > READ_LIMIT {
            println!(
                "the cache was not read within {} s; it said \"{last_said}\"",
                READ_LIMIT.as_secs()
            );
            app.close().await;
            return;
        }
        last_said = said;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let person = "hostile.name@contoso-training.onmicrosoft.com";
    println!("filter changes on the full cache (target: under 100 ms):");
    let filters = [
        (
            "one person by user name, every app, last 7 days",
            json!({"app": null, "person": person, "status": null, "hours": 168}),
        ),
        (
            "one person by part of the name, last 24 hours",
            json!({"app": null, "person": "hostile", "status": null, "hours": 24}),
        ),
        (
            "Floorplan, failures only, last 24 hours",
            json!({"app": "Floorplan", "person": null, "status": "Failed", "hours": 24}),
        ),
        (
            "everything, last 7 days",
            json!({"app": null, "person": null, "status": null, "hours": 168}),
        ),
    ];
    for (label, filter) in filters {
        match time_command(&app, filter).await {
            Some((ms, count)) => println!("  logs_page, {label}: {ms:.1} ms, {count} entries"),
            None => println!("  logs_page, {label}: no answer"),
        }
    }
    let typed = [
        ("[data-testid=logs-person]", person, "about hostile.name"),
        ("[data-testid=app-name]", "Floorplan", "for Floorplan"),
        ("[data-testid=logs-status]", "Failed", ""),
        ("[data-testid=logs-status]", "", "for Floorplan"),
    ];
    for (field, value, expected) in typed {
        match time_on_screen(&app, field, value, expected).await {
            Some((ms, text)) => {
                println!("  on screen, {field} = {value:?}: new count after {ms:.0} ms: \"{text}\"")
            }
            None => println!("  on screen, {field} = {value:?}: not shown within 10 s"),
        }
    }
    app.close().await;
}
