//! Finding the person or the app a playbook is about, from what someone typed.
//!
//! USER is a user principal name, an object id, or (in the app's search box) a name; APP is a
//! display name or a service principal object id. More than one match is never guessed between:
//! the error lists the candidates.

use entra_client::graph::service_principals::ServicePrincipal;
use entra_client::graph::users::User;
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
    let is_id = uuid::Uuid::parse_str(query).is_ok();
    if is_id || query.contains('@') {
        match graph.get_user(query).await {
            Ok(user) => return Ok(PersonMatch::from_user(&user)),
            Err(entra_client::Error::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        return find_deleted(desk, query, is_id).await;
    }
    let found = graph.find_users(query, 11).await?;
    match found.as_slice() {
        [] => Err(Error::PersonNotFound {
            query: query.to_string(),
        }),
        [one] => Ok(PersonMatch::from_user(one)),
        many => Err(Error::Ambiguous {
            what: "person",
            query: query.to_string(),
            candidates: many
                .iter()
                .map(|user| PersonMatch::from_user(user).label())
                .collect(),
        }),
    }
}

/// The recycle bin, by object id or UPN. A missing permission to read it is not "not found".
async fn find_deleted(desk: &Desk, query: &str, is_id: bool) -> Result<PersonMatch> {
    let graph = desk.graph();
    let not_found = || Error::PersonNotFound {
        query: query.to_string(),
    };
    if is_id {
        return match graph.get_deleted_user(query).await {
            Ok(user) => Ok(PersonMatch::from_user(&user)),
            Err(entra_client::Error::NotFound { .. }) => Err(not_found()),
            Err(error) => Err(error.into()),
        };
    }
    // A soft-deleted user's UPN is prefixed with its object id without hyphens (graph-api.md
    // §8: "the soft-delete UPN prefix"): match exactly that, or the plain UPN, or mail — never
    // a mere suffix ("gone@" is not "nora.nearlygone@").
    let deleted = graph.list_deleted_users(None, None).await?;
    let wanted = query.to_lowercase();
    let matches: Vec<&User> = deleted
        .iter()
        .filter(|user| {
            let upn = user
                .user_principal_name
                .as_deref()
                .unwrap_or_default()
                .to_lowercase();
            let mail = user.mail.as_deref().unwrap_or_default().to_lowercase();
            let prefixed = format!("{}{wanted}", user.id.replace('-', "").to_lowercase());
            upn == wanted || upn == prefixed || mail == wanted
        })
        .collect();
    match matches.as_slice() {
        [] => Err(not_found()),
        [one] => Ok(PersonMatch::from_user(one)),
        many => Err(Error::Ambiguous {
            what: "person",
            query: query.to_string(),
            candidates: many
                .iter()
                .map(|user| PersonMatch::from_user(user).label())
                .collect(),
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
