import { describe, expect, it } from "vitest";
import { SCOPES, SYMPTOMS, expectedRound, heldBackSummary, jobStatusWords, roundStatus } from "./scopeWords";

describe("restart words", () => {
  it("offer every scope and symptom once, the safe restart first", () => {
    expect(SCOPES.map((s) => s.value)).toEqual(["default", "quarantine", "force_deletes", "full"]);
    expect(new Set(SYMPTOMS.map((s) => s.value)).size).toBe(4);
  });

  it("say a job's state in plain words", () => {
    expect(jobStatusWords("Quarantine")).toContain("repeated errors");
    expect(jobStatusWords(null)).toBe("unknown");
    expect(jobStatusWords("Active")).toBe("running");
  });

  it("say when the next round is expected, and how a finished one went", () => {
    const at = (iso: string) => iso.slice(11, 16);
    expect(expectedRound("2026-11-23T14:05:00Z", 25, at)).toBe("Expected around 14:05 (in about 25 minutes).");
    expect(expectedRound("2026-11-23T14:05:00Z", 0, at)).toContain("any moment now");
    expect(expectedRound(null, null, at)).toContain("about every 40 minutes");
    expect(roundStatus("Succeeded")).toBe("success");
    expect(roundStatus("EntryLevelErrors")).toBe("unknown");
    expect(roundStatus("Failed")).toBe("failed");
  });

  it("describe the scopes as Microsoft defines them", () => {
    const label = (v: string) => SCOPES.find((s) => s.value === v)?.label ?? "";
    expect(label("default")).toContain("re-checks everyone in scope");
    expect(label("default")).not.toContain("last changes");
    expect(label("full")).toContain("held-back deletions stay held back");
    expect(label("force_deletes")).toContain("after reviewing who");
    expect(SCOPES.find((s) => s.value === "default")?.entra).toContain("Watermark, Escrows, QuarantineState");
  });

  it("say how many deletions are held back, or why that is unknown", () => {
    const held = { count: 3, people: ["Ann Lee", "Bob Ray"], threshold: 2, thresholdAssumed: false, cannotRead: null };
    expect(heldBackSummary(held)).toBe("3 people are held back for review (the first 2 are listed, 1 more in the provisioning logs).");
    expect(heldBackSummary({ ...held, count: 1, people: ["Ann Lee"] })).toBe("1 person is held back for review.");
    expect(heldBackSummary({ ...held, cannotRead: "you need the Reports Reader role" })).toContain("could not be read");
  });
});
