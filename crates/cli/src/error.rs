//! The CLI's one error type, and the documented exit codes.

use playbooks::plan::UserFacingError;

/// Exit codes (documented in `provdesk --help` and the README).
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const BAD_INPUT: u8 = 2;
    pub const PARTLY_DONE: u8 = 3;
    pub const NOT_ALLOWED: u8 = 4;
    pub const INTERRUPTED: u8 = 5;
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Playbooks(#[from] playbooks::Error),

    /// Bad input found by the CLI itself (a duration, a file, a missing confirmation).
    #[error("{message}")]
    BadInput { message: String, hint: String },

    #[error("could not read {path}: {source}")]
    ReadFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },

    #[error("not signed in to this tenant")]
    NotSignedIn { hint: String },
}

impl From<entra_client::Error> for CliError {
    fn from(error: entra_client::Error) -> Self {
        CliError::Playbooks(error.into())
    }
}

impl CliError {
    pub fn bad_input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError::BadInput {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Playbooks(error) => match error.code() {
                "person_not_found"
                | "app_not_found"
                | "ambiguous"
                | "not_confirmed"
                | "csv_unreadable"
                | "csv_too_large"
                | "value_out_of_range"
                | "unknown_demo_account"
                | "nothing_to_run"
                | "plan_tampered"
                | "run_on_another_tenant"
                | "no_link_stored" => exit::BAD_INPUT,
                "not_signed_in" | "not_allowed" => exit::NOT_ALLOWED,
                code if code.starts_with("graph.forbidden")
                    || code.starts_with("sign_in.")
                    || code == "graph.unauthorized" =>
                {
                    exit::NOT_ALLOWED
                }
                _ => exit::FAILED,
            },
            CliError::BadInput { .. } | CliError::ReadFile { .. } => exit::BAD_INPUT,
            CliError::NotSignedIn { .. } => exit::NOT_ALLOWED,
        }
    }

    /// The three lines: what happened, why, what to do.
    pub fn user_facing(&self) -> UserFacingError {
        match self {
            CliError::Playbooks(error) => UserFacingError::from(error),
            CliError::BadInput { message, hint } => UserFacingError {
                code: "bad_input".into(),
                message: message.clone(),
                hint: hint.clone(),
            },
            CliError::ReadFile { .. } => UserFacingError {
                code: "file_unreadable".into(),
                message: capitalised(&self.to_string()),
                hint: "Check the path and that you may read the file.".into(),
            },
            CliError::NotSignedIn { hint } => UserFacingError {
                code: "not_signed_in".into(),
                message: "Not signed in to this tenant.".into(),
                hint: hint.clone(),
            },
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
