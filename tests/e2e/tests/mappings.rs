//! Playbook 5 — inspect and lint an app's attribute mappings: a readable table (target ←
//! source, matching precedence, when applied) and findings with a status word, evidence and a fix.

use provisioning_desk_e2e::{audit, App};

#[tokio::test(flavor = "multi_thread")]
async fn floorplans_mappings_read_as_a_table_with_findings() {
    let app = App::start().await;
    app.sign_in_as("appadmin").await;
    app.click("[data-testid=start-mappings]").await;
    app.wait_for_text("main h1", "Check what is sent to an app")
        .await;
    app.type_into("[data-testid=app-name]", "Floorplan").await;
    app.click("[data-testid=next]").await;

    let table = app
        .wait_for_text("[data-testid=mapping-table]", "userName")
        .await;
    assert!(table.contains("active"), "{table}");
    assert!(table.contains("IsSoftDeleted"), "{table}");
    let rows = app.texts("[data-testid=mapping-row]").await;
    assert!(
        rows.iter()
            .any(|r| r.contains("userName") && r.contains("1st")),
        "userName is matched first: {rows:#?}"
    );
    let findings = app.texts("[data-testid=finding]").await;
    assert!(!findings.is_empty());
    for finding in &findings {
        assert!(finding.contains("PD-MAP-"), "{finding}");
        assert!(
            ["Pass", "Problem", "Skipped"]
                .iter()
                .any(|w| finding.contains(w)),
            "a finding without its status word: {finding}"
        );
    }
    let violations = audit(&app.client).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    app.screenshot("mappings").await;
    app.close().await;
}
