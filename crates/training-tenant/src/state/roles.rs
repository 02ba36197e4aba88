//! Microsoft Entra built-in roles the training tenant knows, by role template id
//! (the ids are Microsoft's and appear as-is in the `wids` claim of access tokens).

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";
pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: &str = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
pub const AUTHENTICATION_ADMINISTRATOR: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
pub const GROUPS_ADMINISTRATOR: &str = "fdd7a751-b60b-444a-984c-02652fe8fa1c";
pub const HYBRID_IDENTITY_ADMINISTRATOR: &str = "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2";
/// Every member user of a tenant holds this implicit role; it grants nothing administrative.
pub const DEFAULT_USER: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";

/// (display name, template id)
pub const BUILT_IN: &[(&str, &str)] = &[
    ("Global Administrator", GLOBAL_ADMINISTRATOR),
    ("User Administrator", USER_ADMINISTRATOR),
    ("Application Administrator", APPLICATION_ADMINISTRATOR),
    (
        "Cloud Application Administrator",
        CLOUD_APPLICATION_ADMINISTRATOR,
    ),
    ("Reports Reader", REPORTS_READER),
    ("Global Reader", GLOBAL_READER),
    (
        "Privileged Authentication Administrator",
        PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    ),
    ("Authentication Administrator", AUTHENTICATION_ADMINISTRATOR),
    ("Helpdesk Administrator", HELPDESK_ADMINISTRATOR),
    ("Groups Administrator", GROUPS_ADMINISTRATOR),
    (
        "Hybrid Identity Administrator",
        HYBRID_IDENTITY_ADMINISTRATOR,
    ),
];

pub fn template_id(name: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, id)| *id)
}

pub fn display_name(template_id: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(_, id)| *id == template_id)
        .map(|(n, _)| *n)
}

/// Roles whose holders a User Administrator may still manage ("sensitive actions" doc: User
/// Administrator can change sensitive attributes of non-admins and of these limited admins).
/// Anyone holding a role outside this list needs a Privileged Authentication Administrator or a
/// Global Administrator.
pub const MANAGEABLE_BY_USER_ADMINISTRATOR: &[&str] = &[
    HELPDESK_ADMINISTRATOR,
    REPORTS_READER,
    GROUPS_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    DEFAULT_USER,
];

/// Whether managing a user that holds `target_roles` needs more than User Administrator.
pub fn is_privileged_target(target_roles: &[String]) -> bool {
    target_roles
        .iter()
        .any(|r| !MANAGEABLE_BY_USER_ADMINISTRATOR.contains(&r.as_str()))
}
