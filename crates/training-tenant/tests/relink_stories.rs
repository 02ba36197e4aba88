//! The two re-link stories of the Contoso scenario, end to end over HTTP: the wrong state is
//! visible in the app and the provisioning logs; pausing the job, deleting that one object
//! connection (entra-docs `docs/identity/app-provisioning/manage-object-connections.md`, "Repair
//! an incorrect object connection") and provisioning the person on demand puts it right; the job
//! starts again.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use common::Env;

struct Relink {
    env: Env,
    token: String,
    app: training_tenant::provisioning::ScimAppSummary,
    person: String,
}

impl Relink {
    async fn start(app: &str, person: &str) -> Self {
        let env = common::start().await;
        let token = env.app_token().await;
        let app = env
            .tenant
            .scim_apps()
            .into_iter()
            .find(|a| a.key == app)
            .expect("app");
        let (person, _) = env.person(person);
        Self {
            env,
            token,
            app,
            person,
        }
    }

    fn job(&self) -> String {
        format!(
            "/beta/servicePrincipals/{}/synchronization/jobs/{}",
            self.app.service_principal_id, self.app.job_id
        )
    }

    fn connection(&self) -> String {
        format!("{}/objectConnections('{}')", self.job(), self.person)
    }

    async fn linked_account(&self) -> String {
        let (s, c) = self.env.get_json(&self.token, &self.connection()).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["sourceAnchor"], self.person.as_str());
        c["targetAnchor"].as_str().unwrap().to_string()
    }

    /// The app's own answer for one of its accounts (its SCIM endpoint, with its token).
    async fn account(&self, id: &str) -> Value {
        let url = format!("{}/Users/{id}", self.app.scim_base_url);
        let r = self
            .env
            .http
            .get(url)
            .bearer_auth(&self.app.bearer_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn accounts_named(&self, user_name: &str) -> u64 {
        let r = self
            .env
            .http
            .get(format!("{}/Users", self.app.scim_base_url))
            .query(&[("filter", format!("userName eq \"{user_name}\""))])
            .bearer_auth(&self.app.bearer_token)
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        body["totalResults"].as_u64().unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let text = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        self.env
            .send_json(Method::POST, &self.token, path, &text)
            .await
    }

    /// provisionOnDemand for the person; answers the parsed `key` (result) and `value`.
    async fn sync_now(&self) -> (Value, Value) {
        let (_, schema) = self
            .env
            .get_json(&self.token, &format!("{}/schema", self.job()))
            .await;
        let rule = schema["synchronizationRules"][0]["id"].clone();
        let (s, r) = self
            .post(
                &format!("{}/provisionOnDemand", self.job()),
                json!({"parameters": [{"ruleId": rule, "subjects": [{"objectId": self.person, "objectTypeName": "User"}]}]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let parse = |k: &str| serde_json::from_str::<Value>(r[k].as_str().unwrap()).unwrap();
        (parse("key"), parse("value"))
    }

    async fn schedule_state(&self) -> String {
        let (_, job) = self.env.get_json(&self.token, &self.job()).await;
        job["schedule"]["state"].as_str().unwrap().to_string()
    }

    /// The documented repair: pause, confirm paused, delete the connection, sync on demand,
    /// start. Answers the on-demand result.
    async fn relink(&self) -> (Value, Value) {
        let (s, _) = self
            .post(&format!("{}/pause", self.job()), Value::Null)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(self.schedule_state().await, "Paused");
        let (s, b) = self
            .env
            .send_json(Method::DELETE, &self.token, &self.connection(), "")
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        let result = self.sync_now().await;
        let (s, _) = self
            .post(&format!("{}/start", self.job()), Value::Null)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(self.schedule_state().await, "Active");
        result
    }

    /// The person's provisioning log entries in this job, newest first.
    async fn logs(&self) -> Vec<Value> {
        let filter = format!(
            "jobId eq '{}' and sourceIdentity/id eq '{}'",
            self.app.job_id, self.person
        );
        let (s, b) = self
            .env
            .get_json(
                &self.token,
                &format!(
                    "/v1.0/auditLogs/provisioning?$filter={}&$orderby=activityDateTime%20desc",
                    url::form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        b["value"].as_array().cloned().unwrap_or_default()
    }

    async fn requests_to(&self, method: &str) -> Vec<String> {
        self.env
            .scim_requests(&format!(
                "app={}&user={}&method={method}",
                self.app.key, self.person
            ))
            .await
            .iter()
            .map(|r| r["path"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Project Insight deleted Marisol's account on its side and keeps answering `active:false` for
/// it; Entra keeps its link and PATCHes that account at every sync, in vain. After re-link, the
/// match by userName no longer finds the deleted account: she gets a new, active one.
#[tokio::test]
async fn project_insight_a_deleted_account_is_replaced_after_relink() {
    let story = Relink::start("insight", "insight-stale").await;
    let upn = story.env.person("insight-stale").1;
    let stale = story.linked_account().await;
    assert_eq!(story.account(&stale).await["active"], false);
    assert_eq!(
        story.accounts_named(&upn).await,
        0,
        "Project Insight does not find a deleted account by user name"
    );

    // Before: syncing her now updates the old account, which stays inactive.
    let (key, value) = story.sync_now().await;
    assert_eq!(key["result"], "Success", "{key}");
    assert_eq!(value["action"], "Update");
    assert_eq!(value["targetIdentity"]["id"], stale.as_str());
    assert!(story
        .requests_to("PATCH")
        .await
        .contains(&format!("/Users/{stale}")));
    assert_eq!(story.account(&stale).await["active"], false);
    assert_eq!(
        story.linked_account().await,
        stale,
        "Entra keeps the old id"
    );

    let (key, value) = story.relink().await;
    assert_eq!(key["result"], "Success", "{key}");
    assert_eq!(value["action"], "Create", "{value}");
    let fresh = story.linked_account().await;
    assert_ne!(fresh, stale);
    assert_eq!(value["targetIdentity"]["id"], fresh.as_str());
    let account = story.account(&fresh).await;
    assert_eq!(account["active"], true);
    assert_eq!(account["userName"], upn.as_str());
    // The logs show the new account, newest first.
    let logs = story.logs().await;
    assert_eq!(logs[0]["provisioningAction"], "create", "{:?}", logs[0]);
    assert_eq!(logs[0]["targetIdentity"]["id"], fresh.as_str());
    // The old account is left as it was (nothing is deleted in the app).
    assert_eq!(story.account(&stale).await["active"], false);

    // Later rounds update the new account, never the old one again.
    let patches_before = story.requests_to("PATCH").await.len();
    let (s, b) = story
        .env
        .send_json(
            Method::PATCH,
            &story.token,
            &format!("/v1.0/users/{}", story.person),
            r#"{"jobTitle": "Lead Product Designer"}"#,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    story.env.advance_minutes(41).await;
    let patches = story.requests_to("PATCH").await;
    assert_eq!(
        patches[patches_before..],
        [format!("/Users/{fresh}")],
        "{patches:?}"
    );
    assert_eq!(
        story.account(&fresh).await["title"],
        "Lead Product Designer"
    );
}

/// Without the on-demand sync, the next round after re-link matches her afresh as well.
#[tokio::test]
async fn project_insight_the_next_round_after_the_delete_creates_the_new_account() {
    let story = Relink::start("insight", "insight-stale").await;
    let stale = story.linked_account().await;
    let (s, _) = story
        .post(&format!("{}/pause", story.job()), Value::Null)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = story
        .env
        .send_json(Method::DELETE, &story.token, &story.connection(), "")
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = story
        .post(&format!("{}/start", story.job()), Value::Null)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    story.env.advance_minutes(41).await;
    let fresh = story.linked_account().await;
    assert_ne!(fresh, stale);
    assert_eq!(story.account(&fresh).await["active"], true);
    assert_eq!(story.logs().await[0]["provisioningAction"], "create");
}

/// Without re-link, the next round also goes to the deleted account: a restart would not change
/// that (it keeps the links), only forgetting the link does.
#[tokio::test]
async fn project_insight_without_relink_every_round_patches_the_deleted_account() {
    let story = Relink::start("insight", "insight-stale").await;
    let stale = story.linked_account().await;
    let (s, _) = story
        .env
        .send_json(
            Method::PATCH,
            &story.token,
            &format!("/v1.0/users/{}", story.person),
            r#"{"jobTitle": "Lead Product Designer"}"#,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    story.env.advance_minutes(41).await;
    let patches = story.requests_to("PATCH").await;
    assert!(patches.iter().all(|p| *p == format!("/Users/{stale}")));
    assert!(patches.len() >= 2, "{patches:?}");
    let account = story.account(&stale).await;
    assert_eq!(account["active"], false, "it never becomes usable");
    assert_eq!(account["title"], "Lead Product Designer");
}

/// Dana Whitcombe is linked to Daniel Whitcombe's Timesheets account: her changes are sent to
/// his account (and refused: her own account holds her user name). After re-link she is matched
/// to her own account by userName and it is brought up to date; Daniel is not touched.
#[tokio::test]
async fn wrong_account_dana_is_matched_to_her_own_account_after_relink() {
    let story = Relink::start("timesheets", "wrong-linked").await;
    let (daniel, _) = story.env.person("linked-owner");
    let wrong = story.linked_account().await;
    assert_eq!(
        story.account(&wrong).await["displayName"],
        "Daniel Whitcombe"
    );
    let daniel_link = {
        let path = format!("{}/objectConnections('{daniel}')", story.job());
        let (s, c) = story.env.get_json(&story.token, &path).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        c["targetAnchor"].as_str().unwrap().to_string()
    };
    assert_eq!(daniel_link, wrong, "both are linked to Daniel's account");

    // Before: a change to Dana goes to Daniel's account.
    let (s, _) = story
        .env
        .send_json(
            Method::PATCH,
            &story.token,
            &format!("/v1.0/users/{}", story.person),
            r#"{"jobTitle": "Senior Product Manager"}"#,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    story.env.advance_minutes(41).await;
    let patches = story.requests_to("PATCH").await;
    assert!(!patches.is_empty());
    assert!(
        patches.iter().all(|p| *p == format!("/Users/{wrong}")),
        "{patches:?}"
    );
    let logs = story.logs().await;
    assert_eq!(logs[0]["targetIdentity"]["id"], wrong.as_str());
    assert_eq!(logs[0]["provisioningStatusInfo"]["status"], "failure");
    assert_eq!(
        story.account(&wrong).await["displayName"],
        "Daniel Whitcombe",
        "his account keeps his name"
    );

    let (key, value) = story.relink().await;
    assert_eq!(key["result"], "Success", "{key}");
    assert_eq!(value["action"], "Update", "{value}");
    let own = story.linked_account().await;
    assert_ne!(own, wrong);
    let account = story.account(&own).await;
    assert_eq!(account["displayName"], "Dana Whitcombe");
    assert_eq!(account["title"], "Senior Product Manager");
    let logs = story.logs().await;
    assert_eq!(logs[0]["targetIdentity"]["id"], own.as_str());
    assert_eq!(logs[0]["provisioningStatusInfo"]["status"], "success");
    // Daniel keeps his link and his account.
    let (_, c) = story
        .env
        .get_json(
            &story.token,
            &format!("{}/objectConnections('{daniel}')", story.job()),
        )
        .await;
    assert_eq!(c["targetAnchor"], wrong.as_str());
    assert_eq!(
        story.account(&wrong).await["displayName"],
        "Daniel Whitcombe"
    );
}
