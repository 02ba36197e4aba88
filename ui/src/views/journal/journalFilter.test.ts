import { describe, expect, it } from "vitest";
import { toActionFilter } from "./journalFilter";

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
