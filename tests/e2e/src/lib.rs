//! The harness of the end-to-end tests: starts tauri-driver once per test binary, opens a
//! WebDriver session on the real app binary, and offers the checks every screen needs
//! (an axe-core accessibility audit, screenshots).

mod accessibility;
mod driver;

pub use accessibility::{audit, Violation};
pub use driver::{sign_in_memory, training_control_token, workspace_root, App};
