# Two entry points for a fresh machine (Python 3.11+ and make): `make demo` and `make test`.
# Each creates .venv and installs what it needs on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DB ?= out/demo.db

.PHONY: demo test lint typecheck install clean golden

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/storyline --db $(DEMO_DB) ingest examples/corpus
	$(BIN)/storyline --db $(DEMO_DB) stats
	$(BIN)/storyline --db $(DEMO_DB) articles --limit 15
	$(BIN)/storyline --db $(DEMO_DB) article a02
	$(BIN)/storyline --db $(DEMO_DB) stories
	$(BIN)/storyline --db $(DEMO_DB) export --out out/dossiers
	@echo "dossiers: open out/dossiers/index.html, or: storyline --db $(DEMO_DB) show STORY_ID"

# Regenerates the golden demo dossiers the tests pin (tests/golden/dossiers), after an intended
# change to what a dossier says: review `git diff tests/golden` before committing it.
golden: install
	rm -f out/golden.db out/golden.db-wal out/golden.db-shm
	rm -rf tests/golden/dossiers
	$(BIN)/storyline --db out/golden.db -q ingest examples/corpus
	$(BIN)/storyline --db out/golden.db -q export --format json --out tests/golden/dossiers

lint: install
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: install
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that is a failure here, with a clear message.
test: lint typecheck
	$(BIN)/pytest -q -n 2 || { status=$$?; \
	  [ $$status -ne 5 ] || echo "make test: pytest collected no tests" >&2; exit $$status; }

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
