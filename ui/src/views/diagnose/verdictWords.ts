import type { Conclusion } from "../../lib/bindings/Conclusion";

/** Colour + icon + word for a diagnosis verdict. */
export function conclusionLook(conclusion: Conclusion): { status: string; word: string } {
  switch (conclusion.kind) {
    case "cause":
      return { status: "failed", word: "This is why" };
    case "not_the_cause":
      return { status: "success", word: "Not the cause" };
    case "reminder":
      return { status: "waiting", word: "Check yourself" };
    case "skipped":
      return { status: "skipped", word: "Could not check" };
  }
}
