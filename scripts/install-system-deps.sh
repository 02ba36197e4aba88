#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those missing.
# Runs as root, or through sudo when available. Idempotent: a no-op once everything is present.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config curl wget file xauth
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev
  libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb webkit2gtk-driver xdotool imagemagick
  dbus dbus-x11 gnome-keyring libsecret-1-dev libsecret-tools libdbus-1-dev keyutils
  python3-venv
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "These Debian packages are missing and I am not root and sudo is not available: ${missing[*]}" >&2
  echo "Ask an administrator to run: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
