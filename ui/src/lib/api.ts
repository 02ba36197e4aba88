// The ONLY module that talks to the Rust side. Views import these functions, never `invoke`.
import { invoke } from "@tauri-apps/api/core";
import type { AppStatus } from "./bindings/AppStatus";
import type { CommandError } from "./bindings/CommandError";

/** Which tenant the app is connected to. */
export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>("app_status");
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toCommandError(raw);
  }
}

/** Normalizes whatever `invoke` rejected with into the `{ code, message, hint }` shape. */
export function toCommandError(raw: unknown): CommandError {
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const e = raw as Partial<CommandError>;
    return {
      code: String(e.code),
      message: String(e.message),
      hint: typeof e.hint === "string" ? e.hint : "",
    };
  }
  return {
    code: "unexpected",
    message: typeof raw === "string" ? raw : "Something unexpected went wrong.",
    hint: "Try again. If it keeps happening, restart Provisioning Desk.",
  };
}
