use serde::Serialize;
use ts_rs::TS;

/// An error as the UI receives it: a stable code to branch on, a plain sentence for a
/// non-technical person, and what to do about it.
#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct CommandError {
    pub code: String,
    pub message: String,
    pub hint: String,
}

impl From<playbooks::plan::UserFacingError> for CommandError {
    fn from(error: playbooks::plan::UserFacingError) -> Self {
        CommandError {
            code: error.code,
            message: error.message,
            hint: error.hint,
        }
    }
}

impl From<playbooks::Error> for CommandError {
    fn from(error: playbooks::Error) -> Self {
        playbooks::plan::UserFacingError::from(&error).into()
    }
}
