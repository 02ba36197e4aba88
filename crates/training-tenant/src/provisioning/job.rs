//! A synchronization job: its settings, its cached state (watermark, links, escrows, quarantine,
//! staged deletes) and the status object Graph returns (`synchronizationJob`, graph-api.md §3.1).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use super::schema::{self, MappingSpec};
use super::ScimAppSpec;
use crate::state::directory::timestamp;

/// "The process runs every 40 minutes" (Develop a SCIM endpoint); not configurable.
pub const CYCLE_INTERVAL_MINUTES: i64 = 40;
/// Quarantined jobs run "gradually reduced to once per day" (quarantine status doc).
pub const QUARANTINE_INTERVAL_HOURS: i64 = 24;
/// The accidental-deletions threshold's value in the Graph get-job example
/// (`QuarantineTooManyDeletesThreshold` = "500"); entra-docs `accidental-deletions.md` lets the
/// admin choose it and states no default.
pub const DEFAULT_DELETE_THRESHOLD: usize = 500;
/// `quarantineReason` for the accidental-deletions threshold.
pub const TOO_MANY_DELETES: &str = "TooManyDeletes";

/// Quarantine by failure counts ("Application provisioning in quarantine status", Entra docs,
/// "subject to change"; graph-api.md §8.1): thresholds are evaluated only from 5,000 failures
/// on; the job is quarantined when more than 40 % of its provisioning events fail or when
/// there are more than 40,000 failures (reference failures such as group-member updates
/// excluded), and in any case beyond 60,000 failures including reference failures. "A job with
/// 20,000 failures and 100,000 successes wouldn't go into quarantine."
pub const ESCROW_EVALUATION_MIN: usize = 5_000;
pub const ESCROW_PROPORTION_PERCENT: usize = 40;
pub const ESCROW_BASE_MAX: usize = 40_000;
pub const ESCROW_TOTAL_MAX: usize = 60_000;

/// The quarantine reasons the failure-count thresholds produce (quarantineReason). The docs
/// name `EncounteredEscrowProportionThreshold` for "> 40 % failed"; giving the 40,000 limit
/// `EncounteredBaseEscrowThreshold` and the 60,000 cap `EncounteredTotalEscrowThreshold` is
/// inferred from the enum names.
pub const ESCROW_REASONS: [&str; 3] = [
    "EncounteredEscrowProportionThreshold",
    "EncounteredBaseEscrowThreshold",
    "EncounteredTotalEscrowThreshold",
];

/// Which failure-count threshold a job has crossed, if any: `failures` are the objects whose
/// export is escrowed, `reference_failures` the failed reference updates (group members),
/// `successes` the objects provisioned and managed.
pub fn escrow_threshold(
    failures: usize,
    reference_failures: usize,
    successes: usize,
) -> Option<&'static str> {
    let total = failures + reference_failures;
    if total > ESCROW_TOTAL_MAX {
        return Some(ESCROW_REASONS[2]);
    }
    if failures < ESCROW_EVALUATION_MIN {
        return None;
    }
    if failures > ESCROW_BASE_MAX {
        Some(ESCROW_REASONS[1])
    } else if failures * 100 > ESCROW_PROPORTION_PERCENT * (failures + successes) {
        Some(ESCROW_REASONS[0])
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PatchStyle {
    /// `"op":"Replace"`, one op per attribute, booleans as the strings `"True"`/`"False"`.
    Default,
    /// `aadOptscim062020`: lowercase ops, real booleans, several attributes in one path-less
    /// `replace` ("Known issues … SCIM 2.0 protocol compliance").
    AadOptscim062020,
}

/// Entra's cached knowledge of one provisioned user.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub target_id: String,
    /// The matching attribute and value the link was found or created with.
    pub matched_on: String,
    /// The source object's display name when the link was stored (an object connection's
    /// `displayName`, "the display name stored for the object, when available": it is not
    /// refreshed when the person is renamed later).
    pub display_name: String,
    /// False once the user went out of scope and was disabled: "the service stops managing it"
    /// (How application provisioning works).
    pub managed: bool,
}

/// Entra's cached knowledge of one provisioned group: its SCIM id and the members it has
/// exported (Entra user id → SCIM id), so that membership changes go out as PATCH add / remove.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupLink {
    pub target_id: String,
    pub display_name: String,
    pub members: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Escrow {
    pub retries: u32,
    pub first_failure: DateTime<Utc>,
    pub next_retry: DateTime<Utc>,
    pub error_code: String,
}

impl Escrow {
    /// Growing back-off: 40 min, 80 min, 160 min, … capped at 24 h (per-object back-off is
    /// exponential and "not publicly documented", Microsoft Q&A; restart clears it).
    pub fn backoff(retries: u32) -> Duration {
        let minutes = CYCLE_INTERVAL_MINUTES.saturating_mul(1i64 << retries.min(10));
        Duration::minutes(minutes.min(24 * 60))
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quarantine {
    pub reason: String,
    pub current_began: DateTime<Utc>,
    pub series_began: DateTime<Utc>,
    pub series_count: i64,
    pub next_attempt: DateTime<Utc>,
    /// `quarantine.error`. Microsoft's own quarantined-job example (graph-docs beta
    /// `resources/synchronization_job.md`, "JSON Example") has no `error` on the quarantine:
    /// the cause (`BoxInsufficientPermissions`) is only in `lastExecution.error`. Credential
    /// quarantines here do the same; a client must look in both places.
    pub error: Option<JobError>,
}

/// A `synchronizationError` (graph-docs `synchronization-synchronizationerror.md`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub template_id: String,
    pub service_principal_id: String,
    pub app_key: String,
    pub app_display_name: String,
    pub schema: Value,
    pub schema_version: u64,
    pub sync_all: bool,
    pub skip_out_of_scope_deletions: bool,
    pub patch_style: PatchStyle,
    pub delete_threshold: usize,
    /// Authorized with OAuth rather than a Secret Token ([`ScimAppSpec::oauth`]).
    pub oauth: bool,
    /// The Secret Token Entra holds for the app.
    #[serde(skip)]
    pub secret_token: String,
    pub paused: bool,
    /// Provisioning Status "Off": a job created from the template that was never started.
    /// Paused too, but its `schedule.state` reads `Disabled` rather than `Paused`.
    pub provisioning_off: bool,
    pub next_run: DateTime<Utc>,
    pub watermark: Option<usize>,
    pub links: BTreeMap<String, Link>,
    /// Entra group object id → the provisioned group.
    pub group_links: BTreeMap<String, GroupLink>,
    pub escrows: BTreeMap<String, Escrow>,
    pub staged_deletes: BTreeSet<String>,
    /// Objects whose object connection an administrator deleted: the next cycle evaluates and
    /// matches them again even if nothing about them changed in Entra (see
    /// `graph::object_connections`).
    pub rematch: BTreeSet<String>,
    /// Who was assigned at the last cycle: assignment changes (direct or through a group)
    /// bring exactly those users into the next incremental cycle.
    #[serde(skip)]
    pub last_assigned: BTreeSet<String>,
    pub force_deletes: bool,
    pub quarantine: Option<Quarantine>,
    pub last_execution: Option<Value>,
    pub last_successful_execution: Option<Value>,
    pub last_successful_execution_with_exports: Option<Value>,
    pub count_successive_complete_failures: i64,
    pub steady_state_first_achieved: Option<DateTime<Utc>>,
    pub steady_state_last_achieved: Option<DateTime<Utc>>,
    pub cycles_run: u64,
}

impl Job {
    pub fn new(
        sp_id: &str,
        app_key: &str,
        display_name: &str,
        spec: &ScimAppSpec,
        token: String,
        now: DateTime<Utc>,
    ) -> Self {
        let mapping: &MappingSpec = &spec.mappings;
        Self {
            id: format!("scim.{}", sp_id.replace('-', "")),
            template_id: "scim".into(),
            service_principal_id: sp_id.to_string(),
            app_key: app_key.to_string(),
            app_display_name: display_name.to_string(),
            schema: schema::default_schema(&format!("{display_name} (SCIM)"), mapping),
            schema_version: 1,
            sync_all: spec.sync_all,
            skip_out_of_scope_deletions: false,
            patch_style: if spec.aad_opt_scim062020 {
                PatchStyle::AadOptscim062020
            } else {
                PatchStyle::Default
            },
            delete_threshold: DEFAULT_DELETE_THRESHOLD,
            oauth: spec.oauth,
            secret_token: token,
            paused: false,
            provisioning_off: false,
            next_run: now,
            watermark: None,
            links: BTreeMap::new(),
            group_links: BTreeMap::new(),
            escrows: BTreeMap::new(),
            staged_deletes: BTreeSet::new(),
            rematch: BTreeSet::new(),
            last_assigned: BTreeSet::new(),
            force_deletes: false,
            quarantine: None,
            last_execution: None,
            last_successful_execution: None,
            last_successful_execution_with_exports: None,
            count_successive_complete_failures: 0,
            steady_state_first_achieved: None,
            steady_state_last_achieved: None,
            cycles_run: 0,
        }
    }

    /// A job created through Graph from the template (`POST …/synchronization/jobs`): paused,
    /// with the template's schema and no credentials ("NotConfigured") until the secrets are
    /// saved and it is started. It targets the same SCIM app as `sibling`.
    pub fn from_template(sibling: &Job, now: DateTime<Utc>) -> Self {
        let spec = ScimAppSpec {
            aad_opt_scim062020: sibling.patch_style == PatchStyle::AadOptscim062020,
            oauth: sibling.oauth,
            ..ScimAppSpec::default()
        };
        let mut job = Job::new(
            &sibling.service_principal_id,
            &sibling.app_key,
            &sibling.app_display_name,
            &spec,
            String::new(),
            now,
        );
        job.id = format!(
            "{}.{}.{}",
            job.template_id,
            sibling.service_principal_id.replace('-', ""),
            uuid::Uuid::new_v4().simple()
        );
        job.paused = true;
        job.provisioning_off = true;
        job
    }

    /// Stores new mappings under a new version; like saving mappings in the portal, the next
    /// cycle is an initial cycle.
    pub fn replace_schema(&mut self, mut schema: Value, now: DateTime<Utc>) {
        if let Some(o) = schema.as_object_mut() {
            o.retain(|k, _| !k.starts_with("@odata"));
        }
        self.schema_version += 1;
        schema["version"] = json!(format!("date:{}~{}", timestamp(now), self.schema_version));
        self.schema = schema;
        self.watermark = None;
    }

    /// The schema of the job's template: Microsoft's default mappings for a custom SCIM app,
    /// without the app's customisations (what `DELETE …/schema` resets to).
    pub fn template_schema(&self) -> Value {
        schema::default_schema(
            &format!("{} (SCIM)", self.app_display_name),
            &MappingSpec::default(),
        )
    }

    pub fn status_code(&self) -> &'static str {
        if self.secret_token.is_empty() && self.last_execution.is_none() {
            "NotConfigured"
        } else if self.paused {
            "Paused"
        } else if self.quarantine.is_some() {
            "Quarantine"
        } else if self.last_execution.is_none() {
            "NotRun"
        } else {
            "Active"
        }
    }

    /// When the next cycle runs, if it runs at all.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        if self.paused {
            return None;
        }
        Some(match &self.quarantine {
            Some(q) => q.next_attempt.max(self.next_run),
            None => self.next_run,
        })
    }

    /// `restart` with `criteria.resetScope`, each flag exactly as graph-docs
    /// `api-reference/v1.0/resources/synchronization-synchronizationjobrestartcriteria.md`
    /// defines it (flag values from the CSDL's `synchronizationJobRestartScope`):
    ///
    /// * empty — "emulates the Restart provisioning option … similar to … `QuarantineState`,
    ///   `Watermark`, and `Escrows`": the three below, links kept;
    /// * `Watermark` — the next cycle re-evaluates every object in scope (an initial cycle);
    /// * `Escrows` — escrowed failures are no longer retried;
    /// * `QuarantineState` — the quarantine is lifted; `None` "starts a paused or quarantined
    ///   job" (the docs say to use Start instead; it does the same here);
    /// * `ConnectorDataStore` — "clears the underlying cache for all users": the links;
    /// * `Full` — "all of the options": ConnectorDataStore + Escrows + Watermark +
    ///   QuarantineState (CSDL: Full = 15). It does **not** touch the deletions held back by the
    ///   accidental-deletions threshold: that is ForceDeletes (32), which `Full` does not include;
    /// * `ForceDeletes` — "forces the system to delete the pending deleted users": the next cycle
    ///   runs now and sends what was held back ("The status returns to healthy with the next
    ///   cycle", entra-docs `accidental-deletions.md`). `"Full, ForceDeletes"` does both.
    ///
    /// Unknown names are refused (400) rather than ignored.
    pub fn restart(&mut self, scope: &str, now: DateTime<Utc>) -> Result<(), String> {
        const CONNECTOR_DATA_STORE: u8 = 1;
        const ESCROWS: u8 = 2;
        const WATERMARK: u8 = 4;
        const QUARANTINE_STATE: u8 = 8;
        const FULL: u8 = 15;
        const FORCE_DELETES: u8 = 32;
        let known = [
            ("None", 0),
            ("ConnectorDataStore", CONNECTOR_DATA_STORE),
            ("Escrows", ESCROWS),
            ("Watermark", WATERMARK),
            ("QuarantineState", QUARANTINE_STATE),
            ("Full", FULL),
            ("ForceDeletes", FORCE_DELETES),
        ];
        let mut flags = 0u8;
        let mut start_only = false;
        let mut any = false;
        for f in scope.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            any = true;
            let Some((name, bits)) = known.iter().find(|(k, _)| k.eq_ignore_ascii_case(f)) else {
                return Err(format!(
                    "'{f}' is not a valid synchronizationJobRestartScope value."
                ));
            };
            start_only |= *name == "None";
            flags |= bits;
        }
        if !any {
            flags = WATERMARK | ESCROWS | QUARANTINE_STATE;
        }
        let has = |bits: u8| flags & bits == bits;
        if has(WATERMARK) {
            self.watermark = None;
        }
        if has(ESCROWS) {
            self.escrows.clear();
        }
        if has(QUARANTINE_STATE) || start_only {
            self.quarantine = None;
        }
        if has(CONNECTOR_DATA_STORE) {
            self.links.clear();
            self.group_links.clear();
        }
        if has(FORCE_DELETES) {
            self.force_deletes = true;
            // The held-back deletions go out at the next cycle, which runs now even while the
            // job is still quarantined for them.
            if let Some(q) = self
                .quarantine
                .as_mut()
                .filter(|q| q.reason == TOO_MANY_DELETES)
            {
                q.next_attempt = now;
            }
        }
        self.paused = false;
        self.provisioning_off = false;
        self.next_run = now;
        Ok(())
    }

    /// The synchronizationJob resource.
    pub fn to_json(&self) -> Value {
        let sentinel = "0001-01-01T00:00:00Z";
        let t = |d: &Option<DateTime<Utc>>| d.map(timestamp).unwrap_or_else(|| sentinel.into());
        // synchronizationSchedule.state is `Active`, `Disabled` or `Paused` (graph-docs beta
        // `resources/synchronization-synchronizationschedule.md`). `pause` yields `Paused`, which
        // manage-object-connections.md asks to confirm before deleting a connection ("confirm
        // that `schedule.state` is `Paused` or `Disabled`"); a never-started job reads `Disabled`.
        let schedule = if self.paused {
            let state = if self.provisioning_off {
                "Disabled"
            } else {
                "Paused"
            };
            json!({"expiration": null, "interval": "P10675199DT2H48M5.4775807S", "state": state})
        } else {
            json!({"expiration": null, "interval": format!("PT{CYCLE_INTERVAL_MINUTES}M"), "state": "Active"})
        };
        let quarantine = self.quarantine.as_ref().map(|q| {
            json!({
                "currentBegan": timestamp(q.current_began),
                "nextAttempt": timestamp(q.next_attempt),
                "reason": q.reason,
                "seriesBegan": timestamp(q.series_began),
                "seriesCount": q.series_count,
                "error": q.error.as_ref().map(|e| json!({"code": e.code, "message": e.message, "tenantActionable": true})),
            })
        });
        let total = self.links.values().filter(|l| l.managed).count() as i64;
        let progress = match &self.last_execution {
            Some(e) => json!([{
                "completedUnits": e["countImported"].as_i64().unwrap_or(0),
                "totalUnits": e["countImported"].as_i64().unwrap_or(0),
                "units": "Objects",
                "progressObservationDateTime": e["timeEnded"],
            }]),
            None => json!([]),
        };
        json!({
            "id": self.id,
            "templateId": self.template_id,
            "schedule": schedule,
            "status": {
                "code": self.status_code(),
                "countSuccessiveCompleteFailures": self.count_successive_complete_failures,
                "escrowsPruned": false,
                "lastExecution": self.last_execution,
                "lastSuccessfulExecution": self.last_successful_execution,
                "lastSuccessfulExecutionWithExports": self.last_successful_execution_with_exports,
                "progress": progress,
                "quarantine": quarantine,
                "steadyStateFirstAchievedTime": t(&self.steady_state_first_achieved),
                "steadyStateLastAchievedTime": t(&self.steady_state_last_achieved),
                "synchronizedEntryCountByType": [
                    {"key": "user to urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": total},
                    {"key": format!("group to {}", schema::GROUP_TARGET_OBJECT), "value": self.group_links.len()},
                ],
                "troubleshootingUrl": null,
            },
            "synchronizationJobSettings": [
                {"name": "QuarantineTooManyDeletesThreshold", "value": self.delete_threshold.to_string()},
                {"name": "SyncAll", "value": if self.sync_all { "True" } else { "False" }},
                {"name": "SkipOutOfScopeDeletions", "value": if self.skip_out_of_scope_deletions { "True" } else { "False" }},
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        let spec: ScimAppSpec = serde_json::from_value(json!({})).unwrap();
        Job::new(
            "00000000-0000-0000-0000-000000000001",
            "a",
            "A",
            &spec,
            "t".into(),
            Utc::now(),
        )
    }

    #[test]
    fn restart_scopes() {
        let now = Utc::now();
        let mut j = job();
        j.watermark = Some(3);
        j.links.insert(
            "u".into(),
            Link {
                target_id: "x".into(),
                matched_on: "userName".into(),
                display_name: "U".into(),
                managed: true,
            },
        );
        j.restart("", now).unwrap();
        assert_eq!(j.watermark, None);
        assert_eq!(j.links.len(), 1, "a default restart keeps the links");
        j.restart("Watermark, Escrows, QuarantineState", now)
            .unwrap();
        assert_eq!(j.links.len(), 1);
        j.restart("Full", now).unwrap();
        assert!(j.links.is_empty(), "Full drops the links");
        assert!(j.restart("Everything", now).is_err());
    }

    fn held_back(j: &mut Job, now: DateTime<Utc>) {
        j.staged_deletes.insert("u".into());
        j.escrows.insert(
            "e".into(),
            Escrow {
                retries: 1,
                first_failure: now,
                next_retry: now,
                error_code: "EntryConflict".into(),
            },
        );
        j.watermark = Some(3);
        j.force_deletes = false;
        j.quarantine = Some(Quarantine {
            reason: TOO_MANY_DELETES.into(),
            current_began: now,
            series_began: now,
            series_count: 1,
            next_attempt: now + Duration::minutes(40),
            error: None,
        });
    }

    /// Each flag as synchronizationJobRestartCriteria defines it: Full is ConnectorDataStore +
    /// Escrows + Watermark + QuarantineState and nothing about held-back deletions; only
    /// ForceDeletes releases them, alone or with Full; empty is Watermark + Escrows +
    /// QuarantineState.
    #[test]
    fn restart_flags_apply_exactly_as_documented() {
        let now = Utc::now();
        let mut j = job();

        held_back(&mut j, now);
        j.restart("", now).unwrap();
        assert_eq!(
            (j.watermark, j.escrows.len(), j.quarantine.is_some()),
            (None, 0, false)
        );
        assert!(!j.force_deletes, "an empty scope does not allow deletes");
        assert_eq!(j.staged_deletes.len(), 1);

        held_back(&mut j, now);
        j.restart("Full", now).unwrap();
        assert!(!j.force_deletes, "Full does not include ForceDeletes");
        assert_eq!(
            j.staged_deletes.len(),
            1,
            "Full keeps the held-back deletions"
        );
        assert_eq!((j.escrows.len(), j.quarantine.is_some()), (0, false));

        held_back(&mut j, now);
        j.restart("Full, ForceDeletes", now).unwrap();
        assert!(j.force_deletes, "Full combined with ForceDeletes does both");
        assert!(j.watermark.is_none());

        held_back(&mut j, now);
        j.restart("ForceDeletes", now).unwrap();
        assert!(j.force_deletes);
        assert_eq!(
            j.watermark,
            Some(3),
            "ForceDeletes alone keeps the watermark"
        );
        assert_eq!(j.escrows.len(), 1, "ForceDeletes alone keeps the escrows");
        assert_eq!(
            j.quarantine.as_ref().map(|q| q.next_attempt),
            Some(now),
            "the cycle that sends them runs now"
        );

        held_back(&mut j, now);
        j.restart("Escrows", now).unwrap();
        assert_eq!(j.watermark, Some(3));
        assert!(
            j.quarantine.is_some(),
            "Escrows alone leaves the quarantine"
        );
        assert!(j.escrows.is_empty());
    }

    #[test]
    fn escrow_thresholds_follow_the_documented_figures() {
        assert_eq!(
            escrow_threshold(4_999, 0, 0),
            None,
            "not evaluated below 5,000"
        );
        assert_eq!(
            escrow_threshold(5_000, 0, 1_000),
            Some("EncounteredEscrowProportionThreshold")
        );
        assert_eq!(
            escrow_threshold(20_000, 0, 100_000),
            None,
            "the docs' example"
        );
        assert_eq!(
            escrow_threshold(40_001, 0, 1_000_000),
            Some("EncounteredBaseEscrowThreshold")
        );
        assert_eq!(
            escrow_threshold(40_000, 21_000, 1_000_000),
            Some("EncounteredTotalEscrowThreshold"),
            "40,000 users and 21,000 manager updates failed (the docs' example)"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(Escrow::backoff(1) > Escrow::backoff(0));
        assert_eq!(Escrow::backoff(30), Duration::hours(24));
    }
}
