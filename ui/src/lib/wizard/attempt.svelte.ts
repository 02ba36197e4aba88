// One call to the Rust side as a wizard makes it: busy while it runs (buttons disabled, "Reading…"),
// and the error the Rust side sent kept for the ErrorNotice, cleared when the next call starts.
import type { CommandError } from "../bindings/CommandError";

export class Attempt {
  busy = $state(false);
  failure = $state<CommandError | null>(null);

  /** Runs `work`; a thrown CommandError lands in `failure` instead of escaping. */
  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.failure = null;
    try {
      await work();
    } catch (e) {
      this.failure = e as CommandError;
    } finally {
      this.busy = false;
    }
  }
}
