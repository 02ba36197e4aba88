//! The desktop shell: builds the window and the app state, and forwards each command to the core
//! crates in one line. Nothing here knows Microsoft Graph or SCIM.

mod commands;
mod dto;
mod error;
mod state;

pub use dto::{AppStatus, TenantInfo};
pub use error::CommandError;
pub use state::AppState;

use tauri::{Builder, Manager, Runtime};

/// Registers state and commands on a builder. Shared by `run` and by tests on the mock runtime.
pub fn setup<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .setup(|app| {
            let state = tauri::async_runtime::block_on(AppState::start_training())?;
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::status::app_status])
}

/// Starts the desktop app on the built-in training tenant.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "provisioning_desk=info,training_tenant=info".into()),
        )
        .init();
    if let Err(err) = setup(Builder::default()).run(tauri::generate_context!()) {
        eprintln!("Provisioning Desk could not start: {err}");
        std::process::exit(1);
    }
}
