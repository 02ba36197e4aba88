//! The rows of the journal, as Rust values (and TypeScript types for the journal screen).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::PlaybookKind;

/// Who acted: taken from the signed-in person's access token, never typed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// User principal name (`upn` or `preferred_username` claim).
    pub upn: String,
    /// Object id (`oid` claim).
    pub oid: String,
}

/// The object an action is aimed at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TargetRecord {
    /// Object id where known; before a bulk row is looked up, the UPN as written.
    pub id: String,
    pub display_name: String,
}

/// Every kind of change Provisioning Desk makes. The snake_case name is what the journal stores;
/// never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Disable,
    Enable,
    RevokeSessions,
    /// Soft delete: the user goes to the recycle bin for 30 days.
    Delete,
    Restore,
    PermanentDelete,
    RestartJob,
    PauseJob,
    StartJob,
    ProvisionOnDemand,
    /// Re-link: forget the stored link between one person and their app account (object
    /// connection, Graph beta).
    ForgetLink,
}

impl ActionKind {
    pub const ALL: [ActionKind; 11] = [
        ActionKind::Disable,
        ActionKind::Enable,
        ActionKind::RevokeSessions,
        ActionKind::Delete,
        ActionKind::Restore,
        ActionKind::PermanentDelete,
        ActionKind::RestartJob,
        ActionKind::PauseJob,
        ActionKind::StartJob,
        ActionKind::ProvisionOnDemand,
        ActionKind::ForgetLink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Disable => "disable",
            ActionKind::Enable => "enable",
            ActionKind::RevokeSessions => "revoke_sessions",
            ActionKind::Delete => "delete",
            ActionKind::Restore => "restore",
            ActionKind::PermanentDelete => "permanent_delete",
            ActionKind::RestartJob => "restart_job",
            ActionKind::PauseJob => "pause_job",
            ActionKind::StartJob => "start_job",
            ActionKind::ProvisionOnDemand => "provision_on_demand",
            ActionKind::ForgetLink => "forget_link",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The plain-language step title (UX.md word table) for `name`.
    pub fn plain_title(self, name: &str) -> String {
        match self {
            ActionKind::Disable => format!("Turn off sign-in for {name}"),
            ActionKind::Enable => format!("Turn sign-in back on for {name}"),
            ActionKind::RevokeSessions => format!("End {name}'s active sessions"),
            ActionKind::Delete => format!("Move {name} to the recycle bin"),
            ActionKind::Restore => format!("Bring {name} back from the recycle bin"),
            ActionKind::PermanentDelete => format!("Permanently delete {name}"),
            ActionKind::RestartJob => format!("Restart sync for {name}"),
            ActionKind::PauseJob => format!("Pause sync for {name}"),
            ActionKind::StartJob => format!("Start sync for {name}"),
            ActionKind::ProvisionOnDemand => format!("Sync now for {name}"),
            ActionKind::ForgetLink => format!("Forget the stored link for {name}"),
        }
    }
}

/// Where an action stands. `Pending` is written before the request is sent; the other three
/// after the answer (or the lack of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Intended and possibly sent; no answer recorded yet. Found after a crash, it means "we do
    /// not know whether it happened": verify before sending again.
    Pending,
    Succeeded,
    Failed,
    /// Sent, but the answer was lost (timeout, dropped connection) or could not be verified.
    /// Like `Pending`, it must be verified against the tenant before anything is re-sent.
    Unknown,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Pending => "pending",
            ActionStatus::Succeeded => "succeeded",
            ActionStatus::Failed => "failed",
            ActionStatus::Unknown => "unknown",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            ActionStatus::Pending,
            ActionStatus::Succeeded,
            ActionStatus::Failed,
            ActionStatus::Unknown,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }

    /// True for the statuses that leave us not knowing what the tenant did.
    pub fn needs_verification(self) -> bool {
        matches!(self, ActionStatus::Pending | ActionStatus::Unknown)
    }
}

/// What is about to be sent. Tenant and playbook are taken from the run; who is the run's
/// actor unless `actor` names the person actually sending it (a colleague continuing an
/// interrupted run: the journal records who did each action, not who began the run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionIntent {
    pub run_id: String,
    /// Who sends it, when not the run's actor.
    pub actor: Option<Actor>,
    /// The plan step this belongs to ("disable").
    pub step: String,
    /// The CSV row, for bulk runs. A run holds at most one action per row and kind.
    pub row: Option<u32>,
    pub target: TargetRecord,
    pub kind: ActionKind,
    /// A short description of the request ("PATCH /users/{id} accountEnabled=false"). Never a
    /// secret: anything that looks like a token is redacted before it is stored.
    pub request_summary: String,
}

/// The answer to an action, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOutcome {
    Succeeded {
        request_id: Option<String>,
        /// E.g. "confirmed by observation after an interruption".
        note: Option<String>,
    },
    Failed {
        request_id: Option<String>,
        code: String,
        message: String,
    },
    /// No answer, or the result could not be established.
    Unknown {
        request_id: Option<String>,
        message: String,
    },
}

/// One row of the `actions` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionRecord {
    pub id: String,
    pub run_id: String,
    pub actor: Actor,
    pub tenant_id: String,
    pub playbook: PlaybookKind,
    pub step: String,
    pub row: Option<u32>,
    pub target: TargetRecord,
    pub kind: ActionKind,
    pub request_summary: String,
    pub status: ActionStatus,
    /// How many times the request was sent (more than 1 only after a verified "not applied").
    pub attempts: u32,
    /// Microsoft Graph's `request-id` of the last answer, for support cases.
    pub request_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub note: Option<String>,
    pub intended_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Where a run stands. A run left `Running` by a crash, or `Cancelled`, can be resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    /// Every action has its answer.
    Finished,
    /// Stopped by the person; what was not started can still be run.
    Cancelled,
    /// Ended with actions whose outcome is unknown: resuming verifies them.
    Incomplete,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Finished => "finished",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Incomplete => "incomplete",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            RunStatus::Running,
            RunStatus::Finished,
            RunStatus::Cancelled,
            RunStatus::Incomplete,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }
}

/// The input of a bulk run, stored with the run so that it can be resumed from the journal alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunInput {
    /// SHA-256 of the CSV file, to recognise the same file on `--resume`.
    pub source_sha256: Option<String>,
    pub rows: Vec<RunRow>,
    /// The actions every row gets, in order (bulk offboarding: disable, then revoke sessions).
    pub actions: Vec<ActionKind>,
}

/// One row of a bulk run's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunRow {
    pub row: u32,
    pub target: TargetRecord,
    pub reason: Option<String>,
    /// What the tenant showed for this person when the run started, before anything was
    /// sent: what deciding whether an unanswered action arrived compares against. Absent in
    /// runs journaled before it existed, and when it could not be read.
    #[serde(default)]
    pub before: Option<RowBaseline>,
}

/// The tenant's own state of a bulk row's person before the run sent anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowBaseline {
    /// `signInSessionsValidFromDateTime` as the tenant gave it (none: never set). A revoke
    /// moves it to the tenant's "now"; the tenant's clock, not this computer's.
    pub sessions_valid_from: Option<DateTime<Utc>>,
}

/// What starts a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    pub playbook: PlaybookKind,
    pub actor: Actor,
    pub tenant_id: String,
    /// Present for bulk runs.
    pub input: Option<RunInput>,
}

/// One row of the `runs` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub id: String,
    pub playbook: PlaybookKind,
    pub actor: Actor,
    pub tenant_id: String,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub input: Option<RunInput>,
}

/// Which journal rows a query returns. Every field narrows; `Default` returns everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ActionFilter {
    /// Intended at or after.
    pub since: Option<DateTime<Utc>>,
    /// Intended before.
    pub until: Option<DateTime<Utc>>,
    pub playbook: Option<PlaybookKind>,
    /// Part of the target's object id or display name, any case.
    pub target: Option<String>,
    pub status: Option<ActionStatus>,
    pub run_id: Option<String>,
}
