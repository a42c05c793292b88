# qiancun — two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
export QIANCUN_VAR_DIR ?= $(CURDIR)/var
# PostgreSQL used by `make test` when it answers (CI starts it; see .ci/run).
TEST_POSTGRES_URL ?= postgres://qiancun:qiancun@127.0.0.1:5432/qiancun

.PHONY: install demo serve lint test test-long test-sqlite test-postgres lock clean bench-data bench bench-clean

$(VENV)/.installed: requirements/base.lock requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==0.13.8
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements/base.lock -r requirements/dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	mkdir -p $(QIANCUN_VAR_DIR)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py import_regions data/regions/jilin.csv
	$(PY) manage.py seed_demo
	@echo
	@echo "千村示范 demo: http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/docs)"
	@echo "Press Ctrl-C to stop the server and the background worker."
	@$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	  trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  DJANGO_SETTINGS_MODULE=qiancun.settings.demo $(VENV)/bin/gunicorn --chdir src qiancun.wsgi:application \
	    --bind $(HOST):$(PORT) --workers 2 --access-logfile - --log-level warning

lint: install
	$(VENV)/bin/ruff check src tests bench

test: install lint
	$(MAKE) --no-print-directory test-sqlite
	@if $(PY) scripts/postgres_available.py "$(TEST_POSTGRES_URL)"; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable at $(TEST_POSTGRES_URL): PostgreSQL run skipped (CI runs it)"; fi

# `make test` leaves out the tests marked `long` (crash safety, backup round trip); `make test-long` runs only them.
TEST_MARKERS ?= not long

test-long: install
	$(MAKE) --no-print-directory test-sqlite TEST_MARKERS=long
	@if $(PY) scripts/postgres_available.py "$(TEST_POSTGRES_URL)"; then \
	  $(MAKE) --no-print-directory test-postgres TEST_MARKERS=long; \
	else echo "PostgreSQL not reachable at $(TEST_POSTGRES_URL): PostgreSQL run skipped"; fi

test-sqlite:
	@echo "== tests on SQLite ($(TEST_MARKERS)) =="
	DJANGO_SETTINGS_MODULE=qiancun.settings.test $(PY) -m pytest -m "$(TEST_MARKERS)" $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL ($(TEST_MARKERS)) =="
	DATABASE_URL="$(TEST_POSTGRES_URL)" DJANGO_SETTINGS_MODULE=qiancun.settings.test $(PY) -m pytest -m "$(TEST_MARKERS)" $(PYTEST_ARGS)

# Benchmarks (issue #6; not part of `make test`). `make bench-data SCALE=province` builds the scale data
# on SQLite and PostgreSQL (BENCH_DB=sqlite or postgres for one), `make bench` measures; see docs/performance.md.
SCALE ?= province
BENCH_DB ?= sqlite postgres
BENCH_RUNS ?= 30
BENCH_SQLITE_URL = sqlite:///$(QIANCUN_VAR_DIR)/bench/$(SCALE).sqlite3
BENCH_POSTGRES_URL = postgres://qiancun:qiancun@127.0.0.1:5432/qiancun_bench_$(SCALE)
BENCH_ENV = DJANGO_SETTINGS_MODULE=qiancun.settings.bench QIANCUN_VAR_DIR=$(QIANCUN_VAR_DIR)/bench

bench-data: install
	mkdir -p $(QIANCUN_VAR_DIR)/bench
	@for db in $(BENCH_DB); do \
	  if [ $$db = postgres ]; then scripts/start_postgres.sh qiancun_bench_$(SCALE) || exit 1; url="$(BENCH_POSTGRES_URL)"; \
	  else url="$(BENCH_SQLITE_URL)"; fi; \
	  echo "== bench data $(SCALE) on $$db =="; \
	  DATABASE_URL="$$url" $(BENCH_ENV) $(PY) -m bench.generate $(SCALE) || exit 1; \
	done

bench: install
	@for db in $(BENCH_DB); do \
	  if [ $$db = postgres ]; then scripts/start_postgres.sh qiancun_bench_$(SCALE) || exit 1; url="$(BENCH_POSTGRES_URL)"; \
	  else url="$(BENCH_SQLITE_URL)"; fi; \
	  echo "== bench $(SCALE) on $$db =="; \
	  DATABASE_URL="$$url" $(BENCH_ENV) $(PY) manage.py migrate --noinput -v0 || exit 1; \
	  DATABASE_URL="$$url" $(BENCH_ENV) $(PY) -m bench.run --scale $(SCALE) --runs $(BENCH_RUNS) $(BENCH_ARGS) || exit 1; \
	done
	$(PY) -m bench.report $(SCALE)

bench-clean:
	rm -f $(QIANCUN_VAR_DIR)/bench/$(SCALE).sqlite3*
	-su postgres -c "dropdb --if-exists qiancun_bench_$(SCALE)"

lock: $(VENV)/.installed
	cd requirements && ../$(UV) pip compile --quiet --generate-hashes --python-version 3.11 base.in -o base.lock
	cd requirements && ../$(UV) pip compile --quiet --generate-hashes --python-version 3.11 dev.in -o dev.lock

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
