//! Provisioning cycles. Each object goes through Microsoft's per-object pipeline (Import →
//! Scoping → Matching → Processing → Export, "Provision on demand" doc):
//!
//! * `IsSoftDeleted` is true when the user is soft-deleted, disabled, unassigned or out of a
//!   scoping filter (How application provisioning works); the mappings decide what that sends.
//! * Unlinked objects are matched by the matching attributes in `matchingPriority` order with
//!   `GET /Users?filter=attr eq "value"`; no match → `POST /Users`. The SCIM id is then cached
//!   (a link) and used for every later `GET`/`PATCH`/`DELETE /Users/{id}`.
//! * Hard-deleted users get `DELETE` only when Delete is among the target object actions;
//!   users that went out of scope are disabled once and then no longer managed.
//! * A failed export is escrowed and retried with growing back-off; a 401 from the app
//!   quarantines the job (`EncounteredQuarantineException`), which then runs once a day.
//! * More deprovisioning actions in one cycle than `QuarantineTooManyDeletesThreshold` are staged
//!   (`stagedDelete`) and the job is quarantined with `TooManyDeletes` until `ForceDeletes`.

mod groups;

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use super::expression::{Source, Val};
use super::job::{
    escrow_threshold, Escrow, Job, JobError, Link, PatchStyle, Quarantine, CYCLE_INTERVAL_MINUTES,
    ESCROW_REASONS, QUARANTINE_INTERVAL_HOURS, TOO_MANY_DELETES,
};
use super::logs::{step, Entry, ErrorInfo, Step};
use super::schema::{self, Clause, UserMapping};
use super::Provisioning;
use crate::scim::{path, ScimResponse, PATCH_OP};
use crate::state::directory::{timestamp, Directory, DirectoryEventKind, PrincipalType, User};
use crate::state::TenantState;

/// `synchronizationError.code` of a run that stopped because the app refused the credentials.
const SCIM_INVALID_CREDENTIALS: &str = "SystemForCrossDomainIdentityManagementInvalidCredentials";

/// Runs every cycle that is due by the virtual clock's now, in time order, each at its
/// scheduled time. Returns how many cycles ran.
pub fn run_due(state: &TenantState) -> usize {
    let mut ran = 0;
    // A bound for pathological clock jumps (10 years of 40-minute cycles for a few jobs).
    while ran < 2_000_000 {
        let now = state.clock.now();
        let dir = state.directory();
        let mut prov = state.provisioning();
        let next = prov
            .jobs
            .values()
            .filter_map(|j| j.due_at().map(|t| (t, j.id.clone())))
            .filter(|(t, _)| *t <= now)
            .min();
        let Some((at, id)) = next else {
            break;
        };
        if fast_forward(&mut prov, &dir, &id, now) {
            continue;
        }
        run_cycle(&mut prov, &dir, &id, at, state.tenant_id());
        ran += 1;
    }
    ran
}

/// An incremental cycle with nothing to do (no directory change since the watermark, no escrow
/// due, nothing staged to force, no group waiting to be created) exports nothing; skipping
/// ahead over such cycles keeps long clock jumps cheap. Moves `next_run` to the last idle slot
/// before anything is due and returns true when it moved.
fn fast_forward(
    prov: &mut Provisioning,
    dir: &Directory,
    job_id: &str,
    now: DateTime<Utc>,
) -> bool {
    let Some(job) = prov.jobs.get_mut(job_id) else {
        return false;
    };
    let idle = job.quarantine.is_none()
        && !job.force_deletes
        && job.watermark == Some(dir.events.len())
        && !groups::groups_pending(job, dir);
    if !idle {
        return false;
    }
    let step = Duration::minutes(CYCLE_INTERVAL_MINUTES);
    let until = job
        .escrows
        .values()
        .map(|e| e.next_retry)
        .min()
        .map_or(now, |t| t.min(now));
    if job.next_run + step > until {
        return false;
    }
    let slots = (until - job.next_run).num_seconds() / step.num_seconds();
    job.next_run += Duration::seconds(step.num_seconds() * slots);
    job.cycles_run += slots as u64;
    if let Some(e) = job.last_execution.as_mut() {
        let at = job.next_run - step;
        e["timeBegan"] = json!(timestamp(at));
        e["timeEnded"] = json!(timestamp(at + Duration::seconds(1)));
        e["countImported"] = json!(0);
        e["countExported"] = json!(0);
        e["countExports"] = json!(0);
    }
    true
}

/// Makes a job's next cycle due now and runs it ("run the next cycle now").
pub fn run_now(state: &TenantState, job_id: &str) -> bool {
    {
        let mut prov = state.provisioning();
        let now = state.clock.now();
        let Some(job) = prov.jobs.get_mut(job_id) else {
            return false;
        };
        job.next_run = now;
        if let Some(q) = job.quarantine.as_mut() {
            q.next_attempt = now;
        }
    }
    run_due(state);
    true
}

/// What changed since `from` by `t`.
struct Changes {
    watermark: usize,
    /// Users changed in Entra (membership and assignment changes are found by comparing
    /// assignments instead).
    users: BTreeSet<String>,
    /// Groups whose members or assignments changed.
    groups: HashSet<String>,
}

fn changes(dir: &Directory, from: usize, t: DateTime<Utc>) -> Changes {
    let mut out = Changes {
        watermark: from.min(dir.events.len()),
        users: BTreeSet::new(),
        groups: HashSet::new(),
    };
    for e in dir.events.iter().skip(from) {
        if e.at > t {
            break;
        }
        out.watermark += 1;
        match e.kind {
            DirectoryEventKind::MemberAdded
            | DirectoryEventKind::MemberRemoved
            | DirectoryEventKind::AssignmentChanged => {
                out.groups.insert(e.object_id.clone());
            }
            DirectoryEventKind::SessionsRevoked => {}
            _ => {
                out.users.insert(e.object_id.clone());
            }
        }
    }
    out
}

pub fn run_cycle(
    prov: &mut Provisioning,
    dir: &Directory,
    job_id: &str,
    t: DateTime<Utc>,
    tenant_id: &str,
) {
    let Some(mut job) = prov.jobs.remove(job_id) else {
        return;
    };
    let cycle_id = uuid::Uuid::new_v4().to_string();
    let mapping = match schema::compile(&job.schema) {
        Ok(m) if m.enabled => m,
        _ => {
            job.next_run = t + Duration::minutes(CYCLE_INTERVAL_MINUTES);
            prov.jobs.insert(job.id.clone(), job);
            return;
        }
    };
    let group_mapping = schema::compile_groups(&job.schema);
    let entitlements = Entitlements::of(dir, &job.service_principal_id);
    let assigned = &entitlements.assigned;
    let mut candidates: BTreeSet<String> = BTreeSet::new();
    // Groups an incremental cycle looks at besides those of the users it processes (`None`:
    // all, in an initial cycle).
    let mut changed_groups: Option<HashSet<String>> = None;
    let new_watermark = match job.watermark {
        None => {
            candidates.extend(assigned.iter().cloned());
            if job.sync_all {
                candidates.extend(dir.users.keys().cloned());
                candidates.extend(dir.deleted_users.keys().cloned());
            }
            candidates.extend(job.links.keys().cloned());
            dir.events.len()
        }
        Some(from) => {
            let Changes {
                watermark: wm,
                users,
                groups,
            } = changes(dir, from, t);
            candidates.extend(users);
            changed_groups = Some(groups);
            // Assignment changes, direct or through group membership.
            candidates.extend(
                job.last_assigned
                    .iter()
                    .filter(|u| !assigned.contains(*u))
                    .cloned(),
            );
            candidates.extend(
                assigned
                    .iter()
                    .filter(|u| !job.last_assigned.contains(*u))
                    .cloned(),
            );
            wm
        }
    };
    job.last_assigned = assigned.iter().cloned().collect();
    // Escrowed objects are retried only once their back-off has passed.
    let due_escrows: Vec<String> = job
        .escrows
        .iter()
        .filter(|(_, e)| e.next_retry <= t)
        .map(|(k, _)| k.clone())
        .collect();
    candidates.retain(|c| !job.escrows.contains_key(c) || due_escrows.contains(c));
    candidates.extend(due_escrows);
    if job.force_deletes {
        candidates.extend(job.staged_deletes.iter().cloned());
    }
    // Objects whose connection was deleted are matched afresh by the next cycle even without
    // a change in Entra: "A later provisioning operation can create a new connection for the
    // object" (entra-docs `manage-object-connections.md`, Known limitations). The page does not
    // say whether an incremental cycle picks them up by itself; the tenant does, once.
    candidates.extend(std::mem::take(&mut job.rematch));

    let mut cycle = Cycle {
        prov,
        job: &mut job,
        dir,
        mapping: &mapping,
        t,
        cycle_id: cycle_id.clone(),
        entitlements: &entitlements,
        initiated_by: None,
        unauthorized: None,
        exported: 0,
        failures: 0,
    };
    let mut plans = Vec::new();
    for id in &candidates {
        match cycle.plan(id, false) {
            Some(p) => plans.push(p),
            None if cycle.unauthorized.is_some() => break,
            None => {}
        }
    }
    if cycle.unauthorized.is_none() {
        // entra-docs `accidental-deletions.md`: disables count toward the threshold as well as
        // deletes ("the same functionality also works for disables"), evaluated per cycle.
        // The page says both "anything above the threshold" and "when the deletion threshold
        // is met"; the tenant takes the stricter reading: reaching it is enough.
        let deprovisions = plans.iter().filter(|p| p.deprovisions()).count();
        let staged = deprovisions > 0
            && deprovisions >= cycle.job.delete_threshold
            && !cycle.job.force_deletes;
        for plan in plans {
            if cycle.unauthorized.is_some() {
                break;
            }
            let entry = if staged && plan.deprovisions() {
                cycle.stage(plan)
            } else {
                cycle.execute(plan)
            };
            if let Some(e) = entry {
                let summary = e.into_summary(tenant_id);
                cycle.prov.logs.push(summary);
            }
        }
        if let Some(groups) = group_mapping.as_ref().filter(|g| g.enabled) {
            if cycle.unauthorized.is_none() {
                let scope = changed_groups.map(|groups| (groups, &candidates));
                for e in cycle.sync_groups(groups, scope) {
                    let summary = e.into_summary(tenant_id);
                    cycle.prov.logs.push(summary);
                }
            }
        }
        if cycle.job.force_deletes
            && cycle
                .job
                .quarantine
                .as_ref()
                .is_some_and(|q| q.reason == TOO_MANY_DELETES)
        {
            // "Allow deletes": the held-back deletions went out; "the status returns to healthy
            // with the next cycle".
            cycle.job.quarantine = None;
        }
        if staged {
            cycle.job.quarantine = Some(Quarantine {
                reason: TOO_MANY_DELETES.into(),
                current_began: t,
                series_began: t,
                series_count: 1,
                next_attempt: t + Duration::minutes(CYCLE_INTERVAL_MINUTES),
                error: Some(JobError {
                    code: TOO_MANY_DELETES.into(),
                    message: format!(
                        "The deletions and disables of this cycle reached the accidental deletions threshold of {}; they were not exported (StagedDelete in the provisioning logs) and the job is in quarantine until an administrator allows or rejects them.",
                        cycle.job.delete_threshold
                    ),
                }),
            });
        }
    }
    let exported = cycle.exported;
    let failures = cycle.failures;
    let unauthorized = cycle.unauthorized.take();
    job.force_deletes = false;
    job.cycles_run += 1;
    let execution = json!({
        "activityIdentifier": cycle_id,
        "countEntitled": assigned.len(),
        "countEntitledForProvisioning": assigned.len(),
        "countEscrowed": job.escrows.len(),
        "countEscrowedRaw": job.escrows.len(),
        "countExported": exported,
        "countExports": exported + failures,
        "countImported": candidates.len(),
        "countImportedDeltas": candidates.len(),
        "countImportedReferenceDeltas": 0,
        // The code a custom SCIM app's rejected credentials get in Microsoft's job examples
        // (graph-docs beta tutorial on monitoring provisioning: `lastExecution.error.code`
        // "SystemForCrossDomainIdentityManagementInvalidCredentials").
        "error": unauthorized.as_ref().map(|m| json!({"code": SCIM_INVALID_CREDENTIALS, "message": m, "tenantActionable": true})),
        "state": if unauthorized.is_some() { "Failed" } else if failures > 0 { "EntryLevelErrors" } else { "Succeeded" },
        "timeBegan": timestamp(t),
        "timeEnded": timestamp(t + Duration::seconds(1 + candidates.len() as i64 / 50)),
    });
    job.last_execution = Some(execution.clone());
    match unauthorized {
        Some(message) => {
            // "Credential … errors can quarantine regardless of counts"; runs once a day after.
            job.count_successive_complete_failures += 1;
            // The cause goes in `lastExecution.error` only (above), `quarantine.error` stays
            // null: Microsoft's own quarantined-job example has exactly this shape.
            let _ = message;
            let q = job.quarantine.get_or_insert(Quarantine {
                reason: "EncounteredQuarantineException".into(),
                current_began: t,
                series_began: t,
                series_count: 0,
                next_attempt: t,
                error: None,
            });
            q.reason = "EncounteredQuarantineException".into();
            q.current_began = t;
            q.series_count += 1;
            q.next_attempt = t + Duration::hours(QUARANTINE_INTERVAL_HOURS);
            q.error = None;
            job.next_run = q.next_attempt;
        }
        None => {
            job.count_successive_complete_failures = 0;
            job.watermark = Some(new_watermark);
            // A successful run takes the job out of credential quarantine ("exits when the
            // errors are fixed and the next cycle starts").
            if job
                .quarantine
                .as_ref()
                .is_some_and(|q| q.reason == "EncounteredQuarantineException")
            {
                job.quarantine = None;
            }
            if failures == 0 {
                job.last_successful_execution = Some(execution.clone());
                job.steady_state_first_achieved.get_or_insert(t);
                job.steady_state_last_achieved = Some(t);
            }
            if exported > 0 {
                job.last_successful_execution_with_exports = Some(execution);
            }
            job.next_run = t + Duration::minutes(CYCLE_INTERVAL_MINUTES);
            quarantine_on_failure_counts(&mut job, t);
        }
    }
    prov.jobs.insert(job.id.clone(), job);
}

/// After a cycle: too many escrowed objects quarantine the job (or keep it there, one more of
/// the series), which then runs once a day until a cycle falls below the thresholds.
fn quarantine_on_failure_counts(job: &mut Job, t: DateTime<Utc>) {
    if job
        .quarantine
        .as_ref()
        .is_some_and(|q| q.reason == "TooManyDeletes")
    {
        return;
    }
    let failures = job.escrows.len();
    let successes = job.links.values().filter(|l| l.managed).count();
    let Some(reason) = escrow_threshold(failures, 0, successes) else {
        // Below the thresholds again: out of quarantine, back to 40-minute cycles.
        if job
            .quarantine
            .as_ref()
            .is_some_and(|q| ESCROW_REASONS.contains(&q.reason.as_str()))
        {
            job.quarantine = None;
        }
        return;
    };
    let q = job.quarantine.get_or_insert(Quarantine {
        reason: reason.into(),
        current_began: t,
        series_began: t,
        series_count: 0,
        next_attempt: t,
        error: None,
    });
    q.reason = reason.into();
    q.current_began = t;
    q.series_count += 1;
    q.next_attempt = t + Duration::hours(QUARANTINE_INTERVAL_HOURS);
    q.error = Some(JobError {
        code: "EscrowThresholdExceeded".into(),
        message: format!(
            "{failures} objects failed to provision (escrowed) and {successes} are provisioned: the job exceeded the failure thresholds and is in quarantine. It runs once a day until the failures are fixed; see the provisioning logs for the errors."
        ),
    });
    job.next_run = q.next_attempt;
}

/// provisionOnDemand for a group (at most 5 members): each member as a user on demand, then
/// the group itself with just those members' memberships. Answers the group's entry (or the
/// first member's when the group produced none).
#[allow(clippy::too_many_arguments)]
pub fn on_demand_group(
    prov: &mut Provisioning,
    dir: &Directory,
    job_id: &str,
    group_id: &str,
    members: &[String],
    t: DateTime<Utc>,
    tenant_id: &str,
    initiated_by: (String, String),
) -> Option<Entry> {
    let mut first = None;
    for m in members {
        let entry = on_demand(prov, dir, job_id, m, t, tenant_id, initiated_by.clone());
        first = first.or(entry);
    }
    let mut job = prov.jobs.remove(job_id)?;
    let entries = match (
        schema::compile(&job.schema),
        schema::compile_groups(&job.schema).filter(|g| g.enabled),
    ) {
        (Ok(mapping), Some(groups)) => {
            let entitlements = Entitlements::on_demand(dir, &job.service_principal_id, t);
            let mut cycle = Cycle {
                prov: &mut *prov,
                job: &mut job,
                dir,
                mapping: &mapping,
                t,
                cycle_id: uuid::Uuid::new_v4().to_string(),
                entitlements: &entitlements,
                initiated_by: Some(initiated_by),
                unauthorized: None,
                exported: 0,
                failures: 0,
            };
            let only: BTreeSet<String> = members.iter().cloned().collect();
            cycle.sync_one_group(&groups, group_id, &only)
        }
        _ => Vec::new(),
    };
    prov.jobs.insert(job.id.clone(), job);
    for e in &entries {
        prov.logs.push(e.clone().into_summary(tenant_id));
    }
    entries.into_iter().next().or(first)
}

/// provisionOnDemand for one user: the same pipeline, now, regardless of escrow back-off.
pub fn on_demand(
    prov: &mut Provisioning,
    dir: &Directory,
    job_id: &str,
    user_id: &str,
    t: DateTime<Utc>,
    tenant_id: &str,
    initiated_by: (String, String),
) -> Option<Entry> {
    let mut job = prov.jobs.remove(job_id)?;
    let result = schema::compile(&job.schema).ok().and_then(|mapping| {
        let entitlements = Entitlements::on_demand(dir, &job.service_principal_id, t);
        let mut cycle = Cycle {
            prov: &mut *prov,
            job: &mut job,
            dir,
            mapping: &mapping,
            t,
            cycle_id: uuid::Uuid::new_v4().to_string(),
            entitlements: &entitlements,
            initiated_by: Some(initiated_by),
            unauthorized: None,
            exported: 0,
            failures: 0,
        };
        let plan = cycle.plan(user_id, true);
        let entry = match plan {
            Some(p) => cycle.execute(p),
            None => None,
        };
        let entry = entry.or_else(|| {
            cycle.unauthorized.clone().map(|m| {
                let mut e = cycle.entry(user_id, user_id, "other", "failure", Vec::new(), None);
                e.error = Some(ErrorInfo {
                    code: "Unauthorized".into(),
                    reason: m,
                    category: "failure",
                    recommended_action: Some(
                        "Update the Secret Token in the provisioning configuration.".into(),
                    ),
                });
                e
            })
        });
        if let Some(e) = &entry {
            cycle.prov.logs.push(e.clone().into_summary(tenant_id));
        }
        entry
    });
    prov.jobs.insert(job.id.clone(), job);
    result
}

#[derive(Debug)]
struct Change {
    path: String,
    old: Option<Value>,
    new: Value,
}

#[derive(Debug)]
enum Kind {
    /// Not processed: nothing logged.
    Silent,
    /// The link is forgotten without any request (the service no longer manages the user).
    DropLink,
    Skip {
        code: &'static str,
        reason: String,
    },
    Fail {
        code: &'static str,
        reason: String,
        action: &'static str,
    },
    Create {
        body: Value,
    },
    Update {
        changes: Vec<Change>,
        disable: bool,
        unmanage: bool,
    },
    Delete,
}

#[derive(Debug)]
struct Plan {
    user_id: String,
    upn: String,
    display_name: String,
    target_id: Option<String>,
    steps: Vec<Step>,
    kind: Kind,
}

impl Plan {
    fn deprovisions(&self) -> bool {
        matches!(self.kind, Kind::Delete | Kind::Update { disable: true, .. })
    }
}

struct Cycle<'a> {
    prov: &'a mut Provisioning,
    job: &'a mut Job,
    dir: &'a Directory,
    mapping: &'a UserMapping,
    t: DateTime<Utc>,
    cycle_id: String,
    entitlements: &'a Entitlements,
    initiated_by: Option<(String, String)>,
    /// Set when the app answered 401: the cycle stops and the job is quarantined.
    unauthorized: Option<String>,
    exported: usize,
    failures: usize,
}

/// Who is assigned to the app — directly or as a direct member of an assigned group — and
/// with which app roles; computed once per cycle (per user it would cost a scan of every
/// group's members).
struct Entitlements {
    assigned: HashSet<String>,
    /// User id → display names of their app roles, in assignment order.
    roles: HashMap<String, Vec<String>>,
}

/// How long an app role assignment takes to reach provisioning on demand. Microsoft says only
/// "There's a replication delay of up to a few minutes between when an object is assigned to an
/// application and when that assignment is honored in on-demand provisioning. You may need to
/// wait a few minutes and try again." (entra-docs
/// `docs/identity/app-provisioning/provision-on-demand.md`, troubleshooting; graph-api.md §3.7).
/// "A few minutes" is not a number: the training tenant takes 5, so a client that provisions
/// on demand right after assigning meets the "not assigned" answer a real tenant gives.
/// Group membership changes carry no timestamp here, so only assignments are delayed.
pub const ON_DEMAND_REPLICATION_DELAY: Duration = Duration::minutes(5);

impl Entitlements {
    fn of(dir: &Directory, sp_id: &str) -> Self {
        Self::replicated_by(dir, sp_id, None)
    }

    /// The entitlements provisioning on demand sees at `t`: assignments younger than
    /// [`ON_DEMAND_REPLICATION_DELAY`] have not reached it yet.
    fn on_demand(dir: &Directory, sp_id: &str, t: DateTime<Utc>) -> Self {
        Self::replicated_by(dir, sp_id, Some(t - ON_DEMAND_REPLICATION_DELAY))
    }

    /// Counting only assignments created at or before `cutoff` (all when `None`).
    fn replicated_by(dir: &Directory, sp_id: &str, cutoff: Option<DateTime<Utc>>) -> Self {
        let app_roles = dir
            .service_principals
            .get(sp_id)
            .map(|sp| sp.app_roles.as_slice())
            .unwrap_or_default();
        let mut roles: HashMap<String, Vec<String>> = HashMap::new();
        for a in dir
            .app_role_assignments
            .iter()
            .filter(|a| a.resource_id == sp_id)
            .filter(|a| cutoff.is_none_or(|c| a.created_date_time <= c))
        {
            let role = app_roles
                .iter()
                .find(|r| r.id == a.app_role_id)
                .map_or("Default Access", |r| r.display_name.as_str());
            let users: &[String] = match a.principal_type {
                PrincipalType::User => std::slice::from_ref(&a.principal_id),
                PrincipalType::Group => dir
                    .groups
                    .get(&a.principal_id)
                    .map(|g| g.members.as_slice())
                    .unwrap_or_default(),
                PrincipalType::ServicePrincipal => &[],
            };
            for u in users {
                roles.entry(u.clone()).or_default().push(role.to_string());
            }
        }
        Self {
            assigned: roles.keys().cloned().collect(),
            roles,
        }
    }
}

fn source_of(u: &User, entitlements: &Entitlements) -> Source {
    let mut src = Source::default();
    for (k, v) in &u.props {
        if let Some(val) = Val::from_json(v) {
            src.insert(k, val);
        }
    }
    src.insert("objectId", Val::Str(u.id.clone()));
    src.insert("accountEnabled", Val::Bool(u.account_enabled()));
    let roles = entitlements.roles.get(&u.id).cloned().unwrap_or_default();
    src.insert("appRoleAssignments", Val::List(roles));
    src
}

/// One scoping clause ("Scoping users or groups … with scoping filters", Entra docs): null or
/// empty values make a clause false.
fn clause_holds(c: &Clause, src: &Source) -> bool {
    let value = src
        .get(&c.attribute)
        .map(|v| v.text())
        .filter(|v| !v.is_empty());
    let first = c.values.first().map(String::as_str).unwrap_or_default();
    match c.operator.to_ascii_uppercase().as_str() {
        "IS NULL" => value.is_none(),
        "IS NOT NULL" => value.is_some(),
        _ => match value {
            None => false,
            Some(v) => match c.operator.to_ascii_uppercase().as_str() {
                "EQUALS" => v == first,
                "NOT EQUALS" => v != first,
                "IS TRUE" => v.eq_ignore_ascii_case("true"),
                "IS FALSE" => v.eq_ignore_ascii_case("false"),
                "INCLUDES" => v.contains(first),
                "ENDS_WITH" => v.ends_with(first),
                "GREATER_THAN" => {
                    matches!((v.parse::<i64>(), first.parse::<i64>()), (Ok(a), Ok(b)) if a > b)
                }
                "GREATER_THAN_OR_EQUALS" => {
                    matches!((v.parse::<i64>(), first.parse::<i64>()), (Ok(a), Ok(b)) if a >= b)
                }
                _ => false,
            },
        },
    }
}

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn typed(val: &Val, boolean: bool) -> Value {
    if boolean {
        match val {
            Val::Bool(b) => Value::Bool(*b),
            other => Value::Bool(other.text().eq_ignore_ascii_case("true")),
        }
    } else {
        Value::String(val.text())
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Array(items) => items.first().map(path::scalar_text).unwrap_or_default(),
        other => path::scalar_text(other),
    }
}

/// The error text Entra logs for a failed export ("StatusCode: Conflict Message: … Web Response:
/// {…}. This operation was retried N times. It will be retried again after this date: … UTC",
/// seen in Microsoft Q&A answers about 409s).
fn failure_reason(resp: &ScimResponse, retries: u32, next: DateTime<Utc>) -> String {
    let status = match resp.status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        500 => "InternalServerError",
        _ => "ProtocolError",
    };
    // .NET's round-trip format: seven fractional digits.
    let when = format!(
        "{}.{:07}Z",
        next.format("%Y-%m-%dT%H:%M:%S"),
        next.timestamp_subsec_nanos() / 100
    );
    format!(
        "StatusCode: {status} Message: Processing of the HTTP request resulted in an exception. Please see the HTTP response returned by the 'Response' property of this exception for details. Web Response: {}. This operation was retried {retries} times. It will be retried again after this date: {when} UTC",
        resp.body.as_ref().map(Value::to_string).unwrap_or_default(),
    )
}

impl Cycle<'_> {
    fn send(
        &mut self,
        user_id: &str,
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Value>,
    ) -> ScimResponse {
        let resp = self.prov.send(
            &self.job.app_key,
            &self.job.secret_token.clone(),
            &self.job.id.clone(),
            &self.cycle_id.clone(),
            Some(user_id),
            method,
            path,
            query,
            body,
            self.t,
        );
        if resp.status == 401 {
            self.unauthorized = Some(format!(
                "The target application {} rejected the credentials (HTTP 401 Unauthorized): the Secret Token is invalid or expired. Update the credentials, then restart provisioning.",
                self.job.app_display_name
            ));
        }
        resp
    }

    fn entry(
        &self,
        user_id: &str,
        upn: &str,
        action: &'static str,
        status: &'static str,
        steps: Vec<Step>,
        target: Option<String>,
    ) -> Entry {
        let display = self
            .dir
            .users
            .get(user_id)
            .or_else(|| self.dir.deleted_users.get(user_id))
            .map(|u| u.display_name().to_string())
            .unwrap_or_default();
        Entry {
            at: self.t,
            job_id: self.job.id.clone(),
            cycle_id: self.cycle_id.clone(),
            service_principal_id: self.job.service_principal_id.clone(),
            app_display_name: self.job.app_display_name.clone(),
            application_id: self
                .dir
                .service_principals
                .get(&self.job.service_principal_id)
                .map(|sp| sp.app_id.clone())
                .unwrap_or_default(),
            action,
            status,
            error: None,
            source_type: "User",
            source_id: user_id.to_string(),
            source_display_name: display,
            reportable: upn.to_string(),
            target_id: target,
            steps,
            modified: Vec::new(),
            initiated_by: self.initiated_by.clone(),
        }
    }

    /// Import, scoping and matching for one object; `None` when it is not processed at all or
    /// the app refused the credentials.
    fn plan(&mut self, id: &str, on_demand: bool) -> Option<Plan> {
        let app = self.job.app_display_name.clone();
        let user = self
            .dir
            .users
            .get(id)
            .or_else(|| self.dir.deleted_users.get(id));
        let link = self.job.links.get(id).cloned();
        let Some(user) = user else {
            // Hard-deleted in Entra.
            let link = link?;
            let kind = if link.managed && self.mapping.delete {
                Kind::Delete
            } else {
                Kind::DropLink
            };
            return Some(Plan {
                user_id: id.to_string(),
                upn: link.matched_on.clone(),
                display_name: String::new(),
                target_id: Some(link.target_id.clone()),
                steps: vec![step("EntryImportDelete", "import", "success", format!("Received a delete of User '{id}' from Azure Active Directory (permanently deleted)"), json!({"objectId": id}))],
                kind,
            });
        };
        let upn = user.upn().to_string();
        let soft_deleted = user.deleted_date_time.is_some();
        let enabled = user.account_enabled();
        let assigned = self.job.sync_all || self.entitlements.assigned.contains(id);
        let mut src = source_of(user, self.entitlements);
        let in_filter = self.mapping.scope.is_empty()
            || self
                .mapping
                .scope
                .iter()
                .any(|g| g.iter().all(|c| clause_holds(c, &src)));
        let is_soft_deleted = soft_deleted || !enabled || !assigned || !in_filter;
        src.insert("IsSoftDeleted", Val::Bool(is_soft_deleted));
        let entitled = assigned && in_filter;
        let b = |x: bool| if x { "True" } else { "False" };
        let mut import_details = Map::new();
        for k in [
            "objectId",
            "accountEnabled",
            "displayName",
            "mailNickname",
            "userPrincipalName",
            "IsSoftDeleted",
            "appRoleAssignments",
        ] {
            import_details.insert(
                k.into(),
                json!(src.get(k).map(|v| match v {
                    Val::List(l) => l.join(","),
                    other => other.text(),
                })),
            );
        }
        let mut steps = vec![
            step(
                "EntryImport",
                "import",
                "success",
                format!("Retrieved User '{upn}' from Azure Active Directory"),
                Value::Object(import_details),
            ),
            step(
                "EntrySynchronizationScoping",
                "scoping",
                if entitled { "success" } else { "skipped" },
                "Determine if User in scope by evaluating against each scoping filter",
                json!({
                    "IsActive": b(!soft_deleted && enabled),
                    "Assigned": b(self.entitlements.assigned.contains(id)),
                    "Scope sync all": b(self.job.sync_all),
                    "IsEffectivelyEntitledForProvisioning": b(entitled),
                    "IsInProvisioningScopeDisplayName": b(in_filter),
                    "ScopeEvaluationResult": "{}",
                }),
            ),
        ];
        let mut plan = Plan {
            user_id: id.to_string(),
            upn: upn.clone(),
            display_name: user.display_name().to_string(),
            target_id: None,
            steps: Vec::new(),
            kind: Kind::Silent,
        };
        // A user who went out of scope is no longer managed; coming back in scope breaks the link.
        let link = match link {
            Some(l) if !l.managed => {
                if entitled && !is_soft_deleted {
                    self.job.links.remove(id);
                    None
                } else {
                    return None;
                }
            }
            other => other,
        };
        let resource = match &link {
            Some(l) => {
                let resp = self.send(
                    id,
                    "GET",
                    &format!("/Users/{}", l.target_id),
                    Vec::new(),
                    None,
                );
                plan.target_id = Some(l.target_id.clone());
                match resp.status {
                    200 => resp.body.unwrap_or_default(),
                    401 => return None,
                    404 => {
                        steps.push(step(
                            "EntryImport",
                            "matching",
                            "failure",
                            format!(
                                "The User '{upn}' with the cached id '{}' was not found in {app}",
                                l.target_id
                            ),
                            json!({"id": l.target_id}),
                        ));
                        plan.steps = steps;
                        plan.kind = Kind::Fail {
                            code: "InvalidAnchor",
                            reason: format!("The user previously created or matched in {app} (id {}) no longer exists there. Restart provisioning to force the service to match it again.", l.target_id),
                            action: "update",
                        };
                        return Some(plan);
                    }
                    _ => {
                        plan.steps = steps;
                        plan.kind = Kind::Fail {
                            code: "WebExceptionProtocolError",
                            reason: failure_reason(
                                &resp,
                                0,
                                self.t + Duration::minutes(CYCLE_INTERVAL_MINUTES),
                            ),
                            action: "update",
                        };
                        return Some(plan);
                    }
                }
            }
            None => {
                if !entitled {
                    if !self.job.sync_all && !on_demand {
                        return None;
                    }
                    steps.push(step("EntrySynchronizationSkip", "export", "skipped", format!("The User '{upn}' will be skipped: it is not effectively entitled for provisioning"), json!({"SkipReason": "NotEffectivelyEntitled"})));
                    plan.steps = steps;
                    plan.kind = Kind::Skip {
                        code: "NotEffectivelyEntitled",
                        reason: "This object does not have required entitlement for provisioning. If you did not expect the object to be skipped, update provisioning scope to 'Sync all users and groups' or assign the object to the application with entitlement of provisioning category.".into(),
                    };
                    return Some(plan);
                }
                let mut found: Option<(String, Value, String)> = None;
                let mut tried = false;
                for rule in self.mapping.matching() {
                    let Some(value) = rule
                        .expr
                        .as_ref()
                        .and_then(|e| e.eval(&src))
                        .map(|v| v.text())
                        .filter(|v| !v.is_empty())
                    else {
                        continue;
                    };
                    tried = true;
                    let filter = format!("{} eq \"{}\"", rule.target, value);
                    let resp =
                        self.send(id, "GET", "/Users", vec![("filter".into(), filter)], None);
                    if resp.status == 401 {
                        return None;
                    }
                    let body = resp.body.unwrap_or_default();
                    let n = body["totalResults"].as_u64().unwrap_or(0);
                    if resp.status != 200 {
                        plan.steps = steps;
                        plan.kind = Kind::Fail {
                            code: "SystemForCrossDomainIdentityManagementServiceIncompatible",
                            reason: format!(
                                "The query for {} returned HTTP {} instead of a ListResponse.",
                                rule.target, resp.status
                            ),
                            action: "other",
                        };
                        return Some(plan);
                    }
                    if n > 1 {
                        plan.steps = steps;
                        plan.kind = Kind::Fail {
                            code: "DuplicateTargetEntries",
                            reason: format!(
                                "More than one User in {app} matches {} '{}'.",
                                rule.target, value
                            ),
                            action: "other",
                        };
                        return Some(plan);
                    }
                    if let Some(r) = body["Resources"].get(0) {
                        found = Some((
                            r["id"].as_str().unwrap_or_default().to_string(),
                            r.clone(),
                            format!("{}:{}", rule.target, value),
                        ));
                        break;
                    }
                }
                if !tried {
                    steps.push(step(
                        "EntrySynchronizationSkip",
                        "export",
                        "skipped",
                        format!("The User '{upn}' has no value for a matching attribute"),
                        json!({"SkipReason": "ImportSkipped"}),
                    ));
                    plan.steps = steps;
                    plan.kind = Kind::Skip {
                        code: "ImportSkipped",
                        reason: "The source object has no value for any matching attribute.".into(),
                    };
                    return Some(plan);
                }
                match found {
                    Some((target_id, resource, matched_on)) => {
                        let mut details = Map::new();
                        for k in ["id", "userName", "externalId", "displayName", "active"] {
                            details.insert(k.into(), json!(resource.get(k).map(text_of)));
                        }
                        steps.push(step(
                            "EntryImport",
                            "matching",
                            "success",
                            format!("Retrieved '{upn}' from {app}"),
                            Value::Object(details),
                        ));
                        self.job.links.insert(
                            id.to_string(),
                            Link {
                                target_id: target_id.clone(),
                                matched_on,
                                display_name: plan.display_name.clone(),
                                managed: true,
                            },
                        );
                        plan.target_id = Some(target_id);
                        resource
                    }
                    None => {
                        steps.push(step(
                            "EntryImport",
                            "matching",
                            "success",
                            format!("No User matching '{upn}' was found in {app}"),
                            json!({}),
                        ));
                        plan.steps = steps;
                        if is_soft_deleted {
                            steps_push_skip(&mut plan, &upn, "NotEffectivelyEntitled");
                            plan.kind = Kind::Skip {
                                code: "NotEffectivelyEntitled",
                                reason: "The user is disabled or deleted in Microsoft Entra ID; users who are not active are not created in the target application.".into(),
                            };
                        } else if !self.mapping.add {
                            steps_push_skip(&mut plan, &upn, "EntrySynchronizationSkipped");
                            plan.kind = Kind::Skip { code: "EntrySynchronizationSkipped", reason: "Create (Add) is not among the target object actions of this mapping.".into() };
                        } else {
                            plan.kind = Kind::Create {
                                body: self.create_body(&src),
                            };
                        }
                        return Some(plan);
                    }
                }
            }
        };
        // Linked (or just matched): what has to change in the target?
        let changes = self.diff(&src, &resource);
        plan.steps = steps;
        let unmanage = !entitled;
        if unmanage && self.job.skip_out_of_scope_deletions {
            steps_push_skip(&mut plan, &upn, "SkipOutOfScopeDeletions");
            plan.kind = Kind::Skip { code: "EntrySynchronizationSkipped", reason: "The user is out of scope and SkipOutOfScopeDeletions is enabled: it is not disabled in the target application.".into() };
            return Some(plan);
        }
        if changes.is_empty() || !self.mapping.update {
            if unmanage {
                if let Some(l) = self.job.links.get_mut(id) {
                    l.managed = false;
                }
            }
            plan.steps.push(step(
                "EntrySynchronizationSkip",
                "export",
                "skipped",
                format!("The state of the user in both the source and target systems already match. No change to the User '{upn}' currently needs to be made."),
                json!({"SkipReason": "RedundantExport"}),
            ));
            plan.kind = Kind::Skip {
                code: "RedundantExport",
                reason:
                    "The state of the user in both the source and target systems already match."
                        .into(),
            };
            return Some(plan);
        }
        let disable = changes
            .iter()
            .any(|c| c.path.eq_ignore_ascii_case("active") && truthy(&c.new) == Some(false));
        plan.kind = Kind::Update {
            changes,
            disable,
            unmanage,
        };
        Some(plan)
    }

    fn create_body(&self, src: &Source) -> Value {
        let mut body = json!({
            "schemas": [path::CORE_USER, path::ENTERPRISE_USER],
            "meta": {"resourceType": "User"},
        });
        for rule in &self.mapping.attributes {
            let value = rule
                .expr
                .as_ref()
                .and_then(|e| e.eval(src))
                .or_else(|| rule.default_value.clone().map(Val::Str));
            if let Some(v) = value {
                path::set(&mut body, &rule.target, typed(&v, rule.boolean));
            }
        }
        body
    }

    fn diff(&self, src: &Source, resource: &Value) -> Vec<Change> {
        let mut out = Vec::new();
        for rule in self.mapping.attributes.iter().filter(|r| !r.add_only) {
            // Null source values are not sent at all (Known issues, Entra docs).
            let Some(v) = rule.expr.as_ref().and_then(|e| e.eval(src)) else {
                continue;
            };
            let current = path::get(resource, &rule.target);
            let same = match (&current, rule.boolean) {
                (Some(c), true) => truthy(c) == typed(&v, true).as_bool(),
                (Some(c), false) => text_of(c) == v.text(),
                (None, _) => false,
            };
            if !same {
                out.push(Change {
                    path: rule.target.clone(),
                    old: current,
                    new: typed(&v, rule.boolean),
                });
            }
        }
        out
    }

    fn patch_body(&self, changes: &[Change]) -> Value {
        let ops: Vec<Value> = match self.job.patch_style {
            PatchStyle::Default => changes
                .iter()
                .map(|c| {
                    let value = match &c.new {
                        Value::Bool(b) => json!(if *b { "True" } else { "False" }),
                        other => other.clone(),
                    };
                    json!({"op": if c.old.is_none() { "Add" } else { "Replace" }, "path": c.path, "value": value})
                })
                .collect(),
            PatchStyle::AadOptscim062020 => match changes {
                [one] => vec![json!({"op": "replace", "path": one.path, "value": one.new})],
                many => {
                    let map: Map<String, Value> = many.iter().map(|c| (c.path.clone(), c.new.clone())).collect();
                    vec![json!({"op": "replace", "value": map})]
                }
            },
        };
        json!({"schemas": [PATCH_OP], "Operations": ops})
    }

    fn escrow(&mut self, user_id: &str, code: &str) -> (u32, DateTime<Utc>) {
        let t = self.t;
        let e = self
            .job
            .escrows
            .entry(user_id.to_string())
            .or_insert(Escrow {
                retries: 0,
                first_failure: t,
                next_retry: t,
                error_code: code.to_string(),
            });
        let retried = e.retries;
        e.retries += 1;
        e.next_retry = t + Escrow::backoff(retried);
        e.error_code = code.to_string();
        (retried, e.next_retry)
    }

    fn stage(&mut self, plan: Plan) -> Option<Entry> {
        self.job.staged_deletes.insert(plan.user_id.clone());
        let mut steps = plan.steps;
        steps.push(step("EntrySynchronizationStagedDelete", "export", "skipped", format!("The deprovisioning of User '{}' was staged: the accidental deletions threshold was exceeded", plan.upn), json!({"SkipReason": "StagedDelete"})));
        let mut e = self.entry(
            &plan.user_id,
            &plan.upn,
            "stagedDelete",
            "skipped",
            steps,
            plan.target_id,
        );
        e.error = Some(ErrorInfo { code: "StagedDelete".into(), reason: "The accidental deletions threshold was exceeded; this action waits for Allow deletes (restart with ForceDeletes).".into(), category: "nonServiceFailure", recommended_action: Some("Investigate the source of the deletion; prevent it if it is not intended (assign the user again, restore the user, or update the provisioning configuration), or allow the deletes.".into()) });
        Some(e)
    }

    fn execute(&mut self, plan: Plan) -> Option<Entry> {
        let app = self.job.app_display_name.clone();
        let mut steps = plan.steps;
        let id = plan.user_id.clone();
        let upn = plan.upn.clone();
        match plan.kind {
            Kind::Silent => None,
            Kind::DropLink => {
                self.job.links.remove(&id);
                self.job.staged_deletes.remove(&id);
                None
            }
            Kind::Skip { code, reason } => {
                let mut e = self.entry(&id, &upn, "other", "skipped", steps, plan.target_id);
                e.error = Some(ErrorInfo {
                    code: code.into(),
                    reason,
                    category: "nonServiceFailure",
                    recommended_action: None,
                });
                Some(e)
            }
            Kind::Fail {
                code,
                reason,
                action,
            } => {
                self.failures += 1;
                let mut e = self.entry(&id, &upn, action, "failure", steps, plan.target_id);
                e.error = Some(ErrorInfo {
                    code: code.into(),
                    reason,
                    category: "failure",
                    recommended_action: None,
                });
                Some(e)
            }
            Kind::Create { body } => {
                steps.push(step("EntrySynchronizationAdd", "processing", "success", format!("User '{upn}' will be created in {app} (User is active and assigned in Azure Active Directory, but no matching User was found in {app})"), json!({})));
                let resp = self.send(&id, "POST", "/Users", Vec::new(), Some(body.clone()));
                let modified = modified_of(&body);
                if resp.status == 201 || resp.status == 200 {
                    let target = resp
                        .body
                        .as_ref()
                        .and_then(|b| b["id"].as_str())
                        .unwrap_or_default()
                        .to_string();
                    self.job.links.insert(
                        id.clone(),
                        Link {
                            target_id: target.clone(),
                            matched_on: format!(
                                "userName:{}",
                                path::get(&body, "userName")
                                    .map(|v| text_of(&v))
                                    .unwrap_or_default()
                            ),
                            display_name: plan.display_name.clone(),
                            managed: true,
                        },
                    );
                    self.job.escrows.remove(&id);
                    self.exported += 1;
                    steps.push(step(
                        "EntryExportAdd",
                        "export",
                        "success",
                        format!("User '{upn}' was created in {app}"),
                        json!({"ReportableIdentifier": upn, "id": target}),
                    ));
                    let mut e = self.entry(&id, &upn, "create", "success", steps, Some(target));
                    e.modified = modified;
                    Some(e)
                } else {
                    self.export_failure(id, upn, "create", steps, resp, None, modified)
                }
            }
            Kind::Update {
                changes,
                disable,
                unmanage,
            } => {
                let target = plan.target_id.clone().unwrap_or_default();
                let body = self.patch_body(&changes);
                let what = if disable { "disabled" } else { "updated" };
                steps.push(step(
                    if disable {
                        "EntrySynchronizationDisable"
                    } else {
                        "EntrySynchronizationUpdate"
                    },
                    "processing",
                    "success",
                    format!("User '{upn}' will be {what} in {app}"),
                    json!({}),
                ));
                let resp = self.send(
                    &id,
                    "PATCH",
                    &format!("/Users/{target}"),
                    Vec::new(),
                    Some(body),
                );
                let modified: Vec<(String, Option<String>, Option<String>)> = changes
                    .iter()
                    .map(|c| {
                        (
                            c.path.clone(),
                            c.old.as_ref().map(text_of),
                            Some(text_of(&c.new)),
                        )
                    })
                    .collect();
                let action = if disable { "disable" } else { "update" };
                if (200..300).contains(&resp.status) {
                    self.job.escrows.remove(&id);
                    if unmanage {
                        if let Some(l) = self.job.links.get_mut(&id) {
                            l.managed = false;
                        }
                    }
                    self.exported += 1;
                    steps.push(step(
                        "EntryExportUpdate",
                        "export",
                        "success",
                        format!("User '{upn}' was {what} in {app}"),
                        json!({"ReportableIdentifier": upn}),
                    ));
                    let mut e = self.entry(&id, &upn, action, "success", steps, Some(target));
                    e.modified = modified;
                    Some(e)
                } else {
                    self.export_failure(id, upn, action, steps, resp, Some(target), modified)
                }
            }
            Kind::Delete => {
                let target = plan.target_id.clone().unwrap_or_default();
                steps.push(step(
                    "EntrySynchronizationDelete",
                    "processing",
                    "success",
                    format!("User '{upn}' will be deleted from {app}"),
                    json!({}),
                ));
                let resp = self.send(&id, "DELETE", &format!("/Users/{target}"), Vec::new(), None);
                if (200..300).contains(&resp.status) || resp.status == 404 {
                    self.job.links.remove(&id);
                    self.job.escrows.remove(&id);
                    self.job.staged_deletes.remove(&id);
                    self.exported += 1;
                    steps.push(step(
                        "EntryExportDelete",
                        "export",
                        "success",
                        format!("User '{upn}' was deleted in {app}"),
                        json!({"ReportableIdentifier": upn}),
                    ));
                    Some(self.entry(&id, &upn, "delete", "success", steps, Some(target)))
                } else {
                    self.export_failure(id, upn, "delete", steps, resp, Some(target), Vec::new())
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn export_failure(
        &mut self,
        id: String,
        upn: String,
        action: &'static str,
        mut steps: Vec<Step>,
        resp: ScimResponse,
        target: Option<String>,
        modified: Vec<(String, Option<String>, Option<String>)>,
    ) -> Option<Entry> {
        if resp.status == 401 {
            return None;
        }
        self.failures += 1;
        let code = match resp.status {
            409 => "EntryConflict",
            400 => "SystemForCrossDomainIdentityManagementServiceIncompatible",
            500 => "InternalServerError",
            _ => "WebExceptionProtocolError",
        };
        let (retried, next) = self.escrow(&id, code);
        let reason = failure_reason(&resp, retried, next);
        let kind = match action {
            "create" => "EntryExportAdd",
            "delete" => "EntryExportDelete",
            _ => "EntryExportUpdate",
        };
        steps.push(step(
            kind,
            "export",
            "failure",
            format!(
                "Failed to {action} User '{upn}' in {}",
                self.job.app_display_name
            ),
            json!({"ReportableIdentifier": upn, "HttpStatusCode": resp.status.to_string()}),
        ));
        let mut e = self.entry(&id, &upn, action, "failure", steps, target);
        e.modified = modified;
        e.error = Some(ErrorInfo {
            code: code.into(),
            reason,
            category: "nonServiceFailure",
            recommended_action: (resp.status == 409).then(|| "Correct the conflicting attribute values in either Microsoft Entra ID or the application, or review your matching attribute configuration if the conflicting user account was supposed to be matched and taken over.".to_string()),
        });
        Some(e)
    }
}

fn steps_push_skip(plan: &mut Plan, upn: &str, reason: &str) {
    plan.steps.push(step(
        "EntrySynchronizationSkip",
        "export",
        "skipped",
        format!("The User '{upn}' will be skipped"),
        json!({"SkipReason": reason}),
    ));
}

fn modified_of(body: &Value) -> Vec<(String, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    if let Some(o) = body.as_object() {
        for (k, v) in o {
            if k == "schemas" || k == "meta" {
                continue;
            }
            match v {
                Value::Object(inner) => {
                    for (ik, iv) in inner {
                        out.push((format!("{k}.{ik}"), None, Some(text_of(iv))));
                    }
                }
                other => out.push((k.clone(), None, Some(text_of(other)))),
            }
        }
    }
    out
}
