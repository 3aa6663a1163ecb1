# labsite — two commands: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
DEV_ENV := DEBUG=1

.PHONY: run test install migrate superuser lint format messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

run: migrate  ## migrate, load the lab's content when the database is empty, serve (+ the task worker)
	$(DEV_ENV) $(BIN)/python manage.py load_lab_content --if-empty
	$(DEV_ENV) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST)

test: $(STAMP)  ## the whole test suite (browser tests skip themselves without Chromium)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

superuser: migrate  ## create an admin account (no prompt when DJANGO_SUPERUSER_PASSWORD is set)
	$(DEV_ENV) $(BIN)/python manage.py createsuperuser $(if $(DJANGO_SUPERUSER_PASSWORD),--noinput)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)  ## refresh locale/ja and compile it (needs GNU gettext)
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=static --ignore=staticfiles
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles
