import { describe, expect, it } from "vitest";
import { bulkProgress, linesRead, page, plural, rowStateLook } from "./bulkProgress";

describe("bulk progress", () => {
  it("follows the streamed counts and estimate", () => {
    const view = bulkProgress([
      { type: "run_started", runId: "r", total: 4 },
      { type: "bulk_progress", counts: { total: 4, succeeded: 1, failed: 1, skipped: 0, unknown: 0 }, etaSeconds: 30 },
    ]);
    expect(view.percent).toBe(50);
    expect(view.etaSeconds).toBe(30);
  });

  it("starts empty", () => {
    expect(bulkProgress([])).toEqual({ counts: null, etaSeconds: null, percent: 0 });
  });
});

describe("the preview table", () => {
  it("names every row state with a word", () => {
    expect(rowStateLook({ state: "ready" }).word).toBe("Ready");
    expect(rowStateLook({ state: "left_out", reason: "not found" })).toEqual({ status: "failed", word: "Left out", detail: "not found" });
  });

  it("pages long files", () => {
    const rows = Array.from({ length: 250 }, (_, i) => i);
    expect(page(rows, 0).pages).toBe(3);
    expect(page(rows, 2).rows).toHaveLength(50);
    expect(page(rows, 9).index).toBe(2);
    expect(page([], 0)).toEqual({ rows: [], pages: 1, index: 0 });
  });
});

describe("counts in words", () => {
  it("agree in number", () => {
    expect(plural(1, "row")).toBe("1 row");
    expect(plural(4, "row")).toBe("4 rows");
    expect(plural(2, "person", "people")).toBe("2 people");
  });
});

describe("lines read", () => {
  it("accounts for every line of the file", () => {
    expect(linesRead({ rowsRead: 10, linesInFile: 12, targetColumn: "upn" })).toBe(
      "10 rows read from the file's 12 lines (the header and 1 blank line are not rows).",
    );
    expect(linesRead({ rowsRead: 3, linesInFile: 4, targetColumn: "user" })).toBe(
      "3 rows read from the file's 4 lines (the header is not a row).",
    );
    expect(linesRead({ rowsRead: 1, linesInFile: 1, targetColumn: null })).toBe("1 row read from the file's 1 line.");
  });
});
