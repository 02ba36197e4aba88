//! Who is calling and whether they may: Graph authorizes every call by the token's permissions
//! (`scp` for delegated, `roles` for app-only) and, for delegated calls, by the signed-in user's
//! directory roles. A permission alone is not enough: without the role Graph answers
//! 403 `Authorization_RequestDenied` (graph-api.md §1.6).
//!
//! The roles are read from the directory's role assignments, never from the token: the `wids`
//! claim lists only tenant-wide built-in roles, so a role scoped to an administrative unit, or a
//! custom role, is invisible there but still lets Graph allow the call (entra-docs
//! `access-token-claims-reference.md`, `role-based-access-control/admin-units-assign-roles.md`;
//! graph-api.md §11.7). A client that decides from `wids` alone refuses what Graph allows.

use axum::http::HeaderMap;

use super::error::GraphError;
use crate::identity::tokens::{verify_access_token, AccessClaims};
use crate::state::roles::{self, *};
use crate::state::TenantState;

#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: AccessClaims,
    held: HeldRoles,
}

/// The directory roles the signed-in user holds now (read from the directory at each call).
#[derive(Debug, Clone, Default)]
struct HeldRoles {
    /// Built-in role template ids assigned for the whole tenant.
    tenant_wide: Vec<String>,
    /// Built-in role template ids assigned for one administrative unit, with its members.
    scoped: Vec<(String, std::collections::BTreeSet<String>)>,
    /// The resource actions of the custom roles held (tenant-wide).
    custom_permissions: Vec<String>,
}

impl HeldRoles {
    fn of(state: &TenantState, user_id: &str) -> Self {
        let dir = state.directory();
        let Some(user) = dir.users.get(user_id) else {
            return HeldRoles::default();
        };
        let mut held = HeldRoles {
            tenant_wide: user.directory_roles.clone(),
            ..HeldRoles::default()
        };
        for assignment in dir
            .role_assignments
            .iter()
            .filter(|a| a.principal_id == user_id)
        {
            match &assignment.administrative_unit_id {
                Some(unit) => {
                    if let Some(unit) = dir.administrative_units.get(unit) {
                        held.scoped
                            .push((assignment.role_definition_id.clone(), unit.members.clone()));
                    }
                }
                None => match dir.custom_roles.get(&assignment.role_definition_id) {
                    Some(custom) => held
                        .custom_permissions
                        .extend(custom.permissions.iter().cloned()),
                    None => held.tenant_wide.push(assignment.role_definition_id.clone()),
                },
            }
        }
        held
    }
}

impl Caller {
    pub fn from_headers(state: &TenantState, headers: &HeaderMap) -> Result<Self, GraphError> {
        let authorization_uri =
            format!("{}/{}/oauth2/authorize", state.base_url, state.tenant_id());
        let value = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .trim();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or_default()
            .trim();
        if token.is_empty() {
            return Err(GraphError::invalid_token(
                "Access token is empty.",
                &authorization_uri,
            ));
        }
        let claims = verify_access_token(&state.keys, &state.issuer(), token)
            .map_err(|r| GraphError::invalid_token(r.message(), &authorization_uri))?;
        if claims.tid != state.tenant_id() {
            return Err(GraphError::invalid_token(
                "Access token validation failure. Invalid tenant.",
                &authorization_uri,
            ));
        }
        let held = if claims.is_app_only() {
            HeldRoles::default()
        } else {
            HeldRoles::of(state, &claims.oid)
        };
        Ok(Self { claims, held })
    }

    pub fn app_id(&self) -> &str {
        &self.claims.appid
    }

    pub fn has_permission(&self, any_of: &[&str]) -> bool {
        let held = self.claims.permissions();
        any_of
            .iter()
            .any(|wanted| held.iter().any(|h| h.eq_ignore_ascii_case(wanted)))
    }

    /// Whether the user holds one of these built-in roles for the whole tenant.
    pub fn has_role(&self, any_of: &[&str]) -> bool {
        self.held
            .tenant_wide
            .iter()
            .any(|w| any_of.contains(&w.as_str()))
    }

    fn has_custom_permission(&self, any_of: &[&str]) -> bool {
        self.held
            .custom_permissions
            .iter()
            .any(|p| any_of.iter().any(|wanted| p.eq_ignore_ascii_case(wanted)))
    }

    /// Checks one operation's requirement before the target is known: a role held for an
    /// administrative unit, or a custom role granting the operation, lets the call go on to
    /// [`Self::require_over`], which decides for the target.
    pub fn require(&self, need: &Requirement) -> Result<(), GraphError> {
        let permissions = if self.claims.is_app_only() {
            need.application
        } else {
            need.delegated
        };
        if !self.has_permission(permissions) {
            return Err(GraphError::denied());
        }
        if self.claims.is_app_only() || need.roles.is_empty() {
            return Ok(());
        }
        let scoped = self
            .held
            .scoped
            .iter()
            .any(|(role, _)| need.roles.contains(&role.as_str()));
        if self.has_role(need.roles) || scoped || self.has_custom_permission(need.custom) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    /// Checks a change to one user: a tenant-wide role of `need`, the same role scoped to an
    /// administrative unit the user is a member of, or a custom role granting one of `actions`
    /// (the resource actions this very change needs, e.g. `microsoft.directory/users/disable`).
    pub fn require_over(
        &self,
        need: &Requirement,
        target_id: &str,
        actions: &[&str],
    ) -> Result<(), GraphError> {
        if self.claims.is_app_only() || need.roles.is_empty() || self.has_role(need.roles) {
            return Ok(());
        }
        let in_unit = self.held.scoped.iter().any(|(role, members)| {
            need.roles.contains(&role.as_str()) && members.contains(target_id)
        });
        if in_unit || self.has_custom_permission(actions) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    /// Checks a change to a user in the recycle bin. Microsoft does not document whether a
    /// soft-deleted user stays a member of its administrative units; the cautious reading is
    /// that it does not, so only a tenant-wide role (or app-only access) restores or purges.
    pub fn require_tenant_wide(&self, need: &Requirement) -> Result<(), GraphError> {
        if self.claims.is_app_only() || need.roles.is_empty() || self.has_role(need.roles) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    /// For changes to a user that holds admin roles, User Administrator is not enough
    /// ("who can perform sensitive actions" doc): it takes Privileged Authentication
    /// Administrator or Global Administrator. App-only callers are not subject to roles.
    pub fn require_can_manage(&self, target_roles: &[String]) -> Result<(), GraphError> {
        if self.claims.is_app_only() || !roles::is_privileged_target(target_roles) {
            return Ok(());
        }
        if self.has_role(&[
            GLOBAL_ADMINISTRATOR,
            PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        ]) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }
}

/// What one Graph operation needs: any one of the delegated permissions (plus any one of
/// `roles` if non-empty, or a custom role granting one of `custom`), or any one of the
/// application permissions.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    pub delegated: &'static [&'static str],
    pub application: &'static [&'static str],
    pub roles: &'static [&'static str],
    /// Custom-role resource actions that grant this operation (entra-docs
    /// `role-based-access-control/custom-user-permissions.md`); empty where none is modelled.
    pub custom: &'static [&'static str],
}

/// Custom-role actions for changes to users (custom-user-permissions.md, "Enable or disable
/// users", "Create or delete users"; `invalidateAllRefreshTokens` from the permissions reference).
pub const DISABLE_USERS_ACTION: &str = "microsoft.directory/users/disable";
pub const ENABLE_USERS_ACTION: &str = "microsoft.directory/users/enable";
pub const REVOKE_SESSIONS_ACTION: &str = "microsoft.directory/users/invalidateAllRefreshTokens";
pub const DELETE_USERS_ACTION: &str = "microsoft.directory/users/delete";

const USER_READ: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "User.ReadBasic.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const USER_WRITE: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];
const USER_ADMINS: &[&str] = &[
    USER_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
];

pub const READ_USERS: Requirement = Requirement {
    delegated: USER_READ,
    application: USER_READ,
    roles: &[],
    custom: &[],
};

/// `PATCH /users/{id}`. `User.EnableDisableAccount.All` covers `accountEnabled` only; the caller
/// adds it when that is all the body changes.
pub const UPDATE_USER: Requirement = Requirement {
    delegated: USER_WRITE,
    application: USER_WRITE,
    roles: USER_ADMINS,
    custom: &[],
};

/// `accountEnabled` is a sensitive attribute: User Administrator and Authentication
/// Administrator may change it for non-admins, Privileged Authentication Administrator for anyone
/// (entra-docs `role-based-access-control/privileged-roles-permissions.md`, "Who can perform
/// sensitive actions"; the authentication roles table). Admin targets: `require_can_manage`.
pub const ENABLE_DISABLE_USER: Requirement = Requirement {
    delegated: &[
        "User.EnableDisableAccount.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "User.EnableDisableAccount.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    roles: &[
        USER_ADMINISTRATOR,
        AUTHENTICATION_ADMINISTRATOR,
        PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        GLOBAL_ADMINISTRATOR,
    ],
    custom: &[DISABLE_USERS_ACTION, ENABLE_USERS_ACTION],
};

pub const REVOKE_SESSIONS: Requirement = Requirement {
    delegated: &[
        "User.RevokeSessions.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "User.RevokeSessions.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    roles: &[
        USER_ADMINISTRATOR,
        HELPDESK_ADMINISTRATOR,
        AUTHENTICATION_ADMINISTRATOR,
        PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        GLOBAL_ADMINISTRATOR,
    ],
    custom: &[REVOKE_SESSIONS_ACTION],
};

pub const DELETE_USER: Requirement = Requirement {
    delegated: USER_WRITE,
    application: USER_WRITE,
    roles: USER_ADMINS,
    custom: &[DELETE_USERS_ACTION],
};

pub const RESTORE_USER: Requirement = Requirement {
    delegated: &[
        "User.DeleteRestore.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "User.DeleteRestore.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    roles: USER_ADMINS,
    custom: &[],
};

pub const READ_GROUPS: Requirement = Requirement {
    delegated: &[
        "GroupMember.Read.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
        "GroupMember.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "GroupMember.Read.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
        "GroupMember.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    roles: &[],
    custom: &[],
};

pub const WRITE_GROUP_MEMBERS: Requirement = Requirement {
    delegated: &[
        "GroupMember.ReadWrite.All",
        "Group.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "GroupMember.ReadWrite.All",
        "Group.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    roles: &[
        GROUPS_ADMINISTRATOR,
        USER_ADMINISTRATOR,
        GLOBAL_ADMINISTRATOR,
    ],
    custom: &[],
};

const APP_READ: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

pub const READ_SERVICE_PRINCIPALS: Requirement = Requirement {
    delegated: APP_READ,
    application: APP_READ,
    roles: &[],
    custom: &[],
};

pub const READ_APP_ROLE_ASSIGNED_TO: Requirement = Requirement {
    delegated: &[
        "Application.Read.All",
        "Application.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "Application.Read.All",
        "Application.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    roles: &[],
    custom: &[],
};

pub const READ_USER_APP_ROLE_ASSIGNMENTS: Requirement = Requirement {
    delegated: &[
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
    ],
    application: &[
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
    ],
    roles: &[],
    custom: &[],
};

// Part 2 (provisioning): synchronization jobs and provisioning logs (graph-api.md §1.6).

const APP_ADMINS: &[&str] = &[
    APPLICATION_ADMINISTRATOR,
    CLOUD_APPLICATION_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
];

/// List/get jobs, get schema, templates.
pub const READ_SYNCHRONIZATION: Requirement = Requirement {
    delegated: &["Synchronization.Read.All", "Synchronization.ReadWrite.All"],
    application: &[
        "Synchronization.Read.All",
        "Synchronization.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
    ],
    roles: &[
        APPLICATION_ADMINISTRATOR,
        CLOUD_APPLICATION_ADMINISTRATOR,
        GLOBAL_ADMINISTRATOR,
        GLOBAL_READER,
    ],
    custom: &[],
};

/// Start, pause, restart, provisionOnDemand, parseExpression.
pub const WRITE_SYNCHRONIZATION: Requirement = Requirement {
    delegated: &["Synchronization.ReadWrite.All"],
    application: &[
        "Synchronization.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
    ],
    roles: APP_ADMINS,
    custom: &[],
};

/// `GET /auditLogs/provisioning` needs AuditLog.Read.All (the doc adds Directory.Read.All for
/// delegated calls; callers check both with two `require`s).
pub const READ_PROVISIONING_LOGS: Requirement = Requirement {
    delegated: &["AuditLog.Read.All"],
    application: &["AuditLog.Read.All"],
    roles: &[
        REPORTS_READER,
        GLOBAL_READER,
        APPLICATION_ADMINISTRATOR,
        CLOUD_APPLICATION_ADMINISTRATOR,
        GLOBAL_ADMINISTRATOR,
        "5d6b6bb7-de71-4623-b4af-96380a352509", // Security Reader
        "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", // Security Operator
        "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    ],
    custom: &[],
};

/// Who may manage object connections (entra-docs
/// `docs/identity/app-provisioning/manage-object-connections.md`, Prerequisites): Application
/// Administrator, Cloud Application Administrator, Hybrid Identity Administrator (for Cloud
/// Sync). The page names no other role; Global Administrator is allowed as well because it holds
/// every permission of those roles. Global Reader is not listed, so it cannot even read one.
const OBJECT_CONNECTION_ADMINS: &[&str] = &[
    APPLICATION_ADMINISTRATOR,
    CLOUD_APPLICATION_ADMINISTRATOR,
    HYBRID_IDENTITY_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
];

/// `GET …/objectConnections('{id}')`: `Synchronization.Read.All` (delegated and application) or
/// `Application.ReadWrite.OwnedBy` (application); `Synchronization.ReadWrite.All` includes it.
pub const READ_OBJECT_CONNECTIONS: Requirement = Requirement {
    delegated: &["Synchronization.Read.All", "Synchronization.ReadWrite.All"],
    application: &[
        "Synchronization.Read.All",
        "Synchronization.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
    ],
    roles: OBJECT_CONNECTION_ADMINS,
    custom: &[],
};

/// `DELETE …/objectConnections('{id}')`: `Synchronization.ReadWrite.All` or (application)
/// `Application.ReadWrite.OwnedBy`; `Synchronization.Read.All` alone is refused.
pub const DELETE_OBJECT_CONNECTIONS: Requirement = Requirement {
    delegated: &["Synchronization.ReadWrite.All"],
    application: &[
        "Synchronization.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
    ],
    roles: OBJECT_CONNECTION_ADMINS,
    custom: &[],
};
