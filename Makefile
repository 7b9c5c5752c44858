# Two entry points for a fresh machine with Python 3.11, bash and make:
#   make run   - set up, migrate, seed and serve GraphiQL at http://127.0.0.1:8000/graphql/
#   make test  - set up and run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock run test lint lint-deploy db schema release-schema trusted-documents \
	js-client graphiql graphiql-deps bench

# Every package, with its exact version and the hashes of its files, comes from the lock
# (requirements-dev.lock: runtime + dev; requirements.lock: runtime, for the image); then the
# project itself, without resolving anything. `pip check` fails if the lock misses a dependency.
$(BIN)/.installed: requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

install: $(BIN)/.installed

# Regenerates both locks from pyproject.toml (run it after changing a dependency there;
# tests/test_lock.py fails until then). Versions already locked are kept where they still
# fit. pip-tools lives in its own throwaway virtualenv, not in the project's.
PIP_TOOLS := pip-tools==7.6.2
LOCK_TOOLS := $(VENV)/lock-tools
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile \
		|| { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet $(PIP_TOOLS); }
	$(LOCK_TOOLS)/bin/pip-compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	$(LOCK_TOOLS)/bin/pip-compile $(LOCK_FLAGS) --extra dev -c requirements.lock \
		-o requirements-dev.lock pyproject.toml

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

# The trusted-documents manifest (sha256 -> document), from docs/operations and the JS
# clients' operations; a test fails when it is stale.
trusted-documents: install
	$(BIN)/python manage.py trusted_documents

# At a release: schema.graphql becomes the schema the breaking-change gate compares with
# (tests/frontend/test_schema_changes.py; the convention is in CHANGELOG.md).
release-schema: schema
	cp schema.graphql docs/schema/released.graphql

# The JavaScript clients, each installed from its lock file: the example client
# (graphql-request), Apollo Client with persisted queries, the GraphQL over HTTP audit.
JS_CLIENTS := clients/js clients/apollo clients/http-audit
js-client: $(addsuffix /node_modules/.package-lock.json,$(JS_CLIENTS))

clients/%/node_modules/.package-lock.json: clients/%/package-lock.json
	cd clients/$* && npm ci --no-audit --no-fund

# GraphiQL 5, rebuilt from the packages nexus_graphql/graphiql_build/package-lock.json pins into
# nexus_graphql/static/graphiql/vendor/graphiql-5/ (with integrity.json); commit the result.
GRAPHIQL_BUILD := nexus_graphql/graphiql_build
graphiql-deps: $(GRAPHIQL_BUILD)/node_modules/.package-lock.json

$(GRAPHIQL_BUILD)/node_modules/.package-lock.json: $(GRAPHIQL_BUILD)/package-lock.json
	cd $(GRAPHIQL_BUILD) && npm ci --no-audit --no-fund

graphiql: graphiql-deps
	cd $(GRAPHIQL_BUILD) && node build.mjs

# The side-by-side benchmark (not part of the tests): needs PostgreSQL, Redis, wrk and npm.
bench: install
	$(BIN)/python -m bench.run
