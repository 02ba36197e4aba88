//! The provisioning-logs screen over 50,000 log entries (issue 7's numbers), printed, never
//! asserted. Runs under `scripts/test-session.sh` (Xvfb): `tests/bench/run.sh logs_filter`.
//!
//! The training tenant's control API cannot write log entries directly, so the bench makes the
//! sync write them as it would: every enabled person is turned off (then on again) through Graph
//! `$batch` with the scenario's automation client, and the next provisioning cycle is run, until
//! the tenant holds 50,000 entries. Then, in the real app: the screen's `logs_search` command
//! (where filtering happens: the app and the person go to Graph's `$filter`, the result and the
//! time window are applied in the app; Graph pages of 50 entries, 5 requests per 10 s) is timed
//! from the page for two filters, then the screen is opened and timed until its default search
//! (every app, last 24 hours) is on screen.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use provisioning_desk_bench::tenant::Tenant;
use provisioning_desk_e2e::App;
use serde_json::{json, Value};

const ENTRIES: u64 = 50_000;
/// Longest one filter may take before the bench gives up on it and says so.
const PER_FILTER: Duration = Duration::from_secs(150);

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

/// Runs the screen's `logs_search` command from the page, as the screen does, and returns
/// (milliseconds, entries answered), or `None` when it took longer than `limit`.
async fn time_command(app: &App, filter: Value, limit: Duration) -> Option<(f64, u64)> {
    let answer = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const t0 = performance.now();
             const timer = setTimeout(() => done(JSON.stringify({ timeout: true })), arguments[1]);
             window.__TAURI_INTERNALS__.invoke('logs_search', { filter: arguments[0] })
               .then(lines => { clearTimeout(timer); done(JSON.stringify({ ms: performance.now() - t0, count: lines.length })); },
                     e => { clearTimeout(timer); done(JSON.stringify({ error: e })); });",
            vec![filter, json!(limit.as_millis() as u64)],
        )
        .await
        .expect("the command is timed");
    let answer: Value =
        serde_json::from_str(answer.as_str().unwrap_or("{}")).unwrap_or(Value::Null);
    if let Some(error) = answer.get("error") {
        println!("    the command failed: {error}");
    }
    Some((answer["ms"].as_f64()?, answer["count"].as_u64()?))
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

    // The WebDriver session must wait as long as a filter may take.
    app.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(PER_FILTER + Duration::from_secs(30)),
            None,
            None,
        ))
        .await
        .expect("script timeout set");
    println!("the logs_search command over {written} entries (target: under 100 ms):");
    let person = "hostile.name@contoso-training.onmicrosoft.com";
    let filters = [
        (
            "one person, every app, last 24 hours",
            json!({"app": null, "person": person, "status": null, "hours": 24}),
        ),
        (
            "Floorplan, failures only, last 24 hours",
            json!({"app": "Floorplan", "person": null, "status": "Failed", "hours": 24}),
        ),
    ];
    for (label, filter) in filters {
        match time_command(&app, filter, PER_FILTER).await {
            Some((ms, count)) => println!("  {label}: {ms:.0} ms, {count} entries"),
            None => {
                // Its reading goes on in the app and would slow what follows: stop here.
                println!("  {label}: no answer within {} s", PER_FILTER.as_secs());
                app.close().await;
                return;
            }
        }
    }

    // Opening the screen runs its default search (every app, last 24 hours) at once.
    let opened = Instant::now();
    app.click("[data-testid=nav-logs]").await;
    let shown = app
        .client
        .wait()
        .at_most(PER_FILTER)
        .for_element(Locator::Css(
            "[data-testid=logs-count], [data-testid=logs-empty], [role=alert]",
        ))
        .await;
    match shown {
        Ok(element) => println!(
            "opening the screen (every app, every result, last 24 hours): {:.1} s to \"{}\"",
            opened.elapsed().as_secs_f64(),
            element
                .text()
                .await
                .unwrap_or_default()
                .split(',')
                .next()
                .unwrap_or_default()
        ),
        Err(_) => {
            println!(
                "opening the screen: no entries shown within {} s",
                PER_FILTER.as_secs()
            );
            app.close().await;
            return;
        }
    }
    app.close().await;
}
