//! The only code that talks to Microsoft: sign-in and a typed Microsoft Graph client.
//!
//! ```text
//! DeploymentConfig ──► SignInConfig ──► Authenticator ──(browser | device code)──► TokenSet
//!                                                                                   │
//!                                  TokenCache (OS keychain | session only) ◄── Session ──► Graph
//! ```
//! * [`cloud`]: Global, US Government (L4 and DoD), China, Custom (the training tenant) → [`cloud::Endpoints`].
//! * [`auth`]: sign-in, refresh, the keychain-backed [`auth::TokenCache`], [`auth::Session`].
//! * [`graph`]: transport (retry, paging, `$batch`), and the typed operations.
//! * [`permissions`]: operation → permission + roles, and the preflight.
//! * [`error`]: the one error type with `code()`, message and `hint()`.

pub mod auth;
pub mod cloud;
pub mod config;
pub mod error;
pub mod features;
pub mod graph;
pub mod permissions;

#[cfg(test)]
pub(crate) mod test_support;

pub use auth::{Authenticator, Session, SignInConfig, TokenCache, TokenSet};
pub use cloud::{ClientId, Cloud, Endpoints, NationalCloud, TenantId};
pub use config::DeploymentConfig;
pub use error::{Error, ErrorPayload, RequestIds, Result};
pub use features::CloudFeature;
pub use graph::Graph;
pub use permissions::{Capability, Operation, Role};
