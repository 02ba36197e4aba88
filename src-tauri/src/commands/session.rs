use tauri::State;

use crate::{dto::DemoAccount, AppState};

/// The training tenant's demo accounts, offered on the sign-in screen.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn demo_accounts(state: State<'_, AppState>) -> Vec<DemoAccount> {
    state.demo_accounts()
}
