//! The playbooks against the training tenant's provisioning engine: the virtual clock advanced
//! past a sync round, what the SCIM app received, what the provisioning logs say, and what the
//! journal says.

mod common;

use common::{Training, APP_ADMIN, GLOBAL_ADMIN};
use playbooks::journal::{ActionFilter, ActionKind, ActionStatus};
use playbooks::offboard::{self, Departure, VerificationState};
use playbooks::plan::{CheckStatus, Conclusion, StepOutcome};
use playbooks::reactivate::FollowUpState;
use playbooks::restart::{self, ScopeChoice, Symptom};
use playbooks::{diagnose, mappings, reactivate};
use serde_json::{json, Value};
use tokio::sync::mpsc;

impl Training {
    fn app_key(&self, service_principal_id: &str) -> String {
        self.connection
            .training()
            .unwrap()
            .apps
            .iter()
            .find(|a| a.service_principal_id == service_principal_id)
            .map(|a| a.key.clone())
            .expect("a scenario app")
    }

    async fn scim_requests(&self, app_key: &str, user: &str) -> Vec<Value> {
        let answer: Value = self
            .http
            .get(format!("{}/_training/scim-requests", self.base()))
            .query(&[("app", app_key), ("user", user)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["value"].as_array().cloned().unwrap_or_default()
    }
}

/// A PATCH whose operations set `active` to false (the string `"False"` of Entra's default
/// shape or a boolean), read from the body's operations — not the word "active" anywhere in it.
fn says_inactive(request: &Value) -> bool {
    request["method"] == "PATCH"
        && training_tenant::scim::active_patch::active_set_by(&request["requestBody"])
            == Some(false)
}

#[tokio::test]
async fn offboarding_reaches_the_app_at_the_next_sync_round() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    let (leaver_id, leaver_upn) = training.person("leaver-today");
    // Let the initial round link everyone first.
    training.advance(json!({"minutes": 41})).await;

    let preview = offboard::preview(&desk, &leaver_upn, Departure::Temporary)
        .await
        .unwrap();
    let synced: Vec<_> = preview
        .apps
        .iter()
        .filter(|a| a.has_sync())
        .cloned()
        .collect();
    assert!(
        !synced.is_empty(),
        "leaver-today has apps with sync: {:?}",
        preview.apps
    );
    assert!(
        synced.iter().all(|a| a.minutes_until_next_cycle.is_some()),
        "{synced:?}"
    );
    assert!(preview
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("next sync round, in about")));

    let (events, _keep) = mpsc::channel(64);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    assert!(result
        .steps
        .iter()
        .all(|s| matches!(s.outcome, StepOutcome::Succeeded { .. })));

    // Before the round: waiting, and nothing sent to the app yet.
    let before = offboard::verify(&desk, &leaver_id, &result.apps, result.started_at)
        .await
        .unwrap();
    assert!(
        before.iter().all(|v| v.state == VerificationState::Waiting),
        "{before:?}"
    );
    let app = &synced[0];
    let key = training.app_key(&app.app.service_principal_id);
    assert!(!training
        .scim_requests(&key, &leaver_id)
        .await
        .iter()
        .any(says_inactive));

    training.advance(json!({"minutes": 41})).await;
    let after = offboard::verify(&desk, &leaver_id, &result.apps, result.started_at)
        .await
        .unwrap();
    let confirmed = after
        .iter()
        .find(|v| v.app.service_principal_id == app.app.service_principal_id)
        .unwrap();
    assert_eq!(confirmed.state, VerificationState::Confirmed, "{after:?}");
    assert!(training
        .scim_requests(&key, &leaver_id)
        .await
        .iter()
        .any(says_inactive));

    let journal = desk.journal().actions(&ActionFilter::default()).unwrap();
    assert_eq!(journal.len(), 2);
    assert!(journal.iter().all(|a| a.status == ActionStatus::Succeeded));
}

#[tokio::test]
async fn a_returning_intern_is_synced_now() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    training.advance(json!({"minutes": 41})).await;
    let (id, upn) = training.person("intern-returning");
    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    let sync_steps: Vec<_> = preview
        .plan
        .steps
        .iter()
        .filter(|s| s.id.starts_with("sync_now:"))
        .collect();
    assert!(!sync_steps.is_empty(), "{:?}", preview.plan.steps);
    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    for step in result
        .steps
        .iter()
        .filter(|s| s.step_id.starts_with("sync_now:"))
    {
        assert!(
            matches!(step.outcome, StepOutcome::Succeeded { .. }),
            "{step:?}"
        );
    }
    let on_demand = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActionKind::ProvisionOnDemand)
        .count();
    assert_eq!(on_demand, sync_steps.len());
    assert_eq!(
        desk.graph().get_user(&id).await.unwrap().account_enabled,
        Some(true)
    );
    // Per app, structured: every app answered sync now, so each is confirmed, none pending.
    assert_eq!(result.apps.len(), sync_steps.len(), "{:?}", result.apps);
    for app in &result.apps {
        assert_eq!(app.state, FollowUpState::Confirmed, "{app:?}");
        assert!(app.detail.contains("active again"), "{app:?}");
        assert_eq!(app.expected_at, None);
    }
    assert_eq!(result.next.len(), result.apps.len());
}

/// The helpdesk may turn sign-in on but not sync now: every app is pending, with when its next
/// round is due when that could be read.
#[tokio::test]
async fn without_sync_now_the_apps_are_pending_until_their_next_round() {
    let training = Training::start().await;
    let desk = training.desk(common::HELPDESK).await;
    let (_, upn) = training.person("intern-returning");
    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    let (events, _keep) = mpsc::channel(64);
    let result = reactivate::run(&desk, &preview, &events).await.unwrap();
    assert!(!result.apps.is_empty(), "{result:?}");
    for app in &result.apps {
        assert_eq!(app.state, FollowUpState::Pending, "{app:?}");
        assert!(!app.detail.is_empty());
    }
    let on_demand = desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == ActionKind::ProvisionOnDemand)
        .count();
    assert_eq!(on_demand, 0);
}

#[tokio::test]
async fn a_full_reset_needs_the_typed_name_and_is_journaled() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let preview = restart::preview(&desk, "Floorplan", Some(Symptom::WrongOrStaleLink), None)
        .await
        .unwrap();
    assert_eq!(preview.recommended, ScopeChoice::Full);
    let (events, _keep) = mpsc::channel(64);
    let refused = restart::run(&desk, &preview, Some("floorplan"), &events)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_confirmed");
    assert!(desk
        .journal()
        .actions(&ActionFilter::default())
        .unwrap()
        .is_empty());
    let result = restart::run(&desk, &preview, Some("Floorplan"), &events)
        .await
        .unwrap();
    assert!(
        matches!(result.steps[0].outcome, StepOutcome::Succeeded { .. }),
        "{result:?}"
    );
    let actions = desk.journal().actions(&ActionFilter::default()).unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].kind, ActionKind::RestartJob);
    assert!(
        actions[0].request_summary.contains("Full"),
        "{}",
        actions[0].request_summary
    );

    let plain = restart::preview(&desk, "Floorplan", None, None)
        .await
        .unwrap();
    assert_eq!(plain.recommended, ScopeChoice::Default);
    assert!(plain.plan.steps[0].requires_confirmation.is_none());
}

#[tokio::test]
async fn mapping_lint_flags_a_constant_active_and_passes_the_default() {
    let training = Training::start().await;
    let desk = training.desk(APP_ADMIN).await;
    let floorplan = mappings::inspect(&desk, "Floorplan").await.unwrap();
    assert!(!floorplan.rows.is_empty());
    assert_eq!(floorplan.findings[0].id, "PD-MAP-001");
    assert_eq!(
        floorplan.findings[0].status,
        CheckStatus::Pass,
        "{:?}",
        floorplan.findings[0]
    );
    let badgeway = mappings::inspect(&desk, "Badgeway").await.unwrap();
    assert_eq!(
        badgeway.findings[0].status,
        CheckStatus::Fail,
        "{:?}",
        badgeway.findings[0]
    );
}

#[tokio::test]
async fn diagnosis_with_a_running_job_points_at_the_soft_delete() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    training.advance(json!({"minutes": 41})).await;
    let (recycled_id, _) = training.person("recycled");
    let diagnosis = diagnose::diagnose(&desk, &recycled_id, "Floorplan")
        .await
        .unwrap();
    assert_eq!(diagnosis.verdicts[0].conclusion, Conclusion::Cause);
    assert_eq!(
        diagnosis.verdicts[2].conclusion,
        Conclusion::NotTheCause,
        "{:?}",
        diagnosis.verdicts[2]
    );
    assert_eq!(
        diagnosis.verdicts[3].conclusion,
        Conclusion::NotTheCause,
        "{:?}",
        diagnosis.verdicts[3]
    );
}

/// The re-hired person: their old account was hard-deleted, Timesheets still holds it and refuses
/// the new one as a duplicate. The reactivation preview shows the trap from the logs and creates
/// nothing.
#[tokio::test]
async fn the_duplicate_trap_is_shown_from_the_logs() {
    let training = Training::start().await;
    let desk = training.desk(GLOBAL_ADMIN).await;
    training.advance(json!({"minutes": 41})).await;
    training.advance(json!({"minutes": 41})).await;
    let (_, upn) = training.person("rehired");
    let preview = reactivate::preview(&desk, &upn).await.unwrap();
    assert!(
        !preview.trap_evidence.is_empty(),
        "{:?}",
        preview.plan.warnings
    );
    assert!(preview
        .trap_evidence
        .iter()
        .all(|line| line.status == "Failed"));
    assert!(
        preview
            .plan
            .warnings
            .iter()
            .any(|w| w.contains("duplicate trap")),
        "{:?}",
        preview.plan.warnings
    );
    assert!(
        preview.trap_evidence.iter().any(|line| line
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("re-link the person (Re-link one person")),
        "{:?}",
        preview.trap_evidence
    );
}
