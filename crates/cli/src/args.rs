//! The command line, as clap reads it. `provdesk --help` and `provdesk help COMMAND` are
//! generated from the doc comments here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Provisioning Desk: guided Microsoft Entra ID provisioning (SCIM) procedures for helpdesk
/// staff — offboard, reactivate, re-link one person, restart sync, diagnose, check mappings,
/// bulk runs.
///
/// Works on a training tenant by default (`provdesk training serve` starts one; nothing you do
/// there touches real accounts), or on your tenant with `--profile NAME`.
///
/// Automation: set PROVDESK_ACCESS_TOKEN to a Microsoft Graph access token to skip sign-in (it
/// is read from the environment only, never from the command line, and never stored).
///
/// Exit codes: 0 done; 1 failed; 2 bad input (usage, unknown or ambiguous user/app, malformed
/// file, not confirmed); 3 partly done (some steps or rows failed, were skipped or need a check
/// by hand; see the journal); 4 not signed in or not allowed; 5 interrupted (resumable).
#[derive(Debug, Parser)]
#[command(name = "provdesk", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// `training` (default) or the name of a real-tenant profile: a settings file at
    /// `~/.config/provisioning-desk/profiles/NAME.json` (or `default`: the deployed settings file).
    #[arg(
        long,
        global = true,
        env = "PROVDESK_PROFILE",
        default_value = "training"
    )]
    pub profile: String,

    /// Base URL of a running training tenant (printed by `provdesk training serve`).
    #[arg(long, global = true, env = "PROVDESK_GRAPH_URL")]
    pub graph_url: Option<String>,

    /// Training only: behave as the desk does in this Microsoft cloud, to rehearse it (what
    /// Microsoft does not offer there, e.g. the provisioning logs in 21Vianet, is explained and
    /// not sent). A real tenant's cloud comes from its settings file: `"cloud"` is `global`,
    /// `usGovernment` (GCC High), `usGovernmentDod` (DoD), `china` (21Vianet) or `custom`.
    #[arg(long, global = true, value_enum, env = "PROVDESK_TRAINING_CLOUD")]
    pub training_cloud: Option<TrainingCloud>,

    /// Print JSON instead of tables and sentences.
    #[arg(long, global = true)]
    pub json: bool,

    /// The journal file (default: the app's, shared with the desktop app).
    #[arg(long, global = true, env = "PROVDESK_JOURNAL")]
    pub journal: Option<PathBuf>,
}

/// The Microsoft clouds a training tenant can stand in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrainingCloud {
    Global,
    /// US Government L4 (GCC High).
    UsGovernment,
    /// US Government L5 (DoD).
    UsGovernmentDod,
    /// China, operated by 21Vianet.
    China,
}

impl From<TrainingCloud> for entra_client::NationalCloud {
    fn from(cloud: TrainingCloud) -> Self {
        match cloud {
            TrainingCloud::Global => entra_client::NationalCloud::Global,
            TrainingCloud::UsGovernment => entra_client::NationalCloud::UsGovernment,
            TrainingCloud::UsGovernmentDod => entra_client::NationalCloud::UsGovernmentDod,
            TrainingCloud::China => entra_client::NationalCloud::China,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in (training: as a demo account, one click; real tenant: browser or device code).
    Login {
        /// Use a device code (sign in on another device) instead of the browser.
        #[arg(long)]
        device_code: bool,
        /// Training only: the demo account (UPN, name before @, or role such as "helpdesk").
        #[arg(long = "as")]
        account: Option<String>,
    },
    /// Forget the sign-in.
    Logout,
    /// Who you are, on which tenant, and what you may and may not do (and why).
    Whoami,
    /// Enterprise apps with automatic account sync (provisioning), and their sync status.
    Apps,
    /// The sync (provisioning) job of an app: status, last and next round, errors.
    Job {
        /// Display name or service principal id.
        app: String,
    },
    /// An app's attribute mappings as a table; `--lint` checks them (PD-MAP-00N findings).
    Mappings {
        app: String,
        #[arg(long)]
        lint: bool,
    },
    /// Provisioning log entries, explained.
    Logs {
        #[arg(long)]
        app: Option<String>,
        /// UPN or object id.
        #[arg(long)]
        user: Option<String>,
        /// How far back: 30m, 6h, 2d (default 24h).
        #[arg(long, default_value = "24h")]
        since: String,
        #[arg(long, value_enum)]
        status: Option<LogStatus>,
    },
    /// A person: sign-in state, and their apps with sync.
    User {
        /// UPN, object id, or name.
        user: String,
    },
    /// Offboard a person: turn off sign-in and end sessions (never deletes).
    Offboard {
        user: String,
        /// Temporary absence (default).
        #[arg(long, conflicts_with = "permanent")]
        temporary: bool,
        /// Permanent departure (deletion is offered as a later, separate step).
        #[arg(long)]
        permanent: bool,
        /// Ask for sync now (provision on demand). Microsoft cannot do that for someone disabled
        /// in Entra ID, so this only explains when each app follows; it never fails the command.
        #[arg(long)]
        push_now: bool,
        /// The later, separate step of a permanent departure: move the person to the recycle
        /// bin. Needs --confirm with their user principal name.
        #[arg(long, conflicts_with_all = ["temporary", "push_now"])]
        delete: bool,
        /// For --delete: the person's user principal name, typed exactly.
        #[arg(long, requires = "delete")]
        confirm_upn: Option<String>,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Reactivate a returning person (disabled, or in the recycle bin within 30 days).
    Reactivate {
        user: String,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Restart sync for an app, with a reset scope recommended from the job's state.
    Restart {
        app: String,
        /// Reset scope (default: the one recommended from the job's state and --symptom).
        #[arg(long, value_enum)]
        scope: Option<ScopeArg>,
        /// What is going wrong; drives the recommendation.
        #[arg(long, value_enum)]
        symptom: Option<SymptomArg>,
        /// Required for `--scope full` and `--scope force-deletes`: the app's display name, typed
        /// exactly.
        #[arg(long)]
        confirm: Option<String>,
        /// After restarting, wait for the next sync round to finish and report it (Ctrl-C stops
        /// waiting; the restart stays done).
        #[arg(long)]
        watch: bool,
        #[arg(long)]
        dry_run: bool,
        /// Do not ask (scripts).
        #[arg(long)]
        yes: bool,
    },
    /// Re-link one person: forget the stored link between them and their account in an app, and
    /// let Entra match them again.
    ///
    /// For one person linked to the wrong app account, or holding an account id the app no
    /// longer uses (it soft-deleted or re-created the account) — instead of restarting sync for
    /// everyone in scope. Uses a Microsoft preview (beta) API (object connections), which
    /// Microsoft may still change.
    ///
    /// Steps: pause the app's sync, check that it reads as paused, forget the link, sync the
    /// person now (not for someone whose sign-in is off in Entra), check the new link, start sync
    /// again. Starting again is tried whenever the sync may have been paused, even if a step in
    /// between failed. No account is deleted in Entra or in the app; nobody else is touched.
    ///
    /// If a re-link is interrupted (crash, closed terminal, kill) the app's sync may stay
    /// paused: every provdesk command that signs in then says so, with who paused it and when,
    /// and `provdesk relink --resume-job APP` starts it again (journaled).
    #[command(verbatim_doc_comment)]
    Relink {
        /// The person: UPN, object id or e-mail address.
        #[arg(required_unless_present = "resume_job")]
        user: Option<String>,
        /// The app: display name or service principal id.
        #[arg(long, required_unless_present = "resume_job")]
        app: Option<String>,
        /// Start again the sync of APP that an interrupted re-link left paused.
        #[arg(long, value_name = "APP", conflicts_with_all = ["user", "app"])]
        resume_job: Option<String>,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// "We deleted someone and nothing happened in the app": the ordered checks.
    Diagnose {
        user: String,
        #[arg(long)]
        app: String,
    },
    /// Bulk offboarding or reactivation from a CSV file (UPN or object id per row).
    Bulk {
        #[arg(value_enum)]
        action: BulkAction,
        file: PathBuf,
        /// Continue the interrupted run over this same file.
        #[arg(long)]
        resume: bool,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// The audit journal: list, or export for the ticket.
    Journal {
        #[arg(long, value_enum)]
        export: Option<ExportFormat>,
        /// Only this run.
        #[arg(long)]
        run: Option<String>,
        /// Check every change an interrupted session left without an answer (an offboarding,
        /// welcome-back, deletion or restart cut off by a crash) against the tenant, and journal
        /// what happened. Sends no change: one that did not happen is done again from its
        /// procedure, with a fresh preview.
        #[arg(long, conflicts_with_all = ["export", "run"])]
        finish: bool,
    },
    /// The training tenant.
    Training {
        #[command(subcommand)]
        command: TrainingCommand,
    },
    /// Shell completions: `provdesk completions bash > /etc/bash_completion.d/provdesk`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct Confirm {
    /// Show what would happen; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (scripts).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum TrainingCommand {
    /// Run a training tenant on 127.0.0.1 until Ctrl-C; prints its URL on the first line.
    Serve {
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: std::net::SocketAddr,
        /// `contoso`, `contoso-large`, or a scenario file (.json).
        #[arg(long, default_value = "contoso")]
        scenario: String,
        /// Graph-like throttling and latency.
        #[arg(long)]
        realistic: bool,
        /// Adds this many enterprise apps without account sync (as in a large real tenant).
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=20_000))]
        extra_apps: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogStatus {
    Success,
    Skipped,
    Failure,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// Restart: the next round re-evaluates everyone in scope, links kept (Watermark, Escrows,
    /// QuarantineState).
    Default,
    /// Start sync from scratch: every user re-evaluated, cached links dropped.
    Full,
    /// Clear quarantine.
    Quarantine,
    /// Let the deletions held back by the accidental-deletion threshold through (review them
    /// first; needs --confirm with the app's name).
    ForceDeletes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SymptomArg {
    /// The app shows the wrong person linked, or a stale account.
    WrongLink,
    /// Sync paused because of repeated errors.
    Quarantined,
    /// Deletions held back by the accidental-deletion threshold.
    DeletesHeldBack,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BulkAction {
    Offboard,
    Reactivate,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}
