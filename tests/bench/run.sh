#!/usr/bin/env bash
# Runs every benchmark of the workspace and prints its figures. Benchmarks are figures, never
# pass/fail: nothing here is part of `make test`. Usage: tests/bench/run.sh [FILTER]
# BULK_OFFBOARD_ROWS=N sizes playbooks/bulk_offboard (default 4,000 people = 8,000 writes, three
# windows of Graph's write quota, so the quota binds).
# The output is also kept in tests/bench/latest.txt (not committed) for the README's table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="$root/tests/bench/latest.txt"
filter="${1:-}"
{
  echo "# Provisioning Desk benchmarks — $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores"
  # Each bench target is a harness-less binary that prints its own figures.
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys
for p in json.load(sys.stdin)["packages"]:
    for t in p["targets"]:
        if "bench" in t["kind"]:
            print(p["name"], t["name"])' |
  while read -r package bench; do
    if [ -n "$filter" ] && [[ "$package/$bench" != *"$filter"* ]]; then continue; fi
    echo
    echo "## $package / $bench"
    if [ "$package" = provisioning-desk-bench ]; then
      # The whole-app benchmarks drive the real (release) app under Xvfb.
      # (stdin from /dev/null: xvfb-run and cargo would otherwise eat the list being read.)
      cargo build --quiet --release -p provisioning-desk </dev/null
      PROVDESK_APP="$root/target/release/provisioning-desk" \
        scripts/test-session.sh cargo bench --quiet -p "$package" --bench "$bench" </dev/null 2>&1
    else
      cargo bench --quiet -p "$package" --bench "$bench" </dev/null 2>&1
    fi
  done
} | tee "$out"
