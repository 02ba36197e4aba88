//! Synced people and the directory sync from on-premises Active Directory (Microsoft Entra
//! Connect Sync), on the virtual clock.
//!
//! A synced user has `onPremisesSyncEnabled: true` ("true if this user object is currently being
//! synced from an on-premises Active Directory", graph-docs `api-reference/v1.0/resources/user.md`).
//! On-premises AD is the source of authority: the tenant holds the on-premises account apart
//! from the cloud copy, and every sync cycle writes the on-premises value over the cloud one.
//! The scheduler runs a cycle every 30 minutes by default (entra-docs
//! `identity/hybrid/connect/how-to-connect-sync-feature-scheduler.md`). That is why Microsoft's
//! offboarding for a hybrid environment starts by disabling the user in Active Directory
//! (entra-docs `identity/users/users-revoke-access.md`, "Revoke access for a user in the hybrid
//! environment").
//!
//! Whether Graph refuses a cloud `accountEnabled` change for a synced user is not documented.
//! The tenant takes the reading that breaks a naive client: the change is accepted (204), and
//! the next sync cycle puts the on-premises value back. Properties that the sync owns are refused
//! with Graph's 400 (see [`MASTERED_PROPERTIES`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::directory::{timestamp, Directory, DirectoryError, DirectoryEventKind, User};
use crate::scenario::OnPremisesSpec;

/// The default sync cycle (scheduler page: "every 30 minutes").
pub const SYNC_CYCLE_MINUTES: i64 = 30;

/// Graph's answer to a change of an on-premises-mastered property, as users quote it on
/// `api-reference/v1.0/api/user-update.md` (microsoft-graph-docs-contrib issues #5768, #1900),
/// with code `Request_BadRequest`.
pub const MASTERED_MESSAGE: &str = "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.";

/// Properties the sync writes from on-premises AD, so Graph refuses them for a synced user. The
/// user resource does not list them in one place; these are the identity and profile
/// attributes Entra Connect synchronizes by default (entra-docs
/// `identity/hybrid/connect/reference-connect-sync-attributes-synchronized.md`). `accountEnabled`
/// is deliberately absent (see the module comment).
pub const MASTERED_PROPERTIES: &[&str] = &[
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "mail",
    "mailNickname",
    "userPrincipalName",
    "employeeId",
    "companyName",
    "officeLocation",
    "city",
    "state",
    "country",
    "postalCode",
    "streetAddress",
    "mobilePhone",
    "businessPhones",
    "proxyAddresses",
    "onPremisesImmutableId",
];

/// On-premises Active Directory as far as the tenant needs it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnPremisesDirectory {
    /// By Entra object id of the synced user.
    pub accounts: BTreeMap<String, OnPremisesAccount>,
    /// Virtual time of the next sync cycle; `None` when nobody is synced.
    pub next_sync: Option<DateTime<Utc>>,
}

/// A user account in on-premises AD.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnPremisesAccount {
    pub sam_account_name: String,
    /// What the next sync writes to `accountEnabled` in Entra.
    pub account_enabled: bool,
}

/// Marks `user` as synced (the documented `onPremises*` properties) and adds its on-premises
/// account, enabled as the cloud copy is at start.
pub fn add_synced_person(
    dir: &mut Directory,
    user: &mut User,
    spec: &OnPremisesSpec,
    now: DateTime<Utc>,
) {
    let last_sync =
        now - Duration::minutes(spec.last_sync_minutes_ago.clamp(0, SYNC_CYCLE_MINUTES));
    let props = &mut user.props;
    props.insert("onPremisesSyncEnabled".into(), json!(true));
    props.insert("onPremisesImmutableId".into(), json!(spec.immutable_id));
    props.insert(
        "onPremisesSamAccountName".into(),
        json!(spec.sam_account_name),
    );
    props.insert("onPremisesDomainName".into(), json!(spec.domain_name));
    props.insert(
        "onPremisesLastSyncDateTime".into(),
        json!(timestamp(last_sync)),
    );
    dir.on_premises.accounts.insert(
        user.id.clone(),
        OnPremisesAccount {
            sam_account_name: spec.sam_account_name.clone(),
            account_enabled: user.account_enabled(),
        },
    );
    let next = last_sync + Duration::minutes(SYNC_CYCLE_MINUTES);
    dir.on_premises.next_sync = Some(dir.on_premises.next_sync.map_or(next, |n| n.min(next)));
}

pub fn is_synced(user: &User) -> bool {
    user.props
        .get("onPremisesSyncEnabled")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The first property of `changes` that on-premises AD owns, if `user` is synced.
pub fn mastered_change<'c>(user: &User, changes: &'c Map<String, Value>) -> Option<&'c str> {
    if !is_synced(user) {
        return None;
    }
    changes
        .keys()
        .map(String::as_str)
        .find(|k| MASTERED_PROPERTIES.contains(k))
}

impl Directory {
    /// Runs every sync cycle due by `now`, each at its scheduled time; returns how many ran.
    pub fn run_directory_syncs(&mut self, now: DateTime<Utc>) -> usize {
        let mut cycles = 0;
        while let Some(at) = self.on_premises.next_sync.filter(|at| *at <= now) {
            self.directory_sync_cycle(at);
            self.on_premises.next_sync = Some(at + Duration::minutes(SYNC_CYCLE_MINUTES));
            cycles += 1;
        }
        cycles
    }

    /// One cycle: on-premises `accountEnabled` over the cloud copy, and the sync time. A synced
    /// user who is in Deleted users is left alone (the sync's handling of that case is not
    /// modelled).
    fn directory_sync_cycle(&mut self, at: DateTime<Utc>) {
        let accounts: Vec<(String, bool)> = self
            .on_premises
            .accounts
            .iter()
            .map(|(id, a)| (id.clone(), a.account_enabled))
            .collect();
        for (id, enabled) in accounts {
            let Some(user) = self.users.get_mut(&id) else {
                continue;
            };
            user.props
                .insert("onPremisesLastSyncDateTime".into(), json!(timestamp(at)));
            if user.account_enabled() != enabled {
                user.props.insert("accountEnabled".into(), json!(enabled));
                self.record(at, &id, DirectoryEventKind::UserUpdated);
            }
        }
    }

    /// A trainer's change in on-premises AD (not Microsoft's API): it reaches Entra at the next
    /// sync cycle. Returns the synced user's object id.
    pub fn set_on_premises_enabled(
        &mut self,
        key: &str,
        enabled: bool,
    ) -> Result<String, DirectoryError> {
        let id = self
            .find_user_id(key)
            .filter(|id| self.on_premises.accounts.contains_key(id))
            .ok_or_else(|| DirectoryError::NotFound(key.to_string()))?;
        if let Some(account) = self.on_premises.accounts.get_mut(&id) {
            account.account_enabled = enabled;
        }
        Ok(id)
    }
}
