# Linli: `make run` sets everything up and serves the demo on 127.0.0.1:5000; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
export FLASK_APP := app

.PHONY: lock setup run test test-sqlite test-postgres browser-deps lint i18n-extract i18n-update translations vendor bench clean

setup: $(VENV)/.installed vendor translations

# Installed from requirements.lock: every package pinned with its hashes (`make lock` writes it from pyproject.toml);
# then the portal itself, without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

# Re-pin after changing the dependencies in pyproject.toml (pip-tools in a throwaway environment, not in .venv).
lock:
	test -x .lock-venv/bin/pip-compile || ($(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install -q pip-tools)
	.lock-venv/bin/pip-compile -q --extra dev --generate-hashes --no-emit-find-links --no-emit-index-url \
	  --strip-extras --allow-unsafe -o requirements.lock pyproject.toml
	@# pip-compile leaves out what only an older Python needs: redis wants async-timeout before 3.11.3 (Debian 12).
	grep -q '^async-timeout' requirements.lock || git show HEAD:requirements.lock | sed -n '/^async-timeout/,/# via redis/p' \
	  | python3 -c 'import sys; b=sys.stdin.read(); p="requirements.lock"; t=open(p).read(); i=t.index("babel=="); open(p, "w").write(t[:i] + b + t[i:])'

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# Front-end packages come from the npm registry and are copied here; static/vendor/ is never committed.
vendor: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico.min.css

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -f -d portal/translations

run: setup
	$(FLASK) db upgrade
	$(FLASK) portal demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# Debian's Chromium drives the browser tests (no browser download), with a CJK font so that Chinese pages are measured
# as people see them; both installed here when missing.
browser-deps:
	@if ! test -x /usr/bin/chromium || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "installing Debian's chromium and a Chinese font for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# With PostgreSQL configured the two runs go side by side (one per core), each into its own log printed when both
# are done; the SQLite run then uses Redis database 14 so that the two never flush each other's rate limits.
test: setup browser-deps
	@if [ -z "$$PORTAL_TEST_DATABASE_URL" ]; then \
	  $(MAKE) --no-print-directory test-sqlite; \
	  echo "PORTAL_TEST_DATABASE_URL not set: PostgreSQL run skipped (CI sets it)"; \
	else \
	  mkdir -p test-artifacts; \
	  echo "== tests on SQLite and on PostgreSQL, side by side (logs in test-artifacts/)"; \
	  PORTAL_TEST_REDIS_URL=$(SQLITE_REDIS_URL) $(MAKE) --no-print-directory test-sqlite \
	    > test-artifacts/sqlite.log 2>&1 & sqlite=$$!; \
	  $(MAKE) --no-print-directory test-postgres > test-artifacts/postgres.log 2>&1; pg=$$?; \
	  wait $$sqlite; lite=$$?; \
	  cat test-artifacts/sqlite.log test-artifacts/postgres.log; \
	  echo "== exit status: SQLite $$lite, PostgreSQL $$pg"; \
	  [ $$lite -eq 0 ] && [ $$pg -eq 0 ]; \
	fi

SQLITE_REDIS_URL ?= redis://127.0.0.1:6379/14

test-sqlite:
	@echo "== tests on SQLite"
	env -u PORTAL_TEST_DATABASE_URL $(BIN)/pytest -q

test-postgres:
	@echo "== tests on PostgreSQL ($$PORTAL_TEST_DATABASE_URL)"
	$(BIN)/pytest -q

# Issue 3's e-voting figures and the page render figures (a meeting with 500 comments, the board with 1,000
# commitments) on SQLite and PostgreSQL (LINLI_BENCH_POSTGRES_URL, default the database linli_bench on 127.0.0.1,
# created if missing and emptied): prints each figure against its target; a missed target is reported, not a failure
# (the exit status is non-zero only when the benchmark itself breaks). About 4 minutes; BENCH_ARGS="--parts pages"
# runs the page figures alone.
bench: setup
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

i18n-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F portal/translations/babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update -N -i portal/translations/messages.pot -d portal/translations

clean:
	rm -rf $(VENV) node_modules static/vendor
