//! The bulk runner's actions, wired to Microsoft Graph.

use entra_client::graph::users::User;
use entra_client::Graph;

use super::runner::RowActions;
use crate::journal::{ActionAnswer, ActionKind, ActionRecord, Observation, RowBaseline, RunRow};
use crate::read_back;
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

    /// Reads the user back and decides from the tenant's answer alone: sign-in off/on, or
    /// sessions valid from later than the tenant said when the run started
    /// ([`RunRow::before`]; revokeSignInSessions moves `signInSessionsValidFromDateTime` to the
    /// tenant's "now"). This computer's clock is never compared with the tenant's: the training
    /// clock can be days ahead ("Skip 30 days"), a real tenant's minutes off.
    async fn observe(&self, row: &RunRow, action: &ActionRecord) -> Observation {
        let user: User = match self.graph.get_user(&row.target.id).await {
            Ok(user) => user,
            Err(error) => {
                return Observation::CannotTell {
                    because: error.to_string(),
                }
            }
        };
        match action.kind {
            ActionKind::Disable => read_back::sign_in_matches(&user, false),
            ActionKind::Enable => read_back::sign_in_matches(&user, true),
            ActionKind::RevokeSessions => match &row.before {
                Some(before) => read_back::sessions_moved_past(&user, before.sessions_valid_from),
                None => Observation::CannotTell {
                    because: "what the tenant showed before the run started was not recorded, so a revoke cannot be told apart from an earlier one".into(),
                },
            },
            _ => Observation::CannotTell {
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

/// Reads each row's person once more, right before the run sends anything, and keeps what
/// [`GraphRowActions::observe`] needs to compare against (`$batch` of reads, 20 at a time, a
/// few batches at once). A row whose read fails keeps no baseline: an unanswered revoke there is
/// "cannot tell", never a guess. Read here, in Rust, rather than taken from the preview the web
/// view sends back.
pub async fn with_baselines(graph: &Graph, mut rows: Vec<RunRow>) -> Vec<RunRow> {
    use entra_client::graph::{odata, ApiVersion, GraphRequest};
    use futures::stream::{self, StreamExt};
    const SELECT: &str = "id,signInSessionsValidFromDateTime";
    const BATCHES_IN_FLIGHT: usize = 4;
    let chunks: Vec<Vec<String>> = rows
        .chunks(entra_client::graph::batch::MAX_BATCH)
        .map(|chunk| chunk.iter().map(|row| row.target.id.clone()).collect())
        .collect();
    let answers: Vec<Vec<Option<RowBaseline>>> = stream::iter(chunks)
        .map(|ids| async move {
            let requests = ids
                .iter()
                .map(|id| {
                    let segments = odata::entity_segments("users", id);
                    let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
                    let url = graph.url(ApiVersion::V1, &refs, &[("$select", SELECT)]);
                    GraphRequest::new(
                        reqwest::Method::GET,
                        url,
                        entra_client::Operation::ReadUsers,
                    )
                })
                .collect();
            match graph.batch(requests).await {
                Ok(answers) => answers
                    .into_iter()
                    .map(|answer| {
                        answer
                            .ok()
                            .and_then(|answer| answer.json::<User>().ok())
                            .map(|user| RowBaseline {
                                sessions_valid_from: user.sign_in_sessions_valid_from_date_time,
                            })
                    })
                    .collect(),
                Err(_) => vec![None; ids.len()],
            }
        })
        .buffered(BATCHES_IN_FLIGHT)
        .collect()
        .await;
    for (row, before) in rows.iter_mut().zip(answers.into_iter().flatten()) {
        row.before = before;
    }
    rows
}
