use playbooks::tenant::TrainingDemoAccount;
use playbooks::WhoAmI;
use tauri::State;

use crate::dto::RestoredSignIn;
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

/// Signs out, and forgets the sign-in for the next start.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.sign_out().await
}

/// At start: signs in again as last time (demo account, or the organization from the keychain);
/// otherwise nobody, with a plain sentence saying why when something went wrong.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn restore_sign_in(state: State<'_, AppState>) -> Result<RestoredSignIn, CommandError> {
    Ok(state.restore_sign_in().await)
}
