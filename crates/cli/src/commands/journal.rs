//! `provdesk journal`: the audit trail, listed or exported for the ticket.

use playbooks::journal::{export_csv, export_json, ActionFilter};

use crate::args::{ExportFormat, Global};
use crate::connect;
use crate::error::{exit, CliError};
use crate::output;

pub fn journal(
    global: &Global,
    export: Option<ExportFormat>,
    run: Option<String>,
) -> Result<u8, CliError> {
    let journal = connect::journal(global)?;
    let actions = journal.actions(&ActionFilter {
        run_id: run,
        ..ActionFilter::default()
    })?;
    match export {
        Some(ExportFormat::Csv) => {
            export_csv(&actions, std::io::stdout().lock())?;
        }
        Some(ExportFormat::Json) => println!("{}", export_json(&actions)?),
        None if global.json => output::json(&actions)?,
        None => {
            if actions.is_empty() {
                println!("The journal is empty: nothing has been changed yet.");
                return Ok(exit::OK);
            }
            let rows: Vec<Vec<String>> = actions
                .iter()
                .map(|a| {
                    vec![
                        a.intended_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        a.playbook.as_str().to_string(),
                        a.kind.as_str().to_string(),
                        a.target.display_name.clone(),
                        a.status.as_str().to_string(),
                        a.actor.upn.clone(),
                    ]
                })
                .collect();
            print!(
                "{}",
                output::table(
                    &["When (UTC)", "Playbook", "Action", "Target", "Result", "By"],
                    &rows
                )
            );
        }
    }
    Ok(exit::OK)
}
