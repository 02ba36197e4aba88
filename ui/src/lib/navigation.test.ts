import { describe, expect, it } from "vitest";
import { navigation, parseScreen } from "./navigation.svelte";

describe("navigation", () => {
  it("reads back a remembered screen and falls back to home for anything else", () => {
    expect(parseScreen("journal")).toBe("journal");
    expect(parseScreen("settings-from-a-future-version")).toBe("home");
    expect(parseScreen(null)).toBe("home");
    expect(parseScreen("offboard")).toBe("offboard");
  });

  it("remembers the last screen", () => {
    navigation.go("journal");
    expect(localStorage.getItem("provisioning-desk.last-screen")).toBe("journal");
    navigation.go("home");
    expect(navigation.screen).toBe("home");
  });
});
