//! Playbooks 4 and 5 against the training tenant, for what does not depend on the provisioning
//! engine: the soft-delete verdict, the reminder, the checks' order, and lint checks skipped with
//! the reason when the role is missing.

mod common;

use common::{Training, HELPDESK};
use playbooks::diagnose::diagnose;
use playbooks::mappings::inspect;
use playbooks::plan::{CheckStatus, Conclusion};

#[tokio::test]
async fn a_soft_deleted_person_is_the_first_verdict() {
    let training = Training::start().await;
    let desk = training.desk(common::GLOBAL_ADMIN).await;
    let (recycled_id, _) = training.person("recycled");
    let diagnosis = diagnose(&desk, &recycled_id, "Floorplan").await.unwrap();
    let ids: Vec<&str> = diagnosis.verdicts.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "PD-DIAG-001",
            "PD-DIAG-002",
            "PD-DIAG-003",
            "PD-DIAG-004",
            "PD-DIAG-005",
            "PD-DIAG-006"
        ]
    );
    assert_eq!(diagnosis.verdicts[0].conclusion, Conclusion::Cause);
    assert!(
        diagnosis.verdicts[0].explanation.contains("12 days ago"),
        "{}",
        diagnosis.verdicts[0].explanation
    );
    assert!(matches!(
        diagnosis.verdicts[1].conclusion,
        Conclusion::Skipped { .. }
    ));
    assert_eq!(diagnosis.verdicts[5].conclusion, Conclusion::Reminder);
}

#[tokio::test]
async fn an_enabled_person_is_not_offboarded_yet() {
    let training = Training::start().await;
    let desk = training.desk(common::GLOBAL_ADMIN).await;
    let (_, upn) = training.person("leaver-today");
    let diagnosis = diagnose(&desk, &upn, "Floorplan").await.unwrap();
    assert_eq!(diagnosis.verdicts[0].conclusion, Conclusion::Cause);
    assert!(diagnosis.verdicts[0]
        .fix
        .as_deref()
        .unwrap_or_default()
        .contains("turn off sign-in"));
}

#[tokio::test]
async fn without_the_role_every_lint_check_is_skipped_with_the_reason() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let report = inspect(&desk, "Floorplan").await.unwrap();
    assert_eq!(report.findings.len(), 5);
    for finding in &report.findings {
        match &finding.status {
            CheckStatus::Skipped { because } => {
                assert!(because.contains("Application Administrator"), "{because}")
            }
            other => panic!("{}: {other:?}", finding.id),
        }
    }
}
