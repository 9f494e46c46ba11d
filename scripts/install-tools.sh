#!/usr/bin/env bash
# Installs everything Tocsin's build and tests need that a fresh Debian/Ubuntu machine lacks:
# the wasm target, wasm-bindgen-cli and cargo-leptos (built from crates.io into a cache outside the
# clone, so later runs skip them), PostgreSQL server binaries, Chromium, and the npm packages of end2end/.
# Every step is skipped when its result is already present; the script is safe to run again.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Versions that fit together on rustc 1.95 (see README, "Toolchain").
WASM_BINDGEN_VERSION=0.2.130
CARGO_LEPTOS_VERSION=0.3.11
TOOLS_DIR=${TOCSIN_TOOLS_DIR:-$HOME/.cache/tocsin/tools}
mkdir -p "$TOOLS_DIR/bin"

log() { printf '\033[1m[install]\033[0m %s\n' "$*"; }

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "${APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

# What to install: any of rust, postgres, peers, fuzz, browser, npm, bench; nothing or "all" means
# everything but bench.
parts=" ${*:-all} "
wants() { [[ $parts == *" all "* || $parts == *" $1 "* ]]; }
cargo_home=${CARGO_HOME:-$HOME/.cargo}

# --- Rust target for the browser half -------------------------------------------------------------
if wants rust; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi

  # --- wasm-bindgen-cli: must equal the wasm-bindgen crate pinned in Cargo.toml --------------------
  if ! "$TOOLS_DIR/bin/wasm-bindgen" --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes, once per machine)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --root "$TOOLS_DIR" --force
  fi

  # --- cargo-leptos --------------------------------------------------------------------------------
  # `cargo install --locked` fails on rustc 1.95 (its lockfile wants a newer compiler) and unlocked
  # resolution is worse. Build from the published source with one dependency held back instead.
  if ! "$TOOLS_DIR/bin/cargo-leptos" --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "building cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes, once per machine)"
    src="$TOOLS_DIR/src/cargo-leptos-$CARGO_LEPTOS_VERSION"
    if [ ! -f "$src/Cargo.toml" ]; then
      mkdir -p "$TOOLS_DIR/src"
      reg=$(ls -d "$cargo_home"/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" 2>/dev/null | head -1 || true)
      if [ -z "$reg" ]; then
        # A locked install stops at once on this compiler, but leaves the unpacked source behind.
        cargo install cargo-leptos --version "=$CARGO_LEPTOS_VERSION" --locked --root "$TOOLS_DIR/none" >/dev/null 2>&1 || true
        reg=$(ls -d "$cargo_home"/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" 2>/dev/null | head -1 || true)
      fi
      [ -n "$reg" ] || { echo "could not fetch the cargo-leptos $CARGO_LEPTOS_VERSION source from crates.io" >&2; exit 1; }
      cp -r "$reg" "$src"
    fi
    (cd "$src" && cargo update -q -p cargo-util-schemas --precise 0.14.1 && \
      CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --path . --locked --root "$TOOLS_DIR" --force)
  fi
fi

# --- PostgreSQL server binaries (embedded cluster and test clusters) ------------------------------
if wants postgres; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    log "installing PostgreSQL server binaries (apt: postgresql)"
    apt_install postgresql
  fi
fi

# --- A real Alertmanager, which server/tests/api/alertmanager.rs points at Tocsin ----------------------
if wants peers; then
  if ! command -v prometheus-alertmanager >/dev/null; then
    log "installing Prometheus Alertmanager for the compatibility test (apt: prometheus-alertmanager)"
    apt_install prometheus-alertmanager
    # The package starts an Alertmanager service where systemd runs; the test starts its own, so
    # stop the one this script caused.
    if [ -d /run/systemd/system ]; then
      sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true
    fi
  fi
fi

# --- nginx, the static-file anchor of the status page benchmark (scripts/bench.sh status) ------
# Only when asked for by name: `make test` and `make run` do not need it.
if [[ $parts == *" bench "* ]]; then
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    log "installing nginx for the status page benchmark (apt: nginx-light or nginx)"
    apt_install nginx-light || apt_install nginx
    if [ -d /run/systemd/system ]; then
      sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
  fi
fi

# --- schemathesis, which fuzzes the REST API from its OpenAPI document (scripts/schemathesis.sh) -
SCHEMATHESIS_VERSION=4.32.5
if wants fuzz; then
  venv="$TOOLS_DIR/venv"
  if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    log "installing schemathesis $SCHEMATHESIS_VERSION into $venv (pip)"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      apt_install python3-venv
      python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi

# --- Browser tests: Chromium from the distribution, Playwright and wasm-opt from npm ---------------
if wants browser; then
  if ! command -v chromium >/dev/null; then
    log "installing Chromium (apt: chromium)"
    apt_install chromium
  fi
  # Ubuntu's chromium package is a stub for the snap, which does not run in containers or CI.
  if [ "$(readlink -f "$(command -v chromium)")" = /usr/bin/snap ] || grep -qs snap "$(command -v chromium)"; then
    echo "warning: chromium here is Ubuntu's snap wrapper; browser tests need a real Chromium at /usr/bin/chromium (set CHROMIUM_PATH to use another)" >&2
  fi
fi
if wants browser || wants npm; then
  if ! command -v npm >/dev/null; then
    log "installing Node.js and npm (apt: nodejs npm)"
    apt_install nodejs npm
  fi
  # npm records what it installed in node_modules/.package-lock.json: a lockfile changed since
  # (a package added by a pull) means installing again.
  installed="$here/end2end/node_modules/.package-lock.json"
  if [ ! -x "$here/end2end/node_modules/.bin/playwright" ] || [ ! -x "$here/end2end/node_modules/.bin/wasm-opt" ] \
    || [ ! -f "$installed" ] || [ "$here/end2end/package-lock.json" -nt "$installed" ]; then
    log "installing npm packages of end2end/ (Playwright without its browser download, binaryen)"
    (cd "$here/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
log "tools ready in $TOOLS_DIR"
