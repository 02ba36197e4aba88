//! Shared by the integration tests: a training tenant on 127.0.0.1:0, signed in as a demo
//! account, with an in-memory journal, and the tenant's `/_training/` controls.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use entra_client::graph::RetryPolicy;
use playbooks::journal::Journal;
use playbooks::{Desk, TenantConnection, TenantProfile};
use serde_json::Value;

pub const HELPDESK: &str = "User Administrator";
pub const GLOBAL_ADMIN: &str = "Global Administrator";
pub const APP_ADMIN: &str = "Application Administrator";

pub struct Training {
    pub connection: TenantConnection,
    pub http: reqwest::Client,
}

impl Training {
    pub async fn start() -> Self {
        Self::start_with(training_tenant::Options::default()).await
    }

    pub async fn start_with(options: training_tenant::Options) -> Self {
        let connection = TenantConnection::connect(TenantProfile::TrainingInProcess(options))
            .await
            .expect("the training tenant starts");
        // The tests drive `/_training/` as the person who started the tenant: with its token.
        let token = connection
            .in_process_tenant()
            .expect("in-process")
            .control_token();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-training-control", token.parse().expect("a header value"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .expect("an HTTP client");
        Training { connection, http }
    }

    pub fn base(&self) -> String {
        self.connection
            .training_url()
            .expect("training")
            .to_string()
    }

    /// A desk signed in as the demo account with `role`, quick retries, in-memory journal.
    pub async fn desk(&self, role: &str) -> Desk {
        let signed_in = self
            .connection
            .sign_in_as_demo(role)
            .await
            .expect("demo sign-in")
            .with_retry(quick_retry())
            .expect("retry policy");
        Desk::new(signed_in, Arc::new(Journal::in_memory().expect("journal")))
    }

    /// (object id, UPN) of a story person.
    pub fn person(&self, key: &str) -> (String, String) {
        let scenario = self.connection.training().expect("training");
        let person = &scenario.people[key];
        (person.id.clone(), person.user_principal_name.clone())
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = self
            .http
            .request(method, format!("{}/_training/{path}", self.base()))
            .json(&body)
            .send()
            .await
            .expect("control endpoint");
        assert!(
            response.status().is_success(),
            "{path}: HTTP {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    pub async fn advance(&self, body: Value) -> Value {
        self.control(reqwest::Method::POST, "clock/advance", body)
            .await
    }

    pub async fn state(&self) -> Value {
        self.control(reqwest::Method::GET, "state", Value::Null)
            .await
    }
}

pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        max_total_wait: Duration::from_secs(30),
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    }
}
