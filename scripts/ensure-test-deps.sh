#!/usr/bin/env bash
# What the tests need beyond the server binaries (ensure-postgres.sh):
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
