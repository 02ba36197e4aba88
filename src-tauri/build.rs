fn main() {
    // Declaring the commands here generates an `allow-<command>` permission for each, so the
    // capability file really gates them: the web view can call nothing that is not listed there.
    let manifest = tauri_build::AppManifest::new().commands(&["app_status"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script failed");
}
