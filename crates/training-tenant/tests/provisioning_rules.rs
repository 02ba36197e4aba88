//! Engine rules beyond the ten stories: scoping filters deprovision, and the accidental-deletion
//! threshold stages deprovisioning until a ForceDeletes restart.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn floorplan(env: &common::Env) -> training_tenant::provisioning::ScimAppSummary {
    env.tenant
        .scim_apps()
        .into_iter()
        .find(|a| a.key == "floorplan")
        .unwrap()
}

async fn patches(env: &common::Env, user: &str) -> Vec<Value> {
    env.scim_requests(&format!("app=floorplan&user={user}&method=PATCH"))
        .await
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
    env.advance_minutes(40).await;
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
    env.advance_minutes(40).await;
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
    env.advance_minutes(1).await;
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

    let sent = || env.scim_requests("app=timesheets&method=POST");
    env.advance_minutes(40).await;
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

    env.advance_minutes(40).await;
    assert_eq!(sent().await.len(), posts.len(), "no 40-minute cycles");
    env.advance_minutes(24 * 60).await;
    assert!(sent().await.len() > posts.len(), "one attempt a day");
    let (_, job) = env.get_json(&token, &job_path).await;
    let q = &job["status"]["quarantine"];
    assert_eq!(q["seriesCount"], 2, "{q}");
    assert_eq!(q["seriesBegan"], status["quarantine"]["seriesBegan"]);
    assert_ne!(q["currentBegan"], status["quarantine"]["currentBegan"]);
    let posts = sent().await;

    let (s, b) = env
        .send_json(
            Method::PUT,
            &token,
            &format!("{job_path}/schema"),
            &fixed.to_string(),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    env.advance_minutes(24 * 60).await;
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

/// SCIM requests the engine sent to Floorplan about one Entra object, oldest first.
async fn sent_about(env: &common::Env, object_id: &str) -> Vec<Value> {
    env.scim_requests(&format!("app=floorplan&user={object_id}"))
        .await
}

fn member_ids(op: &Value) -> Vec<String> {
    op["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["value"].as_str().map(str::to_string))
        .collect()
}

/// Assigned groups are provisioned: matched by displayName, created with empty members, then
/// their provisioned members added with PATCH; a member leaving the group → PATCH remove; the
/// group leaving the app's scope → DELETE (Floorplan's actions include Delete).
#[tokio::test]
async fn assigned_groups_are_provisioned_with_their_members() {
    let env = common::start().await;
    let token = env.app_token().await;
    let app = floorplan(&env);
    let state = env.tenant.state().clone();
    let facilities = state.scenario.object_id("group", "all-facilities");
    let scim_id_of = |user: &str| {
        state.provisioning().jobs[&app.job_id]
            .links
            .get(user)
            .map(|l| l.target_id.clone())
    };

    // The initial cycle at start-up provisioned the assigned group.
    let requests = sent_about(&env, &facilities).await;
    let get = &requests[0];
    assert_eq!(get["method"], "GET");
    assert_eq!(
        get["path"],
        "/Groups?filter=displayName+eq+%22Facilities+team%22&excludedAttributes=members"
    );
    let post = &requests[1];
    assert_eq!(
        (&post["method"], &post["path"]),
        (&json!("POST"), &json!("/Groups"))
    );
    assert_eq!(post["status"], 201);
    assert_eq!(post["requestBody"]["displayName"], "Facilities team");
    assert_eq!(post["requestBody"]["externalId"], facilities.as_str());
    assert_eq!(post["requestBody"]["members"], json!([]));
    let group_scim_id = post["responseBody"]["id"].as_str().unwrap().to_string();
    let add = &requests[2];
    assert_eq!(add["method"], "PATCH");
    assert_eq!(add["path"], format!("/Groups/{group_scim_id}"));
    let op = &add["requestBody"]["Operations"][0];
    assert_eq!((&op["op"], &op["path"]), (&json!("Add"), &json!("members")));
    let members: Vec<String> = state.directory().groups[&facilities].members.clone();
    let mut expected: Vec<String> = members.iter().filter_map(|m| scim_id_of(m)).collect();
    let mut added = member_ids(op);
    expected.sort();
    added.sort();
    assert!(!added.is_empty());
    assert_eq!(added, expected, "every provisioned member");
    let in_app = |env: &common::Env| {
        let env_url = format!("{}/Groups/{group_scim_id}", app.scim_base_url);
        let bearer = app.bearer_token.clone();
        let http = env.http.clone();
        async move {
            let g: Value = http
                .get(env_url)
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut ids = member_ids(&json!({"value": g["members"]}));
            ids.sort();
            ids
        }
    };
    assert_eq!(in_app(&env).await, expected);

    // A member leaves the group.
    let leaver = members
        .iter()
        .find(|m| scim_id_of(m).is_some())
        .unwrap()
        .clone();
    let leaver_scim_id = scim_id_of(&leaver).unwrap();
    let (s, b) = env
        .send_json(
            Method::DELETE,
            &token,
            &format!("/v1.0/groups/{facilities}/members/{leaver}/$ref"),
            "",
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    env.advance_minutes(40).await;
    let requests = sent_about(&env, &facilities).await;
    let patch = requests.last().unwrap();
    assert_eq!(patch["method"], "PATCH");
    assert_eq!(
        patch["requestBody"]["Operations"],
        json!([{"op": "Remove", "path": "members", "value": [{"value": leaver_scim_id}]}])
    );
    assert!(!in_app(&env).await.contains(&leaver_scim_id));
    let logged = state
        .provisioning()
        .logs
        .iter()
        .rev()
        .find(|e| e["sourceIdentity"]["id"] == facilities.as_str())
        .cloned()
        .unwrap();
    assert_eq!(logged["provisioningAction"], "update");
    assert_eq!(logged["sourceIdentity"]["identityType"], "Group");
    assert_eq!(
        logged["targetIdentity"]["identityType"],
        "urn:ietf:params:scim:schemas:core:2.0:Group"
    );

    // A newly assigned group is provisioned on the next cycle; unassigned, it is deleted.
    let interns = state.scenario.object_id("group", "interns");
    let assignment = {
        let now = state.clock.now();
        state
            .directory_mut()
            .assign(&app.service_principal_id, &interns, now)
            .unwrap()
    };
    env.advance_minutes(40).await;
    let requests = sent_about(&env, &interns).await;
    let created = requests
        .iter()
        .find(|r| r["method"] == "POST")
        .expect("POST /Groups");
    assert_eq!(created["status"], 201);
    let interns_scim_id = created["responseBody"]["id"].as_str().unwrap().to_string();
    {
        let now = state.clock.now();
        state.directory_mut().unassign(&assignment, now).unwrap();
    }
    env.advance_minutes(40).await;
    let last = sent_about(&env, &interns).await.pop().unwrap();
    assert_eq!(last["method"], "DELETE");
    assert_eq!(last["path"], format!("/Groups/{interns_scim_id}"));
    assert_eq!(last["status"], 204);
}

/// A permanently deleted member leaves the group in the app too, in the app's PATCH shape:
/// Lunchbox (`aadOptscim062020`) gets `remove` with a `members[value eq "…"]` path.
#[tokio::test]
async fn a_permanently_deleted_member_is_removed_from_the_group() {
    let env = common::start().await;
    let token = env.app_token().await;
    let app = env
        .tenant
        .scim_apps()
        .into_iter()
        .find(|a| a.key == "lunchbox")
        .unwrap();
    let state = env.tenant.state().clone();
    let finance = state.scenario.object_id("group", "finance");
    let (member, scim_id, group_scim_id) = {
        let prov = state.provisioning();
        let job = &prov.jobs[&app.job_id];
        let group = &job.group_links[&finance];
        let (member, scim_id) = group.members.iter().next().expect("a provisioned member");
        (member.clone(), scim_id.clone(), group.target_id.clone())
    };
    let (s, _) = env
        .send_json(Method::DELETE, &token, &format!("/v1.0/users/{member}"), "")
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    env.advance_minutes(40).await;
    let group_query = format!("app=lunchbox&user={finance}");
    let group_requests = || env.scim_requests(&group_query);
    let before = group_requests().await.len();
    assert!(
        state.provisioning().jobs[&app.job_id].group_links[&finance]
            .members
            .contains_key(&member),
        "a soft-deleted member keeps the membership"
    );
    let (s, b) = env
        .send_json(
            Method::DELETE,
            &token,
            &format!("/v1.0/directory/deletedItems/{member}"),
            "",
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    env.advance_minutes(40).await;
    let user_requests = env
        .scim_requests(&format!("app=lunchbox&user={member}&method=DELETE"))
        .await;
    assert_eq!(user_requests.len(), 1, "the account is deleted");
    let requests = group_requests().await;
    assert_eq!(requests.len(), before + 1);
    let patch = requests.last().unwrap();
    assert_eq!(patch["path"], format!("/Groups/{group_scim_id}"));
    assert_eq!(
        patch["requestBody"]["Operations"],
        json!([{"op": "remove", "path": format!("members[value eq \"{scim_id}\"]")}])
    );
    assert_eq!(patch["status"], 204);
}

/// A group the app refuses to create is tried again in the next cycle, even when nothing
/// changed in the directory: here the group mapping takes displayName from the empty
/// description, and the app answers 400 to a group without a displayName.
#[tokio::test]
async fn a_group_that_failed_to_be_created_is_retried_every_cycle() {
    let env = common::start().await;
    let token = env.app_token().await;
    let app = floorplan(&env);
    let path = format!(
        "/v1.0/servicePrincipals/{}/synchronization/jobs/{}/schema",
        app.service_principal_id, app.job_id
    );
    let (_, mut schema) = env.get_json(&token, &path).await;
    let groups = &mut schema["synchronizationRules"][0]["objectMappings"][1];
    assert_eq!(groups["sourceObjectName"], "Group");
    for m in groups["attributeMappings"].as_array_mut().unwrap() {
        if m["targetAttributeName"] == "displayName" {
            m["source"] = json!({"expression": "[description]", "name": "description", "parameters": [], "type": "Attribute"});
        }
    }
    let (s, b) = env
        .send_json(Method::PUT, &token, &path, &schema.to_string())
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let state = env.tenant.state().clone();
    let interns = state.scenario.object_id("group", "interns");
    {
        let now = state.clock.now();
        state
            .directory_mut()
            .assign(&app.service_principal_id, &interns, now)
            .unwrap();
    }
    let query = format!("app=floorplan&user={interns}&method=POST");
    let posts = || env.scim_requests(&query);
    env.advance_minutes(40).await;
    let first = posts().await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["status"], 400);
    let failed = state
        .provisioning()
        .logs
        .iter()
        .rev()
        .find(|e| e["sourceIdentity"]["id"] == interns.as_str())
        .cloned()
        .unwrap();
    assert_eq!(failed["provisioningStatusInfo"]["status"], "failure");
    // Three cycles without a directory change: none of them is skipped as idle.
    env.advance_minutes(3 * 40).await;
    assert_eq!(posts().await.len(), 4, "retried in every cycle");
}

async fn set_threshold(env: &common::Env, job_id: &str, threshold: usize) {
    let r = env
        .http
        .put(env.url(&format!("/_training/jobs/{job_id}/settings")))
        .json(&json!({"deleteThreshold": threshold}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn turn_off_sign_in(env: &common::Env, token: &str, ids: &[&String]) {
    for id in ids {
        let (s, _) = env
            .send_json(
                Method::PATCH,
                token,
                &format!("/v1.0/users/{id}"),
                r#"{"accountEnabled":false}"#,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
}

/// entra-docs `accidental-deletions.md`: "When the deletion threshold is met, the job goes into
/// quarantine", disables count as well as deletes, and the held-back ones are in the logs as
/// StagedDelete. Two disables with a threshold of two are held back.
#[tokio::test]
async fn disables_that_reach_the_threshold_are_held_back_as_staged_deletes() {
    let env = common::start().await;
    let token = env.app_token().await;
    let app = floorplan(&env);
    set_threshold(&env, &app.job_id, 2).await;
    let (obrien, _) = env.person("obrien");
    let (hostile, _) = env.person("hostile");
    let before = patches(&env, &obrien).await.len();
    turn_off_sign_in(&env, &token, &[&obrien, &hostile]).await;
    env.advance_minutes(40).await;
    assert_eq!(patches(&env, &obrien).await.len(), before, "held back");
    let (_, job) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/servicePrincipals/{}/synchronization/jobs/{}",
                app.service_principal_id, app.job_id
            ),
        )
        .await;
    assert_eq!(job["status"]["quarantine"]["reason"], "TooManyDeletes");
    let (s, logs) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/auditLogs/provisioning?$filter=jobId eq '{}' and provisioningAction eq 'stagedDelete'",
                app.job_id
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{logs}");
    let mut held: Vec<String> = logs["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sourceIdentity"]["id"].as_str().unwrap().to_string())
        .collect();
    held.sort();
    let mut want = vec![obrien, hostile];
    want.sort();
    assert_eq!(held, want);
}

/// synchronizationJobRestartCriteria: Full is "all of the options" before ForceDeletes
/// (ConnectorDataStore, Escrows, Watermark, QuarantineState) — a Full restart re-evaluates
/// everyone and holds the same disables back again; "Full, ForceDeletes" also sends them.
#[tokio::test]
async fn full_does_not_release_held_back_disables_full_with_force_deletes_does() {
    let env = common::start().await;
    let token = env.app_token().await;
    let app = floorplan(&env);
    set_threshold(&env, &app.job_id, 1).await;
    let (obrien, _) = env.person("obrien");
    let (hostile, _) = env.person("hostile");
    let before = patches(&env, &obrien).await.len();
    turn_off_sign_in(&env, &token, &[&obrien, &hostile]).await;
    env.advance_minutes(40).await;
    let job_path = format!(
        "/v1.0/servicePrincipals/{}/synchronization/jobs/{}",
        app.service_principal_id, app.job_id
    );
    let restart = |scope: &'static str| {
        let env = &env;
        let token = &token;
        let job_path = &job_path;
        async move {
            let (s, b) = env
                .send_json(
                    Method::POST,
                    token,
                    &format!("{job_path}/restart"),
                    &json!({"criteria": {"resetScope": scope}}).to_string(),
                )
                .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        }
    };

    restart("Full").await;
    env.advance_minutes(1).await;
    let sent_disable = |requests: &[Value]| {
        requests.iter().any(|r| {
            r["requestBody"]["Operations"]
                .as_array()
                .is_some_and(|ops| ops.iter().any(|op| op["path"] == "active"))
        })
    };
    let after_full = patches(&env, &obrien).await;
    assert!(
        !sent_disable(&after_full[before..]),
        "Full alone does not let the disable through: {after_full:?}"
    );
    let (_, job) = env.get_json(&token, &job_path).await;
    assert_eq!(
        job["status"]["quarantine"]["reason"], "TooManyDeletes",
        "re-evaluated and held back again"
    );

    restart("Full, ForceDeletes").await;
    env.advance_minutes(1).await;
    let after_both = patches(&env, &obrien).await;
    assert!(
        sent_disable(&after_both[before..]),
        "Full with ForceDeletes sends the disable: {after_both:?}"
    );
    let (_, job) = env.get_json(&token, &job_path).await;
    assert_eq!(job["status"]["code"], "Active", "{job}");
}
