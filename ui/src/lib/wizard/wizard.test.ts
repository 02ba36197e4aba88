import { describe, expect, it } from "vitest";
import { canGoBack, stepLabel, stepState } from "./steps";
import { duration, fromNow, inAbout } from "./timing";
import { statusLook } from "./status";
import { renderTicketSummary } from "./summary";
import { typedConfirmationMatches } from "./confirmation";

describe("the step list", () => {
  it("marks steps done, current and to come", () => {
    expect([0, 1, 2].map((i) => stepState(i, 1))).toEqual(["done", "current", "todo"]);
    expect(stepLabel({ id: "find", title: "Find the person" }, "done")).toBe("Find the person (done)");
  });

  it("offers Back only until something has changed", () => {
    expect(canGoBack(0, false)).toBe(false);
    expect(canGoBack(2, false)).toBe(true);
    expect(canGoBack(2, true)).toBe(false);
  });
});

describe("plain phrases for time", () => {
  it("says when in rounded words", () => {
    expect(inAbout(25 * 60)).toBe("in about 25 minutes");
    expect(inAbout(61)).toBe("in about 1 minute");
    expect(inAbout(30)).toBe("in less than a minute");
    expect(inAbout(-5)).toBe("now");
    expect(inAbout(3 * 3600)).toBe("in about 3 hours");
    expect(inAbout(30 * 86400)).toBe("in about 30 days");
  });

  it("says how far a moment is from now", () => {
    expect(fromNow("2026-11-23T10:25:00Z", "2026-11-23T10:00:00Z")).toBe("about 25 minutes from now");
    expect(fromNow("2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z")).toBe("now");
  });

  it("formats time remaining", () => {
    expect(duration(12)).toBe("12 s");
    expect(duration(185)).toBe("3 min 5 s");
    expect(duration(3840)).toBe("1 h 4 min");
  });
});

describe("status looks", () => {
  it("gives every status an icon and a word, never colour alone", () => {
    for (const s of ["succeeded", "failed", "skipped", "pending", "unknown", "something-new"]) {
      const look = statusLook(s);
      expect(look.icon).not.toBe("");
      expect(look.word).not.toBe("");
    }
    expect(statusLook("failure").word).toBe("Failed");
    expect(statusLook("pending").word).toBe("Waiting");
  });
});

describe("the ticket summary", () => {
  it("says who, what, when, result and what is pending", () => {
    const text = renderTicketSummary({
      procedure: "Offboard a person",
      subject: "Leo Leaving (leo@contoso.com)",
      actor: "helene@contoso.com",
      when: "23 Nov 2026, 10:00",
      tenant: "contoso.onmicrosoft.com",
      changed: ["Turned off sign-in", "Ended active sessions"],
      verified: ["Sign-in is off"],
      pending: ["Lunchbox marks him inactive at the next sync round, about 25 minutes from now"],
      failed: [],
    });
    expect(text).toContain("Offboard a person: Leo Leaving");
    expect(text).toContain("Done by helene@contoso.com on 23 Nov 2026, 10:00");
    expect(text).toContain("Still pending:\n- Lunchbox marks him inactive");
    expect(text).not.toContain("Failed:");
    expect(text).not.toContain("Nothing was changed");
  });

  it("says so when nothing changed", () => {
    const text = renderTicketSummary({
      procedure: "Check what is sent to an app",
      subject: "Floorplan",
      actor: "a",
      when: "b",
      tenant: "c",
      changed: [],
      verified: [],
      pending: [],
      failed: [],
    });
    expect(text).toContain("Nothing was changed.");
  });
});

describe("typed confirmation", () => {
  it("needs the exact name", () => {
    expect(typedConfirmationMatches(" Floorplan ", "Floorplan")).toBe(true);
    expect(typedConfirmationMatches("floorplan", "Floorplan")).toBe(false);
    expect(typedConfirmationMatches("", "")).toBe(false);
  });
});
