import { describe, expect, it } from "vitest";
import { moveActive, scrollToShow, virtualWindow } from "./virtualWindow";

describe("the virtual window", () => {
  it("renders only the visible rows and a margin of a 50,000-row list", () => {
    const w = virtualWindow(72 * 1000, 448, 72, 50_000);
    expect(w.start).toBe(994);
    expect(w.end).toBe(1013);
    expect(w.padTop).toBe(994 * 72);
    expect(w.padTop + (w.end - w.start) * 72 + w.padBottom).toBe(50_000 * 72);
  });

  it("stays inside short lists", () => {
    expect(virtualWindow(0, 448, 72, 3)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
  });

  it("scrolls just enough to show the active row", () => {
    expect(scrollToShow(10, 0, 448, 72)).toBe(10 * 72 + 72 - 448);
    expect(scrollToShow(2, 0, 448, 72)).toBeNull();
    expect(scrollToShow(0, 500, 448, 72)).toBe(0);
  });

  it("moves the active row with the keys and stops at the ends", () => {
    expect(moveActive("ArrowDown", 0, 3)).toBe(1);
    expect(moveActive("ArrowUp", 0, 3)).toBe(0);
    expect(moveActive("PageDown", 1, 100)).toBe(7);
    expect(moveActive("PageDown", 98, 100)).toBe(99);
    expect(moveActive("End", 0, 100)).toBe(99);
    expect(moveActive("Home", 50, 100)).toBe(0);
    expect(moveActive("a", 5, 100)).toBeNull();
    expect(moveActive("ArrowDown", 0, 0)).toBeNull();
  });
});
