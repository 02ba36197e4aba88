//! Service principals, app role assignments and groups over real HTTP.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn app(env: &Env, key: &str) -> (String, String) {
    let a = env
        .tenant
        .summary()
        .apps
        .iter()
        .find(|a| a.key == key)
        .expect("app");
    (a.service_principal_id.clone(), a.app_id.clone())
}

#[tokio::test]
async fn service_principals_list_filter_and_get() {
    let env = start().await;
    let token = env.app_token().await;
    let (status, body) = env.get_json(&token, "/v1.0/servicePrincipals").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sp| sp["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), env.tenant.summary().apps.len());
    for app in ["Floorplan", "Lunchbox", "Timesheets"] {
        assert!(names.contains(&app), "{app} in {names:?}");
    }
    let (sp_id, app_id) = app(&env, "floorplan");
    let (_, body) = env
        .get_json(
            &token,
            "/v1.0/servicePrincipals?$filter=displayName%20eq%20'Floorplan'",
        )
        .await;
    assert_eq!(body["value"][0]["id"], sp_id);
    let (_, body) = env
        .get_json(
            &token,
            &format!("/v1.0/servicePrincipals?$filter=appId%20eq%20'{app_id}'&$select=id,appId"),
        )
        .await;
    assert_eq!(body["value"][0].as_object().unwrap().len(), 2);
    let (_, body) = env
        .get_json(
            &token,
            "/v1.0/servicePrincipals?$filter=startswith(displayName,'Lunch')",
        )
        .await;
    assert_eq!(body["value"][0]["displayName"], "Lunchbox");
    let (status, body) = env
        .get_json(&token, &format!("/v1.0/servicePrincipals/{sp_id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["appId"], app_id);
    assert!(body["appRoles"].as_array().unwrap().len() >= 2);
    let (status, body) = env
        .get_json(
            &token,
            &format!("/beta/servicePrincipals(appId='{app_id}')"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], sp_id);
    let (status, body) = env
        .get_json(
            &token,
            "/v1.0/servicePrincipals(appId='00000000-0000-0000-0000-000000000009')",
        )
        .await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    let (status, body) = env
        .get_json(
            &token,
            "/v1.0/servicePrincipals?$filter=homepage%20eq%20'x'",
        )
        .await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
    let (status, body) = env
        .send_json(
            Method::PATCH,
            &token,
            &format!("/v1.0/servicePrincipals/{sp_id}"),
            "{}",
        )
        .await;
    assert_graph_error(status, &body, 405, "Request_BadRequest");
}

#[tokio::test]
async fn app_role_assigned_to_matches_the_fixture() {
    let env = start().await;
    let token = env.app_token().await;
    let (sp_id, app_id) = app(&env, "floorplan");
    for path in [
        format!("/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo"),
        format!("/v1.0/servicePrincipals(appId='{app_id}')/appRoleAssignedTo"),
    ] {
        let (status, body) = env.get_json(&token, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_same_shape(
            &fixture("v1.0__serviceprincipal-list-approleassignedto__response.json"),
            &body,
            "$",
        );
        let values = body["value"].as_array().unwrap();
        assert!(values.iter().any(|a| a["principalType"] == "Group"));
        assert!(values.iter().any(|a| a["principalType"] == "User"));
        assert!(values
            .iter()
            .all(|a| a["resourceDisplayName"] == "Floorplan"));
    }
}

#[tokio::test]
async fn user_app_role_assignments_include_group_assignments() {
    let env = start().await;
    let token = env.app_token().await;
    let (floorplan, _) = app(&env, "floorplan");
    let (timesheets, _) = app(&env, "timesheets");
    // An engineer that is not directly assigned gets Floorplan through the Engineering group.
    let engineer = {
        let dir = env.tenant.state().directory();
        dir.users
            .values()
            .find(|u| {
                u.str_prop("department") == Some("Engineering")
                    && u.str_prop("jobTitle") != Some("Intern")
            })
            .map(|u| u.id.clone())
            .unwrap()
    };
    let (status, body) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/users/{engineer}/appRoleAssignments?$filter=resourceId%20eq%20{floorplan}"
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &fixture("v1.0__user-list-approleassignments__response.json"),
        &body,
        "$",
    );
    let values = body["value"].as_array().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0]["principalType"], "Group");
    assert_eq!(values[0]["resourceId"], floorplan);
    let (_, body) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/users/{engineer}/appRoleAssignments?$filter=resourceId%20eq%20{timesheets}"
            ),
        )
        .await;
    assert_eq!(body["value"].as_array().unwrap().len(), 0);
    // Direct assignment of the re-hired person.
    let (rehired, _) = env.person("rehired");
    let (_, body) = env
        .get_json(&token, &format!("/v1.0/users/{rehired}/appRoleAssignments"))
        .await;
    assert!(body["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["principalType"] == "User" && a["resourceId"] == timesheets));
    let (status, body) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/users/{rehired}/appRoleAssignments?$filter=principalDisplayName%20eq%20'x'"
            ),
        )
        .await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
}

#[tokio::test]
async fn groups_and_members() {
    let env = start().await;
    let token = env.app_token().await;
    let (status, body) = env
        .get_json(&token, "/v1.0/groups?$filter=displayName%20eq%20'Interns'")
        .await;
    assert_eq!(status, StatusCode::OK);
    let interns = body["value"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(body["value"][0]["securityEnabled"], true);
    let (status, body) = env
        .get_json(
            &token,
            &format!("/v1.0/groups/{interns}/members?$select=id,jobTitle"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let members = body["value"].as_array().unwrap();
    assert!(!members.is_empty());
    assert!(members
        .iter()
        .all(|m| m["jobTitle"] == "Intern" && m["@odata.type"] == "#microsoft.graph.user"));
    let before = members.len();

    let (obrien, _) = env.person("obrien");
    let add =
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{obrien}")})
            .to_string();
    let (status, _) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/groups/{interns}/members/$ref"),
            &add,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/groups/{interns}/members/$ref"),
            &add,
        )
        .await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    let (_, body) = env
        .get_json(&token, &format!("/v1.0/groups/{interns}/members"))
        .await;
    assert_eq!(body["value"].as_array().unwrap().len(), before + 1);
    let (status, _) = env
        .send_json(
            Method::DELETE,
            &token,
            &format!("/v1.0/groups/{interns}/members/{obrien}/$ref"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = env
        .send_json(
            Method::DELETE,
            &token,
            &format!("/v1.0/groups/{interns}/members/{obrien}/$ref"),
            "",
        )
        .await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    let (status, body) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/groups/{interns}/members/$ref"),
            "{}",
        )
        .await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    let (status, body) = env
        .get_json(&token, "/v1.0/groups/00000000-0000-0000-0000-000000000000")
        .await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");

    // Reports Reader may read groups but not change membership.
    let reader = env.user_token(&env.upn("Reports Reader")).await;
    let (status, _) = env
        .send_json(
            Method::POST,
            &reader,
            &format!("/v1.0/groups/{interns}/members/$ref"),
            &add,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hostile_and_quoted_names_round_trip() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("hostile");
    let (_, body) = env.get_json(&token, &format!("/v1.0/users/{id}")).await;
    assert_eq!(body["displayName"], "<img src=x onerror=alert(1)>");
    let value: Value = body;
    assert!(value["givenName"].as_str().unwrap().contains("<script>"));
}
