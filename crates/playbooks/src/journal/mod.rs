//! The audit journal: one SQLite row per intended action and its outcome, and one per run.
//!
//! Invariant (ARCHITECTURE.md): every mutation is recorded as *pending* before it is sent and
//! completed after the answer. Together with the run's stored input, that lets an interrupted run
//! be resumed exactly once: see [`Journal::resume`].
//!
//! The file lives in the platform's application data folder, in the same folder Tauri uses for
//! the app (`<data dir>/com.provisioningdesk.app/`), so the desktop app and `provdesk` share one
//! journal. Both may have it open at once: SQLite's WAL mode lets readers and one writer work
//! together, and a busy timeout makes a writer wait for the other instead of failing.
//!
//! A file that cannot be read is never recreated or overwritten: opening fails with an error
//! naming the file, and the file is left exactly as it was.

mod answer;
mod claim;
mod export;
mod record;
mod resume;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};

use crate::error::{Error, Result};
use crate::plan::PlaybookKind;
use crate::private_files;

pub use answer::{ActionAnswer, Observation};
pub use claim::RunClaim;
pub use export::{export_csv, export_json};
pub use record::{
    ActionFilter, ActionIntent, ActionKind, ActionOutcome, ActionRecord, ActionStatus, Actor,
    NewRun, RowBaseline, RunInput, RunRecord, RunRow, RunStatus, TargetRecord,
};
pub use resume::{PlannedAction, ResumePlan};

/// The folder name Tauri derives from the app's identifier (tauri.conf.json).
pub const APP_IDENTIFIER: &str = "com.provisioningdesk.app";
/// The journal's file name inside that folder.
pub const FILE_NAME: &str = "journal.sqlite3";
/// How long a writer waits for another process (the app or the CLI) to finish its write.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where timestamps come from; replaceable for tests and training sessions.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// An open journal. Cheap to share behind an `Arc`; every method takes `&self`.
///
/// Reads use the connection directly. Writes go through one writer thread that commits
/// whatever is queued at that moment in one transaction (group commit, see `writer.rs`); each
/// write method returns only once its own record is committed.
pub struct Journal {
    /// SQLite connections are not `Sync`; each call (or the writer, for one batch) holds the
    /// lock for one short statement or transaction.
    connection: Arc<Mutex<Connection>>,
    writer: writer::Writer,
    /// `None` for an in-memory journal.
    path: Option<PathBuf>,
    clock: Clock,
    /// Runs this process is carrying out (see `claim.rs`).
    claimed: claim::Claimed,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Journal {
    /// `<platform data dir>/com.provisioningdesk.app/journal.sqlite3`
    /// (Linux `~/.local/share/…`, macOS `~/Library/Application Support/…`, Windows `%APPDATA%\…`).
    pub fn default_path() -> Result<PathBuf> {
        let base = directories::BaseDirs::new().ok_or(Error::NoDataDirectory)?;
        Ok(base.data_dir().join(APP_IDENTIFIER).join(FILE_NAME))
    }

    /// Opens the journal at [`Journal::default_path`].
    pub fn open_default() -> Result<Self> {
        Self::open(&Self::default_path()?)
    }

    /// Opens (or creates) the journal file at `path`, creating its folder if needed.
    pub fn open(path: &Path) -> Result<Self> {
        let unreadable = |reason: String| Error::JournalUnreadable {
            path: path.to_path_buf(),
            reason,
        };
        if path.is_dir() {
            return Err(unreadable("it is a folder, not a file".into()));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            private_files::create_private_folder(parent).map_err(|source| {
                Error::CreateDirectory {
                    path: parent.to_path_buf(),
                    source,
                }
            })?;
        }
        // The journal says what was done to whom: a new file is the owner's only (0600), and
        // SQLite gives its -wal and -shm files the same mode. An empty file is a new database
        // to SQLite; an existing one is left exactly as it is.
        if !path.exists() {
            private_files::create_private_file(path)
                .map_err(|error| unreadable(error.to_string()))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)
            .map_err(|error| unreadable(describe_unreadable(&error)))?;
        Self::prepare(connection, Some(path.to_path_buf()))
    }

    /// A journal that lives only as long as this value (unit tests, `--dry-run`).
    pub fn in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    /// Replaces the clock (tests; the training tenant's virtual clock).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Checks the file is ours and readable, then sets it up and migrates it. Nothing is written
    /// before the checks pass, so a foreign or damaged file is left untouched.
    fn prepare(connection: Connection, path: Option<PathBuf>) -> Result<Self> {
        let display_path = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        let unreadable = |error: rusqlite::Error| Error::JournalUnreadable {
            path: display_path.clone(),
            reason: describe_unreadable(&error),
        };
        connection.busy_timeout(BUSY_TIMEOUT).map_err(unreadable)?;
        // The first statement that reads the file: garbage fails here ("file is not a database").
        // One statement reads one snapshot, so another opener migrating the file at this moment
        // is seen either wholly before or wholly after.
        let (application_id, version, table_count): (i64, i64, i64) = connection
            .query_row(
                "SELECT (SELECT application_id FROM pragma_application_id()), \
                        (SELECT user_version FROM pragma_user_version()), \
                        (SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%')",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .map_err(unreadable)?;
        let ours = application_id == schema::APPLICATION_ID
            || (application_id == 0 && version == 0 && table_count == 0);
        if !ours {
            return Err(Error::NotAJournal { path: display_path });
        }
        if version > schema::current_version() {
            return Err(Error::JournalTooNew {
                path: display_path,
                found: version,
                supported: schema::current_version(),
            });
        }

        // WAL: readers never block the writer, and a crash never leaves a half-written row.
        // synchronous=FULL: a committed "pending" row survives power loss, which the
        // written-before-sent invariant needs (NORMAL may lose the last commits).
        switch_to_wal(&connection)?;
        connection.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;

        let connection = Arc::new(Mutex::new(connection));
        let writer = writer::Writer::start(Arc::clone(&connection), path.clone())?;
        let journal = Journal {
            connection,
            writer,
            path,
            clock: Arc::new(Utc::now),
            claimed: Default::default(),
        };
        journal.migrate(version)?;
        Ok(journal)
    }

    fn migrate(&self, from_version: i64) -> Result<()> {
        let mut connection = self.lock();
        for (index, migration) in schema::MIGRATIONS.iter().enumerate() {
            let version = index as i64 + 1;
            if version <= from_version {
                continue;
            }
            // The app and the CLI may open a new file at the same moment: take the write lock
            // first, then look again whether the other one already migrated.
            let transaction =
                connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let current: i64 =
                transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
            if current >= version {
                continue;
            }
            transaction.execute_batch(migration)?;
            transaction.execute_batch(&format!(
                "PRAGMA application_id = {}; PRAGMA user_version = {version};",
                schema::APPLICATION_ID
            ))?;
            transaction.commit()?;
            tracing::info!(version, "journal schema migrated");
        }
        Ok(())
    }

    /// The connection, for reads (and migrations, before anything is queued).
    fn lock(&self) -> MutexGuard<'_, Connection> {
        lock_connection(&self.connection)
    }

    /// Millisecond precision: what is returned equals what is stored.
    fn now(&self) -> DateTime<Utc> {
        (self.clock)().trunc_subsecs(3)
    }

    /// Turns damage found after opening into the same clear error as damage found at opening.
    fn database_error(&self, error: rusqlite::Error) -> Error {
        database_error(self.path.as_deref(), error)
    }

    // ----- runs -----

    /// Records the start of a run (with its input, for bulk runs) and returns it.
    pub fn start_run(&self, new: NewRun) -> Result<RunRecord> {
        let run = RunRecord {
            id: uuid::Uuid::new_v4().to_string(),
            playbook: new.playbook,
            actor: new.actor,
            tenant_id: new.tenant_id,
            status: RunStatus::Running,
            started_at: self.now(),
            finished_at: None,
            input: new.input,
        };
        let input_json = run
            .input
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|error| Error::JournalValue(error.to_string()))?;
        let input_sha256 = run
            .input
            .as_ref()
            .and_then(|input| input.source_sha256.clone());
        let path = self.path.clone();
        let (id, playbook, upn, oid, tenant_id, status, started_at) = (
            run.id.clone(),
            run.playbook.as_str(),
            run.actor.upn.clone(),
            run.actor.oid.clone(),
            run.tenant_id.clone(),
            run.status.as_str(),
            timestamp(run.started_at),
        );
        self.writer.write_blocking(Box::new(move |connection| {
            connection
                .execute(
                    "INSERT INTO runs (id, playbook, actor_upn, actor_oid, tenant_id, status,
                                       started_at, input_sha256, input_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        id,
                        playbook,
                        upn,
                        oid,
                        tenant_id,
                        status,
                        started_at,
                        input_sha256,
                        input_json,
                    ],
                )
                .map_err(|error| database_error(path.as_deref(), error))?;
            Ok(())
        }))?;
        Ok(run)
    }

    /// Marks a run finished or cancelled (or running again, when it is resumed).
    pub fn set_run_status(&self, run_id: &str, status: RunStatus) -> Result<()> {
        let finished_at = match status {
            RunStatus::Running => None,
            RunStatus::Finished | RunStatus::Cancelled | RunStatus::Incomplete => {
                Some(timestamp(self.now()))
            }
        };
        let path = self.path.clone();
        let run_id = run_id.to_string();
        self.writer.write_blocking(Box::new(move |connection| {
            let changed = connection
                .execute(
                    "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1",
                    params![run_id, status.as_str(), finished_at],
                )
                .map_err(|error| database_error(path.as_deref(), error))?;
            if changed == 0 {
                return Err(Error::RunNotFound(run_id));
            }
            Ok(())
        }))
    }

    pub fn run(&self, run_id: &str) -> Result<RunRecord> {
        self.lock()
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                [run_id],
                read_run,
            )
            .optional()
            .map_err(|error| self.database_error(error))?
            .ok_or_else(|| Error::RunNotFound(run_id.to_string()))
    }

    /// Runs that did not finish (crashed while running, cancelled, or ended with unknown
    /// outcomes), newest first.
    pub fn unfinished_runs(&self) -> Result<Vec<RunRecord>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE status IN ('running', 'cancelled', 'incomplete')
                 ORDER BY started_at DESC"
            ))
            .map_err(|error| self.database_error(error))?;
        let runs = statement
            .query_map([], read_run)
            .and_then(Iterator::collect)
            .map_err(|error| self.database_error(error));
        runs
    }

    /// The newest unfinished run of `playbook` over the same input file on `tenant_id`, for
    /// `--resume`. A run of the same file on another tenant (the training tenant, say) is never
    /// offered: its rows are that tenant's people.
    pub fn unfinished_run_for(
        &self,
        playbook: PlaybookKind,
        source_sha256: &str,
        tenant_id: &str,
    ) -> Result<Option<RunRecord>> {
        self.lock()
            .query_row(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM runs
                     WHERE playbook = ?1 AND input_sha256 = ?2 AND tenant_id = ?3
                       AND status IN ('running', 'cancelled', 'incomplete')
                     ORDER BY started_at DESC LIMIT 1"
                ),
                params![playbook.as_str(), source_sha256, tenant_id],
                read_run,
            )
            .optional()
            .map_err(|error| self.database_error(error))
    }

    // ----- actions -----

    /// Writes an action as *pending*. Call this before the request is sent, and send only if
    /// it succeeded. Who, tenant and playbook are copied from the run.
    pub fn record_intent(&self, intent: ActionIntent) -> Result<ActionRecord> {
        self.writer.write_blocking(self.intent_write(intent))
    }

    /// [`Journal::record_intent`] without blocking the thread while the batch commits.
    pub(crate) async fn record_intent_async(&self, intent: ActionIntent) -> Result<ActionRecord> {
        self.writer.write(self.intent_write(intent)).await
    }

    fn intent_write(&self, intent: ActionIntent) -> writer::Write<ActionRecord> {
        let id = uuid::Uuid::new_v4().to_string();
        let intended_at = timestamp(self.now());
        let path = self.path.clone();
        Box::new(move |connection| {
            let inserted = connection
                .execute(
                    "INSERT INTO actions (id, run_id, actor_upn, actor_oid, tenant_id, playbook,
                                          step, row_number, target_id, target_name, kind,
                                          request_summary, status, attempts, intended_at)
                     SELECT ?1, id, COALESCE(?10, actor_upn), COALESCE(?11, actor_oid),
                            tenant_id, playbook, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 1, ?9
                     FROM runs WHERE id = ?2",
                    params![
                        id,
                        intent.run_id,
                        intent.step,
                        intent.row,
                        intent.target.id,
                        intent.target.display_name,
                        intent.kind.as_str(),
                        redact_secrets(&intent.request_summary),
                        intended_at,
                        intent.actor.as_ref().map(|a| a.upn.clone()),
                        intent.actor.as_ref().map(|a| a.oid.clone()),
                    ],
                )
                .map_err(|error| match error.sqlite_error_code() {
                    Some(ErrorCode::ConstraintViolation) => Error::ActionAlreadyRecorded {
                        run_id: intent.run_id.clone(),
                        row: intent.row.unwrap_or_default(),
                        kind: intent.kind.as_str(),
                    },
                    _ => database_error(path.as_deref(), error),
                })?;
            if inserted == 0 {
                return Err(Error::RunNotFound(intent.run_id));
            }
            read_action_by_id(connection, path.as_deref(), &id)
        })
    }

    /// Records the answer to a pending (or unknown) action. Completing an action twice is
    /// refused: the first answer is the one that happened.
    pub fn record_outcome(&self, action_id: &str, outcome: ActionOutcome) -> Result<ActionRecord> {
        self.writer
            .write_blocking(self.outcome_write(action_id, outcome))
    }

    /// [`Journal::record_outcome`] without blocking the thread while the batch commits.
    pub(crate) async fn record_outcome_async(
        &self,
        action_id: &str,
        outcome: ActionOutcome,
    ) -> Result<ActionRecord> {
        self.writer
            .write(self.outcome_write(action_id, outcome))
            .await
    }

    fn outcome_write(
        &self,
        action_id: &str,
        outcome: ActionOutcome,
    ) -> writer::Write<ActionRecord> {
        let (status, request_id, code, message, note) = match outcome {
            ActionOutcome::Succeeded { request_id, note } => {
                (ActionStatus::Succeeded, request_id, None, None, note)
            }
            ActionOutcome::Failed {
                request_id,
                code,
                message,
            } => (
                ActionStatus::Failed,
                request_id,
                Some(code),
                Some(message),
                None,
            ),
            ActionOutcome::Unknown {
                request_id,
                message,
            } => (ActionStatus::Unknown, request_id, None, Some(message), None),
        };
        let completed_at = timestamp(self.now());
        let action_id = action_id.to_string();
        let path = self.path.clone();
        Box::new(move |connection| {
            let changed = connection
                .execute(
                    "UPDATE actions
                     SET status = ?2, request_id = coalesce(?3, request_id), error_code = ?4,
                         error_message = ?5, note = coalesce(?6, note), completed_at = ?7
                     WHERE id = ?1 AND status IN ('pending', 'unknown')",
                    params![
                        action_id,
                        status.as_str(),
                        request_id,
                        code,
                        message,
                        note,
                        completed_at,
                    ],
                )
                .map_err(|error| database_error(path.as_deref(), error))?;
            if changed == 0 {
                // Distinguish "no such action" from "already has its answer".
                let existing = read_action_by_id(connection, path.as_deref(), &action_id)?;
                return Err(Error::ActionAlreadyCompleted {
                    action_id: existing.id,
                });
            }
            read_action_by_id(connection, path.as_deref(), &action_id)
        })
    }

    /// Before re-sending an action that was found unanswered and verified *not* applied: puts it
    /// back to pending and counts the attempt, so the invariant (written before sent) holds for
    /// the second request too.
    ///
    /// `seen` is the record as read when the decision was made. If the action changed since
    /// (another window or terminal resuming the same run got there first), nothing is written
    /// and [`Error::RunBusy`] is returned, so two resumers can never both re-send it.
    pub fn record_resend(&self, seen: &ActionRecord) -> Result<ActionRecord> {
        let (action_id, attempts) = (seen.id.clone(), seen.attempts);
        let path = self.path.clone();
        self.writer.write_blocking(Box::new(move |connection| {
            let changed = connection
                .execute(
                    "UPDATE actions
                     SET status = 'pending', attempts = attempts + 1, completed_at = NULL,
                         note = 'not applied after an interruption; sent again'
                     WHERE id = ?1 AND attempts = ?2 AND status IN ('pending', 'unknown')",
                    params![action_id, attempts],
                )
                .map_err(|error| database_error(path.as_deref(), error))?;
            if changed == 0 {
                let current = read_action_by_id(connection, path.as_deref(), &action_id)?;
                return Err(Error::RunBusy {
                    run_id: current.run_id,
                });
            }
            read_action_by_id(connection, path.as_deref(), &action_id)
        }))
    }

    pub fn action(&self, action_id: &str) -> Result<ActionRecord> {
        read_action_by_id(&self.lock(), self.path.as_deref(), action_id)
    }

    /// Actions matching `filter`, oldest first.
    pub fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionRecord>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions
                 WHERE (?1 IS NULL OR intended_at >= ?1)
                   AND (?2 IS NULL OR intended_at < ?2)
                   AND (?3 IS NULL OR playbook = ?3)
                   AND (?4 IS NULL OR instr(lower(target_id), lower(?4)) > 0
                                   OR instr(lower(target_name), lower(?4)) > 0)
                   AND (?5 IS NULL OR status = ?5)
                   AND (?6 IS NULL OR run_id = ?6)
                 ORDER BY intended_at, rowid"
            ))
            .map_err(|error| self.database_error(error))?;
        let actions = statement
            .query_map(
                params![
                    filter.since.map(timestamp),
                    filter.until.map(timestamp),
                    filter.playbook.map(PlaybookKind::as_str),
                    filter.target,
                    filter.status.map(ActionStatus::as_str),
                    filter.run_id,
                ],
                read_action,
            )
            .and_then(Iterator::collect)
            .map_err(|error| self.database_error(error));
        actions
    }
}

/// A poisoned lock only means another thread panicked between statements; SQLite's own
/// transactions keep the file consistent, so the connection is still good to use.
fn lock_connection(connection: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    connection
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Turns damage found after opening into the same clear error as damage found at opening.
fn database_error(path: Option<&Path>, error: rusqlite::Error) -> Error {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Error::JournalUnreadable {
            path: path
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(":memory:")),
            reason: describe_unreadable(&error),
        },
        _ => Error::Journal(error),
    }
}

fn read_action_by_id(
    connection: &Connection,
    path: Option<&Path>,
    action_id: &str,
) -> Result<ActionRecord> {
    connection
        .query_row(
            &format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = ?1"),
            [action_id],
            read_action,
        )
        .optional()
        .map_err(|error| database_error(path, error))?
        .ok_or_else(|| Error::ActionNotFound(action_id.to_string()))
}

const RUN_COLUMNS: &str =
    "id, playbook, actor_upn, actor_oid, tenant_id, status, started_at, finished_at, input_json";

const ACTION_COLUMNS: &str = "id, run_id, actor_upn, actor_oid, tenant_id, playbook, step, \
     row_number, target_id, target_name, kind, request_summary, status, attempts, request_id, \
     error_code, error_message, note, intended_at, completed_at";

fn read_run(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let input_json: Option<String> = row.get(8)?;
    Ok(RunRecord {
        id: row.get(0)?,
        playbook: parse_column(row, 1, PlaybookKind::parse)?,
        actor: Actor {
            upn: row.get(2)?,
            oid: row.get(3)?,
        },
        tenant_id: row.get(4)?,
        status: parse_column(row, 5, RunStatus::parse)?,
        started_at: time_column(row, 6)?,
        finished_at: optional_time_column(row, 7)?,
        input: input_json
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|error| conversion_error(8, error.to_string()))?,
    })
}

fn read_action(row: &rusqlite::Row<'_>) -> rusqlite::Result<ActionRecord> {
    Ok(ActionRecord {
        id: row.get(0)?,
        run_id: row.get(1)?,
        actor: Actor {
            upn: row.get(2)?,
            oid: row.get(3)?,
        },
        tenant_id: row.get(4)?,
        playbook: parse_column(row, 5, PlaybookKind::parse)?,
        step: row.get(6)?,
        row: row.get(7)?,
        target: TargetRecord {
            id: row.get(8)?,
            display_name: row.get(9)?,
        },
        kind: parse_column(row, 10, ActionKind::parse)?,
        request_summary: row.get(11)?,
        status: parse_column(row, 12, ActionStatus::parse)?,
        attempts: row.get(13)?,
        request_id: row.get(14)?,
        error_code: row.get(15)?,
        error_message: row.get(16)?,
        note: row.get(17)?,
        intended_at: time_column(row, 18)?,
        completed_at: optional_time_column(row, 19)?,
    })
}

fn parse_column<T>(
    row: &rusqlite::Row<'_>,
    index: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    parse(&text).ok_or_else(|| conversion_error(index, format!("unknown value '{text}'")))
}

fn time_column(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(index)?;
    parse_timestamp(&text).ok_or_else(|| conversion_error(index, format!("bad time '{text}'")))
}

fn optional_time_column(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.get(index)?;
    text.map(|text| {
        parse_timestamp(&text).ok_or_else(|| conversion_error(index, format!("bad time '{text}'")))
    })
    .transpose()
}

fn conversion_error(index: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, message.into())
}

/// Fixed-width UTC with milliseconds, so that text order is time order in SQL comparisons.
fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// A reason a person can act on, for a file SQLite cannot use.
fn describe_unreadable(error: &rusqlite::Error) -> String {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "it is not a SQLite database, or its first page is damaged".into()
        }
        Some(ErrorCode::DatabaseCorrupt) => "the database inside it is damaged".into(),
        Some(ErrorCode::CannotOpen) => {
            "it cannot be opened (check that it exists and you may read and write it)".into()
        }
        Some(ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => {
            "you may not write to it (check its permissions)".into()
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "another program has held it locked for too long".into()
        }
        _ => error.to_string(),
    }
}

/// Request summaries go to the journal and into tickets; a token must never end up there.
/// Replaces JSON Web Tokens, the word after "Bearer", and values of secret-sounding keys.
fn redact_secrets(summary: &str) -> String {
    let mut redact_next = false;
    summary
        .split(' ')
        .map(|word| {
            if std::mem::take(&mut redact_next) && !word.is_empty() {
                return "[redacted]".to_string();
            }
            if word.eq_ignore_ascii_case("bearer") {
                redact_next = true;
                return word.to_string();
            }
            if word.starts_with("eyJ") && word.matches('.').count() >= 2 {
                return "[redacted]".to_string();
            }
            if let Some((key, _)) = word.split_once('=') {
                let key = key.to_ascii_lowercase();
                if ["token", "secret", "password", "assertion"]
                    .iter()
                    .any(|secret| key.contains(secret))
                {
                    return format!("{}=[redacted]", word.split('=').next().unwrap_or(""));
                }
            }
            word.to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;

/// Switching a file to WAL needs it to itself for a moment, and SQLite answers "busy" at once
/// instead of waiting when another opener holds it: retry until the busy timeout has passed.
fn switch_to_wal(connection: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match connection.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(error) => return Err(error.into()),
        }
    }
}
