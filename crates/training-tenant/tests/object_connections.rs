//! Object connections (Graph beta) over HTTP, as entra-docs
//! `docs/identity/app-provisioning/manage-object-connections.md` documents them: GET by source id
//! then target id, the collection refused, 404 / 409 / 204, beta only, roles and permissions.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use common::{assert_graph_error, assert_same_shape, Env};

fn app(env: &Env, key: &str) -> training_tenant::provisioning::ScimAppSummary {
    env.tenant
        .scim_apps()
        .into_iter()
        .find(|a| a.key == key)
        .expect("app")
}

/// `/{version}/servicePrincipals/{sp}/synchronization/jobs/{job}`
fn job_path(env: &Env, version: &str, key: &str) -> String {
    let a = app(env, key);
    format!(
        "/{version}/servicePrincipals/{}/synchronization/jobs/{}",
        a.service_principal_id, a.job_id
    )
}

fn connection(env: &Env, key: &str, id: &str) -> String {
    format!("{}/objectConnections('{id}')", job_path(env, "beta", key))
}

async fn post(env: &Env, token: &str, path: &str) -> StatusCode {
    env.send_json(Method::POST, token, path, "").await.0
}

async fn delete(env: &Env, token: &str, path: &str) -> (StatusCode, Value) {
    env.send_json(Method::DELETE, token, path, "").await
}

/// The page's own example answer (Get an object connection, Response), for its shape.
fn documented_example() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#objectConnection/$entity",
        "objectId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
        "sourceAnchor": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
        "targetAnchor": "701984",
        "displayName": "Adele Vance",
        "objectTypeName": "user"
    })
}

#[tokio::test]
async fn get_finds_the_link_by_the_entra_id_and_by_the_apps_id() {
    let env = common::start().await;
    let token = env.app_token().await;
    let (obrien, _) = env.person("obrien");

    let (s, by_source) = env
        .get_json(&token, &connection(&env, "floorplan", &obrien))
        .await;
    assert_eq!(s, StatusCode::OK, "{by_source}");
    assert_same_shape(&documented_example(), &by_source, "objectConnection");
    assert_eq!(by_source["objectId"], obrien.as_str());
    assert_eq!(by_source["sourceAnchor"], obrien.as_str());
    assert_eq!(by_source["objectTypeName"], "user");
    assert_eq!(by_source["displayName"], "Siobhan O'Brien");
    assert!(by_source["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/beta/$metadata#objectConnection/$entity"));
    let target = by_source["targetAnchor"].as_str().unwrap().to_string();
    let r: Value = env
        .http
        .get(env.url("/_training/provisioning"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let held = r.to_string();
    assert!(held.contains(&target), "the target is Floorplan's account");

    // The app's SCIM id finds the same connection; objectId echoes what was asked.
    let (s, by_target) = env
        .get_json(&token, &connection(&env, "floorplan", &target))
        .await;
    assert_eq!(s, StatusCode::OK, "{by_target}");
    assert_eq!(by_target["objectId"], target.as_str());
    assert_eq!(by_target["sourceAnchor"], obrien.as_str());
    assert_eq!(by_target["targetAnchor"], target.as_str());

    // Quotes sent percent-encoded, and the Entra id in capitals, are the same request.
    let encoded = format!(
        "{}/objectConnections(%27{}%27)",
        job_path(&env, "beta", "floorplan"),
        obrien.to_uppercase()
    );
    let (s, again) = env.get_json(&token, &encoded).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["targetAnchor"], target.as_str());
}

#[tokio::test]
async fn the_collection_cannot_be_listed_and_unknown_ids_are_404() {
    let env = common::start().await;
    let token = env.app_token().await;
    let list = format!("{}/objectConnections", job_path(&env, "beta", "floorplan"));
    let (s, b) = env.get_json(&token, &list).await;
    assert_graph_error(s, &b, 400, "BadRequest");
    for bad in ["objectConnections('')", "objectConnections(abc)"] {
        let (s, b) = env
            .get_json(
                &token,
                &format!("{}/{bad}", job_path(&env, "beta", "floorplan")),
            )
            .await;
        assert_graph_error(s, &b, 400, "BadRequest");
    }

    let (s, b) = env
        .get_json(
            &token,
            &connection(&env, "floorplan", "00000000-0000-4000-8000-000000000000"),
        )
        .await;
    assert_graph_error(s, &b, 404, "Request_ResourceNotFound");
    // A person in the tenant who is not in Floorplan's scope has no connection there either.
    let (leaver, _) = env.person("leaver-today");
    let (s, b) = env
        .get_json(&token, &connection(&env, "floorplan", &leaver))
        .await;
    assert_graph_error(s, &b, 404, "Request_ResourceNotFound");
    // An unknown job is a 404 as well (the page lists both under 404).
    let a = app(&env, "floorplan");
    let (s, b) = env
        .get_json(
            &token,
            &format!(
                "/beta/servicePrincipals/{}/synchronization/jobs/scim.nope/objectConnections('{leaver}')",
                a.service_principal_id
            ),
        )
        .await;
    assert_graph_error(s, &b, 404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn v1_0_has_no_object_connections() {
    let env = common::start().await;
    let token = env.app_token().await;
    let (obrien, _) = env.person("obrien");
    let path = format!(
        "{}/objectConnections('{obrien}')",
        job_path(&env, "v1.0", "floorplan")
    );
    let (s, b) = env.get_json(&token, &path).await;
    assert_graph_error(s, &b, 400, "BadRequest");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'objectConnections'"),
        "{b}"
    );
    let (s, b) = delete(&env, &token, &path).await;
    assert_graph_error(s, &b, 400, "BadRequest");
    // Nothing was forgotten.
    let (s, _) = env
        .get_json(&token, &connection(&env, "floorplan", &obrien))
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn delete_needs_a_paused_job_and_is_idempotent() {
    let env = common::start().await;
    let token = env.app_token().await;
    let (obrien, _) = env.person("obrien");
    let path = connection(&env, "floorplan", &obrien);
    let job = job_path(&env, "beta", "floorplan");

    let (s, b) = delete(&env, &token, &path).await;
    assert_graph_error(s, &b, 409, "Conflict");
    let (s, _) = env.get_json(&token, &path).await;
    assert_eq!(s, StatusCode::OK, "an active job keeps the link");

    assert_eq!(
        post(&env, &token, &format!("{job}/pause")).await,
        StatusCode::NO_CONTENT
    );
    let (_, read_back) = env.get_json(&token, &job).await;
    assert_eq!(read_back["schedule"]["state"], "Paused", "{read_back}");

    let (s, _) = delete(&env, &token, &path).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = env.get_json(&token, &path).await;
    assert_graph_error(s, &b, 404, "Request_ResourceNotFound");
    let (s, _) = delete(&env, &token, &path).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "deleting again is 204 as well");

    // Nothing was deleted in Entra or in the app: Floorplan still holds her account.
    let (s, _) = env.get_json(&token, &format!("/v1.0/users/{obrien}")).await;
    assert_eq!(s, StatusCode::OK);

    // Starting the job again: it is active, and a DELETE is refused again.
    assert_eq!(
        post(&env, &token, &format!("{job}/start")).await,
        StatusCode::NO_CONTENT
    );
    let (_, read_back) = env.get_json(&token, &job).await;
    assert_eq!(read_back["schedule"]["state"], "Active", "{read_back}");
    let (s, b) = delete(&env, &token, &path).await;
    assert_graph_error(s, &b, 409, "Conflict");
}

/// After the link is forgotten, the next cycle matches her again by userName, to the same
/// Floorplan account: nothing is created and the new connection points at it.
#[tokio::test]
async fn the_next_cycle_matches_a_forgotten_link_afresh() {
    let env = common::start().await;
    let token = env.app_token().await;
    let (obrien, _) = env.person("obrien");
    let path = connection(&env, "floorplan", &obrien);
    let job = job_path(&env, "beta", "floorplan");
    let (_, before) = env.get_json(&token, &path).await;
    assert_eq!(
        post(&env, &token, &format!("{job}/pause")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(delete(&env, &token, &path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        post(&env, &token, &format!("{job}/start")).await,
        StatusCode::NO_CONTENT
    );
    env.advance_minutes(41).await;
    let (s, after) = env.get_json(&token, &path).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!(after["targetAnchor"], before["targetAnchor"]);
    let queries = env
        .scim_requests(&format!("app=floorplan&user={obrien}&method=GET"))
        .await;
    assert!(
        queries.iter().any(|q| q["path"]
            .as_str()
            .unwrap_or_default()
            .contains("filter=userName")),
        "matched by userName: {queries:?}"
    );
}

#[tokio::test]
async fn roles_and_permissions_as_the_page_lists_them() {
    let env = common::start().await;
    let (obrien, _) = env.person("obrien");
    let path = connection(&env, "floorplan", &obrien);

    // User Administrator (the helpdesk operator) and Global Reader are not among the roles.
    for role in ["User Administrator", "Global Reader"] {
        let token = env.user_token(&env.upn(role)).await;
        let (s, b) = env.get_json(&token, &path).await;
        assert_graph_error(s, &b, 403, "Authorization_RequestDenied");
    }
    let app_admin = env.user_token(&env.upn("Application Administrator")).await;
    let (s, b) = env.get_json(&app_admin, &path).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Hybrid Identity Administrator (for Cloud Sync) is on the page's list: a person without any
    // role is refused until she holds it (roles are read from the directory at each call).
    let pat = env.upn("");
    let token = env.user_token(&pat).await;
    let (s, b) = env.get_json(&token, &path).await;
    assert_graph_error(s, &b, 403, "Authorization_RequestDenied");
    {
        let state = env.tenant.state();
        let mut dir = state.directory_mut();
        let user = dir
            .users
            .values_mut()
            .find(|u| u.upn() == pat)
            .expect("pat");
        user.directory_roles
            .push(training_tenant::state::roles::HYBRID_IDENTITY_ADMINISTRATOR.into());
    }
    let (s, b) = env.get_json(&token, &path).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // A token with Synchronization.Read.All only reads; it cannot delete.
    let code = env
        .code_for(
            &env.upn("Application Administrator"),
            "openid https://graph.microsoft.com/Synchronization.Read.All",
        )
        .await;
    let r = env.redeem(&code, common::VERIFIER).await;
    assert_eq!(r.status(), StatusCode::OK);
    let tokens: Value = r.json().await.unwrap();
    let read_only = tokens["access_token"].as_str().unwrap().to_string();
    let (s, b) = env.get_json(&read_only, &path).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let job = job_path(&env, "beta", "floorplan");
    assert_eq!(
        post(&env, &app_admin, &format!("{job}/pause")).await,
        StatusCode::NO_CONTENT
    );
    let (s, b) = delete(&env, &read_only, &path).await;
    assert_graph_error(s, &b, 403, "Authorization_RequestDenied");
    let (s, _) = env.get_json(&app_admin, &path).await;
    assert_eq!(s, StatusCode::OK, "still stored");
    let (s, _) = delete(&env, &app_admin, &path).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}
