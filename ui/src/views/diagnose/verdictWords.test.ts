import { describe, expect, it } from "vitest";
import { conclusionLook } from "./verdictWords";

describe("diagnosis verdicts", () => {
  it("say each conclusion with a word, not colour alone", () => {
    expect(conclusionLook({ kind: "cause" }).word).toBe("This is why");
    expect(conclusionLook({ kind: "not_the_cause" }).status).toBe("success");
    expect(conclusionLook({ kind: "skipped", because: "no role" }).word).toBe("Could not check");
    expect(conclusionLook({ kind: "reminder" }).word).toBe("Check yourself");
  });
});
