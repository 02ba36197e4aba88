//! Users: find, get, update (disable / re-enable), revoke sessions, delete (graph-api.md §5).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lenient::{opt_bool, opt_datetime};
use super::odata;
use super::{ApiVersion, Graph, GraphRequest};
use crate::error::Result;
use crate::permissions::Operation;

/// Properties we always `$select`: `accountEnabled` and friends are not returned by default
/// ("Get user": default properties only) (§9.6).
pub const USER_SELECT: &str = "id,displayName,givenName,surname,userPrincipalName,mail,employeeId,employeeType,accountEnabled,userType,createdDateTime,deletedDateTime,signInSessionsValidFromDateTime,jobTitle,department";

/// A user as the procedures see it. Everything except `id` is optional: `$select` decides
/// what comes back, and soft-deleted users come from a different endpoint with the same shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub employee_id: Option<String>,
    /// `None` when not selected — never assume enabled.
    #[serde(default, deserialize_with = "opt_bool")]
    pub account_enabled: Option<bool>,
    #[serde(default)]
    pub employee_type: Option<String>,
    #[serde(default)]
    pub user_type: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// Set only for soft-deleted users (from deleted items).
    #[serde(default, deserialize_with = "opt_datetime")]
    pub deleted_date_time: Option<DateTime<Utc>>,
    /// Moves to "now" when sessions are revoked.
    #[serde(default, deserialize_with = "opt_datetime")]
    pub sign_in_sessions_valid_from_date_time: Option<DateTime<Utc>>,
    /// Only when selected explicitly (not in [`USER_SELECT`]: not every directory serves it).
    #[serde(default, deserialize_with = "opt_bool")]
    pub on_premises_sync_enabled: Option<bool>,
    /// Needs User-LifeCycleInfo.Read.All; only when selected explicitly.
    #[serde(default, deserialize_with = "opt_datetime")]
    pub employee_leave_date_time: Option<DateTime<Utc>>,
}

/// A `PATCH /users/{id}` body: only the fields that are `Some` are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// `Some(None)` clears the date (`null`), `Some(Some(t))` sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_leave_date_time: Option<Option<DateTime<Utc>>>,
}

impl UserPatch {
    /// The operation (and so the permission) this patch needs: `accountEnabled` alone has its
    /// own least-privileged permission, anything else needs User.ReadWrite.All.
    pub fn operation(&self) -> Operation {
        let only_enabled = self.display_name.is_none()
            && self.job_title.is_none()
            && self.department.is_none()
            && self.employee_leave_date_time.is_none();
        if only_enabled && self.account_enabled.is_some() {
            Operation::SetAccountEnabled
        } else {
            Operation::UpdateUser
        }
    }
}

/// How a search string is interpreted by [`Graph::find_users`].
pub fn find_filter(query: &str) -> Option<String> {
    let q = query.trim();
    if q.is_empty() {
        return None;
    }
    if q.contains('@') {
        return Some(odata::or(&[
            odata::eq("userPrincipalName", q),
            odata::eq("mail", q),
        ]));
    }
    let mut clauses = vec![
        odata::starts_with("displayName", q),
        odata::starts_with("givenName", q),
        odata::starts_with("surname", q),
        odata::starts_with("userPrincipalName", q),
        odata::starts_with("mail", q),
    ];
    if q.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        clauses.push(odata::eq("employeeId", q));
    }
    Some(odata::or(&clauses))
}

impl Graph {
    /// `{v1}/users/{id}/{tail…}`, with `$`-prefixed UPNs in key syntax.
    pub(crate) fn user_url(
        &self,
        id_or_upn: &str,
        tail: &[&str],
        query: &[(&str, &str)],
    ) -> url::Url {
        let mut segments = odata::entity_segments("users", id_or_upn);
        segments.extend(tail.iter().map(|t| t.to_string()));
        let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
        self.url(ApiVersion::V1, &refs, query)
    }

    /// Finds people by name, UPN, mail or employee id (at most `limit`). An object id is looked
    /// up directly.
    pub async fn find_users(&self, query: &str, limit: usize) -> Result<Vec<User>> {
        let q = query.trim();
        if uuid::Uuid::parse_str(q).is_ok() {
            return match self.get_user(q).await {
                Ok(u) => Ok(vec![u]),
                Err(crate::Error::NotFound { .. }) => Ok(vec![]),
                Err(e) => Err(e),
            };
        }
        let Some(filter) = find_filter(q) else {
            return Ok(vec![]);
        };
        let top = limit.clamp(1, 999).to_string();
        let url = self.url(
            ApiVersion::V1,
            &["users"],
            &[
                ("$filter", &filter),
                ("$select", USER_SELECT),
                ("$top", &top),
            ],
        );
        self.collect::<User>(self.list_request(url, Operation::ReadUsers), Some(limit))
            .await
    }

    /// One user by object id or UPN, with [`USER_SELECT`].
    pub async fn get_user(&self, id_or_upn: &str) -> Result<User> {
        let url = self.user_url(id_or_upn, &[], &[("$select", USER_SELECT)]);
        self.get_json(url, Operation::ReadUsers).await
    }

    /// `PATCH /users/{id}` → 204.
    pub async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<()> {
        let url = self.user_url(id, &[], &[]);
        let body = serde_json::to_value(patch).unwrap_or(Value::Null);
        self.send(GraphRequest::new(Method::PATCH, url, patch.operation()).json(body))
            .await?;
        Ok(())
    }

    /// Disables (`false`) or re-enables (`true`) sign-in. Disabling does not end existing
    /// sessions: call [`Graph::revoke_sign_in_sessions`] too (§5.2).
    pub async fn set_account_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        self.update_user(
            id,
            &UserPatch {
                account_enabled: Some(enabled),
                ..Default::default()
            },
        )
        .await
    }

    /// `POST /users/{id}/revokeSignInSessions`. The docs show 200 `{"value": true}`, the original
    /// API returned 204 (§9.8): any 2xx is success.
    pub async fn revoke_sign_in_sessions(&self, id: &str) -> Result<()> {
        let url = self.user_url(id, &["revokeSignInSessions"], &[]);
        self.send(GraphRequest::new(
            Method::POST,
            url,
            Operation::RevokeSignInSessions,
        ))
        .await?;
        Ok(())
    }

    /// `DELETE /users/{id}`: a soft delete; the user sits in deleted items for 30 days.
    pub async fn delete_user(&self, id: &str) -> Result<()> {
        let url = self.user_url(id, &[], &[]);
        self.send(GraphRequest::new(
            Method::DELETE,
            url,
            Operation::DeleteUser,
        ))
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_filter_escapes_and_picks_clauses() {
        let f = find_filter("o'brien@contoso.com").unwrap();
        assert_eq!(
            f,
            "userPrincipalName eq 'o''brien@contoso.com' or mail eq 'o''brien@contoso.com'"
        );
        let f = find_filter("E1234").unwrap();
        assert!(f.contains("employeeId eq 'E1234'"));
        assert!(f.contains("startswith(displayName,'E1234')"));
        assert!(find_filter("  ").is_none());
        let f = find_filter("Mary O'Neil").unwrap();
        assert!(f.contains("'Mary O''Neil'") && !f.contains("employeeId"));
    }

    #[test]
    fn patch_sends_only_set_fields_and_picks_permission() {
        let p = UserPatch {
            account_enabled: Some(false),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"accountEnabled":false}"#
        );
        assert_eq!(p.operation(), Operation::SetAccountEnabled);
        let p = UserPatch {
            employee_leave_date_time: Some(None),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"employeeLeaveDateTime":null}"#
        );
        assert_eq!(p.operation(), Operation::UpdateUser);
    }
}
