# Jakpreneur Tracker: `make run` serves the app, `make test` runs the whole suite.
# Both do all set-up themselves on a fresh machine with Python 3.11, git, make and npm.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SEED_RESIDENTS ?= 5000

.PHONY: run test test-rq setup venv assets migrate lint format messages clean

setup: venv assets

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

run: export DEBUG ?= 1
# With DEBUG off the settings refuse to start without a SECRET_KEY; `make test` only checks
# and tests, so a throw-away key does (an exported SECRET_KEY wins). makemigrations and the
# translation commands need none (manage.py), and pytest sets its own (tests/secret_key.py).
test: export SECRET_KEY ?= not-secret-only-for-make-test
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_wilayah
	$(PY) manage.py load_agencies
	$(PY) manage.py seed_demo --residents $(SEED_RESIDENTS)
	@echo ""
	@echo "Jakpreneur Tracker: http://127.0.0.1:$(PORT)/  (berhenti: Ctrl+C)"
	@echo "Masuk sebagai salah satu akun demo di atas, kata sandi: $${DEMO_PASSWORD:-jakpreneur}"
	$(PY) manage.py runserver_with_worker 127.0.0.1:$(PORT)

test: setup
	$(PY) manage.py check
	$(PY) -m pytest $(PYTEST_ARGS)

# The import's and the big export's job tests again on Redis Queue (Redis at REDIS_URL, database 7 by default).
test-rq: export SECRET_KEY ?= not-secret-only-for-make-test
test-rq: setup
	TASKS_BACKEND=rq REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/7} \
	  TASKS_QUEUE=$${TASKS_QUEUE:-jk_import_ci} $(PY) -m pytest imports/tests/test_jobs.py \
	  exports/tests/test_jobs.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: venv
	$(PY) manage.py makemessages --locale en --ignore '.venv/*' --ignore 'node_modules/*' --no-location --no-wrap
	$(PY) manage.py compilemessages --locale en --ignore '.venv/*' --ignore 'node_modules/*'

clean:
	rm -rf $(VENV) node_modules staticfiles
