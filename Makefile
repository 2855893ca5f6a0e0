# MSOIC Insight. `make demo` and `make test` work from a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: setup assets demo demo-check serve test test-sqlite test-postgres bench load lint fmt clean

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "MSOIC Insight needs Python 3.11 or newer as $(PY) (set PY=/path/to/python3.11)" >&2; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) assets

assets: src/msoic/static/vendor/.built

src/msoic/static/vendor/.built: package.json package-lock.json scripts/build_assets.sh
	bash scripts/build_assets.sh
	touch $@

demo: setup
	$(BIN)/msoic migrate --no-input
	$(BIN)/msoic demo
	@echo "Open http://127.0.0.1:$(PORT)/ and log in with one of the accounts above."
	@echo "Multi-factor authentication is off for the demo only (MSOIC_MFA_DEMO_OFF=true, which 'msoic check --deploy' refuses)."
	@echo "The web server and a task worker (upload jobs) run together; Ctrl-C stops both."
	bash scripts/demo_serve.sh $(PORT)

# Runs `make demo` as a new user would and checks the server and its figures (CI runs it
# first, on the clean checkout).
demo-check:
	bash scripts/demo_check.sh

test: setup
	bash scripts/test.sh

test-sqlite: setup
	MSOIC_TEST_ONLY=sqlite bash scripts/test.sh

test-postgres: setup
	MSOIC_TEST_ONLY=postgres bash scripts/test.sh

bench: setup
	$(BIN)/python -m benchmarks

# The month-end load test (Locust against gunicorn and a throwaway PostgreSQL server; not part
# of `make test`). MSOIC_LOAD_SECONDS, MSOIC_LOAD_USERS, MSOIC_LOAD_WORKERS: scripts/load.sh.
LOAD_STAMP := $(VENV)/.installed-load

$(LOAD_STAMP): $(STAMP)
	$(BIN)/python -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("locust") is None)' || \
	  $(BIN)/pip install -q -e '.[load]'
	touch $(LOAD_STAMP)

load: $(LOAD_STAMP)
	bash scripts/load.sh

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

clean:
	rm -rf $(VENV) var node_modules src/msoic/static/vendor
