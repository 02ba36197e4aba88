import { describe, expect, it } from "vitest";
import { PROCEDURES } from "./procedures";

describe("the home screen's procedures", () => {
  it("offers the seven procedures of the playbooks, each once", () => {
    const ids = PROCEDURES.map((p) => p.id);
    expect(new Set(ids).size).toBe(7);
    expect(ids).toEqual(["offboard", "reactivate", "restart", "relink", "diagnose", "mappings", "bulk"]);
  });

  it("describes each in one plain sentence without Entra jargon in the title", () => {
    for (const p of PROCEDURES) {
      expect(p.sentence.trim().split(/(?<=[.!?])\s/).length).toBe(1);
      expect(p.title).not.toMatch(/SCIM|provisioning|accountEnabled/i);
      expect(p.entraTerm.length).toBeGreaterThan(0);
    }
  });
});
