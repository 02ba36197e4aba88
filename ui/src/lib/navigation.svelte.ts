// Which screen is showing, remembered across restarts (UX: "last screen remembered").

import { PROCEDURES, type Procedure } from "./procedures";

export type Screen = "home" | "journal" | "logs" | Procedure["id"];

/** A procedure's screen exists only once its wizard is available. */
const SCREENS: readonly Screen[] = [
  "home",
  "journal",
  "logs",
  ...PROCEDURES.filter((p) => p.available).map((p) => p.id),
];
const STORAGE_KEY = "provisioning-desk.last-screen";

/** Reads a remembered screen; anything unknown (an older version, a hand edit) means home. */
export function parseScreen(value: string | null | undefined): Screen {
  return SCREENS.find((s) => s === value) ?? "home";
}

function remembered(): Screen {
  try {
    return parseScreen(globalThis.localStorage?.getItem(STORAGE_KEY));
  } catch {
    return "home";
  }
}

class Navigation {
  screen = $state<Screen>(remembered());

  go(screen: Screen): void {
    this.screen = screen;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, screen);
    } catch {
      // Storage refused (private mode): the app works, it just won't remember.
    }
  }
}

export const navigation = new Navigation();
