# Two commands: `make run` starts the bot, `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench bench-fanout image clean

run: $(STAMP)
	$(BIN)/briefbot run

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# Every benchmark, on SQLite and on PostgreSQL when BENCH_DATABASE_URL (else TEST_DATABASE_URL)
# is reachable: that database is emptied. BENCH_FANOUT=1 and BENCH_REPLICAS=1 add the long ones.
bench: $(STAMP)
	BENCH_FANOUT=$(BENCH_FANOUT) BENCH_REPLICAS=$(BENCH_REPLICAS) $(BIN)/python -m bench.run_all

# Ten thousand digests paced at Telegram's limits: about six minutes.
bench-fanout: $(STAMP)
	$(BIN)/python -m bench.bench_fanout

# Build the container image and check it runs (skipped when Docker is not available).
image: $(STAMP)
	scripts/docker-build-check.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (PYTHON=$(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
