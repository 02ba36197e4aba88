//! Turns a scenario into a directory: the people of the data file, generated people, groups by
//! membership rule, enterprise apps and their assignments.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use super::{
    assignment_id, AppSummary, Built, DemoAccount, PersonSpec, Scenario, ScenarioSummary,
    StoryPerson,
};
use crate::state::directory::{
    timestamp, AdministrativeUnit, AppRole, AppRoleAssignment, CustomRole, Directory, Group,
    PrincipalType, RoleAssignment, ServicePrincipal, User,
};
use crate::state::roles;

impl Scenario {
    /// Generates the directory as it stands at virtual time `now`.
    pub fn build(&self, now: DateTime<Utc>) -> Built {
        let mut dir = Directory::default();
        let mut rng = SplitMix64(self.seed);
        let mut taken = Nicknames::default();
        let mut people = BTreeMap::new();
        let mut demo_accounts = Vec::new();

        for p in &self.people {
            let nickname = p
                .mail_nickname
                .clone()
                .unwrap_or_else(|| nickname_for(&p.given_name, &p.surname));
            let nickname = taken.unique(&nickname);
            let id = self.object_id("user", &p.key);
            let mut user = self.person(&id, p, &nickname, now, &mut rng);
            user.directory_roles = p
                .roles
                .iter()
                .filter_map(|r| roles::template_id(r).map(str::to_string))
                .collect();
            if let Some(description) = &p.demo {
                demo_accounts.push(DemoAccount {
                    user_principal_name: user.upn().to_string(),
                    display_name: user.display_name().to_string(),
                    id: id.clone(),
                    roles: self.role_names(p),
                    role_template_ids: user.directory_roles.clone(),
                    description: description.clone(),
                });
            }
            let previous = p.previous_account.as_ref().map(|prev| {
                (
                    self.object_id("user-previous", &p.key),
                    timestamp(now - Duration::days(prev.hard_deleted_days_ago)),
                )
            });
            people.insert(
                p.key.clone(),
                StoryPerson {
                    id: id.clone(),
                    user_principal_name: user.upn().to_string(),
                    display_name: user.display_name().to_string(),
                    story: p.story.clone(),
                    previous_object_id: previous.as_ref().map(|(id, _)| id.clone()),
                    previous_hard_deleted_date_time: previous.map(|(_, at)| at),
                },
            );
            if let Some(on_prem) = &p.on_premises {
                crate::state::directory_sync::add_synced_person(&mut dir, &mut user, on_prem, now);
            }
            if let Some(days) = p.deleted_days_ago {
                dir.insert_user(user);
                let _ = dir.soft_delete_user(&id, now - Duration::days(days));
            } else {
                dir.insert_user(user);
            }
        }
        for i in 0..self.population.count {
            let (_, user) = self.generated_person(i, now, &mut rng, &mut taken);
            dir.insert_user(user);
        }
        // Scenario setup is not history: the engine should not replay it.
        dir.events.clear();

        // One pass over the people for all membership rules (keeps large populations fast).
        let mut memberships: Vec<Vec<String>> = vec![Vec::new(); self.groups.len()];
        for u in dir.users.values().chain(dir.deleted_users.values()) {
            for (g, members) in self.groups.iter().zip(memberships.iter_mut()) {
                let matches = g
                    .members
                    .iter()
                    .all(|(prop, value)| u.str_prop(prop) == Some(value.as_str()));
                if matches {
                    members.push(u.id.clone());
                }
            }
        }
        for (g, members) in self.groups.iter().zip(memberships) {
            let id = self.object_id("group", &g.key);
            dir.groups.insert(
                id.clone(),
                Group {
                    id,
                    display_name: g.display_name.clone(),
                    description: None,
                    mail_nickname: g.key.clone(),
                    security_enabled: true,
                    created_date_time: now - Duration::days(900),
                    members,
                },
            );
        }

        self.add_delegated_roles(&mut dir);

        let mut apps = Vec::new();
        for a in &self.apps {
            let sp_id = self.object_id("servicePrincipal", &a.key);
            let user_role = AppRole {
                id: self.object_id("appRole", &format!("{}:User", a.key)),
                display_name: "User".into(),
                value: "User".into(),
                description: format!("A person who uses {}.", a.display_name),
                allowed_member_types: vec!["User".into()],
                is_enabled: true,
            };
            let msiam = AppRole {
                id: self.object_id("appRole", &format!("{}:msiam_access", a.key)),
                display_name: "msiam_access".into(),
                value: String::new(),
                description: "msiam_access".into(),
                allowed_member_types: vec!["User".into()],
                is_enabled: true,
            };
            let role_id = user_role.id.clone();
            dir.service_principals.insert(
                sp_id.clone(),
                ServicePrincipal {
                    id: sp_id.clone(),
                    app_id: a.app_id.clone(),
                    display_name: a.display_name.clone(),
                    description: a.description.clone(),
                    app_roles: vec![user_role, msiam],
                    tags: vec![
                        "WindowsAzureActiveDirectoryIntegratedApp".into(),
                        "WindowsAzureActiveDirectoryCustomSingleSignOnApplication".into(),
                    ],
                    app_role_assignment_required: true,
                    created_date_time: now - Duration::days(700),
                },
            );
            let principals = a
                .assign_groups
                .iter()
                .map(|g| (self.object_id("group", g), PrincipalType::Group))
                .chain(
                    a.assign_users
                        .iter()
                        .map(|u| (self.object_id("user", u), PrincipalType::User)),
                );
            for (principal_id, principal_type) in principals {
                let exists = dir.groups.contains_key(&principal_id)
                    || dir.users.contains_key(&principal_id)
                    || dir.deleted_users.contains_key(&principal_id);
                if !exists {
                    continue;
                }
                let assignment_id = assignment_id(&principal_id, &sp_id);
                dir.app_role_assignments.push(AppRoleAssignment {
                    id: assignment_id,
                    app_role_id: role_id.clone(),
                    created_date_time: now - Duration::days(300),
                    principal_id,
                    principal_type,
                    resource_id: sp_id.clone(),
                });
            }
            apps.push(AppSummary {
                key: a.key.clone(),
                display_name: a.display_name.clone(),
                app_id: a.app_id.clone(),
                service_principal_id: sp_id,
            });
        }

        // Apps without provisioning: single sign-on only, nobody assigned, no sync job.
        for i in 0..self.extra_apps {
            let key = format!("generated-app-{i}");
            let sp_id = self.object_id("servicePrincipal", &key);
            dir.service_principals.insert(
                sp_id.clone(),
                ServicePrincipal {
                    id: sp_id,
                    app_id: self.object_id("application", &key),
                    display_name: format!("Line-of-business app {:04}", i + 1),
                    description: None,
                    app_roles: Vec::new(),
                    tags: vec!["WindowsAzureActiveDirectoryIntegratedApp".into()],
                    app_role_assignment_required: false,
                    created_date_time: now - Duration::days(400),
                },
            );
        }

        let summary = ScenarioSummary {
            scenario: self.name.clone(),
            tenant_id: self.tenant_id.clone(),
            tenant_domain: self.domain.clone(),
            organization: self.organization.clone(),
            authority: String::new(),
            graph_base_url: String::new(),
            public_client_id: self.public_client.app_id.clone(),
            public_client_scopes: self.public_client.scopes.clone(),
            automation_client_id: self.automation_client.app_id.clone(),
            automation_client_secret: self.automation_client.secret.clone(),
            demo_accounts,
            people,
            apps,
        };
        Built {
            directory: dir,
            summary,
        }
    }

    fn person(
        &self,
        id: &str,
        p: &PersonSpec,
        nickname: &str,
        now: DateTime<Utc>,
        rng: &mut SplitMix64,
    ) -> User {
        let display = p
            .display_name
            .clone()
            .unwrap_or_else(|| format!("{} {}", p.given_name, p.surname));
        let upn = match &p.guest_invited_as {
            Some(invitee) => format!("{}#EXT#@{}", invitee.replace('@', "_"), self.domain),
            None => format!("{nickname}@{}", self.domain),
        };
        // A person whose hire day and employee id are both given draws nothing from the
        // generator, so adding one to the file does not reshuffle the generated population.
        let fixed = p.hired_days_ago.is_some() && p.employee_id.is_some();
        let hired_days = match p.hired_days_ago {
            Some(days) if fixed => days,
            given => {
                let drawn = 400 + rng.below(2000) as i64;
                given.unwrap_or(drawn)
            }
        };
        let hired = now - Duration::days(hired_days);
        let mut props = base_props(id, &display, &p.given_name, &p.surname, &upn, nickname);
        set(&mut props, "jobTitle", p.job_title.clone());
        set(&mut props, "department", p.department.clone());
        set(&mut props, "employeeType", p.employee_type.clone());
        props.insert(
            "employeeId".into(),
            json!(p
                .employee_id
                .clone()
                .unwrap_or_else(|| format!("E{:06}", 900_000 + rng.below(99_999)))),
        );
        let mail = p.mail.clone().or_else(|| p.guest_invited_as.clone());
        if let Some(mail) = &mail {
            props.insert("mail".into(), json!(mail));
        }
        let primary = mail.unwrap_or_else(|| upn.clone());
        let mut proxies = vec![format!("SMTP:{primary}")];
        proxies.extend(p.aliases.iter().cloned());
        props.insert("proxyAddresses".into(), json!(proxies));
        if !p.other_mails.is_empty() {
            props.insert("otherMails".into(), json!(p.other_mails));
        }
        if p.guest_invited_as.is_some() {
            props.insert("userType".into(), json!("Guest"));
        }
        props.insert("employeeHireDate".into(), json!(timestamp(hired)));
        props.insert("createdDateTime".into(), json!(timestamp(hired)));
        props.insert(
            "accountEnabled".into(),
            json!(p.account_enabled.unwrap_or(true)),
        );
        if let Some(days) = p.left_days_ago {
            props.insert(
                "employeeLeaveDateTime".into(),
                json!(timestamp(now - Duration::days(days))),
            );
        }
        if let Some(days) = p.leaves_in_days {
            let day_end = (now + Duration::days(days))
                .date_naive()
                .and_hms_opt(17, 0, 0)
                .map(|d| d.and_utc())
                .unwrap_or(now);
            props.insert("employeeLeaveDateTime".into(), json!(timestamp(day_end)));
        }
        User {
            id: id.to_string(),
            props,
            directory_roles: Vec::new(),
            deleted_date_time: None,
        }
    }

    /// The roles a person holds, by name, as a sign-in page lists them: tenant-wide built-in
    /// roles, then "User Administrator (administrative unit Interns)", then custom roles.
    fn role_names(&self, p: &PersonSpec) -> Vec<String> {
        let unit_name = |key: &str| {
            self.administrative_units
                .iter()
                .find(|u| u.key == key)
                .map_or_else(|| key.to_string(), |u| u.display_name.clone())
        };
        let custom_name = |key: &str| {
            self.custom_roles
                .iter()
                .find(|r| r.key == key)
                .map_or_else(|| key.to_string(), |r| r.display_name.clone())
        };
        p.roles
            .iter()
            .cloned()
            .chain(p.scoped_roles.iter().map(|s| {
                format!(
                    "{} (administrative unit {})",
                    s.role,
                    unit_name(&s.administrative_unit)
                )
            }))
            .chain(
                p.custom_roles
                    .iter()
                    .map(|k| format!("{} (custom role)", custom_name(k))),
            )
            .collect()
    }

    /// Administrative units (membership by rule, once, like groups), custom roles, and the
    /// people's AU-scoped and custom role assignments. None of these reach the token's `wids`
    /// (entra-docs `access-token-claims-reference.md`: `wids` holds tenant-wide built-in roles).
    fn add_delegated_roles(&self, dir: &mut Directory) {
        for unit in &self.administrative_units {
            let id = self.object_id("administrativeUnit", &unit.key);
            let members = dir
                .users
                .values()
                .chain(dir.deleted_users.values())
                .filter(|u| {
                    unit.members
                        .iter()
                        .all(|(prop, value)| u.str_prop(prop) == Some(value.as_str()))
                })
                .map(|u| u.id.clone())
                .collect();
            dir.administrative_units.insert(
                id.clone(),
                AdministrativeUnit {
                    id,
                    display_name: unit.display_name.clone(),
                    members,
                },
            );
        }
        for role in &self.custom_roles {
            let id = self.object_id("roleDefinition", &role.key);
            dir.custom_roles.insert(
                id.clone(),
                CustomRole {
                    id,
                    display_name: role.display_name.clone(),
                    permissions: role.permissions.clone(),
                },
            );
        }
        for p in &self.people {
            let principal_id = self.object_id("user", &p.key);
            for scoped in &p.scoped_roles {
                if let Some(template) = roles::template_id(&scoped.role) {
                    dir.role_assignments.push(RoleAssignment {
                        principal_id: principal_id.clone(),
                        role_definition_id: template.to_string(),
                        administrative_unit_id: Some(
                            self.object_id("administrativeUnit", &scoped.administrative_unit),
                        ),
                    });
                }
            }
            for key in &p.custom_roles {
                dir.role_assignments.push(RoleAssignment {
                    principal_id: principal_id.clone(),
                    role_definition_id: self.object_id("roleDefinition", key),
                    administrative_unit_id: None,
                });
            }
        }
    }

    fn generated_person(
        &self,
        i: usize,
        now: DateTime<Utc>,
        rng: &mut SplitMix64,
        taken: &mut Nicknames,
    ) -> (String, User) {
        let pop = &self.population;
        let given = &pop.given_names[rng.below(pop.given_names.len() as u64) as usize];
        let surname = &pop.surnames[rng.below(pop.surnames.len() as u64) as usize];
        let dept = &pop.departments[rng.below(pop.departments.len() as u64) as usize];
        let city = &pop.cities[rng.below(pop.cities.len() as u64) as usize];
        let intern = pop.intern_every > 0 && i % pop.intern_every == 3;
        let leaver = pop.leaver_every > 0 && i % pop.leaver_every == 5;
        let title = if intern {
            "Intern".to_string()
        } else {
            dept.job_titles[rng.below(dept.job_titles.len() as u64) as usize].clone()
        };
        let nickname = taken.unique(&nickname_for(given, surname));
        let id = self.object_id("user", &format!("generated-{i}"));
        let upn = format!("{nickname}@{}", self.domain);
        let display = format!("{given} {surname}");
        let hired_days = if intern {
            30 + rng.below(300)
        } else {
            60 + rng.below(3000)
        } as i64;
        let hired = now - Duration::days(hired_days);
        let mut props = base_props(&id, &display, given, surname, &upn, &nickname);
        props.insert("jobTitle".into(), json!(title));
        props.insert("department".into(), json!(dept.name));
        props.insert("city".into(), json!(city));
        props.insert(
            "officeLocation".into(),
            json!(format!("{city} {}", 1 + rng.below(40))),
        );
        props.insert("employeeId".into(), json!(format!("E{:06}", 1000 + i)));
        props.insert(
            "employeeType".into(),
            json!(if intern { "Intern" } else { "Employee" }),
        );
        props.insert("employeeHireDate".into(), json!(timestamp(hired)));
        props.insert("createdDateTime".into(), json!(timestamp(hired)));
        props.insert(
            "mobilePhone".into(),
            json!(format!("+1 425 555 {:04}", rng.below(10_000))),
        );
        props.insert(
            "businessPhones".into(),
            json!([format!("+1 425 555 {:04}", rng.below(10_000))]),
        );
        props.insert("accountEnabled".into(), json!(!leaver));
        if leaver {
            let left = now - Duration::days(1 + rng.below(hired_days.max(2) as u64 - 1) as i64);
            props.insert("employeeLeaveDateTime".into(), json!(timestamp(left)));
        }
        let user = User {
            id: id.clone(),
            props,
            directory_roles: Vec::new(),
            deleted_date_time: None,
        };
        (id, user)
    }
}

fn base_props(
    id: &str,
    display: &str,
    given: &str,
    surname: &str,
    upn: &str,
    nickname: &str,
) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("id".into(), json!(id));
    props.insert("displayName".into(), json!(display));
    props.insert("givenName".into(), json!(given));
    props.insert("surname".into(), json!(surname));
    props.insert("userPrincipalName".into(), json!(upn));
    props.insert("mail".into(), json!(upn));
    // Entra keeps the primary address as `SMTP:` in proxyAddresses (user resource, `mail`).
    props.insert("proxyAddresses".into(), json!([format!("SMTP:{upn}")]));
    props.insert("mailNickname".into(), json!(nickname));
    props.insert("businessPhones".into(), json!([]));
    props.insert("preferredLanguage".into(), json!("en-US"));
    props.insert("usageLocation".into(), json!("US"));
    props.insert("userType".into(), json!("Member"));
    props.insert("companyName".into(), json!("Contoso"));
    props
}

fn set(props: &mut Map<String, Value>, name: &str, value: Option<String>) {
    if let Some(v) = value {
        props.insert(name.into(), Value::String(v));
    }
}

/// `given.surname`, lower-case ASCII letters only (O'Brien -> obrien, Hélène -> hlne).
fn nickname_for(given: &str, surname: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (g, s) = (clean(given), clean(surname));
    match (g.is_empty(), s.is_empty()) {
        (false, false) => format!("{g}.{s}"),
        (false, true) => g,
        (true, false) => s,
        (true, true) => "user".into(),
    }
}

/// Mail nicknames already given out, and the next number to try per base name (so that a
/// large population with few distinct names stays linear).
#[derive(Default)]
struct Nicknames {
    taken: HashSet<String>,
    next: HashMap<String, u32>,
}

impl Nicknames {
    fn unique(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let n = self.next.entry(base.to_string()).or_insert(2);
        loop {
            let candidate = format!("{base}{n}");
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Small deterministic PRNG (SplitMix64) so generated people do not change with crate versions.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}
