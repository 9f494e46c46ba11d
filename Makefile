# Tocsin: `make run` sets up everything and runs Tocsin with demo data; `make test` sets up
# everything and runs every test, browser tests included. Build output and tools live outside the
# clone (under ~/.cache/tocsin) so a fresh clone reuses them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CACHE ?= $(HOME)/.cache/tocsin
export CARGO_TARGET_DIR ?= $(CACHE)/target
export TOCSIN_TOOLS_DIR ?= $(CACHE)/tools
export PATH := $(TOCSIN_TOOLS_DIR)/bin:$(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Where cargo-leptos writes the wasm, JS and CSS, and where the server reads them.
export LEPTOS_SITE_ROOT ?= $(CURDIR)/target/site

.PHONY: help setup setup-run run build build-release test lint fmt bench

help:
	@echo "make run    set up everything, build, and run Tocsin with demo data at http://127.0.0.1:3000"
	@echo "make test   set up everything and run all tests (unit, integration, browser)"
	@echo "make lint   cargo fmt --check and clippy -D warnings"
	@echo "make bench  time alert ingestion, alert-to-page latency, the status page beside nginx, then the dashboard and the incident API on 1,000,000 incidents"

setup:
	@scripts/install-tools.sh

build: setup
	cargo leptos build

# Running needs no browser: only the build tools, PostgreSQL and wasm-opt (npm).
setup-run:
	@scripts/install-tools.sh rust postgres npm

build-release: setup-run
	cargo leptos build --release

run: build-release
	exec $(CARGO_TARGET_DIR)/release/tocsin serve --demo

test: setup
	@scripts/test.sh

lint: setup
	scripts/lint.sh

fmt:
	cargo fmt --all

# Generates a million incidents in a throwaway cluster and prints page and API timings.
bench: setup-run
	scripts/bench.sh
