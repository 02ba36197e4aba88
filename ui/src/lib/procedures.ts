// The seven procedures of shared/PLAYBOOKS.md as the home screen offers them.
// `available` turns true only when the procedure's wizard really exists: an entry that is not
// available says so and offers no button.

export interface Procedure {
  id: "offboard" | "reactivate" | "restart" | "relink" | "diagnose" | "mappings" | "bulk";
  title: string;
  /** One plain sentence a non-technical admin understands. */
  sentence: string;
  /** The Entra / Graph term, shown in small print so people can search for it. */
  entraTerm: string;
  available: boolean;
}

export const PROCEDURES: readonly Procedure[] = [
  {
    id: "offboard",
    title: "Offboard a person",
    sentence: "Turn off sign-in for someone who is leaving and end their active sessions, without deleting anything.",
    entraTerm: "disable account, revoke sign-in sessions",
    available: true,
  },
  {
    id: "reactivate",
    title: "Welcome a person back",
    sentence: "Turn sign-in back on for someone who returns, such as an intern next summer, and check their apps.",
    entraTerm: "enable account, restore deleted user, provision on demand",
    available: true,
  },
  {
    id: "restart",
    title: "Restart an app's account sync",
    sentence: "Restart the automatic account sync to an app, or start it from scratch, after seeing what that will do.",
    entraTerm: "restart provisioning job, reset scope",
    available: true,
  },
  {
    id: "relink",
    title: "Re-link one person",
    sentence: "Someone is linked to the wrong account in an app, or to one the app no longer uses: forget only their link and match them again, without restarting sync for everyone.",
    entraTerm: "object connection (Graph beta)",
    available: true,
  },
  {
    id: "diagnose",
    title: "Find out why an app still has someone",
    sentence: "We deleted someone and nothing happened in the app: check each possible cause and get the fix.",
    entraTerm: "provisioning diagnosis, soft delete, scope",
    available: true,
  },
  {
    id: "mappings",
    title: "Check what is sent to an app",
    sentence: "See which details Entra sends to an app and spot settings that stop leavers from being turned off.",
    entraTerm: "attribute mappings",
    available: true,
  },
  {
    id: "bulk",
    title: "Offboard or welcome back a list of people",
    sentence: "Work through a spreadsheet (CSV) of people, such as a season of interns, with a preview of every row first.",
    entraTerm: "bulk disable / enable",
    available: true,
  },
];

/** What an entry that is not built yet says instead of offering a button. */
export const NOT_YET_AVAILABLE = "Not available yet in this version.";
