// Which screen is showing, remembered across restarts (UX: "last screen remembered").

export type Screen = "home" | "journal";

const SCREENS: readonly Screen[] = ["home", "journal"];
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
