//! `provdesk journal`: the audit trail, listed or exported for the ticket.

use playbooks::journal::{export_csv, export_json, ActionFilter, ActionStatus};
use playbooks::{reconcile, Desk};

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

/// Says on stderr when an interrupted session left changes without an answer, and how to check
/// them (at every signed-in command, like the paused-sync notice).
pub fn report_unfinished(desk: &Desk) {
    let Ok(unfinished) = reconcile::unfinished_changes(desk) else {
        return;
    };
    for change in &unfinished {
        eprintln!("{}", change.sentence);
    }
    if !unfinished.is_empty() {
        eprintln!("  Check and finish: provdesk journal --finish");
    }
}

/// `provdesk journal --finish`: reads the tenant for each unanswered change and journals it.
pub async fn finish(global: &Global) -> Result<u8, CliError> {
    let desk = connect::signed_in_desk(global).await?;
    let unfinished = reconcile::unfinished_changes(&desk)?;
    let mut finished = Vec::new();
    for change in &unfinished {
        finished.push(reconcile::check_and_finish(&desk, &change.action_id).await?);
    }
    if global.json {
        output::json(&finished)?;
    } else if finished.is_empty() {
        println!("Nothing is unfinished: every change in the journal has its answer.");
    } else {
        for done in &finished {
            println!("{}", done.summary);
        }
    }
    Ok(
        if finished
            .iter()
            .all(|done| done.status == ActionStatus::Succeeded)
        {
            exit::OK
        } else {
            exit::PARTLY_DONE
        },
    )
}
