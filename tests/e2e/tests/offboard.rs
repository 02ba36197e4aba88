//! Playbook 1 — Offboard a person, as PLAYBOOKS.md tells it: Leo leaves today. Find him, choose
//! temporary absence, read the preview (what will and will not happen), turn off sign-in and
//! end sessions, then see per app when the change arrives and copy the summary for the ticket.

use fantoccini::Locator;
use provisioning_desk_e2e::{audit, App};

mod support;
use support::tenant::Tenant;

#[tokio::test(flavor = "multi_thread")]
async fn offboard_leo_disables_ends_sessions_and_says_when_each_app_follows() {
    let app = App::start().await;
    // Someone who may both turn off sign-in and read the apps' sync (the helpdesk role may not
    // read provisioning jobs: its wizard says "Cannot check" and which role to ask for).
    app.sign_in_as("Global Administrator").await;
    app.click("[data-testid=start-offboard]").await;
    app.wait_for_text("main h1", "Offboard a person").await;
    let current = app.text("[aria-current=step]").await;
    assert!(current.contains("Find the person"), "{current}");

    // 1. Find the person.
    app.type_into("[data-testid=person-query]", "Leo Leaving")
        .await;
    app.click("[data-testid=person-search]").await;
    let found = app.wait_for_text(".person-results", "Leo Leaving").await;
    assert!(found.contains("Sign-in on"), "{found}");
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;

    // 2. Temporary absence (the default, the reversible choice).
    app.wait_for_text("[aria-current=step]", "Absence or departure")
        .await;
    let temporary = app
        .wait_for(Locator::Css("[data-testid=departure-temporary]"))
        .await;
    assert_eq!(
        temporary.prop("checked").await.unwrap().as_deref(),
        Some("true"),
        "temporary absence is the default"
    );
    app.click("[data-testid=next]").await;

    // 3. Preview before change: what will happen and what will not.
    let will = app
        .wait_for_text(
            "[data-testid=will-happen]",
            "Turn off sign-in for Leo Leaving",
        )
        .await;
    assert!(will.contains("End Leo Leaving's active sessions"), "{will}");
    let will_not = app.text("[data-testid=will-not-happen]").await;
    assert!(will_not.contains("not deleted"), "{will_not}");
    let why = app.text(".why-panel").await;
    assert!(
        why.contains("SCIM PATCH"),
        "the Why? panel quotes the behaviour: {why}"
    );
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the preview: {violations:#?}"
    );
    app.screenshot("offboard-preview").await;

    // 4. Make the changes; the progress list shows each step.
    app.click("[data-testid=confirm]").await;
    app.wait_for_text("[aria-current=step]", "Check the apps")
        .await;
    let changed = app.text("[data-testid=result-changed]").await;
    assert!(
        changed.contains("Turn off sign-in for Leo Leaving"),
        "{changed}"
    );
    assert!(
        changed.contains("End Leo Leaving's active sessions"),
        "{changed}"
    );
    // No way back once something changed.
    assert!(app
        .client
        .find_all(Locator::Css("[data-testid=back]"))
        .await
        .unwrap()
        .is_empty());

    // 5. Per app: the change reaches it at the next sync round, and we say when.
    let checks = app.texts("[data-testid=app-check]").await;
    for name in ["Lunchbox", "Timesheets"] {
        let check = checks
            .iter()
            .find(|c| c.contains(name))
            .unwrap_or_else(|| panic!("{name} is not among Leo's apps: {checks:#?}"));
        assert!(
            ["Confirmed", "Waiting", "Problem", "Cannot check"]
                .iter()
                .any(|word| check.contains(word)),
            "a check without its status word: {check}"
        );
    }
    let pending = app.text("[data-testid=result-pending]").await;
    for name in ["Lunchbox", "Timesheets"] {
        assert!(
            pending
                .lines()
                .any(|l| l.contains(name) && l.contains("next sync round")),
            "when the change reaches {name} is not said: {pending}"
        );
    }
    let summary = app.text("[data-testid=ticket-summary]").await;
    assert!(
        summary.starts_with("Offboarding (temporary absence): Leo Leaving"),
        "{summary}"
    );
    assert!(summary.contains("Done by "), "{summary}");
    app.click("[data-testid=copy-summary]").await;
    app.wait_for_text(".copy-status", "Cop").await;
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the result: {violations:#?}"
    );
    app.screenshot("offboard").await;

    // Training: run the next sync round now, check again — the apps confirm, and the panel
    // shows what Entra sent (a PATCH setting active to false).
    app.click("[data-testid=run-cycle]").await;
    app.wait_for_text("[data-testid=training-message]", "The next sync round ran")
        .await;
    app.click("[data-testid=check-again]").await;
    let checks = app
        .wait_for_text("[data-testid=app-checks]", "Confirmed")
        .await;
    assert!(
        checks.contains("Lunchbox marked the account inactive"),
        "{checks}"
    );
    app.click("[data-testid=scim-toggle]").await;
    app.wait_for_text("[data-testid=scim-requests]", "PATCH")
        .await;
    // What Lunchbox was sent, from the tenant's record: a PATCH whose operations set active to
    // false (Entra's default sends the string "False"), not merely a body naming "active".
    let tenant = Tenant::of_running_app().await;
    let leo = tenant.get("scenario").await["people"]["leaver-today"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let patches = tenant
        .get(&format!(
            "scim-requests?app=lunchbox&user={leo}&method=PATCH"
        ))
        .await;
    let patches = patches["value"].as_array().cloned().unwrap_or_default();
    assert!(
        patches.iter().any(|r| {
            training_tenant::scim::active_patch::active_set_by(&r["requestBody"]) == Some(false)
        }),
        "Lunchbox was told active = false: {patches:#?}"
    );
    let verified = app.text("[data-testid=result-verified]").await;
    assert!(verified.contains("Lunchbox"), "{verified}");
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core after the sync round: {violations:#?}"
    );
    app.scroll_to_top().await;
    app.screenshot("offboard-verified").await;

    // The journal recorded both changes.
    app.click("[data-testid=nav-journal]").await;
    app.type_into("[data-testid=filter-person]", "Leo Leaving")
        .await;
    let rows = app
        .wait_for_text("[data-testid=journal-table]", "End active sessions")
        .await;
    assert!(rows.contains("Turn off sign-in"), "{rows}");
    app.close().await;
}

/// Playbook 1 step 6: a permanent departure offers deletion afterwards, as a separate step that
/// needs the person's user name typed.
#[tokio::test(flavor = "multi_thread")]
async fn permanent_departure_offers_deletion_later_with_the_user_name_typed() {
    let upn = "siobhan.obrien@contoso-training.onmicrosoft.com";
    let app = App::start().await;
    app.sign_in_as("Global Administrator").await;
    app.click("[data-testid=start-offboard]").await;
    app.type_into("[data-testid=person-query]", "Siobhan").await;
    app.click("[data-testid=person-search]").await;
    app.wait_for_text(".person-results", "Siobhan O'Brien")
        .await;
    app.click("[data-testid=person-result]").await;
    app.click("[data-testid=next]").await;
    app.click("[data-testid=departure-permanent]").await;
    app.click("[data-testid=next]").await;
    let will_not = app
        .wait_for_text("[data-testid=will-not-happen]", "not deleted")
        .await;
    assert!(will_not.contains("Siobhan O'Brien"), "{will_not}");
    app.click("[data-testid=confirm]").await;
    app.wait_for_text("[aria-current=step]", "Check the apps")
        .await;

    app.click("[data-testid=prepare-delete]").await;
    let later = app
        .wait_for_text("[data-testid=later-deletion]", "30 days")
        .await;
    assert!(
        later.contains(upn),
        "the user name to type is shown: {later}"
    );
    let delete = app
        .wait_for(Locator::Css("[data-testid=confirm-delete]"))
        .await;
    app.type_into("[data-testid=typed-confirmation]", "Siobhan O'Brien")
        .await;
    assert_eq!(
        delete.prop("disabled").await.unwrap().as_deref(),
        Some("true"),
        "the display name is not the user name"
    );
    app.client
        .find(Locator::Css("[data-testid=typed-confirmation]"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    app.type_into("[data-testid=typed-confirmation]", upn).await;
    let violations = audit(&app.client).await;
    assert!(
        violations.is_empty(),
        "axe-core on the deletion: {violations:#?}"
    );
    app.click("[data-testid=confirm-delete]").await;
    let done = app
        .wait_for_text("[data-testid=later-deletion]", "Done")
        .await;
    assert!(done.contains("recycle bin"), "{done}");
    app.close().await;
}
