use fantoccini::Client;
use serde_json::Value;

use crate::workspace_root;

/// One axe-core rule violation, as much of it as a failing test needs to say.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

/// Runs axe-core (from the UI's node_modules) in the page against WCAG 2.1 A and AA and returns
/// the violations of impact "serious" or "critical".
pub async fn audit(client: &Client) -> Vec<Violation> {
    let path = workspace_root().join("ui/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("axe-core is missing at {}: {err}", path.display()));
    client
        .execute(&format!("{axe}\n;return true;"), vec![])
        .await
        .expect("axe-core loads in the page");
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
                  .then(r => done(JSON.stringify(r.violations)))
                  .catch(e => done(JSON.stringify({ error: String(e) })));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    let text = result.as_str().expect("axe-core answers with JSON text");
    let parsed: Value = serde_json::from_str(text).expect("axe-core's JSON");
    if let Some(error) = parsed.get("error") {
        panic!("axe-core failed: {error}");
    }
    parsed
        .as_array()
        .expect("a list of violations")
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| Violation {
            id: v["id"].as_str().unwrap_or_default().to_string(),
            impact: v["impact"].as_str().unwrap_or_default().to_string(),
            help: v["help"].as_str().unwrap_or_default().to_string(),
            targets: v["nodes"]
                .as_array()
                .map(|nodes| nodes.iter().map(|n| n["target"].to_string()).collect())
                .unwrap_or_default(),
        })
        .collect()
}
