//! Tauri commands: one line each over the core crates.

pub mod apps;
pub mod bulk;
pub mod journal;
pub mod logs;
pub mod offboard;
pub mod organization;
pub mod reactivate;
pub mod relink;
pub mod session;
pub mod status;
pub mod training;
