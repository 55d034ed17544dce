"""LlamaIndex components over a paper-rag library: drop our retrieval and cited answers
into LlamaIndex pipelines.

    from rag.llama_index import PaperRetriever, PaperQueryEngine
    retriever = PaperRetriever(rag.open(), k=5)          # a BaseRetriever: NodeWithScore per paper
    engine = RetrieverQueryEngine.from_args(retriever, llm=your_llm)   # any LlamaIndex LLM
    PaperQueryEngine(rag.open()).query("...")            # our verified [n] citations

The retriever runs our hybrid retrieval (not a re-implementation): one node per paper,
whose text is the best-matching chunk and whose metadata names the paper. The query engine
runs our ask job, so its text carries only citations that passed the citation check; give it
`llm=` to have a LlamaIndex LLM write the answer, else the extractive answerer does.

An adapter: it imports `rag`; nothing in `rag` imports it (tests/test_import_direction.py).
"""

from __future__ import annotations

from typing import Any, Iterator

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode
from pydantic import Field, PrivateAttr

from rag.errors import LLMError
from rag.library import Library, open_library
from rag.types import Answer, Hit, Paper

__all__ = ["PaperRetriever", "PaperQueryEngine", "paper_node"]

# Shown to the LLM beside the chunk; the rest of the metadata is for the program.
_LLM_METADATA = ("title", "published")


def paper_node(paper: Paper, text: str | None = None, node_id: str | None = None, **extra: Any) -> TextNode:
    """A TextNode for a paper: `text` (default: the abstract) with the paper's title, id,
    links and date as metadata, and the paper id as its source document."""
    metadata = {
        "title": paper.title,
        "paper_id": paper.paper_id,
        "url": paper.url or "",
        "code_url": paper.code_url or "",
        "published": paper.published or "",
        "doi": paper.doi or "",
        "arxiv_id": paper.arxiv_id or "",
        "sources": "; ".join(paper.sources),
        **extra,
    }
    return TextNode(
        id_=node_id or paper.paper_id,
        text=text if text is not None else paper.abstract,
        metadata=metadata,
        excluded_llm_metadata_keys=[key for key in metadata if key not in _LLM_METADATA],
        excluded_embed_metadata_keys=[key for key in metadata if key not in _LLM_METADATA],
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=paper.paper_id)},
    )


def _hit_node(hit: Hit) -> NodeWithScore:
    chunk = hit.chunks[0] if hit.chunks else None
    node = paper_node(hit.paper, chunk.text if chunk else hit.paper.abstract, node_id=chunk.chunk_id if chunk else None, rank=hit.rank)
    return NodeWithScore(node=node, score=hit.score)


class PaperRetriever(BaseRetriever):
    """Our hybrid retrieval as a LlamaIndex retriever: one NodeWithScore per paper, best
    first; the node's text is the matched chunk, its metadata title, paper_id, url, code_url,
    published, sources and rank. `PaperRetriever()` opens the default library."""

    def __init__(self, library: Library | None = None, k: int = 5, *, mode: str = "hybrid", year_min: int | None = None,
                 year_max: int | None = None, sources=(), title: str | None = None,
                 callback_manager: CallbackManager | None = None, verbose: bool = False):
        super().__init__(callback_manager=callback_manager, verbose=verbose)
        self.library = library if library is not None else open_library()
        self.k = k
        self.options = {"mode": mode, "year_min": year_min, "year_max": year_max, "sources": sources, "title": title}

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [_hit_node(h) for h in self.library.search(query_bundle.query_str, k=self.k, **self.options)]


class _LlamaIndexBackend:
    """A LlamaIndex LLM behind our answerer interface (rag.llm.Backend): streamed chat."""

    name = "llama-index"

    def __init__(self, llm):
        self.llm = llm
        metadata = getattr(llm, "metadata", None)
        self.model = getattr(metadata, "model_name", None) or type(llm).__name__

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        try:
            for part in self.llm.stream_chat(chat):
                if part.delta:
                    yield part.delta
        except LLMError:
            raise
        except Exception as exc:  # whatever the LLM's client raises: the answer falls back to extractive
            raise LLMError(f"the LlamaIndex LLM {self.model} failed ({type(exc).__name__}: {str(exc)[:160]})") from None


def _assistant_with(library: Library, backend: _LlamaIndexBackend):
    """An Assistant over the library's retriever whose LLM answerer is `backend`: the same
    retrieval, evidence levels, citation check and extractive fallback as `rag ask`."""
    from rag.answer import Assistant

    class _WithLlamaIndexLLM(Assistant):
        def _backend(self, name: str):
            return backend

    engine = library.engine
    return _WithLlamaIndexLLM(engine.retriever, engine.settings)


class PaperQueryEngine(CustomQueryEngine):
    """Our ask job as a LlamaIndex query engine. The Response's text is the answer with
    verified [n] citations (preceded by the evidence preface, if any); `source_nodes[i]` is
    the paper cited as [i+1] (score: its support); `metadata["answer"]` the whole Answer.
    With `llm=` (any LlamaIndex LLM) that LLM writes the answer; an answer failing the
    citation check, or no LLM, gives the extractive answer."""

    library: Any = Field(default=None, description="A rag.Library; None opens the default one.")
    llm: Any = Field(default=None, description="A LlamaIndex LLM to write answers; None: extractive.")
    k: int | None = Field(default=None, description="Papers given to the answerer (default: the library's setting).")
    _assistant: Any = PrivateAttr(default=None)

    def __init__(self, library: Library | None = None, **data: Any):
        super().__init__(library=library if library is not None else open_library(), **data)

    def answer(self, question: str) -> Answer:
        """The Answer record for a question (what `query` wraps in a Response)."""
        if self.llm is None:
            return self.library.ask(question, k=self.k, answerer="extractive")
        if self._assistant is None:
            self._assistant = _assistant_with(self.library, _LlamaIndexBackend(self.llm))
        answer = self._assistant.ask(question, answerer="openai", k=self.k)  # "openai": the LLM slot, served by our backend
        # Our LLM slot is named "openai" inside the Assistant: say which LLM it really was.
        who = f"The LlamaIndex LLM ({self._assistant.backend('openai').model})"
        notes = tuple(note.replace("The openai answerer", who).replace("The openai answer", f"{who}'s answer") for note in answer.notes)
        return answer.model_copy(update={"notes": notes, "answerer": "llama-index" if answer.answerer != "extractive" else "extractive"})

    def custom_query(self, query_str: str) -> Response:
        answer = self.answer(query_str)
        hits = {h.paper.paper_id: h for h in answer.hits}
        nodes = []
        for c in answer.citations:
            hit = hits.get(c.paper_id)
            if hit is None:
                continue
            node = _hit_node(hit).node
            node.metadata.update({"n": c.n, "supported": c.supported})
            node.excluded_llm_metadata_keys.extend(["n", "supported"])
            nodes.append(NodeWithScore(node=node, score=c.support))
        text = f"{answer.preface}\n\n{answer.text}" if answer.preface else answer.text
        return Response(
            response=text,
            source_nodes=nodes,
            metadata={"answer": answer, "evidence": answer.evidence, "abstained": answer.abstained, "answerer": answer.answerer},
        )
