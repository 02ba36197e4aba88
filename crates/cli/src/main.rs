//! `provdesk`: the playbooks of Provisioning Desk from a terminal. It calls the same `playbooks`
//! API as the desktop app; nothing here knows Graph beyond reading what the playbooks return.

mod args;
mod commands;
mod connect;
mod error;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command, TrainingCommand};
use commands::{apps, bulk, journal, people, relink, session, sync, training};
use error::{exit, CliError};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // clap: 0 for --help/--version, 2 for usage errors.
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(exit::BAD_INPUT));
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PROVDESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Provisioning Desk could not start: {error}");
            return ExitCode::from(exit::FAILED);
        }
    };
    let json = cli.global.json;
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let shown = error.user_facing();
            if json {
                let _ = output::json(&serde_json::json!({ "error": shown }));
            }
            eprintln!("{}", shown.message);
            if let CliError::Playbooks(playbooks::Error::Ambiguous { candidates, .. }) = &error {
                for candidate in candidates {
                    eprintln!("  - {candidate}");
                }
            }
            eprintln!("{}", shown.hint);
            ExitCode::from(error.exit_code())
        }
    }
}

async fn dispatch(cli: Cli) -> Result<u8, CliError> {
    let global = &cli.global;
    match cli.command {
        Command::Login {
            device_code,
            account,
        } => session::login(global, device_code, account).await,
        Command::Logout => session::logout(global).await,
        Command::Whoami => session::whoami(global).await,
        Command::Apps => apps::apps(global).await,
        Command::Job { app } => apps::job(global, &app).await,
        Command::Logs {
            app,
            user,
            since,
            status,
        } => apps::logs(global, app, user, &since, status).await,
        Command::User { user } => people::user(global, &user).await,
        Command::Offboard {
            user,
            delete: true,
            confirm_upn,
            confirm,
            ..
        } => people::delete(global, &user, confirm_upn, &confirm).await,
        Command::Offboard {
            user,
            permanent,
            push_now,
            confirm,
            ..
        } => people::offboard(global, &user, permanent, push_now, &confirm).await,
        Command::Mappings { app, lint } => sync::mappings(global, &app, lint).await,
        Command::Diagnose { user, app } => sync::diagnose(global, &user, &app).await,
        Command::Restart {
            app,
            scope,
            symptom,
            confirm,
            watch,
            dry_run,
            yes,
        } => {
            let options = sync::RestartOptions {
                scope,
                symptom,
                typed: confirm,
                watch,
                dry_run,
                yes,
            };
            sync::restart(global, &app, options).await
        }
        Command::Relink {
            resume_job: Some(app),
            ..
        } => relink::resume(global, &app).await,
        Command::Relink {
            user, app, confirm, ..
        } => {
            relink::relink(
                global,
                user.as_deref().unwrap_or_default(),
                app.as_deref().unwrap_or_default(),
                &confirm,
            )
            .await
        }
        Command::Reactivate { user, confirm } => people::reactivate(global, &user, &confirm).await,
        Command::Bulk {
            action,
            file,
            resume,
            confirm,
        } => bulk::bulk(global, action, &file, resume, &confirm).await,
        Command::Journal { finish: true, .. } => journal::finish(global).await,
        Command::Journal { export, run, .. } => journal::journal(global, export, run),
        Command::Training { command } => match command {
            TrainingCommand::Serve {
                addr,
                scenario,
                realistic,
                extra_apps,
            } => training::serve(addr, scenario, realistic, extra_apps).await,
        },
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "provdesk",
                &mut std::io::stdout(),
            );
            Ok(exit::OK)
        }
    }
}
