/// Every command the web view may call. Declaring them here generates an `allow-<command>`
/// permission for each, so the capability file really gates them: the web view can call nothing
/// that is not listed there (capabilities/main-window.json).
const COMMANDS: &[&str] = &[
    "app_status",
    "demo_accounts",
    "sign_in_demo",
    "whoami",
    "sign_out",
    "restore_sign_in",
    "organization_settings",
    "sign_in_organization",
    "people_search",
    "offboard_preview",
    "offboard_run",
    "offboard_verify",
    "offboard_deletion_plan",
    "offboard_delete",
    "reactivate_preview",
    "reactivate_run",
    "relink_preview",
    "relink_run",
    "relink_paused_jobs",
    "relink_resume_job",
    "app_suggestions",
    "mappings_inspect",
    "diagnose_person",
    "restart_preview",
    "restart_run",
    "restart_watch",
    "restart_watch_stop",
    "bulk_preview",
    "bulk_run",
    "bulk_resume",
    "bulk_cancel",
    "logs_load",
    "logs_stop",
    "logs_page",
    "journal_actions",
    "journal_export",
    "journal_unfinished",
    "journal_finish",
    "training_clock",
    "training_skip_days",
    "training_run_cycle",
    "training_scim_requests",
    "training_reset",
    "training_renew_token",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script failed");
}
