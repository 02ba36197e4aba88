//! Playbook 6 — bulk offboarding / reactivation from a CSV file, on a [`Desk`].
//!
//! preview (every row: ready / already done / left out, with row numbers) → confirm → run
//! (bounded concurrency, journaled, resumable after a crash) → a result per row.

use std::collections::HashMap;
use std::sync::Arc;

use entra_client::graph::odata;
use entra_client::graph::users::{User, USER_SELECT};
use entra_client::graph::{ApiVersion, GraphRequest};
use entra_client::Operation;
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::graph_actions::GraphRowActions;
use super::preview::AppDeletionScope;
use super::runner::{BulkRequest, BulkRunner, RunControl};
use super::{parse_csv, BulkPreview, BulkReport, CsvInput, Lookup};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::journal::{ActionKind, TargetRecord};
use crate::plan::PlaybookKind;

/// Which bulk procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BulkKind {
    /// Turn off sign-in and end sessions for everyone in the file.
    Offboard,
    /// Turn sign-in back on for everyone in the file.
    Reactivate,
}

impl BulkKind {
    pub fn playbook(self) -> PlaybookKind {
        match self {
            BulkKind::Offboard => PlaybookKind::BulkOffboard,
            BulkKind::Reactivate => PlaybookKind::BulkReactivate,
        }
    }

    /// The actions every row gets, in order.
    pub fn actions(self) -> Vec<ActionKind> {
        match self {
            BulkKind::Offboard => vec![ActionKind::Disable, ActionKind::RevokeSessions],
            BulkKind::Reactivate => vec![ActionKind::Enable],
        }
    }
}

/// The file read, every row looked up, and an unfinished earlier run of the same file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkPlan {
    pub kind: BulkKind,
    pub csv: CsvInput,
    pub preview: BulkPreview,
    /// An interrupted run over the same file (same SHA-256): offer to resume it instead.
    pub unfinished_run_id: Option<String>,
    /// Changes this person surely may not make (a delegated permission is missing); when not
    /// empty, nothing runs.
    pub refusals: Vec<String>,
    /// Apps whose accidental-deletion threshold the file would reach in one sync round, and
    /// what will happen then (offboarding only). Shown before the run; they do not stop it.
    #[serde(default)]
    pub deletion_warnings: Vec<String>,
    /// Changes whose role does not show in the sign-in: each row is tried, and a row Entra
    /// refuses says which role to ask for (roles limited to an administrative unit and custom
    /// roles never show in the sign-in, graph-api.md §11.7).
    pub doubts: Vec<String>,
}

/// Lookups go 20 to a `$batch`, this many batches at once.
const LOOKUP_BATCHES_IN_FLIGHT: usize = 4;
const LOOKUP_CHUNK: usize = 100;

/// Reads the file and looks up every usable row. Changes nothing.
pub async fn preview(desk: &Desk, kind: BulkKind, file: &[u8]) -> Result<BulkPlan> {
    let csv = parse_csv(file)?;
    let lookups = look_up(desk, kind, &csv).await?;
    let preview = BulkPreview::new(&csv, lookups);
    let deletion_warnings = match kind {
        BulkKind::Offboard if preview.ready > 0 => deletion_warnings(desk, &preview).await,
        _ => Vec::new(),
    };
    // Offered only when nobody is carrying it out right now (another window, provdesk).
    let journal = desk.journal();
    let unfinished_run_id = journal
        .unfinished_run_for(kind.playbook(), &csv.content_sha256, &desk.tenant_id())?
        .map(|run| run.id)
        .filter(|id| !journal.run_is_live(id).unwrap_or(true));
    Ok(BulkPlan {
        kind,
        csv,
        preview,
        unfinished_run_id,
        refusals: refusals(desk, kind),
        deletion_warnings,
        doubts: doubts(desk, kind),
    })
}

/// Reads the apps with automatic account sync, their thresholds and (for those the file could
/// reach) who is in their scope; a read that fails is said as a warning, not fatal.
async fn deletion_warnings(desk: &Desk, preview: &BulkPreview) -> Vec<String> {
    let apps = match desk.graph().apps_with_provisioning().await {
        Ok(apps) => apps,
        Err(error) => {
            return vec![format!("Whether this file reaches an app's accidental-deletion threshold could not be checked: {error}")];
        }
    };
    let mut scopes = Vec::new();
    let mut unread = Vec::new();
    for app in apps {
        let Some(job) = app.jobs.first() else {
            continue;
        };
        let (threshold, threshold_assumed) = crate::restart::deletion_threshold(job);
        let name = app
            .service_principal
            .display_name
            .clone()
            .unwrap_or_else(|| app.service_principal.id.clone());
        if preview.ready < threshold {
            continue;
        }
        if crate::restart::syncs_everyone(job) {
            // Everyone is in scope of an app that syncs all users.
            let in_scope = preview
                .rows
                .iter()
                .filter_map(|row| row.found.as_ref().map(|f| f.id.to_lowercase()))
                .collect();
            scopes.push(AppDeletionScope {
                app: name,
                threshold,
                threshold_assumed,
                in_scope,
            });
            continue;
        }
        match crate::app_sync::people_in_scope(desk, &app.service_principal.id).await {
            Ok(in_scope) => scopes.push(AppDeletionScope {
                app: name,
                threshold,
                threshold_assumed,
                in_scope,
            }),
            Err(error) => unread.push(format!("{name} ({error})")),
        }
    }
    let mut warnings = preview.deletion_threshold_warnings(&scopes);
    if !unread.is_empty() {
        warnings.push(format!(
            "Who is in scope of these apps could not be read, so whether this file reaches their accidental-deletion threshold was not checked: {}.",
            unread.join("; ")
        ));
    }
    warnings
}

async fn look_up(desk: &Desk, kind: BulkKind, csv: &CsvInput) -> Result<HashMap<u32, Lookup>> {
    let graph = desk.graph();
    let chunks: Vec<Vec<(u32, String)>> = csv
        .rows
        .chunks(LOOKUP_CHUNK)
        .map(|chunk| {
            chunk
                .iter()
                .map(|row| (row.row, row.target.as_str().to_string()))
                .collect()
        })
        .collect();
    let answers: Vec<Result<Vec<(u32, Lookup)>>> = stream::iter(chunks)
        .map(|chunk| async move {
            let requests = chunk
                .iter()
                .map(|(_, key)| {
                    let segments = odata::entity_segments("users", key);
                    let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
                    let url = graph.url(ApiVersion::V1, &refs, &[("$select", USER_SELECT)]);
                    GraphRequest::new(reqwest::Method::GET, url, Operation::ReadUsers)
                })
                .collect();
            let answers = graph.batch(requests).await?;
            Ok(chunk
                .into_iter()
                .zip(answers)
                .map(|((row, _), answer)| {
                    let user = match answer {
                        Ok(answer) => answer.json::<User>(),
                        Err(error) => Err(error),
                    };
                    let lookup = match user {
                        Ok(user) => classify(kind, &user),
                        Err(entra_client::Error::NotFound { .. }) => Lookup::NotFound,
                        Err(error) => Lookup::Failed {
                            message: error.to_string(),
                        },
                    };
                    (row, lookup)
                })
                .collect())
        })
        .buffer_unordered(LOOKUP_BATCHES_IN_FLIGHT)
        .collect()
        .await;
    let mut lookups = HashMap::new();
    for answer in answers {
        lookups.extend(answer?);
    }
    Ok(lookups)
}

fn classify(kind: BulkKind, user: &User) -> Lookup {
    let target = TargetRecord {
        id: user.id.clone(),
        display_name: user
            .display_name
            .clone()
            .or_else(|| user.user_principal_name.clone())
            .unwrap_or_else(|| user.id.clone()),
    };
    match (kind, user.account_enabled) {
        (BulkKind::Offboard, Some(false)) => Lookup::AlreadyDone {
            target,
            detail: "sign-in is already off".into(),
        },
        (BulkKind::Reactivate, Some(true)) => Lookup::AlreadyDone {
            target,
            detail: "sign-in is already on".into(),
        },
        _ => Lookup::Found(target),
    }
}

/// The operations of `kind`'s actions, with what each does in plain words.
fn operations(kind: BulkKind) -> Vec<(Operation, &'static str)> {
    kind.actions()
        .into_iter()
        .filter_map(|action| match action {
            ActionKind::Disable => Some((Operation::SetAccountEnabled, "turn off sign-in")),
            ActionKind::Enable => Some((Operation::SetAccountEnabled, "turn sign-in back on")),
            ActionKind::RevokeSessions => Some((Operation::RevokeSignInSessions, "end sessions")),
            _ => None,
        })
        .collect()
}

/// What the signed-in person surely may not do of `kind`'s actions, in sentences.
fn refusals(desk: &Desk, kind: BulkKind) -> Vec<String> {
    desk.signed_in().refusals(&operations(kind))
}

/// Which of `kind`'s actions Entra may refuse (the role does not show in the sign-in).
fn doubts(desk: &Desk, kind: BulkKind) -> Vec<String> {
    desk.signed_in().doubts(&operations(kind))
}

/// Runs the ready rows of a confirmed preview. Progress goes to `control.progress`. Refused
/// before anything is recorded when the person lacks a needed permission (rather than failing
/// every row).
pub async fn run(desk: &Desk, plan: &BulkPlan, control: RunControl) -> Result<BulkReport> {
    let refusals = refusals(desk, plan.kind);
    if !refusals.is_empty() {
        return Err(Error::NotAllowed {
            reason: refusals.join(" "),
        });
    }
    let runner = runner(desk);
    let mut rows = plan.preview.run_rows(&plan.csv);
    if plan.kind.actions().contains(&ActionKind::RevokeSessions) {
        rows = super::graph_actions::with_baselines(desk.graph(), rows).await;
    }
    runner
        .start(
            BulkRequest {
                playbook: plan.kind.playbook(),
                actor: desk.actor(),
                tenant_id: desk.tenant_id(),
                source_sha256: Some(plan.csv.content_sha256.clone()),
                rows,
                actions: plan.kind.actions(),
            },
            control,
        )
        .await
}

/// Continues an interrupted run: nothing answered is repeated, nothing unanswered is re-sent
/// before the tenant has been observed.
pub async fn resume(desk: &Desk, run_id: &str, control: RunControl) -> Result<BulkReport> {
    runner(desk).resume(run_id, control).await
}

/// The newest interrupted run over the same file (`--resume`).
pub fn unfinished_run(desk: &Desk, kind: BulkKind, file: &[u8]) -> Result<Option<String>> {
    let csv = parse_csv(file)?;
    Ok(desk
        .journal()
        .unfinished_run_for(kind.playbook(), &csv.content_sha256, &desk.tenant_id())?
        .map(|run| run.id))
}

fn runner(desk: &Desk) -> BulkRunner<GraphRowActions> {
    BulkRunner::new(
        Arc::clone(desk.journal()),
        Arc::new(GraphRowActions::new(desk.graph().clone())),
    )
    .as_signed_in(desk.actor(), desk.tenant_id())
}
