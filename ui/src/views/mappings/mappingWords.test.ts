import { describe, expect, it } from "vitest";
import type { Finding } from "../../lib/bindings/Finding";
import { findingLook, precedenceWords, sortFindings } from "./mappingWords";

const finding = (id: string, severity: Finding["severity"], status: Finding["status"]): Finding => ({
  id,
  severity,
  title: id,
  evidence: [],
  fix: "",
  status,
});

describe("mapping findings", () => {
  it("list problems first, most severe first", () => {
    const sorted = sortFindings([
      finding("PD-MAP-003", "low", { status: "pass" }),
      finding("PD-MAP-002", "medium", { status: "fail" }),
      finding("PD-MAP-005", "info", { status: "skipped", because: "no role" }),
      finding("PD-MAP-001", "critical", { status: "fail" }),
    ]);
    expect(sorted.map((f) => f.id)).toEqual(["PD-MAP-001", "PD-MAP-002", "PD-MAP-005", "PD-MAP-003"]);
  });

  it("say each status with a word", () => {
    expect(findingLook({ status: "fail" }).word).toBe("Problem");
    expect(findingLook({ status: "skipped", because: "x" }).word).toBe("Skipped");
  });

  it("say matching precedence in words", () => {
    expect(precedenceWords(1)).toBe("1st");
    expect(precedenceWords(2n)).toBe("2nd");
    expect(precedenceWords(null)).toBe("—");
  });
});
