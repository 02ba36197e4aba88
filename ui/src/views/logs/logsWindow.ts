// Which rows of the logs list to ask the Rust side for: the list is virtualized and the answer
// carries one window of the matching entries, never all of them.
import type { LogFilter } from "../../lib/bindings/LogFilter";

/** True when the rows held (`length` from `offset`) include every row from `start` to `end`. */
export function covers(offset: number, length: number, start: number, end: number): boolean {
  return start >= offset && end <= offset + length;
}

/** Where a window of `size` rows should start so that rows `start`..`end` sit in its middle. */
export function rowsToFetch(start: number, end: number, size: number): number {
  const margin = Math.max(0, Math.floor((size - (end - start)) / 2));
  return Math.max(0, start - margin);
}

/** "last 7 days", "last 24 hours", "last hour". */
export function windowWords(hours: number): string {
  if (hours === 1) return "last hour";
  if (hours % 24 === 0 && hours > 24) return `last ${hours / 24} days`;
  return `last ${hours} hours`;
}

/** The filters of a count, in words: "for Floorplan about ada (Failed)". */
export function filterWords(filter: LogFilter): string {
  return [filter.app && `for ${filter.app}`, filter.person && `about ${filter.person}`, filter.status && `(${filter.status})`]
    .filter(Boolean)
    .join(" ");
}
