// Who is signed in, shared by the header and the wizards (for the ticket summary).
import type { WhoAmI } from "./bindings/WhoAmI";

class Session {
  who = $state<WhoAmI | null>(null);
}

export const session = new Session();
