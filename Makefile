# The two commands a new user needs (see README):
#   make run    set up .venv, build the index from seeds/, serve the UI on http://127.0.0.1:7860
#   make test   set up .venv with test extras (+ Debian's chromium for the browser tests), run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test browser bench eval clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

run: setup
	$(BIN)/rag ingest
	$(BIN)/rag serve

# Browser tests drive Debian's chromium (never `playwright install`, which downloads).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "chromium not installed (apt-get install chromium): browser tests will be skipped"; fi; }

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m eval.retrieval_bench
	$(BIN)/python -m eval.answer_bench
	$(BIN)/python -m bench.perf --json bench/results.json

eval: setup
	$(BIN)/rag eval

clean:
	rm -rf $(VENV) *.egg-info
