# Both commands work on a fresh machine with Python >= 3.11 and make: they create
# .venv, install the project into it, and re-install only when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run demo test lint bench bench-dashboard clean

run: $(VENV)/.installed
	$(BIN)/wirewatch

demo: $(VENV)/.installed
	$(BIN)/wirewatch demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 -q

# Wall time of `wirewatch poll --once --all` over 500 local feeds with 100 ms latency each.
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.poll_bench

# The dashboard on a generated 1M-item database (built once, kept in the user cache dir).
bench-dashboard: $(VENV)/.installed-test
	$(BIN)/python -m bench.dashboard_bench

lint: $(VENV)/.installed-test
	$(BIN)/ruff check feeds storage tui tests bench
	$(BIN)/ruff format --check feeds storage tui tests bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wirewatch needs Python >= 3.11 (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
