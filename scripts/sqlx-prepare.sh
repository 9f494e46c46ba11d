#!/usr/bin/env bash
# Regenerates .sqlx/, the offline description of every compile-time checked query (`query!`).
# Run it after changing SQL or migrations, and commit .sqlx/. Builds normally read .sqlx/
# (SQLX_OFFLINE=true in .cargo/config.toml), so no database is needed to compile.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$HOME/.cache/tocsin/target}"
export CARGO_TARGET_DIR

pg_dir=$(mktemp -d /tmp/tocsin-prepare-pg.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$pg_dir"' EXIT
url=$(scripts/pg-test-cluster.sh start "$pg_dir")
db_url="${url%/postgres}/tocsin_prepare"
psql -q "$url" -c "CREATE DATABASE tocsin_prepare"
for migration in migrations/*.sql; do
  psql -q -v ON_ERROR_STOP=1 "$db_url" -f "$migration"
done

rm -rf .sqlx && mkdir .sqlx
# Make the query macros run again: they write their description when SQLX_OFFLINE_DIR is set.
touch backend/src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="$db_url" \
  RUSTFLAGS="--cfg erase_components" cargo check --locked -p backend --all-targets
echo "wrote $(ls .sqlx | wc -l) query descriptions to .sqlx/"
