//! Why a person's link is wrong or stale, from what the provisioning logs show — decided only as
//! far as the evidence goes ("we cannot tell" otherwise).
//!
//! Microsoft's page (entra-docs `manage-object-connections.md`, "Repair an incorrect object
//! connection") starts with "Review the provisioning logs and identify the source and target
//! objects in the incorrect connection", then "Correct the source data, target data, attribute
//! mappings, or matching configuration that caused the incorrect association" — otherwise "a
//! later provisioning cycle might recreate the same connection". The logs say which app account
//! (`targetIdentity.id`) each change went to and what it changed (`modifiedProperties`, old and
//! new values); the causes below are read from those alone.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entra_client::graph::provisioning_logs::{ProvisioningLogQuery, ProvisioningObjectSummary};
use entra_client::graph::synchronization::SynchronizationSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::StoredLink;
use crate::desk::Desk;
use crate::explain::reached_app_as_inactive;
use crate::find::PersonMatch;

/// The likely reason the link is wrong or stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkCause {
    /// The app made the linked account inactive (soft-deleted it) and keeps answering for it as
    /// inactive: Entra keeps using that id and never creates or matches another account.
    AppSoftDeleted { since: Option<DateTime<Utc>> },
    /// The linked account is someone else's: Entra changed its matching attribute from another
    /// person's value (`account`, the directory's `owner`) to this person's.
    LinkedToAnotherAccount {
        account: String,
        owner: Option<String>,
    },
    /// The person's own matching value changed (`from` → `to`) and the app account kept the old
    /// one for a while; the link may point at an account the app now knows by another name.
    MatchingAttributeChanged { from: String, to: String },
    /// The logs do not say.
    CannotTell,
}

/// The matching attribute of the app's user mapping: the app's attribute and the Entra source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchingAttribute {
    /// The app's attribute, e.g. `userName`.
    pub target: String,
    /// The Entra attribute or expression it comes from, e.g. `userPrincipalName`.
    pub source: String,
}

/// The first matching attribute (precedence 1) of the enabled user mapping.
pub fn matching_attribute(schema: &SynchronizationSchema) -> Option<MatchingAttribute> {
    let (_, mapping) = schema.user_mappings().into_iter().next()?;
    let first = mapping.matching_attributes().into_iter().next()?;
    let source = first.source.as_ref();
    Some(MatchingAttribute {
        target: first.target_attribute_name.clone()?,
        source: source
            .and_then(|s| s.name.clone().or_else(|| s.expression.clone()))
            .unwrap_or_else(|| "?".into()),
    })
}

/// The person's entries in this job (newest first), or why they could not be read.
pub(super) async fn person_entries(
    desk: &Desk,
    job_id: &str,
    person_id: &str,
    now: DateTime<Utc>,
    days: i64,
) -> (Vec<ProvisioningObjectSummary>, Option<String>) {
    let query = ProvisioningLogQuery {
        job_id: Some(job_id.to_string()),
        source_identity_id: Some(person_id.to_string()),
        ..Default::default()
    };
    let since = Some(now - chrono::Duration::days(days));
    match crate::logs::entries_since(desk, &query, since, 50).await {
        Ok(entries) => (
            entries
                .into_iter()
                // Defensive: a server that ignores the filter must not lend us someone else's.
                .filter(|e| {
                    e.source_identity
                        .as_ref()
                        .and_then(|s| s.id.as_deref())
                        .is_some_and(|id| id.eq_ignore_ascii_case(person_id))
                })
                .collect(),
            None,
        ),
        Err(error) => (Vec::new(), Some(error.to_string())),
    }
}

fn target_of(entry: &ProvisioningObjectSummary) -> Option<&str> {
    entry
        .target_identity
        .as_ref()
        .and_then(|t| t.id.as_deref())
        .filter(|id| !id.is_empty())
}

fn unquote(value: &str) -> &str {
    value.trim().trim_matches('"').trim()
}

/// Whether `value` is one of the person's own names (UPN, mail, display name), any case.
fn is_own(person: &PersonMatch, value: &str) -> bool {
    let value = value.to_lowercase();
    [
        Some(person.user_principal_name.as_str()),
        person.mail.as_deref(),
        Some(person.display_name.as_str()),
    ]
    .into_iter()
    .flatten()
    .any(|own| !own.is_empty() && own.to_lowercase() == value)
}

/// The values the linked account's matching attribute had before Entra changed them to the
/// person's (the `oldValue`s in the entries about that account): the preview looks each up in
/// the directory to tell another person's account from the person's own old name.
pub fn earlier_values(
    person: &PersonMatch,
    link: Option<&StoredLink>,
    entries: &[ProvisioningObjectSummary],
    matching: Option<&MatchingAttribute>,
) -> Vec<String> {
    let Some(link) = link else {
        return Vec::new();
    };
    let matching_name = matching.map(|m| m.target.as_str()).unwrap_or("userName");
    let mut values: Vec<String> = entries
        .iter()
        .filter(|e| target_of(e) == Some(link.target_anchor.as_str()))
        .flat_map(|e| e.modified_properties.iter())
        .filter(|p| {
            p.display_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(matching_name))
        })
        .filter_map(|p| p.old_value.as_deref().map(unquote))
        .filter(|old| !old.is_empty() && !is_own(person, old))
        .map(str::to_string)
        .collect();
    values.sort();
    values.dedup();
    values
}

/// The likely cause, from the stored link, the person's entries (newest first) and `owners`:
/// earlier values of the matching attribute (lower case) that belong to another person in the
/// directory, with that person's name. Pure: the same evidence always gives the same answer.
pub fn likely_cause(
    person: &PersonMatch,
    link: Option<&StoredLink>,
    entries: &[ProvisioningObjectSummary],
    matching: Option<&MatchingAttribute>,
    owners: &BTreeMap<String, String>,
) -> LinkCause {
    let Some(link) = link else {
        return LinkCause::CannotTell;
    };
    let to_linked: Vec<&ProvisioningObjectSummary> = entries
        .iter()
        .filter(|e| target_of(e) == Some(link.target_anchor.as_str()))
        .collect();
    let matching_name = matching.map(|m| m.target.as_str()).unwrap_or("userName");
    // A change of the matching attribute on the linked account: from someone else's value (the
    // link points at another person's account), or from the person's own earlier value.
    for entry in &to_linked {
        for property in &entry.modified_properties {
            let named = property
                .display_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(matching_name));
            let (Some(old), Some(new)) =
                (property.old_value.as_deref(), property.new_value.as_deref())
            else {
                continue;
            };
            let (old, new) = (unquote(old), unquote(new));
            if !named || old.is_empty() || old.eq_ignore_ascii_case(new) {
                continue;
            }
            if let Some(owner) = owners.get(&old.to_lowercase()) {
                return LinkCause::LinkedToAnotherAccount {
                    account: old.to_string(),
                    owner: Some(owner.clone()),
                };
            }
            return LinkCause::MatchingAttributeChanged {
                from: old.to_string(),
                to: new.to_string(),
            };
        }
    }
    // The app holds the linked account inactive while the person is enabled in Entra: Entra
    // keeps sending active = True to it (old value False), or the app was told to disable it.
    if person.account_enabled != Some(false) {
        if let Some(inactive) = to_linked
            .iter()
            .rev()
            .find(|e| app_keeps_it_inactive(e) || reached_app_as_inactive(e))
        {
            return LinkCause::AppSoftDeleted {
                since: inactive.activity_date_time,
            };
        }
    }
    LinkCause::CannotTell
}

/// An update that found the app account inactive and tried to make it active again.
fn app_keeps_it_inactive(entry: &ProvisioningObjectSummary) -> bool {
    let is = |v: Option<&str>, want: &str| v.is_some_and(|v| unquote(v).eq_ignore_ascii_case(want));
    entry.modified_properties.iter().any(|p| {
        p.display_name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case("active"))
            && is(p.old_value.as_deref(), "false")
            && is(p.new_value.as_deref(), "true")
    })
}

impl LinkCause {
    /// The cause in plain words.
    pub fn plain(&self, person: &str, app: &str) -> String {
        match self {
            LinkCause::AppSoftDeleted { .. } => format!("{app} made {person}'s account inactive (soft-deleted it) and keeps answering for it as inactive. Entra keeps using that account's id, so it never creates a new account or matches another one for {person}."),
            LinkCause::LinkedToAnotherAccount { account, owner } => format!("The link points at {} account in {app}: Entra sends {person}'s changes to the account of {account} and tries to rename it to {person}'s, so {person}'s own account is never updated.", owner.as_deref().map(|o| format!("{o}'s")).unwrap_or_else(|| "another person's".into())),
            LinkCause::MatchingAttributeChanged { from, to } => format!("The value {app} matches people by changed from {from} to {to}; the account Entra links {person} to may not be the one {app} now knows them by."),
            LinkCause::CannotTell => format!("We cannot tell from the provisioning logs why {person}'s link in {app} is wrong. Check the account in {app} before re-linking."),
        }
    }

    /// What to fix before forgetting the link, when the cause is in the data or the mappings.
    pub fn fix_first(
        &self,
        person: &PersonMatch,
        app: &str,
        matching: Option<&MatchingAttribute>,
    ) -> Option<String> {
        let attribute = matching
            .map(|m| format!("{} (from {})", m.target, m.source))
            .unwrap_or_else(|| "the attribute it matches people by".into());
        match self {
            LinkCause::LinkedToAnotherAccount { account, .. } => Some(format!("Check the data first: {app} matches people by {attribute}. Make sure the account of {account} keeps its own value and that only {}'s own account in {app} carries theirs; otherwise the next round links {} the same way again.", person.display_name, person.display_name)),
            LinkCause::MatchingAttributeChanged { to, .. } => Some(format!("Fix the data or the mapping first: {app} matches people by {attribute}; make sure {}'s value ({to}) is the one their account in {app} should be found by, and not used by anyone else. Otherwise the next round links the same way again.", person.display_name)),
            LinkCause::AppSoftDeleted { .. } | LinkCause::CannotTell => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    fn person() -> PersonMatch {
        PersonMatch {
            id: "p-1".into(),
            display_name: "Ada Lovelace".into(),
            user_principal_name: "ada@contoso.com".into(),
            mail: Some("ada@contoso.com".into()),
            account_enabled: Some(true),
            deleted_at: None,
            found_by: None,
            synced_from_on_premises: false,
        }
    }

    fn link(target: &str) -> StoredLink {
        StoredLink {
            source_anchor: "p-1".into(),
            target_anchor: target.into(),
            display_name: Some("Ada Lovelace".into()),
            object_type: Some("user".into()),
        }
    }

    fn entry(target: &str, json: serde_json::Value) -> ProvisioningObjectSummary {
        let mut value = serde_json::json!({
            "id": "e", "activityDateTime": "2026-11-20T08:00:00Z",
            "sourceIdentity": {"id": "p-1", "displayName": "Ada Lovelace"},
            "targetIdentity": {"id": target},
            "provisioningStatusInfo": {"status": "success"},
        });
        if let (Some(base), Some(extra)) = (value.as_object_mut(), json.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn an_account_the_app_made_inactive_is_the_soft_delete_story() {
        let disabled = entry(
            "acct-9",
            serde_json::json!({"provisioningAction": "disable"}),
        );
        let cause = likely_cause(&person(), Some(&link("acct-9")), &[disabled], None, &none());
        assert!(
            matches!(cause, LinkCause::AppSoftDeleted { .. }),
            "{cause:?}"
        );
        // Project Insight's answer: Entra finds the account inactive and sends active = True.
        let in_vain = entry(
            "acct-9",
            serde_json::json!({"provisioningAction": "update", "modifiedProperties": [
                {"displayName": "active", "oldValue": "False", "newValue": "True"}
            ]}),
        );
        let cause = likely_cause(&person(), Some(&link("acct-9")), &[in_vain], None, &none());
        assert!(
            matches!(cause, LinkCause::AppSoftDeleted { .. }),
            "{cause:?}"
        );
        assert!(cause
            .fix_first(&person(), "Project Insight", None)
            .is_none());
        let text = cause.plain("Ada Lovelace", "Project Insight");
        assert!(
            text.contains("keeps answering for it as inactive"),
            "{text}"
        );
    }

    #[test]
    fn a_user_name_taken_over_from_someone_else_is_another_persons_account() {
        let update = entry(
            "acct-2",
            serde_json::json!({"provisioningAction": "update", "modifiedProperties": [
                {"displayName": "userName", "oldValue": "\"bob.jones@contoso.com\"", "newValue": "\"ada@contoso.com\""}
            ]}),
        );
        assert_eq!(
            earlier_values(
                &person(),
                Some(&link("acct-2")),
                std::slice::from_ref(&update),
                None
            ),
            ["bob.jones@contoso.com"]
        );
        let owners =
            BTreeMap::from([("bob.jones@contoso.com".to_string(), "Bob Jones".to_string())]);
        let cause = likely_cause(&person(), Some(&link("acct-2")), &[update], None, &owners);
        assert_eq!(
            cause,
            LinkCause::LinkedToAnotherAccount {
                account: "bob.jones@contoso.com".into(),
                owner: Some("Bob Jones".into()),
            }
        );
        let text = cause.plain("Ada Lovelace", "Floorplan");
        assert!(
            text.starts_with("The link points at Bob Jones's account in Floorplan"),
            "{text}"
        );
        let fix = cause.fix_first(&person(), "Floorplan", None).unwrap();
        assert!(fix.starts_with("Check the data first"), "{fix}");
    }

    #[test]
    fn the_persons_own_old_name_is_a_changed_matching_value() {
        let update = entry(
            "acct-2",
            serde_json::json!({"provisioningAction": "update", "modifiedProperties": [
                {"displayName": "userName", "oldValue": "ada.byron@contoso.com", "newValue": "ada@contoso.com"}
            ]}),
        );
        let mut ada = person();
        ada.display_name = "Ada Byron".into();
        // Nobody in the directory has the old value: the person's own earlier name.
        let cause = likely_cause(&ada, Some(&link("acct-2")), &[update], None, &none());
        assert!(
            matches!(cause, LinkCause::MatchingAttributeChanged { .. }),
            "{cause:?}"
        );
    }

    /// Entries about another account, or none at all, are not evidence.
    #[test]
    fn without_evidence_about_the_linked_account_we_cannot_tell() {
        let other = entry(
            "acct-other",
            serde_json::json!({"provisioningAction": "disable"}),
        );
        assert_eq!(
            likely_cause(&person(), Some(&link("acct-9")), &[other], None, &none()),
            LinkCause::CannotTell
        );
        assert_eq!(
            likely_cause(&person(), None, &[], None, &none()),
            LinkCause::CannotTell
        );
        let text = LinkCause::CannotTell.plain("Ada", "Floorplan");
        assert!(text.starts_with("We cannot tell"), "{text}");
    }

    /// A person disabled in Entra is expected to be inactive in the app: not the app's doing.
    #[test]
    fn a_disabled_person_inactive_in_the_app_is_not_the_soft_delete_story() {
        let mut ada = person();
        ada.account_enabled = Some(false);
        let disabled = entry(
            "acct-9",
            serde_json::json!({"provisioningAction": "disable"}),
        );
        assert_eq!(
            likely_cause(&ada, Some(&link("acct-9")), &[disabled], None, &none()),
            LinkCause::CannotTell
        );
    }
}
