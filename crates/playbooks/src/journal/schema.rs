//! The journal's SQLite schema and its migrations.
//!
//! `PRAGMA application_id` marks the file as ours; `PRAGMA user_version` is the schema version,
//! i.e. how many entries of [`MIGRATIONS`] have been applied. Migrations are append-only: never
//! edit one that has shipped, add the next.

/// "PDjl" — identifies a Provisioning Desk journal among SQLite files.
pub const APPLICATION_ID: i64 = 0x5044_6A6C;

/// Each entry moves the schema one version up, applied in its own transaction.
pub const MIGRATIONS: &[&str] = &[
    // Version 1: runs and their actions.
    r#"
    CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        playbook      TEXT NOT NULL,
        actor_upn     TEXT NOT NULL,
        actor_oid     TEXT NOT NULL,
        tenant_id     TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'incomplete')),
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        input_sha256  TEXT,
        input_json    TEXT
    );
    CREATE INDEX runs_by_status ON runs (status, started_at);

    CREATE TABLE actions (
        id               TEXT PRIMARY KEY,
        run_id           TEXT NOT NULL REFERENCES runs (id),
        actor_upn        TEXT NOT NULL,
        actor_oid        TEXT NOT NULL,
        tenant_id        TEXT NOT NULL,
        playbook         TEXT NOT NULL,
        step             TEXT NOT NULL,
        row_number       INTEGER,
        target_id        TEXT NOT NULL,
        target_name      TEXT NOT NULL,
        kind             TEXT NOT NULL,
        request_summary  TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'unknown')),
        attempts         INTEGER NOT NULL DEFAULT 1,
        request_id       TEXT,
        error_code       TEXT,
        error_message    TEXT,
        note             TEXT,
        intended_at      TEXT NOT NULL,
        completed_at     TEXT
    );
    -- Exactly-once, enforced by the database: one action per bulk row and kind within a run.
    CREATE UNIQUE INDEX actions_one_per_row_and_kind ON actions (run_id, row_number, kind)
        WHERE row_number IS NOT NULL;
    CREATE INDEX actions_by_run ON actions (run_id);
    CREATE INDEX actions_by_time ON actions (intended_at);
    CREATE INDEX actions_by_target ON actions (target_id);
    "#,
];

/// The newest schema version this build understands.
pub fn current_version() -> i64 {
    // The list is tiny; the cast cannot truncate.
    MIGRATIONS.len() as i64
}
