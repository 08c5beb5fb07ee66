#!/usr/bin/env bash
# Runs every test: unit tests, CLI tests, and the server tests against a throwaway PostgreSQL
# cluster. Installs the PostgreSQL server binaries first when they are missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure-postgres.sh
source scripts/ensure-postgres.sh
# shellcheck source=scripts/ensure-test-deps.sh
source scripts/ensure-test-deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Parts of tests that could not run (the sample databases missing outside CI) are counted here.
skips=target/tmp/skipped.txt
rm -f "$skips"
status=0
cargo test "$@" 2>&1 | tee "$log" || status=$?
echo
if [ -s "$skips" ]; then
  echo "not run:"; sort "$skips" | uniq -c
fi
skipped=0
if [ -f "$skips" ]; then skipped=$(wc -l < "$skips"); fi
awk -v s="$skipped" '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
