"""Every abstract sentence's vector, embedded once by ingest and read back by the answerer.

The extractive answer, cite and compare score each retrieved paper's sentences against the
question. Embedded at question time, that was most of an ask's cost: a process's first question
about a paper embedded its ~10 sentences (~0.1-0.2 s a paper on 2 cores), so each one-shot
`rag ask`, each fresh server and the first hundred questions of an eval paid it again. Ingest
now embeds them in bulk (both cores, longest first) into `embeddings.sqlite` beside the chunk
vectors, keyed by the embedder and the sentence's text; the answerer reads them there and
embeds only what is missing (an index built before this, a changed abstract until re-ingest).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from rag.chunk import content_hash
from rag.text import split_sentences

TABLE = "sentences"
BATCH = 2048  # sentences embedded and written per step: an interrupted ingest keeps what it wrote


def sentence_key(embedder_id: str, sentence: str) -> str:
    return content_hash(sentence, salt=f"{embedder_id}/sentence")


def store_sentence_vectors(abstracts: Iterable[str], embedder_id: str, dimension: int, embedder: Callable[[], object],
                           cache_path: Path, progress: Callable[[int, int], None] | None = None) -> tuple[int, float]:
    """Embed the sentences of `abstracts` that `cache_path` lacks (`embedder()` gives the embedder, loaded
    only when some are missing); (sentences embedded, seconds spent embedding)."""
    from rag.embed_cache import EmbeddingCache

    wanted: dict[str, str] = {}
    for abstract in abstracts:
        for sentence in split_sentences(abstract):
            wanted.setdefault(sentence_key(embedder_id, sentence), sentence)
    cache = EmbeddingCache(cache_path, dimension, TABLE)
    try:
        keys = list(wanted)
        known = set(cache.get_many(keys))
        missing = [k for k in keys if k not in known]
        seconds = 0.0
        model = embedder() if missing else None
        for i in range(0, len(missing), BATCH):
            part = missing[i : i + BATCH]
            t0 = time.perf_counter()
            vectors = model.embed([wanted[k] for k in part])
            seconds += time.perf_counter() - t0
            cache.put_many(dict(zip(part, vectors)))
            if progress is not None:
                progress(min(i + BATCH, len(missing)), len(missing))
        return len(missing), seconds
    finally:
        cache.close()


class StoredSentenceVectors:
    """Read-only lookups of the vectors ingest stored: sentence -> vector for those it holds.
    Never raises: a missing, busy or damaged file means the caller embeds the sentences itself."""

    def __init__(self, cache_path: Path, embedder_id: str, dimension: int):
        self.path = Path(cache_path)
        self.embedder_id = embedder_id
        self.dimension = dimension
        self._cache = None
        self._lock = threading.Lock()

    def __call__(self, sentences: list[str]) -> dict[str, np.ndarray]:
        from rag.embed_cache import EmbeddingCache

        keys = {sentence_key(self.embedder_id, s): s for s in sentences}
        if not keys:
            return {}
        with self._lock:
            try:
                if self._cache is None:
                    if not self.path.is_file():
                        return {}
                    self._cache = EmbeddingCache(self.path, self.dimension, TABLE, readonly=True)
                found = self._cache.get_many(list(keys))
            except sqlite3.Error:  # no table yet (an older index), a damaged or busy file
                return {}
        return {keys[key]: vector for key, vector in found.items()}
