# tsm-pipeline: two commands on a fresh machine: `make report YEAR=2024`, `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
YEAR ?=
DATASET ?= data/sample
OUTPUTS ?= outputs

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

.PHONY: help setup refresh report test test-fast sample lint clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  /'

## setup: create .venv and install the project (done by every other target when needed)
setup: $(VENV)/.installed

## report [YEAR=2024] [DATASET=dir]: refresh the warehouse and write outputs/2023-24/ (report.html, tsm.csv, ...); no YEAR: the latest complete year the data covers
report: $(VENV)/.installed
	$(PY) -m pipeline report $(if $(YEAR),--year "$(YEAR)") --dataset "$(DATASET)" --outputs "$(OUTPUTS)"

## refresh [DATASET=dir]: the nightly job: load new exports into outputs/warehouse.duckdb and rebuild the marts
refresh: $(VENV)/.installed
	$(PY) -m pipeline refresh --dataset "$(DATASET)" --outputs "$(OUTPUTS)"

## test: run the whole test suite (what CI runs); installs headless Chromium for the browser test if it can
test: $(VENV)/.installed browser
	$(PY) -m pytest -q

# Debian's Chromium for the report's browser test (needs root and the package registry; the
# test skips with a reason when Chromium is absent)
.PHONY: browser
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
		&& echo "installed chromium for the browser test"; } || echo "chromium not installed: the browser test will be skipped"

## test-fast: the suite without the slow end-to-end tests
test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not slow"

## sample: regenerate data/sample/ with the deterministic generator
sample: $(VENV)/.installed
	$(PY) -m pipeline.sample --out data/sample

## lint: ruff
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

## clean: remove generated outputs (the warehouse and reports)
clean:
	rm -rf $(OUTPUTS)/warehouse.duckdb $(OUTPUTS)/warehouse.duckdb.wal $(OUTPUTS)/20*-*

## bench: large-landlord benchmark: generate outputs/bench/data (reused when complete), time full and incremental refresh, report marts and DuckDB's own load; writes outputs/bench/<timestamp>.json
.PHONY: bench
bench: $(VENV)/.installed
	$(PY) -m pipeline.bench --out "$(OUTPUTS)/bench"
