import { describe, expect, it } from "vitest";
import { SCOPES, SYMPTOMS, jobStatusWords } from "./scopeWords";

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
});
