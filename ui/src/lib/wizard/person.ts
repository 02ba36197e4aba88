import type { PersonMatch } from "../bindings/PersonMatch";
import type { FoundBy } from "../bindings/FoundBy";

/** "Sign-in on", "Sign-in off", "In the recycle bin since …". */
export function personState(person: PersonMatch): string {
  if (person.deletedAt) return `In the recycle bin since ${new Date(person.deletedAt).toLocaleDateString()}`;
  if (person.accountEnabled === true) return "Sign-in on";
  if (person.accountEnabled === false) return "Sign-in off";
  return "Sign-in: unknown";
}

/** "Found by alias smtp:…": why a person found by an address other than their sign-in name is listed. */
export function foundByWords(foundBy: FoundBy | null | undefined): string | null {
  if (!foundBy) return null;
  switch (foundBy.kind) {
    case "mail":
      return `Found by e-mail ${foundBy.address}`;
    case "other_mail":
      return `Found by other e-mail ${foundBy.address}`;
    case "alias":
      return `Found by alias ${foundBy.address}`;
  }
}
