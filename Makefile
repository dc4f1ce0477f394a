# myoclonus — set-up contract: `make demo` and `make test` work on a fresh machine with Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= all,dev

.PHONY: demo test install bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/myoclonus demo --out out

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --maxfail=50 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),bench]"
	$(BIN)/python benchmarks/bench_analyze.py
	$(BIN)/python benchmarks/accuracy.py

serve: $(STAMP)
	$(BIN)/myoclonus serve

clean:
	rm -rf out build dist .pytest_cache
