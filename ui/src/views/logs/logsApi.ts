// The logs screen's calls to the Rust side. They belong in lib/api.ts (the one module that talks
// to Rust); they live here until that file's owner moves them, and call it the same way.
import { Channel, invoke } from "@tauri-apps/api/core";
import { toCommandError } from "../../lib/api";
import type { LogFilter } from "../../lib/bindings/LogFilter";
import type { LogPage } from "../../lib/bindings/LogPage";
import type { LogsLoaded } from "../../lib/bindings/LogsLoaded";
import type { LogsProgress } from "../../lib/bindings/LogsProgress";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toCommandError(raw);
  }
}

/** Reads the entries of the last `hours` not held yet (with `newer`: only entries newer than the
 * newest held); `onProgress` gets the count held after each page. */
export function logsLoad(hours: number, newer: boolean, onProgress: (p: LogsProgress) => void): Promise<LogsLoaded> {
  const progress = new Channel<LogsProgress>();
  progress.onmessage = onProgress;
  return call<LogsLoaded>("logs_load", { hours, newer, progress });
}

/** Stops the reading in progress; what was read stays. */
export function logsStop(): Promise<boolean> {
  return call<boolean>("logs_stop");
}

/** `count` matching entries from `offset` on, and how many match in all. */
export function logsPage(filter: LogFilter, offset: number, count: number): Promise<LogPage> {
  return call<LogPage>("logs_page", { filter, offset, count });
}
