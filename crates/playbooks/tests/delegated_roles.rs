//! Roles that do not show in the sign-in token: the `wids` claim lists only tenant-wide
//! built-in roles (entra-docs `access-token-claims-reference.md`), so a User Administrator for
//! the administrative unit "Interns" and a custom "Offboarding Operator" look role-less to a
//! client that reads the token. Graph still allows what their roles grant. The desk tries, and a
//! refusal (403) says which role to ask for (graph-api.md §11.7).

mod common;

use common::{Training, GLOBAL_ADMIN};
use playbooks::offboard::{self, Departure};
use playbooks::plan::StepOutcome;
use playbooks::reactivate;
use tokio::sync::mpsc;

async fn enabled(training: &Training, id: &str) -> Option<bool> {
    let admin = training.desk(GLOBAL_ADMIN).await;
    admin.graph().get_user(id).await.unwrap().account_enabled
}

/// A User Administrator for the administrative unit "Interns" brings the returning intern
/// back and offboards her again; the desk does not refuse her for want of a role in the token.
#[tokio::test]
async fn a_user_administrator_for_the_interns_unit_manages_interns() {
    let training = Training::start().await;
    let desk = training.desk("interns.helpdesk").await;
    let (ivy_id, ivy) = training.person("intern-returning");

    let who = desk.signed_in().whoami();
    assert!(
        who.account.starts_with("interns.helpdesk@"),
        "{}",
        who.account
    );
    let disable = who
        .capabilities
        .iter()
        .find(|c| c.operation == "SetAccountEnabled")
        .unwrap();
    assert!(disable.unconfirmed && !disable.allowed, "{disable:?}");

    let back = reactivate::preview(&desk, &ivy).await.unwrap();
    let (events, _seen) = mpsc::channel(256);
    let result = reactivate::run(&desk, &back, &events).await.unwrap();
    let enable = result.steps.iter().find(|s| s.step_id == "enable").unwrap();
    assert!(
        matches!(enable.outcome, StepOutcome::Succeeded { .. }),
        "{:?}",
        result.steps
    );
    assert_eq!(enabled(&training, &ivy_id).await, Some(true));

    let preview = offboard::preview(&desk, &ivy, Departure::Temporary)
        .await
        .unwrap();
    let ids: Vec<&str> = preview.plan.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["disable", "revoke_sessions"],
        "nothing skipped for want of wids"
    );
    assert!(
        preview
            .plan
            .warnings
            .iter()
            .any(|w| w.starts_with("Entra may refuse to let you turn off sign-in")),
        "{:?}",
        preview.plan.warnings
    );
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    assert!(
        result
            .steps
            .iter()
            .all(|s| matches!(s.outcome, StepOutcome::Succeeded { .. })),
        "{:?}",
        result.steps
    );
    assert_eq!(enabled(&training, &ivy_id).await, Some(false));
    assert!(result
        .render_text()
        .contains("Turn off sign-in for Ivy Intern"));
}

/// Outside her unit Entra refuses, and the step says so with the role to ask for; nothing
/// changed.
#[tokio::test]
async fn outside_the_unit_entra_refuses_and_the_step_names_the_role() {
    let training = Training::start().await;
    let desk = training.desk("interns.helpdesk").await;
    let (leo_id, leo) = training.person("leaver-today");
    let preview = offboard::preview(&desk, &leo, Departure::Temporary)
        .await
        .unwrap();
    assert_eq!(preview.plan.steps.len(), 2);
    let (events, _seen) = mpsc::channel(256);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    let disable = result
        .steps
        .iter()
        .find(|s| s.step_id == "disable")
        .unwrap();
    let StepOutcome::Failed { error } = &disable.outcome else {
        panic!("Entra refuses outside the unit: {:?}", result.steps);
    };
    assert_eq!(error.code, "graph.forbidden", "{error:?}");
    assert!(error.hint.contains("User Administrator"), "{}", error.hint);
    assert!(error.hint.contains("administrative unit"), "{}", error.hint);
    assert_eq!(enabled(&training, &leo_id).await, Some(true));
}

/// A custom role granting disable and session revocation offboards anyone it covers.
#[tokio::test]
async fn a_custom_offboarding_role_offboards() {
    let training = Training::start().await;
    let desk = training.desk("offboarder").await;
    assert!(
        desk.signed_in().whoami().roles.is_empty(),
        "custom roles are not in wids"
    );
    let (leo_id, leo) = training.person("leaver-today");
    let preview = offboard::preview(&desk, &leo, Departure::Temporary)
        .await
        .unwrap();
    let (events, _seen) = mpsc::channel(256);
    let result = offboard::run(&desk, &preview, &events).await.unwrap();
    assert!(
        result
            .steps
            .iter()
            .all(|s| matches!(s.outcome, StepOutcome::Succeeded { .. })),
        "{:?}",
        result.steps
    );
    assert_eq!(enabled(&training, &leo_id).await, Some(false));
    let actions = desk
        .journal()
        .actions(&playbooks::journal::ActionFilter::default())
        .unwrap();
    assert!(
        actions
            .iter()
            .all(|a| a.actor.upn.starts_with("offboarder@")),
        "who acted comes from /me"
    );
}
