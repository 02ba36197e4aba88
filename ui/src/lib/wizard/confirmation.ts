// Typed confirmation (Full reset: the app's name). Mirrors `Confirmation::is_satisfied_by` in
// the playbooks crate: exact match, surrounding spaces aside; a near miss is not consent.

export function typedConfirmationMatches(answer: string, expected: string): boolean {
  return expected.trim() !== "" && answer.trim() === expected.trim();
}
