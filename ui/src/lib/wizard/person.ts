import type { PersonMatch } from "../bindings/PersonMatch";

/** "Sign-in on", "Sign-in off", "In the recycle bin since …". */
export function personState(person: PersonMatch): string {
  if (person.deletedAt) return `In the recycle bin since ${new Date(person.deletedAt).toLocaleDateString()}`;
  if (person.accountEnabled === true) return "Sign-in on";
  if (person.accountEnabled === false) return "Sign-in off";
  return "Sign-in: unknown";
}
