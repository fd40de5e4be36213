# Developer commands. `make` alone lists them.
# Everything runs from .venv, made and (re)installed here whenever pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; older than pyproject.toml means "install again".
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install migrate demo run reset psql services test test-fast lint format translations

help: ## List the targets
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-9s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $@

install: $(STAMP) ## Create .venv and install the project with its dev tools (only when pyproject.toml changed)

migrate: install ## Apply migrations (to the project's own PostgreSQL unless DATABASE_URL is set)
	$(BIN)/python manage.py migrate --noinput

demo: migrate ## Seed the demo book once (skipped when contracts exist) and make sure the admin login exists
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py ensure_demo_admin

run: install ## Serve the back office with its demo book on http://127.0.0.1:8000/ (PORT=N for another port; Ctrl-C stops it all)
	$(BIN)/python -m billing_site.devserver

reset: install ## Delete the project's own PostgreSQL and Redis data, then start the demo again from nothing
	$(BIN)/python -m billing_site.local_services wipe
	$(BIN)/python -m billing_site.devserver

psql: install ## Open psql on the project's own PostgreSQL (or: make psql ARGS='-c "select 1"')
	$(BIN)/python -m billing_site.local_services psql $(ARGS)

services: install ## Say whether the project's own PostgreSQL and Redis run, and for which processes
	$(BIN)/python -m billing_site.local_services status

test: install ## Run the whole test suite (on the project's own servers unless DATABASE_URL is set)
	$(BIN)/pytest

test-fast: install ## The pure and service tests only: no browser, no pages, no real processes
	$(BIN)/pytest -m "not slow" --ignore=tests/e2e --ignore=tests/web

# mypy loads the settings, which start the project's own PostgreSQL and Redis when no URLs
# are set; these placeholders are never connected to, so linting starts no server.
MYPY_ENV := DATABASE_URL=postgres://type-check.invalid/none \
	CELERY_BROKER_URL=redis://type-check.invalid/0 SECRET_KEY=type-checking-only

lint: install ## ruff check, ruff format --check, and mypy on the pure modules and the services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env $(MYPY_ENV) $(BIN)/mypy

translations: install ## Compile locale/*/LC_MESSAGES/django.po into the .mo files to commit (Babel: no gettext needed)
	$(BIN)/python manage.py compile_translations

format: install ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
