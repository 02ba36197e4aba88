// Reset scopes and symptoms in plain words (the Entra term beside each, UX.md).
import type { HeldBack } from "../../lib/bindings/HeldBack";
import type { ScopeChoice } from "../../lib/bindings/ScopeChoice";
import type { Symptom } from "../../lib/bindings/Symptom";

export const SYMPTOMS: { value: Symptom; label: string }[] = [
  { value: "wrong_or_stale_link", label: "The app shows the wrong person, or keeps using an old account" },
  { value: "quarantined", label: "Sync is paused because of repeated errors" },
  { value: "deletes_held_back", label: "Deletions are held back (accidental-deletion threshold)" },
  { value: "other", label: "Something else / the vendor asked for a restart" },
];

// Microsoft's definitions (synchronizationJobRestartCriteria): the plain restart is Watermark +
// Escrows + QuarantineState — a full first round over everyone in scope, links kept; Full adds
// the connector data store (the links) and does not include ForceDeletes.
export const SCOPES: { value: ScopeChoice; label: string; entra: string }[] = [
  { value: "default", label: "Restart sync (re-checks everyone in scope; keeps the links to app accounts)", entra: "restart: Watermark, Escrows, QuarantineState" },
  { value: "quarantine", label: "Clear the pause after repeated errors", entra: "reset scope QuarantineState" },
  { value: "force_deletes", label: "Let held-back deletions through (after reviewing who)", entra: "reset scope ForceDeletes (Allow deletes)" },
  { value: "full", label: "Start sync from scratch (heavy; held-back deletions stay held back)", entra: "reset scope Full" },
];

/** "2 people are held back for review: Ann Lee and Bob Ray." — or why it could not be read. */
export function heldBackSummary(held: HeldBack): string {
  if (held.cannotRead !== null) return `Who is held back could not be read from the provisioning logs (${held.cannotRead}).`;
  if (held.count === 0) return "The provisioning logs show no held-back deletions.";
  const who = held.count === 1 ? "1 person is" : `${held.count} people are`;
  const more = held.count - held.people.length;
  return `${who} held back for review${more > 0 ? ` (the first ${held.people.length} are listed, ${more} more in the provisioning logs)` : ""}.`;
}

/** "Active", "Paused", "Paused because of repeated errors" for a job status code. */
export function jobStatusWords(status: string | null): string {
  switch (status) {
    case null:
      return "unknown";
    case "Quarantine":
      return "paused because of repeated errors (quarantine)";
    case "Paused":
      return "paused";
    case "Active":
      return "running";
    case "NotRun":
      return "not run yet";
    default:
      return status;
  }
}

/** The badge status for a finished round's state (`Succeeded`, `EntryLevelErrors`, `Failed`, …). */
export function roundStatus(state: string): "success" | "failed" | "unknown" {
  switch (state) {
    case "Succeeded":
      return "success";
    case "EntryLevelErrors":
      return "unknown";
    default:
      return "failed";
  }
}

/** "Expected at 14:05 (in about 25 minutes)." for the next round, or a plain fallback. */
export function expectedRound(nextCycleDue: string | null, minutes: number | bigint | null, at: (iso: string) => string): string {
  if (nextCycleDue === null || minutes === null) return "Entra runs a round about every 40 minutes.";
  const m = Number(minutes);
  const when = m <= 0 ? "any moment now" : `in about ${m} minute${m === 1 ? "" : "s"}`;
  return `Expected around ${at(nextCycleDue)} (${when}).`;
}
