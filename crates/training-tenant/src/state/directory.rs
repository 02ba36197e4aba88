//! The directory: users (active and soft-deleted), groups, service principals and app role
//! assignments. Pure data plus the invariants Entra keeps; no HTTP here.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// How long a deleted user stays restorable ("Deleted items", Microsoft Graph docs: "Items are
/// restorable for 30 days, then permanently deleted").
pub const SOFT_DELETE_RETENTION_DAYS: i64 = 30;

/// A user, active or soft-deleted.
///
/// Invariant: `props` holds the Graph properties under Graph's names and `props["id"] == id`.
/// Properties that Graph would return as `null` may be absent.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub props: Map<String, Value>,
    /// Role template ids of the directory roles the user holds (the `wids` of their tokens).
    pub directory_roles: Vec<String>,
    /// Set while the user is in Deleted items.
    pub deleted_date_time: Option<DateTime<Utc>>,
}

impl User {
    pub fn str_prop(&self, name: &str) -> Option<&str> {
        self.props.get(name).and_then(Value::as_str)
    }

    pub fn upn(&self) -> &str {
        self.str_prop("userPrincipalName").unwrap_or_default()
    }

    pub fn display_name(&self) -> &str {
        self.str_prop("displayName").unwrap_or_default()
    }

    pub fn account_enabled(&self) -> bool {
        self.props
            .get("accountEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    }

    pub fn sign_in_sessions_valid_from(&self) -> Option<DateTime<Utc>> {
        self.str_prop("signInSessionsValidFromDateTime")
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub mail_nickname: String,
    pub security_enabled: bool,
    pub created_date_time: DateTime<Utc>,
    /// Object ids of direct members (users; nested groups are not modelled).
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: String,
    pub display_name: String,
    pub value: String,
    pub description: String,
    pub allowed_member_types: Vec<String>,
    pub is_enabled: bool,
}

/// An enterprise application (the tenant's service principal for an app). Part 2 attaches SCIM
/// targets and synchronization jobs to these by `id`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub app_roles: Vec<AppRole>,
    pub tags: Vec<String>,
    pub app_role_assignment_required: bool,
    pub created_date_time: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    pub id: String,
    /// `00000000-0000-0000-0000-000000000000` is "default access".
    pub app_role_id: String,
    pub created_date_time: DateTime<Utc>,
    pub principal_id: String,
    pub principal_type: PrincipalType,
    pub resource_id: String,
}

/// What happened to a directory object, in order; part 2's provisioning engine reads this.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEvent {
    pub at: DateTime<Utc>,
    pub object_id: String,
    pub kind: DirectoryEventKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DirectoryEventKind {
    UserUpdated,
    SoftDeleted,
    Restored,
    HardDeleted,
    SessionsRevoked,
    MemberAdded,
    MemberRemoved,
    /// An app role assignment of the principal (`object_id`) was added or removed.
    AssignmentChanged,
}

/// Invariant: users enter and leave `users` only through `insert_user` and the change methods
/// below (or `rebuild_upn_index` afterwards), which keep the userPrincipalName index in step.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    /// Active users by object id (ordered: paging walks this order).
    pub users: BTreeMap<String, User>,
    /// Lower-case userPrincipalName → object id of active users.
    #[serde(skip)]
    upn_index: HashMap<String, String>,
    /// Soft-deleted users by object id.
    pub deleted_users: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    pub service_principals: BTreeMap<String, ServicePrincipal>,
    pub app_role_assignments: Vec<AppRoleAssignment>,
    /// Administrative units by object id.
    pub administrative_units: BTreeMap<String, AdministrativeUnit>,
    /// Custom role definitions by id.
    pub custom_roles: BTreeMap<String, CustomRole>,
    /// Role assignments that are *not* tenant-wide built-in roles (those are
    /// `User::directory_roles`): built-in roles scoped to an administrative unit, and custom roles.
    pub role_assignments: Vec<RoleAssignment>,
    pub events: Vec<DirectoryEvent>,
    /// On-premises Active Directory, for synced people: held apart from the cloud copy, which
    /// the directory sync overwrites (see `directory_sync`).
    pub on_premises: super::directory_sync::OnPremisesDirectory,
}

/// An administrative unit: a container that a role assignment can be scoped to, so that, e.g.,
/// a User Administrator manages only the unit's members (entra-docs
/// `role-based-access-control/administrative-units.md`, `admin-units-assign-roles.md`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdministrativeUnit {
    pub id: String,
    pub display_name: String,
    /// Object ids of member users.
    pub members: std::collections::BTreeSet<String>,
}

/// A custom directory role: the resource actions it grants (entra-docs
/// `role-based-access-control/custom-user-permissions.md`: `microsoft.directory/users/enable`,
/// `.../users/disable`, ...).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRole {
    pub id: String,
    pub display_name: String,
    pub permissions: Vec<String>,
}

/// What a role assignment grants, as Graph's `unifiedRoleAssignment` models it: a role
/// definition (built-in template id or custom role id) at a directory scope (`/` for the whole
/// tenant, `/administrativeUnits/{id}` for one unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub principal_id: String,
    pub role_definition_id: String,
    /// `None`: the whole tenant; `Some(id)`: the administrative unit `id`.
    pub administrative_unit_id: Option<String>,
}

/// Why a directory change was refused; the Graph layer turns these into Graph errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryError {
    NotFound(String),
    /// Restoring would collide with an active user's userPrincipalName.
    UpnInUse(String),
}

/// "Changes to [mail] will also update the user's proxyAddresses collection to include the
/// value as an SMTP address" (user resource, `mail`): the new mail becomes the primary
/// `SMTP:` address and a former primary stays as an `smtp:` alias.
fn keep_primary_smtp(user: &mut User) {
    let Some(mail) = user.str_prop("mail").map(str::to_string) else {
        return;
    };
    let mut proxies: Vec<String> = user
        .props
        .get("proxyAddresses")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let primary = format!("SMTP:{mail}");
    if proxies.contains(&primary) {
        return;
    }
    for p in proxies.iter_mut() {
        if let Some(address) = p.strip_prefix("SMTP:") {
            *p = format!("smtp:{address}");
        }
    }
    proxies.retain(|p| !p.eq_ignore_ascii_case(&primary));
    proxies.insert(0, primary);
    user.props
        .insert("proxyAddresses".into(), Value::from(proxies));
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Directory {
    /// Finds an active user by object id or (case-insensitively) by userPrincipalName, as
    /// `GET /users/{id | userPrincipalName}` does.
    pub fn find_user(&self, key: &str) -> Option<&User> {
        if let Some(u) = self.users.get(key) {
            return Some(u);
        }
        let lower = key.to_lowercase();
        if let Some(u) = self.users.get(&lower) {
            return Some(u);
        }
        self.find_by_upn(key)
    }

    /// An active user by userPrincipalName, case-insensitively.
    pub fn find_by_upn(&self, upn: &str) -> Option<&User> {
        let lower = upn.to_lowercase();
        self.upn_index
            .get(&lower)
            .and_then(|id| self.users.get(id))
            .filter(|u| u.upn().to_lowercase() == lower)
    }

    /// Adds (or replaces) an active user.
    pub fn insert_user(&mut self, user: User) {
        if let Some(old) = self.users.get(&user.id) {
            let old_upn = old.upn().to_lowercase();
            self.upn_index.remove(&old_upn);
        }
        self.upn_index
            .insert(user.upn().to_lowercase(), user.id.clone());
        self.users.insert(user.id.clone(), user);
    }

    /// Rebuilds the userPrincipalName index after direct changes to `users`.
    pub fn rebuild_upn_index(&mut self) {
        self.upn_index = self
            .users
            .values()
            .map(|u| (u.upn().to_lowercase(), u.id.clone()))
            .collect();
    }

    pub fn find_user_id(&self, key: &str) -> Option<String> {
        self.find_user(key).map(|u| u.id.clone())
    }

    pub(crate) fn record(&mut self, at: DateTime<Utc>, object_id: &str, kind: DirectoryEventKind) {
        self.events.push(DirectoryEvent {
            at,
            object_id: object_id.to_string(),
            kind,
        });
    }

    /// Applies already validated Graph property changes to an active user.
    pub fn update_user(
        &mut self,
        id: &str,
        changes: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<(), DirectoryError> {
        let user = self
            .users
            .get_mut(id)
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))?;
        if changes.is_empty() {
            return Ok(());
        }
        let old_upn = user.upn().to_lowercase();
        for (k, v) in changes {
            if v.is_null() {
                user.props.remove(&k);
            } else {
                user.props.insert(k, v);
            }
        }
        keep_primary_smtp(user);
        let new_upn = user.upn().to_lowercase();
        if new_upn != old_upn {
            self.upn_index.remove(&old_upn);
            self.upn_index.insert(new_upn, id.to_string());
        }
        self.record(now, id, DirectoryEventKind::UserUpdated);
        Ok(())
    }

    /// `revokeSignInSessions`: refresh tokens and session cookies issued before `now` stop working.
    pub fn revoke_sessions(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), DirectoryError> {
        let user = self
            .users
            .get_mut(id)
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))?;
        user.props.insert(
            "signInSessionsValidFromDateTime".into(),
            Value::String(timestamp(now)),
        );
        self.record(now, id, DirectoryEventKind::SessionsRevoked);
        Ok(())
    }

    /// `DELETE /users/{id}`: a soft delete. Entra keeps the object for 30 days and renames its
    /// userPrincipalName to `{object id without dashes}{original UPN}` so the UPN can be reused
    /// (this is the prefix that later shows up in SCIM userNames, PLAYBOOKS.md background).
    /// Group memberships and app role assignments are kept and come back on restore.
    pub fn soft_delete_user(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), DirectoryError> {
        let mut user = self
            .users
            .remove(id)
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))?;
        self.upn_index.remove(&user.upn().to_lowercase());
        let prefixed = format!("{}{}", id.replace('-', ""), user.upn());
        user.props
            .insert("userPrincipalName".into(), Value::String(prefixed));
        user.props
            .insert("deletedDateTime".into(), Value::String(timestamp(now)));
        user.deleted_date_time = Some(now);
        self.deleted_users.insert(id.to_string(), user);
        self.record(now, id, DirectoryEventKind::SoftDeleted);
        Ok(())
    }

    /// `POST /directory/deletedItems/{id}/restore`: back to active with the original UPN.
    pub fn restore_user(&mut self, id: &str, now: DateTime<Utc>) -> Result<&User, DirectoryError> {
        let deleted = self
            .deleted_users
            .get(id)
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))?;
        let prefix = id.replace('-', "");
        let original = deleted
            .upn()
            .strip_prefix(&prefix)
            .unwrap_or(deleted.upn())
            .to_string();
        if self.find_user(&original).is_some() {
            return Err(DirectoryError::UpnInUse(original));
        }
        let mut user = self
            .deleted_users
            .remove(id)
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))?;
        user.props
            .insert("userPrincipalName".into(), Value::String(original));
        user.props.remove("deletedDateTime");
        user.deleted_date_time = None;
        self.insert_user(user);
        self.record(now, id, DirectoryEventKind::Restored);
        self.users
            .get(id)
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))
    }

    /// Permanent delete: the object, its memberships and its app role assignments are gone.
    pub fn hard_delete_user(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), DirectoryError> {
        self.deleted_users
            .remove(id)
            .ok_or_else(|| DirectoryError::NotFound(id.to_string()))?;
        for g in self.groups.values_mut() {
            g.members.retain(|m| m != id);
        }
        self.app_role_assignments.retain(|a| a.principal_id != id);
        self.record(now, id, DirectoryEventKind::HardDeleted);
        Ok(())
    }

    /// Hard-deletes every user deleted more than 30 days before `now`; returns their ids.
    pub fn purge_expired(&mut self, now: DateTime<Utc>) -> Vec<String> {
        let limit = Duration::days(SOFT_DELETE_RETENTION_DAYS);
        let expired: Vec<String> = self
            .deleted_users
            .values()
            .filter(|u| u.deleted_date_time.is_some_and(|d| now - d >= limit))
            .map(|u| u.id.clone())
            .collect();
        for id in &expired {
            // The deletion time is when the retention ended, not when we noticed.
            let at = self
                .deleted_users
                .get(id)
                .and_then(|u| u.deleted_date_time)
                .map(|d| d + limit)
                .unwrap_or(now);
            let _ = self.hard_delete_user(id, at);
        }
        expired
    }

    pub fn add_member(
        &mut self,
        group_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DirectoryError> {
        let group = self
            .groups
            .get_mut(group_id)
            .ok_or_else(|| DirectoryError::NotFound(group_id.to_string()))?;
        if group.members.iter().any(|m| m == user_id) {
            return Ok(false);
        }
        group.members.push(user_id.to_string());
        self.record(now, group_id, DirectoryEventKind::MemberAdded);
        Ok(true)
    }

    pub fn remove_member(
        &mut self,
        group_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DirectoryError> {
        let group = self
            .groups
            .get_mut(group_id)
            .ok_or_else(|| DirectoryError::NotFound(group_id.to_string()))?;
        let before = group.members.len();
        group.members.retain(|m| m != user_id);
        if group.members.len() == before {
            return Err(DirectoryError::NotFound(user_id.to_string()));
        }
        self.record(now, group_id, DirectoryEventKind::MemberRemoved);
        Ok(())
    }

    /// Assigns a user or group to an app with default access; returns the assignment id.
    pub fn assign(
        &mut self,
        resource_id: &str,
        principal_id: &str,
        now: DateTime<Utc>,
    ) -> Result<String, DirectoryError> {
        let principal_type = if self.users.contains_key(principal_id) {
            PrincipalType::User
        } else if self.groups.contains_key(principal_id) {
            PrincipalType::Group
        } else {
            return Err(DirectoryError::NotFound(principal_id.to_string()));
        };
        if !self.service_principals.contains_key(resource_id) {
            return Err(DirectoryError::NotFound(resource_id.to_string()));
        }
        let id = uuid::Uuid::new_v4().to_string();
        self.app_role_assignments.push(AppRoleAssignment {
            id: id.clone(),
            app_role_id: "00000000-0000-0000-0000-000000000000".into(),
            created_date_time: now,
            principal_id: principal_id.to_string(),
            principal_type,
            resource_id: resource_id.to_string(),
        });
        self.record(now, principal_id, DirectoryEventKind::AssignmentChanged);
        Ok(id)
    }

    /// Removes an app role assignment by id.
    pub fn unassign(
        &mut self,
        assignment_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DirectoryError> {
        let at = self
            .app_role_assignments
            .iter()
            .position(|a| a.id == assignment_id)
            .ok_or_else(|| DirectoryError::NotFound(assignment_id.to_string()))?;
        let removed = self.app_role_assignments.remove(at);
        self.record(
            now,
            &removed.principal_id,
            DirectoryEventKind::AssignmentChanged,
        );
        Ok(())
    }

    /// Display name of any principal (user, deleted user, group, service principal).
    pub fn principal_display_name(&self, id: &str) -> Option<&str> {
        if let Some(u) = self.users.get(id).or_else(|| self.deleted_users.get(id)) {
            return Some(u.display_name());
        }
        if let Some(g) = self.groups.get(id) {
            return Some(&g.display_name);
        }
        self.service_principals
            .get(id)
            .map(|s| s.display_name.as_str())
    }

    /// A user's app role assignments as `GET /users/{id}/appRoleAssignments` lists them: direct
    /// ones plus those granted to groups the user is a *direct* member of (Graph docs; nested
    /// groups do not count).
    pub fn assignments_of_user(&self, user_id: &str) -> Vec<&AppRoleAssignment> {
        let groups: Vec<&str> = self
            .groups
            .values()
            .filter(|g| g.members.iter().any(|m| m == user_id))
            .map(|g| g.id.as_str())
            .collect();
        self.app_role_assignments
            .iter()
            .filter(|a| a.principal_id == user_id || groups.contains(&a.principal_id.as_str()))
            .collect()
    }

    /// Users in scope of an app through assignment (direct or through a group's direct members).
    pub fn assigned_user_ids(&self, resource_id: &str) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for a in self
            .app_role_assignments
            .iter()
            .filter(|a| a.resource_id == resource_id)
        {
            match a.principal_type {
                PrincipalType::User => ids.push(a.principal_id.clone()),
                PrincipalType::Group => {
                    if let Some(g) = self.groups.get(&a.principal_id) {
                        ids.extend(g.members.iter().cloned());
                    }
                }
                PrincipalType::ServicePrincipal => {}
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }
}
