# Parley: `make run` serves the demo, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || echo $(HOME)/.pyenv/versions/3.12.1/bin/python)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The second suite runs on real engines when these are given (CI gives both).
DATABASE_URL ?=
REDIS_URL ?=

.PHONY: run test install messages lint browser-deps system-deps clean

$(BIN)/activate: requirements/base.txt requirements/dev.txt
	@echo "==> Creating $(VENV) with $(PYTHON) and installing dependencies"
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on -q -r requirements/dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate messages

messages: $(BIN)/activate
	@$(BIN)/python manage.py compilemessages --ignore=.venv -v0

run: install system-deps
	@echo "==> Migrating the database and loading the demo marketplace"
	$(BIN)/python manage.py migrate --noinput -v1
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo
	@echo "==> Serving on http://127.0.0.1:$(PORT) with the job worker (Ctrl-C stops both)"
	PORT=$(PORT) $(BIN)/python manage.py serve

browser-deps:
	@command -v chromium >/dev/null || { echo "==> Installing Debian's chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian packages the app itself uses: DejaVu fonts for the dispute PDF, ffmpeg for video evidence.
system-deps:
	@need=""; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || need="$$need fonts-dejavu-core"; \
	command -v ffmpeg >/dev/null || need="$$need ffmpeg"; \
	if [ -n "$$need" ]; then echo "==> Installing$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need; fi

lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v1

test: install browser-deps system-deps
	@set -e; ran=(); \
	echo "==> Suite 1/2: SQLite + in-memory channel layer"; \
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -m "not browser" -n 2 --dist loadfile --ignore=tests/browser; \
	env -u DATABASE_URL -u REDIS_URL SQLITE_TEST_PATH=$$(mktemp -u /tmp/parley-browser-XXXXXX.sqlite3) \
	  $(BIN)/pytest -m browser -p no:asyncio tests/browser; \
	ran+=("SQLite + in-memory layer"); \
	if [ -n "$(DATABASE_URL)" ] && [ -n "$(REDIS_URL)" ]; then \
	  echo "==> Suite 2/2: PostgreSQL ($(DATABASE_URL)) + Redis ($(REDIS_URL))"; \
	  DATABASE_URL="$(DATABASE_URL)" REDIS_URL="$(REDIS_URL)" $(BIN)/pytest -m "not browser" -n 2 --dist loadfile --ignore=tests/browser; \
	  DATABASE_URL="$(DATABASE_URL)" REDIS_URL="$(REDIS_URL)" $(BIN)/pytest -m browser -p no:asyncio tests/browser; \
	  ran+=("PostgreSQL + Redis"); \
	else \
	  echo "==> Suite 2/2 skipped: set DATABASE_URL and REDIS_URL to run it on PostgreSQL + Redis"; \
	fi; \
	echo "==> Suites that ran: $${ran[*]}"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*

# Benchmark Parley against the bare floor (README "Performance benchmark"); BENCH_ARGS="--scale 0.01" is quick.
.PHONY: bench
bench: install
	DATABASE_URL="$(DATABASE_URL)" REDIS_URL="$(REDIS_URL)" $(BIN)/python -m bench.run $(BENCH_ARGS)
