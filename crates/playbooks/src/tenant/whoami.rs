//! "Who am I": the signed-in person, the tenant, and what they may and may not do, and why.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::sign_in::SignedIn;

/// What the home screen and `provdesk whoami` show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    /// User principal name (or the app's id for an app-only token).
    pub account: String,
    pub display_name: Option<String>,
    pub object_id: Option<String>,
    pub tenant_id: String,
    /// True on a training tenant ("nothing you do here touches real accounts").
    pub training: bool,
    /// The sign-in is kept in the system keychain for next time.
    pub remembered: bool,
    /// Entra roles held, by name ("User Administrator").
    pub roles: Vec<String>,
    /// Every operation the procedures use, in a fixed order.
    pub capabilities: Vec<CapabilityView>,
}

/// One operation and whether this person may perform it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityView {
    /// Stable name of the operation ("SetAccountEnabled").
    pub operation: String,
    /// Plain words: "disable or re-enable accounts".
    pub description: String,
    /// The sign-in shows it allowed.
    pub allowed: bool,
    /// Not shown in the sign-in, but Graph may allow it (a role limited to an administrative
    /// unit, or a custom role): the desk tries and explains a refusal.
    pub unconfirmed: bool,
    /// For a refusal or a doubt: what is missing and whom to ask.
    pub explanation: Option<String>,
}

impl WhoAmI {
    pub(crate) fn new(signed_in: &SignedIn) -> Self {
        let claims = signed_in.claims();
        WhoAmI {
            account: signed_in.account(),
            display_name: signed_in
                .me()
                .map_or_else(|| claims.name.clone(), |me| me.display_name.clone()),
            object_id: signed_in
                .me()
                .map(|me| me.id.clone())
                .or_else(|| claims.oid.clone()),
            tenant_id: signed_in.tenant_id(),
            training: signed_in.connection().is_training(),
            remembered: signed_in.is_remembered(),
            roles: claims
                .granted_access()
                .known_roles()
                .into_iter()
                .map(|role| role.display_name().to_string())
                .collect(),
            capabilities: signed_in
                .preflight()
                .into_iter()
                .map(|capability| CapabilityView {
                    operation: format!("{:?}", capability.operation),
                    description: capability.operation.describe().to_string(),
                    allowed: capability.allowed,
                    unconfirmed: capability.unconfirmed,
                    explanation: capability.explanation,
                })
                .collect(),
        }
    }

    /// Plain text for the terminal and the ticket.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "Signed in as {}{} on tenant {}{}\n",
            self.account,
            self.display_name
                .as_deref()
                .map(|name| format!(" ({name})"))
                .unwrap_or_default(),
            self.tenant_id,
            if self.training {
                " — training tenant: nothing you do here touches real accounts"
            } else {
                ""
            }
        );
        if self.roles.is_empty() {
            out.push_str("Roles: none\n");
        } else {
            out.push_str(&format!("Roles: {}\n", self.roles.join(", ")));
        }
        out.push_str("\nYou may:\n");
        for capability in self.capabilities.iter().filter(|c| c.allowed) {
            out.push_str(&format!("  ✓ {}\n", capability.description));
        }
        let unconfirmed: Vec<_> = self.capabilities.iter().filter(|c| c.unconfirmed).collect();
        if !unconfirmed.is_empty() {
            out.push_str("\nNot shown in your sign-in (Entra decides when you try — roles limited to an administrative unit and custom roles do not show):\n");
            for capability in unconfirmed {
                out.push_str(&format!("  ? {}\n", capability.description));
            }
        }
        let refused: Vec<_> = self
            .capabilities
            .iter()
            .filter(|c| !c.allowed && !c.unconfirmed)
            .collect();
        if !refused.is_empty() {
            out.push_str("\nYou may not:\n");
            for capability in refused {
                out.push_str(&format!("  ✗ {}", capability.description));
                if let Some(why) = &capability.explanation {
                    out.push_str(&format!(" — {why}"));
                }
                out.push('\n');
            }
        }
        out
    }
}
