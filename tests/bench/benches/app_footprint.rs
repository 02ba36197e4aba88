//! Start-up time and memory of the real app (issue 7's numbers), printed, never asserted.
//! Runs under `scripts/test-session.sh` (Xvfb) with the app built: `make bench`.
//!
//! "Start to interactive" is measured from the WebDriver session request (which launches the
//! binary) until the home screen's heading is in the page, so it includes WebDriver's own
//! overhead: an upper bound of what a person sees.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use provisioning_desk_bench::{footprint, newest_process_of};
use provisioning_desk_e2e::{workspace_root, App};

const RUNS: usize = 5;

#[tokio::main]
async fn main() {
    let binary = std::env::var_os("PROVDESK_APP")
        .map(Into::into)
        .unwrap_or_else(|| workspace_root().join("target/debug/provisioning-desk"));
    println!("app: {}", binary.display());
    let mut starts = Vec::new();
    for run in 0..RUNS {
        let started = Instant::now();
        let app = App::start().await;
        app.wait_for(Locator::Css("main h1")).await;
        let elapsed = started.elapsed();
        starts.push(elapsed);
        if run == RUNS - 1 {
            // Let the web process settle before reading its memory.
            tokio::time::sleep(Duration::from_secs(2)).await;
            match newest_process_of(&binary) {
                Some(pid) => {
                    let f = footprint(pid);
                    println!(
                        "memory after start: {} processes, RSS {:.0} MB, PSS {:.0} MB (target: under 500 MB)",
                        f.processes,
                        f.rss_kib as f64 / 1024.0,
                        f.pss_kib as f64 / 1024.0
                    );
                }
                None => println!("memory after start: the app's process was not found"),
            }
        }
        app.close().await;
    }
    starts.sort();
    println!(
        "start to interactive home screen over {RUNS} runs: median {:?}, best {:?}, worst {:?} (target: under 1.0 s)",
        starts[RUNS / 2],
        starts[0],
        starts[RUNS - 1]
    );
}
