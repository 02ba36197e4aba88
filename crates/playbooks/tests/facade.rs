//! The facade against the training tenant: connect, one-click demo sign-in through the real
//! auth-code + PKCE flow, who am I + preflight, finding people and apps, bad input.

mod common;

use common::{Training, HELPDESK};
use playbooks::find::{find_app, find_person};
use playbooks::plan::UserFacingError;
use playbooks::{Error, TenantConnection, TenantProfile};

#[tokio::test]
async fn demo_sign_in_whoami_and_preflight() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let me = desk.whoami();
    assert!(me.account.starts_with("helpdesk@"), "{}", me.account);
    assert!(me.training);
    assert!(!me.remembered, "training sign-ins never go to the keychain");
    assert_eq!(me.roles, vec!["User Administrator".to_string()]);
    let allowed = |name: &str| {
        me.capabilities
            .iter()
            .find(|c| c.operation == name)
            .unwrap_or_else(|| panic!("{name} in the preflight"))
            .clone()
    };
    assert!(allowed("SetAccountEnabled").allowed);
    // No app role in the sign-in is a doubt, not a refusal: Graph decides when tried.
    let restart = allowed("RestartSynchronizationJob");
    assert!(!restart.allowed && restart.unconfirmed);
    assert!(restart
        .explanation
        .unwrap_or_default()
        .contains("Application Administrator"));
    let text = me.render_text();
    assert!(text.contains("Not shown in your sign-in"), "{text}");
    assert_eq!(desk.actor().upn, me.account);
    assert!(!desk.actor().oid.is_empty());
}

#[tokio::test]
async fn an_existing_training_tenant_is_discovered_by_url() {
    let training = Training::start().await;
    let by_url = TenantConnection::connect(TenantProfile::TrainingAt {
        url: format!("{}/", training.base()),
    })
    .await
    .unwrap();
    let scenario = by_url.training().unwrap();
    assert!(scenario.demo_with_role(HELPDESK).is_some());
    let signed_in = by_url.sign_in_as_demo("helpdesk").await.unwrap();
    assert_eq!(signed_in.tenant_id(), scenario.tenant_id);

    let unknown = by_url.sign_in_as_demo("nobody").await.unwrap_err();
    assert_eq!(unknown.code(), "unknown_demo_account");
    assert!(UserFacingError::from(&unknown).hint.contains("helpdesk@"));
}

#[tokio::test]
async fn nothing_listening_is_a_clear_error() {
    // Bind and drop to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = TenantConnection::connect(TenantProfile::TrainingAt {
        url: format!("http://127.0.0.1:{port}"),
    })
    .await
    .unwrap_err();
    assert_eq!(error.code(), "training_unreachable");
    assert!(UserFacingError::from(&error)
        .hint
        .contains("provdesk training serve"));
}

#[tokio::test]
async fn people_and_apps_are_found_and_never_guessed() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    let (leaver_id, leaver_upn) = training.person("leaver-today");
    let by_upn = find_person(&desk, &leaver_upn).await.unwrap();
    assert_eq!(by_upn.id, leaver_id);
    let by_id = find_person(&desk, &leaver_id).await.unwrap();
    assert_eq!(by_id.user_principal_name, leaver_upn);

    // Soft-deleted people are found in the recycle bin.
    let (recycled_id, _) = training.person("recycled");
    let recycled = find_person(&desk, &recycled_id).await.unwrap();
    assert!(recycled.is_deleted());

    let missing = find_person(&desk, "nobody@contoso-training.onmicrosoft.com")
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "person_not_found");

    // A common first-name prefix matches many people: the candidates are listed.
    let scenario = training.connection.training().unwrap();
    let floorplan = scenario
        .apps
        .iter()
        .find(|app| app.display_name == "Floorplan")
        .unwrap();
    let app = find_app(&desk, "floorplan").await.unwrap();
    assert_eq!(app.service_principal_id, floorplan.service_principal_id);
    let app = find_app(&desk, &floorplan.service_principal_id)
        .await
        .unwrap();
    assert_eq!(app.display_name, "Floorplan");
    match find_app(&desk, "No Such App").await.unwrap_err() {
        Error::AppNotFound { .. } => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ambiguous_names_list_the_candidates() {
    let training = Training::start().await;
    let desk = training.desk(HELPDESK).await;
    // "a" is the start of many names in the generated population.
    match find_person(&desk, "a").await.unwrap_err() {
        Error::Ambiguous {
            candidates, what, ..
        } => {
            assert_eq!(what, "person");
            assert!(candidates.len() > 1, "{candidates:?}");
        }
        other => panic!("{other:?}"),
    }
}
