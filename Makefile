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

.PHONY: install demo serve lint test test-quick test-long test-sqlite test-postgres test-postgres-if-available lock clean bench-data bench bench-clean

$(VENV)/.installed: requirements/base.lock requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==0.13.8
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements/base.lock -r requirements/dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# `make demo` and every manage.py line in it use the demo settings (manage.py alone means production).
demo: export DJANGO_SETTINGS_MODULE = qiancun.settings.demo
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
	  $(VENV)/bin/gunicorn --chdir src qiancun.wsgi:application \
	    --bind $(HOST):$(PORT) --workers 2 --access-logfile - --log-level warning \
	    --logger-class qiancun.participation.log_redaction.TokenlessAccessLogger

lint: install
	$(VENV)/bin/ruff check src tests bench scripts

test: install lint
	$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres-if-available

# `make test` runs every test, the `long` ones too (crash safety, backup round trip, a few minutes);
# `make test-quick` leaves those out, `make test-long` runs only them. TEST_MARKERS is a pytest -m expression.
TEST_MARKERS ?=
PYTEST_MARKERS = $(if $(TEST_MARKERS),-m "$(TEST_MARKERS)")

test-quick: install lint
	$(MAKE) --no-print-directory test-sqlite test-postgres-if-available TEST_MARKERS="not long"

test-long: install
	$(MAKE) --no-print-directory test-sqlite test-postgres-if-available TEST_MARKERS=long

# The PostgreSQL pass runs when the server answers; skipped when not, unless QIANCUN_REQUIRE_POSTGRES=1 (CI).
test-postgres-if-available:
	@rc=0; $(PY) scripts/postgres_available.py "$(TEST_POSTGRES_URL)" || rc=$$?; \
	if [ $$rc = 0 ]; then $(MAKE) --no-print-directory test-postgres; elif [ $$rc != 1 ]; then exit $$rc; fi

test-sqlite:
	@echo "== tests on SQLite ($(or $(TEST_MARKERS),all)) =="
	DJANGO_SETTINGS_MODULE=qiancun.settings.test $(PY) -m pytest $(PYTEST_MARKERS) $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL ($(or $(TEST_MARKERS),all)) =="
	DATABASE_URL="$(TEST_POSTGRES_URL)" DJANGO_SETTINGS_MODULE=qiancun.settings.test $(PY) -m pytest $(PYTEST_MARKERS) $(PYTEST_ARGS)

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
