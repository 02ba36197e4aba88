// What the offboarding result screen and the ticket say, from the run and the app checks.
import type { AppSync } from "../../lib/bindings/AppSync";
import type { AppVerification } from "../../lib/bindings/AppVerification";
import type { OffboardResult } from "../../lib/bindings/OffboardResult";
import type { TicketSummary } from "../../lib/wizard/summary";
import { outcomeDetail } from "../../lib/wizard/outcome";

export interface OffboardOutcome {
  changed: string[];
  verified: string[];
  pending: string[];
  failed: string[];
}

export function offboardOutcome(result: OffboardResult, checks: AppVerification[]): OffboardOutcome {
  const changed: string[] = [];
  const failed: string[] = [];
  const verified: string[] = [];
  for (const step of result.steps) {
    const detail = outcomeDetail(step.outcome);
    switch (step.outcome.status) {
      case "succeeded":
        changed.push(step.title);
        break;
      case "already_done":
        verified.push(`${step.title}: ${detail}`);
        break;
      default:
        failed.push(`${step.title}: ${detail}`);
    }
  }
  const pending: string[] = [];
  const settled = new Set<string>();
  for (const check of checks) {
    const name = check.app.displayName;
    if (check.state === "confirmed") {
      verified.push(check.detail);
      settled.add(name);
    } else if (check.state === "waiting") {
      pending.push(check.detail);
      settled.add(name);
    } else if (check.state === "problem") {
      failed.push(`${name}: ${check.detail}`);
      settled.add(name);
    } else {
      // Could not check: what the run said about this app stays pending, and we say we could
      // not verify it.
      failed.push(`Could not check ${name}: ${check.detail}`);
    }
  }
  // Apps without a settled check still say when the change reaches them; the permanent-
  // departure reminder comes last.
  for (const line of result.next) {
    if (![...settled].some((name) => line.startsWith(name))) pending.push(line);
  }
  return { changed, verified, pending, failed };
}

/** The person's apps that have no check: no sync, or their sync could not be read. */
export function unchecked(result: OffboardResult, checks: AppVerification[] | null): AppSync[] {
  const checked = new Set((checks ?? []).map((c) => c.app.servicePrincipalId));
  return result.apps.filter((a) => !checked.has(a.app.servicePrincipalId));
}

export function offboardTicket(
  result: OffboardResult,
  outcome: OffboardOutcome,
  actor: string,
  tenant: string,
  when: string,
): TicketSummary {
  const p = result.person;
  return {
    procedure: result.departure === "permanent" ? "Offboarding (permanent departure)" : "Offboarding (temporary absence)",
    subject: `${p.displayName} (${p.userPrincipalName})`,
    actor,
    when,
    tenant,
    ...outcome,
  };
}
