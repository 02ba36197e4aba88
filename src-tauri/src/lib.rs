//! The desktop shell: builds the window and the app state, and forwards each command to the core
//! crates in one line. Nothing here knows Microsoft Graph or SCIM.

mod bulk_control;
mod commands;
mod dto;
mod error;
mod organization;
mod progress;
mod provisioning_logs;
mod restart_watch;
mod sign_in_memory;
mod state;
mod training_controls;
mod window_memory;

pub use dto::{AppStatus, TenantInfo};
pub use error::CommandError;
pub use state::AppState;

use sign_in_memory::SignInMemory;
use tauri::{Builder, Manager, Runtime};

/// Registers state and commands on a builder. Shared by `run` and by tests on the mock runtime.
pub fn setup<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .setup(|app| {
            let exports_dir = app
                .path()
                .download_dir()
                .or_else(|_| app.path().home_dir())
                .unwrap_or_else(|_| std::env::temp_dir());
            let memory = match app.path().app_config_dir() {
                Ok(dir) => SignInMemory::in_dir(&dir),
                _ => SignInMemory::none(),
            };
            let state = tauri::async_runtime::block_on(AppState::start_training(exports_dir))?
                .with_sign_in_memory(memory);
            app.manage(state);
            if let Some(window) = app.get_webview_window("main") {
                window_memory::restore_and_remember(&window);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::status::app_status,
            commands::session::demo_accounts,
            commands::session::sign_in_demo,
            commands::session::whoami,
            commands::session::sign_out,
            commands::session::restore_sign_in,
            commands::organization::organization_settings,
            commands::organization::sign_in_organization,
            commands::offboard::people_search,
            commands::offboard::offboard_preview,
            commands::offboard::offboard_run,
            commands::offboard::offboard_verify,
            commands::offboard::offboard_deletion_plan,
            commands::offboard::offboard_delete,
            commands::reactivate::reactivate_preview,
            commands::reactivate::reactivate_run,
            commands::relink::relink_preview,
            commands::relink::relink_run,
            commands::relink::relink_paused_jobs,
            commands::relink::relink_resume_job,
            commands::apps::app_suggestions,
            commands::apps::mappings_inspect,
            commands::apps::diagnose_person,
            commands::apps::restart_preview,
            commands::apps::restart_run,
            commands::apps::restart_watch,
            commands::apps::restart_watch_stop,
            commands::bulk::bulk_preview,
            commands::bulk::bulk_run,
            commands::bulk::bulk_resume,
            commands::bulk::bulk_cancel,
            commands::logs::logs_load,
            commands::logs::logs_stop,
            commands::logs::logs_page,
            commands::journal::journal_actions,
            commands::journal::journal_export,
            commands::journal::journal_unfinished,
            commands::journal::journal_finish,
            commands::training::training_clock,
            commands::training::training_skip_days,
            commands::training::training_run_cycle,
            commands::training::training_scim_requests,
            commands::training::training_reset,
            commands::training::training_renew_token,
        ])
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
