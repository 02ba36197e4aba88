// Where a wizard stands: which steps are done, which is current, which are to come.

export interface WizardStep {
  id: string;
  /** A short plain title for the step list ("Find the person"). */
  title: string;
}

export type StepState = "done" | "current" | "todo";

export function stepState(index: number, currentIndex: number): StepState {
  if (index < currentIndex) return "done";
  if (index === currentIndex) return "current";
  return "todo";
}

/** The words a screen reader hears for a step in the list. */
export function stepLabel(step: WizardStep, state: StepState): string {
  const word = state === "done" ? "done" : state === "current" ? "current step" : "to come";
  return `${step.title} (${word})`;
}

/**
 * "Back" is offered until something has changed in the tenant (UX.md): after a change, going
 * back would suggest the change can be taken back by navigation.
 */
export function canGoBack(currentIndex: number, changed: boolean): boolean {
  return currentIndex > 0 && !changed;
}
