//! From the global options to a [`Desk`]: which tenant, who is signed in, which journal.
//!
//! Training profile: the tenant is the one `provdesk training serve` runs (its URL from
//! `--graph-url`, or the one it saved when it started); the sign-in is the demo account chosen
//! with `provdesk login --as` (default: the helpdesk operator), signed in afresh by each command
//! through the real auth-code + PKCE flow — a training sign-in is one click, so nothing is kept
//! in the keychain. Real profile: the remembered sign-in from the keychain.

use std::path::PathBuf;
use std::sync::Arc;

use entra_client::DeploymentConfig;
use playbooks::journal::{Journal, APP_IDENTIFIER};
use playbooks::{Desk, TenantConnection, TenantProfile};

use crate::args::Global;
use crate::error::CliError;

pub const TRAINING: &str = "training";
const TRAINING_URL_FILE: &str = "training-url";
const TRAINING_ACCOUNT_FILE: &str = "training-account";
const DEFAULT_DEMO_ACCOUNT: &str = "helpdesk";

/// The folder the app keeps its files in (next to the journal).
pub fn data_dir() -> Result<PathBuf, CliError> {
    let base = directories::BaseDirs::new().ok_or(playbooks::Error::NoDataDirectory)?;
    Ok(base.data_dir().join(APP_IDENTIFIER))
}

fn state_file(name: &str) -> Result<PathBuf, CliError> {
    Ok(data_dir()?.join(name))
}

pub fn read_state(name: &str) -> Option<String> {
    let text = std::fs::read_to_string(state_file(name).ok()?).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

pub fn write_state(name: &str, value: &str) -> Result<(), CliError> {
    let path = state_file(name)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| CliError::ReadFile {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&path, value).map_err(|source| CliError::ReadFile { path, source })
}

pub fn remove_state(name: &str) {
    if let Ok(path) = state_file(name) {
        let _ = std::fs::remove_file(path);
    }
}

/// Remembers the URL of the training tenant this process serves.
pub fn save_training_url(url: &str) -> Result<(), CliError> {
    write_state(TRAINING_URL_FILE, url)
}

pub fn save_training_account(account: &str) -> Result<(), CliError> {
    write_state(TRAINING_ACCOUNT_FILE, account)
}

pub fn forget_training_account() {
    remove_state(TRAINING_ACCOUNT_FILE);
}

pub fn is_training(global: &Global) -> bool {
    global.profile == TRAINING
}

/// Connects to the profile's tenant (not signed in yet).
pub async fn connection(global: &Global) -> Result<TenantConnection, CliError> {
    let profile = if is_training(global) {
        let url = global
            .graph_url
            .clone()
            .or_else(|| read_state(TRAINING_URL_FILE))
            .ok_or_else(|| {
                CliError::bad_input(
                    "No training tenant is known.",
                    "Start one with `provdesk training serve` (it prints its address), then pass \
                     --graph-url with that address, or use --profile NAME for your tenant.",
                )
            })?;
        TenantProfile::TrainingAt { url }
    } else {
        TenantProfile::Tenant(deployment_config(&global.profile)?)
    };
    let connection = TenantConnection::connect(profile).await?;
    match global.training_cloud {
        None => Ok(connection),
        Some(cloud) if is_training(global) => Ok(connection.standing_in_for(cloud.into())?),
        Some(_) => Err(CliError::bad_input(
            "--training-cloud is only for the training tenant.",
            "A real tenant's cloud comes from its settings file (\"cloud\"); leave the option out.",
        )),
    }
}

fn deployment_config(profile: &str) -> Result<DeploymentConfig, CliError> {
    if profile == "default" {
        return Ok(DeploymentConfig::discover()?.0);
    }
    let base = directories::BaseDirs::new().ok_or(playbooks::Error::NoDataDirectory)?;
    let path = base
        .config_dir()
        .join("provisioning-desk")
        .join("profiles")
        .join(format!("{profile}.json"));
    if !path.is_file() {
        return Err(CliError::bad_input(
            format!("There is no profile called \"{profile}\"."),
            format!(
                "Create {} with your tenant's settings (tenantId, clientId, cloud), use \
                 --profile default for the deployed settings file, or --profile training.",
                path.display()
            ),
        ));
    }
    Ok(DeploymentConfig::load(&path)?)
}

/// The journal: `--journal`, or the app's.
pub fn journal(global: &Global) -> Result<Arc<Journal>, CliError> {
    let journal = match &global.journal {
        Some(path) => Journal::open(path)?,
        None => Journal::open_default()?,
    };
    Ok(Arc::new(journal))
}

/// Connects and signs in: `PROVDESK_ACCESS_TOKEN`, the training demo account, or the
/// remembered sign-in. Then says on stderr when an interrupted re-link left an app's sync paused
/// (with who paused it, when, and the command that starts it again).
pub async fn desk(global: &Global) -> Result<Desk, CliError> {
    let desk = signed_in_desk(global).await?;
    crate::commands::relink::report_paused_jobs(&desk);
    crate::commands::journal::report_unfinished(&desk);
    Ok(desk)
}

/// [`desk`] without the paused-sync notice (for the command that resumes).
pub async fn signed_in_desk(global: &Global) -> Result<Desk, CliError> {
    let connection = connection(global).await?;
    let signed_in = if let Some(token) = std::env::var("PROVDESK_ACCESS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        connection.with_access_token(token.trim()).await?
    } else if connection.is_training() {
        let account =
            read_state(TRAINING_ACCOUNT_FILE).unwrap_or_else(|| DEFAULT_DEMO_ACCOUNT.to_string());
        connection.sign_in_as_demo(&account).await?
    } else {
        connection
            .restore()
            .await?
            .ok_or_else(|| CliError::NotSignedIn {
                hint: format!(
                    "Sign in with `provdesk --profile {} login` (or --device-code).",
                    global.profile
                ),
            })?
    };
    Ok(Desk::new(signed_in, journal(global)?))
}
