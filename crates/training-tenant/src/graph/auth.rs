//! Who is calling and whether they may: Graph authorizes every call by the token's permissions
//! (`scp` for delegated, `roles` for app-only) and, for delegated calls, by the signed-in user's
//! directory roles (`wids`). A permission alone is not enough: without the role Graph answers
//! 403 `Authorization_RequestDenied` (graph-api.md §1.6).

use axum::http::HeaderMap;

use super::error::GraphError;
use crate::identity::tokens::{verify_access_token, AccessClaims};
use crate::state::roles::{self, *};
use crate::state::TenantState;

#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: AccessClaims,
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
        Ok(Self { claims })
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

    pub fn has_role(&self, any_of: &[&str]) -> bool {
        self.claims
            .wids
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|w| any_of.contains(&w.as_str()))
    }

    /// Checks one operation's requirement.
    pub fn require(&self, need: &Requirement) -> Result<(), GraphError> {
        let permissions = if self.claims.is_app_only() {
            need.application
        } else {
            need.delegated
        };
        if !self.has_permission(permissions) {
            return Err(GraphError::denied());
        }
        if !self.claims.is_app_only() && !need.roles.is_empty() && !self.has_role(need.roles) {
            return Err(GraphError::denied());
        }
        Ok(())
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
/// `roles` if non-empty), or any one of the application permissions.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    pub delegated: &'static [&'static str],
    pub application: &'static [&'static str],
    pub roles: &'static [&'static str],
}

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
};

/// `PATCH /users/{id}`. `User.EnableDisableAccount.All` covers `accountEnabled` only; the caller
/// adds it when that is all the body changes.
pub const UPDATE_USER: Requirement = Requirement {
    delegated: USER_WRITE,
    application: USER_WRITE,
    roles: USER_ADMINS,
};

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
    roles: USER_ADMINS,
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
};

pub const DELETE_USER: Requirement = Requirement {
    delegated: USER_WRITE,
    application: USER_WRITE,
    roles: USER_ADMINS,
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
};

/// Start, pause, restart, provisionOnDemand, parseExpression.
pub const WRITE_SYNCHRONIZATION: Requirement = Requirement {
    delegated: &["Synchronization.ReadWrite.All"],
    application: &[
        "Synchronization.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
    ],
    roles: APP_ADMINS,
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
};
