# Two entry points for a fresh machine with Python 3.11, bash and make:
#   make run   - set up, migrate, seed and serve GraphiQL at http://127.0.0.1:8000/graphql/
#   make test  - set up and run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint lint-deploy db schema js-client bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

db: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_hub

run: db
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The deploy files, linted offline: no container engine or cluster is needed.
K8S_MANIFESTS := $(filter-out %kustomization.yaml,$(wildcard deploy/k8s/*.yaml deploy/k8s/*/*.yaml))
lint-deploy: install
	$(BIN)/hadolint deploy/Dockerfile
	$(BIN)/kubernetes-validate --strict --quiet --kubernetes-version 1.30.0 $(K8S_MANIFESTS)
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec deploy/docker-compose.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml

# schema.graphql, the SDL frontends generate code from; a test fails when it is stale.
schema: install
	$(BIN)/python manage.py graphql_schema --out schema.graphql

# The JavaScript example client (clients/js), installed from its lock file.
js-client: clients/js/node_modules/.package-lock.json

clients/js/node_modules/.package-lock.json: clients/js/package-lock.json
	cd clients/js && npm ci --no-audit --no-fund

# The side-by-side benchmark (not part of the tests): needs PostgreSQL, Redis, wrk and npm.
bench: install
	$(BIN)/python -m bench.run
