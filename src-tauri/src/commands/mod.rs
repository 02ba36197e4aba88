//! Tauri commands: one line each over the core crates.

pub mod status;
