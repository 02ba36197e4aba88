//! The ten stories of PLAYBOOKS.md, each produced by the engine for the reasons Microsoft
//! documents: every test changes the directory through Graph, advances the virtual clock and
//! asserts on the SCIM requests the engine recorded and on the provisioning log entries.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use common::Env;

struct Story {
    env: Env,
    token: String,
}

impl Story {
    async fn start() -> Self {
        let env = common::start().await;
        let token = env.app_token().await;
        Self { env, token }
    }

    fn app(&self, key: &str) -> training_tenant::provisioning::ScimAppSummary {
        self.env
            .tenant
            .scim_apps()
            .into_iter()
            .find(|a| a.key == key)
            .expect("scim app")
    }

    fn group(&self, key: &str) -> String {
        self.env.tenant.state().scenario.object_id("group", key)
    }

    async fn advance_minutes(&self, minutes: i64) -> Value {
        let r = self
            .env
            .http
            .post(self.env.url("/_training/clock/advance"))
            .json(&json!({"minutes": minutes}))
            .send()
            .await
            .expect("advance");
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("json")
    }

    async fn graph(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let text = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        self.env.send_json(method, &self.token, path, &text).await
    }

    async fn disable(&self, user: &str, enabled: bool) {
        let (s, b) = self
            .graph(
                Method::PATCH,
                &format!("/v1.0/users/{user}"),
                json!({"accountEnabled": enabled}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    }

    async fn soft_delete(&self, user: &str) {
        let (s, b) = self
            .graph(Method::DELETE, &format!("/v1.0/users/{user}"), Value::Null)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    }

    async fn restart(&self, app: &str, scope: Option<&str>) {
        let a = self.app(app);
        let body = match scope {
            Some(s) => json!({"criteria": {"resetScope": s}}),
            None => json!({"criteria": {}}),
        };
        let (s, b) = self
            .graph(
                Method::POST,
                &format!(
                    "/v1.0/servicePrincipals/{}/synchronization/jobs/{}/restart",
                    a.service_principal_id, a.job_id
                ),
                body,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    }

    /// SCIM requests the engine sent to `app` about `user`, oldest first.
    async fn sent(&self, app: &str, user: &str) -> Vec<Value> {
        let r: Value = self
            .env
            .http
            .get(self.env.url("/_training/scim-requests"))
            .query(&[("app", app), ("user", user)])
            .send()
            .await
            .expect("requests")
            .json()
            .await
            .expect("json");
        r["value"].as_array().cloned().unwrap_or_default()
    }

    /// Provisioning log entries of `app`'s job about `user`, oldest first.
    fn logs(&self, app: &str, user: &str) -> Vec<Value> {
        let job = self.app(app).job_id;
        self.env
            .tenant
            .state()
            .provisioning()
            .logs
            .iter()
            .filter(|e| e["jobId"] == job.as_str() && e["sourceIdentity"]["id"] == user)
            .cloned()
            .collect()
    }

    async fn scim(
        &self,
        app: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let a = self.app(app);
        let mut req = self
            .env
            .http
            .request(method, format!("{}{path}", a.scim_base_url))
            .bearer_auth(&a.bearer_token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let r = req.send().await.expect("scim");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    fn link(&self, app: &str, user: &str) -> Option<String> {
        let job = self.app(app).job_id;
        self.env.tenant.state().provisioning().jobs[&job]
            .links
            .get(user)
            .map(|l| l.target_id.clone())
    }
}

fn mutating(requests: &[Value]) -> Vec<&Value> {
    requests.iter().filter(|r| r["method"] != "GET").collect()
}

/// (1) Disable → the next cycle sends PATCH active=false, in each app's PATCH shape.
#[tokio::test]
async fn disable_sends_patch_active_false_on_the_next_cycle() {
    let s = Story::start().await;
    let (leaver, _) = s.env.person("leaver-today");
    let before = s.sent("lunchbox", &leaver).await.len();
    s.disable(&leaver, false).await;
    assert_eq!(
        s.sent("lunchbox", &leaver).await.len(),
        before,
        "nothing is sent before the cycle"
    );
    s.advance_minutes(40).await;

    let lunchbox = s.sent("lunchbox", &leaver).await;
    let patch = mutating(&lunchbox)
        .into_iter()
        .last()
        .expect("a PATCH to Lunchbox");
    assert_eq!(patch["method"], "PATCH");
    assert_eq!(
        patch["requestBody"]["Operations"],
        json!([{"op": "replace", "path": "active", "value": false}]),
        "aadOptscim062020 shape"
    );
    assert_eq!(patch["status"], 200);

    let timesheets = s.sent("timesheets", &leaver).await;
    let patch = mutating(&timesheets)
        .into_iter()
        .last()
        .expect("a PATCH to Timesheets");
    assert_eq!(
        patch["requestBody"]["Operations"],
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
        "default shape"
    );

    let entry = s
        .logs("lunchbox", &leaver)
        .into_iter()
        .last()
        .expect("log entry");
    assert_eq!(entry["provisioningAction"], "disable");
    assert_eq!(entry["provisioningStatusInfo"]["status"], "success");
    let steps: Vec<&str> = entry["provisioningSteps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["provisioningStepType"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["import", "scoping", "processing", "export"]);
}

/// (2) `active` mapped from the constant True: disabling or deleting changes nothing in the
/// app; the log says Skipped / Other (RedundantExport).
#[tokio::test]
async fn constant_true_active_mapping_makes_disable_and_delete_no_ops() {
    let s = Story::start().await;
    let (leaver, _) = s.env.person("leaver-today");
    assert!(
        s.link("badgeway", &leaver).is_some(),
        "provisioned by the initial cycle"
    );
    let before = mutating(&s.sent("badgeway", &leaver).await).len();
    s.disable(&leaver, false).await;
    s.advance_minutes(40).await;
    let entry = s
        .logs("badgeway", &leaver)
        .into_iter()
        .last()
        .expect("log entry");
    assert_eq!(entry["provisioningAction"], "other");
    assert_eq!(entry["provisioningStatusInfo"]["status"], "skipped");
    assert_eq!(
        entry["provisioningStatusInfo"]["errorInformation"]["errorCode"],
        "RedundantExport"
    );

    s.soft_delete(&leaver).await;
    s.advance_minutes(40).await;
    let entries = s.logs("badgeway", &leaver);
    assert_eq!(entries.last().unwrap()["provisioningAction"], "other");
    assert_eq!(
        mutating(&s.sent("badgeway", &leaver).await).len(),
        before,
        "nothing but reads was sent"
    );
    let (_, account) = s
        .scim(
            "badgeway",
            Method::GET,
            &format!("/Users/{}", s.link("badgeway", &leaver).unwrap()),
            None,
        )
        .await;
    assert_eq!(account["active"], true);
}

/// (3) Soft delete with the default mapping → PATCH active "False" and the prefixed userName.
#[tokio::test]
async fn soft_delete_sends_active_false_and_the_prefixed_user_name() {
    let s = Story::start().await;
    let (obrien, upn) = s.env.person("obrien");
    s.soft_delete(&obrien).await;
    s.advance_minutes(40).await;
    let sent = s.sent("floorplan", &obrien).await;
    let patch = mutating(&sent).into_iter().last().expect("PATCH");
    let ops = patch["requestBody"]["Operations"].as_array().unwrap();
    let prefixed = format!("{}{upn}", obrien.replace('-', ""));
    assert!(
        ops.contains(&json!({"op": "Replace", "path": "userName", "value": prefixed})),
        "{ops:?}"
    );
    assert!(
        ops.contains(&json!({"op": "Replace", "path": "active", "value": "False"})),
        "{ops:?}"
    );
    assert_eq!(
        s.logs("floorplan", &obrien).last().unwrap()["provisioningAction"],
        "disable"
    );
    // No DELETE during the 30 days.
    assert!(!sent.iter().any(|r| r["method"] == "DELETE"));
}

/// (4) Hard delete (the 30 days pass, or a permanent delete) → DELETE when Delete is among the
/// target object actions.
#[tokio::test]
async fn hard_delete_sends_delete() {
    let s = Story::start().await;
    // Nora was deleted 29 days ago; Lunchbox still holds her account (linked by the initial cycle).
    let (nora, _) = s.env.person("nearly-gone");
    let target = s
        .link("lunchbox", &nora)
        .expect("linked by matching the prefixed userName");
    s.advance_minutes(24 * 60).await;
    let sent = s.sent("lunchbox", &nora).await;
    let delete = sent
        .iter()
        .find(|r| r["method"] == "DELETE")
        .expect("DELETE after 30 days");
    assert_eq!(delete["path"], format!("/Users/{target}"));
    assert_eq!(delete["status"], 204);
    assert_eq!(
        s.logs("lunchbox", &nora).last().unwrap()["provisioningAction"],
        "delete"
    );

    // Permanent delete before the 30 days: the DELETE goes out with the next cycle.
    let (obrien, _) = s.env.person("obrien");
    let target = s.link("floorplan", &obrien).unwrap();
    s.soft_delete(&obrien).await;
    s.advance_minutes(40).await;
    let (st, b) = s
        .graph(
            Method::DELETE,
            &format!("/v1.0/directory/deletedItems/{obrien}"),
            Value::Null,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    s.advance_minutes(40).await;
    let sent = s.sent("floorplan", &obrien).await;
    assert_eq!(sent.last().unwrap()["method"], "DELETE");
    assert_eq!(sent.last().unwrap()["path"], format!("/Users/{target}"));
    // Floorplan soft-deletes: the record stays, inactive.
    let (st, account) = s
        .scim("floorplan", Method::GET, &format!("/Users/{target}"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(account["active"], false);
}

/// (5) Re-hired after a hard delete into the unique-e-mail app: every create is refused with 409,
/// escrowed and retried with growing back-off, each failure logged with Microsoft's reason text.
#[tokio::test]
async fn rehire_into_unique_email_app_fails_with_409_and_escrows() {
    let s = Story::start().await;
    let (jordan, _) = s.env.person("rehired");
    s.advance_minutes(24 * 60).await;
    let posts: Vec<Value> = s
        .sent("timesheets", &jordan)
        .await
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert!(posts.len() >= 4, "retried: {}", posts.len());
    assert!(posts.iter().all(|p| p["status"] == 409));
    let times: Vec<chrono::DateTime<chrono::Utc>> = posts
        .iter()
        .map(|p| p["at"].as_str().unwrap().parse().unwrap())
        .collect();
    let gaps: Vec<i64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).num_minutes())
        .collect();
    assert!(
        gaps.windows(2).all(|g| g[1] >= g[0]) && gaps.last() > gaps.first(),
        "growing back-off: {gaps:?}"
    );
    let failures: Vec<Value> = s
        .logs("timesheets", &jordan)
        .into_iter()
        .filter(|e| e["provisioningStatusInfo"]["status"] == "failure")
        .collect();
    assert_eq!(failures.len(), posts.len());
    let info = &failures.last().unwrap()["provisioningStatusInfo"]["errorInformation"];
    assert_eq!(info["errorCode"], "EntryConflict");
    let reason = info["reason"].as_str().unwrap();
    assert!(reason.starts_with("StatusCode: Conflict Message: Processing of the HTTP request resulted in an exception."), "{reason}");
    assert!(
        reason.contains("It will be retried again after this date:")
            && reason.contains("This operation was retried"),
        "{reason}"
    );
    let job = s.app("timesheets").job_id;
    assert!(s.env.tenant.state().provisioning().jobs[&job]
        .escrows
        .contains_key(&jordan));
}

/// (6) A wrong account linked: a default restart keeps the cached SCIM id; only Full drops it.
#[tokio::test]
async fn wrong_link_survives_a_default_restart_but_not_full() {
    let s = Story::start().await;
    let pat = s
        .env
        .tenant
        .summary()
        .demo_accounts
        .iter()
        .find(|d| d.roles.is_empty())
        .unwrap()
        .clone();
    // Someone else's old Floorplan account carries Pat's userName.
    let (st, other) = s.scim("floorplan", Method::POST, "/Users", Some(json!({"userName": pat.user_principal_name, "displayName": "Pat Previous", "externalId": "someone-else"}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let wrong = other["id"].as_str().unwrap().to_string();
    let (st, _) = s.graph(Method::POST, &format!("/v1.0/groups/{}/members/$ref", s.group("all-facilities")), json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", pat.id)})).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    s.advance_minutes(40).await;
    assert_eq!(
        s.link("floorplan", &pat.id).as_deref(),
        Some(wrong.as_str()),
        "matched by userName"
    );

    let rename = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "userName", "value": "pat.previous@contoso.example"}]});
    s.scim(
        "floorplan",
        Method::PATCH,
        &format!("/Users/{wrong}"),
        Some(rename.clone()),
    )
    .await;
    s.restart("floorplan", None).await;
    s.advance_minutes(40).await;
    assert_eq!(
        s.link("floorplan", &pat.id).as_deref(),
        Some(wrong.as_str()),
        "a default restart keeps the link"
    );
    let last = mutating(&s.sent("floorplan", &pat.id).await)
        .into_iter()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["path"], format!("/Users/{wrong}"));
    assert!(
        last["requestBody"]["Operations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["path"] == "userName"),
        "{last}"
    );

    s.scim(
        "floorplan",
        Method::PATCH,
        &format!("/Users/{wrong}"),
        Some(rename),
    )
    .await;
    s.restart("floorplan", Some("Full")).await;
    s.advance_minutes(40).await;
    let right = s.link("floorplan", &pat.id).expect("linked again");
    assert_ne!(
        right, wrong,
        "Full re-matches: no account has Pat's userName, so one is created"
    );
    let sent = s.sent("floorplan", &pat.id).await;
    assert!(sent
        .iter()
        .any(|r| r["method"] == "POST" && r["status"] == 201));
    assert!(sent.iter().any(|r| r["method"] == "GET"
        && r["path"]
            .as_str()
            .unwrap()
            .starts_with("/Users?filter=userName")));
}

/// (7) The soft-deleting app keeps the old SCIM id alive (Entra keeps using it); an app that
/// really deletes makes every update fail with InvalidAnchor until a Full restart re-creates.
#[tokio::test]
async fn soft_deleting_app_keeps_the_old_scim_id_until_a_restart() {
    let s = Story::start().await;
    let (obrien, _) = s.env.person("obrien");
    let old = s.link("floorplan", &obrien).unwrap();
    let before = s.sent("floorplan", &obrien).await.len();
    let (st, _) = s
        .scim("floorplan", Method::DELETE, &format!("/Users/{old}"), None)
        .await;
    assert_eq!(
        st,
        StatusCode::NO_CONTENT,
        "the app's own admin deletes the account"
    );
    let (st, gone) = s
        .scim("floorplan", Method::GET, &format!("/Users/{old}"), None)
        .await;
    assert_eq!((st, gone["active"].clone()), (StatusCode::OK, json!(false)));
    let (st, _) = s
        .graph(
            Method::PATCH,
            &format!("/v1.0/users/{obrien}"),
            json!({"jobTitle": "Regional Sales Manager"}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    s.advance_minutes(40).await;
    let sent = s.sent("floorplan", &obrien).await.split_off(before);
    let last = mutating(&sent).into_iter().last().unwrap();
    assert_eq!(last["method"], "PATCH");
    assert_eq!(
        last["path"],
        format!("/Users/{old}"),
        "the cached id is still used"
    );
    assert!(!sent.iter().any(|r| r["method"] == "POST"), "no re-create");
    assert!(
        !sent
            .iter()
            .any(|r| r["path"].as_str().unwrap().contains("filter")),
        "no re-match"
    );

    let (leaver, _) = s.env.person("leaver-today");
    let old = s.link("lunchbox", &leaver).unwrap();
    s.scim("lunchbox", Method::DELETE, &format!("/Users/{old}"), None)
        .await;
    s.graph(
        Method::PATCH,
        &format!("/v1.0/users/{leaver}"),
        json!({"jobTitle": "Senior Analyst"}),
    )
    .await;
    s.advance_minutes(40).await;
    let entry = s.logs("lunchbox", &leaver).into_iter().last().unwrap();
    assert_eq!(
        entry["provisioningStatusInfo"]["errorInformation"]["errorCode"],
        "InvalidAnchor"
    );
    s.restart("lunchbox", None).await;
    s.advance_minutes(40).await;
    assert_eq!(
        s.logs("lunchbox", &leaver).last().unwrap()["provisioningStatusInfo"]["errorInformation"]
            ["errorCode"],
        "InvalidAnchor",
        "default restart keeps the stale id"
    );
    s.restart("lunchbox", Some("Full")).await;
    s.advance_minutes(40).await;
    let entry = s.logs("lunchbox", &leaver).into_iter().last().unwrap();
    assert_eq!(entry["provisioningAction"], "create");
    assert_ne!(s.link("lunchbox", &leaver).unwrap(), old);
}

/// (8) Unassigned, then deleted: the unassignment disables the account, after which the service
/// no longer manages the user — the delete sends nothing.
#[tokio::test]
async fn unassigned_then_deleted_sends_nothing_more() {
    let s = Story::start().await;
    let facilities = s.group("all-facilities");
    let engineering = s.group("engineering");
    let user = {
        let state = s.env.tenant.state();
        let dir = state.directory();
        let direct: Vec<String> = dir
            .app_role_assignments
            .iter()
            .filter(|a| a.principal_id != facilities)
            .map(|a| a.principal_id.clone())
            .collect();
        dir.groups[&facilities]
            .members
            .iter()
            .find(|m| {
                dir.users.get(*m).is_some_and(|u| u.account_enabled())
                    && !dir.groups[&engineering].members.contains(m)
                    && !direct.contains(m)
            })
            .cloned()
            .expect("a Facilities member")
    };
    assert!(s.link("floorplan", &user).is_some());
    let (st, b) = s
        .graph(
            Method::DELETE,
            &format!("/v1.0/groups/{facilities}/members/{user}/$ref"),
            Value::Null,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    s.advance_minutes(40).await;
    let sent = s.sent("floorplan", &user).await;
    let disable = mutating(&sent).into_iter().last().unwrap();
    assert!(disable["requestBody"]["Operations"]
        .as_array()
        .unwrap()
        .contains(&json!({"op": "Replace", "path": "active", "value": "False"})));
    let count = sent.len();
    let logged = s.logs("floorplan", &user).len();

    s.soft_delete(&user).await;
    s.advance_minutes(40).await;
    let (st, _) = s
        .graph(
            Method::DELETE,
            &format!("/v1.0/directory/deletedItems/{user}"),
            Value::Null,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    s.advance_minutes(80).await;
    assert_eq!(
        s.sent("floorplan", &user).await.len(),
        count,
        "nothing more is sent"
    );
    assert_eq!(s.logs("floorplan", &user).len(), logged);
}

/// (9) An expired bearer token quarantines the job (EncounteredQuarantineException) and it then
/// tries once a day; with a new token and a QuarantineState restart it provisions again.
#[tokio::test]
async fn expired_token_quarantines_until_fixed_and_restarted() {
    let s = Story::start().await;
    let a = s.app("expensely");
    let job_path = format!(
        "/v1.0/servicePrincipals/{}/synchronization/jobs/{}",
        a.service_principal_id, a.job_id
    );
    let (_, job) = s.graph(Method::GET, &job_path, Value::Null).await;
    assert_eq!(job["status"]["code"], "Quarantine", "{job}");
    assert_eq!(
        job["status"]["quarantine"]["reason"],
        "EncounteredQuarantineException"
    );
    assert_eq!(job["status"]["lastExecution"]["state"], "Failed");
    let count = |v: &Value| v["value"].as_array().map(Vec::len).unwrap_or(0);
    let requests = || async {
        s.env
            .http
            .get(s.env.url("/_training/scim-requests?app=expensely"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let first = requests().await;
    assert!(first["value"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == 401));
    s.advance_minutes(40).await;
    assert_eq!(
        count(&requests().await),
        count(&first),
        "no 40-minute cycles in quarantine"
    );
    s.advance_minutes(24 * 60).await;
    assert_eq!(
        count(&requests().await),
        count(&first) + 1,
        "one attempt a day"
    );
    let (_, job) = s.graph(Method::GET, &job_path, Value::Null).await;
    assert_eq!(job["status"]["quarantine"]["seriesCount"], 2);

    let r = s
        .env
        .http
        .post(s.env.url("/_training/scim-apps/expensely/renew-token"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    s.restart("expensely", Some("QuarantineState")).await;
    let (_, job) = s.graph(Method::GET, &job_path, Value::Null).await;
    assert_ne!(job["status"]["code"], "Quarantine");
    s.advance_minutes(40).await;
    let after = requests().await;
    assert!(after["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["method"] == "POST" && r["status"] == 201));
    let (_, job) = s.graph(Method::GET, &job_path, Value::Null).await;
    assert_eq!(job["status"]["code"], "Active");
}

/// (10) Re-enable → PATCH active "True" on the same account; its data is intact.
#[tokio::test]
async fn re_enable_restores_active_with_data_intact() {
    let s = Story::start().await;
    let (obrien, upn) = s.env.person("obrien");
    let id = s.link("floorplan", &obrien).unwrap();
    s.disable(&obrien, false).await;
    s.advance_minutes(40).await;
    s.disable(&obrien, true).await;
    s.advance_minutes(40).await;
    let last = mutating(&s.sent("floorplan", &obrien).await)
        .into_iter()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["requestBody"]["Operations"],
        json!([{"op": "Replace", "path": "active", "value": "True"}])
    );
    let (st, account) = s
        .scim("floorplan", Method::GET, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(account["active"], true);
    assert_eq!(account["userName"], upn);
    assert_eq!(
        account["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"],
        "E000777"
    );
    assert_eq!(
        s.logs("floorplan", &obrien).last().unwrap()["provisioningAction"],
        "update"
    );
}
