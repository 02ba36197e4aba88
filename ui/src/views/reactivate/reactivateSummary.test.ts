import { describe, expect, it } from "vitest";
import { reactivateOutcome, returnStateWords } from "./reactivateSummary";

describe("welcoming a person back", () => {
  it("says where the person stands", () => {
    expect(returnStateWords({ kind: "in_recycle_bin", days_left: 18n }).sentence).toContain("18 more days");
    expect(returnStateWords({ kind: "gone" }).word).toBe("Permanently deleted");
  });

  it("sorts the steps into changed, verified and failed", () => {
    const outcome = reactivateOutcome({
      runId: "r",
      person: { id: "i", displayName: "Ivy Intern", userPrincipalName: "ivy@c", mail: null, accountEnabled: true, deletedAt: null },
      steps: [
        { stepId: "enable", title: "Turn sign-in back on for Ivy Intern", outcome: { status: "succeeded", detail: null } },
        { stepId: "sync", title: "Sync now for Timesheets", outcome: { status: "failed", error: { code: "x", message: "Refused.", hint: "Ask." } } },
      ],
      next: ["Timesheets: the account is active again at the next sync round.", "Floorplan answered Success: the account is active again."],
    });
    expect(outcome.changed).toEqual(["Turn sign-in back on for Ivy Intern"]);
    expect(outcome.failed).toEqual(["Sync now for Timesheets: Refused. Ask."]);
    expect(outcome.pending).toEqual(["Timesheets: the account is active again at the next sync round."]);
    expect(outcome.verified).toEqual(["Floorplan answered Success: the account is active again."]);
  });
});
