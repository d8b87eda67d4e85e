# Trading-Chitti: the two commands a user needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# Stamps carry a checksum of pyproject.toml: editing dependencies reinstalls them.
DEPS   := $(shell cksum pyproject.toml | cut -d' ' -f1)
RUNTIME_STAMP := $(VENV)/.runtime-$(DEPS)
TEST_STAMP    := $(VENV)/.test-$(DEPS)

.PHONY: run test setup bench lint clean api-client dashboard warm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What the running system needs (make run).
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.runtime-* && touch $@

# Plus the test oracles (TA-Lib, vectorbt, hypothesis, ...) and linters (make test).
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@rm -f $(VENV)/.test-* $(VENV)/.runtime-* && touch $@ $(RUNTIME_STAMP)

# The dashboard's Node packages (npm ci), again when its lock file changes.
NODE_STAMP := dashboard/node_modules/.installed
$(NODE_STAMP): dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The production build of the dashboard, again when a source file changes; the gateway
# serves dashboard/dist at /.
DASHBOARD_SOURCES := $(shell find dashboard/src dashboard/public -type f 2>/dev/null) \
	dashboard/index.html dashboard/vite.config.ts dashboard/tsconfig.json dashboard/package.json
DASHBOARD_BUILD := dashboard/dist/index.html
$(DASHBOARD_BUILD): $(NODE_STAMP) $(DASHBOARD_SOURCES)
	cd dashboard && npm run --silent build
dashboard: $(DASHBOARD_BUILD)

# The browser tests drive Debian's chromium (never a browser download).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get install -y --no-install-recommends chromium \
		|| (apt-get update && apt-get install -y --no-install-recommends chromium)

# tests/test_deploy.py validates deploy/compose.yaml with Debian's docker-compose (`config`
# only: no Docker daemon is needed or started).
DOCKER_COMPOSE := /usr/bin/docker-compose
$(DOCKER_COMPOSE):
	apt-get install -y --no-install-recommends docker-compose \
		|| (apt-get update && apt-get install -y --no-install-recommends docker-compose)

setup: $(TEST_STAMP) $(NODE_STAMP) $(CHROMIUM) $(DOCKER_COMPOSE)

# Compile the services' Numba kernels into their on-disk cache ahead of use (`chitti warm`:
# minutes on a fresh clone or after a kernel changed, a second or two otherwise), so that no
# first request waits for the compiler.
warm: $(RUNTIME_STAMP)
	$(BIN)/chitti warm --skip-fresh

## Start the whole system with demo data (embedded PostgreSQL unless CHITTI_DATABASE_URL is set).
run: $(RUNTIME_STAMP) warm
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory dashboard; \
	else echo "npm not found: the API will run without the dashboard (install Node.js 20 and npm, then make dashboard)"; fi
	$(BIN)/chitti up --demo

## Run the whole test suite with coverage.
test: $(TEST_STAMP) $(NODE_STAMP) $(CHROMIUM) $(DOCKER_COMPOSE) $(DASHBOARD_BUILD) warm
	cd dashboard && npm run --silent test
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## Regenerate the dashboard's API types from the gateway's OpenAPI document.
api-client: $(RUNTIME_STAMP) $(NODE_STAMP)
	$(BIN)/chitti openapi > dashboard/openapi.json
	cd dashboard && npm run gen:api

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .coverage htmlcov
