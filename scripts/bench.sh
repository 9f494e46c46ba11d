#!/usr/bin/env bash
# Benchmarks against a throwaway PostgreSQL cluster: `scripts/bench.sh [--count N]` generates N
# incidents (default 1,000,000) and prints how long the dashboard and the list API take.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$HOME/.cache/tocsin/target}"
export CARGO_TARGET_DIR
pg_dir=$(mktemp -d /tmp/tocsin-bench-pg.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$pg_dir"' EXIT
url=$(scripts/pg-test-cluster.sh start "$pg_dir")
cargo build --locked --release -p bench
DATABASE_URL="$url" "$CARGO_TARGET_DIR/release/tocsin-bench" incidents "$@"
