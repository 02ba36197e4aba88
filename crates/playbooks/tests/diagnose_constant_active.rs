//! Playbook 4 end to end for an app whose `active` is the constant "True" (Badgeway): a person
//! assigned to it is deleted, a sync round runs, and the diagnosis names the mapping as the cause,
//! with the skipped log entries as evidence.

mod common;

use common::{Training, GLOBAL_ADMIN};
use playbooks::diagnose::diagnose;
use playbooks::plan::Conclusion;
use serde_json::{json, Value};

#[tokio::test]
async fn deleting_someone_changes_nothing_in_badgeway_because_active_is_constant() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (obrien, _) = training.person("obrien");
    training.advance(json!({"minutes": 41})).await;
    desk.graph().delete_user(&obrien).await.unwrap();
    training.advance(json!({"minutes": 41})).await;

    // The app really heard nothing: no PATCH for her after the deletion.
    let requests: Value = training
        .http
        .get(format!("{}/_training/scim-requests", training.base()))
        .query(&[("app", "badgeway"), ("user", obrien.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let requests = requests["value"].as_array().cloned().unwrap_or_default();
    assert!(
        !requests.iter().any(|r| r["method"] == "PATCH"),
        "{requests:?}"
    );

    let diagnosis = diagnose(&desk, &obrien, "Badgeway").await.unwrap();
    let [deleted, _scope, job, active, logs, _reminder] = &diagnosis.verdicts[..] else {
        panic!("six checks: {:?}", diagnosis.verdicts);
    };

    // The deletion is seen, but it is not why nothing happened.
    assert_eq!(deleted.conclusion, Conclusion::NotTheCause, "{deleted:?}");
    assert!(deleted.explanation.contains("deleted today"), "{deleted:?}");
    assert_eq!(job.conclusion, Conclusion::NotTheCause, "{job:?}");

    // The cause: active is the constant "True", in plain words, with the evidence and the fix.
    assert_eq!(active.id, "PD-DIAG-004");
    assert_eq!(active.conclusion, Conclusion::Cause, "{active:?}");
    assert!(
        active.explanation.contains("always sent active = \"True\""),
        "{}",
        active.explanation
    );
    assert!(
        active.explanation.contains("stays active"),
        "{}",
        active.explanation
    );
    assert_eq!(active.evidence, ["active ← \"True\" (a constant)"]);
    let fix = active.fix.as_deref().unwrap_or_default();
    assert!(fix.contains("Application Administrator"), "{fix}");
    assert!(fix.contains("IsSoftDeleted"), "{fix}");

    // The logs: the round after the deletion skipped her with action "other".
    assert_eq!(logs.conclusion, Conclusion::Cause, "{logs:?}");
    assert!(
        logs.evidence
            .iter()
            .any(|e| e.contains("other Skipped") && e.contains("RedundantExport")),
        "{:?}",
        logs.evidence
    );
    assert!(
        logs.explanation.contains("sent nothing to Badgeway"),
        "{}",
        logs.explanation
    );
    assert!(
        logs.fix.as_deref().unwrap_or_default().contains("check 4"),
        "{:?}",
        logs.fix
    );
}

/// The same deletion with a mapping that follows IsSoftDeleted (Floorplan): the app is told to
/// mark the account inactive, and the deletion itself is the answer ("only inactive for 30 days").
#[tokio::test]
async fn with_the_default_mapping_a_deletion_is_only_an_inactive_account_for_thirty_days() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (obrien, _) = training.person("obrien");
    training.advance(json!({"minutes": 41})).await;
    desk.graph().delete_user(&obrien).await.unwrap();
    training.advance(json!({"minutes": 41})).await;

    let diagnosis = diagnose(&desk, &obrien, "Floorplan").await.unwrap();
    let deleted = &diagnosis.verdicts[0];
    assert_eq!(deleted.conclusion, Conclusion::Cause, "{deleted:?}");
    assert!(deleted.explanation.contains("inactive"), "{deleted:?}");
    assert_eq!(diagnosis.verdicts[3].conclusion, Conclusion::NotTheCause);
    let logs = &diagnosis.verdicts[4];
    assert_eq!(logs.conclusion, Conclusion::NotTheCause, "{logs:?}");
}
