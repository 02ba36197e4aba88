#!/usr/bin/env bash
# Runs Microsoft's msgraph-sdk for Python (pinned in tests/peers/graph-sdk/requirements.txt)
# against a freshly started training tenant. Exits non-zero on any failure.
#
# Idempotent: the virtualenv .venv-peers is created only if missing, and packages are installed
# only when requirements.txt changed since the last install.
# TRAINING_TENANT_BIN may point at a prebuilt binary; otherwise target/debug/training-tenant is built.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-peers"
requirements="$root/tests/peers/graph-sdk/requirements.txt"
stamp="$venv/.requirements.sha256"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  # Keep the virtualenv out of git without touching the repository's .gitignore.
  echo '*' > "$venv/.gitignore"
fi
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
fi

if [ -z "${TRAINING_TENANT_BIN:-}" ]; then
  (cd "$root" && cargo build --quiet -p training-tenant --bin training-tenant)
  export TRAINING_TENANT_BIN="$root/target/debug/training-tenant"
fi

cd "$root/tests/peers/graph-sdk"
exec "$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning "$@"
