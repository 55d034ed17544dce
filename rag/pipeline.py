"""Wiring: settings → index → retriever. The one place the UI, CLI and eval call into."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rag.config import Settings, default_seed_paths
from rag.embed import EMBEDDER_ID, default_embedder
from rag.errors import IndexError_
from rag.index import StoredIndex, SyncReport, rebuild_hint, sync
from rag.ingest import CorpusReport, load_corpus
from rag.retrieve import Filters, HybridRetriever
from rag.types import Hit


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    lock_wait: float = 0.0,
    fmt: str | None = None,
) -> tuple[CorpusReport, SyncReport]:
    """Parse the files (all of them, before touching the index; `fmt` forces a format), then sync the index."""
    report = load_corpus(paths or default_seed_paths(), fmt=fmt)
    return report, sync(report, settings, rebuild=rebuild, progress=progress, lock_wait=lock_wait)


class Engine:
    """An opened index plus its retriever; build once per process and reuse."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.index = StoredIndex(settings)
        if self.index.embedder_id != EMBEDDER_ID:
            raise IndexError_(
                f"the index in {settings.data_dir} was built with {self.index.embedder_id}, not {EMBEDDER_ID}",
                hint=rebuild_hint(settings.data_dir),
            )
        self.embedder = default_embedder(settings)
        second = None
        if self.index.second_embedder_id is not None:
            from rag.embed_mpnet import default_mpnet, check_second

            check_second(self.index.second_embedder_id, settings.data_dir)
            second = default_mpnet(settings)
        self.retriever = HybridRetriever(
            self.index, self.embedder, candidates=settings.candidates, rrf_k=settings.rrf_k, second=second,
            field_terms=settings.field_terms == "on",
        )
        self._assistant = None

    @property
    def assistant(self):
        """The ask / lookup / compare jobs over this engine (built on first use)."""
        if self._assistant is None:
            from rag.answer import Assistant

            self._assistant = Assistant(self.retriever, self.settings)
        return self._assistant

    def search(self, query: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid") -> list[Hit]:
        return self.retriever.search(query, k or self.settings.top_k, filters, mode=mode)
