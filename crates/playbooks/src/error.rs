//! The crate's one error type, and its translation into the three-line error the UI shows.

use std::path::PathBuf;

use crate::plan::UserFacingError;

/// Everything that can go wrong in `playbooks` itself.
///
/// Problems *in the input* that still leave useful work (a bad CSV row, a duplicate row) are not
/// errors: they are reported per row by `bulk::csv_input`. This enum is for failures that stop an
/// operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The journal file exists but SQLite cannot read it (not a database, damaged, no permission).
    /// The file is left exactly as it was found.
    #[error("the journal file {path} cannot be read: {reason}")]
    JournalUnreadable { path: PathBuf, reason: String },

    /// The file is a readable SQLite database, but not one written by Provisioning Desk.
    #[error("the file {path} is a database, but not a Provisioning Desk journal")]
    NotAJournal { path: PathBuf },

    /// The journal was written by a newer Provisioning Desk with a schema we do not know.
    #[error("the journal file {path} was written by a newer version (schema {found}, this version understands up to {supported})")]
    JournalTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// No per-user application data directory could be determined (no home directory).
    #[error("no application data folder could be found for this user")]
    NoDataDirectory,

    /// A folder for the journal could not be created.
    #[error("the folder {path} could not be created: {source}")]
    CreateDirectory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Any other SQLite failure while the journal is open (disk full, locked for too long, …).
    #[error("the journal could not be updated: {0}")]
    Journal(#[from] rusqlite::Error),

    /// A value stored in the journal could not be decoded (a bug or a hand-edited file).
    #[error("the journal holds a value that cannot be read back: {0}")]
    JournalValue(String),

    /// An outcome was recorded for an action that is not waiting for one. Completing an action
    /// twice would falsify the audit trail, so it is refused.
    #[error("action {action_id} already has an outcome; it cannot be completed twice")]
    ActionAlreadyCompleted { action_id: String },

    /// A bulk run already has an action of this kind for this row. The runner never asks twice;
    /// the database refuses it anyway, as the last line of defence for exactly-once.
    #[error("run {run_id} already has a {kind} action for row {row}")]
    ActionAlreadyRecorded {
        run_id: String,
        row: u32,
        kind: &'static str,
    },

    /// Another window or terminal is continuing the same run.
    #[error("run {run_id} is being continued somewhere else (another window or terminal)")]
    RunBusy { run_id: String },

    /// A run begun on one tenant cannot be continued on another: its rows are that tenant's
    /// people (a run practised on the training tenant is never replayed on a real one).
    #[error(
        "run {run_id} was started on another tenant ({run_tenant}); you are signed in to {here}"
    )]
    RunOnAnotherTenant {
        run_id: String,
        run_tenant: String,
        here: String,
    },

    /// The action id is not in the journal.
    #[error("there is no action {0} in the journal")]
    ActionNotFound(String),

    /// The run id is not in the journal.
    #[error("there is no run {0} in the journal")]
    RunNotFound(String),

    /// The run has no stored bulk input, so the bulk runner cannot continue it.
    #[error("run {0} is not a bulk run")]
    NotABulkRun(String),

    /// A bulk run was given two rows with the same row number (a fault in the caller).
    #[error("row {0} appears twice in the bulk run's input")]
    DuplicateRowNumber(u32),

    /// The CSV file cannot be used at all (wrong encoding, broken quoting, …). Individual bad
    /// rows are not this error.
    #[error("the CSV file cannot be read: {0}")]
    CsvUnreadable(String),

    /// Writing an export failed.
    #[error("the export could not be written: {0}")]
    Export(String),

    /// Sign-in or Microsoft Graph failed; the inner error has its own code and hint.
    #[error("{0}")]
    /// Boxed: Graph errors carry request ids and payloads, and `Result`s stay small.
    Entra(Box<entra_client::Error>),

    /// A training tenant could not be started in this process.
    #[error("the training tenant could not be started: {0}")]
    TrainingTenantStart(String),

    /// Nothing answering like a training tenant at this address.
    #[error("no training tenant answered at {url}: {reason}")]
    TrainingTenantUnreachable { url: String, reason: String },

    /// A training-only action (demo sign-in, clock) was asked of a real tenant.
    #[error("this is only possible on a training tenant")]
    NotTraining,

    /// The demo account asked for is not one of the training tenant's.
    #[error("the training tenant has no demo account \"{wanted}\"")]
    UnknownDemoAccount { wanted: String, known: Vec<String> },

    /// The one-click training sign-in did not complete.
    #[error("the training sign-in did not complete: {0}")]
    TrainingSignIn(String),

    /// Nobody is signed in.
    #[error("nobody is signed in")]
    NotSignedIn,

    /// No person matches what was typed, neither in the directory nor in the recycle bin. For
    /// an address the sentence says what was searched; it never claims a permanent deletion,
    /// which nobody has shown.
    #[error("{}", person_not_found(query))]
    PersonNotFound { query: String },

    /// No enterprise app matches what was typed.
    #[error("no app called \"{query}\" was found")]
    AppNotFound { query: String },

    /// A typed confirmation did not match (a near miss is not consent).
    #[error("the confirmation did not match: type \"{expected}\" exactly")]
    NotConfirmed { expected: String },

    /// The plan has nothing that can run (e.g. the person is in the recycle bin).
    #[error("there is nothing to do: {0}")]
    NothingToRun(String),

    /// A preview handed back by a front end is not one this desk could have made (emptied,
    /// or naming something else than what it shows); nothing was sent.
    #[error("this preview cannot be used: {0}")]
    PlanTampered(String),

    /// The signed-in person lacks a role or permission the change needs; nothing was sent.
    #[error("you are not allowed to do this: {reason}")]
    NotAllowed { reason: String },

    /// Microsoft does not document this feature in the tenant's cloud (entra-client
    /// `features`), so it was not asked for: nothing was sent.
    #[error("Microsoft does not offer {} in {}", feature.plain_name(), cloud.plain_name())]
    NotInThisCloud {
        feature: entra_client::CloudFeature,
        cloud: entra_client::NationalCloud,
    },

    /// Re-link: Entra holds no link for this person in this app (Microsoft's `404` for the object
    /// connection), so there is nothing to forget and nothing was changed.
    #[error("Entra holds no link between {person} and an account in {app}, so there is nothing to forget")]
    NoLinkStored { person: String, app: String },

    /// Re-link: after the pause, the job still did not read as paused (`schedule.state` `Paused`
    /// or `Disabled`) within the checks; the link was not forgotten.
    #[error(
        "sync for {app} still reads as {state} after it was paused, so the link was not forgotten"
    )]
    SyncNotPaused { app: String, state: String },

    /// More than one person or app matches; we never guess between them.
    #[error("\"{query}\" matches more than one {what}: {}", candidates.join("; "))]
    Ambiguous {
        what: &'static str,
        query: String,
        candidates: Vec<String>,
    },

    /// The "Connect your organization" form's settings are not a usable configuration.
    #[error("these settings cannot be used: {0}")]
    OrganizationSettingsInvalid(String),

    /// The web view asked for sign-in and Graph addresses of its own (a custom cloud) that the
    /// deployed settings file does not name. Only that file, written by IT, may send sign-ins
    /// and tokens anywhere but Microsoft's named clouds.
    #[error("other sign-in and Graph addresses can only come from the settings file your IT department deploys")]
    CustomCloudNotDeployed,
    /// The CSV file is larger than a bulk run reads ([`crate::bulk::MAX_CSV_BYTES`]); nothing of
    /// it was read.
    #[error("the CSV file is larger than the {} MB a bulk run reads (it is {})", limit / 1_000_000, megabytes(*size))]
    CsvTooLarge { size: usize, limit: usize },

    /// A number sent by the app or typed on the command line is outside what makes sense (log
    /// hours of 0, more than the logs keep, …); nothing was done with it.
    #[error("{what} must be between {min} and {max}, not {value}")]
    OutOfRange {
        what: &'static str,
        value: i64,
        min: i64,
        max: i64,
    },
}

/// "5.2 MB" (decimal megabytes, as file managers show sizes).
fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

impl From<entra_client::Error> for Error {
    fn from(error: entra_client::Error) -> Self {
        Error::Entra(Box::new(error))
    }
}

/// "No one with this address as sign-in name, e-mail or alias …" for an address; the name
/// sentence otherwise.
fn person_not_found(query: &str) -> String {
    if query.contains('@') {
        format!(
            "no one has the address \"{query}\" as sign-in name, e-mail or alias, in the directory or the recycle bin"
        )
    } else {
        format!(
            "no one called \"{query}\" was found, neither in the directory nor in the recycle bin"
        )
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable machine code the UI and the CLI can branch on. Never change an existing code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::JournalUnreadable { .. } => "journal_unreadable",
            Error::NotAJournal { .. } => "journal_not_ours",
            Error::JournalTooNew { .. } => "journal_too_new",
            Error::NoDataDirectory => "no_data_directory",
            Error::CreateDirectory { .. } => "create_directory_failed",
            Error::Journal(_) => "journal_write_failed",
            Error::JournalValue(_) => "journal_value_invalid",
            Error::ActionAlreadyCompleted { .. } => "action_already_completed",
            Error::ActionAlreadyRecorded { .. } => "action_already_recorded",
            Error::RunBusy { .. } => "run_busy",
            Error::RunOnAnotherTenant { .. } => "run_on_another_tenant",
            Error::ActionNotFound(_) => "action_not_found",
            Error::RunNotFound(_) => "run_not_found",
            Error::NotABulkRun(_) => "not_a_bulk_run",
            Error::DuplicateRowNumber(_) => "duplicate_row_number",
            Error::CsvUnreadable(_) => "csv_unreadable",
            Error::Export(_) => "export_failed",
            Error::Entra(error) => error.code(),
            Error::TrainingTenantStart(_) => "training_start_failed",
            Error::TrainingTenantUnreachable { .. } => "training_unreachable",
            Error::NotTraining => "not_training",
            Error::UnknownDemoAccount { .. } => "unknown_demo_account",
            Error::TrainingSignIn(_) => "training_sign_in_failed",
            Error::NotSignedIn => "not_signed_in",
            Error::PersonNotFound { .. } => "person_not_found",
            Error::AppNotFound { .. } => "app_not_found",
            Error::Ambiguous { .. } => "ambiguous",
            Error::NotConfirmed { .. } => "not_confirmed",
            Error::NothingToRun(_) => "nothing_to_run",
            Error::PlanTampered(_) => "plan_tampered",
            Error::NotAllowed { .. } => "not_allowed",
            Error::NotInThisCloud { .. } => "not_in_this_cloud",
            Error::NoLinkStored { .. } => "no_link_stored",
            Error::SyncNotPaused { .. } => "sync_not_paused",
            Error::OrganizationSettingsInvalid(_) => "organization_settings_invalid",
            Error::CustomCloudNotDeployed => "custom_cloud_not_deployed",
            Error::CsvTooLarge { .. } => "csv_too_large",
            Error::OutOfRange { .. } => "value_out_of_range",
        }
    }

    /// What the person can do about it, in plain words.
    pub fn hint(&self) -> String {
        match self {
            Error::JournalUnreadable { path, .. } => format!(
                "The file has been left untouched. Move or rename {} (keep it: it is the audit \
                 trail) and start again to create a new journal, or restore it from a backup.",
                path.display()
            ),
            Error::NotAJournal { path } => format!(
                "Choose another location for the journal; {} has been left untouched.",
                path.display()
            ),
            Error::JournalTooNew { .. } => {
                "Update Provisioning Desk to the latest version on this computer.".to_string()
            }
            Error::NoDataDirectory => {
                "Choose a folder for the journal in Settings (or pass --journal).".to_string()
            }
            Error::CreateDirectory { .. } => {
                "Check that you may write to this folder, or choose another one.".to_string()
            }
            Error::Journal(_) => "Check there is free disk space and that no other program \
                                  holds the journal for long, then try again."
                .to_string(),
            Error::JournalValue(_) | Error::DuplicateRowNumber(_) => {
                "This is a fault in Provisioning Desk; please report it with the journal export."
                    .to_string()
            }
            // Outside a bug, these happen when two windows or terminals continue the same run.
            Error::ActionAlreadyCompleted { .. } | Error::ActionAlreadyRecorded { .. } => {
                "If another window or terminal is continuing this run, let it finish and open \
                 the journal; otherwise please report this with the journal export."
                    .to_string()
            }
            Error::ActionNotFound(_) | Error::RunNotFound(_) | Error::NotABulkRun(_) => {
                "Check the id, or open the journal to find the run.".to_string()
            }
            Error::RunOnAnotherTenant { .. } => "Nothing was changed. Sign in to the tenant the \
                                                 run was started on to continue it, or start a \
                                                 new run of the file here."
                .to_string(),
            Error::RunBusy { .. } => "Let the other window or terminal finish, then open the \
                                       journal to see the result."
                .to_string(),
            Error::CsvUnreadable(_) => "Save the file as \"CSV UTF-8\" with one user principal \
                                        name or object id per row, and try again."
                .to_string(),
            Error::Export(_) => {
                "Check there is free disk space and that you may write there.".to_string()
            }
            Error::Entra(error) => error.hint(),
            Error::TrainingTenantStart(_) => {
                "Close other copies of the training tenant, or start it with another address."
                    .to_string()
            }
            Error::TrainingTenantUnreachable { .. } => "Start one with `provdesk training serve` \
                                                        and pass the address it prints with \
                                                        --graph-url."
                .to_string(),
            Error::NotTraining => {
                "Switch to the training profile, or sign in with your own account.".to_string()
            }
            Error::UnknownDemoAccount { known, .. } => {
                format!("Choose one of: {}.", known.join(", "))
            }
            Error::TrainingSignIn(_) => "Restart the training tenant and try again.".to_string(),
            Error::NotSignedIn => "Sign in first (provdesk login).".to_string(),
            Error::PersonNotFound { query } if query.contains('@') => "Check the spelling, or \
                 try another address of theirs or their object id. Not being found does not \
                 prove a permanent deletion: do not create a new account before reading the \
                 Reactivate preview."
                .to_string(),
            Error::PersonNotFound { .. } => "Check the spelling, or use the user principal name \
                                             (name@domain) or the object id."
                .to_string(),
            Error::AppNotFound { .. } => "Check the name as it appears under Enterprise \
                                          applications, or use the service principal's object id."
                .to_string(),
            Error::NotConfirmed { .. } => {
                "Nothing was changed. Type the name exactly as shown to confirm.".to_string()
            }
            Error::NothingToRun(_) => "Read the preview; it says what to do first.".to_string(),
            Error::PlanTampered(_) => {
                "Nothing was changed. Go back and show the preview again.".to_string()
            }
            Error::NotAllowed { .. } => "Nothing was changed. Ask for the role named above, or \
                                         hand the ticket to someone who has it."
                .to_string(),
            Error::Ambiguous { .. } => "Use the user principal name or the object id of the one \
                                        you mean."
                .to_string(),
            Error::NotInThisCloud { feature, .. } => feature.instead().to_string(),
            Error::NoLinkStored { person, .. } => format!(
                "Nothing was changed. The next sync round, or a sync now for {person}, matches them afresh."
            ),
            Error::SyncNotPaused { .. } => "A round under way finishes before a pause takes \
                                            effect: wait a few minutes and re-link again. Sync \
                                            was started again."
                .to_string(),
            Error::OrganizationSettingsInvalid(_) => "Check the tenant id and the application \
                                                      (client) id with whoever registered \
                                                      Provisioning Desk in your organization \
                                                      (docs/admin-setup.md)."
                .to_string(),
            Error::CustomCloudNotDeployed => "Choose one of the named clouds, or ask whoever \
                                              manages Provisioning Desk to put your cloud's \
                                              addresses in the settings file \
                                              (docs/admin-setup.md)."
                .to_string(),
            Error::CsvTooLarge { .. } => "Split the file into smaller files (one column of user \
                                          names fits about 100,000 rows in 5 MB) and run them one \
                                          after the other."
                .to_string(),
            Error::OutOfRange { .. } => "Nothing was changed. Choose a value in that range and \
                                         try again."
                .to_string(),
        }
    }
}

impl From<&Error> for UserFacingError {
    fn from(error: &Error) -> Self {
        UserFacingError {
            code: error.code().to_string(),
            message: capitalise(&error.to_string()),
            hint: error.hint(),
        }
    }
}

impl From<Error> for UserFacingError {
    fn from(error: Error) -> Self {
        UserFacingError::from(&error)
    }
}

/// Error messages are lower-case inside (so they chain well); a sentence for a person starts with
/// a capital and ends with a full stop.
fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    let mut sentence = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_three_plain_lines() {
        let error = Error::CsvUnreadable("it contains no people".into());
        let shown = UserFacingError::from(&error);
        insta::assert_json_snapshot!(shown, @r###"
        {
          "code": "csv_unreadable",
          "message": "The CSV file cannot be read: it contains no people.",
          "hint": "Save the file as \"CSV UTF-8\" with one user principal name or object id per row, and try again."
        }
        "###);
    }

    /// A lost answer keeps its own code across the boundary, so the desk can branch on it
    /// (read back, never resend) rather than on the sentence.
    #[test]
    fn a_lost_answer_has_its_own_code_and_plain_words() {
        let error = Error::from(entra_client::Error::AnswerLost {
            host: "graph.microsoft.com".into(),
            detail: "connection closed before the answer".into(),
            ids: Default::default(),
        });
        let shown = UserFacingError::from(&error);
        assert_eq!(shown.code, "graph.answer_lost");
        assert!(
            shown
                .message
                .contains("not known yet whether the change was made"),
            "{}",
            shown.message
        );
        assert!(shown.hint.contains("not sent again"), "{}", shown.hint);
    }

    #[test]
    fn journal_errors_name_the_file() {
        let error = Error::JournalTooNew {
            path: PathBuf::from("/home/ann/.local/share/com.provisioningdesk.app/journal.sqlite3"),
            found: 7,
            supported: 1,
        };
        let shown = UserFacingError::from(error);
        assert_eq!(shown.code, "journal_too_new");
        assert!(shown.message.starts_with(
            "The journal file /home/ann/.local/share/com.provisioningdesk.app/journal.sqlite3 was written by a newer version"
        ));
        assert!(shown.message.ends_with('.'));
    }
}
