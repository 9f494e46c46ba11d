#!/usr/bin/env bash
# Benchmarks against throwaway PostgreSQL clusters: `scripts/bench.sh [incidents|ingest] [options]`.
# - incidents [--count N]: generates N incidents (default 1,000,000) and prints how long the
#   dashboard and the list API take.
# - ingest [--events N]: sends PagerDuty events to /v2/enqueue and prints events/s and latency, on
#   a cluster with durability ON (every 202 is a real commit), then checks every 202 is stored.
# - paging [--events N --rate R]: alert-to-page latency, from the 202 of an event to the webhook
#   page arriving, through the processor and the paging engine (durability ON).
# - status [--readers N --seconds S]: the public status page and its JSON under many readers while
#   alert ingestion runs, side by side with nginx serving the same bytes (installed here).
# - analytics [--count N]: a year of N incidents (default 1,000,000) with ten timeline events,
#   a page and a notification each; how long the facts take to catch up, and /analytics and the
#   analytics API over that year against the 250 ms goal.
# With no argument, all of them run.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$HOME/.cache/tocsin/target}"
export CARGO_TARGET_DIR
cargo build --locked --release -p bench
case "${1:-all}" in status|all) scripts/install-tools.sh bench ;; esac
pg_dir=$(mktemp -d /tmp/tocsin-bench-pg.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$pg_dir"' EXIT

run() {
  local durable=$1; shift
  url=$(PG_DURABLE=$durable scripts/pg-test-cluster.sh start "$pg_dir")
  DATABASE_URL="$url" "$CARGO_TARGET_DIR/release/tocsin-bench" "$@"
  scripts/pg-test-cluster.sh stop "$pg_dir"
}

case "${1:-all}" in
  incidents) shift; run 0 incidents "$@" ;;
  analytics) shift; run 0 analytics "$@" ;;
  ingest) shift; run 1 ingest "$@" ;;
  paging) shift; run 1 paging "$@" ;;
  status) shift; run 1 status "$@" ;;
  all) run 1 ingest; run 1 paging; run 1 status; run 0 incidents; run 0 analytics ;;
  *) run 0 incidents "$@" ;;  # the old form: scripts/bench.sh --count N
esac
