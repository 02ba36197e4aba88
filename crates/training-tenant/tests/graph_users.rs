//! Graph users and deleted items over real HTTP, with auth failures and bad input.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use training_tenant::Options;

#[tokio::test]
async fn list_users_default_properties_select_and_headers() {
    let env = start().await;
    let token = env.app_token().await;
    let r = env
        .get(&token, "/v1.0/users")
        .header("client-request-id", "my-client-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["client-request-id"], "my-client-id-1");
    assert!(r.headers().contains_key("request-id"));
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = r.json().await.unwrap();
    assert_same_shape(&fixture("v1.0__user-list__response.json"), &body, "$");
    assert_eq!(
        body["@odata.context"],
        format!("{}/v1.0/$metadata#users", env.tenant.base_url())
    );
    let first = &body["value"][0];
    assert!(
        first.get("accountEnabled").is_none(),
        "accountEnabled only when selected"
    );
    assert_eq!(first.as_object().unwrap().len(), 11);
    assert_eq!(
        body["value"].as_array().unwrap().len(),
        100,
        "default page size"
    );
    let next = body["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&format!("{}/v1.0/users?", env.tenant.base_url())));

    let (status, body) = env
        .get_json(
            &token,
            "/v1.0/users?$select=displayName,accountEnabled&$top=5",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users(displayName,accountEnabled)",
            env.tenant.base_url()
        )
    );
    let u = body["value"][0].as_object().unwrap();
    assert_eq!(u.len(), 2);
    assert!(u["accountEnabled"].is_boolean());
}

#[tokio::test]
async fn paging_visits_every_user_once() {
    let env = start().await;
    let token = env.app_token().await;
    let total = env.tenant.state().directory().users.len();
    let mut url = env.url("/beta/users?$select=id&$top=37");
    let mut ids = std::collections::BTreeSet::new();
    let mut pages = 0;
    loop {
        let body: Value = env
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        for u in body["value"].as_array().unwrap() {
            assert!(
                ids.insert(u["id"].as_str().unwrap().to_string()),
                "duplicate"
            );
        }
        match body["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    assert_eq!(ids.len(), total);
    assert_eq!(pages, total.div_ceil(37));
}

#[tokio::test]
async fn filters_and_counts() {
    let env = start().await;
    let token = env.app_token().await;
    let (_, obrien_upn) = env.person("obrien");
    let cases: Vec<(String, usize)> = vec![
        (
            format!("userPrincipalName eq '{}'", obrien_upn.to_uppercase()),
            1,
        ),
        ("surname eq 'O''Brien'".into(), 1),
        ("startswith(displayName,'Siobhan O''B')".into(), 1),
        ("displayName eq '<img src=x onerror=alert(1)>'".into(), 1),
        ("employeeId eq 'E000777'".into(), 1),
        (
            "givenName eq 'Siobhan' and accountEnabled eq true".into(),
            1,
        ),
        ("surname eq 'O''Brien' or surname eq 'Plain'".into(), 2),
        ("mail eq 'nobody@example.com'".into(), 0),
        (format!("id eq '{}'", env.person("obrien").0), 1),
    ];
    for (filter, expected) in cases {
        let url = format!("/v1.0/users?$filter={}", urlencode(&filter));
        let (status, body) = env.get_json(&token, &url).await;
        assert_eq!(status, StatusCode::OK, "{filter}: {body}");
        assert_eq!(
            body["value"].as_array().unwrap().len(),
            expected,
            "{filter}"
        );
    }
    // Disabled users, counted with the advanced-query switch.
    let disabled = env
        .tenant
        .state()
        .directory()
        .users
        .values()
        .filter(|u| !u.account_enabled())
        .count();
    assert!(disabled > 5);
    let r = env
        .get(
            &token,
            "/v1.0/users?$filter=accountEnabled%20eq%20false&$count=true&$top=2",
        )
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["@odata.count"], disabled);
    // The count is on the first page only.
    let next: Value = env
        .get(
            &token,
            body["@odata.nextLink"]
                .as_str()
                .unwrap()
                .trim_start_matches(env.tenant.base_url()),
        )
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(next.get("@odata.count").is_none());
    // Without the header: 200 and silently no count.
    let (_, body) = env.get_json(&token, "/v1.0/users?$count=true&$top=1").await;
    assert!(body.get("@odata.count").is_none());

    // not / ne need the advanced-query switch.
    let (status, body) = env
        .get_json(
            &token,
            "/v1.0/users?$filter=not(accountEnabled%20eq%20true)",
        )
        .await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
    let r = env
        .get(
            &token,
            "/v1.0/users?$filter=not(accountEnabled%20eq%20true)&$count=true",
        )
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["@odata.count"], disabled);

    // /users/$count is text/plain and needs the header.
    let r = env
        .get(&token, "/v1.0/users/$count")
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let n: usize = r.text().await.unwrap().parse().unwrap();
    assert_eq!(n, env.tenant.state().directory().users.len());
    let (status, body) = env.get_json(&token, "/v1.0/users/$count").await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn bad_queries_are_graph_400s() {
    let env = start().await;
    let token = env.app_token().await;
    for (query, code) in [
        ("$filter=city%20eq", "Request_BadRequest"),
        (
            "$filter=officeLocation%20eq%20'x'",
            "Request_UnsupportedQuery",
        ),
        ("$filter=displayName%20gt%20'x'", "Request_BadRequest"),
        ("$filter=any(x:x)", "Request_BadRequest"),
        ("$top=1000", "Request_BadRequest"),
        ("$top=-1", "Request_BadRequest"),
        ("$select=displayName,nope", "Request_BadRequest"),
        ("$skiptoken=forged", "Request_BadRequest"),
        ("$orderby=jobTitle", "Request_UnsupportedQuery"),
        ("$orderby=displayName%20desc", "Request_UnsupportedQuery"),
        ("$search=%22displayName:sio%22", "Request_UnsupportedQuery"),
        ("$search=displayName:sio", "Request_BadRequest"),
        ("$expand=manager", "Request_UnsupportedQuery"),
        ("$weird=1", "Request_BadRequest"),
        (
            "$filter=endswith(mail,'@contoso-training.onmicrosoft.com')",
            "Request_UnsupportedQuery",
        ),
    ] {
        let (status, body) = env.get_json(&token, &format!("/v1.0/users?{query}")).await;
        assert_graph_error(status, &body, 400, code);
    }
    let (status, body) = env.get_json(&token, "/v1.0/nothingHere").await;
    assert_graph_error(status, &body, 400, "BadRequest");
}

#[tokio::test]
async fn get_user_by_id_or_upn() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, upn) = env.person("obrien");
    let (status, body) = env.get_json(&token, &format!("/v1.0/users/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&fixture("v1.0__user-get__response.json"), &body, "$");
    assert_eq!(
        body["@odata.context"],
        format!("{}/v1.0/$metadata#users/$entity", env.tenant.base_url())
    );
    let (_, by_upn) = env
        .get_json(&token, &format!("/v1.0/users/{}", upn.to_uppercase()))
        .await;
    assert_eq!(by_upn["id"], id);
    let (_, quoted) = env.get_json(&token, &format!("/v1.0/users('{upn}')")).await;
    assert_eq!(quoted["id"], id);
    let (status, body) = env
        .get_json(&token, &format!("/v1.0/users/{id}?$select=id,accountEnabled,employeeLeaveDateTime,signInSessionsValidFromDateTime"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["accountEnabled"], true);
    assert!(body
        .as_object()
        .unwrap()
        .contains_key("employeeLeaveDateTime"));
    let (status, body) = env
        .get_json(&token, "/v1.0/users/00000000-0000-0000-0000-000000000001")
        .await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn every_graph_call_checks_the_token() {
    let env = start_with(Options {
        access_token_lifetime: std::time::Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    let r = env.http.get(env.url("/v1.0/users")).send().await.unwrap();
    assert!(r.headers().contains_key("www-authenticate"));
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    for bad in ["garbage", "a.b.c", ""] {
        let (status, body) = env.get_json(bad, "/v1.0/users").await;
        assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    }
    // Signed by someone else (an HS256 token with the right claims).
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"aud": "https://graph.microsoft.com", "exp": 4_000_000_000u64, "tid": env.tid()}),
        &jsonwebtoken::EncodingKey::from_secret(b"x"),
    )
    .unwrap();
    let (status, body) = env.get_json(&forged, "/v1.0/users").await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    // Expired.
    let token = env.app_token().await;
    assert_eq!(
        env.get_json(&token, "/v1.0/users?$top=1").await.0,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body) = env.get_json(&token, "/v1.0/users?$top=1").await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    assert_eq!(
        body["error"]["message"],
        "Access token has expired or is not yet valid."
    );
}

#[tokio::test]
async fn permissions_and_roles_are_enforced() {
    let env = start().await;
    let (target, _) = env.person("obrien");
    let path = format!("/v1.0/users/{target}");
    let disable = r#"{"accountEnabled": false}"#;

    // Reports Reader: reading works, changing does not.
    let reader = env.user_token(&env.upn("Reports Reader")).await;
    assert_eq!(env.get_json(&reader, &path).await.0, StatusCode::OK);
    let (status, body) = env.send_json(Method::PATCH, &reader, &path, disable).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    let (status, body) = env
        .send_json(
            Method::POST,
            &reader,
            &format!("{path}/revokeSignInSessions"),
            "",
        )
        .await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");

    // Application Administrator cannot disable users either.
    let app_admin = env.user_token(&env.upn("Application Administrator")).await;
    let (status, _) = env
        .send_json(Method::PATCH, &app_admin, &path, disable)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Helpdesk (User Administrator) can — but not on a Global Administrator.
    let helpdesk = env.user_token(&env.upn("User Administrator")).await;
    let (status, _) = env
        .send_json(Method::PATCH, &helpdesk, &path, disable)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ga = env.upn("Global Administrator");
    let (status, body) = env
        .send_json(
            Method::PATCH,
            &helpdesk,
            &format!("/v1.0/users/{ga}"),
            disable,
        )
        .await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let (status, _) = env
        .send_json(Method::DELETE, &helpdesk, &format!("/v1.0/users/{ga}"), "")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A token with too few scopes: User.Read only.
    let code = env
        .code_for(&env.upn("User Administrator"), "User.Read")
        .await;
    let narrow: Value = env.redeem(&code, VERIFIER).await.json().await.unwrap();
    let narrow = narrow["access_token"].as_str().unwrap();
    let (status, _) = env.get_json(narrow, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // /me works for delegated tokens only.
    let (status, me) = env.get_json(&helpdesk, "/v1.0/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["userPrincipalName"], env.upn("User Administrator"));
    let app = env.app_token().await;
    let (status, body) = env.get_json(&app, "/v1.0/me").await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
}

#[tokio::test]
async fn patch_user_and_bad_bodies_never_change_state() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("leaver-today");
    let path = format!("/v1.0/users/{id}");
    let before = env.state().await["directory"]["users"][&id].clone();
    let too_big = format!("{{\"city\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
    for (body, code) in [
        ("{not json", "BadRequest"),
        ("[1,2]", "Request_BadRequest"),
        (r#"{"accountEnabled": "no"}"#, "BadRequest"),
        (
            r#"{"accountEnabled": false, "favouriteColour": "blue"}"#,
            "Request_BadRequest",
        ),
        (
            r#"{"accountEnabled": false, "id": "x"}"#,
            "Request_BadRequest",
        ),
        (r#"{"businessPhones": "555"}"#, "BadRequest"),
        (
            r#"{"userPrincipalName": "x@fabrikam.com"}"#,
            "Request_BadRequest",
        ),
        (too_big.as_str(), "BadRequest"),
    ] {
        let (status, resp) = env.send_json(Method::PATCH, &token, &path, body).await;
        assert_graph_error(status, &resp, 400, code);
    }
    assert_eq!(
        env.state().await["directory"]["users"][&id],
        before,
        "no partial change"
    );

    let fixture_body = fixture("v1.0__user-update__request.json").to_string();
    let (status, _) = env
        .send_json(Method::PATCH, &token, &path, &fixture_body)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = env
        .send_json(Method::PATCH, &token, &path, r#"{"accountEnabled": false}"#)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, u) = env
        .get_json(&token, &format!("{path}?$select=accountEnabled,city"))
        .await;
    assert_eq!(u["accountEnabled"], false);
    assert_eq!(u["city"], "city-value");
    let (status, body) = env
        .send_json(Method::PATCH, &token, "/v1.0/users/nobody@nowhere", "{}")
        .await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn revoke_sign_in_sessions_matches_the_fixture() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, _) = env.person("leaver-today");
    let (status, body) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/users/{id}/revokeSignInSessions"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &fixture("v1.0__user-revokesigninsessions__response.json"),
        &body,
        "$",
    );
    assert_eq!(body["value"], true);
    let (_, u) = env
        .get_json(
            &token,
            &format!("/v1.0/users/{id}?$select=signInSessionsValidFromDateTime"),
        )
        .await;
    assert!(u["signInSessionsValidFromDateTime"].is_string());
    let (status, body) = env
        .get_json(&token, &format!("/v1.0/users/{id}/revokeSignInSessions"))
        .await;
    assert_graph_error(status, &body, 405, "Request_BadRequest");
}

#[tokio::test]
async fn soft_delete_restore_and_permanent_delete() {
    let env = start().await;
    let token = env.app_token().await;
    let (id, upn) = env.person("leaver-today");
    let (status, _) = env
        .send_json(Method::DELETE, &token, &format!("/v1.0/users/{id}"), "")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = env.get_json(&token, &format!("/v1.0/users/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for cast in ["microsoft.graph.user", "graph.user"] {
        let (status, body) = env
            .get_json(&token, &format!("/v1.0/directory/deletedItems/{cast}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mine = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .cloned()
            .unwrap();
        assert_eq!(mine["@odata.type"], "#microsoft.graph.user");
        assert_eq!(
            mine["userPrincipalName"],
            format!("{}{upn}", id.replace('-', ""))
        );
        assert!(mine["deletedDateTime"].is_string());
    }
    let (status, body) = env.get_json(&token, "/v1.0/directory/deletedItems").await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    let (status, body) = env
        .get_json(&token, &format!("/v1.0/directory/deletedItems/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["@odata.type"], "#microsoft.graph.user");

    let (status, body) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/directory/deletedItems/{id}/restore"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &json!({"@odata.context": "", "@odata.type": "", "id": "", "displayName": ""}),
        &body,
        "$",
    );
    assert_eq!(body["userPrincipalName"], upn, "prefix removed on restore");
    assert_eq!(
        env.get_json(&token, &format!("/v1.0/users/{id}")).await.0,
        StatusCode::OK
    );

    // Delete again and purge.
    env.send_json(Method::DELETE, &token, &format!("/v1.0/users/{id}"), "")
        .await;
    let (status, _) = env
        .send_json(
            Method::DELETE,
            &token,
            &format!("/v1.0/directory/deletedItems/{id}"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = env
        .get_json(&token, &format!("/v1.0/directory/deletedItems/{id}"))
        .await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    let (status, body) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/directory/deletedItems/{id}/restore"),
            "",
        )
        .await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn thirty_virtual_days_hard_delete() {
    let env = start().await;
    let token = env.app_token().await;
    let (nearly, _) = env.person("nearly-gone");
    let (recycled, _) = env.person("recycled");
    let r: Value = env
        .http
        .post(env.url("/_training/clock/advance"))
        .json(&json!({"days": 1, "hours": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["hardDeleted"], json!([nearly]));
    let (status, _) = env
        .get_json(&token, &format!("/v1.0/directory/deletedItems/{nearly}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        env.get_json(&token, &format!("/v1.0/directory/deletedItems/{recycled}"))
            .await
            .0,
        StatusCode::OK
    );
    let events = env.state().await["directory"]["events"].clone();
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["objectId"] == nearly && e["kind"] == "hardDeleted"));
}

#[tokio::test]
async fn restore_refuses_a_reused_upn() {
    let env = start().await;
    let token = env.app_token().await;
    let (recycled, upn) = env.person("recycled");
    // Someone else now has the recycled person's UPN.
    let (other, _) = env.person("obrien");
    let (status, _) = env
        .send_json(
            Method::PATCH,
            &token,
            &format!("/v1.0/users/{other}"),
            &json!({"userPrincipalName": upn}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = env
        .send_json(
            Method::POST,
            &token,
            &format!("/v1.0/directory/deletedItems/{recycled}/restore"),
            "",
        )
        .await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
}

#[tokio::test]
async fn orderby_and_search() {
    let env = start().await;
    let token = env.app_token().await;
    // Sorted by displayName across pages.
    let mut url = env.url("/v1.0/users?$orderby=displayName&$select=displayName&$top=50");
    let mut names: Vec<String> = Vec::new();
    loop {
        let body: Value = env
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        names.extend(
            body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["displayName"].as_str().unwrap().to_lowercase()),
        );
        match body["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    assert_eq!(names.len(), env.tenant.state().directory().users.len());
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "ascending");

    let r = env
        .get(&token, "/v1.0/users?$search=%22displayName:brie%22%20OR%20%22mail:zzz%22&$orderby=displayName%20desc&$count=true")
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["@odata.count"], 1);
    assert_eq!(body["value"][0]["surname"], "O'Brien");
    let (status, body) = env
        .get_json(&token, "/v1.0/servicePrincipals?$orderby=displayName")
        .await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
}

/// Mail, other e-mails and aliases (graph-api.md §11.6): `otherMails` and `proxyAddresses` are
/// string collections filtered with `any` (`eq` by default, `endsWith` only as an advanced
/// query: graph-docs `concepts/aad-advanced-queries.md`), compared case-insensitively like
/// the directory's other strings; comparing a collection without `any` is refused.
#[tokio::test]
async fn addresses_are_filtered_through_any_lambdas_as_graph_documents() {
    let env = start().await;
    let token = env.app_token().await;
    let domain = "contoso-training.onmicrosoft.com";
    let ids = |body: &Value| -> Vec<String> {
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (intern, _) = env.person("intern-returning");
    let (sanjay, sanjay_upn) = env.person("second-domain");
    let (amelia, _) = env.person("renamed");
    let (gabriel, gabriel_upn) = env.person("guest");
    assert!(gabriel_upn.starts_with("gabriel.gast_fabrikam.com#EXT#@"));
    let cases = [
        (
            "otherMails/any(x:x eq 'IVY.INTERN.HOME@example.net')".to_string(),
            vec![intern.clone()],
        ),
        (
            "proxyAddresses/any(x:x eq 'SMTP:sanjay.patel@contoso-sales.example')".into(),
            vec![sanjay.clone()],
        ),
        // The primary is stored as `SMTP:`; asked as `smtp:` it is found all the same.
        (
            format!("proxyAddresses/any(p: p eq 'smtp:{sanjay_upn}')"),
            vec![sanjay.clone()],
        ),
        (
            format!("mail eq 'amelia.hart@{domain}'"),
            vec![amelia.clone()],
        ),
        (
            "mail eq 'gabriel.gast@fabrikam.com'".into(),
            vec![gabriel.clone()],
        ),
        (
            "proxyAddresses/any(x:startswith(x,'smtp:sanjay.patel@contoso-sales'))".into(),
            vec![sanjay.clone()],
        ),
        // Nobody has the alias of a person in the recycle bin.
        (
            "proxyAddresses/any(x:x eq 'smtp:t.binns@contoso-sales.example')".into(),
            vec![],
        ),
    ];
    for (filter, want) in cases {
        let url = format!(
            "/v1.0/users?$filter={}&$select=id,mail,otherMails,proxyAddresses",
            urlencode(&filter)
        );
        let (status, body) = env.get_json(&token, &url).await;
        assert_eq!(status, StatusCode::OK, "{filter}: {body}");
        assert_eq!(ids(&body), want, "{filter}: {body}");
    }
    let (_, body) = env
        .get_json(
            &token,
            &format!("/v1.0/users/{sanjay}?$select=proxyAddresses,otherMails"),
        )
        .await;
    assert_eq!(
        body["proxyAddresses"],
        json!([
            format!("SMTP:{sanjay_upn}"),
            "smtp:sanjay.patel@contoso-sales.example"
        ])
    );
    assert_eq!(body["otherMails"], json!(["contractors@northwind.example"]));

    // A collection compared without `any` is an unsupported filter clause, not a match.
    let plain = urlencode("proxyAddresses eq 'smtp:sanjay.patel@contoso-sales.example'");
    let (status, body) = env
        .get_json(&token, &format!("/v1.0/users?$filter={plain}"))
        .await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
    // endsWith on a collection needs the advanced-query switch.
    let ends = urlencode("proxyAddresses/any(x:endswith(x,'@contoso-sales.example'))");
    let (status, body) = env
        .get_json(&token, &format!("/v1.0/users?$filter={ends}"))
        .await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
    let body: Value = env
        .get(&token, &format!("/v1.0/users?$filter={ends}&$count=true"))
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["@odata.count"], 1, "{body}");

    // The recycle bin keeps the aliases of a deleted person.
    let (tomas, _) = env.person("alias-recycled");
    let alias = urlencode("proxyAddresses/any(x:x eq 'smtp:t.binns@contoso-sales.example')");
    let (status, body) = env
        .get_json(
            &token,
            &format!("/v1.0/directory/deletedItems/microsoft.graph.user?$filter={alias}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), vec![tomas]);
}
