//! What a "sync now" (provision on demand) answer means for the person, in plain words, and
//! what Microsoft says provision on demand cannot do yet (entra-docs
//! `docs/identity/app-provisioning/provision-on-demand.md`, graph-api.md §3.7).

use entra_client::graph::synchronization::ProvisionOnDemandResult;

/// The error code the provisioning service gives a person outside the app's scope (not
/// assigned, or filtered out): "not effectively entitled for provisioning".
const NOT_ENTITLED: &str = "NotEffectivelyEntitled";

/// Minutes to wait before trying sync now again after an assignment. Microsoft says only
/// "There's a replication delay of up to a few minutes between when an object is assigned to
/// an application and when that assignment is honored in on-demand provisioning. You may need
/// to wait a few minutes and try again." (`provision-on-demand.md`, troubleshooting); 5 is our
/// reading of "a few".
pub const REPLICATION_WAIT_MINUTES: u32 = 5;

/// Whether sync now answered that the person is not in the app's scope (not assigned): its
/// error code, or the scoping step's `Assigned: False` detail.
pub fn says_not_assigned(result: &ProvisionOnDemandResult) -> bool {
    let code_says = [
        result.key.details.error_code.as_deref(),
        result
            .summary
            .status_info
            .as_ref()
            .and_then(|s| s.error_code.as_deref()),
    ]
    .into_iter()
    .flatten()
    .any(|code| code.eq_ignore_ascii_case(NOT_ENTITLED));
    let scoping_says = result.summary.provisioning_steps.iter().any(|step| {
        step.details
            .as_ref()
            .and_then(|d| d.get("Assigned"))
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    });
    code_says || scoping_says
}

/// The sentence for a person the directory shows as assigned while sync now does not see the
/// assignment yet (Microsoft's replication delay).
pub fn assignment_not_visible_yet(person: &str, app: &str) -> String {
    format!(
        "{app} does not see yet that {person} is assigned to it: a new assignment can take a few minutes to reach sync now. If {person} was assigned to {app} in the last few minutes, wait about {REPLICATION_WAIT_MINUTES} minutes and try again; otherwise the next sync round will pick it up."
    )
}

/// Why sync now is not sent to an app whose provisioning connects with OAuth while its sync
/// runs: "Applications that use OAuth for authorization currently require the provisioning job
/// to be stopped before using on-demand provisioning. Applications such as G Suite, Box,
/// Workplace by Facebook, and Slack fall into this category." (`provision-on-demand.md`, FAQ).
pub fn oauth_needs_paused_sync(app: &str) -> String {
    format!(
        "{app}'s account sync signs in to {app} with a permission {app} granted (OAuth), not a key, and Microsoft can sync such an app now only while its sync is paused. To sync now: pause the app's sync, sync now, then start it again. Otherwise the next sync round will pick it up."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(key: &str, value: serde_json::Value) -> ProvisionOnDemandResult {
        ProvisionOnDemandResult::from_answer(&serde_json::json!({
            "key": key,
            "value": value.to_string(),
        }))
        .unwrap()
    }

    #[test]
    fn not_assigned_is_read_from_the_code_or_the_scoping_step() {
        let by_code = answer(
            r#"{"result":"Skipped","details":{"errorCode":"NotEffectivelyEntitled"}}"#,
            serde_json::json!({}),
        );
        assert!(says_not_assigned(&by_code));
        let by_step = answer(
            r#"{"result":"Skipped","details":{}}"#,
            serde_json::json!({"provisioningSteps": [{
                "name": "EntrySynchronizationScoping", "type": "Scoping", "status": "Skipped",
                "details": {"Assigned": "False", "IsActive": "True"}
            }]}),
        );
        assert!(says_not_assigned(&by_step));
    }

    #[test]
    fn microsofts_example_answer_is_not_read_as_not_assigned() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/v1.0__synchronization-synchronizationjob-provisionondemand__response.json"
        ))
        .unwrap();
        let result =
            ProvisionOnDemandResult::from_answer(&serde_json::from_str(&text).unwrap()).unwrap();
        assert!(!says_not_assigned(&result));
    }
}
