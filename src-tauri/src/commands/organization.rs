use playbooks::WhoAmI;
use tauri::ipc::Channel;
use tauri::State;

use crate::organization::{self, DeviceCodeView, OrganizationSettings, SignInMethod};
use crate::{AppState, CommandError};

/// The deployed settings that prefill "Connect your organization" (`null` when none).
#[tauri::command]
#[tracing::instrument]
pub fn organization_settings() -> Option<OrganizationSettings> {
    organization::deployed()
}

/// Signs in to a real tenant; for a device code, the code to enter arrives on `prompt`.
#[tauri::command]
#[tracing::instrument(skip(state, prompt), err)]
pub async fn sign_in_organization(
    state: State<'_, AppState>,
    settings: OrganizationSettings,
    method: SignInMethod,
    prompt: Channel<DeviceCodeView>,
) -> Result<WhoAmI, CommandError> {
    state.sign_in_organization(&settings, method, prompt).await
}
