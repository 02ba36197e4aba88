//! Types that cross the command boundary. Defined once here and exported to TypeScript
//! (`ui/src/lib/bindings/`) by `cargo test`; the UI never redeclares them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which tenant the app is connected to.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TenantInfo {
    pub organization: String,
    pub domain: String,
    pub tenant_id: String,
}

/// What the home screen needs to know at start.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppStatus {
    /// True on the built-in training tenant: the UI shows the training banner.
    pub training: bool,
    pub tenant: TenantInfo,
}

/// The training tenant's virtual clock, as the training band shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrainingClock {
    /// RFC 3339.
    pub now: String,
    /// How far the virtual clock is ahead of real time.
    pub days_ahead: f64,
    /// People permanently deleted by this move of the clock (30 days in the recycle bin over).
    pub permanently_deleted: Vec<String>,
}

/// A journal export written to disk.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedFile {
    pub path: String,
    /// How many journal rows it holds.
    pub rows: u32,
}

/// The file formats of a journal export.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// One SCIM request the training engine sent to an app, with the app's answer ("What Entra
/// sent to the app").
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScimRequest {
    /// RFC 3339, on the training clock.
    pub at: String,
    pub app: String,
    pub method: String,
    pub path: String,
    /// Pretty-printed JSON.
    pub request_body: Option<String>,
    pub status: u16,
    pub response_body: Option<String>,
}

/// What "Run the next provisioning cycle now" did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CycleReport {
    pub clock: TrainingClock,
    /// Provisioning log entries the rounds wrote.
    pub log_entries: u32,
}

/// The sign-in restored at start, or why not (a plain sentence for the sign-in screen).
#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RestoredSignIn {
    /// Who is signed in now; `null` shows the sign-in screen.
    pub who: Option<playbooks::WhoAmI>,
    /// Why the last sign-in could not be restored.
    pub notice: Option<String>,
}
