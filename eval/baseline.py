"""The naive LlamaIndex pipeline we compare against, on purpose about 20 lines of real work:
one Document per paper (title + abstract), an in-memory VectorStoreIndex with the same
MiniLM embedder and llama-index's default splitter, `index.as_retriever()` with its
defaults (top-2 nodes), then the SAME answerer as the product over those papers as
numbered sources: rag.extractive for extractive, the same rag.llm backend and prompt for
an LLM. No abstention, no renumbering, no citation check: the eval scores what it says.

Its retrieval is scored like ours, at 5 papers: the same index asked for RANK_K nodes, of
which the default top-2 are what the answerer reads (recall@5 over a 2-paper list would
count a gold paper at rank 3 as missed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from llama_index.core.constants import DEFAULT_SIMILARITY_TOP_K

from rag.extractive import SentenceScorer, extractive_answer
from rag.llm import build_messages
from rag.types import Paper, Source

RANK_K = 5  # papers ranked for the retrieval metrics, as many as the product shows


@dataclass
class BaselineAnswer:
    text: str
    sources: list[Source]
    scores: list[float] = field(default_factory=list)  # the retriever's similarity per source
    ranked: list[Paper] = field(default_factory=list)  # the retriever's top RANK_K, for retrieval metrics
    error: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)


class NaiveBaseline:
    """VectorStoreIndex + default retriever + the product's answerer; built once per run."""

    def __init__(self, papers: list[Paper], embedder, lexical_index):
        from llama_index.core import Document, VectorStoreIndex

        from rag.embed import as_llama_index

        t0 = time.perf_counter()
        docs = [
            Document(text=f"{p.title}\n\n{p.abstract}", metadata={"paper_id": p.paper_id},
                     excluded_embed_metadata_keys=["paper_id"], excluded_llm_metadata_keys=["paper_id"])
            for p in papers
        ]
        self.index = VectorStoreIndex.from_documents(docs, embed_model=as_llama_index(embedder))
        self.retriever = self.index.as_retriever(similarity_top_k=RANK_K)
        self.papers = {p.paper_id: p for p in papers}
        self.scorer = SentenceScorer(embedder, lexical_index)  # the extractive answerer's scorer
        self.build_seconds = time.perf_counter() - t0

    def _ranked(self, question: str) -> tuple[list[Paper], list[float], list[Paper]]:
        """(papers of the default top-2 nodes, their scores, papers of all RANK_K nodes), best
        first, each once: one search, so the top-2 are exactly what `as_retriever()` returns."""
        papers: list[Paper] = []
        scores: list[float] = []
        ranked: list[Paper] = []
        for i, node in enumerate(self.retriever.retrieve(question)):
            paper = self.papers[node.node.metadata["paper_id"]]
            if i < DEFAULT_SIMILARITY_TOP_K and paper not in papers:
                papers.append(paper)
                scores.append(float(node.score or 0.0))
            if paper not in ranked:
                ranked.append(paper)
        return papers, scores, ranked

    def retrieve(self, question: str) -> tuple[list[Paper], list[float]]:
        """Papers of the default retriever's nodes (top-2), best first, each once."""
        papers, scores, _ = self._ranked(question)
        return papers, scores

    def answer(self, question: str, answerer: str, backend=None) -> BaselineAnswer:
        t0 = time.perf_counter()
        papers, scores, ranked = self._ranked(question)
        timings = {"retrieve_ms": round((time.perf_counter() - t0) * 1000, 1)}
        sources = [Source(n=i + 1, paper=p, score=s) for i, (p, s) in enumerate(zip(papers, scores))]
        t1 = time.perf_counter()
        text, error = answer_from_sources(question, sources, answerer, backend, self.scorer)
        timings["answer_ms"] = round((time.perf_counter() - t1) * 1000, 1)
        timings["total_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return BaselineAnswer(text=text, sources=sources, scores=scores, ranked=ranked, error=error, timings_ms=timings)


_BUILT: dict[tuple, NaiveBaseline] = {}


def baseline_for(papers: list[Paper], embedder, lexical_index) -> NaiveBaseline:
    """The baseline for this corpus, built once per process (a second `rag eval` in the same
    process, e.g. in the tests, reuses it: it is in memory and depends only on the papers)."""
    import hashlib

    digest = hashlib.sha256()
    for p in sorted(papers, key=lambda p: p.paper_id):
        digest.update(f"{p.paper_id}\0{p.title}\0{p.abstract}\0".encode())
    key = (getattr(embedder, "id", type(embedder).__name__), digest.hexdigest())
    if key not in _BUILT:
        _BUILT.clear()
        _BUILT[key] = NaiveBaseline(papers, embedder, lexical_index)
    return _BUILT[key]


def answer_from_sources(question: str, sources: list[Source], answerer: str, backend, scorer: SentenceScorer) -> tuple[str, str | None]:
    """(answer text with [n] markers, error) from the given numbered sources; no checks."""
    from rag.errors import LLMError

    if answerer == "extractive":
        return extractive_answer(scorer.score(question, sources)), None
    try:
        return "".join(backend.stream(build_messages(question, sources))).strip(), None
    except LLMError as exc:
        return "", exc.message
