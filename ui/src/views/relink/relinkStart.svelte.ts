// Where another screen (Restart's symptom chooser, Diagnose) sends someone to re-link: the app,
// and the person when known. Read once by the Re-link wizard when it opens.

class RelinkStart {
  app = $state("");
  person = $state("");

  /** Remembers what to start with; the caller then navigates to "relink". */
  set(app: string, person = ""): void {
    this.app = app;
    this.person = person;
  }

  /** Reads and clears. */
  take(): { app: string; person: string } {
    const start = { app: this.app, person: this.person };
    this.app = "";
    this.person = "";
    return start;
  }
}

export const relinkStart = new RelinkStart();
