//! People synced from on-premises Active Directory (`onPremisesSyncEnabled`, graph-api.md §11.8):
//! what the desk says about them.
//!
//! Microsoft's offboarding for a hybrid environment disables the user in on-premises Active
//! Directory as well as in Entra (entra-docs `identity/users/users-revoke-access.md`, "Revoke
//! access for a user in the hybrid environment"). The directory sync runs every 30 minutes by
//! default (entra-docs `identity/hybrid/connect/how-to-connect-sync-feature-scheduler.md`).
//!
//! Whether Graph refuses `accountEnabled` itself for a synced user is not documented. We take
//! the cautious reading on both sides: the cloud change is accepted, and the next directory
//! sync puts back what on-premises says. So a change made only here does not last.

/// The fact line on a preview.
pub const FACT: &str = "Synced from your on-premises directory (Active Directory)";

/// Offboard preview: turning off sign-in here alone does not last.
pub fn offboard_warning(name: &str) -> String {
    format!(
        "{name} is synced from your on-premises directory. Turning off sign-in here is undone at the next directory sync (within about 30 minutes) unless {name}'s account in your on-premises Active Directory is disabled too."
    )
}

/// Offboard result: the follow-up for the ticket.
pub fn offboard_follow_up(name: &str) -> String {
    format!(
        "Disable {name}'s account in your on-premises Active Directory, or sign-in comes back at the next directory sync, within about 30 minutes."
    )
}

/// Reactivate preview and result: turning sign-in on here alone does not last either.
pub fn reactivate_warning(name: &str) -> String {
    format!(
        "{name} is synced from your on-premises directory. Turning sign-in back on here is undone at the next directory sync (within about 30 minutes) if {name}'s account in your on-premises Active Directory stays disabled: enable it there too."
    )
}
