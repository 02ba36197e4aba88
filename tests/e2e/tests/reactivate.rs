//! Playbook 2 — Reactivate a returning person, as PLAYBOOKS.md tells it: Ivy, last summer's
//! intern, is back. Her account is disabled: turn sign-in back on, confirm her apps are still
//! assigned, sync each app now (allowed again once she is enabled), and say what follows.

use fantoccini::Locator;
use provisioning_desk_e2e::{audit, App};
use serde_json::Value;

mod support;
use support::tenant::{events, Tenant};

const DOMAIN: &str = "contoso-training.onmicrosoft.com";

#[tokio::test(flavor = "multi_thread")]
async fn ivy_the_intern_is_welcomed_back_and_her_apps_synced_now() {
    let app = App::start().await;
    app.sign_in_as("Global Administrator").await;
    app.click("[data-testid=start-reactivate]").await;
    app.wait_for_text("main h1", "Welcome a person back").await;

    app.type_into("[data-testid=person-query]", "Ivy Intern")
        .await;
    app.click("[data-testid=person-search]").await;
    let found = app.wait_for_text(".person-results", "Ivy Intern").await;
    assert!(found.contains("Sign-in off"), "{found}");
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;

    // Preview: where she stands and what will happen, before anything changes.
    let state = app
        .wait_for_text("[data-testid=return-state]", "Sign-in off")
        .await;
    assert!(state.contains("turned back on"), "{state}");
    let will = app.text("[data-testid=will-happen]").await;
    assert!(
        will.contains("Turn sign-in back on for Ivy Intern"),
        "{will}"
    );
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the preview: {violations:#?}"
    );
    app.screenshot("reactivate-preview").await;

    app.click("[data-testid=confirm]").await;
    let changed = app
        .wait_for_text(
            "[data-testid=result-changed]",
            "Turn sign-in back on for Ivy Intern",
        )
        .await;
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(
        summary.starts_with("Welcome a person back: Ivy Intern"),
        "{summary}"
    );
    assert!(!summary.contains("Failed:"), "{summary}\n{changed}");
    // Sync now answered Success for Floorplan: the screen and the ticket say it is confirmed.
    let verified = app.texts("[data-testid=result-verified]").await.join("\n");
    let confirmed = "Floorplan: account active again (confirmed)";
    assert!(verified.contains(confirmed), "{verified}");
    assert!(summary.contains(confirmed), "{summary}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("reactivate").await;

    // Searching again shows her sign-in on.
    app.click("[data-testid=nav-home]").await;
    app.click("[data-testid=start-reactivate]").await;
    app.type_into("[data-testid=person-query]", "Ivy Intern")
        .await;
    app.click("[data-testid=person-search]").await;
    app.wait_for_text(".person-results", "Sign-in on").await;
    app.close().await;
}

/// The helpdesk may turn Ivy's sign-in back on but may neither sync her apps now (provision on
/// demand) nor read their sync jobs: the result says, per app, that the account is not confirmed
/// yet and why its timing is unknown — as a waiting status, never as done.
#[tokio::test(flavor = "multi_thread")]
async fn the_helpdesk_welcomes_ivy_back_and_each_app_shows_as_still_to_follow() {
    let app = App::start().await;
    app.sign_in_as("helpdesk").await;
    app.click("[data-testid=start-reactivate]").await;
    app.type_into("[data-testid=person-query]", "Ivy Intern")
        .await;
    app.click("[data-testid=person-search]").await;
    app.wait_for_text(".person-results", "Ivy Intern").await;
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;
    app.wait_for_text("[data-testid=return-state]", "Sign-in off")
        .await;
    app.click("[data-testid=confirm]").await;

    let pending = app
        .wait_for_text("[data-testid=result-pending]", "Floorplan: ")
        .await;
    // One line per app, each with the waiting status as icon and word, not colour alone.
    for name in ["Floorplan", "Lunchbox", "Timesheets"] {
        assert!(
            pending.contains(&format!("◷ Waiting {name}: ")),
            "{name}: {pending}"
        );
    }
    assert!(
        pending.contains("could not be checked when the change reaches the app"),
        "{pending}"
    );
    let verified = app.texts("[data-testid=result-verified]").await.join("\n");
    assert!(
        !verified.contains("(confirmed)"),
        "nothing confirmed: {verified}"
    );
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(
        summary.contains("Floorplan: it could not be checked when the change reaches the app"),
        "{summary}"
    );
    assert!(!summary.contains("(confirmed)"), "{summary}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("reactivate-pending").await;
    app.close().await;
}

/// Riley was deleted 12 days ago by mistake: she is found in the recycle bin by her user name,
/// brought back with the same account (restore, then sign-in on), and the result says both.
#[tokio::test(flavor = "multi_thread")]
async fn riley_deleted_twelve_days_ago_is_restored_then_signed_in_again() {
    let app = App::start().await;
    app.sign_in_as("Global Administrator").await;
    let tenant = Tenant::of_running_app().await;
    let riley = person_id(&tenant, "recycled").await;
    app.click("[data-testid=start-reactivate]").await;
    app.type_into(
        "[data-testid=person-query]",
        &format!("riley.recycle@{DOMAIN}"),
    )
    .await;
    app.click("[data-testid=person-search]").await;
    let found = app.wait_for_text(".person-results", "Riley Recycle").await;
    assert!(found.contains("In the recycle bin"), "{found}");
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;

    let state = app
        .wait_for_text("[data-testid=return-state]", "In the recycle bin")
        .await;
    assert!(state.contains("18 more days"), "{state}");
    let will = app.text("[data-testid=will-happen]").await;
    let restore = will
        .find("Bring Riley Recycle back from the recycle bin")
        .unwrap_or_else(|| panic!("no restore step: {will}"));
    let enable = will
        .find("Turn sign-in back on for Riley Recycle")
        .unwrap_or_else(|| panic!("no sign-in step: {will}"));
    assert!(restore < enable, "restore comes first: {will}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the preview: {violations:#?}"
    );
    app.screenshot("reactivate-recycle-bin-preview").await;

    app.click("[data-testid=confirm]").await;
    let changed = app
        .wait_for_text(
            "[data-testid=result-changed]",
            "Bring Riley Recycle back from the recycle bin",
        )
        .await;
    let said = format!(
        "{changed}\n{}",
        app.texts("[data-testid=result-verified]").await.join("\n")
    );
    assert!(
        said.contains("Turn sign-in back on for Riley Recycle"),
        "the result says sign-in is on: {said}"
    );
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(
        summary.starts_with(&format!(
            "Welcome a person back: Riley Recycle (riley.recycle@{DOMAIN})"
        )),
        "her user name as restored: {summary}"
    );
    assert!(!summary.contains("Failed:"), "{summary}");

    // The tenant: the same account is back (restored, not created) and signs in.
    let state = tenant.get("state").await;
    let user = &state["directory"]["users"][riley.as_str()]["props"];
    assert_eq!(user["accountEnabled"], true, "{user}");
    assert!(state["directory"]["deletedUsers"].get(&riley).is_none());
    let restored = events(&state)
        .iter()
        .filter(|e| e["kind"] == "restored" && e["objectId"] == riley.as_str())
        .count();
    assert_eq!(restored, 1, "restored once");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("reactivate-recycle-bin").await;
    app.close().await;
}

/// Nora's 30 days in the recycle bin run out ("Skip 30 days"): she is permanently deleted. The
/// search finds nobody; her old user name, checked, says what was searched (sign-in name,
/// e-mail, alias; directory and recycle bin), explains the duplicate / prefixed-userName
/// trap of a new account, offers nothing to run, and nothing is created.
#[tokio::test(flavor = "multi_thread")]
async fn nora_permanently_deleted_gets_the_trap_explained_and_nothing_is_created() {
    let nora = format!("nora.nearlygone@{DOMAIN}");
    let app = App::start().await;
    app.sign_in_as("Global Administrator").await;
    let tenant = Tenant::of_running_app().await;
    app.click("[data-testid=skip-30-days]").await;
    app.wait_for_text("[data-testid=training-message]", "Nora Nearlygone")
        .await;
    let before = tenant.get("state").await;
    assert!(
        !has_user_named(&before, &nora),
        "Nora is permanently deleted"
    );

    app.click("[data-testid=nav-home]").await;
    app.click("[data-testid=start-reactivate]").await;
    app.type_into("[data-testid=person-query]", &nora).await;
    app.click("[data-testid=person-search]").await;
    app.wait_for_text("p.empty", "Nobody matches").await;
    app.type_into("[data-testid=gone-address]", &nora).await;
    app.click("[data-testid=check-address]").await;

    let state = app
        .wait_for_text("[data-testid=return-state]", "Not found")
        .await;
    // What was searched, never a claim of permanent deletion nobody has shown.
    assert!(
        state.contains("No one with this address as sign-in name, e-mail or alias"),
        "{state}"
    );
    assert!(!state.contains("permanently deleted"), "{state}");
    let will_not = app.text("[data-testid=will-not-happen]").await;
    assert!(will_not.contains("No new account is created"), "{will_not}");
    let trap = app.text("[data-testid=gone-trap]").await;
    for words in ["duplicate", "32-character prefix", &nora] {
        assert!(trap.contains(words), "the trap explained ({words}): {trap}");
    }
    assert!(
        app.client
            .find_all(Locator::Css("[data-testid=confirm]"))
            .await
            .unwrap()
            .is_empty(),
        "nothing to run"
    );
    let why = app.text("#why-body").await;
    assert!(
        why.contains("restorable for 30 days") && why.contains("retried in later sync rounds"),
        "the Why? panel says what Microsoft documents: {why}"
    );
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(summary.contains("Nothing was changed."), "{summary}");
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.scroll_to_top().await;
    app.screenshot("reactivate-permanently-deleted").await;

    // The tenant: no new account, nobody with her user name.
    let after = tenant.get("state").await;
    assert!(!has_user_named(&after, &nora));
    assert_eq!(
        users(&after).len(),
        users(&before).len(),
        "no account was created"
    );
    app.close().await;
}

/// The object id of a story person of the scenario (`people.KEY.id`).
async fn person_id(tenant: &Tenant, key: &str) -> String {
    tenant.get("scenario").await["people"][key]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no story person {key}"))
        .to_string()
}

fn users(state: &Value) -> Vec<&Value> {
    state["directory"]["users"]
        .as_object()
        .map(|users| users.values().map(|u| &u["props"]).collect())
        .unwrap_or_default()
}

/// Whether any account (in the directory or the recycle bin) carries this user name or mail.
fn has_user_named(state: &Value, upn: &str) -> bool {
    let deleted = state["directory"]["deletedUsers"]
        .as_object()
        .map(|users| users.values().map(|u| &u["props"]).collect::<Vec<_>>())
        .unwrap_or_default();
    users(state).into_iter().chain(deleted).any(|u| {
        ["userPrincipalName", "mail"].iter().any(|field| {
            u[*field].as_str().is_some_and(|v| {
                v.eq_ignore_ascii_case(upn) || v.to_lowercase().ends_with(&upn.to_lowercase())
            })
        })
    })
}
