import { describe, expect, it } from "vitest";
import { SCOPES, SYMPTOMS, expectedRound, jobStatusWords, roundStatus } from "./scopeWords";

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
});
