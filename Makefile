# Teams Admin: `make run` starts the dashboard on embedded defaults, `make test` runs every check.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help install browser run setup test pytest lint fmt typecheck check migrations-check bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=25.1"
	$(BIN)/python -m pip install -q -e . --group dev
	@touch $@

install: $(STAMP) ## Create .venv and install the project with its dev and test tools

browser: ## Install Debian's Chromium for the browser tests when it is missing
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

setup: install ## Migrate, seed the sandbox, create demo logins and the demo Auth Tenant
	@mkdir -p var/celery
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py sandbox_seed --if-empty
	$(BIN)/python manage.py demo_users --quiet

run: setup ## Start web, Celery worker and beat on http://127.0.0.1:$(PORT) (Ctrl-C stops all)
	$(BIN)/python manage.py authtenant_setup_sandbox --port $(PORT)
	$(BIN)/python manage.py serve_all --port $(PORT)

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install ## Format and autofix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install ## mypy --strict on apps/, teamsadmin/, tests/, bench/ and ci/
	$(BIN)/mypy apps teamsadmin tests bench ci

migrations-check: install ## Fail when a model change lacks its migration
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install browser ## Run the test suite only
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: lint typecheck pytest ## Install, lint, typecheck and run every test

check: test migrations-check ## Everything

bench: install ## Run the benchmarks under bench/
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
