import { describe, expect, it } from "vitest";
import { covers, filterWords, rowsToFetch, windowWords } from "./logsWindow";

describe("the rows the logs list asks for", () => {
  it("asks again only when the rows in view are not all held", () => {
    expect(covers(0, 120, 0, 13)).toBe(true);
    expect(covers(0, 120, 110, 123)).toBe(false);
    expect(covers(100, 120, 90, 103)).toBe(false);
    expect(covers(100, 20, 100, 120)).toBe(true);
  });

  it("centres the asked window on the rows in view, never before the first", () => {
    expect(rowsToFetch(0, 13, 120)).toBe(0);
    expect(rowsToFetch(1000, 1013, 120)).toBe(947);
    const start = rowsToFetch(5000, 5013, 120);
    expect(covers(start, 120, 5000, 5013)).toBe(true);
  });

  it("names the time read in plain words", () => {
    expect(windowWords(168)).toBe("last 7 days");
    expect(windowWords(720)).toBe("last 30 days");
    expect(windowWords(24)).toBe("last 24 hours");
    expect(windowWords(1)).toBe("last hour");
  });
});

describe("the words of a count", () => {
  it("say every filter given and nothing for the others", () => {
    expect(filterWords({ app: "Floorplan", person: "ada", status: "Failed", hours: 24 })).toBe("for Floorplan about ada (Failed)");
    expect(filterWords({ app: null, person: null, status: null, hours: 24 })).toBe("");
  });
});
