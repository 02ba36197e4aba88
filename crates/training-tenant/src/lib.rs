//! The training tenant: an offline imitation of Microsoft Entra ID (identity platform v2.0),
//! Microsoft Graph and the Entra provisioning engine, served over real HTTP on loopback.
//!
//! The desktop app starts it in-process by default; tests start it on `127.0.0.1:0`.
//! It never depends on our own Graph client: it imitates Microsoft and must not share our
//! client's assumptions.

mod error;
mod server;

pub use error::Error;
pub use server::{Options, ScenarioSummary, TrainingTenant};
