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
                    format!("Entra told {app} to mark the account inactive.")
                }
                Some(ProvisioningAction::Update) if active_false => {
                    format!("Entra told {app} to mark the account inactive (active = false).")
                }
                Some(ProvisioningAction::Update) => {
                    format!("Entra updated the account in {app}.")
                }
                Some(ProvisioningAction::Create) => {
                    format!("Entra created (or linked) the account in {app}.")
                }
                Some(ProvisioningAction::Delete) => {
                    format!("Entra deleted the account in {app}.")
                }
                _ => format!("Entra processed the person for {app}; nothing needed to change."),
            };
            ("Success", plain, None)
        }
        Some(ProvisioningStatus::Skipped) => {
            let (plain, fix) = if text.contains("noteffectivelyentitled")
                || text.contains("not in scope")
                || text.contains("scope")
            {
                (
                    format!("Skipped: the person is not in scope for {app} (not assigned to it, or filtered out by a scoping rule), so nothing was sent."),
                    Some(format!("Assign the person (or a group they are a direct member of) to {app}, or check the app's scoping filter.")),
                )
            } else if text.contains("redundant") {
                (
                    format!("Skipped: {app} already had these values; nothing needed to be sent."),
                    None,
                )
            } else {
                (
                    format!("Skipped: Entra sent nothing to {app} for this person."),
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
                (
                    format!("Failed: {app} refused to create the account because one with the same user name or e-mail already exists. Entra retries every cycle and may corrupt the user name with a 32-character prefix."),
                    Some(format!("Match the new account to the existing one in {app} (same userName/externalId); if Entra already linked the wrong account, restart sync from scratch (Full reset).")),
                )
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
            format!("Entra processed the person for {app} with a warning."),
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
    fn a_duplicate_failure_points_to_matching_and_full_reset() {
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
        assert!(line.fix.unwrap().contains("Full reset"));
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
