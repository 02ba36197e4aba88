//! Users: find, get, update (disable / re-enable), revoke sessions, delete (graph-api.md §5).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lenient::{opt_bool, opt_datetime, vec_skip_bad};
use super::odata;
use super::{ApiVersion, Graph, GraphRequest};
use crate::error::Result;
use crate::permissions::Operation;

/// Properties we always `$select`: `accountEnabled` and friends are not returned by default
/// ("Get user": default properties only) (§9.6).
/// `otherMails` and `proxyAddresses` are "Returned only on `$select`" (user resource): they say
/// how a person found by an address was found.
/// `onPremisesSyncEnabled` ("true if this user object is currently being synced from an
/// on-premises Active Directory", user resource; returned only on `$select`) says that turning
/// off sign-in here is undone at the next directory sync unless the on-premises account is
/// disabled too (entra-docs `identity/users/users-revoke-access.md`, hybrid environment).
pub const USER_SELECT: &str = "id,displayName,givenName,surname,userPrincipalName,mail,otherMails,proxyAddresses,employeeId,employeeType,accountEnabled,userType,createdDateTime,deletedDateTime,signInSessionsValidFromDateTime,jobTitle,department,onPremisesSyncEnabled";

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
    /// Additional addresses, e.g. a personal one (`null` when unset reads as empty).
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub other_mails: Vec<String>,
    /// `SMTP:primary@…` and `smtp:alias@…` (read-only in Graph).
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub proxy_addresses: Vec<String>,
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
    /// `true`: mastered in on-premises Active Directory (synced); `null`/absent: a cloud account.
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

/// How a person was found by an address, so the desk can say it ("found by alias smtp:…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressMatch {
    /// `userPrincipalName`, also with the recycle bin's object-id prefix.
    SignInName,
    /// `mail`, as stored.
    Mail(String),
    /// One of `otherMails`.
    OtherMail(String),
    /// One of `proxyAddresses`, as stored (`smtp:alias@…` or `SMTP:primary@…`).
    Alias(String),
}

impl User {
    /// How `address` matches this user, if it does: UPN, then mail, other e-mails, `smtp:`
    /// aliases (graph-api.md §11.6). Case-insensitive: Microsoft's pages say nothing about case
    /// in these comparisons, and an address typed in other capitals is the same mailbox, so the
    /// cautious reading is to never miss a match because of case. A deleted user's UPN carries
    /// its object id without hyphens as a prefix (§8), which is matched exactly, never as a mere
    /// suffix ("gone@" is not "nora.nearlygone@").
    pub fn address_match(&self, address: &str) -> Option<AddressMatch> {
        let wanted = address.trim().to_lowercase();
        if wanted.is_empty() {
            return None;
        }
        let upn = self
            .user_principal_name
            .as_deref()
            .unwrap_or_default()
            .to_lowercase();
        let prefixed = format!("{}{wanted}", self.id.replace('-', "").to_lowercase());
        if upn == wanted || (self.deleted_date_time.is_some() && upn == prefixed) {
            return Some(AddressMatch::SignInName);
        }
        if let Some(mail) = self.mail.as_deref().filter(|m| m.to_lowercase() == wanted) {
            return Some(AddressMatch::Mail(mail.to_string()));
        }
        if let Some(other) = self.other_mails.iter().find(|m| m.to_lowercase() == wanted) {
            return Some(AddressMatch::OtherMail(other.clone()));
        }
        self.proxy_addresses
            .iter()
            .find(|p| {
                p.split_once(':').is_some_and(|(kind, a)| {
                    kind.eq_ignore_ascii_case("smtp") && a.to_lowercase() == wanted
                })
            })
            .map(|p| AddressMatch::Alias(p.clone()))
    }
}

/// The `$filter` for people whose e-mail, other e-mails or aliases hold `address` (graph-api.md
/// §11.6). microsoft-graph-docs-contrib `api-reference/v1.0/resources/user.md`: `mail`
/// supports `eq`, `otherMails` and `proxyAddresses` (string collections) support `eq` — written
/// as the lambda `any(x:x eq '…')` (`concepts/filter-query-parameter.md`). Aliases are stored
/// as `smtp:…`, the primary as `SMTP:…` (the user page's own example); whether Graph compares
/// that prefix case-insensitively is not documented, so both spellings are asked for.
pub fn address_filter(address: &str) -> String {
    let a = address.trim();
    let lambda =
        |collection: &str, value: &str| format!("{collection}/any(x:x eq {})", odata::quote(value));
    odata::or(&[
        odata::eq("mail", a),
        lambda("otherMails", a),
        lambda("proxyAddresses", &format!("smtp:{a}")),
        lambda("proxyAddresses", &format!("SMTP:{a}")),
    ])
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

    /// People whose e-mail, other e-mails or aliases hold `address` ([`address_filter`]), at
    /// most `limit`. `GET /users/{upn}` resolves only the UPN (and the object id); everything
    /// else needs `$filter` (graph-api.md §11.6).
    ///
    /// Sent as an advanced query (`ConsistencyLevel: eventual` + `$count=true`): the docs list
    /// `eq` on these properties as working by default but say nothing of lambdas joined with
    /// `or`, and "queries that are supported by default will also work with advanced query
    /// parameters" (graph-docs `concepts/aad-advanced-queries.md`). The cautious reading.
    pub async fn find_users_by_address(&self, address: &str, limit: usize) -> Result<Vec<User>> {
        let filter = address_filter(address);
        let top = limit.clamp(1, 999).to_string();
        let url = self.url(
            ApiVersion::V1,
            &["users"],
            &[
                ("$filter", &filter),
                ("$select", USER_SELECT),
                ("$top", &top),
                ("$count", "true"),
            ],
        );
        let request = self.list_request(url, Operation::ReadUsers).eventual();
        self.collect::<User>(request, Some(limit)).await
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
    fn address_filter_asks_for_mail_other_mails_and_both_alias_spellings() {
        assert_eq!(
            address_filter(" o'brien@contoso.com "),
            "mail eq 'o''brien@contoso.com' or otherMails/any(x:x eq 'o''brien@contoso.com') \
             or proxyAddresses/any(x:x eq 'smtp:o''brien@contoso.com') \
             or proxyAddresses/any(x:x eq 'SMTP:o''brien@contoso.com')"
        );
    }

    #[test]
    fn address_match_says_how_a_person_was_found() {
        let user: User = serde_json::from_value(serde_json::json!({
            "id": "0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10",
            "userPrincipalName": "amelia.stone@contoso.com",
            "mail": "amelia.hart@contoso.com",
            "otherMails": ["Amelia@Example.net"],
            "proxyAddresses": ["SMTP:amelia.hart@contoso.com", "smtp:a.hart@sales.contoso.com"],
        }))
        .unwrap();
        assert_eq!(
            user.address_match("AMELIA.STONE@contoso.com"),
            Some(AddressMatch::SignInName)
        );
        assert_eq!(
            user.address_match("amelia.hart@contoso.com"),
            Some(AddressMatch::Mail("amelia.hart@contoso.com".into()))
        );
        assert_eq!(
            user.address_match("amelia@example.NET"),
            Some(AddressMatch::OtherMail("Amelia@Example.net".into()))
        );
        assert_eq!(
            user.address_match("A.Hart@sales.contoso.com"),
            Some(AddressMatch::Alias("smtp:a.hart@sales.contoso.com".into()))
        );
        assert_eq!(user.address_match("hart@contoso.com"), None);
        let unset: User =
            serde_json::from_value(serde_json::json!({"id": "x", "otherMails": null})).unwrap();
        assert!(unset.other_mails.is_empty() && unset.proxy_addresses.is_empty());
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
