//! The bulk runner's actions, wired to Microsoft Graph.

use entra_client::graph::users::User;
use entra_client::Graph;

use super::runner::RowActions;
use crate::journal::{ActionAnswer, ActionKind, ActionRecord, Observation, RunRow};
use crate::steps::answer_of;

/// Disable, enable and end sessions through Graph; observation reads the user back.
pub struct GraphRowActions {
    graph: Graph,
}

impl GraphRowActions {
    pub fn new(graph: Graph) -> Self {
        GraphRowActions { graph }
    }
}

impl RowActions for GraphRowActions {
    async fn perform(&self, row: &RunRow, kind: ActionKind) -> ActionAnswer {
        let id = &row.target.id;
        let result = match kind {
            ActionKind::Disable => self.graph.set_account_enabled(id, false).await,
            ActionKind::Enable => self.graph.set_account_enabled(id, true).await,
            ActionKind::RevokeSessions => self.graph.revoke_sign_in_sessions(id).await,
            other => {
                return ActionAnswer::Failed {
                    request_id: None,
                    error: crate::plan::UserFacingError {
                        code: "bulk_action_unsupported".into(),
                        message: format!("A bulk run cannot {}.", other.as_str()),
                        hint: "This is a fault in Provisioning Desk; please report it.".into(),
                    },
                }
            }
        };
        answer_of(result)
    }

    /// Reads the user back: sign-in off/on, or sessions valid only from after the action was
    /// written to the journal (revokeSignInSessions moves `signInSessionsValidFromDateTime`).
    async fn observe(&self, row: &RunRow, action: &ActionRecord) -> Observation {
        let user: User = match self.graph.get_user(&row.target.id).await {
            Ok(user) => user,
            Err(error) => {
                return Observation::CannotTell {
                    because: error.to_string(),
                }
            }
        };
        let applied = match action.kind {
            ActionKind::Disable => user.account_enabled.map(|enabled| !enabled),
            ActionKind::Enable => user.account_enabled,
            ActionKind::RevokeSessions => Some(
                user.sign_in_sessions_valid_from_date_time
                    .is_some_and(|from| from >= action.intended_at - chrono::Duration::seconds(1)),
            ),
            _ => None,
        };
        match applied {
            Some(true) => Observation::Applied,
            Some(false) => Observation::NotApplied,
            None => Observation::CannotTell {
                because: "the tenant's answer did not show it".into(),
            },
        }
    }

    fn describe(&self, row: &RunRow, kind: ActionKind) -> String {
        let id = &row.target.id;
        match kind {
            ActionKind::Disable => format!("PATCH /users/{id} accountEnabled=false"),
            ActionKind::Enable => format!("PATCH /users/{id} accountEnabled=true"),
            ActionKind::RevokeSessions => format!("POST /users/{id}/revokeSignInSessions"),
            other => format!("{} {id}", other.as_str()),
        }
    }
}
