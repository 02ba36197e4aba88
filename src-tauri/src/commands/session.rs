use playbooks::tenant::TrainingDemoAccount;
use playbooks::WhoAmI;
use tauri::State;

use crate::{AppState, CommandError};

/// The training tenant's demo accounts, offered on the sign-in screen.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn demo_accounts(state: State<'_, AppState>) -> Vec<TrainingDemoAccount> {
    state.demo_accounts()
}

/// One-click sign-in to the training tenant as a demo account (UPN or role name).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn sign_in_demo(
    state: State<'_, AppState>,
    account: String,
) -> Result<WhoAmI, CommandError> {
    state.sign_in_demo(&account).await
}

/// Who is signed in, on which tenant, and what they may do (preflight); `null` before sign-in.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn whoami(state: State<'_, AppState>) -> Result<Option<WhoAmI>, CommandError> {
    Ok(state.whoami().await)
}

/// Signs out.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.sign_out().await
}
