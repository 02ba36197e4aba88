//! What a training tenant tells about itself at `GET {base}/_training/scenario`.
//!
//! Parsed leniently into our own types: the training tenant imitates Microsoft and does not share
//! our crates' types (ARCHITECTURE.md "Boundaries"), so only the fields the desk needs are read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// The training tenant's own description (the sign-in screen lists its demo accounts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingScenario {
    #[serde(default)]
    pub scenario: String,
    pub tenant_id: String,
    #[serde(default)]
    pub tenant_domain: String,
    #[serde(default)]
    pub organization: String,
    pub public_client_id: String,
    #[serde(default)]
    pub demo_accounts: Vec<TrainingDemoAccount>,
    /// The people the training stories are about, by scenario key ("leaver-today").
    #[serde(default)]
    pub people: BTreeMap<String, TrainingPerson>,
    #[serde(default)]
    pub apps: Vec<TrainingApp>,
}

/// An account trainees can sign in as with one click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingDemoAccount {
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: String,
    /// Entra role names ("User Administrator").
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub description: String,
}

/// A person a training story is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingPerson {
    pub id: String,
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub story: Option<String>,
    #[serde(default)]
    pub previous_object_id: Option<String>,
}

/// An enterprise app of the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingApp {
    #[serde(default)]
    pub key: String,
    pub display_name: String,
    pub service_principal_id: String,
}

impl TrainingScenario {
    /// Reads a training tenant's description from its base URL.
    pub async fn discover(http: &reqwest::Client, base_url: &str) -> Result<Self> {
        let url = format!("{}/_training/scenario", base_url.trim_end_matches('/'));
        let unreachable = |reason: String| Error::TrainingTenantUnreachable {
            url: base_url.to_string(),
            reason,
        };
        let response = http
            .get(&url)
            .send()
            .await
            .map_err(|error| unreachable(error.to_string()))?;
        if !response.status().is_success() {
            return Err(unreachable(format!(
                "{url} answered HTTP {}; is this a training tenant?",
                response.status().as_u16()
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|error| unreachable(error.to_string()))?;
        serde_json::from_slice(&body)
            .map_err(|error| unreachable(format!("its description could not be read: {error}")))
    }

    /// The demo account holding `role` ("User Administrator"), if any.
    pub fn demo_with_role(&self, role: &str) -> Option<&TrainingDemoAccount> {
        self.demo_accounts
            .iter()
            .find(|account| account.roles.iter().any(|r| r.eq_ignore_ascii_case(role)))
    }

    /// A demo account by UPN, by its name before the `@`, or by one of its roles.
    pub fn demo_account(&self, wanted: &str) -> Option<&TrainingDemoAccount> {
        let wanted = wanted.trim();
        self.demo_accounts
            .iter()
            .find(|account| {
                account.user_principal_name.eq_ignore_ascii_case(wanted)
                    || account
                        .user_principal_name
                        .split('@')
                        .next()
                        .is_some_and(|local| local.eq_ignore_ascii_case(wanted))
            })
            .or_else(|| self.demo_with_role(wanted))
    }
}
