# One entry point for people and CI. `make run` and `make test` work on a fresh machine:
# they make the virtual environment, install what is needed, then do their job.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: run test lint bench check clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/aggregator carriers check
	$(VENV)/bin/aggregator serve --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: $(STAMP) lint
	sh scripts/install-system-deps.sh
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q

bench: $(STAMP)
	$(PY) bench/bench_single.py
	$(PY) bench/bench_rating.py
	$(PY) bench/bench_bulk.py

check: $(STAMP)
	$(VENV)/bin/aggregator carriers check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
