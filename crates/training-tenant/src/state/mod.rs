//! The tenant model behind the HTTP layers: one `TenantState` per running tenant, shared by the
//! identity endpoints, the Graph subset and the `/_training/` control endpoints.
//!
//! Locking: `directory` is a `std::sync::RwLock` held only for the duration of a synchronous
//! read or change, never across an `.await`. Every Graph mutation validates first and changes the
//! directory only once it is known to succeed, so bad input never leaves partial state.

pub mod clock;
pub mod directory;
pub mod directory_sync;
pub mod roles;

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration as StdDuration;

use crate::control_guard::ControlToken;
use crate::faults::Faults;
use crate::identity::keys::SigningKeys;
use crate::identity::sessions::Sessions;
use crate::provisioning::Provisioning;
use crate::scenario::{Scenario, ScenarioSummary};
use crate::throttle::Throttle;
use crate::Error;

pub use clock::VirtualClock;
pub use directory::Directory;

/// Behaviour switches fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lifetime of access tokens (short in tests so that refresh gets exercised).
    pub access_token_lifetime: StdDuration,
    /// Minimum seconds between device-code polls; polling faster answers `slow_down`.
    pub device_code_interval: u64,
    /// Graph's identity-and-access throttling (§2.6) at start; `/_training/throttling` changes it.
    pub throttling: bool,
    /// Adds a latency distribution like Graph's to every Graph call.
    pub realistic_latency: bool,
    /// Throttling windows and the realistic latency are divided by this (1 = Graph's own).
    pub throttle_time_scale: f64,
    /// The secret a caller shows to drive `/_training/` (see `control_guard`).
    pub control_token: ControlToken,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_token_lifetime: StdDuration::from_secs(3600),
            device_code_interval: 5,
            throttling: false,
            realistic_latency: false,
            throttle_time_scale: 1.0,
            control_token: ControlToken::random(),
        }
    }
}

#[derive(Debug)]
pub struct TenantState {
    pub scenario: Scenario,
    /// With `authority` and `graph_base_url` filled in.
    pub summary: ScenarioSummary,
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    pub settings: Settings,
    pub clock: VirtualClock,
    pub keys: SigningKeys,
    directory: RwLock<Directory>,
    sessions: Mutex<Sessions>,
    faults: Mutex<Faults>,
    throttle: Mutex<Throttle>,
    /// Part 2: synchronization jobs, SCIM target apps, provisioning logs. Lock order: the
    /// directory first, then this.
    provisioning: Mutex<Provisioning>,
}

fn relock<T>(r: Result<T, std::sync::PoisonError<T>>) -> T {
    r.unwrap_or_else(|p| p.into_inner())
}

impl TenantState {
    pub fn new(scenario: Scenario, base_url: String, settings: Settings) -> Result<Self, Error> {
        let clock = VirtualClock::new();
        let built = scenario.build(clock.now());
        let mut summary = built.summary;
        summary.authority = format!("{base_url}/{}", summary.tenant_id);
        summary.graph_base_url = format!("{base_url}/v1.0");
        let throttle = Throttle::new(built.directory.users.len(), settings.throttling)
            .with_time_scale(settings.throttle_time_scale);
        let provisioning = Provisioning::build(&scenario, &built.directory, &base_url, clock.now());
        let state = Self {
            scenario,
            summary,
            base_url,
            settings,
            clock,
            keys: SigningKeys::training()?,
            directory: RwLock::new(built.directory),
            sessions: Mutex::new(Sessions::default()),
            faults: Mutex::new(Faults::default()),
            throttle: Mutex::new(throttle),
            provisioning: Mutex::new(provisioning),
        };
        // The jobs have been running: their initial cycle happens as the tenant starts. Scale
        // scenarios start with jobs that have not run yet (due at once: the first clock advance
        // or "run now" runs them), so that loading stays fast.
        if state.directory().users.len() <= crate::provisioning::INITIAL_CYCLE_AT_START_MAX_USERS {
            crate::provisioning::engine::run_due(&state);
        }
        Ok(state)
    }

    pub fn tenant_id(&self) -> &str {
        &self.summary.tenant_id
    }

    /// The issuer of our tokens (`iss`), as the discovery document announces it.
    pub fn issuer(&self) -> String {
        format!("{}/{}/v2.0", self.base_url, self.summary.tenant_id)
    }

    /// Reads the directory after applying any 30-day hard deletes that are due.
    pub fn directory(&self) -> RwLockReadGuard<'_, Directory> {
        self.purge_expired();
        relock(self.directory.read())
    }

    pub fn directory_mut(&self) -> RwLockWriteGuard<'_, Directory> {
        let mut dir = relock(self.directory.write());
        dir.purge_expired(self.clock.now());
        dir
    }

    /// Runs the directory sync cycles from on-premises AD that fell due; returns how many ran.
    pub fn run_directory_syncs(&self) -> usize {
        let now = self.clock.now();
        let due = relock(self.directory.read())
            .on_premises
            .next_sync
            .is_some_and(|at| at <= now);
        if due {
            relock(self.directory.write()).run_directory_syncs(now)
        } else {
            0
        }
    }

    /// Hard-deletes users whose 30 days in Deleted items are over; returns their ids.
    pub fn purge_expired(&self) -> Vec<String> {
        let now = self.clock.now();
        let due = {
            let dir = relock(self.directory.read());
            let limit = chrono::Duration::days(directory::SOFT_DELETE_RETENTION_DAYS);
            dir.deleted_users
                .values()
                .any(|u| u.deleted_date_time.is_some_and(|d| now - d >= limit))
        };
        if due {
            relock(self.directory.write()).purge_expired(now)
        } else {
            Vec::new()
        }
    }

    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        relock(self.sessions.lock())
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        relock(self.faults.lock())
    }

    pub fn throttle(&self) -> MutexGuard<'_, Throttle> {
        relock(self.throttle.lock())
    }

    /// Never take the directory lock while holding this one.
    pub fn provisioning(&self) -> MutexGuard<'_, Provisioning> {
        relock(self.provisioning.lock())
    }

    /// Back to the scenario as it was at start: directory, clock, pending sign-ins, faults and
    /// throttling buckets. Issued access tokens stay valid (object ids are stable).
    pub fn reset(&self) {
        self.clock.reset();
        let built = self.scenario.build(self.clock.now());
        let users = built.directory.users.len();
        *relock(self.directory.write()) = built.directory;
        *self.sessions() = Sessions::default();
        *self.faults() = Faults::default();
        *self.throttle() = Throttle::new(users, self.settings.throttling)
            .with_time_scale(self.settings.throttle_time_scale);
        let provisioning = {
            let dir = self.directory();
            Provisioning::build(&self.scenario, &dir, &self.base_url, self.clock.now())
        };
        *self.provisioning() = provisioning;
        if users <= crate::provisioning::INITIAL_CYCLE_AT_START_MAX_USERS {
            crate::provisioning::engine::run_due(self);
        }
    }
}
