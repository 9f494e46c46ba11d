#!/usr/bin/env bash
# Runs every test: unit and integration tests against a throwaway PostgreSQL cluster (one fresh
# database per test), then the browser tests against a real server with its embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${CARGO_TARGET_DIR:=$HOME/.cache/tocsin/target}"
export CARGO_TARGET_DIR

pg_dir=$(mktemp -d /tmp/tocsin-test-pg.XXXXXX)
e2e_dir=$(mktemp -d /tmp/tocsin-e2e.XXXXXX)
cleanup() {
  scripts/pg-test-cluster.sh stop "$pg_dir" || true
  # The browser tests' server owns an embedded cluster; stop it if a failed run left it behind.
  if [ -f "$e2e_dir/postgres/postmaster.pid" ]; then
    pg_ctl_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$pg_ctl_bin/pg_ctl" stop -D "$e2e_dir/postgres" -m immediate >/dev/null 2>&1 || true
    else "$pg_ctl_bin/pg_ctl" stop -D "$e2e_dir/postgres" -m immediate >/dev/null 2>&1 || true; fi
  fi
  rm -rf "$e2e_dir"
}
trap cleanup EXIT

echo "==> formatting and lints"
scripts/lint.sh

echo "==> starting a throwaway PostgreSQL cluster"
DATABASE_URL=$(scripts/pg-test-cluster.sh start "$pg_dir")
export DATABASE_URL

# cargo-leptos builds debug code with this flag; using it here too shares one build cache.
export RUSTFLAGS="--cfg erase_components"

echo "==> unit and integration tests"
cargo test --locked -p domain -p backend -p server
cargo test --locked -p app --features ssr --lib

echo "==> fuzzing the REST API from its OpenAPI document (schemathesis)"
scripts/schemathesis.sh

echo "==> building the app for the browser tests"
unset DATABASE_URL RUSTFLAGS
cargo leptos build

echo "==> browser tests (Playwright + Chromium)"
chmod 755 "$e2e_dir"
(cd end2end && TOCSIN_E2E_DATA_DIR="$e2e_dir" npx playwright test)
