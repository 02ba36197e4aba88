//! `provdesk bulk offboard|reactivate FILE.csv [--resume]`.

use std::path::Path;

use playbooks::bulk::playbook as bulk;
use playbooks::bulk::{BulkKind, RowState, RunControl};
use playbooks::plan::StepOutcome;
use tokio_util::sync::CancellationToken;

use crate::args::{BulkAction, Confirm, Global};
use crate::connect;
use crate::error::{exit, CliError};
use crate::output;

pub async fn bulk(
    global: &Global,
    action: BulkAction,
    file: &Path,
    resume: bool,
    confirm: &Confirm,
) -> Result<u8, CliError> {
    let kind = match action {
        BulkAction::Offboard => BulkKind::Offboard,
        BulkAction::Reactivate => BulkKind::Reactivate,
    };
    let bytes = std::fs::read(file).map_err(|source| CliError::ReadFile {
        path: file.to_path_buf(),
        source,
    })?;
    let desk = connect::desk(global).await?;

    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping after the changes already sent; resume with --resume.");
            on_interrupt.cancel();
        }
    });

    let report = if resume {
        let Some(run_id) = bulk::unfinished_run(&desk, kind, &bytes)? else {
            return Err(CliError::bad_input(
                format!("There is no interrupted run over {}.", file.display()),
                "Run it without --resume to start a new run.",
            ));
        };
        if confirm.dry_run {
            let plan = desk.journal().resume(&run_id)?;
            if global.json {
                output::json(&plan)?;
            } else {
                println!(
                    "Run {run_id}: {} actions done, {} to check first, {} not started. Dry run: nothing was changed.",
                    plan.completed.len(),
                    plan.verify_first.len(),
                    plan.not_started.len()
                );
            }
            return Ok(exit::OK);
        }
        let (progress, drained) = output::progress_sink(!global.json);
        let report = bulk::resume(&desk, &run_id, RunControl { progress, cancel }).await?;
        let _ = drained.await;
        report
    } else {
        let plan = bulk::preview(&desk, kind, &bytes).await?;
        if global.json && (confirm.dry_run || !confirm.yes) {
            output::json(&plan)?;
        } else {
            print_preview(&plan);
        }
        if confirm.dry_run {
            if !global.json {
                println!("Dry run: nothing was changed.");
            }
            return Ok(exit::OK);
        }
        for refusal in &plan.refusals {
            eprintln!("You cannot run this: {refusal}");
        }
        if let Some(run_id) = &plan.unfinished_run_id {
            eprintln!(
                "An interrupted run over this file exists ({run_id}); use --resume to continue it instead."
            );
        }
        if plan.preview.ready == 0 {
            if !global.json {
                println!("Nothing to do.");
            }
            return Ok(if plan.preview.left_out > 0 {
                exit::PARTLY_DONE
            } else {
                exit::OK
            });
        }
        let question = format!(
            "{} {} people?",
            match kind {
                BulkKind::Offboard => "Offboard (turn off sign-in, end sessions for)",
                BulkKind::Reactivate => "Reactivate (turn sign-in back on for)",
            },
            plan.preview.ready
        );
        if !output::confirmed(&question, confirm.yes)? {
            println!("Nothing was changed.");
            return Ok(exit::OK);
        }
        let (progress, drained) = output::progress_sink(!global.json);
        let report = bulk::run(&desk, &plan, RunControl { progress, cancel }).await?;
        let _ = drained.await;
        if plan.preview.left_out > 0 && report.counts.failed == 0 && report.counts.unknown == 0 {
            // Some rows of the file were not run: the whole file is only partly done.
            if global.json {
                output::json(&report)?;
            } else {
                print!("{}", report.render_text());
            }
            return Ok(if report.cancelled {
                exit::INTERRUPTED
            } else {
                exit::PARTLY_DONE
            });
        }
        report
    };
    if global.json {
        output::json(&report)?;
    } else {
        print!("{}", report.render_text());
    }
    let outcomes: Vec<&StepOutcome> = report.rows.iter().map(|r| &r.outcome).collect();
    Ok(if report.cancelled {
        exit::INTERRUPTED
    } else {
        output::exit_for(&outcomes)
    })
}

fn print_preview(plan: &playbooks::bulk::BulkPlan) {
    let rows: Vec<Vec<String>> = plan
        .preview
        .rows
        .iter()
        .map(|row| {
            let (state, detail) = match &row.state {
                RowState::Ready => ("Ready", String::new()),
                RowState::AlreadyDone { detail } => ("Already done", detail.clone()),
                RowState::LeftOut { reason } => ("Left out", reason.clone()),
            };
            vec![
                row.row.to_string(),
                row.written.clone(),
                row.found
                    .as_ref()
                    .map(|t| t.display_name.clone())
                    .unwrap_or_default(),
                state.to_string(),
                detail,
            ]
        })
        .collect();
    // Thousands of rows: show the table only for those that need attention beyond 50.
    let shown: Vec<Vec<String>> = if rows.len() > 50 {
        rows.into_iter()
            .filter(|r| r[3] != "Ready")
            .take(200)
            .collect()
    } else {
        rows
    };
    print!(
        "{}",
        output::table(&["Row", "In the file", "Found", "State", "Detail"], &shown)
    );
    println!(
        "\n{} ready, {} already done, {} left out.",
        plan.preview.ready, plan.preview.already_done, plan.preview.left_out
    );
    // Every line is accounted for: the header and blank lines are the only lines not read as rows.
    println!(
        "{} read from the file's {}.",
        plural(plan.csv.rows_read, "row"),
        plural(plan.csv.lines_in_file, "line")
    );
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
