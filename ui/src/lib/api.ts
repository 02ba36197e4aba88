// The ONLY module that talks to the Rust side. Views import these functions, never `invoke`.
import { Channel, invoke, type InvokeArgs, type InvokeOptions } from "@tauri-apps/api/core";
import type { ActionFilter } from "./bindings/ActionFilter";
import type { ActionRecord } from "./bindings/ActionRecord";
import type { AppStatus } from "./bindings/AppStatus";
import type { BulkKind } from "./bindings/BulkKind";
import type { BulkPlan } from "./bindings/BulkPlan";
import type { BulkReport } from "./bindings/BulkReport";
import type { ReactivatePreview } from "./bindings/ReactivatePreview";
import type { ReactivateResult } from "./bindings/ReactivateResult";
import type { JobResumed } from "./bindings/JobResumed";
import type { PausedJob } from "./bindings/PausedJob";
import type { FinishedChange } from "./bindings/FinishedChange";
import type { UnfinishedChange } from "./bindings/UnfinishedChange";
import type { RelinkPreview } from "./bindings/RelinkPreview";
import type { RelinkResult } from "./bindings/RelinkResult";
import type { Diagnosis } from "./bindings/Diagnosis";
import type { MappingReport } from "./bindings/MappingReport";
import type { RestartPreview } from "./bindings/RestartPreview";
import type { RestartResult } from "./bindings/RestartResult";
import type { RestoredSignIn } from "./bindings/RestoredSignIn";
import type { RoundAfterRestart } from "./bindings/RoundAfterRestart";
import type { ScopeChoice } from "./bindings/ScopeChoice";
import type { Symptom } from "./bindings/Symptom";
import type { TrainingApp } from "./bindings/TrainingApp";
import type { LogFilter } from "./bindings/LogFilter";
import type { LogPage } from "./bindings/LogPage";
import type { LogsLoaded } from "./bindings/LogsLoaded";
import type { LogsProgress } from "./bindings/LogsProgress";
import type { DeviceCodeView } from "./bindings/DeviceCodeView";
import type { OrganizationSettings } from "./bindings/OrganizationSettings";
import type { SignInMethod } from "./bindings/SignInMethod";
import type { Plan } from "./bindings/Plan";
import type { StepResult } from "./bindings/StepResult";
import type { AppVerification } from "./bindings/AppVerification";
import type { Departure } from "./bindings/Departure";
import type { OffboardPreview } from "./bindings/OffboardPreview";
import type { OffboardResult } from "./bindings/OffboardResult";
import type { PersonMatch } from "./bindings/PersonMatch";
import type { ProgressEvent } from "./bindings/ProgressEvent";
import type { CommandError } from "./bindings/CommandError";
import type { TrainingDemoAccount } from "./bindings/TrainingDemoAccount";
import type { WhoAmI } from "./bindings/WhoAmI";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { SavedFile } from "./bindings/SavedFile";
import type { TrainingClock } from "./bindings/TrainingClock";
import type { CycleReport } from "./bindings/CycleReport";
import type { ScimRequest } from "./bindings/ScimRequest";

/** Which tenant the app is connected to. */
export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>("app_status");
}

/** The training tenant's demo accounts (helpdesk operator, app admin, reports reader, …). */
export function demoAccounts(): Promise<TrainingDemoAccount[]> {
  return call<TrainingDemoAccount[]>("demo_accounts");
}

/** One-click sign-in to the training tenant as a demo account. */
export function signInDemo(account: string): Promise<WhoAmI> {
  return call<WhoAmI>("sign_in_demo", { account });
}

/** The deployed settings that prefill "Connect your organization", or `null`. */
export function organizationSettings(): Promise<OrganizationSettings | null> {
  return call<OrganizationSettings | null>("organization_settings");
}

/** Signs in to a real tenant; a device code to enter arrives through `onCode`. */
export function signInOrganization(
  settings: OrganizationSettings,
  method: SignInMethod,
  onCode: (code: DeviceCodeView) => void,
): Promise<WhoAmI> {
  const prompt = new Channel<DeviceCodeView>();
  prompt.onmessage = onCode;
  return call<WhoAmI>("sign_in_organization", { settings, method, prompt });
}

/** Who is signed in and what they may do; `null` before sign-in. */
export function whoami(): Promise<WhoAmI | null> {
  return call<WhoAmI | null>("whoami");
}

/** At start: signs in again as last time, or says why that could not be done. */
export function restoreSignIn(): Promise<RestoredSignIn> {
  return call<RestoredSignIn>("restore_sign_in");
}

/** Signs out; the next start opens on the sign-in screen. */
export function signOut(): Promise<void> {
  return call<void>("sign_out");
}

/** People (also in the recycle bin) matching a name, UPN, mail or employee id. */
export function peopleSearch(query: string): Promise<PersonMatch[]> {
  return call<PersonMatch[]>("people_search", { query });
}

/** What offboarding will do. Changes nothing. */
export function offboardPreview(person: string, departure: Departure): Promise<OffboardPreview> {
  return call<OffboardPreview>("offboard_preview", { person, departure });
}

/** Turns off sign-in and ends sessions; `onProgress` receives each step as it happens. */
export function offboardRun(preview: OffboardPreview, onProgress: (e: ProgressEvent) => void): Promise<OffboardResult> {
  return call<OffboardResult>("offboard_run", { preview, progress: progressChannel(onProgress) });
}

/** Per app: has the change reached it (from the provisioning logs)? */
export function offboardVerify(result: OffboardResult): Promise<AppVerification[]> {
  return call<AppVerification[]>("offboard_verify", { result });
}

/** Where a returning person stands and what welcoming them back will do. Changes nothing. */
export function reactivatePreview(person: string): Promise<ReactivatePreview> {
  return call<ReactivatePreview>("reactivate_preview", { person });
}

/** Restores if needed, turns sign-in back on, syncs each app now. */
export function reactivateRun(preview: ReactivatePreview, onProgress: (e: ProgressEvent) => void): Promise<ReactivateResult> {
  return call<ReactivateResult>("reactivate_run", { preview, progress: progressChannel(onProgress) });
}

/** One person's stored link in an app, the evidence and the likely cause. Changes nothing. */
export function relinkPreview(person: string, app: string): Promise<RelinkPreview> {
  return call<RelinkPreview>("relink_preview", { person, app });
}

/** Pauses the app's sync, forgets the link, syncs the person now, starts sync again. */
export function relinkRun(preview: RelinkPreview, onProgress: (e: ProgressEvent) => void): Promise<RelinkResult> {
  return call<RelinkResult>("relink_run", { preview, progress: progressChannel(onProgress) });
}

/** Syncs an interrupted re-link left paused (from the journal). */
export function relinkPausedJobs(): Promise<PausedJob[]> {
  return call<PausedJob[]>("relink_paused_jobs");
}

/** Starts again the sync that the interrupted re-link `runId` left paused. */
export function relinkResumeJob(runId: string): Promise<JobResumed> {
  return call<JobResumed>("relink_resume_job", { runId });
}

/** Changes an interrupted session left without an answer (from the journal). */
export function journalUnfinished(): Promise<UnfinishedChange[]> {
  return call<UnfinishedChange[]>("journal_unfinished");
}

/** Reads the tenant for one unfinished change and journals what happened; sends no change. */
export function journalFinish(actionId: string): Promise<FinishedChange> {
  return call<FinishedChange>("journal_finish", { actionId });
}

/** The training tenant's apps, as suggestions for the app field. */
export function appSuggestions(): Promise<TrainingApp[]> {
  return call<TrainingApp[]>("app_suggestions");
}

/** An app's user mappings and the lint's findings. */
export function mappingsInspect(app: string): Promise<MappingReport> {
  return call<MappingReport>("mappings_inspect", { app });
}

/** Every check of "deleted but nothing happened in the app", in order. */
export function diagnosePerson(person: string, app: string): Promise<Diagnosis> {
  return call<Diagnosis>("diagnose_person", { person, app });
}

/** The app's sync job, the recommended reset scope and the plan. Changes nothing. */
export function restartPreview(app: string, symptom: Symptom | null, scope: ScopeChoice | null): Promise<RestartPreview> {
  return call<RestartPreview>("restart_preview", { app, symptom, scope });
}

/** Restarts the job; a Full reset needs the app's name typed. */
export function restartRun(preview: RestartPreview, typed: string | null, onProgress: (e: ProgressEvent) => void): Promise<RestartResult> {
  return call<RestartResult>("restart_run", { preview, typed, progress: progressChannel(onProgress) });
}

/**
 * Waits until a sync round that began after the restart has ended; `null` when stopped first.
 * The screen chooses `watchId` and passes it to `restartWatchStop` when it goes away.
 */
export function restartWatch(watchId: string, preview: RestartPreview, result: RestartResult): Promise<RoundAfterRestart | null> {
  return call<RoundAfterRestart | null>("restart_watch", { watchId, preview, result });
}

/** Stops waiting for the round (the person left the result screen). */
export function restartWatchStop(watchId: string): Promise<boolean> {
  return call<boolean>("restart_watch_stop", { watchId });
}

/** Permanent departure, later: what deleting the person will (not) do. */
export function offboardDeletionPlan(person: PersonMatch): Promise<Plan> {
  return call<Plan>("offboard_deletion_plan", { person });
}

/** Moves the person to the recycle bin; `typed` must be their user principal name. */
export function offboardDelete(person: PersonMatch, typed: string, onProgress: (e: ProgressEvent) => void): Promise<StepResult[]> {
  return call<StepResult[]>("offboard_delete", { person, typed, progress: progressChannel(onProgress) });
}

/** Reads a CSV and looks up every row. Changes nothing. */
export function bulkPreview(kind: BulkKind, file: Uint8Array): Promise<BulkPlan> {
  // The file's bytes as on disk, as the call's raw body: Rust checks the encoding and hashes
  // exactly what the CLI would read.
  return call<BulkPlan>("bulk_preview", file, { headers: { "bulk-kind": kind } });
}

/** Runs the ready rows; progress brings counts and time left. */
export function bulkRun(plan: BulkPlan, onProgress: (e: ProgressEvent) => void): Promise<BulkReport> {
  return call<BulkReport>("bulk_run", { plan, progress: progressChannel(onProgress) });
}

/** Continues an interrupted or cancelled run without repeating anything. */
export function bulkResume(runId: string, onProgress: (e: ProgressEvent) => void): Promise<BulkReport> {
  return call<BulkReport>("bulk_resume", { runId, progress: progressChannel(onProgress) });
}

/** Stops the running bulk run after the rows in flight. */
export function bulkCancel(): Promise<boolean> {
  return call<boolean>("bulk_cancel");
}

/** Reads the provisioning-log entries of the last `hours` not held yet (with `newer`: only
 * entries newer than the newest held); `onProgress` gets the count held after each page. */
export function logsLoad(hours: number, newer: boolean, onProgress: (p: LogsProgress) => void): Promise<LogsLoaded> {
  const progress = new Channel<LogsProgress>();
  progress.onmessage = onProgress;
  return call<LogsLoaded>("logs_load", { hours, newer, progress });
}

/** Stops the reading in progress; what was read stays. */
export function logsStop(): Promise<boolean> {
  return call<boolean>("logs_stop");
}

/** `count` matching entries from `offset` on, explained in plain words, and how many match. */
export function logsPage(filter: LogFilter, offset: number, count: number): Promise<LogPage> {
  return call<LogPage>("logs_page", { filter, offset, count });
}

/** Journal rows matching the filter, newest first. */
export function journalActions(filter: ActionFilter): Promise<ActionRecord[]> {
  return call<ActionRecord[]>("journal_actions", { filter });
}

/** Saves the matching journal rows in the Downloads folder. */
export function journalExport(filter: ActionFilter, format: ExportFormat): Promise<SavedFile> {
  return call<SavedFile>("journal_export", { filter, format });
}

/** Where the training tenant's virtual clock stands. */
export function trainingClock(): Promise<TrainingClock> {
  return call<TrainingClock>("training_clock");
}

/** Moves the training tenant's clock forward by whole days. */
export function trainingSkipDays(days: number): Promise<TrainingClock> {
  return call<TrainingClock>("training_skip_days", { days });
}

/** "Run the next provisioning cycle now". */
export function trainingRunCycle(): Promise<CycleReport> {
  return call<CycleReport>("training_run_cycle");
}

/** "What Entra sent to the app" for one person (Entra object id). */
export function trainingScimRequests(personId: string): Promise<ScimRequest[]> {
  return call<ScimRequest[]>("training_scim_requests", { personId });
}

/** Puts the training tenant back as it was at start. */
export function trainingReset(): Promise<TrainingClock> {
  return call<TrainingClock>("training_reset");
}

/** Training: the app issues a new token and it is saved in Entra (the fix for an expired one). */
export function trainingRenewToken(app: string): Promise<string> {
  return call<string>("training_renew_token", { app });
}

function progressChannel(onProgress: (e: ProgressEvent) => void): Channel<ProgressEvent> {
  const channel = new Channel<ProgressEvent>();
  channel.onmessage = onProgress;
  return channel;
}

async function call<T>(command: string, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
  try {
    return await invoke<T>(command, args, options);
  } catch (raw) {
    throw toCommandError(raw);
  }
}

/** Normalizes whatever `invoke` rejected with into the `{ code, message, hint }` shape. */
export function toCommandError(raw: unknown): CommandError {
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const e = raw as Partial<CommandError>;
    return {
      code: String(e.code),
      message: String(e.message),
      hint: typeof e.hint === "string" ? e.hint : "",
    };
  }
  return {
    code: "unexpected",
    message: typeof raw === "string" ? raw : "Something unexpected went wrong.",
    hint: "Try again. If it keeps happening, restart Provisioning Desk.",
  };
}
