//! People synced from on-premises Active Directory: Graph refuses the properties on-premises
//! owns, and the directory sync (every 30 virtual minutes) puts back the on-premises
//! `accountEnabled` (graph-api.md §11.8; entra-docs `identity/users/users-revoke-access.md`).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const SELECT: &str = "$select=accountEnabled,onPremisesSyncEnabled,onPremisesLastSyncDateTime,onPremisesSamAccountName,onPremisesDomainName,onPremisesImmutableId,jobTitle";

async fn read(env: &Env, token: &str, id: &str) -> Value {
    let (status, body) = env
        .get_json(token, &format!("/v1.0/users/{id}?{SELECT}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn disable_in_entra(env: &Env, token: &str, id: &str) {
    let (status, body) = env
        .send_json(
            Method::PATCH,
            token,
            &format!("/v1.0/users/{id}"),
            r#"{"accountEnabled": false}"#,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn a_synced_person_carries_the_documented_on_premises_properties() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("synced-leaver");
    let user = read(&env, &token, &id).await;
    assert_eq!(user["onPremisesSyncEnabled"], true);
    assert_eq!(user["onPremisesSamAccountName"], "hweber");
    assert_eq!(user["onPremisesDomainName"], "corp.contoso.example");
    assert!(user["onPremisesImmutableId"].is_string());
    assert!(user["onPremisesLastSyncDateTime"].is_string());
    // A cloud-only person is not synced.
    let (other, _) = env.person("obrien");
    assert_eq!(
        read(&env, &token, &other).await["onPremisesSyncEnabled"],
        Value::Null
    );
}

#[tokio::test]
async fn changing_an_on_premises_mastered_property_is_refused_with_graphs_400() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("synced-leaver");
    for body in [
        r#"{"jobTitle": "Former Office Manager"}"#,
        r#"{"displayName": "Hanna Weber (left)"}"#,
        r#"{"department": "Alumni"}"#,
    ] {
        let (status, answer) = env
            .send_json(Method::PATCH, &token, &format!("/v1.0/users/{id}"), body)
            .await;
        assert_graph_error(status, &answer, 400, "Request_BadRequest");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("on-premises mastered Directory Sync objects"),
            "{answer}"
        );
    }
    assert_eq!(read(&env, &token, &id).await["jobTitle"], "Office Manager");
    // The same change of a cloud-only person goes through.
    let (other, _) = env.person("obrien");
    let (status, _) = env
        .send_json(
            Method::PATCH,
            &token,
            &format!("/v1.0/users/{other}"),
            r#"{"jobTitle": "Head of Sales"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_directory_sync_turns_sign_in_back_on_when_only_entra_was_changed() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("synced-leaver");
    let before = read(&env, &token, &id).await["onPremisesLastSyncDateTime"].clone();
    disable_in_entra(&env, &token, &id).await;
    // Accepted in the cloud until the sync runs.
    assert_eq!(read(&env, &token, &id).await["accountEnabled"], false);
    env.advance_minutes(30).await;
    let after = read(&env, &token, &id).await;
    assert_eq!(after["accountEnabled"], true, "{after}");
    assert_ne!(after["onPremisesLastSyncDateTime"], before, "{after}");
}

#[tokio::test]
async fn disabled_in_on_premises_ad_too_sign_in_stays_off_after_the_sync() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, upn) = env.person("synced-leaver");
    disable_in_entra(&env, &token, &id).await;
    let r = env
        .http
        .post(env.url("/_training/on-premises/disable"))
        .json(&json!({ "user": upn }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["id"], id);
    env.advance_minutes(30).await;
    assert_eq!(read(&env, &token, &id).await["accountEnabled"], false);
    env.advance_minutes(60).await;
    assert_eq!(read(&env, &token, &id).await["accountEnabled"], false);
}

#[tokio::test]
async fn disabling_on_premises_alone_reaches_entra_at_the_next_sync() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("synced-leaver");
    let r = env
        .http
        .post(env.url("/_training/on-premises/disable"))
        .json(&json!({ "user": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(read(&env, &token, &id).await["accountEnabled"], true);
    env.advance_minutes(30).await;
    assert_eq!(read(&env, &token, &id).await["accountEnabled"], false);
}

#[tokio::test]
async fn the_on_premises_control_only_knows_synced_people() {
    let env = start().await;
    let (_, upn) = env.person("obrien");
    let r = env
        .http
        .post(env.url("/_training/on-premises/disable"))
        .json(&json!({ "user": upn }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
