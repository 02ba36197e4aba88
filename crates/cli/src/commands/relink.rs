//! relink: Playbook 7 from a terminal, and starting again a sync an interrupted re-link left
//! paused. Everything goes through `playbooks::relink`.

use playbooks::plan::Confirmation;
use playbooks::relink::{self, PausedJob};
use playbooks::Desk;

use crate::args::{Confirm, Global};
use crate::connect;
use crate::error::{exit, CliError};
use crate::output;

/// The command that starts a paused sync again, as the notice prints it.
fn resume_command(app: &str) -> String {
    format!("provdesk relink --resume-job \"{app}\"")
}

/// Prints (stderr) every app's sync an interrupted re-link left paused. Reading the journal
/// never stops a command: a journal that cannot be read is reported by the command itself.
pub fn report_paused_jobs(desk: &Desk) {
    let Ok(paused) = relink::paused_jobs(desk) else {
        return;
    };
    for job in paused {
        eprintln!("{}", job.sentence);
        eprintln!(
            "  Start it again: {}",
            resume_command(&job.app.display_name)
        );
    }
}

pub async fn relink(
    global: &Global,
    user: &str,
    app: &str,
    confirm: &Confirm,
) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let preview = relink::preview(&desk, user, app).await?;
    if confirm.dry_run {
        if global.json {
            output::json(&preview)?;
        } else {
            print!("{}", preview.plan.render_text());
            println!("\nDry run: nothing was changed.");
        }
        return Ok(exit::OK);
    }
    if !global.json {
        print!("{}", preview.plan.render_text());
    }
    if preview.plan.steps.is_empty() {
        // Nothing stored (run says so with its code), or the link could not be read.
        if let relink::LinkState::CannotRead { because } = &preview.link {
            return Err(CliError::bad_input(
                format!("Nothing was changed: the link could not be read ({because})."),
                "Read the preview above; it says what to do first.",
            ));
        }
    } else {
        let prompt = preview
            .plan
            .steps
            .iter()
            .find_map(|s| s.requires_confirmation.as_ref())
            .map(Confirmation::prompt)
            .unwrap_or("Go ahead?");
        if !output::confirmed(prompt, confirm.yes)? {
            println!("Nothing was changed.");
            return Ok(exit::OK);
        }
    }
    let (progress, drained) = output::progress_sink(!global.json);
    let result = relink::run(&desk, &preview, &progress).await;
    drop(progress);
    let _ = drained.await;
    let result = result?;
    if global.json {
        output::json(&result)?;
    } else {
        println!();
        print!("{}", result.render_text());
    }
    if !result.job_resumed {
        eprintln!(
            "Sync for {} may still be paused. Start it again: {}",
            result.app.display_name,
            resume_command(&result.app.display_name)
        );
        return Ok(exit::FAILED);
    }
    let outcomes: Vec<_> = result.steps.iter().map(|s| &s.outcome).collect();
    Ok(output::exit_for(&outcomes))
}

/// `provdesk relink --resume-job APP`.
pub async fn resume(global: &Global, app: &str) -> Result<u8, CliError> {
    let desk = connect::signed_in_desk(global).await?;
    let wanted = app.trim().to_lowercase();
    let paused: Vec<PausedJob> = relink::paused_jobs(&desk)?
        .into_iter()
        .filter(|j| {
            j.app.display_name.to_lowercase() == wanted
                || j.app.service_principal_id.to_lowercase() == wanted
        })
        .collect();
    if paused.is_empty() {
        if global.json {
            output::json(&serde_json::json!({ "resumed": [] }))?;
        } else {
            println!(
                "The journal shows no sync for {app} left paused by a re-link; nothing was sent."
            );
        }
        return Ok(exit::OK);
    }
    let mut resumed = Vec::new();
    for job in &paused {
        if !global.json {
            println!("{}", job.sentence);
        }
        resumed.push(relink::resume(&desk, job).await?);
    }
    if global.json {
        output::json(&serde_json::json!({ "resumed": resumed }))?;
    } else {
        for done in &resumed {
            println!("{} Journal run: {}", done.summary, done.run_id);
        }
    }
    let outcomes: Vec<_> = resumed.iter().map(|r| &r.outcome).collect();
    Ok(output::exit_for(&outcomes))
}
