//! `GET /auditLogs/provisioning` read the way that breaks a naive client where Microsoft's page
//! leaves it open (graph-docs `api-reference/v1.0/api/provisioningobjectsummary-list.md`): no
//! documented default order (here: oldest first), `$orderby=activityDateTime desc|asc`
//! honoured, and "The filters are all case sensitive" — property names and values.

mod common;

use chrono::{DateTime, Utc};
use common::{assert_graph_error, Env};
use reqwest::StatusCode;
use serde_json::Value;

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn times(page: &Value) -> Vec<DateTime<Utc>> {
    page["value"]
        .as_array()
        .expect("a value array")
        .iter()
        .map(|e| {
            e["activityDateTime"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .expect("an activityDateTime")
        })
        .collect()
}

/// A tenant whose log holds entries of two sync rounds (two different times).
async fn two_rounds() -> (Env, String) {
    let env = common::start().await;
    let token = env.app_token().await;
    let (leaver, _) = env.person("leaver-today");
    let (s, b) = env
        .send_json(
            reqwest::Method::PATCH,
            &token,
            &format!("/v1.0/users/{leaver}"),
            r#"{"accountEnabled":false}"#,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    env.advance_minutes(41).await;
    (env, token)
}

#[tokio::test]
async fn without_orderby_the_answer_is_not_newest_first_and_orderby_is_honoured() {
    let (env, token) = two_rounds().await;
    let (s, unordered) = env
        .get_json(&token, "/v1.0/auditLogs/provisioning?$top=999")
        .await;
    assert_eq!(s, StatusCode::OK, "{unordered}");
    let unordered = times(&unordered);
    let first = unordered.first().copied().expect("entries");
    let newest = unordered.iter().max().copied().unwrap();
    assert!(first < newest, "the first entry is not the newest one");
    assert!(unordered.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let (s, newest_first) = env
        .get_json(
            &token,
            "/v1.0/auditLogs/provisioning?$top=999&$orderby=activityDateTime%20desc",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{newest_first}");
    let newest_first = times(&newest_first);
    assert_eq!(newest_first.len(), unordered.len());
    assert_eq!(newest_first[0], newest);
    assert!(newest_first.windows(2).all(|w| w[0] >= w[1]));

    let (s, oldest_first) = env
        .get_json(
            &token,
            "/v1.0/auditLogs/provisioning?$top=999&$orderby=activityDateTime%20asc",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{oldest_first}");
    assert!(times(&oldest_first).windows(2).all(|w| w[0] <= w[1]));
}

/// `$orderby … desc` holds across pages: the second page continues where the first ended.
#[tokio::test]
async fn newest_first_holds_across_pages() {
    let (env, token) = two_rounds().await;
    let (s, first) = env
        .get_json(
            &token,
            "/v1.0/auditLogs/provisioning?$top=3&$orderby=activityDateTime%20desc",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let next = first["@odata.nextLink"].as_str().expect("a next page");
    let (s, second) = env
        .get_json(&token, next.trim_start_matches(env.tenant.base_url()))
        .await;
    assert_eq!(s, StatusCode::OK, "{second}");
    let both: Vec<_> = times(&first).into_iter().chain(times(&second)).collect();
    assert_eq!(both.len(), 6);
    assert!(both.windows(2).all(|w| w[0] >= w[1]), "{both:?}");
}

#[tokio::test]
async fn property_names_in_filter_and_orderby_are_case_sensitive() {
    let env = common::start().await;
    let token = env.app_token().await;
    let job = env
        .tenant
        .scim_apps()
        .into_iter()
        .find(|a| a.key == "floorplan")
        .expect("Floorplan")
        .job_id;
    for query in [
        format!("$filter={}", urlencode(&format!("JobId eq '{job}'"))),
        format!(
            "$filter={}",
            urlencode("provisioningstatusinfo/status eq 'failure'")
        ),
        "$orderby=ActivityDateTime%20desc".to_string(),
    ] {
        let (s, b) = env
            .get_json(&token, &format!("/v1.0/auditLogs/provisioning?{query}"))
            .await;
        assert_graph_error(s, &b, 400, "Request_BadRequest");
        assert!(
            b["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("Could not find a property named"),
            "{query}: {b}"
        );
    }
    let (s, b) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/auditLogs/provisioning?$filter={}",
                urlencode(&format!("jobId eq '{job}'"))
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(!b["value"].as_array().unwrap().is_empty(), "{b}");
}

#[tokio::test]
async fn filter_values_are_case_sensitive() {
    let env = common::start().await;
    let token = env.app_token().await;
    let count = |body: &Value| body["value"].as_array().map_or(0, Vec::len);
    let (s, exact) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/auditLogs/provisioning?$top=999&$filter={}",
                urlencode("provisioningStatusInfo/status eq 'failure'")
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{exact}");
    assert!(count(&exact) > 0, "the re-hired person's duplicate create");
    let (s, capitalised) = env
        .get_json(
            &token,
            &format!(
                "/v1.0/auditLogs/provisioning?$top=999&$filter={}",
                urlencode("provisioningStatusInfo/status eq 'Failure'")
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{capitalised}");
    assert_eq!(count(&capitalised), 0, "{capitalised}");
}
