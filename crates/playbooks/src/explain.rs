//! Provisioning-log entries in plain words (Playbooks 1, 2 and 4; `provdesk logs`).
//!
//! The reasons are those Microsoft documents in "Understand how provisioning integrates with
//! Azure Monitor logs" / "Known issues for provisioning" and the entry's own `errorInformation`:
//! we keep Microsoft's text as evidence and add what it means and what to do.

use chrono::{DateTime, Utc};
use entra_client::graph::provisioning_logs::{
    ProvisioningAction, ProvisioningObjectSummary, ProvisioningStatus,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One provisioning-log entry as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    pub id: String,
    pub when: Option<DateTime<Utc>>,
    /// Service principal id of the app.
    pub app_id: Option<String>,
    pub app_name: Option<String>,
    /// The Entra object id of the person.
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    /// `create`, `update`, `disable`, `delete`, `stagedDelete`, `other`.
    pub action: String,
    /// The status word shown with an icon: Success, Skipped, Failed, Warning.
    pub status: String,
    /// What happened, in plain words.
    pub plain: String,
    /// What to do about it, when something should be done.
    pub fix: Option<String>,
    /// Microsoft's own words (error code and reason), kept as evidence.
    pub evidence: Vec<String>,
}

/// What an entry is about, from `sourceIdentity.identityType` (else `targetIdentity`'s):
/// "Type of identity that has been provisioned, such as 'user' or 'group'" (graph-docs
/// `api-reference/v1.0/resources/provisionedidentity.md`; the list examples write `Group`,
/// `RolesCompound`, `ServicePrincipal`, so the type is read without case). A missing type is
/// read as a person: the entries this desk asks for are filtered on a person's object id.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    Person,
    Group { name: Option<String> },
    Other { kind: String, name: Option<String> },
}

impl Subject {
    fn of(entry: &ProvisioningObjectSummary) -> Self {
        let kind = [&entry.source_identity, &entry.target_identity]
            .into_iter()
            .flatten()
            .find_map(|i| {
                i.identity_type
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
            });
        let name = entry
            .source_identity
            .as_ref()
            .and_then(|i| i.display_name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        match kind {
            None => Subject::Person,
            Some(k)
                if k.eq_ignore_ascii_case("user") || k.to_ascii_lowercase().ends_with(":user") =>
            {
                Subject::Person
            }
            Some(k)
                if k.eq_ignore_ascii_case("group")
                    || k.to_ascii_lowercase().ends_with(":group") =>
            {
                Subject::Group { name }
            }
            Some(k) => Subject::Other {
                kind: k.to_string(),
                name,
            },
        }
    }

    /// The object in the app: "the account", "the group “Sales”".
    fn object(&self) -> String {
        match self {
            Subject::Person => "the account".into(),
            Subject::Group { name: Some(n) } => format!("the group “{n}”"),
            Subject::Group { name: None } => "the group".into(),
            Subject::Other {
                kind,
                name: Some(n),
            } => format!("the {kind} object “{n}”"),
            Subject::Other { kind, name: None } => format!("the {kind} object"),
        }
    }

    /// Who or what was processed: "the person", "the group “Sales”".
    fn who(&self) -> String {
        match self {
            Subject::Person => "the person".into(),
            _ => self.object(),
        }
    }
}

/// Explains one entry.
pub fn explain(entry: &ProvisioningObjectSummary) -> LogLine {
    let action = entry
        .provisioning_action
        .as_ref()
        .map(|a| a.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let app_name = entry
        .service_principal
        .first()
        .and_then(|sp| sp.display_name.clone())
        .or_else(|| {
            entry
                .target_system
                .as_ref()
                .and_then(|t| t.display_name.clone())
        });
    let app = app_name.clone().unwrap_or_else(|| "the app".into());
    let subject = Subject::of(entry);
    let object = subject.object();
    let who = subject.who();
    let error = entry.error();
    let code = error.and_then(|e| e.error_code.clone()).unwrap_or_default();
    let reason = error.and_then(|e| e.reason.clone()).unwrap_or_default();
    let mut evidence = Vec::new();
    if !code.is_empty() {
        evidence.push(format!("Error code: {code}"));
    }
    if !reason.is_empty() {
        evidence.push(format!("Reason: {reason}"));
    }
    for step in &entry.provisioning_steps {
        if matches!(
            step.status,
            Some(ProvisioningStatus::Skipped | ProvisioningStatus::Failure)
        ) {
            if let Some(description) = &step.description {
                evidence.push(format!(
                    "{}: {description}",
                    step.name.as_deref().unwrap_or("Step")
                ));
            }
        }
    }
    let active_false = entry.modified_properties.iter().any(|p| {
        p.display_name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case("active"))
            && p.new_value
                .as_deref()
                .is_some_and(|v| v.trim_matches('"').eq_ignore_ascii_case("false"))
    });
    let text = format!("{code} {reason}").to_lowercase();
    let (status, plain, fix) = match entry.status() {
        Some(ProvisioningStatus::Success) => {
            let plain = match entry.provisioning_action {
                Some(ProvisioningAction::Disable) => {
                    format!("Entra told {app} to mark {object} inactive.")
                }
                Some(ProvisioningAction::Update) if active_false => {
                    format!("Entra told {app} to mark {object} inactive (active = false).")
                }
                Some(ProvisioningAction::Update) => {
                    format!("Entra updated {object} in {app}.")
                }
                Some(ProvisioningAction::Create) => {
                    format!("Entra created (or linked) {object} in {app}.")
                }
                Some(ProvisioningAction::Delete) => {
                    format!("Entra deleted {object} in {app}.")
                }
                _ => format!("Entra processed {who} for {app}; nothing needed to change."),
            };
            ("Success", plain, None)
        }
        Some(ProvisioningStatus::Skipped) => {
            let (plain, fix) = if text.contains("noteffectivelyentitled")
                || text.contains("not in scope")
                || text.contains("scope")
            {
                (
                    format!("Skipped: {who} is not in scope for {app} (not assigned to it, or filtered out by a scoping rule), so nothing was sent."),
                    Some(if subject == Subject::Person {
                        format!("Assign the person (or a group they are a direct member of) to {app}, or check the app's scoping filter.")
                    } else {
                        format!("Assign {object} to {app}, or check the app's scoping filter.")
                    }),
                )
            } else if text.contains("redundant") {
                (
                    format!("Skipped: {app} already had these values; nothing needed to be sent."),
                    None,
                )
            } else {
                (
                    format!("Skipped: Entra sent nothing to {app} for {}.", if subject == Subject::Person { "this person".to_string() } else { who.clone() }),
                    Some("Read Microsoft's reason below; if the person should have been changed, run the diagnosis.".into()),
                )
            };
            ("Skipped", plain, fix)
        }
        Some(ProvisioningStatus::Failure) => {
            let (plain, fix) = if text.contains("conflict")
                || text.contains("duplicate")
                || text.contains("409")
                || text.contains("already exists")
            {
                match &subject {
                    // A refused *update*: the account Entra is linked to would take a value
                    // another account already has — often the sign of a link to the wrong
                    // account (Re-link, entra-docs `manage-object-connections.md`).
                    Subject::Person
                        if entry.provisioning_action == Some(ProvisioningAction::Update) =>
                    (
                        format!("Failed: {app} refused the change to the account Entra is linked to, because another account there already has this user name or e-mail. Entra may be sending this person's changes to someone else's account."),
                        Some(format!("If Entra linked this person to someone else's account in {app}, re-link them (Re-link one person: only their link is forgotten); otherwise correct the conflicting value in Entra or in {app}.")),
                    ),
                    Subject::Person => (
                        format!("Failed: {app} refused to create the account because one with the same user name or e-mail already exists. Entra retries every cycle and may corrupt the user name with a 32-character prefix."),
                        Some(format!("Match the new account to the existing one in {app} (same userName/externalId); if Entra already linked the wrong account, re-link the person (Re-link one person: only their link is forgotten).")),
                    ),
                    // Not a person: no user name, no prefix trap. Microsoft's reason for a
                    // group's 409 is "a user or a group already exists with the same name"
                    // (provisioningobjectsummary-list.md, example 2).
                    _ => (
                        format!("Failed: {app} refused to create {object} because one with the same name already exists there. Entra tries again every cycle."),
                        Some(format!("Find the existing one in {app}: remove or rename it there, or take {object} out of the app's assignments if it should not be sent.")),
                    ),
                }
            } else if text.contains("credential")
                || text.contains("401")
                || text.contains("unauthorized")
                || text.contains("quarantine")
            {
                (
                    format!("Failed: {app} did not accept Entra's credentials; sync will be paused (quarantine) if this continues."),
                    Some(format!("Ask the owner of {app} for a new secret token, save it in the provisioning settings, then restart sync with the quarantine cleared.")),
                )
            } else {
                (
                    format!("Failed: {app} refused the change."),
                    Some("Read Microsoft's reason below; fix the cause in the app or its mappings, then retry with sync now or wait for the next cycle.".into()),
                )
            };
            ("Failed", plain, fix)
        }
        Some(ProvisioningStatus::Warning) => (
            "Warning",
            format!("Entra processed {who} for {app} with a warning."),
            None,
        ),
        _ => (
            "Unknown",
            format!("Entra reported an outcome for {app} this version does not know."),
            None,
        ),
    };
    let (status, plain, fix) = match entry.provisioning_action {
        Some(ProvisioningAction::StagedDelete) => held_back(&app),
        _ => (status, plain, fix),
    };
    LogLine {
        id: entry.id.clone(),
        when: entry.activity_date_time,
        app_id: entry.service_principal_id().map(str::to_string),
        app_name,
        person_id: entry.source_identity.as_ref().and_then(|i| i.id.clone()),
        person_name: entry
            .source_identity
            .as_ref()
            .and_then(|i| i.display_name.clone()),
        action,
        status: status.to_string(),
        plain,
        fix,
        evidence,
    }
}

/// A `stagedDelete` entry: a deletion or disable the accidental-deletion threshold held back
/// (entra-docs `accidental-deletions.md`: investigate, and reject the deletions not meant
/// before restarting; "Allow deletes" lets them through).
fn held_back(app: &str) -> (&'static str, String, Option<String>) {
    (
        // Microsoft's status for these entries is `skipped`; the word stays the one the logs
        // screen filters and badges on.
        "Skipped",
        format!("Held back: Entra was about to delete or turn off this account in {app}, but that sync round reached {app}'s accidental-deletion threshold, so it held the change back for review and paused sync."),
        Some(format!("Check why this person would lose their {app} account. If it is not meant, assign them again, restore them, or fix the scoping; only if every held-back deletion is meant, let them through (Restart sync, \"Let held-back deletions through\").")),
    )
}

/// What an entry is about when that is not a person ("the group “Sales”"); `None` for a
/// person's entry.
pub fn not_a_person(entry: &ProvisioningObjectSummary) -> Option<String> {
    let subject = Subject::of(entry);
    (subject != Subject::Person).then(|| subject.object())
}

/// Whether an entry shows the app account was made inactive (or removed).
pub fn reached_app_as_inactive(entry: &ProvisioningObjectSummary) -> bool {
    if entry.status() != Some(&ProvisioningStatus::Success) {
        return false;
    }
    match entry.provisioning_action {
        Some(ProvisioningAction::Disable | ProvisioningAction::Delete) => true,
        Some(ProvisioningAction::Update) => entry.modified_properties.iter().any(|p| {
            p.display_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("active"))
                && p.new_value
                    .as_deref()
                    .is_some_and(|v| v.trim_matches('"').eq_ignore_ascii_case("false"))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> serde_json::Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn microsofts_example_entry_is_explained() {
        let page = fixture("v1.0__provisioningobjectsummary-list__response-success.json");
        let entries: Vec<ProvisioningObjectSummary> =
            serde_json::from_value(page["value"].clone()).unwrap();
        assert!(!entries.is_empty());
        let lines: Vec<LogLine> = entries.iter().map(explain).collect();
        insta::assert_yaml_snapshot!(lines);
    }

    #[test]
    fn a_duplicate_failure_points_to_matching_and_re_link() {
        let entry: ProvisioningObjectSummary = serde_json::from_value(serde_json::json!({
            "id": "x",
            "provisioningAction": "create",
            "provisioningStatusInfo": {"status": "failure", "errorInformation": {
                "errorCode": "SystemForCrossDomainIdentityManagementServiceIncompatible",
                "reason": "The user could not be created: HTTP 409 Conflict (a user with this userName already exists)"}},
            "servicePrincipal": {"id": "sp", "displayName": "Floorplan"}
        }))
        .unwrap();
        let line = explain(&entry);
        assert_eq!(line.status, "Failed");
        assert!(line.plain.contains("already exists"), "{}", line.plain);
        assert!(line.fix.unwrap().contains("re-link the person"));
    }

    /// A refused *update* is not a refused create: the account Entra is linked to would take
    /// another account's user name — the wrong-account story.
    #[test]
    fn a_refused_update_points_to_a_link_to_someone_elses_account() {
        let entry: ProvisioningObjectSummary = serde_json::from_value(serde_json::json!({
            "id": "x",
            "provisioningAction": "update",
            "provisioningStatusInfo": {"status": "failure", "errorInformation": {
                "errorCode": "EntryConflict",
                "reason": "StatusCode: Conflict Message: A resource with this userName already exists."}},
            "servicePrincipal": {"id": "sp", "displayName": "Timesheets"}
        }))
        .unwrap();
        let line = explain(&entry);
        assert!(!line.plain.contains("refused to create"), "{}", line.plain);
        assert!(
            line.plain.contains("someone else's account"),
            "{}",
            line.plain
        );
        assert!(line.fix.unwrap().contains("re-link them"));
    }

    /// Microsoft's failure example is a group's 409: it is the group that already exists, not
    /// "an account with the same user name", and there is no user-name prefix to warn about.
    #[test]
    fn a_groups_conflict_names_the_group() {
        let page = fixture("v1.0__provisioningobjectsummary-list__response-failure.json");
        let entries: Vec<ProvisioningObjectSummary> =
            serde_json::from_value(page["value"].clone()).unwrap();
        let line = explain(&entries[0]);
        assert_eq!(line.status, "Failed");
        assert_eq!(
            line.plain,
            "Failed: Contoso refused to create the group “Self-service Pilot” because one with the same name already exists there. Entra tries again every cycle."
        );
        let fix = line.fix.unwrap_or_default();
        assert!(fix.contains("the group “Self-service Pilot”"), "{fix}");
        assert!(
            !fix.contains("userName") && !fix.contains("Full reset"),
            "{fix}"
        );
        assert_eq!(
            not_a_person(&entries[0]).as_deref(),
            Some("the group “Self-service Pilot”")
        );
    }

    #[test]
    fn a_person_and_a_group_out_of_scope_are_told_apart() {
        let skipped = |identity: serde_json::Value| -> LogLine {
            explain(
                &serde_json::from_value(serde_json::json!({
                    "id": "x", "provisioningAction": "other",
                    "provisioningStatusInfo": {"status": "skipped", "errorInformation": {
                        "errorCode": "EntrySynchronizationSkipped", "reason": "The object is not in scope"}},
                    "servicePrincipal": {"id": "sp", "displayName": "Floorplan"},
                    "sourceIdentity": identity
                }))
                .unwrap(),
            )
        };
        let person =
            skipped(serde_json::json!({"id": "u1", "displayName": "Ada", "identityType": "User"}));
        assert!(
            person
                .plain
                .starts_with("Skipped: the person is not in scope"),
            "{}",
            person.plain
        );
        let group = skipped(
            serde_json::json!({"id": "g1", "displayName": "Interns", "identityType": "group"}),
        );
        assert!(
            group
                .plain
                .starts_with("Skipped: the group “Interns” is not in scope"),
            "{}",
            group.plain
        );
        assert_eq!(
            group.fix.as_deref(),
            Some("Assign the group “Interns” to Floorplan, or check the app's scoping filter.")
        );
    }

    #[test]
    fn only_a_successful_disable_counts_as_reaching_the_app() {
        let mut entry: ProvisioningObjectSummary = serde_json::from_value(serde_json::json!({
            "id": "x", "provisioningAction": "update",
            "provisioningStatusInfo": {"status": "success"},
            "modifiedProperties": [{"displayName": "active", "oldValue": "True", "newValue": "False"}]
        }))
        .unwrap();
        assert!(reached_app_as_inactive(&entry));
        entry.modified_properties.clear();
        assert!(!reached_app_as_inactive(&entry));
    }

    /// A held-back deletion is said as held back for review, with what to check first.
    #[test]
    fn a_staged_delete_is_explained_as_held_back_for_review() {
        let entry: ProvisioningObjectSummary = serde_json::from_value(serde_json::json!({
            "id": "s1", "provisioningAction": "stagedDelete",
            "provisioningStatusInfo": {"status": "skipped", "errorInformation": {"errorCode": "StagedDelete"}},
            "servicePrincipal": {"id": "sp", "displayName": "Floorplan"},
            "sourceIdentity": {"id": "u1", "displayName": "Siobhan O'Brien"}
        }))
        .unwrap();
        let line = explain(&entry);
        assert_eq!(line.status, "Skipped");
        assert!(line.plain.starts_with("Held back:"), "{}", line.plain);
        assert!(line.plain.contains("accidental-deletion threshold"));
        assert!(line
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("assign them again")));
    }
}
