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
  echo "cargo is required (install Rust with rustup or apt-get install cargo)" >&2
  exit 1
fi
# The server headers, to build the test security-label provider (fixtures/label_provider):
# Debian's postgresql-server-dev package unpacked under target/ (its clang/llvm dependencies
# are not needed for one small module).
major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
if [ -n "$major" ] && [ ! -f "/usr/include/postgresql/$major/server/postgres.h" ] \
  && [ ! -f "target/pg-server-dev/usr/include/postgresql/$major/server/postgres.h" ]; then
  echo "fetching postgresql-server-dev-$major headers into target/pg-server-dev" >&2
  mkdir -p target/pg-server-dev
  (
    cd target/pg-server-dev || exit 1
    apt-get download "postgresql-server-dev-$major" >/dev/null 2>&1 \
      || { apt-get update >/dev/null && apt-get download "postgresql-server-dev-$major"; }
    dpkg -x postgresql-server-dev-"$major"_*.deb .
  ) || echo "warning: could not fetch the PostgreSQL server headers; the security label test will fail" >&2
fi
