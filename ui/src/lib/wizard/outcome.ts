// Step outcomes and verification states in words, for the progress list, the result and the
// ticket.
import type { StepOutcome } from "../bindings/StepOutcome";
import type { VerificationState } from "../bindings/VerificationState";

/** The status key `statusLook` understands. */
export function outcomeStatus(outcome: StepOutcome): string {
  return outcome.status;
}

/** The word shown next to the icon. */
export function outcomeWord(outcome: StepOutcome): string {
  switch (outcome.status) {
    case "succeeded":
      return "Done";
    case "already_done":
      return "Already done";
    case "failed":
      return "Failed";
    case "skipped":
      return "Skipped";
    case "unknown":
      return "Check by hand";
  }
}

/** One line of detail, or "". */
export function outcomeDetail(outcome: StepOutcome): string {
  switch (outcome.status) {
    case "succeeded":
      return outcome.detail ?? "";
    case "already_done":
      return outcome.detail;
    case "failed":
      return `${outcome.error.message} ${outcome.error.hint}`.trim();
    case "skipped":
    case "unknown":
      return outcome.because;
  }
}

export const VERIFICATION_LOOK: Record<VerificationState, { status: string; word: string }> = {
  confirmed: { status: "success", word: "Confirmed" },
  waiting: { status: "waiting", word: "Waiting" },
  problem: { status: "failed", word: "Problem" },
  cannot_check: { status: "unknown", word: "Cannot check" },
};
