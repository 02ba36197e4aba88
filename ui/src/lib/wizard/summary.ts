// The plain-text summary a person pastes into the ticket: who, what, when, result, what is
// pending (UX.md "Copy the ticket summary with one click").

export interface TicketSummary {
  /** "Offboard a person" */
  procedure: string;
  /** "Leo Leaving (leo.leaving@contoso.onmicrosoft.com)" */
  subject: string;
  /** Who did it: the signed-in account. */
  actor: string;
  /** When it was done, already formatted. */
  when: string;
  tenant: string;
  changed: string[];
  verified: string[];
  pending: string[];
  failed: string[];
}

export function renderTicketSummary(s: TicketSummary): string {
  const lines = [
    `${s.procedure}: ${s.subject}`,
    `Done by ${s.actor} on ${s.when} (tenant ${s.tenant}).`,
  ];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push("", `${title}:`, ...items.map((item) => `- ${item}`));
  };
  section("Changed", s.changed);
  section("Verified", s.verified);
  section("Still pending", s.pending);
  section("Failed", s.failed);
  if (s.changed.length === 0 && s.failed.length === 0) lines.push("", "Nothing was changed.");
  return lines.join("\n");
}
