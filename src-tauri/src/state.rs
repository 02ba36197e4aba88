use std::path::{Path, PathBuf};
use std::sync::Arc;

use playbooks::find::{self, PersonMatch};
use playbooks::journal::{export_csv, export_json, ActionFilter, ActionRecord, Journal};
use playbooks::plan::UserFacingError;
use playbooks::tenant::{TrainingApp, TrainingDemoAccount};
use playbooks::{Desk, TenantConnection, TenantProfile, WhoAmI};
use tauri::ipc::Channel;
use tokio::sync::RwLock;

use crate::bulk_control::BulkControl;
use crate::dto::{AppStatus, ExportFormat, RestoredSignIn, SavedFile, TenantInfo};
use crate::error::CommandError;
use crate::organization::{self, DeviceCodeView, OrganizationSettings, SignInMethod};
use crate::restart_watch::RestartWatches;
use crate::sign_in_memory::{LastSignIn, SignInMemory};
use crate::training_controls::TrainingControls;

/// The environment variable that sizes the training tenant: how many generated people it holds
/// besides the scenario's story people (e.g. `PROVDESK_TRAINING_PEOPLE=1500` for a 1,000-row
/// bulk file). Unset: the scenario's own population (about 200).
pub const TRAINING_PEOPLE_VAR: &str = "PROVDESK_TRAINING_PEOPLE";

/// The most generated people the variable may ask for (the tenant is tested up to this).
const MAX_TRAINING_PEOPLE: usize = 100_000;

/// The environment variable that adds enterprise apps without account sync to the training
/// tenant (e.g. `PROVDESK_TRAINING_EXTRA_APPS=3000`, as in a large real tenant). Unset: none.
pub const TRAINING_EXTRA_APPS_VAR: &str = "PROVDESK_TRAINING_EXTRA_APPS";

/// The most extra apps the variable may ask for.
const MAX_TRAINING_EXTRA_APPS: usize = 20_000;

/// The environment variable that sets the built-in training tenant's control token (at least
/// 32 letters, digits, `-` or `_`), for a test harness that drives the tenant's `/_training/`
/// controls over HTTP. Unset (the normal case): a fresh random token nobody outside the app
/// knows — the app itself drives the tenant in-process (`TrainingControls`), never over HTTP.
pub const TRAINING_CONTROL_TOKEN_VAR: &str = "PROVDESK_TRAINING_CONTROL_TOKEN";

/// [`TRAINING_CONTROL_TOKEN_VAR`]'s value when it is a usable token; a random one otherwise.
fn training_control_token(raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    match training_tenant::control_guard::ControlToken::chosen(raw) {
        Some(token) => Some(token.as_str().to_string()),
        None => {
            tracing::warn!("{TRAINING_CONTROL_TOKEN_VAR} ignored: too short or not letters and digits; a random token is used");
            None
        }
    }
}

/// The built-in training tenant's options, sized by [`TRAINING_PEOPLE_VAR`] and
/// [`TRAINING_EXTRA_APPS_VAR`] when set.
fn training_options() -> training_tenant::Options {
    let raw = std::env::var(TRAINING_PEOPLE_VAR).ok();
    let population = match training_population(raw.as_deref()) {
        Ok(population) => population,
        Err(why) => {
            tracing::warn!("{TRAINING_PEOPLE_VAR} ignored: {why}");
            None
        }
    };
    let raw = std::env::var(TRAINING_EXTRA_APPS_VAR).ok();
    let extra_apps = match training_extra_apps(raw.as_deref()) {
        Ok(apps) => apps,
        Err(why) => {
            tracing::warn!("{TRAINING_EXTRA_APPS_VAR} ignored: {why}");
            None
        }
    };
    let control_token =
        training_control_token(std::env::var(TRAINING_CONTROL_TOKEN_VAR).ok().as_deref());
    training_tenant::Options {
        population,
        extra_apps,
        control_token,
        ..training_tenant::Options::default()
    }
}

/// Reads [`TRAINING_PEOPLE_VAR`]'s value: a whole number from 1 to 100,000 ("1,500" and
/// "1_500" read as 1500); `None` when unset or blank.
fn training_population(raw: Option<&str>) -> Result<Option<usize>, String> {
    training_count(raw, "people", MAX_TRAINING_PEOPLE)
}

/// Reads [`TRAINING_EXTRA_APPS_VAR`]'s value: a whole number from 1 to 20,000 ("3,000" reads
/// as 3000); `None` when unset or blank.
fn training_extra_apps(raw: Option<&str>) -> Result<Option<usize>, String> {
    training_count(raw, "apps", MAX_TRAINING_EXTRA_APPS)
}

/// A count of `what` from 1 to `max` as a person types it ("1,500", "1_500"); `None` when unset
/// or blank, a plain sentence when it is not a usable number.
fn training_count(raw: Option<&str>, what: &str, max: usize) -> Result<Option<usize>, String> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let count: usize = raw
        .replace([',', '_'], "")
        .parse()
        .map_err(|_| format!("\"{raw}\" is not a whole number of {what}"))?;
    if count == 0 || count > max {
        return Err(format!("{count} is outside 1 to {max} {what}"));
    }
    Ok(Some(count))
}

/// Everything the commands share, built once in Tauri's `setup`.
pub struct AppState {
    /// The tenant the app works on: by default a training tenant running in this process.
    connection: TenantConnection,
    /// The signed-in person with the journal: what every playbook takes. `None` until sign-in.
    desk: RwLock<Option<Desk>>,
    /// The audit journal shared with `provdesk`. A journal that cannot be opened does not stop
    /// the app: the history screen (and sign-in, since changes must be recorded) says why.
    journal: Result<Arc<Journal>, UserFacingError>,
    /// Where exports are saved (the person's Downloads folder).
    exports_dir: PathBuf,
    /// The running bulk run's cancel switch.
    pub bulk: BulkControl,
    /// The restart wizard's watch on the next sync round.
    pub restart_watches: RestartWatches,
    /// Who signed in last time, restored at start.
    memory: SignInMemory,
}

impl AppState {
    /// Starts the built-in training tenant on a free loopback port and opens the journal in the
    /// platform's app-data folder.
    pub async fn start_training(exports_dir: PathBuf) -> Result<Self, CommandError> {
        let journal = Journal::open_default().map_err(|err| UserFacingError::from(&err));
        if let Err(err) = &journal {
            tracing::error!(code = err.code, "journal unavailable: {}", err.message);
        }
        Self::start_training_with(journal.map(Arc::new), exports_dir).await
    }

    /// As [`AppState::start_training`], with a journal chosen by the caller (tests).
    pub async fn start_training_with(
        journal: Result<Arc<Journal>, UserFacingError>,
        exports_dir: PathBuf,
    ) -> Result<Self, CommandError> {
        let profile = TenantProfile::TrainingInProcess(training_options());
        let connection = TenantConnection::connect(profile).await?;
        tracing::info!(url = connection.training_url(), "training tenant started");
        Ok(Self {
            connection,
            desk: RwLock::new(None),
            journal,
            exports_dir,
            bulk: BulkControl::default(),
            restart_watches: RestartWatches::default(),
            memory: SignInMemory::none(),
        })
    }

    /// Remembers each sign-in in `memory` and restores it at the next start.
    pub fn with_sign_in_memory(mut self, memory: SignInMemory) -> Self {
        self.memory = memory;
        self
    }

    /// Which tenant: the real one a person signed in to, or the training tenant.
    pub async fn status(&self) -> AppStatus {
        if let Some(desk) = self
            .desk
            .read()
            .await
            .as_ref()
            .filter(|desk| !desk.connection().is_training())
        {
            let tenant_id = desk.tenant_id();
            return AppStatus {
                training: false,
                tenant: TenantInfo {
                    organization: "Your organization".into(),
                    domain: desk.connection().tenant_id().to_string(),
                    tenant_id,
                },
            };
        }
        let training = self.connection.training();
        AppStatus {
            training: self.connection.is_training(),
            tenant: TenantInfo {
                organization: training.map(|t| t.organization.clone()).unwrap_or_default(),
                domain: training
                    .map(|t| t.tenant_domain.clone())
                    .unwrap_or_default(),
                tenant_id: self.connection.tenant_id().to_string(),
            },
        }
    }

    /// The training tenant's demo accounts, for the sign-in screen (none on a real tenant).
    pub fn demo_accounts(&self) -> Vec<TrainingDemoAccount> {
        self.connection
            .training()
            .map(|t| t.demo_accounts.clone())
            .unwrap_or_default()
    }

    /// The training tenant's apps, for suggestions in the app field.
    pub fn app_suggestions(&self) -> Vec<TrainingApp> {
        self.connection
            .training()
            .map(|t| t.apps.clone())
            .unwrap_or_default()
    }

    /// One-click sign-in as a training demo account.
    pub async fn sign_in_demo(&self, account: &str) -> Result<WhoAmI, CommandError> {
        let journal = self.journal.clone().map_err(CommandError::from)?;
        let signed_in = self.connection.sign_in_as_demo(account).await?;
        let desk = Desk::new(signed_in, journal);
        let whoami = desk.whoami();
        *self.desk.write().await = Some(desk);
        self.memory.remember(&LastSignIn::Training {
            account: whoami.account.clone(),
        });
        Ok(whoami)
    }

    /// Signs in to a real tenant from the "Connect your organization" form. The training tenant
    /// keeps running (its band disappears: the status now names the real tenant).
    pub async fn sign_in_organization(
        &self,
        settings: &OrganizationSettings,
        method: SignInMethod,
        prompt: Channel<DeviceCodeView>,
    ) -> Result<WhoAmI, CommandError> {
        let journal = self.journal.clone().map_err(CommandError::from)?;
        let config = organization::to_config(settings)?;
        let connection = TenantConnection::connect(TenantProfile::Tenant(config)).await?;
        let signed_in = match method {
            SignInMethod::Browser => connection.sign_in_with_browser().await?,
            SignInMethod::DeviceCode => {
                let pending = connection.start_device_code().await?;
                let shown = pending.prompt();
                let _ = prompt.send(DeviceCodeView {
                    user_code: shown.user_code.clone(),
                    verification_uri: shown.verification_uri.clone(),
                    message: shown.message.clone(),
                });
                let tokens = pending.finish().await.map_err(playbooks::Error::from)?;
                connection.signed_in_with(tokens).await?
            }
        };
        let desk = Desk::new(signed_in, journal);
        let whoami = desk.whoami();
        *self.desk.write().await = Some(desk);
        if whoami.remembered {
            self.memory.remember(&LastSignIn::Organization {
                settings: settings.clone(),
            });
        } else {
            // No keychain: the tokens are gone when the app closes, so there is nothing to restore.
            self.memory.forget();
        }
        Ok(whoami)
    }

    /// At start: signs in again as the person who signed in last time. Whatever goes wrong
    /// (token expired or revoked, keychain unavailable, account gone) leads to the sign-in
    /// screen with a plain sentence, and the memory is dropped so it is said only once.
    pub async fn restore_sign_in(&self) -> RestoredSignIn {
        if let Some(who) = self.whoami().await {
            return RestoredSignIn {
                who: Some(who),
                notice: None,
            };
        }
        let Some(last) = self.memory.recall() else {
            return RestoredSignIn::default();
        };
        let restored = match &last {
            LastSignIn::Training { account } => self.restore_training(account).await,
            LastSignIn::Organization { settings } => self.restore_organization(settings).await,
        };
        match restored {
            Ok(who) => RestoredSignIn {
                who: Some(who),
                notice: None,
            },
            Err(notice) => {
                tracing::info!("last sign-in not restored: {notice}");
                self.memory.forget();
                RestoredSignIn {
                    who: None,
                    notice: Some(notice),
                }
            }
        }
    }

    async fn restore_training(&self, account: &str) -> Result<WhoAmI, String> {
        if !self.connection.is_training() {
            return Err(format!(
                "You were signed in to the training tenant as {account}; it is not available now. Choose how to sign in."
            ));
        }
        self.sign_in_demo(account).await.map_err(|err| {
            format!(
                "You were signed in as {account} last time; signing in as them again did not work. {} Choose an account to sign in.",
                err.message
            )
        })
    }

    async fn restore_organization(
        &self,
        settings: &OrganizationSettings,
    ) -> Result<WhoAmI, String> {
        let tenant = settings.tenant_id.trim();
        let again = |why: &str| {
            format!("Your sign-in to {tenant} could not be restored: {why} Please sign in again.")
        };
        let journal = self.journal.clone().map_err(|err| again(&err.message))?;
        let config = organization::to_config(settings).map_err(|err| again(&err.message))?;
        let connection = TenantConnection::connect(TenantProfile::Tenant(config))
            .await
            .map_err(|err| again(&CommandError::from(err).message))?;
        let signed_in = match connection.restore().await {
            Ok(Some(signed_in)) => signed_in,
            Ok(None) => {
                return Err(again(
                    "it is no longer kept in this computer's keychain (or the keychain is not available).",
                ))
            }
            Err(err) => return Err(again(&CommandError::from(err).message)),
        };
        let desk = Desk::new(signed_in, journal);
        let whoami = desk.whoami();
        *self.desk.write().await = Some(desk);
        Ok(whoami)
    }

    /// Who is signed in, and what they may do; `None` before sign-in.
    pub async fn whoami(&self) -> Option<WhoAmI> {
        self.desk.read().await.as_ref().map(Desk::whoami)
    }

    /// Forgets the sign-in (and, for a real tenant, the keychain entry).
    pub async fn sign_out(&self) -> Result<(), CommandError> {
        self.memory.forget();
        if let Some(desk) = self.desk.write().await.take() {
            desk.signed_in().sign_out().await?;
        }
        Ok(())
    }

    /// The signed-in desk, or the error that sends the person to the sign-in screen.
    pub async fn desk(&self) -> Result<Desk, CommandError> {
        self.desk.read().await.clone().ok_or_else(|| CommandError {
            code: "not_signed_in".into(),
            message: "Nobody is signed in.".into(),
            hint: "Sign in first: choose an account on the sign-in screen.".into(),
        })
    }

    /// The search box: the directory by name, UPN, mail or employee id; when that finds nobody
    /// and the query is an address, everyone it names as other e-mail or alias, then the recycle
    /// bin (Playbook 2: "find the person, including in Deleted users"); for an object id, the
    /// recycle bin. `playbooks::find::search_people` covers the directory by name only.
    pub async fn search_people(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<PersonMatch>, CommandError> {
        let desk = self.desk().await?;
        let found = find::search_people(&desk, query, limit).await?;
        let exact = query.contains('@') || query.trim().len() == 36;
        if !found.is_empty() || !exact {
            return Ok(found);
        }
        if query.contains('@') {
            // All candidates, each with how it was found: the operator chooses.
            return Ok(find::find_people_by_address(&desk, query).await?);
        }
        match find::find_person(&desk, query).await {
            Ok(person) => Ok(vec![person]),
            Err(playbooks::Error::PersonNotFound { .. }) => Ok(Vec::new()),
            Err(error) => Err(error.into()),
        }
    }

    /// The training band's controls over the in-process training tenant.
    pub fn training_controls(&self) -> Result<TrainingControls<'_>, CommandError> {
        self.connection
            .in_process_tenant()
            .map(|tenant| TrainingControls::new(tenant.state()))
            .ok_or_else(|| CommandError {
                code: "not_training".into(),
                message: "This is not the training tenant.".into(),
                hint: "Clock and reset controls exist only on the built-in training tenant.".into(),
            })
    }

    pub fn journal(&self) -> Result<&Journal, CommandError> {
        self.journal.as_deref().map_err(|err| err.clone().into())
    }

    /// Journal rows matching `filter`, newest first.
    pub fn journal_actions(
        &self,
        filter: &ActionFilter,
    ) -> Result<Vec<ActionRecord>, CommandError> {
        // The journal answers oldest first, in the order the actions were written (a bulk run
        // writes many in the same millisecond): reversed, the last one written comes first.
        let mut actions = self.journal()?.actions(filter)?;
        actions.reverse();
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
    // The export says what was done to whom: a new file is the owner's only (0600), and so is a
    // folder created for it (0700); an existing Downloads folder keeps its mode.
    playbooks::private_files::create_private_folder(dir)
        .and_then(|()| playbooks::private_files::write_private_file(&path, bytes))
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
        let journal = Journal::in_memory()
            .map(Arc::new)
            .map_err(|e| UserFacingError::from(&e));
        let state = AppState::start_training_with(journal, dir.path().to_path_buf())
            .await
            .expect("training tenant starts");
        (state, dir)
    }

    #[test]
    fn a_chosen_control_token_is_used_only_when_it_is_hard_to_guess() {
        let chosen = "e2e-harness-token-0123456789abcdef";
        assert_eq!(
            training_control_token(Some(chosen)).as_deref(),
            Some(chosen)
        );
        assert_eq!(training_control_token(Some("1234")), None);
        assert_eq!(training_control_token(Some("  ")), None);
        assert_eq!(training_control_token(None), None);
    }

    #[test]
    fn the_training_population_is_read_from_the_environment_value() {
        assert_eq!(training_population(None), Ok(None));
        assert_eq!(training_population(Some(" ")), Ok(None));
        assert_eq!(training_population(Some("1500")), Ok(Some(1500)));
        assert_eq!(training_population(Some("1,500")), Ok(Some(1500)));
        assert!(training_population(Some("many")).is_err());
        assert!(training_population(Some("0")).is_err());
        assert!(training_population(Some("100001")).is_err());
    }

    #[test]
    fn the_extra_training_apps_are_read_from_the_environment_value() {
        assert_eq!(training_extra_apps(None), Ok(None));
        assert_eq!(training_extra_apps(Some("3,000")), Ok(Some(3000)));
        assert!(training_extra_apps(Some("lots")).is_err());
        assert!(training_extra_apps(Some("0")).is_err());
        assert!(training_extra_apps(Some("20001")).is_err());
    }

    #[tokio::test]
    async fn starts_on_the_training_tenant_and_says_so() {
        let (state, _dir) = state().await;
        let status = state.status().await;
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
    async fn signs_in_as_a_demo_account_and_says_what_it_may_do() {
        let (state, _dir) = state().await;
        assert!(state.whoami().await.is_none());
        let whoami = state.sign_in_demo("User Administrator").await.unwrap();
        assert!(whoami.training);
        assert!(whoami.roles.iter().any(|r| r == "User Administrator"));
        assert!(whoami.capabilities.iter().any(|c| c.allowed));
        assert!(whoami.capabilities.iter().any(|c| !c.allowed));
        state.sign_out().await.unwrap();
        assert!(state.whoami().await.is_none());
        assert_eq!(state.desk().await.unwrap_err().code, "not_signed_in");
    }

    /// Playbook 3 to its end on the training tenant: Expensely is paused because its token
    /// expired; once the token is renewed and the quarantine cleared, the watch reports the next
    /// round, and the job is no longer in quarantine.
    #[tokio::test]
    async fn the_watch_reports_the_first_round_after_a_restart() {
        use playbooks::restart::{self, ScopeChoice};

        let (state, _dir) = state().await;
        let desk_who = state
            .sign_in_demo("Application Administrator")
            .await
            .unwrap();
        assert!(desk_who.training);
        let desk = state.desk().await.unwrap();
        let preview = restart::preview(&desk, "Expensely", None, None)
            .await
            .unwrap();
        assert_eq!(preview.recommended, ScopeChoice::Quarantine);
        assert_eq!(preview.sync.job_status.as_deref(), Some("Quarantine"));

        let controls = state.training_controls().unwrap();
        assert_eq!(
            controls.renew_token("Expensely").as_deref(),
            Some("Expensely")
        );
        assert_eq!(controls.renew_token("No such app"), None);
        // The tenant stamps rounds to the whole second and ran Expensely's failing round as it
        // started, likely in this very second: the watch still tells the next round apart.
        let (tx, _rx) = tokio::sync::mpsc::channel(16);
        let result = restart::run(&desk, &preview, None, &tx).await.unwrap();

        // Nothing has run yet: the watch is still waiting when it is stopped.
        let watch = state.restart_watches.start("w1");
        let every = crate::restart_watch::poll_interval(true);
        let cancel = watch.cancel.clone();
        let stopper = async {
            tokio::time::sleep(every * 2).await;
            state.restart_watches.stop("w1");
        };
        let (waited, ()) = tokio::join!(
            restart::watch(&desk, &preview, &result, every, cancel),
            stopper
        );
        assert_eq!(waited.unwrap(), None, "no round has run since the restart");
        drop(watch);

        controls.run_next_cycle();
        let watch = state.restart_watches.start("w2");
        // A guard against a hang, not a timing check: the round has already ended.
        let round = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            restart::watch(&desk, &preview, &result, every, watch.cancel.clone()),
        )
        .await
        .expect("the watch sees a round that has already ended")
        .unwrap()
        .expect("the round after the restart is seen");
        assert!(
            round
                .summary
                .contains("completed a sync round after the restart"),
            "{round:?}"
        );
        assert_ne!(
            round.sync.job_status.as_deref(),
            Some("Quarantine"),
            "{round:?}"
        );
    }

    async fn state_remembering_in(dir: &Path) -> AppState {
        let journal = Journal::in_memory()
            .map(Arc::new)
            .map_err(|e| UserFacingError::from(&e));
        AppState::start_training_with(journal, dir.to_path_buf())
            .await
            .expect("training tenant starts")
            .with_sign_in_memory(SignInMemory::in_dir(dir))
    }

    #[tokio::test]
    async fn the_next_start_opens_signed_in_as_last_time_until_sign_out() {
        let dir = tempfile::tempdir().unwrap();
        let first = state_remembering_in(dir.path()).await;
        assert_eq!(first.restore_sign_in().await.who, None, "nobody yet");
        let who = first.sign_in_demo("Reports Reader").await.unwrap();
        drop(first);

        let second = state_remembering_in(dir.path()).await;
        let restored = second.restore_sign_in().await;
        assert_eq!(restored.notice, None);
        assert_eq!(restored.who.map(|w| w.account), Some(who.account));
        assert!(second.desk().await.is_ok(), "the wizards work at once");
        second.sign_out().await.unwrap();
        drop(second);

        let third = state_remembering_in(dir.path()).await;
        let restored = third.restore_sign_in().await;
        assert_eq!((restored.who, restored.notice), (None, None));
    }

    #[tokio::test]
    async fn a_sign_in_that_cannot_be_restored_is_explained_once() {
        let dir = tempfile::tempdir().unwrap();
        let memory = SignInMemory::in_dir(dir.path());
        memory.remember(&LastSignIn::Training {
            account: "gone@contoso-training.onmicrosoft.com".into(),
        });
        let state = state_remembering_in(dir.path()).await;
        let restored = state.restore_sign_in().await;
        assert_eq!(restored.who, None);
        let notice = restored.notice.unwrap();
        assert!(notice.contains("gone@contoso-training"), "{notice}");
        assert!(notice.contains("sign in"), "{notice}");
        assert_eq!(memory.recall(), None, "said once, then forgotten");

        // An organization whose tokens are not (or no longer) in the keychain.
        memory.remember(&LastSignIn::Organization {
            settings: crate::organization::OrganizationSettings {
                cloud: "global".into(),
                authority: None,
                graph: None,
                tenant_id: "fabrikam.onmicrosoft.com".into(),
                client_id: "0f5b6c1a-7d24-4b8e-9a31-4c2e8d7f1a01".into(),
                source: None,
            },
        });
        let restored = state.restore_sign_in().await;
        assert_eq!(restored.who, None);
        let notice = restored.notice.unwrap();
        assert!(notice.contains("fabrikam.onmicrosoft.com"), "{notice}");
        assert!(notice.contains("Please sign in again"), "{notice}");
        assert_eq!(
            state.status().await.tenant.organization,
            "Contoso (training)"
        );
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
    async fn the_history_shows_the_last_change_first_even_within_one_millisecond() {
        use playbooks::journal::{ActionIntent, ActionKind, Actor, NewRun, TargetRecord};
        use playbooks::plan::PlaybookKind;

        let dir = tempfile::tempdir().unwrap();
        let frozen = chrono::Utc::now();
        let journal = Journal::in_memory()
            .unwrap()
            .with_clock(Arc::new(move || frozen));
        let run = journal
            .start_run(NewRun {
                playbook: PlaybookKind::BulkOffboard,
                actor: Actor {
                    upn: "helpdesk@contoso-training.onmicrosoft.com".into(),
                    oid: "oid".into(),
                },
                tenant_id: "contoso-training".into(),
                input: None,
            })
            .unwrap();
        for row in 1..=3u32 {
            journal
                .record_intent(ActionIntent {
                    run_id: run.id.clone(),
                    actor: None,
                    step: "disable".into(),
                    row: Some(row),
                    target: TargetRecord {
                        id: format!("id-{row}"),
                        display_name: format!("Row {row}"),
                    },
                    kind: ActionKind::Disable,
                    request_summary: format!("PATCH /users/id-{row}"),
                })
                .unwrap();
        }
        let state = AppState::start_training_with(Ok(Arc::new(journal)), dir.path().to_path_buf())
            .await
            .unwrap();
        let names: Vec<String> = state
            .journal_actions(&ActionFilter::default())
            .unwrap()
            .into_iter()
            .map(|action| action.target.display_name)
            .collect();
        assert_eq!(names, ["Row 3", "Row 2", "Row 1"]);
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

    /// Issue 13 item 11: an export is the owner's only (0600) in a folder created for it (0700).
    #[cfg(unix)]
    #[tokio::test]
    async fn an_export_is_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let exports = dir.path().join("Downloads");
        let journal = Journal::in_memory()
            .map(Arc::new)
            .map_err(|e| UserFacingError::from(&e));
        let state = AppState::start_training_with(journal, exports.clone())
            .await
            .expect("training tenant starts");
        let saved = state
            .export_journal(&ActionFilter::default(), ExportFormat::Json)
            .unwrap();
        assert_eq!(mode(&exports), 0o700);
        assert_eq!(mode(Path::new(&saved.path)), 0o600);
    }
}
