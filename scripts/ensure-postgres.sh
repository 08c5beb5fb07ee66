#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, and pg_dump/psql as the test oracle)
# are installed under /usr/lib/postgresql/*/bin; installs Debian's postgresql package if not.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${PGSNAP_PG_BINDIR:-}" ]; then
  echo "PostgreSQL server binaries not found; installing the postgresql package" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y postgresql
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is required: install Rust 1.85 or newer with rustup (https://rustup.rs); Debian's cargo package is too old" >&2
  exit 1
fi
