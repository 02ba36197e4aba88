//! What each Graph operation needs, and what the signed-in person can do.
//!
//! Microsoft Graph with delegated permissions checks *both* the delegated permission of the
//! token (`scp`) and the signed-in person's directory role: "a permission alone is not enough"
//! (graph-api.md §1.6, rbac-for-apis). This module is the one table of operation → permission +
//! roles; 403 errors use it to say which role to ask for.
//!
//! The role half is only a hint here. The token's `wids` claim lists tenant-wide built-in roles
//! only: a role scoped to an administrative unit, or a custom role, never shows there, yet Graph
//! allows what it grants (entra-docs `access-token-claims-reference.md`; graph-api.md §11.7). So a
//! role missing from `wids` makes an operation *unconfirmed*, never refused: the desk tries it and
//! turns a 403 into "ask for role X". A missing delegated permission (`scp`) is certain — Graph
//! refuses every call without it — and does refuse.

use serde::Serialize;

/// A built-in Entra role, by its role *template* id (the value that appears in `wids`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    GlobalAdministrator,
    UserAdministrator,
    HelpdeskAdministrator,
    AuthenticationAdministrator,
    PrivilegedAuthenticationAdministrator,
    ApplicationAdministrator,
    CloudApplicationAdministrator,
    HybridIdentityAdministrator,
    ReportsReader,
    SecurityReader,
    SecurityAdministrator,
    SecurityOperator,
    GlobalReader,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::GlobalAdministrator,
        Role::UserAdministrator,
        Role::HelpdeskAdministrator,
        Role::AuthenticationAdministrator,
        Role::PrivilegedAuthenticationAdministrator,
        Role::ApplicationAdministrator,
        Role::CloudApplicationAdministrator,
        Role::HybridIdentityAdministrator,
        Role::ReportsReader,
        Role::SecurityReader,
        Role::SecurityAdministrator,
        Role::SecurityOperator,
        Role::GlobalReader,
    ];

    /// Role template id ("Microsoft Entra built-in roles"); the same in every tenant.
    pub fn template_id(self) -> &'static str {
        match self {
            Role::GlobalAdministrator => "62e90394-69f5-4237-9190-012177145e10",
            Role::UserAdministrator => "fe930be7-5e62-47db-91af-98c3a49a38b1",
            Role::HelpdeskAdministrator => "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            Role::AuthenticationAdministrator => "c4e39bd9-1100-46d3-8c65-fb160da0071f",
            Role::PrivilegedAuthenticationAdministrator => "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
            Role::ApplicationAdministrator => "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            Role::CloudApplicationAdministrator => "158c047a-c907-4556-b7ef-446551a6b5f7",
            Role::HybridIdentityAdministrator => "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
            Role::ReportsReader => "4a5d8f65-41da-4de4-8968-e035b65339cf",
            Role::SecurityReader => "5d6b6bb7-de71-4623-b4af-96380a352509",
            Role::SecurityAdministrator => "194ae4cb-b126-40b2-bd5b-6091b380977d",
            Role::SecurityOperator => "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
            Role::GlobalReader => "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Role::GlobalAdministrator => "Global Administrator",
            Role::UserAdministrator => "User Administrator",
            Role::HelpdeskAdministrator => "Helpdesk Administrator",
            Role::AuthenticationAdministrator => "Authentication Administrator",
            Role::PrivilegedAuthenticationAdministrator => {
                "Privileged Authentication Administrator"
            }
            Role::ApplicationAdministrator => "Application Administrator",
            Role::CloudApplicationAdministrator => "Cloud Application Administrator",
            Role::HybridIdentityAdministrator => "Hybrid Identity Administrator",
            Role::ReportsReader => "Reports Reader",
            Role::SecurityReader => "Security Reader",
            Role::SecurityAdministrator => "Security Administrator",
            Role::SecurityOperator => "Security Operator",
            Role::GlobalReader => "Global Reader",
        }
    }

    pub fn from_template_id(id: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.template_id().eq_ignore_ascii_case(id))
    }
}

/// Every Graph operation the procedures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Operation {
    ReadUsers,
    SetAccountEnabled,
    UpdateUser,
    RevokeSignInSessions,
    DeleteUser,
    ReadDeletedUsers,
    RestoreDeletedUser,
    PermanentlyDeleteUser,
    ReadServicePrincipals,
    ReadAppRoleAssignments,
    ReadSynchronization,
    StartSynchronizationJob,
    PauseSynchronizationJob,
    RestartSynchronizationJob,
    ProvisionOnDemand,
    UpdateSynchronizationSchema,
    ParseExpression,
    ReadProvisioningLogs,
    /// `GET …/objectConnections('{id}')` (beta).
    ReadObjectConnection,
    /// `DELETE …/objectConnections('{id}')` (beta).
    DeleteObjectConnection,
}

/// What one operation needs: one of the permission sets, and (for delegated sign-in) one of the
/// roles. An empty `roles` means any member of the tenant may do it once the permission is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Alternatives, least privileged first; every permission of one set is needed.
    pub permissions: &'static [&'static [&'static str]],
    /// Any one of these roles; Global Administrator is always listed last.
    pub roles: &'static [Role],
}

use Role::*;

const READ_USERS: &[&[&str]] = &[
    &["User.Read.All"],
    &["User.ReadWrite.All"],
    &["Directory.Read.All"],
    &["Directory.ReadWrite.All"],
];
const SYNC_READ: &[&[&str]] = &[
    &["Synchronization.Read.All"],
    &["Synchronization.ReadWrite.All"],
];
const SYNC_WRITE: &[&[&str]] = &[&["Synchronization.ReadWrite.All"]];
const SYNC_ROLES: &[Role] = &[
    ApplicationAdministrator,
    CloudApplicationAdministrator,
    HybridIdentityAdministrator,
    GlobalAdministrator,
];
const USER_ADMIN_ROLES: &[Role] = &[
    UserAdministrator,
    PrivilegedAuthenticationAdministrator,
    GlobalAdministrator,
];
/// `accountEnabled` is a sensitive attribute: User Administrator and Authentication Administrator
/// may change it for non-admin users, Privileged Authentication Administrator for everyone
/// (entra-docs `role-based-access-control/privileged-roles-permissions.md`, "Who can perform
/// sensitive actions", and its authentication roles table: "Update sensitive properties").
const SENSITIVE_ATTRIBUTE_ROLES: &[Role] = &[
    UserAdministrator,
    AuthenticationAdministrator,
    PrivilegedAuthenticationAdministrator,
    GlobalAdministrator,
];

impl Operation {
    pub const ALL: [Operation; 20] = [
        Operation::ReadUsers,
        Operation::SetAccountEnabled,
        Operation::UpdateUser,
        Operation::RevokeSignInSessions,
        Operation::DeleteUser,
        Operation::ReadDeletedUsers,
        Operation::RestoreDeletedUser,
        Operation::PermanentlyDeleteUser,
        Operation::ReadServicePrincipals,
        Operation::ReadAppRoleAssignments,
        Operation::ReadSynchronization,
        Operation::StartSynchronizationJob,
        Operation::PauseSynchronizationJob,
        Operation::RestartSynchronizationJob,
        Operation::ProvisionOnDemand,
        Operation::UpdateSynchronizationSchema,
        Operation::ParseExpression,
        Operation::ReadProvisioningLogs,
        Operation::ReadObjectConnection,
        Operation::DeleteObjectConnection,
    ];

    /// A verb phrase: "You are not allowed to …".
    pub fn describe(self) -> &'static str {
        match self {
            Operation::ReadUsers => "look up users",
            Operation::SetAccountEnabled => "disable or re-enable accounts",
            Operation::UpdateUser => "change user properties",
            Operation::RevokeSignInSessions => "sign people out everywhere (revoke sessions)",
            Operation::DeleteUser => "delete users",
            Operation::ReadDeletedUsers => "look in Deleted users",
            Operation::RestoreDeletedUser => "restore deleted users",
            Operation::PermanentlyDeleteUser => "permanently delete users",
            Operation::ReadServicePrincipals => "list enterprise apps",
            Operation::ReadAppRoleAssignments => "see who is assigned to an app",
            Operation::ReadSynchronization => "see provisioning jobs and attribute mappings",
            Operation::StartSynchronizationJob => "start provisioning",
            Operation::PauseSynchronizationJob => "pause provisioning",
            Operation::RestartSynchronizationJob => "restart provisioning",
            Operation::ProvisionOnDemand => "provision a user on demand",
            Operation::UpdateSynchronizationSchema => "change attribute mappings",
            Operation::ParseExpression => "test attribute-mapping expressions",
            Operation::ReadProvisioningLogs => "read provisioning logs",
            Operation::ReadObjectConnection => {
                "read the link between a person and their app account"
            }
            Operation::DeleteObjectConnection => {
                "re-link a person (forget the link to their app account)"
            }
        }
    }

    /// The table (graph-api.md §1.6; each operation's "Permissions" section on Microsoft Learn).
    pub fn requirement(self) -> Requirement {
        match self {
            Operation::ReadUsers | Operation::ReadDeletedUsers => Requirement {
                permissions: READ_USERS,
                roles: &[],
            },
            Operation::SetAccountEnabled => Requirement {
                permissions: &[
                    &["User.EnableDisableAccount.All", "User.Read.All"],
                    &["User.ReadWrite.All"],
                    &["Directory.ReadWrite.All"],
                ],
                roles: SENSITIVE_ATTRIBUTE_ROLES,
            },
            Operation::UpdateUser | Operation::DeleteUser => Requirement {
                permissions: &[&["User.ReadWrite.All"], &["Directory.ReadWrite.All"]],
                roles: USER_ADMIN_ROLES,
            },
            Operation::RevokeSignInSessions => Requirement {
                permissions: &[
                    &["User.RevokeSessions.All"],
                    &["User.ReadWrite.All"],
                    &["Directory.ReadWrite.All"],
                ],
                roles: &[
                    UserAdministrator,
                    HelpdeskAdministrator,
                    AuthenticationAdministrator,
                    PrivilegedAuthenticationAdministrator,
                    GlobalAdministrator,
                ],
            },
            Operation::RestoreDeletedUser | Operation::PermanentlyDeleteUser => Requirement {
                permissions: &[
                    &["User.ReadWrite.All"],
                    &["User.DeleteRestore.All"],
                    &["Directory.ReadWrite.All"],
                ],
                roles: USER_ADMIN_ROLES,
            },
            Operation::ReadServicePrincipals | Operation::ReadAppRoleAssignments => Requirement {
                permissions: &[
                    &["Application.Read.All"],
                    &["Application.ReadWrite.All"],
                    &["Directory.Read.All"],
                    &["Directory.ReadWrite.All"],
                ],
                roles: &[],
            },
            // Reading: the rbac include lists the application roles; Global Reader holds the
            // synchronization read permissions too (the portal hides provisioning from it, the
            // API does not — graph-api.md §3 notes the portal limitation).
            Operation::ReadSynchronization => Requirement {
                permissions: SYNC_READ,
                roles: &[
                    ApplicationAdministrator,
                    CloudApplicationAdministrator,
                    HybridIdentityAdministrator,
                    GlobalReader,
                    GlobalAdministrator,
                ],
            },
            Operation::StartSynchronizationJob
            | Operation::PauseSynchronizationJob
            | Operation::RestartSynchronizationJob
            | Operation::ProvisionOnDemand
            | Operation::UpdateSynchronizationSchema
            | Operation::ParseExpression => Requirement {
                permissions: SYNC_WRITE,
                roles: SYNC_ROLES,
            },
            // entra-docs `manage-object-connections.md`, Prerequisites: Application Administrator,
            // Cloud Application Administrator, Hybrid Identity Administrator (Cloud Sync);
            // delegated Synchronization.Read.All to get, Synchronization.ReadWrite.All to delete.
            // The page does not name Global Reader for GET: the cautious reading leaves it out.
            Operation::ReadObjectConnection => Requirement {
                permissions: SYNC_READ,
                roles: SYNC_ROLES,
            },
            Operation::DeleteObjectConnection => Requirement {
                permissions: SYNC_WRITE,
                roles: SYNC_ROLES,
            },
            // "List provisioningObjectSummary": AuditLog.Read.All *and* Directory.Read.All.
            Operation::ReadProvisioningLogs => Requirement {
                permissions: &[&["AuditLog.Read.All", "Directory.Read.All"]],
                roles: &[
                    ReportsReader,
                    SecurityReader,
                    SecurityOperator,
                    SecurityAdministrator,
                    GlobalReader,
                    ApplicationAdministrator,
                    CloudApplicationAdministrator,
                    GlobalAdministrator,
                ],
            },
        }
    }
}

impl Requirement {
    /// The least-privileged permission set (what the app registration should request).
    pub fn least_privileged(&self) -> &'static [&'static str] {
        self.permissions.first().copied().unwrap_or(&[])
    }

    fn role_list(&self) -> String {
        join_or(self.roles.iter().map(|r| r.display_name()).collect())
    }

    /// The sentence a 403 hint uses when we don't know the caller's claims.
    pub fn ask_for_sentence(&self) -> String {
        let perms = self.least_privileged().join(" and ");
        if self.roles.is_empty() {
            format!("An administrator must grant the app the permission {perms} (admin consent).")
        } else {
            format!(
                "Ask an administrator for the {} role for this person — for the whole organisation, or for an administrative unit the person is in (if the role is eligible in Privileged Identity Management, activate it and sign in again); the app also needs the permission {perms}.",
                self.role_list()
            )
        }
    }
}

fn join_or(items: Vec<&str>) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].to_string(),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// What a token grants: delegated permissions + roles, or application permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantedAccess {
    /// `scp`, split on spaces (delegated sign-in).
    pub scopes: Vec<String>,
    /// `wids`: role template ids of the signed-in person.
    pub role_ids: Vec<String>,
    /// `roles`: application permissions (app-only tokens, e.g. the automation client).
    pub app_roles: Vec<String>,
}

impl GrantedAccess {
    fn has_permission(&self, name: &str) -> bool {
        self.scopes.iter().chain(self.app_roles.iter()).any(|s| {
            s.eq_ignore_ascii_case(name)
                || s.rsplit('/')
                    .next()
                    .is_some_and(|t| t.eq_ignore_ascii_case(name))
        })
    }

    fn has_role(&self, role: Role) -> bool {
        self.role_ids
            .iter()
            .any(|id| id.eq_ignore_ascii_case(role.template_id()))
    }

    fn is_app_only(&self) -> bool {
        self.scopes.is_empty() && !self.app_roles.is_empty()
    }

    /// Roles the person holds that this crate knows by name.
    pub fn known_roles(&self) -> Vec<Role> {
        self.role_ids
            .iter()
            .filter_map(|id| Role::from_template_id(id))
            .collect()
    }
}

/// The verdict for one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capability {
    pub operation: Operation,
    /// The permission is granted and a role that allows it shows in the token.
    pub allowed: bool,
    /// The permission is granted but no role that allows it shows in the token: Graph decides
    /// (a role scoped to an administrative unit, or a custom role, may allow it). Never a reason
    /// to skip a step — try it and explain a 403.
    pub unconfirmed: bool,
    /// Permissions of the least-privileged set that the token lacks (empty when granted).
    pub missing_permissions: Vec<&'static str>,
    /// Roles of which the person needs one (empty when they hold one, or none is needed).
    pub missing_roles: Vec<Role>,
    /// For a refusal: a plain sentence naming what is missing and who can fix it.
    pub explanation: Option<String>,
}

/// Checks one operation against the granted access.
pub fn check(operation: Operation, access: &GrantedAccess) -> Capability {
    let req = operation.requirement();
    let permission_ok = req
        .permissions
        .iter()
        .any(|set| set.iter().all(|p| access.has_permission(p)));
    let missing_permissions: Vec<&'static str> = if permission_ok {
        Vec::new()
    } else {
        req.least_privileged()
            .iter()
            .copied()
            .filter(|p| !access.has_permission(p))
            .collect()
    };
    // Application permissions are not combined with directory roles (app-only access).
    let role_ok = req.roles.is_empty()
        || access.is_app_only()
        || req.roles.iter().any(|r| access.has_role(*r));
    let missing_roles = if role_ok {
        Vec::new()
    } else {
        req.roles.to_vec()
    };
    let allowed = permission_ok && role_ok;
    let unconfirmed = permission_ok && !role_ok;
    let roles = join_or(missing_roles.iter().map(|r| r.display_name()).collect());
    let explanation = if unconfirmed {
        Some(format!(
            "Your sign-in does not show a role that lets you {} (it takes {roles}). A role limited to an administrative unit, or a custom role, does not show there, so the desk will try; if Entra refuses, it says which role to ask for.",
            operation.describe()
        ))
    } else if !allowed {
        let mut parts = vec![format!(
            "this sign-in lacks the permission {} (an administrator must add it to the app registration and grant admin consent, then you sign in again)",
            missing_permissions.join(" and ")
        )];
        if !missing_roles.is_empty() {
            parts.push(format!(
                "you need the {roles} role (ask whoever manages roles in your organisation; if the role is eligible in Privileged Identity Management, activate it and sign in again)"
            ));
        }
        Some(format!(
            "You can't {}: {}.",
            operation.describe(),
            parts.join(", and ")
        ))
    } else {
        None
    };
    Capability {
        operation,
        allowed,
        unconfirmed,
        missing_permissions,
        missing_roles,
        explanation,
    }
}

/// The preflight: every operation, allowed or with the sentence saying why not.
pub fn preflight(access: &GrantedAccess) -> Vec<Capability> {
    Operation::ALL
        .into_iter()
        .map(|op| check(op, access))
        .collect()
}

/// Every delegated permission the procedures use (least-privileged sets), for the sign-in
/// request and docs/admin-setup.md.
pub fn all_least_privileged_permissions() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Operation::ALL
        .into_iter()
        .flat_map(|op| op.requirement().least_privileged().iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(scopes: &str, roles: &[Role]) -> GrantedAccess {
        GrantedAccess {
            scopes: scopes.split_whitespace().map(String::from).collect(),
            role_ids: roles.iter().map(|r| r.template_id().to_string()).collect(),
            app_roles: vec![],
        }
    }

    #[test]
    fn helpdesk_user_admin_can_disable_and_restart_is_only_unconfirmed() {
        let a = access(
            "User.Read.All User.EnableDisableAccount.All User.RevokeSessions.All Synchronization.ReadWrite.All",
            &[Role::UserAdministrator],
        );
        assert!(check(Operation::SetAccountEnabled, &a).allowed);
        assert!(check(Operation::RevokeSignInSessions, &a).allowed);
        // No app role shows in the token, but one may be held for an administrative unit or as
        // a custom role: Graph decides, so this is a doubt, not a refusal.
        let restart = check(Operation::RestartSynchronizationJob, &a);
        assert!(!restart.allowed);
        assert!(restart.unconfirmed);
        assert!(restart.missing_permissions.is_empty());
        let sentence = restart.explanation.unwrap();
        assert!(
            sentence.starts_with(
                "Your sign-in does not show a role that lets you restart provisioning"
            ),
            "{sentence}"
        );
        assert!(sentence.contains("Application Administrator"), "{sentence}");
        assert!(sentence.contains("will try"), "{sentence}");
    }

    /// Authentication Administrator may turn sign-in off and on for non-admins (the sensitive
    /// attributes table of privileged-roles-permissions.md).
    #[test]
    fn authentication_administrator_may_disable_and_revoke() {
        let a = access(
            "User.Read.All User.EnableDisableAccount.All User.RevokeSessions.All",
            &[Role::AuthenticationAdministrator],
        );
        assert!(check(Operation::SetAccountEnabled, &a).allowed);
        assert!(check(Operation::RevokeSignInSessions, &a).allowed);
    }

    /// A person with no role in `wids` (an administrative-unit or custom role holder) is never
    /// refused for want of a role; a missing permission still refuses.
    #[test]
    fn no_role_in_the_token_is_a_doubt_and_a_missing_permission_a_refusal() {
        let a = access("User.Read.All User.EnableDisableAccount.All", &[]);
        let disable = check(Operation::SetAccountEnabled, &a);
        assert!(disable.unconfirmed && !disable.allowed);
        let revoke = check(Operation::RevokeSignInSessions, &a);
        assert!(!revoke.unconfirmed && !revoke.allowed);
        assert!(revoke
            .explanation
            .unwrap()
            .starts_with("You can't sign people out everywhere"));
    }

    #[test]
    fn missing_permission_is_named() {
        let a = access("User.Read.All", &[Role::UserAdministrator]);
        let c = check(Operation::SetAccountEnabled, &a);
        assert!(!c.allowed);
        assert_eq!(c.missing_permissions, vec!["User.EnableDisableAccount.All"]);
        assert!(c.missing_roles.is_empty());
        assert!(c
            .explanation
            .unwrap()
            .contains("User.EnableDisableAccount.All"));
    }

    #[test]
    fn provisioning_logs_need_both_permissions_and_a_reader_role() {
        let a = access("AuditLog.Read.All", &[Role::ReportsReader]);
        let c = check(Operation::ReadProvisioningLogs, &a);
        assert_eq!(c.missing_permissions, vec!["Directory.Read.All"]);
        let a = access(
            "AuditLog.Read.All Directory.Read.All",
            &[Role::ReportsReader],
        );
        assert!(check(Operation::ReadProvisioningLogs, &a).allowed);
    }

    /// manage-object-connections.md: the three application roles; read with
    /// Synchronization.Read.All, delete only with Synchronization.ReadWrite.All.
    #[test]
    fn object_connections_need_an_application_role_and_write_to_delete() {
        let reader = access(
            "Synchronization.Read.All",
            &[Role::ApplicationAdministrator],
        );
        assert!(check(Operation::ReadObjectConnection, &reader).allowed);
        let delete = check(Operation::DeleteObjectConnection, &reader);
        assert_eq!(
            delete.missing_permissions,
            vec!["Synchronization.ReadWrite.All"]
        );
        let helpdesk = access("Synchronization.ReadWrite.All", &[Role::UserAdministrator]);
        let delete = check(Operation::DeleteObjectConnection, &helpdesk);
        assert!(delete.unconfirmed);
        for role in [
            Role::ApplicationAdministrator,
            Role::CloudApplicationAdministrator,
            Role::HybridIdentityAdministrator,
        ] {
            assert!(delete.missing_roles.contains(&role), "{role:?}");
        }
        let hint = Operation::DeleteObjectConnection
            .requirement()
            .ask_for_sentence();
        assert!(hint.contains("Cloud Application Administrator"), "{hint}");
        assert!(hint.contains("Synchronization.ReadWrite.All"), "{hint}");
    }

    #[test]
    fn higher_permission_satisfies_and_qualified_scopes_match() {
        let a = access(
            "https://graph.microsoft.com/User.ReadWrite.All",
            &[Role::GlobalAdministrator],
        );
        assert!(check(Operation::SetAccountEnabled, &a).allowed);
        assert!(check(Operation::ReadUsers, &a).allowed);
    }

    #[test]
    fn app_only_tokens_need_no_role() {
        let a = GrantedAccess {
            app_roles: vec!["Synchronization.ReadWrite.All".into()],
            ..Default::default()
        };
        assert!(check(Operation::RestartSynchronizationJob, &a).allowed);
    }

    #[test]
    fn every_operation_has_a_permission_and_the_union_is_small() {
        for op in Operation::ALL {
            assert!(!op.requirement().least_privileged().is_empty(), "{op:?}");
        }
        let all = all_least_privileged_permissions();
        assert!(all.contains(&"Synchronization.ReadWrite.All"));
        assert!(all.contains(&"AuditLog.Read.All"));
        assert!(!all.contains(&"Directory.ReadWrite.All"));
    }
}
