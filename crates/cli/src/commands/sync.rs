//! mappings, restart, diagnose: an app's sync, its mappings, and why nothing happened.

use playbooks::diagnose::diagnose as run_diagnosis;
use playbooks::mappings::inspect;
use playbooks::plan::{render_findings, render_verdicts, CheckStatus, Confirmation};
use playbooks::restart::{self, ScopeChoice, Symptom};

use crate::args::{Global, ScopeArg, SymptomArg};
use crate::connect;
use crate::error::{exit, CliError};
use crate::output;

pub async fn mappings(global: &Global, app: &str, lint: bool) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let report = inspect(&desk, app).await?;
    if global.json {
        output::json(&report)?;
    } else {
        println!("{} — attribute mappings for users", report.app.display_name);
        if report.rows.is_empty() {
            println!("  (none could be read)");
        } else {
            let rows: Vec<Vec<String>> = report
                .rows
                .iter()
                .map(|row| {
                    vec![
                        row.target.clone(),
                        row.source.clone(),
                        row.matching_precedence
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        row.applied.clone(),
                    ]
                })
                .collect();
            print!(
                "{}",
                output::table(&["App attribute", "From", "Matching", "Applied"], &rows)
            );
        }
        if lint {
            println!();
            print!("{}", render_findings(&report.findings));
        }
    }
    if lint
        && report
            .findings
            .iter()
            .any(|f| f.status == CheckStatus::Fail)
    {
        // Findings are an answer, not a failure of the command; but scripts want to know.
        return Ok(exit::PARTLY_DONE);
    }
    Ok(exit::OK)
}

pub async fn diagnose(global: &Global, user: &str, app: &str) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let diagnosis = run_diagnosis(&desk, user, app).await?;
    if global.json {
        output::json(&diagnosis)?;
    } else {
        println!(
            "Why nothing happened in {} for {}\n",
            diagnosis.app.display_name,
            diagnosis.person.label()
        );
        print!("{}", render_verdicts(&diagnosis.verdicts));
    }
    Ok(exit::OK)
}

/// The options of `provdesk restart`.
pub struct RestartOptions {
    pub scope: Option<ScopeArg>,
    pub symptom: Option<SymptomArg>,
    pub typed: Option<String>,
    pub watch: bool,
    pub dry_run: bool,
    pub yes: bool,
}

pub async fn restart(global: &Global, app: &str, options: RestartOptions) -> Result<u8, CliError> {
    let RestartOptions {
        scope,
        symptom,
        typed,
        watch,
        dry_run,
        yes,
    } = options;
    let desk = connect::desk(global).await?;
    let scope = scope.map(|s| match s {
        ScopeArg::Default => ScopeChoice::Default,
        ScopeArg::Full => ScopeChoice::Full,
        ScopeArg::Quarantine => ScopeChoice::Quarantine,
        ScopeArg::ForceDeletes => ScopeChoice::ForceDeletes,
    });
    let symptom = symptom.map(|s| match s {
        SymptomArg::WrongLink => Symptom::WrongOrStaleLink,
        SymptomArg::Quarantined => Symptom::Quarantined,
        SymptomArg::DeletesHeldBack => Symptom::DeletesHeldBack,
    });
    let preview = restart::preview(&desk, app, symptom, scope).await?;
    if dry_run {
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
    // The plan decides which restarts need the app's name typed (Full, and letting held-back
    // deletions through): `--yes` is not enough for those.
    let needs_typed = matches!(
        preview.plan.steps[0].requires_confirmation,
        Some(Confirmation::Typed { .. })
    );
    if needs_typed && typed.is_none() {
        let what = match preview.chosen {
            ScopeChoice::ForceDeletes => "letting the held-back deletions through",
            _ => "starting sync from scratch",
        };
        return Err(CliError::bad_input(
            format!("Nothing was changed: {what} needs the app's name typed."),
            format!(
                "Review the list above, then run again with --confirm \"{}\".",
                preview.app.display_name
            ),
        ));
    }
    if !needs_typed && !output::confirmed("Go ahead?", yes)? {
        println!("Nothing was changed.");
        return Ok(exit::OK);
    }
    let (progress, drained) = output::progress_sink(!global.json);
    let result = restart::run(&desk, &preview, typed.as_deref(), &progress).await?;
    drop(progress);
    let _ = drained.await;
    let outcomes: Vec<_> = result.steps.iter().map(|s| &s.outcome).collect();
    if global.json {
        output::json(&result)?;
    } else {
        for step in &result.steps {
            println!("{}: {}", step.title, step.outcome.label());
        }
        println!(
            "Sync is now: {}. Journal run: {}",
            result
                .sync
                .job_status
                .clone()
                .unwrap_or_else(|| "unknown".into()),
            result.run_id
        );
    }
    let code = output::exit_for(&outcomes);
    if watch && code == exit::OK {
        let cancel = tokio_util::sync::CancellationToken::new();
        let on_interrupt = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_interrupt.cancel();
            }
        });
        eprintln!("Waiting for the next sync round (Ctrl-C stops waiting)…");
        let every = if desk.connection().is_training() {
            std::time::Duration::from_secs(2)
        } else {
            std::time::Duration::from_secs(60)
        };
        match restart::watch(&desk, &preview, &result, every, cancel).await? {
            Some(round) if global.json => output::json(&round)?,
            Some(round) => println!("{}", round.summary),
            None => println!("Stopped waiting; the restart is done."),
        }
    }
    Ok(code)
}
