// The journal screen's filters, turned into the journal's `ActionFilter`.
import type { ActionFilter } from "../../lib/bindings/ActionFilter";
import type { ActionKind } from "../../lib/bindings/ActionKind";
import type { ActionRecord } from "../../lib/bindings/ActionRecord";
import type { ActionStatus } from "../../lib/bindings/ActionStatus";
import type { PlaybookKind } from "../../lib/bindings/PlaybookKind";

export type Period = "day" | "week" | "month" | "all";

export interface JournalFilterForm {
  period: Period;
  playbook: PlaybookKind | "";
  person: string;
  status: ActionStatus | "";
}

export const PERIODS: { value: Period; label: string }[] = [
  { value: "day", label: "Last 24 hours" },
  { value: "week", label: "Last 7 days" },
  { value: "month", label: "Last 30 days" },
  { value: "all", label: "Everything" },
];

export const PLAYBOOK_WORDS: Record<PlaybookKind, string> = {
  offboard: "Offboard a person",
  reactivate: "Welcome a person back",
  restart: "Restart an app's account sync",
  diagnose: "Find out why an app still has someone",
  mapping_lint: "Check what is sent to an app",
  bulk_offboard: "Offboard a list of people",
  bulk_reactivate: "Welcome back a list of people",
  relink: "Re-link one person to their app account",
};

/** Plain phrase and the Entra term beside it (UX.md word table). */
export const ACTION_WORDS: Record<ActionKind, { plain: string; entra: string }> = {
  disable: { plain: "Turn off sign-in", entra: "disable (accountEnabled)" },
  enable: { plain: "Turn sign-in back on", entra: "enable (accountEnabled)" },
  revoke_sessions: { plain: "End active sessions", entra: "revoke sign-in sessions" },
  delete: { plain: "Move to the recycle bin", entra: "soft delete" },
  restore: { plain: "Bring back from the recycle bin", entra: "restore deleted user" },
  permanent_delete: { plain: "Permanently delete", entra: "hard delete" },
  restart_job: { plain: "Restart sync", entra: "restart provisioning job" },
  pause_job: { plain: "Pause sync", entra: "pause provisioning job" },
  start_job: { plain: "Start sync", entra: "start provisioning job" },
  provision_on_demand: { plain: "Sync now for this person", entra: "provision on demand" },
  forget_link: { plain: "Forget this person's link to their app account", entra: "delete object connection (beta)" },
};

export const STATUS_WORDS: Record<ActionStatus, string> = {
  pending: "Waiting",
  succeeded: "Success",
  failed: "Failed",
  unknown: "Check by hand",
};

const PERIOD_DAYS: Record<Exclude<Period, "all">, number> = { day: 1, week: 7, month: 30 };

export function toActionFilter(form: JournalFilterForm, now: Date): ActionFilter {
  const since =
    form.period === "all" ? null : new Date(now.getTime() - PERIOD_DAYS[form.period] * 86_400_000).toISOString();
  const person = form.person.trim();
  return {
    since,
    until: null,
    playbook: form.playbook === "" ? null : form.playbook,
    target: person === "" ? null : person,
    status: form.status === "" ? null : form.status,
    runId: null,
  };
}

/** True when `next` shows exactly the rows `shown` shows (same changes, same state, same order). */
export function sameRows(shown: readonly ActionRecord[] | null, next: readonly ActionRecord[]): boolean {
  return (
    shown !== null &&
    shown.length === next.length &&
    shown.every((a, i) => {
      const b = next[i];
      return b !== undefined && a.id === b.id && a.status === b.status && a.completedAt === b.completedAt;
    })
  );
}
