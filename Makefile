# Developer commands. `make` alone lists them.
# Everything runs from .venv, made and (re)installed here whenever pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; older than pyproject.toml means "install again".
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install migrate demo run test lint format

help: ## List the targets
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $@

install: $(STAMP) ## Create .venv and install the project with its dev tools (only when pyproject.toml changed)

migrate: install ## Apply migrations (SQLite db.sqlite3 unless DATABASE_URL says otherwise)
	$(BIN)/python manage.py migrate --noinput

demo: migrate ## Seed the demo book once (skipped when contracts exist) and make sure the admin login exists
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py ensure_demo_admin

run: demo ## Serve http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all three)
	@echo "Starting web (http://127.0.0.1:8000/), Celery worker and beat from Procfile.dev ..."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start

test: install ## Run the whole test suite (honours DATABASE_URL and CELERY_BROKER_URL)
	$(BIN)/pytest

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
