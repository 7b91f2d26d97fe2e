# Two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Prefer a working python3.12 (pyenv shims may exist without the version being active),
# else python3. Override with `make PYTHON=/path/to/python ...`.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint typecheck contracts pytest pytest-dates venv dev clean browser-deps

help:
	@echo "make run   - set up .venv, migrate, seed demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test  - set up .venv with test extras, run ruff, mypy, import-linter and pytest"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "No Python >= 3.11 found"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed-run: pyproject.toml setup.py solver/_engine/_core.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml setup.py solver/_engine/_core.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run
dev: $(VENV)/.installed-test

run: $(VENV)/.installed-run
	$(BIN)/dispatch db upgrade
	$(BIN)/dispatch seed --if-empty
	$(BIN)/dispatch serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

contracts: $(VENV)/.installed-test
	$(BIN)/lint-imports

browser-deps:
	@bash scripts/browser-deps.sh

pytest: $(VENV)/.installed-test browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The date-sensitive suites again with the clock travelled to two other instants (a leap day
# in the past, a month end in the future, both past midnight in Asia/Shanghai): no test may
# depend on the date it runs on.
DATE_SUITES := tests/api tests/dispatch tests/dispatch_cli tests/scenarios
DATE_MARKERS := not slow and not browser and not realclock
pytest-dates: $(VENV)/.installed-test
	DISPATCH_TEST_CLOCK=2024-02-29T16:45:00Z $(BIN)/python -m pytest -q -p no:cacheprovider -m "$(DATE_MARKERS)" $(DATE_SUITES)
	DISPATCH_TEST_CLOCK=2031-02-28T23:30:00Z $(BIN)/python -m pytest -q -p no:cacheprovider -m "$(DATE_MARKERS)" $(DATE_SUITES)

test: lint typecheck contracts pytest pytest-dates

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
