//! Memory of all the app's processes (app + WebKit web and network processes) after one bulk
//! run of a 1,000-row file through the real UI (issue 7's numbers), printed, never asserted.
//! Runs under `scripts/test-session.sh` (Xvfb) with the app built: `tests/bench/run.sh bulk`.
//!
//! A file's rows are distinct people and the app's training tenant holds about 200 by default,
//! so the bench starts the app with `PROVDESK_TRAINING_PEOPLE` (1,500 unless already set): one
//! CSV of 1,000 enabled people, dropped on the Bulk wizard ("offboard everyone on the list"),
//! previewed, confirmed and waited for to its result.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use provisioning_desk_bench::tenant::Tenant;
use provisioning_desk_bench::{footprint, newest_process_of, Footprint};
use provisioning_desk_e2e::{workspace_root, App};

/// Rows in the one bulk file.
const ROWS: usize = 1_000;
/// Generated people in the app's training tenant, enough for `ROWS` distinct enabled people.
const TRAINING_PEOPLE: &str = "1500";

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print(label: &str, f: Footprint) {
    println!(
        "{label}: {} processes, RSS {:.0} MB, PSS {:.0} MB",
        f.processes,
        mb(f.rss_kib),
        mb(f.pss_kib)
    );
}

/// Drops `csv` on the Bulk wizard as `name`, confirms, and waits for the result; returns the
/// result line.
async fn bulk_run(app: &App, kind: &str, name: &str, csv: &str) -> String {
    app.click("[data-testid=nav-home]").await;
    app.click("[data-testid=start-bulk]").await;
    app.click(&format!("[data-testid=kind-{kind}]")).await;
    app.client
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File([arguments[0]], arguments[1], { type: 'text/csv' }));
             document.querySelector('[data-testid=csv-drop]')
               .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
             return true;",
            vec![csv.into(), name.into()],
        )
        .await
        .expect("the file is dropped");
    app.client
        .wait()
        .at_most(Duration::from_secs(120))
        .for_element(Locator::Css("[data-testid=confirm]:not([disabled])"))
        .await
        .expect("the preview offers to run");
    app.click("[data-testid=confirm]").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(600))
        .for_element(Locator::Css("[data-testid=bulk-result]"))
        .await
        .expect("the run ends");
    app.text("[data-testid=bulk-result]").await
}

fn main() {
    // Read by the app at start (src-tauri/src/state.rs); tauri-driver and the app inherit it.
    // Set before any thread exists.
    if std::env::var_os("PROVDESK_TRAINING_PEOPLE").is_none() {
        std::env::set_var("PROVDESK_TRAINING_PEOPLE", TRAINING_PEOPLE);
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(one_large_file());
}

async fn one_large_file() {
    let binary = std::env::var_os("PROVDESK_APP")
        .map(Into::into)
        .unwrap_or_else(|| workspace_root().join("target/debug/provisioning-desk"));
    println!("app: {}", binary.display());
    println!(
        "training tenant: PROVDESK_TRAINING_PEOPLE={}",
        std::env::var("PROVDESK_TRAINING_PEOPLE").unwrap_or_default()
    );
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let Some(pid) = newest_process_of(&binary) else {
        println!("the app's process was not found");
        return;
    };
    print("after sign-in", footprint(pid));

    let tenant = Tenant::of_running_app().await;
    let state = tenant.get("state").await;
    let scenario = tenant.get("scenario").await;
    let demo: Vec<&str> = scenario["demoAccounts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["userPrincipalName"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut people: Vec<String> = state["directory"]["users"]
        .as_object()
        .map(|users| {
            users
                .values()
                .map(|u| &u["props"])
                .filter(|p| p["accountEnabled"] == true)
                .filter_map(|p| p["userPrincipalName"].as_str())
                .filter(|upn| !demo.iter().any(|d| d.eq_ignore_ascii_case(upn)))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    people.sort();
    println!("enabled people in the training tenant: {}", people.len());
    if people.len() < ROWS {
        println!(
            "fewer than {ROWS} enabled people: set PROVDESK_TRAINING_PEOPLE higher; the file has {}",
            people.len()
        );
    }
    people.truncate(ROWS);
    let csv: String = std::iter::once("user".to_string())
        .chain(people.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");

    let started = Instant::now();
    let result = bulk_run(&app, "offboard", "leavers.csv", &csv).await;
    println!(
        "one bulk run of {} rows (offboard) through the UI: {:.1} s — {}",
        people.len(),
        started.elapsed().as_secs_f64(),
        result.replace('\n', " ")
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = footprint(pid);
    print(
        &format!(
            "after one {}-row bulk run (target: under 600 MB)",
            people.len()
        ),
        after,
    );
    app.close().await;
}
