//! user, offboard, reactivate.

use playbooks::app_sync::person_apps;
use playbooks::find::find_person;
use playbooks::offboard::{self, Departure};
use playbooks::reactivate;

use crate::args::{Confirm, Global};
use crate::connect;
use crate::error::{exit, CliError};
use crate::output;

pub async fn user(global: &Global, query: &str) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let person = find_person(&desk, query).await?;
    let apps = if person.is_deleted() {
        Vec::new()
    } else {
        person_apps(&desk, &person.id).await?
    };
    if global.json {
        output::json(&serde_json::json!({ "person": person, "apps": apps }))?;
        return Ok(exit::OK);
    }
    println!("{}", person.label());
    println!("  Object id: {}", person.id);
    if let Some(how) = &person.found_by {
        println!("  {}", how.sentence());
    }
    match (&person.deleted_at, person.account_enabled) {
        (Some(at), _) => println!(
            "  In the recycle bin since {} (deleted users are kept 30 days)",
            at.format("%d %b %Y")
        ),
        (None, Some(true)) => println!("  Sign-in: on"),
        (None, Some(false)) => println!("  Sign-in: off (disabled)"),
        (None, None) => println!("  Sign-in: unknown"),
    }
    if apps.is_empty() {
        println!("  Apps: none assigned");
    } else {
        let rows: Vec<Vec<String>> = apps
            .iter()
            .map(|app| {
                vec![
                    app.app.display_name.clone(),
                    app.assigned.clone(),
                    app.job_status
                        .clone()
                        .or_else(|| app.cannot_read.as_ref().map(|_| "cannot read".into()))
                        .unwrap_or_else(|| "no sync".into()),
                ]
            })
            .collect();
        println!();
        print!("{}", output::table(&["App", "Assigned", "Sync"], &rows));
    }
    Ok(exit::OK)
}

pub async fn offboard(
    global: &Global,
    query: &str,
    permanent: bool,
    push_now: bool,
    confirm: &Confirm,
) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let departure = if permanent {
        Departure::Permanent
    } else {
        Departure::Temporary
    };
    let preview = offboard::preview(&desk, query, departure).await?;
    if confirm.dry_run {
        if global.json {
            output::json(&preview)?;
        } else {
            print!("{}", preview.plan.render_text());
            if push_now {
                println!(
                    "\n--push-now: {}",
                    offboard::push_now_refusal(&preview.person.display_name, &preview.apps)
                );
            }
            println!("\nDry run: nothing was changed.");
        }
        return Ok(exit::OK);
    }
    if !global.json {
        print!("{}", preview.plan.render_text());
    }
    if preview.plan.steps.is_empty() {
        return Err(playbooks::Error::NothingToRun(preview.plan.warnings.join(" ")).into());
    }
    if !output::confirmed("Go ahead?", confirm.yes)? {
        println!("Nothing was changed.");
        return Ok(exit::OK);
    }
    let (progress, drained) = output::progress_sink(!global.json);
    let result = offboard::run(&desk, &preview, &progress).await?;
    drop(progress);
    let _ = drained.await;
    let outcomes: Vec<_> = result.steps.iter().map(|s| &s.outcome).collect();
    let code = output::exit_for(&outcomes);
    // What the provisioning logs already say (usually "waiting for the next sync round").
    let verification =
        offboard::verify(&desk, &result.person.id, &result.apps, result.started_at).await?;
    // Never an error: the offboarding itself is done, and the apps follow at their next round.
    let push_now =
        push_now.then(|| offboard::push_now_refusal(&result.person.display_name, &result.apps));
    if global.json {
        output::json(&serde_json::json!({
            "result": result,
            "verification": verification,
            "pushNow": push_now.as_ref().map(|why| serde_json::json!({"sent": false, "why": why})),
        }))?;
    } else {
        println!();
        print!("{}", result.render_text());
        if !verification.is_empty() {
            println!("Checked in the provisioning logs");
            for app in &verification {
                println!("  {:?}: {}", app.state, app.detail);
            }
        }
        if let Some(why) = &push_now {
            println!("{why}");
        }
    }
    Ok(code)
}

pub async fn reactivate(global: &Global, query: &str, confirm: &Confirm) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let preview = reactivate::preview(&desk, query).await?;
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
        if preview.person.is_none() {
            return Err(playbooks::Error::NothingToRun(
                "nobody has this address in the directory or the recycle bin; nothing is created (see above)".into(),
            )
            .into());
        }
        if !global.json {
            println!("\nNothing to do.");
        } else {
            output::json(&preview)?;
        }
        return Ok(exit::OK);
    }
    if !output::confirmed("Go ahead?", confirm.yes)? {
        println!("Nothing was changed.");
        return Ok(exit::OK);
    }
    let (progress, drained) = output::progress_sink(!global.json);
    let result = reactivate::run(&desk, &preview, &progress).await?;
    drop(progress);
    let _ = drained.await;
    let outcomes: Vec<_> = result.steps.iter().map(|s| &s.outcome).collect();
    let code = output::exit_for(&outcomes);
    if global.json {
        output::json(&result)?;
    } else {
        println!();
        print!("{}", result.render_text());
    }
    Ok(code)
}

/// `offboard USER --delete --confirm-upn UPN`: the separate, later deletion step.
pub async fn delete(
    global: &Global,
    query: &str,
    typed: Option<String>,
    confirm: &Confirm,
) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let person = find_person(&desk, query).await?;
    if person.is_deleted() {
        return Err(playbooks::Error::NothingToRun(format!(
            "{} is already in the recycle bin",
            person.display_name
        ))
        .into());
    }
    let plan = offboard::deletion_plan(&person);
    if global.json && confirm.dry_run {
        output::json(&plan)?;
        return Ok(exit::OK);
    }
    if !global.json {
        print!("{}", plan.render_text());
    }
    if confirm.dry_run {
        if !global.json {
            println!("\nDry run: nothing was changed.");
        }
        return Ok(exit::OK);
    }
    let Some(typed) = typed else {
        return Err(CliError::bad_input(
            "Nothing was changed: deleting needs the person's user principal name typed.",
            format!(
                "Run again with --confirm-upn {}.",
                person.user_principal_name
            ),
        ));
    };
    let (progress, drained) = output::progress_sink(!global.json);
    let steps = offboard::delete(&desk, &person, &typed, &progress).await?;
    drop(progress);
    let _ = drained.await;
    if global.json {
        output::json(&steps)?;
    } else {
        for step in &steps {
            println!("{}: {}", step.title, step.outcome.label());
        }
    }
    let outcomes: Vec<_> = steps.iter().map(|s| &s.outcome).collect();
    Ok(output::exit_for(&outcomes))
}
