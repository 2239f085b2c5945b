# The two commands that matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test processes: each runs its own Asterisk pair on free ports; 0 runs the suite in one.
TEST_WORKERS ?= 2

.PHONY: run test lint format deps runtime clean

deps: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> Python environment ($(VENV))"
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

runtime: deps
	@bash provisioning/install.sh

run: runtime
	$(BIN)/phonebank run

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: runtime lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
