//! The re-link plan: what will happen, in order, what will not, and the reach of each fix.

use super::{FixReach, LinkState};
use crate::app_sync::AppSync;
use crate::explain::LogLine;
use crate::find::{AppMatch, PersonMatch};
use crate::plan::{
    Confirmation, DocumentedReason, Plan, PlannedStep, PlaybookKind, Risk, TargetSummary,
};

const OBJECT_CONNECTIONS_DOC: &str =
    "Manage provisioning object connections using Microsoft Graph (Microsoft Entra ID)";
const PAUSE_DOC: &str = "synchronizationJob: pause (Microsoft Graph)";
const START_DOC: &str = "synchronizationJob: start (Microsoft Graph)";
const ON_DEMAND_DOC: &str = "On-demand provisioning in Microsoft Entra ID";

/// "Re-link: 1 person · Restart: a full cycle over all 213 people in scope · Full reset: also
/// forgets every link" (UX.md principle 8). A plain restart is a full initial cycle over
/// everyone in scope (graph-docs `synchronization-synchronizationjobrestartcriteria.md`); Full
/// also clears the links (restart.rs).
pub fn reach_text(people_in_scope: Option<u32>) -> String {
    let restart = match people_in_scope {
        Some(1) => "a full cycle over the 1 person in scope".to_string(),
        Some(n) => format!("a full cycle over all {n} people in scope"),
        None => "a full cycle over everyone in scope".to_string(),
    };
    format!("Re-link: 1 person · Restart: {restart} · Full reset: also forgets every link")
}

/// What the plan is made from.
pub(super) struct Context<'a> {
    pub person: &'a PersonMatch,
    pub app: &'a AppMatch,
    pub sync: &'a AppSync,
    pub link: &'a LinkState,
    pub cause_text: &'a str,
    pub fix_first: Option<&'a str>,
    pub evidence: &'a [LogLine],
    pub evidence_unavailable: Option<&'a str>,
    pub reach: &'a FixReach,
    /// Microsoft documents provision on demand in the tenant's cloud.
    pub on_demand_offered: bool,
}

pub(super) fn plan(context: &Context<'_>, refusals: Vec<String>) -> Plan {
    let person = &context.person.display_name;
    let app = &context.app.display_name;
    let mut facts = Vec::new();
    let mut warnings = Vec::new();
    match context.link {
        LinkState::Stored { link } => facts.push(format!(
            "Stored link: {person} (Entra id {}) → account {} in {app}{}",
            link.source_anchor,
            link.target_anchor,
            link.object_type
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default()
        )),
        LinkState::NotStored => {
            facts.push(format!(
                "Stored link: none — Entra holds no link for {person} in {app}"
            ));
            warnings.push(format!("There is nothing to forget: the next sync round, or a sync now for {person}, matches them to an account in {app} afresh."));
        }
        LinkState::CannotRead { because } => {
            facts.push(format!("Stored link: could not be read ({because})"));
            warnings.push(format!(
                "The link could not be read, so it is not forgotten: {because}"
            ));
        }
    }
    if let Some(name) = context
        .link
        .link()
        .and_then(|l| l.display_name.as_deref())
        .filter(|n| !n.is_empty() && *n != person.as_str())
    {
        facts.push(format!("Name stored with the link: {name}"));
    }
    facts.push(format!(
        "Sync: {}",
        context.sync.job_status.as_deref().unwrap_or("unknown")
    ));
    match (context.evidence.first(), context.evidence_unavailable) {
        (_, Some(why)) => facts.push(format!("Provisioning logs: could not be read ({why})")),
        (None, None) => facts.push(format!(
            "Provisioning logs: nothing for {person} in {app} in the last 30 days"
        )),
        (Some(_), None) => {
            for line in context.evidence.iter().take(3) {
                facts.push(format!("Logs: {}", line.plain));
            }
        }
    }
    facts.push(format!("Likely cause: {}", context.cause_text));
    facts.push(context.reach.text.clone());

    let mut steps = Vec::new();
    if let LinkState::Stored { link } = context.link {
        let disabled = context.person.account_enabled == Some(false);
        steps.push(PlannedStep {
            id: "pause".into(),
            title: format!("Pause sync for {app}"),
            entra_term: "pause provisioning job".into(),
            why: "Entra forgets a link only while the app's sync is paused; changes for other people wait for the round after it starts again.".into(),
            documented_reason: DocumentedReason {
                behaviour: "Pausing keeps all progress and state; start continues from where it was paused. A round under way finishes first.".into(),
                source: PAUSE_DOC.into(),
            },
            risk: Risk::Reversible,
            verification: format!("Sync for {app} reads as paused (schedule state Paused or Disabled) before anything else is done."),
            requires_confirmation: None,
        });
        steps.push(PlannedStep {
            id: "forget_link".into(),
            title: format!("Forget the link between {person} and account {} in {app}", link.target_anchor),
            entra_term: "delete object connection (objectConnections, beta)".into(),
            why: format!("Entra then matches {person} again by the app's matching attribute instead of reusing account {}.", link.target_anchor),
            documented_reason: DocumentedReason {
                behaviour: "Removing an object connection deletes only the provisioning service's stored association; the source and target objects are not deleted or changed, and a later provisioning operation creates a new connection. The job must be paused or disabled first (otherwise 409 Conflict). This uses a Microsoft preview (beta) API, which Microsoft may still change.".into(),
                source: OBJECT_CONNECTIONS_DOC.into(),
            },
            risk: Risk::Reversible,
            verification: format!("The link for {person} is read again after the sync now."),
            requires_confirmation: Some(Confirmation::Click {
                prompt: format!("Forget the link between {person} and account {} in {app}? No account is deleted; Entra matches {person} again.", link.target_anchor),
            }),
        });
        if !disabled && context.on_demand_offered {
            steps.push(PlannedStep {
                id: "sync_now".into(),
                title: format!("Sync {person} to {app} now"),
                entra_term: "provision on demand".into(),
                why: format!("Entra matches {person} to an account in {app} at once (or creates one), instead of at the next round."),
                documented_reason: DocumentedReason {
                    behaviour: "Provision on demand runs one user through the job at once, under the same rules as a regular round; not for users disabled or deleted in Entra.".into(),
                    source: ON_DEMAND_DOC.into(),
                },
                risk: Risk::Low,
                verification: format!("The link for {person} is read back, and the provisioning logs show the new match."),
                requires_confirmation: None,
            });
        }
        steps.push(PlannedStep {
            id: "start".into(),
            title: format!("Start sync for {app} again"),
            entra_term: "start provisioning job".into(),
            why: "Sync carries on where it was paused. This step is tried even if a step before it fails, so sync is never left paused by the re-link.".into(),
            documented_reason: DocumentedReason {
                behaviour: "Start continues a paused job from where it was paused.".into(),
                source: START_DOC.into(),
            },
            risk: Risk::Low,
            verification: format!("Sync for {app} reads as running again."),
            requires_confirmation: None,
        });
        if disabled {
            warnings.push(format!("Sign-in is off for {person} in Entra, and Microsoft does not sync a disabled person on demand. After the link is forgotten, the first sync round after {person}'s sign-in is turned back on matches them afresh."));
        } else if !context.on_demand_offered {
            warnings.push(format!("Microsoft does not offer sync now for one person in this cloud: the next sync round after the re-link matches {person} afresh."));
        }
    }
    if let Some(fix) = context.fix_first {
        warnings.insert(0, fix.to_string());
    }
    warnings.extend(refusals);
    Plan {
        playbook: PlaybookKind::Relink,
        target: TargetSummary {
            display_name: format!("{} in {app}", context.person.label()),
            id: Some(context.person.id.clone()),
            facts,
        },
        steps,
        will_not_happen: vec![
            format!("No account is deleted, neither in Entra nor in {app}."),
            format!("Nobody else is touched: only {person}'s link is forgotten."),
            format!("The attribute mappings of {app} are not changed."),
        ],
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relink::StoredLink;

    #[test]
    fn the_reach_names_the_people_a_restart_would_touch() {
        assert_eq!(
            reach_text(Some(213)),
            "Re-link: 1 person · Restart: a full cycle over all 213 people in scope · Full reset: also forgets every link"
        );
        assert!(reach_text(None).contains("over everyone in scope"));
    }

    fn ada(enabled: bool) -> PersonMatch {
        PersonMatch {
            id: "0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10".into(),
            display_name: "Ada <b>Lovelace</b>".into(),
            user_principal_name: "ada@contoso.com".into(),
            mail: None,
            account_enabled: Some(enabled),
            deleted_at: None,
            found_by: None,
            synced_from_on_premises: false,
        }
    }

    fn render(person: &PersonMatch, link: &LinkState) -> Plan {
        let app = AppMatch {
            service_principal_id: "sp-1".into(),
            display_name: "Project Insight".into(),
        };
        let sync = crate::app_sync::job_sync(app.clone(), None, chrono::Utc::now());
        let reach = FixReach {
            people_in_scope: Some(213),
            text: reach_text(Some(213)),
        };
        plan(
            &Context {
                person,
                app: &app,
                sync: &sync,
                link,
                cause_text: "Project Insight made the account inactive.",
                fix_first: None,
                evidence: &[],
                evidence_unavailable: None,
                reach: &reach,
                on_demand_offered: true,
            },
            vec![],
        )
    }

    fn stored() -> LinkState {
        LinkState::Stored {
            link: StoredLink {
                source_anchor: "0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10".into(),
                target_anchor: "701984".into(),
                display_name: Some("Ada Lovelace".into()),
                object_type: Some("user".into()),
            },
        }
    }

    #[test]
    fn a_stored_link_is_paused_forgotten_synced_and_started() {
        let plan = render(&ada(true), &stored());
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["pause", "forget_link", "sync_now", "start"]);
        // The preview API is named once, in the Why? text of the step that uses it.
        let beta = plan
            .steps
            .iter()
            .filter(|s| s.documented_reason.behaviour.contains("preview (beta) API"))
            .count();
        assert_eq!(beta, 1);
        insta::assert_snapshot!(plan.render_text());
    }

    #[test]
    fn a_disabled_person_gets_no_sync_now_and_is_told_when_they_match() {
        let plan = render(&ada(false), &stored());
        assert!(plan.steps.iter().all(|s| s.id != "sync_now"));
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.contains("first sync round after") && w.contains("turned back on")));
    }

    #[test]
    fn no_stored_link_means_nothing_to_do() {
        let plan = render(&ada(true), &LinkState::NotStored);
        assert!(plan.steps.is_empty());
        assert!(plan.warnings[0].starts_with("There is nothing to forget"));
    }
}
