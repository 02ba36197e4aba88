//! Figures for issue 4's numbers (printed, not asserted):
//! `cargo bench -p training-tenant --bench provisioning`.
//! A full (initial) cycle over 10,000 in-scope users, then an incremental cycle with 100 changes.

use std::time::Instant;

use serde_json::{json, Map};
use training_tenant::provisioning::engine;
use training_tenant::{Options, TrainingTenant};

const USERS: usize = 10_000;
const CHANGES: usize = 100;

#[tokio::main]
async fn main() {
    let tt = TrainingTenant::start(Options {
        population: Some(USERS),
        ..Options::default()
    })
    .await
    .expect("start");
    let state = tt.state().clone();
    let floorplan = tt
        .scim_apps()
        .into_iter()
        .find(|a| a.key == "floorplan")
        .expect("floorplan");
    // "Sync all users and groups": every user is in scope; the other jobs are paused so that
    // only this job's cycles are timed.
    {
        let mut prov = state.provisioning();
        for job in prov.jobs.values_mut() {
            job.paused = job.id != floorplan.job_id;
        }
        let job = prov.jobs.get_mut(&floorplan.job_id).expect("job");
        job.sync_all = true;
    }

    let started = Instant::now();
    engine::run_now(&state, &floorplan.job_id);
    let full = started.elapsed();
    let (linked, requests) = {
        let prov = state.provisioning();
        (
            prov.jobs[&floorplan.job_id].links.len(),
            prov.exchanges.len(),
        )
    };
    println!("full cycle, {USERS} users in scope ({linked} provisioned, {requests} SCIM requests): {full:?}");

    let now = state.clock.now();
    let ids: Vec<String> = state
        .directory()
        .users
        .keys()
        .take(CHANGES)
        .cloned()
        .collect();
    {
        let mut dir = state.directory_mut();
        for id in &ids {
            let mut change = Map::new();
            change.insert("jobTitle".into(), json!("Changed for the benchmark"));
            dir.update_user(id, change, now).expect("update");
        }
    }
    let before = state.provisioning().exchanges.len();
    let started = Instant::now();
    engine::run_now(&state, &floorplan.job_id);
    let incremental = started.elapsed();
    let sent = state.provisioning().exchanges.len() - before;
    println!(
        "incremental cycle with {CHANGES} changed users ({sent} SCIM requests): {incremental:?}"
    );
}
