#!/usr/bin/env bash
# The backend's layering rule (backend/src/lib.rs): engine -> services -> {db, notify, auth, live}
# -> domain, never back. Fails, naming the lines, when a lower layer imports a higher one.
set -euo pipefail
cd "$(dirname "$0")/../backend/src"
status=0
check() {
  local what=$1 pattern=$2; shift 2
  if hits=$(grep -rnE "$pattern" "$@"); then
    echo "layering rule broken: $what" >&2
    echo "$hits" >&2
    status=1
  fi
}
check "services, db, notify, auth and live never use the engine or the intake" \
  'crate::(engine|ingest)\b' services db notify auth live.rs
check "db, notify, auth and live never use services" 'crate::services\b' db notify auth live.rs
check "db never uses notify" 'crate::notify\b' db
exit $status
