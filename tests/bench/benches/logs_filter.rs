//! The provisioning-logs screen over 50,000 log entries (issue 7's numbers), printed, never
//! asserted. Runs under `scripts/test-session.sh` (Xvfb): `tests/bench/run.sh logs_filter`.
//!
//! The training tenant's control API cannot write log entries directly, so the bench makes the
//! sync write them as it would: every enabled person is turned off (then on again) through Graph
//! `$batch` with the scenario's automation client, and the next provisioning cycle is run, until
//! the tenant holds 50,000 entries. Then, in the real app, each filter is applied on the
//! Provisioning logs screen and timed in the page: from the click on "Show entries" to the
//! `logs_search` command's answer (filtering happens there: the app filter and the person go to
//! Graph's `$filter`, the rest in the app), then to the list painted (the next animation frame
//! after the count changed).

use std::time::{Duration, Instant};

use fantoccini::Locator;
use provisioning_desk_bench::tenant::Tenant;
use provisioning_desk_e2e::App;
use serde_json::{json, Value};

const ENTRIES: u64 = 50_000;
/// Longest one filter may take before the bench gives up on it and says so.
const PER_FILTER: Duration = Duration::from_secs(300);

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

/// Applies the filter on the screen and returns (command ms, paint ms, entries shown), or
/// `None` when it took longer than `PER_FILTER`.
async fn time_filter(
    app: &App,
    app_name: &str,
    person: &str,
    status: &str,
) -> Option<(f64, f64, String)> {
    app.client
        .execute(
            "const set = (sel, v) => { const e = document.querySelector(sel); e.value = v;
               e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true })); };
             set('[data-testid=app-name]', arguments[0]);
             set('[data-testid=logs-person]', arguments[1]);
             set('[data-testid=logs-status]', arguments[2]);
             return true;",
            vec![app_name.into(), person.into(), status.into()],
        )
        .await
        .expect("the filters are set");
    let timing = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const limit = arguments[0];
             const internals = window.__TAURI_INTERNALS__;
             const invoke = internals.invoke;
             let answered = null;
             internals.invoke = function (cmd, ...rest) {
               const p = invoke.call(this, cmd, ...rest);
               if (cmd === 'logs_search') p.then(() => { answered = performance.now(); }, () => { answered = performance.now(); });
               return p;
             };
             const countText = () => (document.querySelector('[data-testid=logs-count], [data-testid=logs-empty]') || {}).textContent || '';
             const before = countText();
             const t0 = performance.now();
             document.querySelector('[data-testid=logs-search]').click();
             const check = () => {
               if (answered !== null && countText() !== '' && (countText() !== before || performance.now() - answered > 50)) {
                 requestAnimationFrame(() => requestAnimationFrame(() => {
                   internals.invoke = invoke;
                   done(JSON.stringify({ command: answered - t0, paint: performance.now() - answered, shown: countText() }));
                 }));
               } else if (performance.now() - t0 > limit) {
                 internals.invoke = invoke;
                 done(JSON.stringify({ timeout: true }));
               } else {
                 setTimeout(check, 2);
               }
             };
             check();",
            vec![json!(PER_FILTER.as_millis() as u64)],
        )
        .await
        .expect("the filter is timed");
    let timing: Value =
        serde_json::from_str(timing.as_str().unwrap_or("{}")).unwrap_or(Value::Null);
    if timing["timeout"] == true {
        return None;
    }
    Some((
        timing["command"].as_f64().unwrap_or(f64::NAN),
        timing["paint"].as_f64().unwrap_or(f64::NAN),
        timing["shown"]
            .as_str()
            .unwrap_or_default()
            .split(',')
            .next()
            .unwrap_or_default()
            .to_string(),
    ))
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

    app.click("[data-testid=nav-logs]").await;
    app.wait_for(Locator::Css(
        "[data-testid=logs-count], [data-testid=logs-empty], [role=alert]",
    ))
    .await;
    // The WebDriver session must wait as long as a filter may take.
    app.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(PER_FILTER + Duration::from_secs(30)),
            None,
            None,
        ))
        .await
        .expect("script timeout set");
    let filters = [
        (
            "one person (hostile.name), every app",
            "",
            "hostile.name@contoso-training.onmicrosoft.com",
            "",
        ),
        ("Floorplan, failures only", "Floorplan", "", "Failed"),
        ("every app, every result (the screen's default)", "", "", ""),
    ];
    println!("filter over {written} entries (target: under 100 ms) — command / paint / shown:");
    for (label, app_name, person, status) in filters {
        match time_filter(&app, app_name, person, status).await {
            Some((command, paint, shown)) => {
                println!("  {label}: {command:.0} ms / {paint:.0} ms / {shown}")
            }
            None => println!("  {label}: no answer within {} s", PER_FILTER.as_secs()),
        }
    }
    app.close().await;
}
