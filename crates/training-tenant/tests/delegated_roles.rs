//! Roles Graph honours that the token does not show: a built-in role scoped to an administrative
//! unit, and a custom role. The `wids` claim carries only tenant-wide built-in roles (entra-docs
//! `access-token-claims-reference.md`); Graph authorizes against the role assignments
//! (`role-based-access-control/admin-units-assign-roles.md`, `custom-user-permissions.md`).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

fn demo(env: &Env, local: &str) -> String {
    env.tenant
        .summary()
        .demo_accounts
        .iter()
        .find(|d| d.user_principal_name.starts_with(&format!("{local}@")))
        .map(|d| d.user_principal_name.clone())
        .expect("demo account")
}

fn wids(token: &str) -> Vec<String> {
    let payload = token.split('.').nth(1).unwrap();
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    claims["wids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

async fn enabled(env: &Env, id: &str) -> bool {
    let admin = env.app_token().await;
    let (_, user) = env
        .get_json(&admin, &format!("/v1.0/users/{id}?$select=accountEnabled"))
        .await;
    user["accountEnabled"].as_bool().unwrap()
}

#[tokio::test]
async fn a_unit_scoped_user_administrator_changes_members_only_and_is_not_in_wids() {
    let env = start().await;
    let token = env.user_token(&demo(&env, "interns.helpdesk")).await;
    assert!(
        !wids(&token).iter().any(|w| w == USER_ADMINISTRATOR),
        "a role scoped to an administrative unit is not in wids"
    );
    let (ivy, _) = env.person("intern-returning");
    let (leo, _) = env.person("leaver-today");

    let (status, _) = env
        .send_json(
            Method::PATCH,
            &token,
            &format!("/v1.0/users/{ivy}"),
            r#"{"accountEnabled":true}"#,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "Ivy is in the unit Interns");
    assert!(enabled(&env, &ivy).await);
    let (status, _) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/users/{ivy}/revokeSignInSessions"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = env
        .send_json(
            Method::PATCH,
            &token,
            &format!("/v1.0/users/{leo}"),
            r#"{"accountEnabled":false}"#,
        )
        .await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    assert!(enabled(&env, &leo).await, "refused: nothing changed");
}

#[tokio::test]
async fn a_custom_role_grants_exactly_its_actions() {
    let env = start().await;
    let token = env.user_token(&demo(&env, "offboarder")).await;
    let (leo, _) = env.person("leaver-today");
    let path = format!("/v1.0/users/{leo}");

    let (status, body) = env
        .send_json(Method::PATCH, &token, &path, r#"{"jobTitle":"Gone"}"#)
        .await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let (status, body) = env.send_json(Method::DELETE, &token, &path, "").await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");

    let (status, _) = env
        .send_json(Method::PATCH, &token, &path, r#"{"accountEnabled":false}"#)
        .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "microsoft.directory/users/disable"
    );
    assert!(!enabled(&env, &leo).await);
    let (status, _) = env
        .send_json(
            Method::POST,
            &token,
            &format!("{path}/revokeSignInSessions"),
            "",
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "microsoft.directory/users/invalidateAllRefreshTokens"
    );
}
