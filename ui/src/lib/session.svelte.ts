// Who is signed in, shared by the header and the wizards (for the ticket summary).
import type { WhoAmI } from "./bindings/WhoAmI";

class Session {
  who = $state<WhoAmI | null>(null);
  /** On the training tenant: training-only panels show. */
  training = $state(false);
}

export const session = new Session();
