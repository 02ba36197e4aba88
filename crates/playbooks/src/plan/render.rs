//! Plain-text renderings for the CLI and for pasting into a ticket (UX.md: "copy the ticket
//! summary with one click"). Status is always a word, never only a colour or a symbol.

use super::*;

impl Plan {
    /// Plain text for the CLI and for pasting into a ticket.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{}: {}",
            self.playbook.title(),
            self.target.display_name
        ));
        if let Some(id) = &self.target.id {
            out.push_str(&format!(" ({id})"));
        }
        out.push('\n');
        for fact in &self.target.facts {
            out.push_str(&format!("  {fact}\n"));
        }

        out.push_str("\nWhat will happen\n");
        if self.steps.is_empty() {
            out.push_str("  Nothing: there is nothing to change.\n");
        }
        for (number, step) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "  {}. {}  [{}]\n",
                number + 1,
                step.title,
                step.entra_term
            ));
            out.push_str(&format!("     Why: {}\n", step.why));
            out.push_str(&format!(
                "     Microsoft: {} ({})\n",
                step.documented_reason.behaviour, step.documented_reason.source
            ));
            out.push_str(&format!("     Risk: {}\n", step.risk.describe()));
            out.push_str(&format!("     Checked afterwards: {}\n", step.verification));
            if let Some(confirmation) = &step.requires_confirmation {
                out.push_str(&format!(
                    "     Needs confirmation: {}\n",
                    confirmation.prompt()
                ));
            }
        }

        if !self.will_not_happen.is_empty() {
            out.push_str("\nWhat will not happen\n");
            for line in &self.will_not_happen {
                out.push_str(&format!("  - {line}\n"));
            }
        }
        if !self.warnings.is_empty() {
            out.push_str("\nBefore you confirm\n");
            for line in &self.warnings {
                out.push_str(&format!("  ! {line}\n"));
            }
        }
        out
    }
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl CheckStatus {
    pub fn label(&self) -> &'static str {
        match self {
            CheckStatus::Pass => "Pass",
            CheckStatus::Fail => "Fail",
            CheckStatus::Skipped { .. } => "Skipped",
        }
    }
}

impl Finding {
    /// One finding: id, status word, severity and title, then evidence and fix.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "{}  {}  {}  {}\n",
            self.id,
            self.status.label(),
            self.severity.label(),
            self.title
        );
        match &self.status {
            CheckStatus::Skipped { because } => {
                out.push_str(&format!("  Not checked because {because}\n"));
            }
            CheckStatus::Pass | CheckStatus::Fail => {
                for line in &self.evidence {
                    out.push_str(&format!("  Seen: {line}\n"));
                }
                if self.status == CheckStatus::Fail {
                    out.push_str(&format!("  Fix: {}\n", self.fix));
                }
            }
        }
        out
    }
}

/// A lint report: a one-line tally, then the failures first, then skipped checks, then passes.
pub fn render_findings(findings: &[Finding]) -> String {
    let count = |wanted: &str| {
        findings
            .iter()
            .filter(|finding| finding.status.label() == wanted)
            .count()
    };
    let mut out = format!(
        "{} checks: {} failed, {} skipped, {} passed\n",
        findings.len(),
        count("Fail"),
        count("Skipped"),
        count("Pass")
    );
    for wanted in ["Fail", "Skipped", "Pass"] {
        let mut group: Vec<&Finding> = findings
            .iter()
            .filter(|finding| finding.status.label() == wanted)
            .collect();
        group.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
        for finding in group {
            out.push('\n');
            out.push_str(&finding.render_text());
        }
    }
    out
}

impl Conclusion {
    pub fn label(&self) -> &'static str {
        match self {
            Conclusion::NotTheCause => "Not the cause",
            Conclusion::Cause => "This is why",
            Conclusion::Reminder => "Check by hand",
            Conclusion::Skipped { .. } => "Skipped",
        }
    }
}

/// The diagnosis in check order, numbered as the person saw the checks.
pub fn render_verdicts(verdicts: &[Verdict]) -> String {
    let mut out = String::new();
    for (number, verdict) in verdicts.iter().enumerate() {
        if number > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}. {}  [{}]  ({})\n",
            number + 1,
            verdict.question,
            verdict.conclusion.label(),
            verdict.id
        ));
        if let Conclusion::Skipped { because } = &verdict.conclusion {
            out.push_str(&format!("   Not checked because {because}\n"));
        }
        out.push_str(&format!("   {}\n", verdict.explanation));
        for line in &verdict.evidence {
            out.push_str(&format!("   Seen: {line}\n"));
        }
        if let Some(fix) = &verdict.fix {
            out.push_str(&format!("   What to do: {fix}\n"));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The offboarding plan for Jane Smith as PLAYBOOKS.md tells it (Playbook 1, step 3).
    pub(crate) fn offboard_jane() -> Plan {
        Plan {
            playbook: PlaybookKind::Offboard,
            target: TargetSummary {
                display_name: "Jane Smith".into(),
                id: Some("jane.smith@contoso.com".into()),
                facts: vec![
                    "Sign-in: on".into(),
                    "Last sign-in: 20 Nov 2026".into(),
                    "Automatic account sync to: Floorplan (next sync round in about 25 minutes)"
                        .into(),
                ],
            },
            steps: vec![
                PlannedStep {
                    id: "disable".into(),
                    title: "Turn off sign-in for Jane Smith".into(),
                    entra_term: "disable (accountEnabled)".into(),
                    why: "She can no longer sign in, and Floorplan marks her inactive at the next sync round.".into(),
                    documented_reason: DocumentedReason {
                        behaviour: "A disabled user is sent to the app as active = false in the next provisioning cycle.".into(),
                        source: "How Application Provisioning works in Microsoft Entra ID".into(),
                    },
                    risk: Risk::Reversible,
                    verification: "Sign-in is off; Floorplan's provisioning log shows a successful update for her.".into(),
                    requires_confirmation: None,
                },
                PlannedStep {
                    id: "revoke_sessions".into(),
                    title: "End Jane Smith's active sessions".into(),
                    entra_term: "revoke sign-in sessions (revokeSignInSessions)".into(),
                    why: "Turning off sign-in does not end sessions she already has open.".into(),
                    documented_reason: DocumentedReason {
                        behaviour: "Revoking invalidates refresh tokens and session cookies issued to the user.".into(),
                        source: "user: revokeSignInSessions (Microsoft Graph v1.0)".into(),
                    },
                    risk: Risk::Low,
                    verification: "Her sessions-valid-from time is after the request.".into(),
                    requires_confirmation: Some(Confirmation::Click {
                        prompt: "Jane Smith will be signed out everywhere within minutes.".into(),
                    }),
                },
            ],
            will_not_happen: vec![
                "Her account is not deleted.".into(),
                "Her licences and group memberships stay as they are.".into(),
            ],
            warnings: vec![
                "Floorplan keeps her account until the next sync round marks it inactive.".into(),
            ],
        }
    }

    #[test]
    fn plan_renders_as_json() {
        insta::assert_json_snapshot!(offboard_jane());
    }

    #[test]
    fn plan_renders_as_text() {
        insta::assert_snapshot!(offboard_jane().render_text());
    }

    fn mapping_findings() -> Vec<Finding> {
        vec![
            Finding {
                id: "PD-MAP-002".into(),
                severity: Severity::Medium,
                title: "Accounts are matched on an attribute that does not change".into(),
                evidence: vec!["userName <- userPrincipalName, matching precedence 1".into()],
                fix: "Nothing to do.".into(),
                status: CheckStatus::Pass,
            },
            Finding {
                id: "PD-MAP-001".into(),
                severity: Severity::High,
                title: "Turning off sign-in does not reach Floorplan".into(),
                evidence: vec!["active <- \"True\" (a constant)".into()],
                fix: "Map active from Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\") so that disabled people become inactive in the app.".into(),
                status: CheckStatus::Fail,
            },
            Finding {
                id: "PD-MAP-004".into(),
                severity: Severity::Low,
                title: "Only assigned people are synced".into(),
                evidence: Vec::new(),
                fix: "Set the scope to \"Sync only assigned users and groups\".".into(),
                status: CheckStatus::Skipped {
                    because: "you may not read this app's sync settings (ask an Application Administrator)".into(),
                },
            },
        ]
    }

    #[test]
    fn findings_render_as_text() {
        insta::assert_snapshot!(render_findings(&mapping_findings()));
    }

    #[test]
    fn findings_render_as_json() {
        insta::assert_json_snapshot!(mapping_findings());
    }

    fn diagnosis() -> Vec<Verdict> {
        vec![
            Verdict {
                id: "PD-DIAG-001".into(),
                question: "Was the user deleted or disabled?".into(),
                conclusion: Conclusion::Cause,
                explanation: "Jane Smith was deleted, not disabled. A deleted person stays in the recycle bin for 30 days, and during that time the app is only told to mark the account inactive.".into(),
                evidence: vec!["In the recycle bin since 3 Nov 2026 (deletedDateTime 2026-11-03T10:12:00Z)".into()],
                fix: Some("Bring her back from the recycle bin and turn off sign-in instead, or permanently delete her to send the deletion now.".into()),
            },
            Verdict {
                id: "PD-DIAG-002".into(),
                question: "Is she in scope of automatic account sync to Floorplan?".into(),
                conclusion: Conclusion::NotTheCause,
                explanation: "She is assigned to Floorplan through the group Sales.".into(),
                evidence: vec!["App role assignment via group Sales".into()],
                fix: None,
            },
            Verdict {
                id: "PD-DIAG-004".into(),
                question: "Is active mapped from IsSoftDeleted?".into(),
                conclusion: Conclusion::Skipped {
                    because: "you may not read Floorplan's attribute mappings".into(),
                },
                explanation: "Ask an Application Administrator to run this check.".into(),
                evidence: Vec::new(),
                fix: None,
            },
            Verdict {
                id: "PD-DIAG-006".into(),
                question: "Does Floorplan treat inactive accounts as having no access?".into(),
                conclusion: Conclusion::Reminder,
                explanation: "Microsoft Graph cannot tell; check in Floorplan's own admin screens.".into(),
                evidence: Vec::new(),
                fix: None,
            },
        ]
    }

    #[test]
    fn verdicts_render_as_text() {
        insta::assert_snapshot!(render_verdicts(&diagnosis()));
    }
}
