# The two commands a new user needs (see README):
#   make run    set up .venv, build the index from seeds/, open the search prompt
#   make test   set up .venv with test extras, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

run: setup
	$(BIN)/rag ingest
	$(BIN)/rag search --interactive

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m eval.retrieval_bench

clean:
	rm -rf $(VENV) *.egg-info
