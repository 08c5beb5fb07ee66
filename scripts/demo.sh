#!/usr/bin/env bash
# The main job on a built-in default: build pgsnap, start a throwaway cluster, load the
# Nautobot-style fixture, dump it with pgsnap and pg_dump, show they match, then benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-postgres.sh
cargo build --release
BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/pgsnap-demo.XXXXXX)
AS=()
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; AS=(runuser -u postgres --); fi
cleanup() { "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
"${AS[@]}" "$BIN/initdb" -D "$WORK/data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -o "-k $WORK -p 5432 -c listen_addresses=''" -l "$WORK/log" -w start >/dev/null
export PGHOST=$WORK PGPORT=5432 PGUSER=postgres
"$BIN/psql" -X -q -c "CREATE DATABASE nautobot TEMPLATE template0 ENCODING 'UTF8'"
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d nautobot -f fixtures/schemas/01-nautobot.sql
# The dumps live in the throwaway directory too: nothing is left behind.
OUT=$WORK
target/release/pgsnap dump -j 2 --restrict-key=DEMO -f "$OUT/pgsnap.sql" nautobot
"$BIN/pg_dump" --restrict-key=DEMO -f "$OUT/pg_dump.sql" nautobot
if diff <(grep -v '^-- Dumped by' "$OUT/pg_dump.sql") <(grep -v '^-- Dumped by' "$OUT/pgsnap.sql") >/dev/null; then
  echo "pgsnap output is identical to pg_dump ($(wc -c < "$OUT/pgsnap.sql") bytes)"
else
  echo "pgsnap output differs from pg_dump:"; diff "$OUT/pg_dump.sql" "$OUT/pgsnap.sql" | head -40; exit 1
fi
target/release/pgsnap bench "$@"
