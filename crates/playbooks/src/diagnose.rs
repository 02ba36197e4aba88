//! Playbook 4 — "We deleted someone and nothing happened in the app".
//!
//! The checks run in the playbook's order, each a [`Verdict`] with evidence and a fix. What is
//! observed is gathered first ([`Observed`]); the verdicts are a pure function of it, so they
//! are tested over Microsoft's documented JSON as well as end to end.

use chrono::{DateTime, Utc};
use entra_client::graph::provisioning_logs::{ProvisioningLogQuery, ProvisioningObjectSummary};
use entra_client::graph::service_principals::AppAssignment;
use entra_client::graph::synchronization::{SynchronizationJob, SynchronizationSchema};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::Result;
use crate::explain::{explain, not_a_person};
use crate::find::{find_app, find_person, AppMatch, PersonMatch};
use crate::job_cause::job_cause;
use crate::mappings::{active_target, is_fixed_value, lint};
use crate::plan::{CheckStatus, Conclusion, Verdict};

/// The diagnosis for one person and one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    pub person: PersonMatch,
    pub app: AppMatch,
    /// In the playbook's order (PD-DIAG-001 … 006).
    pub verdicts: Vec<Verdict>,
    /// When the logs show a problem of this one person's link (kept an old account id, linked
    /// to another person's account): Re-link, with the reach of each fix. Also the fix of
    /// PD-DIAG-005.
    #[serde(default)]
    pub relink: Option<crate::relink::RelinkAdvice>,
}

/// What the tenant showed; `Err` holds why something could not be read.
pub struct Observed {
    pub person: PersonMatch,
    pub app: AppMatch,
    pub now: DateTime<Utc>,
    pub assignment: std::result::Result<AppAssignment, String>,
    pub jobs: std::result::Result<Vec<SynchronizationJob>, String>,
    pub schema: std::result::Result<Option<SynchronizationSchema>, String>,
    pub logs: std::result::Result<Vec<ProvisioningObjectSummary>, String>,
}

/// Looks at the person and the app, then concludes.
pub async fn diagnose(desk: &Desk, person: &str, app: &str) -> Result<Diagnosis> {
    let person = find_person(desk, person).await?;
    let app = find_app(desk, app).await?;
    let graph = desk.graph();
    let now = desk.connection().tenant_now().await;
    let reason = |error: entra_client::Error| error.to_string();
    let assignment = if person.is_deleted() {
        Err("the person is in the recycle bin; their assignments come back with a restore".into())
    } else {
        graph
            .user_assignment_to_app(&person.id, &app.service_principal_id)
            .await
            .map_err(reason)
    };
    let jobs = match graph.list_jobs(&app.service_principal_id).await {
        Ok(jobs) => Ok(jobs),
        Err(entra_client::Error::NotFound { .. }) => Ok(Vec::new()),
        Err(error) => Err(error.to_string()),
    };
    let schema = match &jobs {
        Ok(jobs) => match jobs.first() {
            Some(job) => graph
                .get_schema(&app.service_principal_id, &job.id)
                .await
                .map(Some)
                .map_err(reason),
            None => Ok(None),
        },
        Err(why) => Err(why.clone()),
    };
    let since = person
        .deleted_at
        .map(|at| at - chrono::Duration::days(1))
        .unwrap_or(now - chrono::Duration::days(7));
    let logs = crate::logs::entries_since(
        desk,
        &ProvisioningLogQuery {
            service_principal_id: Some(app.service_principal_id.clone()),
            source_identity_id: Some(person.id.clone()),
            ..Default::default()
        },
        Some(since),
        50,
    )
    .await
    .map_err(|error| error.to_string());
    let observed = Observed {
        person,
        app,
        now,
        assignment,
        jobs,
        schema,
        logs,
    };
    let mut verdicts = verdicts(&observed);
    // The smallest fix first (UX.md): one person's wrong or stale link is re-linked, not restarted.
    let relink = match observed.jobs.as_ref().ok().and_then(|jobs| jobs.first()) {
        Some(job) => crate::relink::advice(desk, &observed.person, &observed.app, job).await,
        None => None,
    };
    if let (Some(advice), Some(logs)) =
        (&relink, verdicts.iter_mut().find(|v| v.id == "PD-DIAG-005"))
    {
        // The link is the cause the logs show; what the check said before stays behind it.
        logs.conclusion = Conclusion::Cause;
        logs.explanation = format!(
            "{} ({})",
            advice.cause_text,
            logs.explanation.trim_end_matches('.')
        );
        logs.fix = Some(match logs.fix.take() {
            Some(fix) => format!("{} {fix}", advice.text),
            None => advice.text.clone(),
        });
    }
    Ok(Diagnosis {
        verdicts,
        person: observed.person,
        app: observed.app,
        relink,
    })
}

fn verdict(
    id: &str,
    question: &str,
    conclusion: Conclusion,
    explanation: String,
    evidence: Vec<String>,
    fix: Option<String>,
) -> Verdict {
    Verdict {
        id: id.into(),
        question: question.into(),
        conclusion,
        explanation,
        evidence,
        fix,
    }
}

/// The six checks, in order.
pub fn verdicts(observed: &Observed) -> Vec<Verdict> {
    let person = &observed.person;
    let name = &person.display_name;
    let app = &observed.app.display_name;
    let mut out = Vec::new();

    // What check 4 will conclude about `active`, known up front because it decides whether a
    // deletion or a disabling can reach the app at all.
    let active_finding = match &observed.schema {
        Ok(Some(schema)) => lint(schema).into_iter().find(|f| f.id == "PD-MAP-001"),
        _ => None,
    };
    let active_is_broken = active_finding
        .as_ref()
        .is_some_and(|f| f.status == CheckStatus::Fail);

    // 1. Deleted or disabled?
    out.push(match (person.deleted_at, person.account_enabled) {
        (Some(at), _) => {
            let days = (observed.now - at).num_days();
            let ago = match days {
                0 => "today".to_string(),
                1 => "yesterday".to_string(),
                n => format!("{n} days ago"),
            };
            let seen = vec![format!("In the recycle bin since {}", at.format("%d %b %Y %H:%M UTC"))];
            if active_is_broken {
                verdict(
                    "PD-DIAG-001",
                    "Was the person deleted or disabled?",
                    Conclusion::NotTheCause,
                    format!("{name} was deleted {ago}. Entra treats a deleted person like one whose sign-in is off: at the next sync round it tells {app} to mark the account inactive — but only through the active mapping, which does not do that here (see check 4)."),
                    seen,
                    None,
                )
            } else {
                verdict(
                    "PD-DIAG-001",
                    "Was the person deleted or disabled?",
                    Conclusion::Cause,
                    format!("{name} was deleted {ago}. Deleting is a soft delete: for 30 days {app} is only told to mark the account inactive (at the next sync round) — the account is not deleted there until the person is permanently deleted."),
                    seen,
                    Some(format!("If an inactive account in {app} is enough, nothing more is needed. If it must be removed now, permanently delete {name} from the recycle bin (the delete is sent at the next sync round); if they may come back, restore them and turn off sign-in instead.")),
                )
            }
        }
        (None, Some(false)) => verdict(
            "PD-DIAG-001",
            "Was the person deleted or disabled?",
            Conclusion::NotTheCause,
            format!("{name}'s sign-in is off (disabled): this is sent to {app} at the next sync round."),
            vec!["accountEnabled = false".into()],
            None,
        ),
        (None, _) => verdict(
            "PD-DIAG-001",
            "Was the person deleted or disabled?",
            Conclusion::Cause,
            format!("{name} is neither deleted nor disabled, so there is nothing for Entra to send."),
            vec!["accountEnabled = true".into()],
            Some(format!("Offboard {name}: turn off sign-in.")),
        ),
    });

    // 2. In scope?
    out.push(match &observed.assignment {
        Err(why) => verdict(
            "PD-DIAG-002",
            "Is the person in scope of the app?",
            Conclusion::Skipped { because: why.clone() },
            "The assignment could not be checked.".into(),
            Vec::new(),
            None,
        ),
        Ok(assignment) if assignment.is_assigned() => verdict(
            "PD-DIAG-002",
            "Is the person in scope of the app?",
            Conclusion::NotTheCause,
            format!("{name} is assigned to {app}."),
            vec![format!(
                "{} direct, {} through groups",
                assignment.direct.len(),
                assignment.via_groups.len()
            )],
            None,
        ),
        Ok(_) => verdict(
            "PD-DIAG-002",
            "Is the person in scope of the app?",
            Conclusion::Cause,
            format!("{name} is not assigned to {app}, directly or through a group; with \"sync only assigned users\", people out of scope are not processed (an earlier unassignment may already have disabled or removed the app account)."),
            vec!["No app role assignment for this app".into()],
            Some(format!("If the app account should be updated, assign {name} to {app} (a group they are a direct member of also works).")),
        ),
    });

    // 3. Job running?
    out.push(match &observed.jobs {
        Err(why) => verdict(
            "PD-DIAG-003",
            "Is sync running for the app?",
            Conclusion::Skipped { because: why.clone() },
            "The sync job could not be read.".into(),
            Vec::new(),
            None,
        ),
        Ok(jobs) => match jobs.first() {
            None => verdict(
                "PD-DIAG-003",
                "Is sync running for the app?",
                Conclusion::Cause,
                format!("{app} has no automatic account sync, so Entra never sends anything to it."),
                vec!["No provisioning job".into()],
                Some(format!("Change the account in {app} by hand, or set up provisioning for it.")),
            ),
            // The cause is in `quarantine.error` or often only in `lastExecution.error`
            // (Microsoft's own quarantined-job example): quoted, and translated (job_cause).
            Some(job) if job.is_quarantined() => {
                let cause = job_cause(job, app);
                let mut evidence = vec![format!("Job {}: quarantine", job.id)];
                evidence.extend(cause.iter().flat_map(|c| c.evidence.iter().cloned()));
                verdict(
                    "PD-DIAG-003",
                    "Is sync running for the app?",
                    Conclusion::Cause,
                    match &cause {
                        Some(cause) => format!("Sync for {app} is paused (quarantine), so changes wait: {}", cause.plain),
                        None => format!("Sync for {app} is paused (quarantine); changes wait until it is fixed."),
                    },
                    evidence,
                    Some(cause.map(|c| c.fix).unwrap_or_else(|| "Read the app's provisioning logs for the errors, fix the cause, then restart sync with the quarantine cleared.".into())),
                )
            }
            Some(job) => {
                let code = crate::app_sync::status_word(&job.status_code(), false);
                if code == "Paused" {
                    verdict(
                        "PD-DIAG-003",
                        "Is sync running for the app?",
                        Conclusion::Cause,
                        format!("Sync for {app} is paused; nothing is sent until it is started again."),
                        vec![format!("Job {}: Paused", job.id)],
                        Some(format!("Start sync for {app} (an Application Administrator can).")),
                    )
                } else {
                    verdict(
                        "PD-DIAG-003",
                        "Is sync running for the app?",
                        Conclusion::NotTheCause,
                        format!("Sync for {app} is running."),
                        vec![format!("Job {}: {code}", job.id)],
                        None,
                    )
                }
            }
        },
    });

    // 4. active mapped from IsSoftDeleted?
    out.push(match &observed.schema {
        Err(why) => verdict(
            "PD-DIAG-004",
            "Does the app hear about disabled and deleted people (active mapping)?",
            Conclusion::Skipped { because: why.clone() },
            "The attribute mappings could not be read.".into(),
            Vec::new(),
            None,
        ),
        Ok(None) => verdict(
            "PD-DIAG-004",
            "Does the app hear about disabled and deleted people (active mapping)?",
            Conclusion::Skipped { because: "there is no sync job, so there are no mappings".into() },
            "Nothing to check.".into(),
            Vec::new(),
            None,
        ),
        Ok(Some(schema)) => match &active_finding {
            Some(f) if f.status == CheckStatus::Pass => verdict(
                "PD-DIAG-004",
                "Does the app hear about disabled and deleted people (active mapping)?",
                Conclusion::NotTheCause,
                "active is mapped from IsSoftDeleted: disabling is sent as active = false.".into(),
                f.evidence.clone(),
                None,
            ),
            Some(f) => {
                let constant = constant_active(schema);
                verdict(
                    "PD-DIAG-004",
                    "Does the app hear about disabled and deleted people (active mapping)?",
                    Conclusion::Cause,
                    match &constant {
                        Some(value) => format!("{app} is always sent active = {value}, whatever happens to the person: the mapping is a fixed value instead of following whether the person is deleted or disabled. So deleting or disabling {name} changes nothing in {app} — the account stays active there."),
                        None => format!("active is not mapped from IsSoftDeleted, so deleting or disabling {name} changes nothing in {app} — the account stays active there."),
                    },
                    f.evidence.clone(),
                    Some(format!("Ask an Application Administrator to change the mapping of active in {app}'s provisioning settings (Attribute mappings → users): {} After that, the next sync round marks deleted and disabled people inactive in {app}; for someone already deleted, check the app account by hand.", f.fix)),
                )
            }
            None => verdict(
                "PD-DIAG-004",
                "Does the app hear about disabled and deleted people (active mapping)?",
                Conclusion::Skipped { because: "the schema has no mapping for users".into() },
                "Nothing to check.".into(),
                Vec::new(),
                None,
            ),
        },
    });

    // 5. The logs.
    out.push(match &observed.logs {
        Err(why) => verdict(
            "PD-DIAG-005",
            "What do the provisioning logs say for this person?",
            Conclusion::Skipped { because: why.clone() },
            "The provisioning logs could not be read.".into(),
            Vec::new(),
            None,
        ),
        Ok(entries) if entries.is_empty() => verdict(
            "PD-DIAG-005",
            "What do the provisioning logs say for this person?",
            Conclusion::NotTheCause,
            if person.is_deleted() {
                format!("No entries for {name} since shortly before they were deleted: no sync round has processed the deletion yet.")
            } else {
                format!("No entries for {name} in this period; the next sync round will process the change.")
            },
            Vec::new(),
            None,
        ),
        Ok(entries) => {
            let lines: Vec<_> = entries.iter().map(explain).collect();
            let problem = lines.iter().find(|l| l.status == "Failed" || l.status == "Skipped");
            // A "nothing to send" skip after a deletion or disabling is the broken active
            // mapping seen from the engine's side: say so instead of "already had the values".
            let redundant_because_of_active = active_is_broken
                && problem.is_some_and(|l| {
                    l.status == "Skipped" && l.evidence.iter().any(|e| e.contains("RedundantExport"))
                });
            let (explanation, fix) = if redundant_because_of_active {
                (
                    format!("The sync round looked at {name} and sent nothing to {app} (skipped, action \"other\"): with active always the same value, the app account already matched, so the deletion or disabling had nothing to change."),
                    Some(format!("Correct the active mapping (check 4); the logs then show an update with active = false for {app}.")),
                )
            } else {
                (
                    problem
                        .map(|l| l.plain.clone())
                        .unwrap_or_else(|| format!("{} entries, none failed or skipped.", lines.len())),
                    problem.and_then(|l| l.fix.clone()),
                )
            };
            verdict(
                "PD-DIAG-005",
                "What do the provisioning logs say for this person?",
                if problem.is_some() { Conclusion::Cause } else { Conclusion::NotTheCause },
                explanation,
                entries.iter().zip(&lines).map(|(entry, line)| evidence_line(entry, line)).collect(),
                fix,
            )
        }
    });

    // 6. Does the app treat active = false as "no access"?
    out.push(verdict(
        "PD-DIAG-006",
        "Does the app treat \"inactive\" as \"no access\"?",
        Conclusion::Reminder,
        "Microsoft Graph cannot tell. Some apps block sign-in at once, some keep an inactive account using a licence, some purge it after a number of days; an inactive account does not always end open sessions.".to_string(),
        Vec::new(),
        Some(format!("Check with {app}'s owner what an inactive account means there; end the person's sessions in Entra as well.")),
    ));
    out
}

/// One log entry as evidence: when, action, status, what it was about when that is not a
/// person (a group's entry is not evidence about the person), and Microsoft's words when there
/// are any.
fn evidence_line(entry: &ProvisioningObjectSummary, line: &crate::explain::LogLine) -> String {
    let when = line
        .when
        .map(|t| t.format("%d %b %H:%M").to_string())
        .unwrap_or_default();
    let mut head = format!("{when} {} {}", line.action, line.status);
    if let Some(subject) = not_a_person(entry) {
        head.push_str(&format!(" ({subject})"));
    }
    if line.evidence.is_empty() {
        head.trim_start().to_string()
    } else {
        format!("{}: {}", head.trim_start(), line.evidence.join("; "))
    }
}

/// The fixed value the app's active attribute is mapped to (`"True"`), when it is a constant
/// (under the app's own name for active too, e.g. `IsActive`: [`active_target`]).
fn constant_active(schema: &SynchronizationSchema) -> Option<String> {
    let mapping = active_target(schema)?.mapping?;
    if !is_fixed_value(mapping) {
        return None;
    }
    let value = match &mapping.source {
        Some(source) => source.name.clone(),
        None => mapping.default_value.clone(),
    };
    Some(format!("\"{}\"", value.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::render_verdicts;

    fn fixture(name: &str) -> serde_json::Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn soft_deleted() -> Observed {
        let job: SynchronizationJob = serde_json::from_value(fixture(
            "v1.0__synchronization-synchronizationjob-get__response.json",
        ))
        .unwrap();
        let now = "2026-11-23T10:00:00Z".parse().unwrap();
        Observed {
            person: PersonMatch {
                id: "60a7a801-7101-4c69-ae00-ce9f75f8460a".into(),
                display_name: "Jane Smith".into(),
                user_principal_name: "60a7a80171014c69ae00ce9f75f8460ajane@contoso.com".into(),
                mail: None,
                account_enabled: Some(true),
                deleted_at: Some("2026-11-11T09:00:00Z".parse().unwrap()),
                found_by: None,
                synced_from_on_premises: false,
            },
            app: AppMatch {
                service_principal_id: "6cc35b93-185a-4485-a519-50c09549f3ad".into(),
                display_name: "Floorplan".into(),
            },
            now,
            assignment: Err(
                "the person is in the recycle bin; their assignments come back with a restore"
                    .into(),
            ),
            jobs: Ok(vec![job]),
            schema: Err("you need the Application Administrator role".into()),
            logs: Ok(Vec::new()),
        }
    }

    /// The story of Playbook 4 over Microsoft's documented job: the soft delete is the cause.
    #[test]
    fn a_soft_deleted_person_explains_the_silence() {
        let verdicts = verdicts(&soft_deleted());
        assert_eq!(verdicts.len(), 6);
        assert_eq!(verdicts[0].conclusion, Conclusion::Cause);
        assert!(matches!(verdicts[3].conclusion, Conclusion::Skipped { .. }));
        assert_eq!(verdicts[5].conclusion, Conclusion::Reminder);
        insta::assert_snapshot!(render_verdicts(&verdicts));
    }

    /// Microsoft's quarantined Box job has no `quarantine.error`: the cause is quoted from the
    /// last run and translated, never only "paused because of repeated errors".
    #[test]
    fn a_quarantine_is_explained_by_its_quoted_cause() {
        let mut observed = soft_deleted();
        observed.jobs = Ok(vec![serde_json::from_value(fixture(
            "beta-legacy__synchronization_job__example-quarantine.json",
        ))
        .unwrap()]);
        let verdicts = verdicts(&observed);
        let running = &verdicts[2];
        assert_eq!(running.conclusion, Conclusion::Cause);
        assert!(
            running
                .explanation
                .contains("no longer accepts the secret token"),
            "{}",
            running.explanation
        );
        assert!(running
            .evidence
            .iter()
            .any(|e| e.contains("BoxInsufficientPermissions")));
        assert!(running
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("Test connection")));
    }

    /// Microsoft's example of a failed create is a group's (provisioningobjectsummary-list.md,
    /// example 2): the verdict names the group, not "an account with the same user name".
    #[test]
    fn a_groups_entry_is_named_as_the_group() {
        let mut observed = soft_deleted();
        observed.logs = Ok(serde_json::from_value(
            fixture("v1.0__provisioningobjectsummary-list__response-failure.json")["value"].clone(),
        )
        .unwrap());
        let verdicts = verdicts(&observed);
        let logs = &verdicts[4];
        assert!(
            logs.explanation.contains("the group “Self-service Pilot”"),
            "{}",
            logs.explanation
        );
        assert!(
            !logs.explanation.contains("user name"),
            "{}",
            logs.explanation
        );
        assert!(
            logs.evidence[0].contains("create Failed (the group “Self-service Pilot”)"),
            "{:?}",
            logs.evidence
        );
        let fix = logs.fix.as_deref().unwrap_or_default();
        assert!(!fix.contains("Full reset"), "{fix}");
    }

    #[test]
    fn a_failure_in_the_logs_is_the_cause_with_its_fix() {
        let mut observed = soft_deleted();
        observed.person.deleted_at = None;
        observed.person.account_enabled = Some(false);
        observed.logs = Ok(vec![serde_json::from_value(serde_json::json!({
            "id": "1", "provisioningAction": "update",
            "provisioningStatusInfo": {"status": "failure", "errorInformation": {"errorCode": "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable", "reason": "HTTP 401 Unauthorized"}},
            "servicePrincipal": {"id": "sp", "displayName": "Floorplan"}
        }))
        .unwrap()]);
        let verdicts = verdicts(&observed);
        assert_eq!(verdicts[0].conclusion, Conclusion::NotTheCause);
        assert_eq!(verdicts[4].conclusion, Conclusion::Cause);
        assert!(verdicts[4]
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("secret token"));
    }
}
