// Status never by colour alone (UX.md): every status has a colour class, an icon and a word.

export type StatusTone = "success" | "skipped" | "failed" | "waiting" | "unknown";

export interface StatusLook {
  tone: StatusTone;
  icon: string;
  word: string;
}

const LOOKS: Record<StatusTone, StatusLook> = {
  success: { tone: "success", icon: "✓", word: "Success" },
  skipped: { tone: "skipped", icon: "–", word: "Skipped" },
  failed: { tone: "failed", icon: "✗", word: "Failed" },
  waiting: { tone: "waiting", icon: "◷", word: "Waiting" },
  unknown: { tone: "unknown", icon: "?", word: "Check by hand" },
};

/** Maps the statuses of the journal and of step outcomes to their look. */
export function statusLook(status: string): StatusLook {
  switch (status) {
    case "succeeded":
    case "success":
    case "already_done":
      return LOOKS.success;
    case "skipped":
      return LOOKS.skipped;
    case "failed":
    case "failure":
      return LOOKS.failed;
    case "pending":
    case "waiting":
    case "running":
      return LOOKS.waiting;
    default:
      return LOOKS.unknown;
  }
}
