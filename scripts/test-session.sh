#!/usr/bin/env bash
# Runs a command the way the tests need it on a machine with no display and no desktop session:
# inside a private D-Bus session with an unlocked gnome-keyring (a real Secret Service for the
# keychain test) and under Xvfb (a real X display for the app under WebDriver).
# Usage: scripts/test-session.sh COMMAND [ARGS...]
set -euo pipefail

if [ -z "${PROVDESK_IN_TEST_SESSION:-}" ]; then
  export PROVDESK_IN_TEST_SESSION=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@"
fi

# Keep the keyring, app data and exported files of the tests out of the person's own: a
# throw-away home. Cargo and rustup keep theirs.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home"
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# gnome-keyring-daemon prints its environment (the control socket) for us to export.
eval "$(echo -n provdesk-test | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL
export PROVDESK_REQUIRE_KEYCHAIN=1
"$@"
