#!/usr/bin/env bash
# Regenerates .sqlx/, the offline description of every compile-time checked query (`query!`).
# Run it after changing SQL or migrations, and commit .sqlx/. Builds normally read .sqlx/
# (SQLX_OFFLINE=true in .cargo/config.toml), so no database is needed to compile.
# `--check` (in scripts/lint.sh) regenerates into a temporary folder and fails if .sqlx/ differs:
# what `cargo sqlx prepare --check` does, without installing sqlx-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$HOME/.cache/tocsin/target}"
export CARGO_TARGET_DIR

check=0
[ "${1:-}" = --check ] && check=1
pg_dir=$(mktemp -d /tmp/tocsin-prepare-pg.XXXXXX)
out=.sqlx
[ $check = 1 ] && out=$(mktemp -d /tmp/tocsin-sqlx-check.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$pg_dir"; [ $check = 1 ] && rm -rf "$out"' EXIT
url=$(scripts/pg-test-cluster.sh start "$pg_dir")
db_url="${url%/postgres}/tocsin_prepare"
psql -q "$url" -c "CREATE DATABASE tocsin_prepare"
for migration in migrations/*.sql; do
  psql -q -v ON_ERROR_STOP=1 "$db_url" -f "$migration"
done

[ $check = 1 ] || { rm -rf .sqlx && mkdir .sqlx; }
# Make the query macros run again: they write their description when SQLX_OFFLINE_DIR is set.
touch backend/src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$(cd "$out" && pwd)" DATABASE_URL="$db_url" \
  RUSTFLAGS="--cfg erase_components" cargo check --locked -p backend --all-targets --quiet
if [ $check = 1 ]; then
  if ! diff -r -q .sqlx "$out" >&2; then
    echo ".sqlx/ does not match the queries: run scripts/sqlx-prepare.sh and commit .sqlx/" >&2
    exit 1
  fi
  echo ".sqlx/ matches the queries ($(ls "$out" | wc -l) descriptions)"
else
  echo "wrote $(ls .sqlx | wc -l) query descriptions to .sqlx/"
fi
