// Words for the mapping table and the lint's findings.
import type { CheckStatus } from "../../lib/bindings/CheckStatus";
import type { Finding } from "../../lib/bindings/Finding";
import type { Severity } from "../../lib/bindings/Severity";

export function findingLook(status: CheckStatus): { status: string; word: string } {
  switch (status.status) {
    case "pass":
      return { status: "success", word: "Pass" };
    case "fail":
      return { status: "failed", word: "Problem" };
    case "skipped":
      return { status: "skipped", word: "Skipped" };
  }
}

const SEVERITY_ORDER: Severity[] = ["critical", "high", "medium", "low", "info"];

/** Problems first (most severe first), then skipped checks, then passes. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.status.status === "fail" ? 0 : f.status.status === "skipped" ? 1 : 2);
  return [...findings].sort(
    (a, b) => rank(a) - rank(b) || SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id),
  );
}

/** "1st", "2nd", "—". */
export function precedenceWords(precedence: number | bigint | null): string {
  if (precedence === null) return "—";
  const n = Number(precedence);
  const suffix = n === 1 ? "st" : n === 2 ? "nd" : n === 3 ? "rd" : "th";
  return `${n}${suffix}`;
}
