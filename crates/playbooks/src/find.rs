//! Finding the person or the app a playbook is about, from what someone typed.
//!
//! USER is a user principal name, an object id, an e-mail address (mail, one of the other
//! e-mails, or an alias in proxyAddresses), or (in the app's search box) a name; APP is a
//! display name or a service principal object id. More than one match is never guessed between:
//! the error lists the candidates.

use entra_client::graph::service_principals::ServicePrincipal;
use entra_client::graph::users::{AddressMatch, User};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::{Error, Result};

/// A person as found in the directory or in the recycle bin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonMatch {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    /// `None` when it could not be read.
    pub account_enabled: Option<bool>,
    /// In the recycle bin (soft-deleted): when it was deleted.
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Found by an address other than the sign-in name: which one, so the operator sees why.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub found_by: Option<FoundBy>,
    /// Synced from on-premises Active Directory (`onPremisesSyncEnabled`): the next directory
    /// sync re-applies what on-premises says (graph-api.md §11.8).
    #[serde(default)]
    pub synced_from_on_premises: bool,
}

/// How a search by address found a person when it was not their sign-in name (UPN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FoundBy {
    /// `mail` (e.g. a renamed person, or a guest's own address).
    Mail { address: String },
    /// One of `otherMails` (e.g. a personal address).
    OtherMail { address: String },
    /// An alias in `proxyAddresses`, as Entra stores it (`smtp:…`).
    Alias { address: String },
}

impl FoundBy {
    fn from_match(found: AddressMatch) -> Option<Self> {
        match found {
            AddressMatch::SignInName => None,
            AddressMatch::Mail(address) => Some(FoundBy::Mail { address }),
            AddressMatch::OtherMail(address) => Some(FoundBy::OtherMail { address }),
            AddressMatch::Alias(address) => Some(FoundBy::Alias { address }),
        }
    }

    /// "Found by alias smtp:t.binns@contoso-sales.example" (a fact on a preview).
    pub fn sentence(&self) -> String {
        let text = self.describe();
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }

    /// "found by alias smtp:t.binns@contoso-sales.example".
    pub fn describe(&self) -> String {
        match self {
            FoundBy::Mail { address } => format!("found by e-mail {address}"),
            FoundBy::OtherMail { address } => format!("found by other e-mail {address}"),
            FoundBy::Alias { address } => format!("found by alias {address}"),
        }
    }
}

impl PersonMatch {
    pub fn from_user(user: &User) -> Self {
        PersonMatch {
            id: user.id.clone(),
            display_name: user
                .display_name
                .clone()
                .or_else(|| user.user_principal_name.clone())
                .unwrap_or_else(|| user.id.clone()),
            user_principal_name: user.user_principal_name.clone().unwrap_or_default(),
            mail: user.mail.clone(),
            account_enabled: user.account_enabled,
            deleted_at: user.deleted_date_time,
            found_by: None,
            synced_from_on_premises: user.on_premises_sync_enabled == Some(true),
        }
    }

    /// The person, with how `address` found them.
    fn found_by_address(user: &User, address: &str) -> Self {
        PersonMatch {
            found_by: user.address_match(address).and_then(FoundBy::from_match),
            ..PersonMatch::from_user(user)
        }
    }

    /// The label, with how the person was found: a candidate in a list says why it is there.
    fn label_with_how(&self) -> String {
        match &self.found_by {
            Some(how) => format!("{} — {}", self.label(), how.describe()),
            None => self.label(),
        }
    }

    /// "Jane Smith (jane@contoso.com)".
    pub fn label(&self) -> String {
        if self.user_principal_name.is_empty() || self.user_principal_name == self.display_name {
            self.display_name.clone()
        } else {
            format!("{} ({})", self.display_name, self.user_principal_name)
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// An enterprise app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppMatch {
    /// The service principal's object id (what the synchronization API takes).
    pub service_principal_id: String,
    pub display_name: String,
}

impl AppMatch {
    pub fn from_service_principal(sp: &ServicePrincipal) -> Self {
        AppMatch {
            service_principal_id: sp.id.clone(),
            display_name: sp
                .display_name
                .clone()
                .or_else(|| sp.app_display_name.clone())
                .unwrap_or_else(|| sp.id.clone()),
        }
    }
}

/// Refuses an object id that a front end handed back and that cannot name one object: empty,
/// a `.`/`..` path segment (the URL builder drops those, so `PATCH /users/..` would go out as
/// `PATCH /users`), or one carrying path, query or control characters. Entra object ids are
/// GUIDs; the check is looser than that on purpose (it guards the URL, not the format).
pub fn check_object_id(id: &str) -> Result<()> {
    let unusable = id.trim().is_empty()
        || matches!(id, "." | "..")
        || id
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | '?' | '#' | '%'));
    if unusable {
        return Err(Error::PlanTampered(format!(
            "\"{}\" is not an object id",
            id.escape_debug()
        )));
    }
    Ok(())
}

/// Searches people (directory only) for a search box: name, UPN, mail, employee id.
pub async fn search_people(desk: &Desk, query: &str, limit: usize) -> Result<Vec<PersonMatch>> {
    let users = desk.graph().find_users(query, limit).await?;
    Ok(users.iter().map(PersonMatch::from_user).collect())
}

/// Exactly one person for `query`: in the directory, or else in the recycle bin (PLAYBOOKS.md
/// Playbook 2: "find the person, including in Deleted users").
pub async fn find_person(desk: &Desk, query: &str) -> Result<PersonMatch> {
    let query = query.trim();
    let graph = desk.graph();
    if uuid::Uuid::parse_str(query).is_ok() {
        match graph.get_user(query).await {
            Ok(user) => return Ok(PersonMatch::from_user(&user)),
            Err(entra_client::Error::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        return match graph.get_deleted_user(query).await {
            Ok(user) => Ok(PersonMatch::from_user(&user)),
            Err(entra_client::Error::NotFound { .. }) => Err(not_found(query)),
            Err(error) => Err(error.into()),
        };
    }
    if query.contains('@') {
        let found = find_people_by_address(desk, query).await?;
        return exactly_one(query, found);
    }
    let found = graph.find_users(query, 11).await?;
    let found: Vec<PersonMatch> = found.iter().map(PersonMatch::from_user).collect();
    exactly_one(query, found)
}

/// Everyone `address` names, as Entra can be asked (graph-api.md §11.6): the sign-in name
/// (`GET /users/{upn}`), then mail, other e-mails and aliases (`$filter`, see
/// [`entra_client::graph::users::address_filter`]); when the directory has nobody, the recycle
/// bin by the same addresses (its UPNs carry the object-id prefix). Empty when nobody has it.
pub async fn find_people_by_address(desk: &Desk, address: &str) -> Result<Vec<PersonMatch>> {
    let address = address.trim();
    let graph = desk.graph();
    match graph.get_user(address).await {
        Ok(user) => return Ok(vec![PersonMatch::from_user(&user)]),
        Err(entra_client::Error::NotFound { .. }) => {}
        Err(error) => return Err(error.into()),
    }
    let found = graph.find_users_by_address(address, 11).await?;
    if !found.is_empty() {
        return Ok(found
            .iter()
            .map(|user| PersonMatch::found_by_address(user, address))
            .collect());
    }
    find_deleted_by_address(desk, address).await
}

/// The recycle bin by address. Graph's `$filter` on deleted items cannot match a UPN behind
/// its object-id prefix exactly, so the (small) recycle bin is read and matched here with the
/// same rules: exact UPN or prefixed UPN, mail, other e-mails, `smtp:` aliases — never a mere
/// suffix ("gone@" is not "nora.nearlygone@"). A missing permission to read it is an error,
/// not "not found".
async fn find_deleted_by_address(desk: &Desk, address: &str) -> Result<Vec<PersonMatch>> {
    let deleted = desk.graph().list_deleted_users(None, None).await?;
    Ok(deleted
        .iter()
        .filter(|user| user.address_match(address).is_some())
        .map(|user| PersonMatch::found_by_address(user, address))
        .collect())
}

fn not_found(query: &str) -> Error {
    Error::PersonNotFound {
        query: query.to_string(),
    }
}

fn exactly_one(query: &str, found: Vec<PersonMatch>) -> Result<PersonMatch> {
    match <[PersonMatch; 1]>::try_from(found) {
        Ok([one]) => Ok(one),
        Err(none) if none.is_empty() => Err(not_found(query)),
        Err(many) => Err(Error::Ambiguous {
            what: "person",
            query: query.to_string(),
            candidates: many.iter().map(PersonMatch::label_with_how).collect(),
        }),
    }
}

/// Exactly one enterprise app, by service principal object id or display name (exact match,
/// case-insensitive, preferred over a prefix match).
pub async fn find_app(desk: &Desk, query: &str) -> Result<AppMatch> {
    let query = query.trim();
    let graph = desk.graph();
    if uuid::Uuid::parse_str(query).is_ok() {
        match graph.get_service_principal(query).await {
            Ok(sp) => return Ok(AppMatch::from_service_principal(&sp)),
            Err(entra_client::Error::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let candidates = graph.list_service_principals(Some(query), Some(50)).await?;
    let exact: Vec<&ServicePrincipal> = candidates
        .iter()
        .filter(|sp| {
            sp.display_name
                .as_deref()
                .is_some_and(|name| name.eq_ignore_ascii_case(query))
        })
        .collect();
    let chosen: Vec<&ServicePrincipal> = if exact.is_empty() {
        candidates.iter().collect()
    } else {
        exact
    };
    match chosen.as_slice() {
        [] => Err(Error::AppNotFound {
            query: query.to_string(),
        }),
        [one] => Ok(AppMatch::from_service_principal(one)),
        many => Err(Error::Ambiguous {
            what: "app",
            query: query.to_string(),
            candidates: many
                .iter()
                .map(|sp| {
                    let app = AppMatch::from_service_principal(sp);
                    format!("{} ({})", app.display_name, app.service_principal_id)
                })
                .collect(),
        }),
    }
}

#[cfg(test)]
mod object_id_tests {
    use super::check_object_id;

    #[test]
    fn ids_that_would_change_the_url_are_refused() {
        for bad in [
            "", " ", ".", "..", "a/b", "../users", "x?y", "x#y", "a%2F", "a\nb",
        ] {
            let refused = check_object_id(bad).expect_err(bad);
            assert_eq!(refused.code(), "plan_tampered", "{bad:?}");
        }
        check_object_id("0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10").unwrap();
    }
}
