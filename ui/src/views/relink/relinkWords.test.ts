import { describe, expect, it } from "vitest";
import type { RelinkResult } from "../../lib/bindings/RelinkResult";
import { linkWords, relinkOutcome } from "./relinkWords";

const app = { servicePrincipalId: "sp-1", displayName: "Project Insight" };
const person = {
  id: "p-1",
  displayName: "Marisol Quintero",
  userPrincipalName: "marisol.quintero@contoso.example",
  mail: null,
  accountEnabled: true,
  deletedAt: null,
  foundBy: null,
  syncedFromOnPremises: false,
};

function result(overrides: Partial<RelinkResult>): RelinkResult {
  return {
    runId: "r-1",
    person,
    app,
    steps: [],
    oldLink: null,
    newLink: { kind: "not_stored" },
    evidence: [],
    summary: "",
    next: [],
    sync: {} as RelinkResult["sync"],
    jobResumed: true,
    ...overrides,
  } as RelinkResult;
}

describe("linkWords", () => {
  it("names the linked app account and says when nothing is stored", () => {
    const stored = linkWords({ kind: "stored", link: { sourceAnchor: "p-1", targetAnchor: "pi-42", displayName: null, objectType: "user" } }, "Marisol", "Project Insight");
    expect(stored).toBe("Entra links Marisol to the account pi-42 in Project Insight.");
    expect(linkWords({ kind: "not_stored" }, "Marisol", "Project Insight")).toMatch(/stores no link/);
  });
});

describe("relinkOutcome", () => {
  it("verifies the new link and a running sync", () => {
    const out = relinkOutcome(result({ newLink: { kind: "stored", link: { sourceAnchor: "p-1", targetAnchor: "pi-77", displayName: null, objectType: "user" } } }));
    expect(out.verified).toEqual(["Marisol Quintero is now linked to the account pi-77 in Project Insight.", "Sync for Project Insight is running again."]);
    expect(out.failed).toEqual([]);
  });

  it("never hides a sync left paused", () => {
    const out = relinkOutcome(result({ jobResumed: false }));
    expect(out.failed.join(" ")).toMatch(/could not be started again/);
    expect(out.verified).toEqual([]);
  });
});

describe("what changed", () => {
  it("lists the changes, not the read-backs that checked them", () => {
    const step = (stepId: string, title: string) => ({ stepId, title, outcome: { status: "succeeded", detail: null } as const });
    const out = relinkOutcome(
      result({
        steps: [
          step("pause:j", "Pause sync for Project Insight"),
          step("confirm_paused", "Check that sync for Project Insight reads as paused"),
          step("forget_link", "Forget the stored link for Marisol Quintero in Project Insight"),
          step("verify", "Check the new link for Marisol Quintero"),
          step("start:j", "Start sync for Project Insight"),
        ],
      }),
    );
    expect(out.changed).toEqual(["Pause sync for Project Insight", "Forget the stored link for Marisol Quintero in Project Insight", "Start sync for Project Insight"]);
  });
});
