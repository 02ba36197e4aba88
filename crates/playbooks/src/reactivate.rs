//! Playbook 2 — Reactivate a returning person (the intern back next summer).
//!
//! Disabled → turn sign-in back on; in the recycle bin (within 30 days) → bring back, then turn
//! sign-in on; found nowhere (by sign-in name, e-mail, other e-mails or aliases, in the
//! directory and the recycle bin) → *nothing is created*: the duplicate / prefixed-userName trap
//! is explained first, with what the provisioning logs already show. Not found is never called
//! "permanently deleted": nobody has shown that (the person may be known by another address). After enabling, each app with
//! sync gets "sync now" (provision on demand, allowed again for an enabled person; at most 5
//! requests per 10 seconds).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entra_client::graph::provisioning_logs::{ProvisioningLogQuery, ProvisioningStatus};
use entra_client::graph::synchronization::SynchronizationJobSubject;
use entra_client::{CloudFeature, Operation};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::app_sync::{person_apps, AppSync};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::explain::{explain, LogLine};
use crate::find::{find_person, AppMatch, PersonMatch};
use crate::journal::{ActionKind, TargetRecord};
use crate::plan::{
    DocumentedReason, Plan, PlannedStep, PlaybookKind, ProgressEvent, Risk, StepOutcome,
    TargetSummary,
};
use crate::steps::{StepResult, StepRun};

/// Where the returning person stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReturnState {
    /// Sign-in is already on.
    Active,
    Disabled,
    /// Soft-deleted; restorable for `days_left` more days.
    InRecycleBin {
        days_left: i64,
    },
    /// Nobody has the address as sign-in name, e-mail or alias, in the directory or the
    /// recycle bin. Not evidence of a permanent deletion: the account may never have existed,
    /// or be known by another address.
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReactivatePreview {
    pub plan: Plan,
    /// `None` when the person is gone.
    pub person: Option<PersonMatch>,
    pub state: ReturnState,
    pub apps: Vec<AppSync>,
    /// Log entries showing the duplicate / prefixed-userName trap (Playbook 2 step 4).
    pub trap_evidence: Vec<LogLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReactivateResult {
    pub run_id: String,
    pub person: PersonMatch,
    pub steps: Vec<StepResult>,
    /// What is still pending, in sentences (kept for screens that show sentences only).
    pub next: Vec<String>,
    /// The same per app, structured: confirmed by the app now, or pending with when the next
    /// sync round is expected.
    #[serde(default)]
    pub apps: Vec<AppFollowUp>,
}

/// Where one app stands after the return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppFollowUp {
    pub app: AppMatch,
    pub state: FollowUpState,
    /// Pending: when the app's next sync round is roughly due, on the tenant's clock (`None`
    /// when it could not be read).
    pub expected_at: Option<DateTime<Utc>>,
    /// One plain sentence.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpState {
    /// The app answered sync now with Success: the account is active there again.
    Confirmed,
    /// The account follows at the app's next sync round.
    Pending,
}

impl AppFollowUp {
    fn pending(app: &AppSync, detail: String) -> AppFollowUp {
        AppFollowUp {
            app: app.app.clone(),
            state: FollowUpState::Pending,
            expected_at: app.next_cycle_due,
            detail,
        }
    }
}

/// What was searched, when nobody was found (never "permanently deleted": no evidence).
const NOT_FOUND_FACT: &str =
    "Not found: no one with this address as sign-in name, e-mail or alias, in the directory or the recycle bin";

const HOW_PROVISIONING_WORKS: &str = "How Application Provisioning works in Microsoft Entra ID";
const RESTORE_DOC: &str = "Restore or remove a recently deleted user (Microsoft Entra ID)";
const ON_DEMAND_DOC: &str = "On-demand provisioning in Microsoft Entra ID";
/// Microsoft: provision on demand is limited to 5 requests per 10 seconds.
const ON_DEMAND_PER_WINDOW: usize = 5;
const ON_DEMAND_WINDOW: Duration = Duration::from_secs(10);
/// Deleted users are kept this many days.
const RECYCLE_BIN_DAYS: i64 = 30;

/// Finds the person (also in the recycle bin) and plans the return. Changes nothing.
pub async fn preview(desk: &Desk, query: &str) -> Result<ReactivatePreview> {
    let now = desk.connection().tenant_now().await;
    let person = match find_person(desk, query).await {
        Ok(person) => Some(person),
        Err(Error::PersonNotFound { .. }) if query.contains('@') => None,
        Err(error) => return Err(error),
    };
    let state = match &person {
        None => ReturnState::NotFound,
        Some(p) => match (p.deleted_at, p.account_enabled) {
            (Some(at), _) => ReturnState::InRecycleBin {
                days_left: (RECYCLE_BIN_DAYS - (now - at).num_days()).max(0),
            },
            (None, Some(false)) => ReturnState::Disabled,
            (None, _) => ReturnState::Active,
        },
    };
    let apps = match &person {
        Some(p) if !p.is_deleted() => person_apps(desk, &p.id).await?,
        _ => Vec::new(),
    };
    let trap_evidence = trap_evidence(desk, query, person.as_ref(), now).await;
    let refusals = desk.signed_in().refusals(&[
        (Operation::SetAccountEnabled, "turn sign-in back on"),
        (
            Operation::RestoreDeletedUser,
            "bring people back from the recycle bin",
        ),
        (Operation::ProvisionOnDemand, "sync now"),
    ]);
    let mut plan = plan(
        query,
        person.as_ref(),
        &state,
        &apps,
        &trap_evidence,
        refusals,
    );
    not_offered_in_this_cloud(desk, &mut plan);
    Ok(ReactivatePreview {
        plan,
        person,
        state,
        apps,
        trap_evidence,
    })
}

/// What Microsoft does not offer in the tenant's cloud (entra-client `features`) is not
/// promised: no "sync now" step, and a warning that says so and what happens instead.
fn not_offered_in_this_cloud(desk: &Desk, plan: &mut Plan) {
    if let Err(not_offered) = desk.require(CloudFeature::ProvisionOnDemand) {
        let before = plan.steps.len();
        plan.steps.retain(|step| !step.id.starts_with("sync_now:"));
        if plan.steps.len() < before {
            plan.warnings.push(format!(
                "{not_offered}. {}",
                CloudFeature::ProvisionOnDemand.instead()
            ));
        }
    }
    if let Err(not_offered) = desk.require(CloudFeature::ProvisioningLogs) {
        plan.warnings.push(format!(
            "The provisioning logs were not checked for earlier failures: {not_offered}."
        ));
    }
}

/// Failures and prefixed userNames in the last 30 days of logs that concern this person: a
/// refused duplicate create, or a userName carrying a 32-hex-character prefix.
async fn trap_evidence(
    desk: &Desk,
    query: &str,
    person: Option<&PersonMatch>,
    now: DateTime<Utc>,
) -> Vec<LogLine> {
    let upn = person
        .map(|p| p.user_principal_name.to_lowercase())
        .unwrap_or_else(|| query.trim().to_lowercase());
    let log_query = ProvisioningLogQuery {
        status: Some(ProvisioningStatus::Failure),
        ..Default::default()
    };
    let since = Some(now - chrono::Duration::days(RECYCLE_BIN_DAYS));
    let Ok(entries) = crate::logs::entries_since(desk, &log_query, since, 200).await else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|entry| {
            let text = serde_json::to_string(entry)
                .unwrap_or_default()
                .to_lowercase();
            text.contains(&upn) || person.is_some_and(|p| text.contains(&p.id.to_lowercase()))
        })
        .map(explain)
        .collect()
}

/// True for a userName corrupted with Microsoft's 32-hex-character prefix.
pub fn has_prefixed_user_name(user_name: &str, upn: &str) -> bool {
    let user_name = user_name.to_lowercase();
    let upn = upn.to_lowercase();
    user_name.len() == upn.len() + 32
        && user_name.ends_with(&upn)
        && user_name[..32].chars().all(|c| c.is_ascii_hexdigit())
}

fn plan(
    query: &str,
    person: Option<&PersonMatch>,
    state: &ReturnState,
    apps: &[AppSync],
    trap: &[LogLine],
    refusals: Vec<String>,
) -> Plan {
    let name = person
        .map(|p| p.display_name.clone())
        .unwrap_or_else(|| query.to_string());
    let mut steps = Vec::new();
    let mut warnings = Vec::new();
    let mut facts = vec![match state {
        ReturnState::Active => "Sign-in: on".to_string(),
        ReturnState::Disabled => "Sign-in: off (disabled)".to_string(),
        ReturnState::InRecycleBin { days_left } => {
            format!("In the recycle bin: restorable for {days_left} more days")
        }
        ReturnState::NotFound => NOT_FOUND_FACT.to_string(),
    }];
    if let Some(how) = person.and_then(|p| p.found_by.as_ref()) {
        facts.push(how.sentence());
    }
    if !apps.is_empty() {
        facts.push(format!(
            "Apps: {}",
            apps.iter()
                .map(|a| format!("{} ({})", a.app.display_name, a.assigned))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let ReturnState::InRecycleBin { .. } = state {
        steps.push(PlannedStep {
            id: "restore".into(),
            title: format!("Bring {name} back from the recycle bin"),
            entra_term: "restore deleted user (directory/deletedItems)".into(),
            why: "The account, its group memberships and app assignments come back as they were; the apps keep their link to it.".into(),
            documented_reason: DocumentedReason {
                behaviour: "A deleted user stays in Deleted users for 30 days and can be restored with the same object id; meanwhile the apps were only told to mark the account inactive.".into(),
                source: RESTORE_DOC.into(),
            },
            risk: Risk::Reversible,
            verification: format!("{name} is in the directory again."),
            requires_confirmation: None,
        });
    }
    if matches!(
        state,
        ReturnState::Disabled | ReturnState::InRecycleBin { .. }
    ) {
        steps.push(PlannedStep {
            id: "enable".into(),
            title: format!("Turn sign-in back on for {name}"),
            entra_term: "enable (accountEnabled = true)".into(),
            why: "The apps mark the account active again at the next sync round, with its data intact.".into(),
            documented_reason: DocumentedReason {
                behaviour: "An enabled user in scope is sent to the app with active = true; the stored link (Entra object id ↔ SCIM id) is reused, so no new account is created.".into(),
                source: HOW_PROVISIONING_WORKS.into(),
            },
            risk: Risk::Reversible,
            verification: "Sign-in reads as on.".into(),
            requires_confirmation: None,
        });
    }
    let synced: Vec<&AppSync> = apps.iter().filter(|a| a.has_sync()).collect();
    if !matches!(state, ReturnState::NotFound) {
        for app in &synced {
            steps.push(PlannedStep {
                id: format!("sync_now:{}", app.app.service_principal_id),
                title: format!("Sync {name} to {} now", app.app.display_name),
                entra_term: "provision on demand".into(),
                why: format!("Instead of waiting for the next sync round, {} marks the account active within a minute.", app.app.display_name),
                documented_reason: DocumentedReason {
                    behaviour: "Provision on demand runs one enabled user through the job at once (not for users disabled or deleted in Entra); at most 5 requests per 10 seconds.".into(),
                    source: ON_DEMAND_DOC.into(),
                },
                risk: Risk::Low,
                verification: format!("{} answers Success for {name}.", app.app.display_name),
                requires_confirmation: None,
            });
        }
    }
    for app in apps
        .iter()
        .filter(|a| !a.has_sync() && a.cannot_read.is_none())
    {
        warnings.push(format!(
            "{} has no automatic account sync: turn the account back on there by hand if needed.",
            app.app.display_name
        ));
    }
    if person.is_some() && apps.is_empty() && !matches!(state, ReturnState::InRecycleBin { .. }) {
        warnings.push(format!(
            "{name} is not assigned to any app. If they should have their apps back, assign them (or add them to the right group) first."
        ));
    }
    if matches!(state, ReturnState::NotFound) {
        warnings.push(format!(
            "No one has {name} as sign-in name, e-mail or alias, in the directory or the recycle bin. Not being found does not prove a permanent deletion: the person may be known by another address, or never have had an account here. Nothing will be created by this playbook: if the person had an account, a new one makes each app try to create a second account for the same person. Apps that still hold the old account refuse it as a duplicate, Entra retries every sync round (hundreds of failures), and the userName it sends can be corrupted with a 32-character prefix (e.g. 195f30d516514ba38b1c0b993fb809d7{}).",
            query.trim()
        ));
        warnings.push("Before creating the account: find the person's existing account in each app, make sure the new account will match it (same userName / externalId as the app's matching attribute), and if Entra already linked a wrong account, re-link the person for that app (Re-link one person: only their link is forgotten; a Full restart only when many people are linked wrongly).".into());
    }
    if !trap.is_empty() {
        warnings.push(format!(
            "The provisioning logs already show {} failure(s) for this person — the duplicate trap may be under way: {}",
            trap.len(),
            trap.iter().map(|l| l.plain.clone()).collect::<Vec<_>>().join(" | ")
        ));
    }
    if let Some(p) = person.filter(|p| p.synced_from_on_premises) {
        if matches!(
            state,
            ReturnState::Disabled | ReturnState::InRecycleBin { .. }
        ) {
            facts.push(crate::on_premises::FACT.to_string());
            warnings.push(crate::on_premises::reactivate_warning(&p.display_name));
        }
    }
    warnings.extend(refusals);
    let will_not_happen = vec![
        "No new account is created.".to_string(),
        "Group memberships and app assignments are not changed.".to_string(),
    ];
    Plan {
        playbook: PlaybookKind::Reactivate,
        target: TargetSummary {
            display_name: person.map(|p| p.label()).unwrap_or_else(|| name.clone()),
            id: person.map(|p| p.id.clone()),
            facts,
        },
        steps,
        will_not_happen,
        warnings,
    }
}

/// Runs the plan: restore (if in the recycle bin), enable, then sync now per app (paced).
pub async fn run(
    desk: &Desk,
    preview: &ReactivatePreview,
    progress: &mpsc::Sender<ProgressEvent>,
) -> Result<ReactivateResult> {
    let Some(person) = preview.person.clone() else {
        return Err(Error::NothingToRun(
            "nobody has this address in the directory or the recycle bin; read the preview before creating anything".into(),
        ));
    };
    crate::find::check_object_id(&person.id)?;
    let graph = desk.graph();
    let target = TargetRecord {
        id: person.id.clone(),
        display_name: person.display_name.clone(),
    };
    let mut steps = StepRun::start(
        desk,
        PlaybookKind::Reactivate,
        preview.plan.steps.len(),
        progress,
    )
    .await?;

    if matches!(preview.state, ReturnState::InRecycleBin { .. }) {
        let restored = steps
            .action_checked(
                "restore",
                ActionKind::Restore,
                &target,
                format!("POST /directory/deletedItems/{}/restore", person.id),
                || async { graph.restore_deleted_user(&person.id).await.map(|_| ()) },
                || crate::read_back::restored(graph, &person.id),
            )
            .await?;
        if !matches!(restored, StepOutcome::Succeeded { .. }) {
            let (run_id, results) = steps.finish().await?;
            return Ok(ReactivateResult {
                run_id,
                person,
                steps: results,
                next: vec!["Nothing more was done because the restore did not succeed.".into()],
                apps: Vec::new(),
            });
        }
    }

    let current = graph.get_user(&person.id).await?;
    let enable_title = ActionKind::Enable.plain_title(&person.display_name);
    let enabled = if current.account_enabled == Some(true) {
        steps
            .note(
                "enable",
                &enable_title,
                StepOutcome::AlreadyDone {
                    detail: "sign-in was already on; nothing was sent".into(),
                },
            )
            .await;
        true
    } else {
        let outcome = steps
            .action_checked(
                "enable",
                ActionKind::Enable,
                &target,
                format!("PATCH /users/{} accountEnabled=true", person.id),
                || graph.set_account_enabled(&person.id, true),
                || crate::read_back::sign_in_is(graph, &person.id, true),
            )
            .await?;
        matches!(outcome, StepOutcome::Succeeded { .. })
    };

    let apps = person_apps(desk, &person.id).await.unwrap_or_default();
    let mut pacer = OnDemandPacer::default();
    let mut next = Vec::new();
    if person.synced_from_on_premises {
        next.push(crate::on_premises::reactivate_warning(&person.display_name));
    }
    let mut follow_up = Vec::new();
    for app in apps.iter().filter(|a| a.has_sync()) {
        let step_id = format!("sync_now:{}", app.app.service_principal_id);
        let title = format!(
            "Sync {} to {} now",
            person.display_name, app.app.display_name
        );
        if !enabled {
            follow_up.push(AppFollowUp::pending(
                app,
                format!(
                    "{} marks the account active at the first sync round after sign-in is turned on.",
                    app.app.display_name
                ),
            ));
            steps
                .note(&step_id, &title, StepOutcome::Skipped {
                    because: "sign-in is not on, and Microsoft does not provision on demand a disabled person".into(),
                })
                .await;
            continue;
        }
        // Not documented in every cloud (entra-client `features`): skipped with the reason,
        // never sent to fail with an unknown error.
        if let Err(not_offered) = desk.require(CloudFeature::ProvisionOnDemand) {
            let when = app.when_it_reaches("mark the account active");
            follow_up.push(AppFollowUp::pending(app, when.clone()));
            next.push(when);
            steps
                .note(
                    &step_id,
                    &title,
                    StepOutcome::Skipped {
                        because: not_offered.to_string(),
                    },
                )
                .await;
            continue;
        }
        if let Err(because) = desk.signed_in().may(Operation::ProvisionOnDemand) {
            let when = app.when_it_reaches("mark the account active");
            follow_up.push(AppFollowUp::pending(app, when.clone()));
            next.push(when);
            steps
                .note(&step_id, &title, StepOutcome::Skipped { because })
                .await;
            continue;
        }
        let Some(job_id) = app.job_id.clone() else {
            continue;
        };
        // Known before sending: Microsoft refuses sync now for an OAuth-authorized app while
        // its sync runs (provision-on-demand.md). A template that cannot be read is no reason
        // to skip: the answer then explains itself.
        let oauth = app.job_status.as_deref() != Some("Paused")
            && graph
                .list_templates(&app.app.service_principal_id)
                .await
                .is_ok_and(|templates| templates.iter().any(|t| t.connects_with_oauth()));
        if oauth {
            let detail = crate::on_demand::oauth_needs_paused_sync(&app.app.display_name);
            follow_up.push(AppFollowUp::pending(app, detail.clone()));
            next.push(detail.clone());
            steps
                .note(&step_id, &title, StepOutcome::Skipped { because: detail })
                .await;
            continue;
        }
        let rule_id = match graph
            .get_schema(&app.app.service_principal_id, &job_id)
            .await
        {
            Ok(schema) => schema.user_rule_id().map(str::to_string),
            Err(_) => None,
        };
        let Some(rule_id) = rule_id else {
            let when = app.when_it_reaches("mark the account active");
            follow_up.push(AppFollowUp::pending(app, when.clone()));
            next.push(when);
            steps
                .note(
                    &step_id,
                    &title,
                    StepOutcome::Skipped {
                        because: "the app's mappings (its user rule) could not be read".into(),
                    },
                )
                .await;
            continue;
        };
        pacer.wait().await;
        let mut answer = None;
        let outcome = steps
            .action(
                &step_id,
                ActionKind::ProvisionOnDemand,
                &TargetRecord {
                    id: person.id.clone(),
                    display_name: format!("{} in {}", person.display_name, app.app.display_name),
                },
                format!(
                    "POST /servicePrincipals/{}/synchronization/jobs/{job_id}/provisionOnDemand",
                    app.app.service_principal_id
                ),
                || async {
                    let result = graph
                        .provision_on_demand(
                            &app.app.service_principal_id,
                            &job_id,
                            &rule_id,
                            vec![SynchronizationJobSubject::user(&person.id)],
                        )
                        .await?;
                    answer = Some(result);
                    Ok(())
                },
            )
            .await?;
        if let (StepOutcome::Succeeded { .. }, Some(result)) = (&outcome, answer) {
            let status = result.key.result.as_str().to_string();
            let reason = result
                .summary
                .status_info
                .as_ref()
                .and_then(|s| s.reason.clone())
                .unwrap_or_default();
            if status.eq_ignore_ascii_case("success") {
                let detail = format!(
                    "{} answered Success: the account is active again.",
                    app.app.display_name
                );
                follow_up.push(AppFollowUp {
                    app: app.app.clone(),
                    state: FollowUpState::Confirmed,
                    expected_at: None,
                    detail: detail.clone(),
                });
                next.push(detail);
            } else if crate::on_demand::says_not_assigned(&result) && app.assigned != "not assigned"
            {
                // The directory shows the assignment, sync now does not: Microsoft's
                // replication delay after a new assignment (provision-on-demand.md).
                let detail = crate::on_demand::assignment_not_visible_yet(
                    &person.display_name,
                    &app.app.display_name,
                );
                follow_up.push(AppFollowUp::pending(app, detail.clone()));
                next.push(detail);
            } else {
                let detail = format!(
                    "{} answered {status} for sync now{}; it will be retried at the next sync round.",
                    app.app.display_name,
                    if reason.is_empty() { String::new() } else { format!(" ({reason})") }
                );
                follow_up.push(AppFollowUp::pending(app, detail.clone()));
                next.push(detail);
            }
        } else {
            // Sync now failed or its answer is unknown: the regular round still comes.
            follow_up.push(AppFollowUp::pending(
                app,
                app.when_it_reaches("mark the account active"),
            ));
        }
    }
    // Apps whose sync could not be read (usually a missing role): pending, time unknown.
    for app in apps
        .iter()
        .filter(|a| !a.has_sync() && a.cannot_read.is_some())
    {
        follow_up.push(AppFollowUp::pending(
            app,
            app.when_it_reaches("mark the account active"),
        ));
    }
    let (run_id, results) = steps.finish().await?;
    Ok(ReactivateResult {
        run_id,
        person,
        steps: results,
        next,
        apps: follow_up,
    })
}

/// Microsoft's limit for provision on demand: 5 requests per 10 seconds.
#[derive(Default)]
struct OnDemandPacer {
    sent: VecDeque<Instant>,
}

impl OnDemandPacer {
    async fn wait(&mut self) {
        if self.sent.len() >= ON_DEMAND_PER_WINDOW {
            if let Some(oldest) = self.sent.pop_front() {
                let free_at = oldest + ON_DEMAND_WINDOW;
                tokio::time::sleep_until(free_at.into()).await;
            }
        }
        self.sent.push_back(Instant::now());
    }
}

impl ReactivateResult {
    pub fn render_text(&self) -> String {
        let mut out = format!("Reactivation of {}\n", self.person.label());
        crate::steps::render_steps(&mut out, &self.steps, &self.next, &self.run_id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_user_names_are_recognised() {
        assert!(has_prefixed_user_name(
            "195f30d516514ba38b1c0b993fb809d7jsmith@contoso.com",
            "jsmith@contoso.com"
        ));
        assert!(!has_prefixed_user_name(
            "jsmith@contoso.com",
            "jsmith@contoso.com"
        ));
        assert!(!has_prefixed_user_name(
            "zz5f30d516514ba38b1c0b993fb809d7jsmith@contoso.com",
            "jsmith@contoso.com"
        ));
    }

    #[test]
    fn a_person_found_nowhere_gets_the_trap_explained_and_nothing_created() {
        let plan = plan(
            "jsmith@contoso.com",
            None,
            &ReturnState::NotFound,
            &[],
            &[],
            vec![],
        );
        assert!(plan.steps.is_empty());
        insta::assert_snapshot!(plan.render_text());
    }

    #[test]
    fn a_person_in_the_recycle_bin_is_restored_then_enabled() {
        let person = PersonMatch {
            id: "0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10".into(),
            display_name: "Ana Intern".into(),
            user_principal_name: "ana@contoso.com".into(),
            mail: None,
            account_enabled: Some(false),
            deleted_at: Some(Utc::now()),
            found_by: None,
            synced_from_on_premises: false,
        };
        let plan = plan(
            "ana@contoso.com",
            Some(&person),
            &ReturnState::InRecycleBin { days_left: 18 },
            &[],
            &[],
            vec![],
        );
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["restore", "enable"]);
        insta::assert_snapshot!(plan.render_text());
    }
}
