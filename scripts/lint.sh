#!/usr/bin/env bash
# Formatting and lints, per feature set (a --workspace build would turn on ssr and hydrate at once).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg erase_components"
cargo fmt --all -- --check
scripts/layers.sh
cargo clippy --locked -p domain -p backend -p server -p bench --all-targets -- -D warnings
cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings
# The offline query descriptions must match the queries: regenerated and compared.
scripts/sqlx-prepare.sh --check
