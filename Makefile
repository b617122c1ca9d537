# Thin entry points; the logic lives in scripts/bootstrap.sh and tests/support/runtests.py.
# README's two commands: `make demo` and `make test`. Extra pytest arguments: make test PYTEST_ARGS="-k foo".

SHELL := /bin/bash
PY := .venv/bin/python
PYTEST_ARGS ?=
TEST_SETTINGS := metamask_service.settings.test
# Tests that need a real MetaMask build (METAMASK_EXTENSION_PATH[S]); only the directories that exist.
METAMASK_TEST_DIRS := $(wildcard tests/automation tests/e2e)

.PHONY: bootstrap lint fmt test test-metamask demo

bootstrap:
	@bash scripts/bootstrap.sh

# The test settings (loaded by mypy's django plugin and by makemigrations) demand both URLs, but neither
# step needs a live server: placeholders keep `make lint` usable without one (an unreachable DB only warns).
LINT_ENV := DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) \
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:1/unused}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:1/0}"

lint: bootstrap
	@echo "[make] lint started $$(date -u +%T)"
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(LINT_ENV) $(PY) -m mypy metamask_service wallets automation celery_app.py
	$(LINT_ENV) $(PY) manage.py makemigrations --check --dry-run

fmt: bootstrap
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: bootstrap lint
	@echo "[make] lint passed, tests started $$(date -u +%T)"
	$(PY) -m tests.support.runtests $(PYTEST_ARGS)

# One build (METAMASK_EXTENSION_PATH) or several (METAMASK_EXTENSION_PATHS=/a:/b) in turn, then a table
# with a row per build; tests/support/metamask_matrix.py refuses (exit 2) without a build or manifest.json.
test-metamask: bootstrap
	@if [[ -z "$(METAMASK_TEST_DIRS)" ]]; then echo "ERROR: no tests/automation or tests/e2e to run" >&2; exit 2; fi
	$(PY) -m tests.support.metamask_matrix $(METAMASK_TEST_DIRS) $(PYTEST_ARGS)

demo: bootstrap
	$(PY) -m metamask_service.devstack.demo
