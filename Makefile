# One entry point for people and CI. `make run` and `make test` work on a fresh machine:
# they make the virtual environment, install what is needed, then do their job.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PYTEST_WORKERS ?= 2
# `make test-dates` runs the suite (browser tests aside) at each of these dates through Debian's
# libfaketime: the first day of the sample rates, a fiscal year end, a leap day, a year end.
TEST_DATES ?= 2026-04-01 2027-03-31 2028-02-29 2030-12-31

.PHONY: run test test-dates lint lock bench check clean

# Exact versions with hashes from the lock file; the project itself goes in editable, without
# resolving anything again. `make lock` refreshes the lock from pyproject.toml (README: Upgrading).
$(STAMP): requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $(STAMP)

lock:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q pip-tools
	$(VENV)/bin/pip-compile -q --extra dev --all-build-deps --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

run: $(STAMP)
	$(VENV)/bin/aggregator carriers check
	$(VENV)/bin/aggregator serve --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: $(STAMP) lint
	sh scripts/install-system-deps.sh
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q

# The monotonic clock stays real (queues and thread waits need it); scripts/faketime mends
# time.sleep, which libfaketime breaks in that mode.
test-dates: $(STAMP)
	sh scripts/install-system-deps.sh
	for day in $(TEST_DATES); do \
		echo "make test-dates: the suite at $$day"; \
		PYTHONPATH=scripts/faketime FAKETIME_DONT_FAKE_MONOTONIC=1 faketime "$$day 10:00:00" \
			$(PY) -m pytest -n $(PYTEST_WORKERS) -q -m "not browser" -p no:cacheprovider || exit 1; \
	done

bench: $(STAMP)
	$(PY) bench/bench_single.py
	$(PY) bench/bench_rating.py
	$(PY) bench/bench_export.py
	$(PY) bench/bench_bulk.py
	$(PY) bench/bench_web.py

check: $(STAMP)
	$(VENV)/bin/aggregator carriers check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
