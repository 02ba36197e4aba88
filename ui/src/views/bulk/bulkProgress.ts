// The bulk screen's pure logic: row states in words, the progress bar from streamed events,
// pages of the preview table.
import type { BulkCounts } from "../../lib/bindings/BulkCounts";
import type { CsvInput } from "../../lib/bindings/CsvInput";
import type { ProgressEvent } from "../../lib/bindings/ProgressEvent";
import type { RowState } from "../../lib/bindings/RowState";

export function rowStateLook(state: RowState): { status: string; word: string; detail: string } {
  switch (state.state) {
    case "ready":
      return { status: "waiting", word: "Ready", detail: "" };
    case "already_done":
      return { status: "skipped", word: "Already done", detail: state.detail };
    case "left_out":
      return { status: "failed", word: "Left out", detail: state.reason };
  }
}

export interface BulkProgressView {
  counts: BulkCounts | null;
  etaSeconds: number | null;
  /** 0..100 */
  percent: number;
}

/** The latest counts and estimate in the stream. */
export function bulkProgress(events: ProgressEvent[]): BulkProgressView {
  let counts: BulkCounts | null = null;
  let etaSeconds: number | null = null;
  for (const event of events) {
    if (event.type === "run_started") {
      counts = { total: event.total, succeeded: 0, failed: 0, skipped: 0, unknown: 0 };
    } else if (event.type === "bulk_progress") {
      counts = event.counts;
      etaSeconds = event.etaSeconds;
    } else if (event.type === "run_finished" && event.counts) {
      counts = event.counts;
      etaSeconds = 0;
    }
  }
  const done = counts ? counts.succeeded + counts.failed + counts.skipped + counts.unknown : 0;
  const percent = counts && counts.total > 0 ? Math.round((done / counts.total) * 100) : 0;
  return { counts, etaSeconds, percent };
}

export const PAGE_SIZE = 100;

/** The rows of page `page` (0-based) and how many pages there are. */
export function page<T>(rows: T[], pageIndex: number): { rows: T[]; pages: number; index: number } {
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const index = Math.min(Math.max(0, pageIndex), pages - 1);
  return { rows: rows.slice(index * PAGE_SIZE, (index + 1) * PAGE_SIZE), pages, index };
}

/** "1 row", "3 rows", "1 person", "2 people". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "10 rows read from the file's 12 lines (the header and 1 blank line are not rows).": shows
 * that every line of the file was read, so a row that went missing would show. */
export function linesRead(csv: Pick<CsvInput, "rowsRead" | "linesInFile" | "targetColumn">): string {
  const header = csv.targetColumn === null ? 0 : 1;
  const blank = Math.max(0, csv.linesInFile - csv.rowsRead - header);
  const read = `${plural(csv.rowsRead, "row")} read from the file's ${plural(csv.linesInFile, "line")}`;
  const notRows = [header ? "the header" : null, blank ? plural(blank, "blank line") : null].filter((part) => part !== null);
  if (notRows.length === 0) return `${read}.`;
  const verb = header + blank === 1 ? "is not a row" : "are not rows";
  return `${read} (${notRows.join(" and ")} ${verb}).`;
}
