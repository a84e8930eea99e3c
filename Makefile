# chainetl: every developer and CI entry point. `make` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
WORKDIR ?= $(CURDIR)/work
CONFIG ?= debug
BIN := $(CURDIR)/.build/$(CONFIG)/chainetl
PREFIX ?= /usr/local
APT_PACKAGES := libpq-dev zlib1g-dev libcurl4-openssl-dev postgresql postgresql-contrib python3 python3-pip tmux

.PHONY: help setup build release install migrations test demo bench bench-compare db-start db-stop lint format crash-test scale-test clean report-check

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

setup: ## Install what a fresh machine lacks (apt packages, as root or with sudo)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  sudo_cmd=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo_cmd apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift toolchain not found on PATH" >&2; exit 2; }
	@# DuckDB >= 2.0 for the BIGNUM type of the export loaders (docs/exports.md); Debian's python3 is
	@# externally managed (PEP 668), so a plain pip install falls back to a user install.
	@python3 -c 'import duckdb, pandas, sys; sys.exit(int(duckdb.__version__.split(".")[0]) < 2)' 2>/dev/null \
	  || python3 -m pip install -q 'duckdb>=2.0' pandas \
	  || python3 -m pip install -q --user --break-system-packages 'duckdb>=2.0' pandas
	@python3 -c 'import kubernetes_validate' 2>/dev/null \
	  || python3 -m pip install -q kubernetes-validate \
	  || python3 -m pip install -q --user --break-system-packages kubernetes-validate

build: setup ## Build the debug binaries
	$(SWIFT) build

release: setup ## Build optimized binaries (used by demo and bench)
	$(SWIFT) build -c release

install: setup ## Install the chainetl binary into $(PREFIX)/bin (migrations are built in; PREFIX=/usr/local)
	$(SWIFT) build -c release --product chainetl
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/chainetl $(DESTDIR)$(PREFIX)/bin/chainetl

migrations: ## Regenerate the migrations built into the binary from schemas/ (after adding one)
	.ci/embed-migrations

test: setup ## Run the whole suite against a throwaway PostgreSQL cluster
	$(SWIFT) build --build-tests
	$(SWIFT) build --product chainetl
	CHAINETL_BIN=$(CURDIR)/.build/debug/chainetl .ci/with-postgres -- $(SWIFT) test --skip-build --parallel --num-workers 2

demo: setup ## Run pipelines/demo.yaml over the last 7 closed days against the bundled simulator
	$(SWIFT) build -c release --product chainetl
	.ci/demo

crash-test: setup ## kill -9 the runner at 20 seeded random moments; every rerun must converge (CHAINETL_CRASH_SEED=S replays)
	.ci/crash-test

scale-test: setup ## 3 --claim runners + 1 late over a 14-day backfill, one killed with SIGKILL; exact vs ground truth
	.ci/scale-test

bench: setup ## Benchmarks side by side with the SPEC baselines (N=1000000 by default)
	$(SWIFT) build -c release --product chainetl
	$(SWIFT) build -c release --product chainetl-bench
	.ci/with-postgres -- .build/release/chainetl-bench $(if $(N),--rows $(N),)

bench-compare: setup ## A/B: this tree against REV (built into .build-compare/), interleaved 3 times (ARGS="--rows 200000 --only load")
	@test -n "$(REV)" || { echo "usage: make bench-compare REV=<commit> [ARGS=...]" >&2; exit 2; }
	.ci/bench-compare $(REV) $(ARGS)

db-start: ## Start the project-local cluster under work/pg (unix socket only)
	@mkdir -p $(WORKDIR)/pg
	@.ci/with-postgres --dir $(WORKDIR)/pg --leave-running -- bash -c 'echo "export DATABASE_URL=\"$$DATABASE_URL\""'

db-stop: ## Stop the project-local cluster
	@.ci/with-postgres --dir $(WORKDIR)/pg --stop

report-check: setup ## Screenshot a run report page in headless Chromium (PAGE=work/runs/<id>.html, default the fixture)
	.ci/report-check $(PAGE)

lint: ## Check formatting with swift format
	$(SWIFT) format lint --recursive --strict Sources Tests

format: ## Format the sources in place
	$(SWIFT) format --in-place --recursive Sources Tests

clean: ## Remove build output and the local work directory (and its cluster, wherever it is kept)
	@.ci/with-postgres --dir $(WORKDIR)/pg --stop
	@if [ -f $(WORKDIR)/pg/cluster-location ]; then rm -rf "$$(cat $(WORKDIR)/pg/cluster-location)"; fi
	rm -rf .build $(WORKDIR)
