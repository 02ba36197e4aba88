//! The training tenant: an offline imitation of Microsoft Entra ID (identity platform v2.0),
//! Microsoft Graph and the Entra provisioning engine, served over real HTTP on loopback.
//!
//! The desktop app starts it in-process by default; tests start it on `127.0.0.1:0`.
//! It never depends on our own Graph client: it imitates Microsoft and must not share our
//! client's assumptions.
//!
//! Layout: `state` (the tenant model: directory, virtual clock, roles), `scenario` (data files
//! and the generator), `identity` (OAuth 2.0 / OpenID Connect endpoints and tokens), `graph`
//! (the Graph subset, one module per resource, `$filter`, paging, `$batch`), `control`
//! (`/_training/`, guarded by `control_guard`), `faults` and `throttle`; part 2: `provisioning` (jobs, cycles, expressions,
//! logs) and `scim` (the SCIM 2.0 target apps).

pub mod control;
pub mod control_guard;
mod error;
pub mod faults;
pub mod graph;
pub mod identity;
pub mod provisioning;
pub mod scenario;
pub mod scim;
mod server;
pub mod state;
pub mod throttle;

pub use error::Error;
pub use scenario::{DemoAccount, Scenario, ScenarioSummary};
pub use server::{app, Options, TrainingTenant};
pub use state::TenantState;
