//! Figures for the numbers (printed, not asserted):
//! `cargo bench -p training-tenant --bench directory`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use training_tenant::scenario::{Scenario, LARGE_POPULATION};
use training_tenant::{Options, TrainingTenant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let scenario = Scenario::named("contoso-large").expect("scenario");
    let built = scenario.build(chrono::Utc::now());
    println!(
        "generate {} users: {:?}",
        built.directory.users.len(),
        started.elapsed()
    );

    let started = Instant::now();
    let tt = TrainingTenant::start(Options {
        population: Some(LARGE_POPULATION),
        ..Options::default()
    })
    .await
    .expect("start");
    println!(
        "start a {LARGE_POPULATION}-user tenant: {:?}",
        started.elapsed()
    );

    let http = reqwest::Client::new();
    let s = tt.summary().clone();
    let token: Value = http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            tt.base_url(),
            s.tenant_id
        ))
        .form(&[
            ("client_id", s.automation_client_id.as_str()),
            ("client_secret", s.automation_client_secret.as_str()),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token = token["access_token"].as_str().expect("token").to_string();

    let upns: Vec<String> = {
        let dir = tt.state().directory();
        dir.users
            .values()
            .step_by(997)
            .map(|u| u.upn().to_string())
            .collect()
    };
    let mut samples = Vec::new();
    for upn in upns.iter().cycle().take(200) {
        let url = format!(
            "{}/v1.0/users?$filter=userPrincipalName%20eq%20'{upn}'&$select=id,accountEnabled",
            tt.base_url()
        );
        let t = Instant::now();
        let r = http.get(url).bearer_auth(&token).send().await.expect("get");
        let _ = r.bytes().await;
        samples.push(t.elapsed());
    }
    println!(
        "GET /users?$filter=userPrincipalName eq …: median {:?}",
        median(samples)
    );

    let ids: Vec<String> = {
        let dir = tt.state().directory();
        dir.users.keys().take(20).cloned().collect()
    };
    let mut samples = Vec::new();
    for i in 0..100 {
        let requests: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| {
                json!({
                    "id": n.to_string(),
                    "method": "PATCH",
                    "url": format!("/users/{id}"),
                    "headers": {"Content-Type": "application/json"},
                    "body": {"accountEnabled": i % 2 == 0},
                })
            })
            .collect();
        let t = Instant::now();
        let r = http
            .post(format!("{}/v1.0/$batch", tt.base_url()))
            .bearer_auth(&token)
            .json(&json!({ "requests": requests }))
            .send()
            .await
            .expect("batch");
        let _ = r.bytes().await;
        samples.push(t.elapsed());
    }
    println!("20-request $batch of PATCHes: median {:?}", median(samples));
}
