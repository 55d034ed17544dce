"""The public Python API behind `rag.open()`: one object over one index.

Internal module: import its names from `rag` (`rag.open`, `rag.Library`, ...), which is
the stable surface (`rag.__all__`, pinned by tests/test_api.py). Everything here goes
through `rag.pipeline` (Engine, ingest) and the Assistant's jobs, so the API, the CLI,
the UI and the adapters (`rag.llama_index`, `rag.mcp_server`) answer alike.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from rag.config import Settings, load_settings
from rag.errors import QueryError
from rag.types import Answer, Comparison, Hit, Lookup, Paper


@dataclass(frozen=True)
class IngestReport:
    """What `Library.ingest` did: the parse (`corpus`: papers, skipped blocks) and the index sync."""

    corpus: object  # rag.ingest.CorpusReport
    index: object  # rag.index.SyncReport

    @property
    def papers(self) -> list[Paper]:
        return list(self.corpus.papers)

    def summary(self) -> str:
        return f"parsed: {self.corpus.summary()}\nindex: {self.index.summary()}"


class AnswerStream:
    """Text deltas of an answer as it is written; `.answer` is the finished Answer.

    The answer is written on a background thread that hands each delta over one at a time
    (the writer waits for the reader, so the reader sees text while the answer is still
    being written). Iterating to the end (or `result()`) gives the Answer; an error in the
    job is raised from the iteration. A reader that stops early releases the writer."""

    _DONE = object()

    def __init__(self, job):
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._answer: Answer | None = None
        self._error: BaseException | None = None
        self._abandoned = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(job,), name="rag-ask-stream", daemon=True)
        self._thread.start()

    def _put(self, item) -> None:
        while not self._abandoned.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self, job) -> None:
        try:
            self._answer = job(self._put)
        except BaseException as exc:  # handed to the reading thread
            self._error = exc
        finally:
            self._put(self._DONE)

    def __iter__(self) -> Iterator[str]:
        try:
            while not self._abandoned.is_set() and (item := self._queue.get()) is not self._DONE:
                yield item
        finally:
            self._abandoned.set()  # the end, or a reader that stopped early: the writer need not wait
        self._thread.join()
        if self._error is not None:
            raise self._error

    def result(self) -> Answer:
        """The finished Answer (waits for it, skipping deltas not read yet; raises the job's error)."""
        for _ in self:
            pass
        return self._answer

    @property
    def answer(self) -> Answer | None:
        """The finished Answer, or None while it is still being written."""
        return self._answer


def _filters(sources=(), year_min=None, year_max=None, title=None):
    from rag.retrieve import Filters

    if isinstance(sources, str):
        sources = (sources,)
    filters = Filters(tuple(sources or ()), year_min, year_max, title)
    return filters if filters.active() else None


class Library:
    """An index of papers to search and question. Open one with `rag.open()`.

    The index is opened on first use (so `ingest` works before one exists) and reopened
    after each `ingest`. Safe to share between threads."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<rag.Library data_dir={str(self.settings.data_dir)!r}>"

    @property
    def engine(self):
        """The opened `rag.pipeline.Engine` (internal; raises IndexError_ when there is no index)."""
        with self._lock:
            if self._engine is None:
                from rag.pipeline import Engine

                self._engine = Engine(self.settings)
            return self._engine

    # ------------------------------------------------------------ building

    def ingest(self, paths: list[str | Path] | str | Path | None = None, rebuild: bool = False, wait: float = 0.0,
               format: str | None = None) -> IngestReport:
        """Parse files or folders (default: the shipped seeds; seed .txt/.md, .bib, .ris, PDFs,
        ... as `rag ingest` reads them; `format` forces one) and update the index; only changed
        text is embedded. Every file is parsed before the index is touched."""
        from rag.pipeline import ingest

        if isinstance(paths, (str, Path)):
            paths = [paths]
        corpus, index = ingest(self.settings, [Path(p) for p in paths] if paths else None, rebuild=rebuild, lock_wait=wait, fmt=format)
        with self._lock:
            self._engine = None  # the next question opens the index as it is now
        return IngestReport(corpus, index)

    # ------------------------------------------------------------ reading

    def search(self, query: str, k: int = 5, *, year_min: int | None = None, year_max: int | None = None,
               sources: tuple[str, ...] | list[str] | str = (), title: str | None = None, mode: str = "hybrid") -> list[Hit]:
        """The `k` papers that best match `query` (hybrid dense + BM25 unless `mode` says
        'dense' or 'lexical'), best first: each Hit has `.paper`, `.score`, `.snippet`."""
        from rag.retrieve import check_query

        check_query(query)
        if mode not in ("hybrid", "dense", "lexical"):
            raise QueryError(f"unknown search mode {mode!r}", hint="use hybrid, dense or lexical")
        return self.engine.search(query, k, _filters(sources, year_min, year_max, title), mode=mode)

    def ask(self, question: str, *, k: int | None = None, answerer: str | None = None, history: list[Answer] | None = None,
            year_min: int | None = None, year_max: int | None = None, sources=(), title: str | None = None) -> Answer:
        """A cited answer (`.text` with [n] markers, `.citations`, `.evidence`) or an
        abstention when the abstracts do not cover the question. Pass earlier Answers as
        `history` for follow-ups ("which datasets did they use?")."""
        return self.engine.assistant.ask(
            question, answerer=answerer, filters=_filters(sources, year_min, year_max, title), history=history, k=k
        )

    def ask_stream(self, question: str, **options) -> AnswerStream:
        """Like `ask`, but iterate the result for text deltas as they are written; the
        finished Answer is `.answer` afterwards (or `.result()`). Takes `ask`'s options."""
        assistant = self.engine.assistant  # open the index here: a missing one raises now, not mid-stream
        filters = _filters(options.pop("sources", ()), options.pop("year_min", None), options.pop("year_max", None), options.pop("title", None))
        return AnswerStream(lambda emit: assistant.ask(question, filters=filters, on_delta=emit, **options))

    def cite(self, question: str, *, year_min: int | None = None, year_max: int | None = None, sources=(), title: str | None = None) -> Lookup:
        """Which paper proposed/introduced X: `.paper`, `.confidence`, the `.evidence`
        sentence and `.runner_ups` (or `.abstained`)."""
        from rag.retrieve import check_query

        check_query(question)
        return self.engine.assistant.lookup(question, _filters(sources, year_min, year_max, title))

    def compare(self, topic: str, max_papers: int = 8) -> Comparison:
        """Papers on a topic (or 'Title A; Title B') side by side: `.rows` of cited cells
        under `.columns` (problem, method, data, result); `.not_found` names missing titles."""
        from rag.retrieve import check_query

        check_query(topic)
        return self.engine.assistant.compare(topic, max_papers=max_papers)

    def papers(self) -> list[Paper]:
        """Every indexed paper, in index order."""
        return list(self.engine.index.papers.values())

    def paper(self, paper_id: str) -> Paper:
        """One indexed paper by its id (QueryError when the index has none with that id)."""
        store = self.engine.index.papers
        if paper_id not in store:
            raise QueryError(f"no indexed paper has the id {paper_id!r}", hint="list the ids with lib.papers() or `rag papers --json`")
        return store[paper_id]

    def stats(self) -> dict:
        """Counts of the opened index: papers, chunks, corpus id."""
        return self.engine.index.stats()


def open_library(data_dir: str | Path | None = None, chroma_url: str | None = None, answerer: str | None = None, **settings) -> Library:
    """A Library over the index in `data_dir` (default: RAG_DATA_DIR or
    ~/.local/share/paper-rag). Other keyword arguments are `rag config` settings
    (e.g. `top_k=8`, `llm_model="..."`); a bad value raises ConfigError at once."""
    return Library(load_settings(data_dir=Path(data_dir) if data_dir is not None else None, chroma_url=chroma_url, answerer=answerer, **settings))
