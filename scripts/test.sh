#!/usr/bin/env bash
# Runs every test: unit tests, CLI tests, and the server tests against a throwaway PostgreSQL
# cluster. Installs the PostgreSQL server binaries first when they are missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure-postgres.sh
source scripts/ensure-postgres.sh
cargo test "$@"
