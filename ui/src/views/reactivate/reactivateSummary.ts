// Words for a returning person's situation, and the result screen's lists.
import type { AppFollowUp } from "../../lib/bindings/AppFollowUp";
import type { ReactivateResult } from "../../lib/bindings/ReactivateResult";
import type { ReturnState } from "../../lib/bindings/ReturnState";
import type { ReactivatePreview } from "../../lib/bindings/ReactivatePreview";
import { outcomeDetail } from "../../lib/wizard/outcome";
import { renderTicketSummary } from "../../lib/wizard/summary";
import { fromNow } from "../../lib/wizard/timing";

export function returnStateWords(state: ReturnState): { status: string; word: string; sentence: string } {
  switch (state.kind) {
    case "active":
      return { status: "success", word: "Sign-in on", sentence: "Sign-in is already on." };
    case "disabled":
      return { status: "waiting", word: "Sign-in off", sentence: "Sign-in is off: it can be turned back on." };
    case "in_recycle_bin":
      return {
        status: "waiting",
        word: "In the recycle bin",
        sentence: `The account is in the recycle bin and can be brought back for ${state.days_left} more days.`,
      };
    case "not_found":
      // What was searched, never "permanently deleted": nobody has shown that.
      return {
        status: "failed",
        word: "Not found",
        sentence:
          "No one with this address as sign-in name, e-mail or alias, in the directory or the recycle bin. Nothing can be brought back from here, and creating a new account has a trap (see below).",
      };
  }
}

/**
 * Where one app stands, in plain words: "Floorplan: account active again (confirmed)", or
 * "Lunchbox: will be updated at the next sync round, about 25 minutes from now". `now` is on the
 * tenant's clock (the training tenant's clock runs ahead of the desk's).
 */
export function appFollowUpWords(follow: AppFollowUp, now: string | Date): string {
  const name = follow.app.displayName;
  if (follow.state === "confirmed") return `${name}: account active again (confirmed)`;
  if (follow.expectedAt === null) return follow.detail;
  const when = fromNow(follow.expectedAt, now);
  const line = `${name}: will be updated at the next sync round, ${when === "now" ? "which is due now" : when}`;
  // Sync now was tried and did not succeed: say what the app answered.
  return follow.detail.includes("answered") ? `${line} (${follow.detail})` : line;
}

export function reactivateOutcome(
  result: ReactivateResult,
  now: string | Date = new Date(),
): { changed: string[]; verified: string[]; pending: string[]; failed: string[] } {
  const changed: string[] = [];
  const verified: string[] = [];
  const failed: string[] = [];
  for (const step of result.steps) {
    const detail = outcomeDetail(step.outcome);
    if (step.outcome.status === "succeeded") changed.push(detail ? `${step.title}: ${detail}` : step.title);
    else if (step.outcome.status === "already_done") verified.push(`${step.title}: ${detail}`);
    else failed.push(`${step.title}: ${detail}`);
  }
  const pending: string[] = [];
  if (result.apps.length > 0) {
    // Per app: confirmed by sync now, or pending until the next sync round.
    for (const follow of result.apps) {
      (follow.state === "confirmed" ? verified : pending).push(appFollowUpWords(follow, now));
    }
    return { changed, verified, pending, failed };
  }
  // A result without per-app states: `next` mixes what sync-now already confirmed
  // ("Timesheets answered Success …") with what still waits for a sync round.
  for (const line of result.next) {
    if (/sync round|cycle|minutes|later/i.test(line)) pending.push(line);
    else verified.push(line);
  }
  return { changed, verified, pending, failed };
}

/** The ticket text when nobody has the address: nothing changed, and why. */
export function goneSummary(preview: ReactivatePreview, context: { actor: string; when: string; tenant: string }): string {
  return renderTicketSummary({
    procedure: "Welcome a person back",
    subject: preview.plan.target.displayName,
    actor: context.actor,
    when: context.when,
    tenant: context.tenant,
    changed: [],
    verified: [...preview.plan.target.facts, ...preview.plan.willNotHappen],
    pending: preview.plan.warnings,
    failed: [],
  });
}

/**
 * A user name as it reads once the account is restored: in the recycle bin Entra shows it with
 * the 32-hex-character object id glued in front; the restore takes the prefix away.
 */
export function withoutRecycleBinPrefix(upn: string): string {
  return upn.replace(/^[0-9a-f]{32}(?=[^@]+@)/i, "");
}
