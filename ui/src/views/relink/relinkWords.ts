// Plain words for the Re-link wizard (UX.md: a plain phrase first, the Entra term beside it).
import type { LinkState } from "../../lib/bindings/LinkState";
import type { RelinkResult } from "../../lib/bindings/RelinkResult";
import { outcomeDetail } from "../../lib/wizard/outcome";

/** The stored link in one sentence. */
export function linkWords(link: LinkState, person: string, app: string): string {
  switch (link.kind) {
    case "stored":
      return `Entra links ${person} to the account ${link.link.targetAnchor} in ${app}${link.link.displayName ? ` (stored as "${link.link.displayName}")` : ""}.`;
    case "not_stored":
      return `Entra stores no link for ${person} in ${app}: the next sync round, or a sync now, matches them afresh.`;
    case "cannot_read":
      return `The link could not be read: ${link.because}`;
  }
}

/** What the result screen lists, from what the run reports. */
export function relinkOutcome(result: RelinkResult): { changed: string[]; verified: string[]; pending: string[]; failed: string[] } {
  // The two read-backs (is sync paused? is there a new link?) change nothing: they are what the
  // run checked, not what it changed.
  const READ_BACKS = ["confirm_paused", "verify"];
  const done = result.steps.filter(
    (s) => !READ_BACKS.includes(s.stepId) && (s.outcome.status === "succeeded" || s.outcome.status === "already_done"),
  );
  const failed = result.steps.filter((s) => s.outcome.status === "failed" || s.outcome.status === "unknown");
  const verified: string[] = [];
  if (result.newLink.kind === "stored") {
    verified.push(`${result.person.displayName} is now linked to the account ${result.newLink.link.targetAnchor} in ${result.app.displayName}.`);
  }
  if (result.jobResumed) verified.push(`Sync for ${result.app.displayName} is running again.`);
  return {
    changed: done.map((s) => s.title),
    verified,
    pending: result.next,
    failed: [
      ...failed.map((s) => `${s.title}: ${outcomeDetail(s.outcome)}`),
      ...(result.jobResumed ? [] : [`Sync for ${result.app.displayName} could not be started again: start it from the notice on the home screen.`]),
    ],
  };
}
