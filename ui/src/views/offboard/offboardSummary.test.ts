import { describe, expect, it } from "vitest";
import type { AppVerification } from "../../lib/bindings/AppVerification";
import type { OffboardResult } from "../../lib/bindings/OffboardResult";
import { offboardOutcome, offboardTicket } from "./offboardSummary";
import { renderTicketSummary } from "../../lib/wizard/summary";

const app = (name: string) => ({ servicePrincipalId: `sp-${name}`, displayName: name });

const result: OffboardResult = {
  runId: "run-1",
  person: {
    id: "leo",
    displayName: "Leo Leaving",
    userPrincipalName: "leo@contoso.com",
    mail: null,
    accountEnabled: false,
    deletedAt: null,
    syncedFromOnPremises: false,
  },
  departure: "temporary",
  steps: [
    { stepId: "disable", title: "Turn off sign-in for Leo Leaving", outcome: { status: "succeeded", detail: null } },
    { stepId: "revoke_sessions", title: "End Leo Leaving's active sessions", outcome: { status: "skipped", because: "you lack the User Administrator role" } },
  ],
  apps: [],
  startedAt: "2026-11-23T10:00:00Z",
  next: [
    "Lunchbox will mark the account inactive at the next sync round, in about 25 minutes.",
    "Timesheets will mark the account inactive at the next sync round, in about 25 minutes.",
  ],
};

const checks: AppVerification[] = [
  { app: app("Lunchbox"), state: "confirmed", detail: "Lunchbox marked the account inactive.", entries: [] },
  { app: app("Timesheets"), state: "waiting", detail: "Timesheets will mark the account inactive at the next sync round, in about 25 minutes.", entries: [] },
];

describe("the offboarding result", () => {
  it("separates what changed, what was verified, what is pending and what failed", () => {
    const outcome = offboardOutcome(result, checks);
    expect(outcome.changed).toEqual(["Turn off sign-in for Leo Leaving"]);
    expect(outcome.failed).toEqual(["End Leo Leaving's active sessions: you lack the User Administrator role"]);
    expect(outcome.verified).toEqual(["Lunchbox marked the account inactive."]);
    // Each app once: the check's sentence replaces the run's sentence for the same app.
    expect(outcome.pending).toEqual(["Timesheets will mark the account inactive at the next sync round, in about 25 minutes."]);
  });

  it("keeps an app pending when its logs could not be checked, and says so", () => {
    const outcome = offboardOutcome(result, [
      { app: app("Lunchbox"), state: "cannot_check", detail: "The provisioning logs could not be read.", entries: [] },
    ]);
    expect(outcome.pending).toEqual(result.next);
    expect(outcome.failed).toContain("Could not check Lunchbox: The provisioning logs could not be read.");
  });

  it("becomes a ticket summary", () => {
    const outcome = offboardOutcome(result, checks);
    const text = renderTicketSummary(offboardTicket(result, outcome, "helpdesk@contoso.com", "contoso.com", "23 Nov 2026"));
    expect(text).toContain("Offboarding (temporary absence): Leo Leaving (leo@contoso.com)");
    expect(text).toContain("Verified:\n- Lunchbox marked the account inactive.");
    expect(text).toContain("Failed:\n- End Leo Leaving's active sessions");
  });
});
