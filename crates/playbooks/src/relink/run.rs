//! Running a re-link: pause → confirm paused → forget the link → sync now → verify → start.
//!
//! The order and the checks are Microsoft's (entra-docs `manage-object-connections.md`, "Repair an
//! incorrect object connection"). The one rule of our own: once a pause may have been applied,
//! the start is attempted whatever happened in between (a failed step, a refused request, an error
//! of the journal), so a re-link never leaves an app's sync paused by accident. A run that is
//! killed between the two is found from the journal ([`super::paused_jobs`]).

use std::time::Duration;

use entra_client::graph::object_connections::delete_request_summary;
use entra_client::graph::provisioning_logs::ProvisioningLogQuery;
use entra_client::graph::synchronization::{ScheduleState, SynchronizationJobSubject};
use entra_client::{CloudFeature, Operation};
use tokio::sync::mpsc;

use super::{LinkState, RelinkPreview, RelinkResult, StoredLink};
use crate::app_sync::job_sync;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::explain::{explain, LogLine};
use crate::journal::{ActionKind, TargetRecord};
use crate::plan::{PlaybookKind, ProgressEvent, StepOutcome, UserFacingError};
use crate::steps::StepRun;

/// How often the job is read back after the pause, and how long to wait between reads. The
/// page says to confirm the state but not how soon a pause shows; a round under way finishes
/// first (graph-api.md §3.5), so the desk waits about a minute and then gives up, saying so.
const PAUSE_CHECKS: u32 = 12;
const PAUSE_CHECK_EVERY: Duration = Duration::from_secs(5);

/// Whether the job reads as paused for the object connections API: "confirm that
/// `schedule.state` is `Paused` or `Disabled`".
fn reads_as_paused(state: &ScheduleState) -> bool {
    matches!(state, ScheduleState::Paused | ScheduleState::Disabled)
}

/// How far the steps between pause and start got.
#[derive(Default)]
struct Middle {
    forgotten: bool,
    new_link: Option<LinkState>,
    next: Vec<String>,
}

/// Runs the re-link planned by `preview`. Progress streams on `progress`; every request is
/// journaled before it is sent.
pub async fn run(
    desk: &Desk,
    preview: &RelinkPreview,
    progress: &mpsc::Sender<ProgressEvent>,
) -> Result<RelinkResult> {
    desk.require(CloudFeature::ObjectConnections)?;
    let person = &preview.person;
    let app = &preview.app;
    let sp = &app.service_principal_id;
    let job = &preview.job_id;
    let graph = desk.graph();
    // "Use GET to verify the identifier before you send the DELETE request": read it again now,
    // the preview may be minutes old.
    let old_link = match graph
        .get_object_connection(sp, job, &person.id)
        .await
        .map_err(super::relink_refused)?
    {
        Some(connection) => StoredLink::from_connection(&connection),
        None => {
            return Err(Error::NoLinkStored {
                person: person.display_name.clone(),
                app: app.display_name.clone(),
            })
        }
    };
    let started_at = desk.connection().tenant_now().await;
    let mut steps = StepRun::start(
        desk,
        PlaybookKind::Relink,
        // The plan's steps plus the two checks (paused, new link) that change nothing.
        preview.plan.steps.len() + 2,
        progress,
    )
    .await?;
    let app_target = TargetRecord {
        id: sp.clone(),
        display_name: app.display_name.clone(),
    };
    let paused = steps
        .action(
            &format!("pause:{job}"),
            ActionKind::PauseJob,
            &app_target,
            format!("POST /servicePrincipals/{sp}/synchronization/jobs/{job}/pause"),
            || graph.pause_job(sp, job),
        )
        .await?;
    // A pause refused for sure was not applied: nothing to start again. Without an answer it
    // may have been: the start below reads the job first.
    let may_be_paused = !matches!(paused, StepOutcome::Failed { .. });
    let middle = if matches!(paused, StepOutcome::Succeeded { .. }) {
        between_pause_and_start(desk, preview, &old_link, &mut steps, progress).await
    } else {
        Ok(Middle::default())
    };
    let job_resumed = if may_be_paused {
        start_again(desk, preview, &mut steps, &app_target, &paused).await?
    } else {
        false
    };
    let middle = middle?;
    let (run_id, results) = steps.finish().await?;
    let now = desk.connection().tenant_now().await;
    let job_now = graph.get_job(sp, job).await.ok();
    let evidence = entries_since(desk, preview, started_at).await;
    let new_link = middle.new_link.clone().unwrap_or(LinkState::Stored {
        link: old_link.clone(),
    });
    let summary = summary(
        preview,
        &old_link,
        &middle,
        &new_link,
        job_resumed,
        may_be_paused,
    );
    let mut next = middle.next;
    if !job_resumed && may_be_paused {
        next.push(format!("Sync for {} may still be paused: start it again (provdesk relink --resume-job \"{}\", or Start sync in the app).", app.display_name, app.display_name));
    }
    Ok(RelinkResult {
        run_id,
        person: person.clone(),
        app: app.clone(),
        steps: results,
        old_link: Some(old_link),
        new_link,
        evidence,
        summary,
        next,
        sync: job_sync(app.clone(), job_now.as_ref(), now),
        job_resumed,
    })
}

/// Confirm the pause, forget the link, sync now, verify. Returns early (with what it got to)
/// when a step fails; the caller starts the job again either way.
async fn between_pause_and_start(
    desk: &Desk,
    preview: &RelinkPreview,
    old_link: &StoredLink,
    steps: &mut StepRun<'_>,
    progress: &mpsc::Sender<ProgressEvent>,
) -> Result<Middle> {
    let person = &preview.person;
    let app = &preview.app;
    let sp = &app.service_principal_id;
    let job = &preview.job_id;
    let graph = desk.graph();
    let mut middle = Middle::default();

    // Confirm the pause took: bounded reads, each shown as progress.
    let title = format!("Check that sync for {} reads as paused", app.display_name);
    let mut state = String::from("unknown");
    let mut confirmed = false;
    for check in 1..=PAUSE_CHECKS {
        let _ = progress
            .send(ProgressEvent::StepStarted {
                step_id: "confirm_paused".into(),
                title: format!("{title} (check {check} of {PAUSE_CHECKS})"),
                row: None,
            })
            .await;
        if let Some(read) = graph
            .get_job(sp, job)
            .await
            .ok()
            .and_then(|j| j.schedule.map(|s| s.state))
        {
            state = read.as_str().to_string();
            if reads_as_paused(&read) {
                confirmed = true;
                break;
            }
        }
        if check < PAUSE_CHECKS {
            tokio::time::sleep(PAUSE_CHECK_EVERY).await;
        }
    }
    if !confirmed {
        let error = Error::SyncNotPaused {
            app: app.display_name.clone(),
            state,
        };
        steps
            .note(
                "confirm_paused",
                &title,
                StepOutcome::Failed {
                    error: UserFacingError::from(&error),
                },
            )
            .await;
        return Ok(middle);
    }
    steps
        .note(
            "confirm_paused",
            &title,
            StepOutcome::Succeeded {
                detail: Some(format!("schedule state {state}")),
            },
        )
        .await;

    let person_in_app = TargetRecord {
        id: person.id.clone(),
        display_name: format!("{} in {}", person.display_name, app.display_name),
    };
    let forgot = steps
        .action(
            "forget_link",
            ActionKind::ForgetLink,
            &person_in_app,
            delete_request_summary(sp, job, &person.id),
            || graph.delete_object_connection(sp, job, &person.id),
        )
        .await?;
    if !matches!(forgot, StepOutcome::Succeeded { .. }) {
        return Ok(middle);
    }
    middle.forgotten = true;

    // Sync now, where Microsoft allows it.
    let sync_title = format!("Sync {} to {} now", person.display_name, app.display_name);
    let skip = if person.account_enabled == Some(false) {
        Some(format!("sign-in is off for {} in Entra, and Microsoft does not sync a disabled person on demand; the first sync round after it is turned back on matches them afresh", person.display_name))
    } else if let Err(not_offered) = desk.require(CloudFeature::ProvisionOnDemand) {
        Some(format!(
            "{not_offered}; the next sync round matches them afresh"
        ))
    } else {
        desk.signed_in().may(Operation::ProvisionOnDemand).err()
    };
    let rule_id = match skip {
        Some(_) => None,
        None => graph
            .get_schema(sp, job)
            .await
            .ok()
            .and_then(|schema| schema.user_rule_id().map(str::to_string)),
    };
    match (skip, rule_id) {
        (Some(because), _) => {
            middle
                .next
                .push(format!("{}: {because}.", app.display_name));
            steps
                .note("sync_now", &sync_title, StepOutcome::Skipped { because })
                .await;
        }
        (None, None) => {
            let because =
                "the app's mappings (its user rule) could not be read; the next sync round matches them afresh".to_string();
            middle
                .next
                .push(format!("{}: {because}.", app.display_name));
            steps
                .note("sync_now", &sync_title, StepOutcome::Skipped { because })
                .await;
        }
        (None, Some(rule_id)) => {
            let mut answer = None;
            let outcome = steps
                .action(
                    "sync_now",
                    ActionKind::ProvisionOnDemand,
                    &person_in_app,
                    format!(
                        "POST /servicePrincipals/{sp}/synchronization/jobs/{job}/provisionOnDemand"
                    ),
                    || async {
                        answer = Some(
                            graph
                                .provision_on_demand(
                                    sp,
                                    job,
                                    &rule_id,
                                    vec![SynchronizationJobSubject::user(&person.id)],
                                )
                                .await?,
                        );
                        Ok(())
                    },
                )
                .await?;
            if let (StepOutcome::Succeeded { .. }, Some(result)) = (&outcome, answer) {
                let status = result.key.result.as_str().to_string();
                if !status.eq_ignore_ascii_case("success") {
                    let reason = result
                        .summary
                        .status_info
                        .as_ref()
                        .and_then(|s| s.reason.clone())
                        .unwrap_or_default();
                    middle.next.push(format!(
                        "{} answered {status} for the sync now{}; the next sync round tries again.",
                        app.display_name,
                        if reason.is_empty() {
                            String::new()
                        } else {
                            format!(" ({reason})")
                        }
                    ));
                }
            }
        }
    }

    // Verify: the link read back (a read, not journaled as a change).
    let verify_title = format!("Check the new link for {}", person.display_name);
    let (state, outcome) = match graph.get_object_connection(sp, job, &person.id).await {
        Ok(Some(connection)) => {
            let link = StoredLink::from_connection(&connection);
            let detail = if link.target_anchor == old_link.target_anchor {
                format!(
                    "Entra linked {} to the same account {} again",
                    person.display_name, link.target_anchor
                )
            } else {
                format!(
                    "{} is now linked to account {} in {}",
                    person.display_name, link.target_anchor, app.display_name
                )
            };
            (
                LinkState::Stored { link },
                StepOutcome::Succeeded {
                    detail: Some(detail),
                },
            )
        }
        Ok(None) => (
            LinkState::NotStored,
            StepOutcome::Skipped {
                because: format!(
                    "no new link yet: the next sync round matches {} afresh",
                    person.display_name
                ),
            },
        ),
        Err(error) => {
            let because = Error::from(error).to_string();
            (
                LinkState::CannotRead {
                    because: because.clone(),
                },
                StepOutcome::Unknown {
                    because: format!("the new link could not be read: {because}"),
                },
            )
        }
    };
    steps.note("verify", &verify_title, outcome).await;
    middle.new_link = Some(state);
    Ok(middle)
}

/// Starts the job again. After a pause without an answer the job is read first: started only
/// if it reads as paused (Microsoft: "use the start job only when the job is currently paused or
/// in quarantine").
async fn start_again(
    desk: &Desk,
    preview: &RelinkPreview,
    steps: &mut StepRun<'_>,
    app_target: &TargetRecord,
    paused: &StepOutcome,
) -> Result<bool> {
    let sp = &preview.app.service_principal_id;
    let job = &preview.job_id;
    let graph = desk.graph();
    let step_id = format!("start:{job}");
    if matches!(paused, StepOutcome::Unknown { .. }) {
        let state = graph
            .get_job(sp, job)
            .await
            .ok()
            .and_then(|j| j.schedule.map(|s| s.state));
        if let Some(state) = state.filter(|s| !reads_as_paused(s)) {
            let title = ActionKind::StartJob.plain_title(&preview.app.display_name);
            steps
                .note(
                    &step_id,
                    &title,
                    StepOutcome::AlreadyDone {
                        detail: format!(
                            "sync reads as {}; the pause did not take, nothing was sent",
                            state.as_str()
                        ),
                    },
                )
                .await;
            return Ok(true);
        }
    }
    let started = steps
        .action(
            &step_id,
            ActionKind::StartJob,
            app_target,
            format!("POST /servicePrincipals/{sp}/synchronization/jobs/{job}/start"),
            || graph.start_job(sp, job),
        )
        .await?;
    Ok(matches!(started, StepOutcome::Succeeded { .. }))
}

/// The person's entries in this app since the run began, newest first, explained.
async fn entries_since(
    desk: &Desk,
    preview: &RelinkPreview,
    since: chrono::DateTime<chrono::Utc>,
) -> Vec<LogLine> {
    let query = ProvisioningLogQuery {
        job_id: Some(preview.job_id.clone()),
        source_identity_id: Some(preview.person.id.clone()),
        ..Default::default()
    };
    crate::logs::entries_since(desk, &query, Some(since), 10)
        .await
        .map(|entries| entries.iter().map(explain).collect())
        .unwrap_or_default()
}

fn summary(
    preview: &RelinkPreview,
    old: &StoredLink,
    middle: &Middle,
    new_link: &LinkState,
    job_resumed: bool,
    may_be_paused: bool,
) -> String {
    let person = &preview.person.display_name;
    let app = &preview.app.display_name;
    let sync = match (job_resumed, may_be_paused) {
        (true, _) => format!("Sync for {app} is running again."),
        (false, true) => format!("Sync for {app} could not be started again: start it by hand."),
        (false, false) => format!("Sync for {app} was not paused."),
    };
    if !middle.forgotten {
        return format!("The link between {person} and account {} was not forgotten; nothing else was changed. {sync}", old.target_anchor);
    }
    match new_link {
        LinkState::Stored { link } if link.target_anchor != old.target_anchor => format!(
            "{person} was re-linked: from account {} to account {} in {app}. {sync}",
            old.target_anchor, link.target_anchor
        ),
        LinkState::Stored { link } => format!(
            "Entra forgot the link, then matched {person} to the same account {} in {app} again: that account still carries {person}'s matching value. Fix it in {app} (or the data in Entra), then re-link again. {sync}",
            link.target_anchor
        ),
        _ => format!(
            "Entra forgot the link between {person} and account {}; the next sync round matches {person} afresh. {sync}",
            old.target_anchor
        ),
    }
}
