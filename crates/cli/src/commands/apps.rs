//! apps, job, logs: reading an app's sync state and its provisioning logs.

use std::io::IsTerminal;

use playbooks::app_sync::{job_sync, AppSync};
use playbooks::find::find_app;
use playbooks::logs::LogSearch;

use crate::args::{Global, LogStatus};
use crate::connect;
use crate::error::{exit, CliError};
use crate::output;

pub async fn apps(global: &Global) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    // A progress line on stderr, only on a terminal and not in JSON mode: a tenant with
    // thousands of enterprise apps takes a while to check.
    let show = !global.json && std::io::stderr().is_terminal();
    let rows: Vec<AppSync> = playbooks::app_sync::tenant_apps(&desk, &mut |p| {
        if show {
            eprint!(
                "\rChecking enterprise apps for account sync: {} of {}",
                p.checked, p.total
            );
            if p.checked == p.total {
                eprintln!();
            }
        }
    })
    .await?;
    if global.json {
        output::json(&rows)?;
        return Ok(exit::OK);
    }
    if rows.is_empty() {
        println!("No enterprise app has automatic account sync (provisioning) set up.");
        return Ok(exit::OK);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.app.display_name.clone(),
                row.cannot_read
                    .clone()
                    .or_else(|| row.job_status.clone())
                    .unwrap_or_default(),
                next_round(row),
                row.app.service_principal_id.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &["App", "Sync", "Next sync round", "Service principal id"],
            &table
        )
    );
    Ok(exit::OK)
}

fn next_round(row: &AppSync) -> String {
    if row.cannot_read.is_some() {
        return "unknown".into();
    }
    match (row.job_status.as_deref(), row.minutes_until_next_cycle) {
        (Some("Paused"), _) => "paused".into(),
        (Some("Quarantine"), _) => "held back (quarantine)".into(),
        (_, Some(0)) => "due now".into(),
        (_, Some(minutes)) => format!("in about {minutes} min"),
        _ => "unknown".into(),
    }
}

pub async fn job(global: &Global, app: &str) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let app = find_app(&desk, app).await?;
    let jobs = match desk.graph().list_jobs(&app.service_principal_id).await {
        Ok(jobs) => jobs,
        Err(entra_client::Error::NotFound { .. }) => Vec::new(),
        Err(error) => return Err(error.into()),
    };
    if global.json {
        output::json(&serde_json::json!({ "app": app, "jobs": jobs }))?;
        return Ok(exit::OK);
    }
    if jobs.is_empty() {
        println!(
            "{} has no automatic account sync (provisioning job).",
            app.display_name
        );
        return Ok(exit::OK);
    }
    let now = desk.connection().tenant_now().await;
    for job in &jobs {
        let sync = job_sync(app.clone(), Some(job), now);
        println!("{} — sync job {}", app.display_name, job.id);
        println!("  Status: {}", sync.job_status.clone().unwrap_or_default());
        if let Some(status) = &job.status {
            if let Some(last) = &status.last_execution {
                println!(
                    "  Last sync round: {} ({})",
                    last.time_began
                        .map(|t| t.format("%d %b %Y %H:%M UTC").to_string())
                        .unwrap_or_else(|| "unknown".into()),
                    last.state
                        .as_ref()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default()
                );
            }
            if job.is_quarantined() {
                println!(
                    "  Paused because of repeated errors (quarantine): {}",
                    status
                        .quarantine
                        .as_ref()
                        .and_then(|q| q.reason())
                        .map(|r| r.as_str().to_string())
                        .unwrap_or_else(|| "reason not given".into())
                );
            }
            // Why it is stuck: quoted from quarantine.error or lastExecution.error, translated.
            if let Some(cause) = playbooks::job_cause::job_cause(job, &app.display_name) {
                println!("  Why: {}", cause.plain);
                for line in &cause.evidence {
                    println!("    {line}");
                }
                println!("  What to do: {}", cause.fix);
            }
        }
        println!("  Next sync round: {}", next_round(&sync));
    }
    Ok(exit::OK)
}

/// "30m", "6h", "2d" → a duration, from one minute to the 30 days the logs keep
/// (`playbooks::logs::LOGS_KEPT_HOURS`): a longer look back reads nothing more, and a huge
/// number would overflow the date arithmetic.
pub fn parse_since(text: &str) -> Result<chrono::Duration, CliError> {
    let text = text.trim();
    let bad = || {
        CliError::bad_input(
            format!("\"{text}\" is not a duration."),
            "Use a number and a unit: 30m, 6h or 2d.",
        )
    };
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let number: u32 = number.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "m" => u64::from(number),
        "h" => u64::from(number) * 60,
        "d" => u64::from(number) * 24 * 60,
        _ => return Err(bad()),
    };
    let kept_minutes = u64::from(playbooks::logs::LOGS_KEPT_HOURS) * 60;
    if minutes == 0 || minutes > kept_minutes {
        return Err(CliError::bad_input(
            format!(
                "\"{text}\" is outside what the logs keep: from 1 minute to {} days.",
                kept_minutes / (24 * 60)
            ),
            "Use a duration from 1m to 30d.",
        ));
    }
    Ok(chrono::Duration::minutes(
        i64::try_from(minutes).map_err(|_| bad())?,
    ))
}

pub async fn logs(
    global: &Global,
    app: Option<String>,
    user: Option<String>,
    since: &str,
    status: Option<LogStatus>,
) -> Result<u8, CliError> {
    let window = parse_since(since)?;
    let desk = connect::desk(global).await?;
    let search = LogSearch {
        app,
        person: user,
        status: status.map(|s| {
            match s {
                LogStatus::Success => "Success",
                LogStatus::Skipped => "Skipped",
                LogStatus::Failure => "Failed",
                LogStatus::Warning => "Warning",
            }
            .to_string()
        }),
        window,
        limit: 500,
    };
    let lines = playbooks::logs::search(&desk, &search).await?;
    if global.json {
        output::json(&lines)?;
        return Ok(exit::OK);
    }
    if lines.is_empty() {
        println!("No provisioning log entries in the last {since}.");
        return Ok(exit::OK);
    }
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|line| {
            vec![
                line.when
                    .map(|t| t.format("%d %b %H:%M").to_string())
                    .unwrap_or_default(),
                line.app_name.clone().unwrap_or_default(),
                line.person_name
                    .clone()
                    .or_else(|| line.person_id.clone())
                    .unwrap_or_default(),
                line.action.clone(),
                line.status.clone(),
                line.plain.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &["When", "App", "Person", "Action", "Status", "What happened"],
            &rows
        )
    );
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_since("30m").unwrap(), chrono::Duration::minutes(30));
        assert_eq!(parse_since("2d").unwrap(), chrono::Duration::days(2));
        assert!(parse_since("soon").is_err());
        assert!(parse_since("").is_err());
        // From outside: no panic, a plain refusal (an i64 of hours used to overflow chrono).
        for nonsense in [
            "0h",
            "-2d",
            "31d",
            "721h",
            "99999999999999999h",
            "4294967295d",
        ] {
            assert!(parse_since(nonsense).is_err(), "{nonsense}");
        }
        assert_eq!(parse_since("30d").unwrap(), chrono::Duration::days(30));
    }
}
