import { describe, expect, it } from "vitest";
import type { ActionRecord } from "../../lib/bindings/ActionRecord";
import { sameRows, toActionFilter } from "./journalFilter";

const NOW = new Date("2026-11-23T10:00:00Z");

describe("the journal's filters", () => {
  it("narrow by period, procedure, person and status", () => {
    const filter = toActionFilter({ period: "week", playbook: "offboard", person: "  Leo ", status: "failed" }, NOW);
    expect(filter).toEqual({
      since: "2026-11-16T10:00:00.000Z",
      until: null,
      playbook: "offboard",
      target: "Leo",
      status: "failed",
      runId: null,
    });
  });

  it("empty choices narrow nothing", () => {
    const filter = toActionFilter({ period: "all", playbook: "", person: " ", status: "" }, NOW);
    expect(filter).toEqual({ since: null, until: null, playbook: null, target: null, status: null, runId: null });
  });
});

describe("sameRows", () => {
  const row = (id: string, status: ActionRecord["status"] = "succeeded") =>
    ({ id, status, completedAt: "2026-12-04T10:00:00Z" }) as ActionRecord;

  it("keeps the list when an answer shows the same rows in the same state", () => {
    expect(sameRows([row("a"), row("b")], [row("a"), row("b")])).toBe(true);
  });

  it("replaces it when rows, their order or their state differ", () => {
    expect(sameRows(null, [])).toBe(false);
    expect(sameRows([row("a")], [row("a"), row("b")])).toBe(false);
    expect(sameRows([row("a"), row("b")], [row("b"), row("a")])).toBe(false);
    expect(sameRows([row("a", "pending")], [row("a")])).toBe(false);
  });
});
