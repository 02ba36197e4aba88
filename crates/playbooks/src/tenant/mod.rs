//! Connecting to a tenant and signing in: the first thing both front ends do.
//!
//! ```text
//! TenantProfile ──connect──► TenantConnection ──sign in──► SignedIn ──+ Journal──► Desk
//!  training (in-process        discovery, Authenticator      Graph, who, preflight   the playbooks
//!  or by URL) | real tenant
//! ```
//! There is one code path for real and training tenants (ARCHITECTURE.md): after discovery a
//! training tenant is a `Cloud::Custom` on loopback reached over real HTTP with real OAuth tokens.
//! The only training-specific parts are *discovery* (`GET {base}/_training/scenario` names the
//! tenant, its client id and demo accounts) and the one-click demo sign-in, which drives the real
//! authorization-code + PKCE flow with the tenant's test-only consent parameter.

mod organization;
mod profile;
mod sign_in;
mod training;
mod whoami;

pub use entra_client::DeploymentConfig;
pub use organization::OrganizationSettings;
pub use profile::{TenantConnection, TenantProfile};
pub use sign_in::SignedIn;
pub use training::{TrainingApp, TrainingDemoAccount, TrainingPerson, TrainingScenario};
pub use whoami::{CapabilityView, WhoAmI};
