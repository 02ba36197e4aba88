//! Why an app's sync job is stuck, in plain words with Microsoft's own words as evidence
//! (Playbook 3 step 1, Playbook 4 check 3, the job view).
//!
//! Where Graph puts the cause (graph-api.md §3.1): `status.quarantine.reason` says which kind of
//! quarantine, `status.quarantine.error` *may* carry the error — and often only
//! `status.lastExecution.error` does. Microsoft's own quarantined-job example (graph-docs beta
//! `resources/synchronization_job.md`, JSON Example) has no `quarantine.error` at all; the cause
//! (`BoxInsufficientPermissions`, "Authorization with Box is not valid") is only in the last
//! run. So both are read, the quarantine's first. `synchronizationError` has `code`, `message`,
//! `tenantActionable` (graph-docs `synchronization-synchronizationerror.md`).

use entra_client::graph::synchronization::{
    ExecutionState, QuarantineReason, SynchronizationError, SynchronizationJob,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The cause of a quarantined or failing job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobCause {
    /// What is wrong, in one plain sentence.
    pub plain: String,
    /// What to do about it, concretely.
    pub fix: String,
    /// Microsoft's words, quoted: the error code and message, the quarantine reason.
    pub evidence: Vec<String>,
    /// `synchronizationError.code`, when Graph gave one.
    pub code: Option<String>,
}

/// The cause, when the job is quarantined or its last run failed; `None` for a healthy job.
pub fn job_cause(job: &SynchronizationJob, app: &str) -> Option<JobCause> {
    let status = job.status.as_ref()?;
    let last = status.last_execution.as_ref();
    let failed = last
        .and_then(|l| l.state.as_ref())
        .is_some_and(|s| *s == ExecutionState::Failed);
    if !job.is_quarantined() && !failed {
        return None;
    }
    let reason = status.quarantine.as_ref().and_then(|q| q.reason());
    let error = status
        .quarantine
        .as_ref()
        .and_then(|q| q.error.as_ref())
        .filter(|e| has_words(e))
        .or_else(|| last.and_then(|l| l.error.as_ref()).filter(|e| has_words(e)));
    let code = error.and_then(|e| e.code.clone()).filter(|c| !c.is_empty());
    let message = error
        .and_then(|e| e.message.clone())
        .filter(|m| !m.trim().is_empty());

    let mut evidence = Vec::new();
    if let Some(code) = &code {
        evidence.push(format!("Error code: {code}"));
    }
    if let Some(message) = &message {
        evidence.push(format!("Microsoft's message: \"{}\"", message.trim()));
    }
    if let Some(reason) = &reason {
        evidence.push(format!("Quarantine reason: {}", reason.as_str()));
    }

    let (plain, fix) = translate(app, code.as_deref(), reason.as_ref(), message.as_deref());
    Some(JobCause {
        plain,
        fix,
        evidence,
        code,
    })
}

fn has_words(error: &SynchronizationError) -> bool {
    error.code.as_deref().is_some_and(|c| !c.is_empty())
        || error
            .message
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty())
}

/// Credential errors: `Unauthorized`, `…InvalidCredentials` (e.g.
/// `SalesforceInvalidCredentials`, `SystemForCrossDomainIdentityManagementInvalidCredentials`),
/// `…CredentialValidationUnavailable`, and Box's `…InsufficientPermissions` whose message is
/// "Authorization with Box is not valid. Please re-authorize access to Box".
fn is_credentials(code: &str) -> bool {
    let code = code.to_ascii_lowercase();
    code == "unauthorized"
        || code.ends_with("invalidcredentials")
        || code.ends_with("credentialvalidationunavailable")
        || code.ends_with("insufficientpermissions")
        || code.ends_with("authenticationerror")
}

fn translate(
    app: &str,
    code: Option<&str>,
    reason: Option<&QuarantineReason>,
    message: Option<&str>,
) -> (String, String) {
    if code.is_some_and(is_credentials) {
        return (
            format!("{app} no longer accepts the secret token (credentials) Entra uses to connect to it, so Entra cannot send it any changes."),
            format!("Ask {app}'s administrator for a new token, enter it on {app}'s Provisioning page in Entra (Admin credentials, Secret Token), select Test connection, then clear the quarantine (restart sync)."),
        );
    }
    match reason {
        Some(QuarantineReason::TooManyDeletes) => {
            return (
                format!("In one sync round Entra was about to delete or turn off more accounts in {app} than its accidental-deletion threshold allows, so it held them all back and paused sync."),
                "Review who would be deleted or turned off (the held-back deletions in the provisioning logs). Undo what was not meant (assign the person again, restore them, or fix the scoping), then restart sync; allow the deletions only if every one of them is meant.".into(),
            );
        }
        Some(
            QuarantineReason::EncounteredEscrowProportionThreshold
            | QuarantineReason::EncounteredBaseEscrowThreshold
            | QuarantineReason::EncounteredTotalEscrowThreshold,
        ) => {
            return (
                format!("Too many people failed to sync to {app} (Microsoft quarantines a job when more than 40% of its changes fail, or beyond 40,000 failures), so sync now runs only about once a day."),
                format!("Open the provisioning logs for {app} with status Failure, fix what most failures have in common (often an attribute mapping or a value {app} rejects), then clear the quarantine (restart sync)."),
            );
        }
        Some(QuarantineReason::QuarantinedOnDemand) => {
            return (
                format!("Microsoft paused sync for {app} on purpose (quarantined on demand)."),
                "Contact Microsoft support to learn why and when it can be lifted.".into(),
            );
        }
        _ => {}
    }
    let quoted = match (code, message) {
        (Some(code), Some(message)) => format!("{code}: \"{}\"", message.trim()),
        (Some(code), None) => code.to_string(),
        (None, Some(message)) => format!("\"{}\"", message.trim()),
        (None, None) => String::new(),
    };
    match reason {
        Some(QuarantineReason::EncounteredQuarantineException) if quoted.is_empty() => (
            format!("Entra could not connect to {app} or was refused by it (a serious error such as invalid credentials or an address that does not answer like a SCIM app); Microsoft gave no error text."),
            format!("On {app}'s Provisioning page in Entra, check the Tenant URL and the Secret Token and select Test connection; then clear the quarantine (restart sync)."),
        ),
        _ if quoted.is_empty() => (
            format!("Sync for {app} stopped, and Microsoft did not say why."),
            format!("Open {app}'s Provisioning page in Entra and the provisioning logs for the errors; fix what they name, then clear the quarantine (restart sync)."),
        ),
        _ => (
            format!("Sync for {app} stopped with an error. Microsoft's message: {quoted}"),
            "Fix what Microsoft's message names (on the app's Provisioning page in Entra, or in the app), then clear the quarantine (restart sync).".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> SynchronizationJob {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Microsoft's quarantined Box job: no `quarantine.error`, the cause only in the last run.
    #[test]
    fn the_cause_is_found_in_the_last_run_when_the_quarantine_has_none() {
        let job = fixture("beta-legacy__synchronization_job__example-quarantine.json");
        let cause = job_cause(&job, "Box").expect("quarantined");
        assert_eq!(cause.code.as_deref(), Some("BoxInsufficientPermissions"));
        assert!(cause.plain.contains("secret token"), "{}", cause.plain);
        assert!(cause.fix.contains("Test connection"), "{}", cause.fix);
        assert!(cause
            .evidence
            .iter()
            .any(|e| e.contains("Authorization with Box is not valid")));
    }

    /// The v1.0 get-job example: the cause in `quarantine.error`, the reason `""`.
    #[test]
    fn the_quarantines_own_error_is_quoted() {
        let job = fixture("v1.0__synchronization-synchronizationjob-get__response.json");
        let cause = job_cause(&job, "Salesforce").expect("quarantined");
        assert_eq!(cause.code.as_deref(), Some("SalesforceInvalidCredentials"));
        assert!(cause.plain.contains("no longer accepts"), "{}", cause.plain);
        assert!(cause
            .evidence
            .iter()
            .any(|e| e.starts_with("Microsoft's message: \"Your Salesforce.com credentials")));
    }

    #[test]
    fn an_unknown_code_is_quoted_as_is_and_a_healthy_job_has_no_cause() {
        let job: SynchronizationJob = serde_json::from_value(serde_json::json!({
            "id": "j", "status": {"code": "Quarantine",
            "quarantine": {"reason": "EncounteredQuarantineException", "error": null},
            "lastExecution": {"state": "Failed", "error": {"code": "ContosoGatewayMoved", "message": "The endpoint moved."}}}
        }))
        .unwrap();
        let cause = job_cause(&job, "Contoso").unwrap();
        assert!(
            cause
                .plain
                .contains("Microsoft's message: ContosoGatewayMoved: \"The endpoint moved.\""),
            "{}",
            cause.plain
        );
        assert!(!cause.plain.contains("repeated errors"));
        let healthy: SynchronizationJob = serde_json::from_value(serde_json::json!({
            "id": "j", "status": {"code": "Active", "lastExecution": {"state": "Succeeded"}}
        }))
        .unwrap();
        assert!(job_cause(&healthy, "Contoso").is_none());
    }
}
