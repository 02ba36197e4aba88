//! Scenarios: readable data files under `scenarios/` that describe a fictional company, and the
//! deterministic generator that turns one into a directory.
//!
//! Object ids are derived from the tenant id and a stable key, so the same scenario always yields
//! the same ids (tests and training material can rely on them across restarts and resets).

mod generate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::state::directory::Directory;
use crate::Error;

/// Names accepted by `Options::scenario` and `--scenario`.
pub const NAMES: &[&str] = &["contoso", "contoso-large"];

/// Generated people per scenario, at most.
const MAX_POPULATION: usize = 1_000_000;

/// Day counts in scenario files stay within a century.
const MAX_DAYS: i64 = 36_500;

/// Users in the `contoso-large` scenario (scale tests).
pub const LARGE_POPULATION: usize = 100_000;

const CONTOSO: &str = include_str!("../../scenarios/contoso.json");

/// The default access app role id ("default access", Graph docs).
pub const DEFAULT_ACCESS_ROLE: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub organization: String,
    pub tenant_id: String,
    pub domain: String,
    pub seed: u64,
    pub public_client: PublicClientSpec,
    pub automation_client: AutomationClientSpec,
    pub population: Population,
    pub people: Vec<PersonSpec>,
    pub groups: Vec<GroupSpec>,
    pub apps: Vec<AppSpec>,
    /// Administrative units: containers a role can be scoped to (entra-docs
    /// `role-based-access-control/administrative-units.md`).
    #[serde(default)]
    pub administrative_units: Vec<AdministrativeUnitSpec>,
    /// Custom directory roles: a name and the permissions (`microsoft.directory/...` actions)
    /// it grants (entra-docs `role-based-access-control/custom-user-permissions.md`).
    #[serde(default)]
    pub custom_roles: Vec<CustomRoleSpec>,
    /// Generated enterprise apps without provisioning (not in scenario files; see
    /// [`Scenario::with_extra_apps`]).
    #[serde(skip)]
    pub extra_apps: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdministrativeUnitSpec {
    pub key: String,
    pub display_name: String,
    /// Membership rule, as for groups: the people whose properties have these values.
    pub members: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomRoleSpec {
    pub key: String,
    pub display_name: String,
    /// Resource actions, e.g. `microsoft.directory/users/disable`.
    pub permissions: Vec<String>,
}

/// A built-in role assigned at the scope of one administrative unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopedRoleSpec {
    /// Built-in role name, e.g. "User Administrator".
    pub role: String,
    /// Key of an entry of `administrativeUnits`.
    pub administrative_unit: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublicClientSpec {
    pub app_id: String,
    pub display_name: String,
    /// Delegated Graph permissions an admin has consented to for the app.
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutomationClientSpec {
    pub app_id: String,
    pub display_name: String,
    pub secret: String,
    /// Application permissions granted (the `roles` claim of app-only tokens).
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Population {
    pub count: usize,
    /// Every n-th generated person is an intern.
    pub intern_every: usize,
    /// Every n-th generated person has left (disabled, leave date in the past).
    pub leaver_every: usize,
    pub given_names: Vec<String>,
    pub surnames: Vec<String>,
    pub departments: Vec<DepartmentSpec>,
    pub cities: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DepartmentSpec {
    pub name: String,
    pub job_titles: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonSpec {
    pub key: String,
    pub given_name: String,
    pub surname: String,
    pub display_name: Option<String>,
    pub mail_nickname: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub employee_id: Option<String>,
    pub employee_type: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Built-in roles scoped to an administrative unit (never in the token's `wids`).
    #[serde(default)]
    pub scoped_roles: Vec<ScopedRoleSpec>,
    /// Keys of `customRoles` assigned tenant-wide (never in the token's `wids`).
    #[serde(default)]
    pub custom_roles: Vec<String>,
    /// Present for demo accounts: what the account is for, shown on the sign-in page.
    pub demo: Option<String>,
    pub account_enabled: Option<bool>,
    pub deleted_days_ago: Option<i64>,
    pub hired_days_ago: Option<i64>,
    pub left_days_ago: Option<i64>,
    pub leaves_in_days: Option<i64>,
    pub previous_account: Option<PreviousAccountSpec>,
    pub story: Option<String>,
    /// An e-mail address other than the UPN (a renamed person keeps the old sign-in name).
    pub mail: Option<String>,
    /// `otherMails`: additional addresses, e.g. a personal one.
    #[serde(default)]
    pub other_mails: Vec<String>,
    /// Aliases besides the primary `SMTP:{mail}`, written as Entra stores them
    /// (`smtp:alias@second.domain`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A B2B guest: the invitee's own address. The UPN becomes
    /// `{address with @ as _}#EXT#@{tenant domain}` and `mail` the invitee's address (graph-api.md
    /// §11.6).
    pub guest_invited_as: Option<String>,
    /// Synced from on-premises Active Directory (`onPremisesSyncEnabled: true`): the tenant holds
    /// the on-premises account separately and the directory sync re-applies it.
    pub on_premises: Option<OnPremisesSpec>,
}

/// The on-premises side of a synced person, with the properties the user resource documents
/// (graph-docs `api-reference/v1.0/resources/user.md`: `onPremisesImmutableId`,
/// `onPremisesSamAccountName`, `onPremisesDomainName`, `onPremisesLastSyncDateTime`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OnPremisesSpec {
    /// base64 of the on-premises objectGUID (the default source anchor).
    pub immutable_id: String,
    pub sam_account_name: String,
    /// The on-premises DNS domain, e.g. `corp.contoso.example`.
    pub domain_name: String,
    /// When the last directory sync ran, in minutes before start (below the 30-minute cycle).
    pub last_sync_minutes_ago: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviousAccountSpec {
    pub hard_deleted_days_ago: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupSpec {
    pub key: String,
    pub display_name: String,
    /// Membership rule applied once at generation time (not a dynamic group).
    pub members: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSpec {
    pub key: String,
    pub display_name: String,
    pub app_id: String,
    pub description: Option<String>,
    #[serde(default)]
    pub assign_groups: Vec<String>,
    #[serde(default)]
    pub assign_users: Vec<String>,
    /// Provisioning into the app's SCIM endpoint (part 2): personality, mappings, scope.
    #[serde(default)]
    pub scim: Option<crate::provisioning::ScimAppSpec>,
}

/// What a tool needs to know to talk to a running training tenant (`GET /_training/scenario`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSummary {
    pub scenario: String,
    pub tenant_id: String,
    pub tenant_domain: String,
    pub organization: String,
    /// Authority to configure in a client: `{base}/{tenant_id}`; filled in once the port is known.
    pub authority: String,
    pub graph_base_url: String,
    pub public_client_id: String,
    pub public_client_scopes: Vec<String>,
    pub automation_client_id: String,
    /// A training value, published on purpose: it only opens this loopback emulator.
    pub automation_client_secret: String,
    pub demo_accounts: Vec<DemoAccount>,
    /// The people the training stories are about, by scenario key.
    pub people: BTreeMap<String, StoryPerson>,
    pub apps: Vec<AppSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    pub user_principal_name: String,
    pub display_name: String,
    pub id: String,
    pub roles: Vec<String>,
    pub role_template_ids: Vec<String>,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoryPerson {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub story: Option<String>,
    /// For the re-hired person: the object id of the hard-deleted earlier account.
    pub previous_object_id: Option<String>,
    pub previous_hard_deleted_date_time: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSummary {
    pub key: String,
    pub display_name: String,
    pub app_id: String,
    pub service_principal_id: String,
}

/// A scenario turned into data, at a point in virtual time.
#[derive(Debug, Clone)]
pub struct Built {
    pub directory: Directory,
    pub summary: ScenarioSummary,
}

impl Scenario {
    /// Loads a bundled scenario by name.
    pub fn named(name: &str) -> Result<Self, Error> {
        match name {
            "contoso" => Self::from_json(CONTOSO),
            "contoso-large" => Ok(Self::from_json(CONTOSO)?.with_population(LARGE_POPULATION)),
            other => Err(Error::UnknownScenario(other.to_string())),
        }
    }

    pub fn from_json(text: &str) -> Result<Self, Error> {
        let s: Scenario =
            serde_json::from_str(text).map_err(|e| Error::InvalidScenario(e.to_string()))?;
        if s.population.given_names.is_empty()
            || s.population.surnames.is_empty()
            || s.population
                .departments
                .iter()
                .any(|d| d.job_titles.is_empty())
            || s.population.departments.is_empty()
            || s.population.cities.is_empty()
        {
            return Err(Error::InvalidScenario(
                "population needs given names, surnames, departments with job titles and cities"
                    .into(),
            ));
        }
        if s.population.count > MAX_POPULATION {
            return Err(Error::InvalidScenario(format!(
                "population.count is at most {MAX_POPULATION}"
            )));
        }
        let days_ok = |d: Option<i64>| d.is_none_or(|d| (0..=MAX_DAYS).contains(&d));
        for p in &s.people {
            let prev = p.previous_account.as_ref().map(|a| a.hard_deleted_days_ago);
            let all = [
                p.deleted_days_ago,
                p.hired_days_ago,
                p.left_days_ago,
                p.leaves_in_days,
                prev,
            ];
            for scoped in &p.scoped_roles {
                if crate::state::roles::template_id(&scoped.role).is_none()
                    || !s
                        .administrative_units
                        .iter()
                        .any(|u| u.key == scoped.administrative_unit)
                {
                    return Err(Error::InvalidScenario(format!(
                        "person '{}': scoped role '{}' needs a built-in role and an administrative unit of the scenario",
                        p.key, scoped.role
                    )));
                }
            }
            if let Some(unknown) = p
                .custom_roles
                .iter()
                .find(|k| !s.custom_roles.iter().any(|r| &r.key == *k))
            {
                return Err(Error::InvalidScenario(format!(
                    "person '{}': custom role '{unknown}' is not in customRoles",
                    p.key
                )));
            }
            if !all.into_iter().all(days_ok) {
                return Err(Error::InvalidScenario(format!(
                    "person '{}': day counts must be between 0 and {MAX_DAYS}",
                    p.key
                )));
            }
        }
        Ok(s)
    }

    /// The same company with `count` more enterprise apps that have no provisioning job (single
    /// sign-on only), like the thousands of apps of a large real tenant.
    pub fn with_extra_apps(mut self, count: usize) -> Self {
        self.extra_apps = count;
        self
    }

    /// The same company with `count` generated people (for scale tests and benches).
    pub fn with_population(mut self, count: usize) -> Self {
        self.population.count = count;
        if count > 1000 {
            self.name = format!("{}-large", self.name.trim_end_matches("-large"));
        }
        self
    }

    /// A stable object id for a keyed object of this scenario.
    pub fn object_id(&self, kind: &str, key: &str) -> String {
        stable_uuid(&format!("{}:{kind}:{key}", self.tenant_id))
    }
}

/// A version-4-shaped UUID derived from `seed` (deterministic, not random).
pub fn stable_uuid(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// App role assignment ids in Graph are opaque base64url strings (43 chars); ours are derived
/// from the principal and resource so they stay stable.
pub fn assignment_id(principal_id: &str, resource_id: &str) -> String {
    use base64::Engine;
    let digest = Sha256::digest(format!("{principal_id}:{resource_id}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..32])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::roles;
    use chrono::Utc;

    #[test]
    fn contoso_is_deterministic_and_has_the_story_people() {
        let s = Scenario::named("contoso").expect("bundled scenario parses");
        let now = Utc::now();
        let a = s.build(now);
        let b = s.build(now);
        assert_eq!(
            a.directory.users.keys().collect::<Vec<_>>(),
            b.directory.users.keys().collect::<Vec<_>>()
        );
        assert!(a.directory.users.len() >= 200);
        assert_eq!(a.directory.deleted_users.len(), 3);
        let obrien = &a.summary.people["obrien"];
        assert!(obrien.display_name.contains("O'Brien"));
        assert_eq!(
            a.summary.people["hostile"].display_name,
            "<img src=x onerror=alert(1)>"
        );
        let recycled = &a.directory.deleted_users[&a.summary.people["recycled"].id];
        assert!(recycled.upn().starts_with(&recycled.id.replace('-', "")));
        assert!(a.summary.people["rehired"].previous_object_id.is_some());
        assert!(a
            .summary
            .demo_accounts
            .iter()
            .any(|d| d.role_template_ids == [roles::USER_ADMINISTRATOR]));
        assert_eq!(a.directory.service_principals.len(), 7);
        let upns: std::collections::BTreeSet<_> = a
            .directory
            .users
            .values()
            .map(|u| u.upn().to_string())
            .collect();
        assert_eq!(upns.len(), a.directory.users.len(), "UPNs are unique");
    }

    #[test]
    fn scenario_files_are_validated() {
        let good = CONTOSO;
        assert!(Scenario::from_json(good).is_ok());
        let huge_days = good.replace("\"deletedDaysAgo\": 12", "\"deletedDaysAgo\": 99999999999");
        assert!(matches!(
            Scenario::from_json(&huge_days),
            Err(Error::InvalidScenario(_))
        ));
        let unknown_field = good.replacen("\"seed\"", "\"sneed\"", 1);
        assert!(Scenario::from_json(&unknown_field).is_err());
        let huge = good.replace("\"count\": 200", "\"count\": 99999999");
        assert!(Scenario::from_json(&huge).is_err());
        assert!(Scenario::from_json("{").is_err());
    }

    #[test]
    fn unknown_scenario_is_an_error() {
        assert!(matches!(
            Scenario::named("fabrikam"),
            Err(Error::UnknownScenario(_))
        ));
    }
}
