//! Playbook 7 — Re-link one person: forget the stored link between a person and their app
//! account, and let Entra match them again, instead of restarting sync for everyone.
//!
//! Microsoft's repair workflow (entra-docs `docs/identity/app-provisioning/manage-object-connections.md`,
//! graph-api.md §11.3): review the logs → fix the source data or matching → GET the connection →
//! pause → confirm `schedule.state` is `Paused` or `Disabled` → DELETE → provision on demand →
//! verify (GET / logs) → start. The object connections API is Graph **beta** only.
//!
//! * [`preview`] reads the stored link (by the person's Entra object id: "the API first searches
//!   for it as a source identifier"), the person's latest provisioning log entries in the app,
//!   and concludes the likely cause ([`evidence`]). It changes nothing.
//! * [`run`] pauses, confirms the pause (bounded polling), forgets the link, syncs the person now
//!   (not for someone disabled in Entra: provision-on-demand.md), verifies, and starts the job
//!   again — **start is attempted whenever this run may have paused the job**, even when a step
//!   in between failed.
//! * [`paused_jobs`] and [`resume`] ([`paused`]): a run interrupted between pause and start
//!   (crash, kill -9, closed window) leaves the job paused; the journal knows, and both front
//!   ends offer to start it again at their next start.

mod evidence;
mod paused;
mod plan;
mod run;

use entra_client::graph::object_connections::ObjectConnection;
use entra_client::{CloudFeature, Operation};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::app_sync::{job_sync, AppSync};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::explain::LogLine;
use crate::find::{find_app, find_person, AppMatch, PersonMatch};
use crate::plan::Plan;
use crate::steps::StepResult;

pub use evidence::{earlier_values, likely_cause, LinkCause};
pub use paused::{paused_jobs, resume, resume_run, JobResumed, PausedJob};
pub use plan::reach_text;
pub use run::run;

/// The link Entra stores between a person and their app account (an object connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoredLink {
    /// The person's id in Entra (`sourceAnchor`).
    pub source_anchor: String,
    /// The app account's id in the app (`targetAnchor`, the SCIM id).
    pub target_anchor: String,
    /// The name Entra stored with the link, when it has one (not refreshed after a rename).
    pub display_name: Option<String>,
    /// `user` or `group` (`objectTypeName`).
    pub object_type: Option<String>,
}

impl StoredLink {
    pub fn from_connection(connection: &ObjectConnection) -> Self {
        StoredLink {
            source_anchor: connection.source_anchor.clone().unwrap_or_default(),
            target_anchor: connection.target_anchor.clone().unwrap_or_default(),
            display_name: connection.display_name.clone(),
            object_type: connection.object_type_name.clone(),
        }
    }
}

/// What Entra answered about the person's link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkState {
    Stored {
        link: StoredLink,
    },
    /// Microsoft's `404`: nothing stored for this person (the next round or a sync now matches
    /// them afresh).
    NotStored,
    /// The link could not be read (a missing role, this cloud, …).
    CannotRead {
        because: String,
    },
}

impl LinkState {
    pub fn link(&self) -> Option<&StoredLink> {
        match self {
            LinkState::Stored { link } => Some(link),
            _ => None,
        }
    }
}

/// What a re-link would touch, next to the bigger fixes (UX.md: the smallest fix first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FixReach {
    /// People a plain restart re-evaluates (`None`: could not be counted, or everyone in the
    /// directory with "sync all").
    pub people_in_scope: Option<u32>,
    /// "Re-link: 1 person · Restart: a full cycle over all 213 people in scope · Full reset:
    /// also forgets every link".
    pub text: String,
}

/// What a re-link will do, computed from observed state. Changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RelinkPreview {
    pub plan: Plan,
    pub person: PersonMatch,
    pub app: AppMatch,
    pub job_id: String,
    pub sync: AppSync,
    /// The link as Entra stores it now.
    pub link: LinkState,
    /// The person's latest provisioning log entries in this app, newest first (what the app
    /// answered for the linked account, as far as the logs show it).
    pub evidence: Vec<LogLine>,
    /// Why the logs could not be read, when they could not.
    pub evidence_unavailable: Option<String>,
    pub cause: LinkCause,
    /// The cause in plain words ("we cannot tell" when the evidence does not say).
    pub cause_text: String,
    /// What to fix before re-linking, when the cause is in the data or the mappings (otherwise
    /// the next round links the same way again).
    pub fix_first: Option<String>,
    /// Sign-in is off in Entra: no sync now (Microsoft does not provision such a person on
    /// demand); the first round after turning sign-in back on matches them.
    pub person_disabled: bool,
    pub reach: FixReach,
}

/// How a re-link ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RelinkResult {
    pub run_id: String,
    pub person: PersonMatch,
    pub app: AppMatch,
    pub steps: Vec<StepResult>,
    /// The link before the run.
    pub old_link: Option<StoredLink>,
    /// The link read back after sync now (`NotStored` when the app is matched at the next
    /// round instead).
    pub new_link: LinkState,
    /// The person's log entries since the run began, newest first.
    pub evidence: Vec<LogLine>,
    /// The outcome in one or two plain sentences.
    pub summary: String,
    /// What happens next, in sentences.
    pub next: Vec<String>,
    /// The app's sync read back at the end (it should be running again).
    pub sync: AppSync,
    /// False when the job could not be started again: [`paused_jobs`] lists it until it is.
    pub job_resumed: bool,
}

impl RelinkResult {
    /// The ticket summary.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "Re-link of {} in {}\n{}\n",
            self.person.label(),
            self.app.display_name,
            self.summary
        );
        if let Some(latest) = self.evidence.first() {
            out.push_str(&format!(
                "Provisioning logs since the re-link: {}\n",
                latest.plain
            ));
        }
        crate::steps::render_steps(&mut out, &self.steps, &self.next, &self.run_id);
        out
    }
}

/// Re-link recommended by another playbook (Diagnose) when the problem is one person's link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RelinkAdvice {
    pub cause: LinkCause,
    /// The cause in plain words.
    pub cause_text: String,
    /// The recommendation with the reach of each fix, in plain words.
    pub text: String,
    pub reach: FixReach,
}

/// Whether the evidence shows a problem of this one person's link in the app (kept an account id
/// the app no longer uses, linked to another person's account, matching value changed) and, if
/// so, Re-link with the reach of each fix. `None` when nothing points at the link, or it cannot
/// be read (this cloud, a role): the caller's other checks stand.
pub async fn advice(
    desk: &Desk,
    person: &PersonMatch,
    app: &AppMatch,
    job: &entra_client::graph::synchronization::SynchronizationJob,
) -> Option<RelinkAdvice> {
    if person.is_deleted() || desk.require(CloudFeature::ObjectConnections).is_err() {
        return None;
    }
    let graph = desk.graph();
    let connection = graph
        .get_object_connection(&app.service_principal_id, &job.id, &person.id)
        .await
        .ok()??;
    let link = StoredLink::from_connection(&connection);
    let now = desk.connection().tenant_now().await;
    let (entries, _) =
        evidence::person_entries(desk, &job.id, &person.id, now, EVIDENCE_DAYS).await;
    let schema = graph
        .get_schema(&app.service_principal_id, &job.id)
        .await
        .ok();
    let matching = schema.as_ref().and_then(evidence::matching_attribute);
    let owners = directory_owners(desk, person, Some(&link), &entries, matching.as_ref()).await;
    let cause = likely_cause(person, Some(&link), &entries, matching.as_ref(), &owners);
    if cause == LinkCause::CannotTell {
        return None;
    }
    let reach = fix_reach(desk, &app.service_principal_id, job).await;
    let text = format!(
        "This is one person's link: re-link {} for {} (Re-link one person forgets only their link and matches them again; it uses a Microsoft preview API). {}. Start sync from scratch (Full reset) only when many people are linked wrongly.",
        person.display_name,
        app.display_name,
        reach.text
    );
    let cause_text = cause.plain(&person.display_name, &app.display_name);
    Some(RelinkAdvice {
        cause,
        cause_text,
        text,
        reach,
    })
}

/// Earlier values of the matching attribute that belong to another person in the directory
/// (lower case → that person's name). Only an exact match names an owner.
async fn directory_owners(
    desk: &Desk,
    person: &PersonMatch,
    link: Option<&StoredLink>,
    entries: &[entra_client::graph::provisioning_logs::ProvisioningObjectSummary],
    matching: Option<&evidence::MatchingAttribute>,
) -> std::collections::BTreeMap<String, String> {
    let mut owners = std::collections::BTreeMap::new();
    for value in earlier_values(person, link, entries, matching) {
        if let Ok(owner) = find_person(desk, &value).await {
            if !owner.id.eq_ignore_ascii_case(&person.id) {
                owners.insert(value.to_lowercase(), owner.display_name);
            }
        }
    }
    owners
}

/// The reach of each fix for the app's job.
async fn fix_reach(
    desk: &Desk,
    service_principal_id: &str,
    job: &entra_client::graph::synchronization::SynchronizationJob,
) -> FixReach {
    let people_in_scope = if crate::restart::syncs_everyone(job) {
        None
    } else {
        crate::app_sync::people_in_scope(desk, service_principal_id)
            .await
            .ok()
            .and_then(|people| u32::try_from(people.len()).ok())
    };
    FixReach {
        people_in_scope,
        text: reach_text(people_in_scope),
    }
}

/// How many log entries of the person are shown as evidence.
const EVIDENCE_ENTRIES: usize = 5;
/// How far back the logs are read for the evidence.
const EVIDENCE_DAYS: i64 = 30;

/// Finds the person and the app, reads the stored link and the evidence, and plans the
/// re-link. Changes nothing.
pub async fn preview(desk: &Desk, person: &str, app: &str) -> Result<RelinkPreview> {
    let person = find_person(desk, person).await?;
    let app = find_app(desk, app).await?;
    if person.is_deleted() {
        return Err(Error::NothingToRun(format!(
            "{} is in the recycle bin; Entra sends the app nothing for them until they are restored (Reactivate), and then the link is used again",
            person.display_name
        )));
    }
    let graph = desk.graph();
    let jobs = match graph.list_jobs(&app.service_principal_id).await {
        Ok(jobs) => jobs,
        Err(error) => return Err(relink_refused(error)),
    };
    let Some(job) = jobs.into_iter().next() else {
        return Err(Error::NothingToRun(format!(
            "{} has no automatic account sync (provisioning job), so Entra stores no links for it",
            app.display_name
        )));
    };
    let now = desk.connection().tenant_now().await;
    let sync = job_sync(app.clone(), Some(&job), now);
    let link = read_link(desk, &app, &job.id, &person.id).await?;
    let (entries, evidence_unavailable) =
        evidence::person_entries(desk, &job.id, &person.id, now, EVIDENCE_DAYS).await;
    let schema = graph
        .get_schema(&app.service_principal_id, &job.id)
        .await
        .ok();
    let matching = schema.as_ref().and_then(evidence::matching_attribute);
    let owners = directory_owners(desk, &person, link.link(), &entries, matching.as_ref()).await;
    let cause = likely_cause(&person, link.link(), &entries, matching.as_ref(), &owners);
    let cause_text = cause.plain(&person.display_name, &app.display_name);
    let fix_first = cause.fix_first(&person, &app.display_name, matching.as_ref());
    let person_disabled = person.account_enabled == Some(false);
    let reach = fix_reach(desk, &app.service_principal_id, &job).await;
    let evidence: Vec<LogLine> = entries
        .iter()
        .take(EVIDENCE_ENTRIES)
        .map(crate::explain::explain)
        .collect();
    let refusals = desk.signed_in().refusals(&[
        (Operation::PauseSynchronizationJob, "pause the app's sync"),
        (
            Operation::DeleteObjectConnection,
            "forget the person's link",
        ),
        (Operation::StartSynchronizationJob, "start the app's sync"),
    ]);
    let context = plan::Context {
        person: &person,
        app: &app,
        sync: &sync,
        link: &link,
        cause_text: &cause_text,
        fix_first: fix_first.as_deref(),
        evidence: &evidence,
        evidence_unavailable: evidence_unavailable.as_deref(),
        reach: &reach,
        on_demand_offered: desk.require(CloudFeature::ProvisionOnDemand).is_ok(),
    };
    let plan = plan::plan(&context, refusals);
    Ok(RelinkPreview {
        plan,
        person,
        app,
        job_id: job.id,
        sync,
        link,
        evidence,
        evidence_unavailable,
        cause,
        cause_text,
        fix_first,
        person_disabled,
        reach,
    })
}

/// The stored link, by the person's Entra object id. A cloud where Microsoft does not document
/// the API, or a refused read, is said in the preview rather than failing it.
async fn read_link(
    desk: &Desk,
    app: &AppMatch,
    job_id: &str,
    person_id: &str,
) -> Result<LinkState> {
    if let Err(not_offered) = desk.require(CloudFeature::ObjectConnections) {
        return Ok(LinkState::CannotRead {
            because: format!(
                "{not_offered}. {}",
                CloudFeature::ObjectConnections.instead()
            ),
        });
    }
    match desk
        .graph()
        .get_object_connection(&app.service_principal_id, job_id, person_id)
        .await
    {
        Ok(Some(connection)) => Ok(LinkState::Stored {
            link: StoredLink::from_connection(&connection),
        }),
        Ok(None) => Ok(LinkState::NotStored),
        Err(error @ entra_client::Error::Forbidden { .. }) => Ok(LinkState::CannotRead {
            because: relink_refused(error).to_string(),
        }),
        Err(error) => Err(error.into()),
    }
}

/// A 403 anywhere in a re-link is answered with what a re-link needs (the object connections
/// page's roles and `Synchronization.ReadWrite.All`), not with what the one refused read needs.
fn relink_refused(error: entra_client::Error) -> Error {
    match error {
        entra_client::Error::Forbidden {
            code, message, ids, ..
        } => Error::from(entra_client::Error::Forbidden {
            code,
            message,
            operation: Some(Operation::DeleteObjectConnection),
            ids,
        }),
        other => other.into(),
    }
}
