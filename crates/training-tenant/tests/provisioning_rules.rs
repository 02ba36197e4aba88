//! Engine rules beyond the ten stories: scoping filters deprovision, and the accidental-deletion
//! threshold stages deprovisioning until a ForceDeletes restart.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn advance(env: &common::Env, minutes: i64) {
    let r = env
        .http
        .post(env.url("/_training/clock/advance"))
        .json(&json!({"minutes": minutes}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

fn floorplan(env: &common::Env) -> training_tenant::provisioning::ScimAppSummary {
    env.tenant
        .scim_apps()
        .into_iter()
        .find(|a| a.key == "floorplan")
        .unwrap()
}

async fn patches(env: &common::Env, user: &str) -> Vec<Value> {
    let r: Value = env
        .http
        .get(env.url(&format!(
            "/_training/scim-requests?app=floorplan&user={user}&method=PATCH"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["value"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn leaving_a_scoping_filter_disables_the_account() {
    let env = common::start().await;
    let token = env.app_token().await;
    let app = floorplan(&env);
    let path = format!(
        "/v1.0/servicePrincipals/{}/synchronization/jobs/{}/schema",
        app.service_principal_id, app.job_id
    );
    let engineer = {
        let state = env.tenant.state();
        let dir = state.directory();
        let job = &state.provisioning().jobs[&app.job_id];
        dir.users
            .values()
            .find(|u| {
                u.str_prop("department") == Some("Engineering") && job.links.contains_key(&u.id)
            })
            .map(|u| u.id.clone())
            .expect("a provisioned engineer")
    };
    let (_, mut schema) = env.get_json(&token, &path).await;
    schema["synchronizationRules"][0]["objectMappings"][0]["scope"] = json!({
        "categoryFilterGroups": [], "inputFilterGroups": [],
        "groups": [{"name": "Facilities only", "clauses": [{"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {"values": ["Facilities"]}}]}]
    });
    let (s, b) = env
        .send_json(Method::PUT, &token, &path, &schema.to_string())
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    advance(&env, 40).await;
    let last = patches(&env, &engineer).await.pop().expect("a PATCH");
    assert!(
        last["requestBody"]["Operations"]
            .as_array()
            .unwrap()
            .contains(&json!({"op": "Replace", "path": "active", "value": "False"})),
        "{last}"
    );

    let mut bad = schema.clone();
    bad["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"][0]["clauses"][0]
        ["operatorName"] = json!("SOUNDS_LIKE");
    let (s, _) = env
        .send_json(Method::PUT, &token, &path, &bad.to_string())
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn too_many_deletes_are_staged_until_force_deletes() {
    let env = common::start().await;
    let token = env.app_token().await;
    let app = floorplan(&env);
    let r = env
        .http
        .put(env.url(&format!("/_training/jobs/{}/settings", app.job_id)))
        .json(&json!({"deleteThreshold": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (obrien, _) = env.person("obrien");
    let (hostile, _) = env.person("hostile");
    for id in [&obrien, &hostile] {
        let (s, _) = env
            .send_json(
                Method::PATCH,
                &token,
                &format!("/v1.0/users/{id}"),
                r#"{"accountEnabled":false}"#,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let before = patches(&env, &obrien).await.len();
    advance(&env, 40).await;
    assert_eq!(
        patches(&env, &obrien).await.len(),
        before,
        "staged, not sent"
    );
    let job_path = format!(
        "/v1.0/servicePrincipals/{}/synchronization/jobs/{}",
        app.service_principal_id, app.job_id
    );
    let (_, job) = env.get_json(&token, &job_path).await;
    assert_eq!(job["status"]["code"], "Quarantine");
    assert_eq!(job["status"]["quarantine"]["reason"], "TooManyDeletes");
    let staged = env
        .tenant
        .state()
        .provisioning()
        .logs
        .iter()
        .filter(|e| e["provisioningAction"] == "stagedDelete")
        .count();
    assert_eq!(staged, 2);

    let (s, _) = env
        .send_json(
            Method::POST,
            &token,
            &format!("{job_path}/restart"),
            r#"{"criteria":{"resetScope":"ForceDeletes"}}"#,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    advance(&env, 1).await;
    let sent = patches(&env, &obrien).await;
    assert_eq!(sent.len(), before + 1, "allowed: the disable goes out");
    assert_eq!(
        sent.last().unwrap()["requestBody"]["Operations"],
        json!([{"op": "Replace", "path": "active", "value": "False"}])
    );
    let (_, job) = env.get_json(&token, &job_path).await;
    assert_eq!(job["status"]["code"], "Active");
}

/// Failure counts quarantine a job (quarantine status doc: from 5,000 failures on, more than
/// 40 % failed): the Timesheets app rejects a duplicate e-mail, so mapping every user's e-mail
/// from one constant makes all creates but the first fail with 409. The job then runs once a
/// day, and leaves quarantine on the first daily cycle after the mapping is fixed.
#[tokio::test]
async fn many_failures_quarantine_the_job_until_a_cycle_succeeds() {
    let env = common::start_with(training_tenant::Options {
        population: Some(5_500),
        device_code_interval: 0,
        ..training_tenant::Options::default()
    })
    .await;
    let token = env.app_token().await;
    let apps = env.tenant.scim_apps();
    for other in apps.iter().filter(|a| a.key != "timesheets") {
        let (s, b) = env
            .send_json(
                Method::POST,
                &token,
                &format!(
                    "/v1.0/servicePrincipals/{}/synchronization/jobs/{}/pause",
                    other.service_principal_id, other.job_id
                ),
                "",
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    }
    let app = apps.iter().find(|a| a.key == "timesheets").unwrap();
    let sp = format!(
        "/v1.0/servicePrincipals/{}/synchronization",
        app.service_principal_id
    );
    let job_path = format!("{sp}/jobs/{}", app.job_id);
    let (s, b) = env
        .send_json(
            Method::PUT,
            &token,
            &format!("{sp}/secrets"),
            r#"{"value":[{"key":"SyncAll","value":"True"}]}"#,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, fixed) = env.get_json(&token, &format!("{job_path}/schema")).await;
    let mut broken = fixed.clone();
    for m in broken["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap()
    {
        if m["targetAttributeName"] == "emails[type eq \"work\"].value" {
            m["source"] = json!({"expression": "\"everyone@contoso-training.onmicrosoft.com\"", "name": "everyone@contoso-training.onmicrosoft.com", "parameters": [], "type": "Constant"});
        }
    }
    let (s, b) = env
        .send_json(
            Method::PUT,
            &token,
            &format!("{job_path}/schema"),
            &broken.to_string(),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");

    let sent = || async {
        let r: Value = env
            .http
            .get(env.url("/_training/scim-requests?app=timesheets&method=POST"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["value"].as_array().cloned().unwrap_or_default()
    };
    advance(&env, 40).await;
    let posts = sent().await;
    let conflicts = posts.iter().filter(|r| r["status"] == 409).count();
    assert!(conflicts >= 5_000, "{conflicts} creates failed");
    let (_, job) = env.get_json(&token, &job_path).await;
    let status = &job["status"];
    assert_eq!(status["code"], "Quarantine", "{status}");
    assert_eq!(
        status["quarantine"]["reason"],
        "EncounteredEscrowProportionThreshold"
    );
    assert_eq!(status["quarantine"]["seriesCount"], 1);
    assert_eq!(status["lastExecution"]["state"], "EntryLevelErrors");

    advance(&env, 40).await;
    assert_eq!(sent().await.len(), posts.len(), "no 40-minute cycles");

    let (s, b) = env
        .send_json(
            Method::PUT,
            &token,
            &format!("{job_path}/schema"),
            &fixed.to_string(),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    advance(&env, 24 * 60).await;
    let after = sent().await;
    assert!(
        after[posts.len()..]
            .iter()
            .filter(|r| r["status"] == 201)
            .count()
            >= 5_000,
        "the daily cycle creates the accounts"
    );
    let (_, job) = env.get_json(&token, &job_path).await;
    assert_eq!(job["status"]["code"], "Active", "{}", job["status"]);
    assert!(job["status"]["quarantine"].is_null());
}
