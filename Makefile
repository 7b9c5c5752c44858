# Two entry points for a fresh machine with Python 3.11, bash and make:
#   make run   - set up, migrate, seed and serve GraphiQL at http://127.0.0.1:8000/graphql/
#   make test  - set up and run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint db

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
