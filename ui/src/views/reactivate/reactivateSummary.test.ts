import { describe, expect, it } from "vitest";
import { appFollowUpWords, goneSummary, reactivateOutcome, returnStateWords, withoutRecycleBinPrefix } from "./reactivateSummary";

describe("welcoming a person back", () => {
  it("says where the person stands", () => {
    expect(returnStateWords({ kind: "in_recycle_bin", days_left: 18n }).sentence).toContain("18 more days");
    const nobody = returnStateWords({ kind: "not_found" });
    expect(nobody.word).toBe("Not found");
    expect(nobody.sentence).toContain("No one with this address as sign-in name, e-mail or alias, in the directory or the recycle bin");
    expect(nobody.sentence).not.toContain("permanently deleted");
  });

  it("sorts the steps into changed, verified and failed", () => {
    const outcome = reactivateOutcome({
      runId: "r",
      person: { id: "i", displayName: "Ivy Intern", userPrincipalName: "ivy@c", mail: null, accountEnabled: true, deletedAt: null, syncedFromOnPremises: false },
      steps: [
        { stepId: "enable", title: "Turn sign-in back on for Ivy Intern", outcome: { status: "succeeded", detail: null } },
        { stepId: "sync", title: "Sync now for Timesheets", outcome: { status: "failed", error: { code: "x", message: "Refused.", hint: "Ask." } } },
      ],
      next: ["Timesheets: the account is active again at the next sync round.", "Floorplan answered Success: the account is active again."],
      apps: [],
    });
    expect(outcome.changed).toEqual(["Turn sign-in back on for Ivy Intern"]);
    expect(outcome.failed).toEqual(["Sync now for Timesheets: Refused. Ask."]);
    expect(outcome.pending).toEqual(["Timesheets: the account is active again at the next sync round."]);
    expect(outcome.verified).toEqual(["Floorplan answered Success: the account is active again."]);
  });

  it("says per app whether the account is confirmed active or waits for the next sync round", () => {
    const person = { id: "i", displayName: "Ivy Intern", userPrincipalName: "ivy@c", mail: null, accountEnabled: true, deletedAt: null, syncedFromOnPremises: false };
    const floorplan = { app: { servicePrincipalId: "f", displayName: "Floorplan" }, state: "confirmed" as const, expectedAt: null, detail: "Floorplan answered Success: the account is active again." };
    const lunchbox = {
      app: { servicePrincipalId: "l", displayName: "Lunchbox" },
      state: "pending" as const,
      expectedAt: "2026-11-23T10:25:00Z",
      detail: "Lunchbox will mark the account active at the next sync round, in about 25 minutes.",
    };
    const outcome = reactivateOutcome(
      {
        runId: "r",
        person,
        steps: [],
        next: ["Floorplan answered Success: the account is active again."],
        apps: [floorplan, lunchbox],
      },
      "2026-11-23T10:00:00Z",
    );
    expect(outcome.verified).toEqual(["Floorplan: account active again (confirmed)"]);
    expect(outcome.pending).toEqual(["Lunchbox: will be updated at the next sync round, about 25 minutes from now"]);

    const refused = { ...lunchbox, detail: "Lunchbox answered Skipped for sync now (out of scope); it will be retried at the next sync round." };
    expect(appFollowUpWords(refused, "2026-11-23T10:25:00Z")).toBe(
      "Lunchbox: will be updated at the next sync round, which is due now (Lunchbox answered Skipped for sync now (out of scope); it will be retried at the next sync round.)",
    );
    const quarantined = { ...lunchbox, expectedAt: null, detail: "Lunchbox: sync is paused because of repeated errors (quarantine)." };
    expect(appFollowUpWords(quarantined, "2026-11-23T10:00:00Z")).toBe(quarantined.detail);
  });

  it("says in the ticket that nothing was created for a person found nowhere, and why", () => {
    const text = goneSummary(
      {
        plan: {
          playbook: "reactivate",
          target: { displayName: "nora.nearlygone@c", id: null, facts: ["Not found: no one with this address as sign-in name, e-mail or alias, in the directory or the recycle bin"] },
          steps: [],
          willNotHappen: ["No new account is created."],
          warnings: ["No one has nora.nearlygone@c as sign-in name, e-mail or alias. Apps that still hold the old account refuse it as a duplicate."],
        },
        person: null,
        state: { kind: "not_found" },
        apps: [],
        trapEvidence: [],
      },
      { actor: "helpdesk@c", when: "today", tenant: "t" },
    );
    expect(text.split("\n")[0]).toBe("Welcome a person back: nora.nearlygone@c");
    expect(text).toContain("- No new account is created.");
    expect(text).toContain("refuse it as a duplicate");
    expect(text).toContain("Nothing was changed.");
  });

  it("shows a restored person's user name without the recycle bin's prefix", () => {
    expect(withoutRecycleBinPrefix("faa292f7f6ef46db8000c88b2e6398edriley.recycle@c.com")).toBe("riley.recycle@c.com");
    expect(withoutRecycleBinPrefix("riley.recycle@c.com")).toBe("riley.recycle@c.com");
  });
});
