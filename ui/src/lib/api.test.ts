import { describe, expect, it } from "vitest";
import { toCommandError } from "./api";

describe("toCommandError", () => {
  it("keeps the code, message and hint the Rust side sent", () => {
    const e = toCommandError({ code: "forbidden", message: "You may not do that.", hint: "Ask for User Administrator." });
    expect(e).toEqual({ code: "forbidden", message: "You may not do that.", hint: "Ask for User Administrator." });
  });

  it("turns anything else into a plain error with a way out", () => {
    const e = toCommandError(new Error("boom"));
    expect(e.code).toBe("unexpected");
    expect(e.message).toMatch(/unexpected/);
    expect(e.hint).not.toBe("");
  });
});
