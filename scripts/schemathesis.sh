#!/usr/bin/env bash
# Fuzzes the REST API from its own OpenAPI document with schemathesis: a real `tocsin serve` on a
# fresh database of the test cluster, an admin token made with the command line (as an operator
# makes one), and every /api/v1 operation called with generated valid and invalid input. Fails on
# any 5xx and on any response the document does not describe (status, content type, headers,
# body schema). The live event stream is left out: it never ends, by design.
#
# Needs DATABASE_URL (a superuser URL of the test cluster) and the debug `tocsin` binary.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?a superuser URL of the test cluster, as scripts/pg-test-cluster.sh start DIR prints}"
: "${CARGO_TARGET_DIR:=$HOME/.cache/tocsin/target}"
bin=${TOCSIN_BIN:-$CARGO_TARGET_DIR/debug/tocsin}
st=${TOCSIN_TOOLS_DIR:-$HOME/.cache/tocsin/tools}/venv/bin/st
# A fixed seed keeps CI repeatable; FUZZ_SEED=random explores further.
seed=${FUZZ_SEED:-20261206}
examples=${FUZZ_EXAMPLES:-50}

work=$(mktemp -d /tmp/tocsin-fuzz.XXXXXX)
chmod 755 "$work"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

database="fuzz_$(date +%s)_$$"
psql -q "$DATABASE_URL" -c "CREATE DATABASE $database" >/dev/null
url="${DATABASE_URL%/*}/$database"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DATABASE_URL="$url" TOCSIN_DATA_DIR="$work" TOCSIN_LISTEN="127.0.0.1:$port"
export TOCSIN_ADMIN_EMAIL=fuzz@example.com TOCSIN_ADMIN_PASSWORD="fuzzing-password-$$"
unset TOCSIN_PUBLIC_URL TOCSIN_CONFIG

# Demo data gives the generated ids and numbers something real to find.
RUST_LOG=warn "$bin" serve --demo >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
# /readyz says the migrations are applied; the demo data (and with it the admin) may still be
# loading, so the token is asked for until the admin exists.
token=""
for _ in $(seq 1 300); do
  token=$("$bin" token create --email fuzz@example.com --label schemathesis 2>/dev/null) && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  token=""
  sleep 0.2
done
[ -n "$token" ] || { echo "the admin fuzz@example.com never appeared" >&2; exit 1; }

echo "schemathesis $("$st" --version | awk '{print $NF}') against $base/api/openapi.json (seed $seed, $examples examples per operation)"
# Revoking a token of the caller's, with an id read from an earlier answer, would revoke the very
# token the run uses and leave the rest of it answering 401: that operation runs last, alone.
# One worker: with two, hypothesis sometimes parses lambda sources in two threads at once and
# CPython 3.11's parser fails ("SystemError: AST constructor recursion depth mismatch"), a red
# run that says nothing about the API.
fuzz() {
  # From the scratch folder: schemathesis keeps a cache in its working folder.
  (cd "$work" && "$st" --no-color run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$examples" \
    --seed "$seed" \
    --workers 1 \
    --request-timeout 10 \
    "$@")
}
status=0
fuzz --exclude-path /api/v1/events --exclude-path '/api/v1/me/tokens/{id}' || status=$?
fuzz --include-path '/api/v1/me/tokens/{id}' || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis found problems; the server's log:" >&2
  tail -50 "$work/server.log" >&2
fi
exit "$status"
