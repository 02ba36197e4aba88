//! Types that cross the command boundary. Defined once here and exported to TypeScript
//! (`ui/src/lib/bindings/`) by `cargo test`; the UI never redeclares them.

use serde::Serialize;
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
