#!/usr/bin/env bash
# Runs the scim2-tester SCIM compliance suite (pinned in tests/peers/scim/requirements.txt)
# against every SCIM target app of a freshly started training tenant. Exits non-zero on any
# ERROR or CRITICAL check.
#
# Idempotent: the virtualenv .venv-peers (shared with peers-graph.sh) is created only if
# missing, and packages are installed only when requirements.txt changed since the last install.
# TRAINING_TENANT_BIN may point at a prebuilt binary; otherwise target/debug/training-tenant is built.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-peers"
requirements="$root/tests/peers/scim/requirements.txt"
stamp="$venv/.scim-requirements.sha256"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  echo '*' > "$venv/.gitignore"
fi
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
fi

if [ -z "${TRAINING_TENANT_BIN:-}" ]; then
  (cd "$root" && cargo build --quiet -p training-tenant --bin training-tenant)
  TRAINING_TENANT_BIN="$root/target/debug/training-tenant"
fi

out="$(mktemp)"
"$TRAINING_TENANT_BIN" --addr 127.0.0.1:0 > "$out" 2>/dev/null &
tenant=$!
trap 'kill "$tenant" 2>/dev/null || true; rm -f "$out"' EXIT
# The tenant prints its URL and, on the next line, "control token: ..." (in one write).
for _ in $(seq 1 100); do
  if [ "$(wc -l < "$out")" -ge 2 ]; then break; fi
  sleep 0.1
done
base_url="$(head -n1 "$out")"
control_token="$(sed -n '2s/^control token: //p' "$out")"
case "$base_url" in
  http://127.0.0.1:*) ;;
  *) echo "training tenant did not start (first line: '$base_url')" >&2; exit 1 ;;
esac

if [ -z "$control_token" ]; then
  echo "training tenant printed no control token (second line: '$(sed -n 2p "$out")')" >&2; exit 1
fi

"$venv/bin/python" "$root/tests/peers/scim/check_apps.py" "$base_url" "$control_token"
