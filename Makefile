# Two commands on a fresh machine with Python 3.11+: `make run`, `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv from PATH, else as a module of the system Python (installed on first use by `bootstrap`).
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen --no-sync
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export PYTHONUNBUFFERED := 1
# `VERBOSE=1 make run`: every package uv syncs, the commands make runs, Dagster's INFO logs.
VERBOSE ?=
ifneq ($(filter-out 0,$(VERBOSE)),)
Q :=
V := --verbose
else
Q := @
V :=
endif
PORT ?= 3000

.PHONY: help bootstrap run dev test lint format eval model calibrate bench browser sample clean review

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' Makefile | sed 's/:.*## /\t/'

bootstrap: .venv/.synced ## install uv if missing and sync the locked environment

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet uv 2>/dev/null || \
		$(PYTHON) -m pip install --quiet --user uv 2>/dev/null || \
		$(PYTHON) -m pip install --quiet --user --break-system-packages uv
# --compile-bytecode: the packages' modules compiled once here; Python reads them even where
# PYTHONDONTWRITEBYTECODE is set, which otherwise recompiles Dagster on every start (importing the
# definitions: 3.5 s -> 1.9 s; a no-change `make run` at 10M: 20 s -> 15 s).
ifneq ($(V),)
	$(UV) sync --frozen --compile-bytecode
else
	@echo "bootstrap: syncing the locked environment (uv sync --frozen; VERBOSE=1 lists the packages)"
	@$(UV) sync --frozen --compile-bytecode --quiet
endif
	@touch $@

# Both create DAGSTER_HOME and its dagster.yaml (from pipelines/dagster.yaml) when missing.
run: bootstrap ## materialize every asset on HIRING_DATA_DIR (default: the bundled sample)
	$(Q)$(RUN) python -m pipelines run $(V)

dev: bootstrap ## Dagster UI (dg dev) on http://127.0.0.1:3000, PORT=3001 for another port; Ctrl-C stops it
	$(Q)$(RUN) python -m pipelines dev --port $(PORT) $(V)

browser: bootstrap ## headless Chromium for the report tests (Debian package)
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

test: bootstrap browser ## the whole test suite
	$(RUN) pytest

lint: bootstrap ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: bootstrap
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

eval: bootstrap ## reason-assignment quality on the labelled evaluation set
	$(RUN) python -m pipelines.evaluate

model: bootstrap ## retrain the text model (rules/text_model_v1) after changing rules or data/eval
	$(RUN) python -m pipelines.text_model

calibrate: bootstrap ## refit the confidence table (rules file's [confidence]) by leave-one-split-out; after `make model`
	$(RUN) python -m pipelines.calibrate

bench: bootstrap ## benchmarks at 1M and 10M applications: ingest, reasons, adapters, notes of megabytes, whole pipeline (full, 1% batch, no change, floor); prints numbers
	$(RUN) python benchmarks/bench_ingest.py --sizes 1000000 10000000
	$(RUN) python benchmarks/bench_reasons.py --applications 1000000
	$(RUN) python benchmarks/bench_adapters.py --applications 1000000
	$(RUN) python benchmarks/bench_long_notes.py --notes 1000
	$(RUN) python benchmarks/bench_pipeline.py --sizes 1000000 10000000

review: bootstrap ## write the review queue (case id, reason, confidence, rule) beside the warehouse
	$(Q)$(RUN) python -m pipelines.reports.review --warehouse "$${HIRING_WAREHOUSE:-data/warehouse.duckdb}"

sample: bootstrap ## regenerate the committed sample in data/sample
	$(RUN) python -m pipelines.sample --applications 12000 --out data/sample --messy 0.002 --truth data/sample_truth/reasons.csv

clean: ## remove the warehouse, reports and Dagster runs
	rm -rf data/warehouse.duckdb data/warehouse.duckdb.wal data/warehouse.duckdb.tmp reports/* .dagster_home
