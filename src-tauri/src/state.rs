use std::path::{Path, PathBuf};

use playbooks::journal::{export_csv, export_json, ActionFilter, ActionRecord, Journal};
use playbooks::plan::UserFacingError;
use training_tenant::{Options, TrainingTenant};

use crate::dto::{AppStatus, DemoAccount, ExportFormat, SavedFile, TenantInfo};
use crate::error::CommandError;
use crate::training_controls::TrainingControls;

/// Everything the commands share, built once in Tauri's `setup`.
pub struct AppState {
    /// The in-process training tenant; kept alive for as long as the app runs.
    training: TrainingTenant,
    /// The audit journal shared with `provdesk`. A journal that cannot be opened does not stop
    /// the app: the journal screen (and anything that changes the tenant) shows why instead.
    journal: Result<Journal, UserFacingError>,
    /// Where exports are saved (the person's Downloads folder).
    exports_dir: PathBuf,
}

impl AppState {
    /// Starts the built-in training tenant on a free loopback port and opens the journal in the
    /// platform's app-data folder.
    pub async fn start_training(exports_dir: PathBuf) -> Result<Self, CommandError> {
        let journal = Journal::open_default().map_err(|err| UserFacingError::from(&err));
        if let Err(err) = &journal {
            tracing::error!(code = err.code, "journal unavailable: {}", err.message);
        }
        Self::start_training_with(journal, exports_dir).await
    }

    /// As [`AppState::start_training`], with a journal chosen by the caller (tests).
    pub async fn start_training_with(
        journal: Result<Journal, UserFacingError>,
        exports_dir: PathBuf,
    ) -> Result<Self, CommandError> {
        let training = TrainingTenant::start(Options::default())
            .await
            .map_err(|err| CommandError {
                code: "training_tenant_unavailable".into(),
                message: format!("The training tenant could not start: {err}."),
                hint: "Close other copies of Provisioning Desk and start it again.".into(),
            })?;
        tracing::info!(url = training.base_url(), "training tenant started");
        Ok(Self {
            training,
            journal,
            exports_dir,
        })
    }

    pub fn status(&self) -> AppStatus {
        let summary = self.training.summary();
        AppStatus {
            training: true,
            tenant: TenantInfo {
                organization: summary.organization.clone(),
                domain: summary.tenant_domain.clone(),
                tenant_id: summary.tenant_id.clone(),
            },
        }
    }

    /// The training tenant's demo accounts, for the sign-in screen.
    pub fn demo_accounts(&self) -> Vec<DemoAccount> {
        self.training
            .summary()
            .demo_accounts
            .iter()
            .map(|account| DemoAccount {
                user_principal_name: account.user_principal_name.clone(),
                display_name: account.display_name.clone(),
                roles: account.roles.clone(),
                description: account.description.clone(),
            })
            .collect()
    }

    /// The training band's controls over the in-process training tenant.
    pub fn training_controls(&self) -> TrainingControls<'_> {
        TrainingControls::new(self.training.state())
    }

    pub fn journal(&self) -> Result<&Journal, CommandError> {
        self.journal.as_ref().map_err(|err| err.clone().into())
    }

    /// Journal rows matching `filter`, newest first.
    pub fn journal_actions(
        &self,
        filter: &ActionFilter,
    ) -> Result<Vec<ActionRecord>, CommandError> {
        let mut actions = self.journal()?.actions(filter)?;
        actions.sort_by_key(|action| std::cmp::Reverse(action.intended_at));
        Ok(actions)
    }

    /// Saves the journal rows matching `filter` for the ticket, in the Downloads folder.
    pub fn export_journal(
        &self,
        filter: &ActionFilter,
        format: ExportFormat,
    ) -> Result<SavedFile, CommandError> {
        let actions = self.journal_actions(filter)?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let (name, bytes) = match format {
            ExportFormat::Csv => {
                let mut bytes = Vec::new();
                export_csv(&actions, &mut bytes)?;
                (format!("provisioning-desk-journal-{stamp}.csv"), bytes)
            }
            ExportFormat::Json => (
                format!("provisioning-desk-journal-{stamp}.json"),
                export_json(&actions)?.into_bytes(),
            ),
        };
        let path = write_export(&self.exports_dir, &name, &bytes)?;
        Ok(SavedFile {
            path: path.display().to_string(),
            rows: u32::try_from(actions.len()).unwrap_or(u32::MAX),
        })
    }
}

fn write_export(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, CommandError> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&path, bytes))
        .map_err(|err| CommandError {
            code: "export_not_saved".into(),
            message: format!("The export could not be saved in {}: {err}.", dir.display()),
            hint: "Check that the folder exists and that you may write to it, then export again."
                .into(),
        })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn state() -> (AppState, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::in_memory().map_err(|e| UserFacingError::from(&e));
        let state = AppState::start_training_with(journal, dir.path().to_path_buf())
            .await
            .expect("training tenant starts");
        (state, dir)
    }

    #[tokio::test]
    async fn starts_on_the_training_tenant_and_says_so() {
        let (state, _dir) = state().await;
        let status = state.status();
        assert!(
            status.training,
            "the home screen must show the training banner"
        );
        assert!(status.tenant.organization.contains("Contoso"));
        assert!(status.tenant.domain.ends_with(".onmicrosoft.com"));
    }

    #[tokio::test]
    async fn offers_the_demo_accounts_of_the_training_tenant() {
        let (state, _dir) = state().await;
        let accounts = state.demo_accounts();
        assert!(accounts
            .iter()
            .any(|a| a.roles.iter().any(|r| r == "User Administrator")));
        assert!(accounts
            .iter()
            .any(|a| a.roles.iter().any(|r| r == "Reports Reader")));
    }

    #[tokio::test]
    async fn an_unreadable_journal_is_explained_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let broken = Err(UserFacingError {
            code: "journal_unreadable".into(),
            message: "The journal file cannot be read.".into(),
            hint: "Move it aside.".into(),
        });
        let state = AppState::start_training_with(broken, dir.path().to_path_buf())
            .await
            .unwrap();
        let err = state.journal_actions(&ActionFilter::default()).unwrap_err();
        assert_eq!(err.code, "journal_unreadable");
    }

    #[tokio::test]
    async fn exports_the_journal_as_a_file() {
        let (state, dir) = state().await;
        let saved = state
            .export_journal(&ActionFilter::default(), ExportFormat::Csv)
            .unwrap();
        assert_eq!(saved.rows, 0);
        let text = std::fs::read_to_string(&saved.path).unwrap();
        assert!(text.starts_with("intended_at,"), "{text}");
        assert!(saved.path.starts_with(dir.path().to_str().unwrap()));
    }
}
