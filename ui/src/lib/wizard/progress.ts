// Folds the streamed progress events of a single-target run into one line per step.
import type { ProgressEvent } from "../bindings/ProgressEvent";
import type { StepOutcome } from "../bindings/StepOutcome";

export interface ProgressStep {
  stepId: string;
  title: string;
  outcome: StepOutcome | null;
}

export function progressSteps(events: ProgressEvent[]): ProgressStep[] {
  const steps: ProgressStep[] = [];
  for (const event of events) {
    if (event.type === "step_started") {
      if (!steps.some((s) => s.stepId === event.stepId)) {
        steps.push({ stepId: event.stepId, title: event.title, outcome: null });
      }
    } else if (event.type === "step_finished") {
      const step = steps.find((s) => s.stepId === event.stepId);
      if (step) step.outcome = event.outcome;
      else steps.push({ stepId: event.stepId, title: event.stepId, outcome: event.outcome });
    }
  }
  return steps;
}
