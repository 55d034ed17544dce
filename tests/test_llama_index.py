"""rag.llama_index inside real LlamaIndex pipelines (RetrieverQueryEngine, QueryFusionRetriever,
a SummaryIndex retriever beside ours), over the seed index.

No LLM is called unless a test is about one: the synthesizer is `NoText` and the fusion
runs one query; llama-index's `MockLLM` fills the `llm=` slots llama-index insists on.
The LLM test talks to the OpenAI-protocol stub on 127.0.0.1 through a LlamaIndex `CustomLLM`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from llama_index.core import SummaryIndex
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM, MockLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.schema import TextNode

import rag
from conftest import REPO
from openai_stub import Reply, StubOpenAI
from rag.llama_index import PaperQueryEngine, PaperRetriever

QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"


@pytest.fixture(scope="module")
def lib(seed_index):
    return rag.open(data_dir=seed_index.data_dir)


def _dev_plain_questions() -> list[str]:
    rows = [json.loads(line) for line in (REPO / "eval/data/plain.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("split") == "dev"]


def test_retriever_query_engine_returns_the_same_top_paper_as_rag_search(lib, seed_index, rag_cli):
    questions = _dev_plain_questions()
    assert len(questions) >= 20
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "-k", "5", "-", input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    cli_top = [line["hits"][0]["title"] for line in result.json_lines()]

    engine = RetrieverQueryEngine(PaperRetriever(lib, k=5), response_synthesizer=NoText(llm=MockLLM()))
    ours = [engine.query(q).source_nodes[0].node.metadata["title"] for q in questions]
    assert ours == cli_top


def test_nodes_carry_title_id_url_and_the_matched_chunk(lib):
    nodes = PaperRetriever(lib, k=3).retrieve("fine-tune a 65B model on one GPU with a 4-bit quantized frozen model")
    assert len(nodes) == 3
    top = nodes[0]
    paper = lib.paper(top.node.metadata["paper_id"])
    assert top.node.metadata["title"] == paper.title == QLORA
    assert top.node.metadata["url"] == (paper.url or "")
    assert top.node.ref_doc_id == paper.paper_id
    assert top.node.get_content() in paper.abstract  # the matched chunk, not a summary
    assert top.score == lib.search("fine-tune a 65B model on one GPU with a 4-bit quantized frozen model", k=3)[0].score
    assert nodes[0].score >= nodes[1].score >= nodes[2].score
    # The LLM sees the title beside the chunk, not the bookkeeping.
    llm_text = top.node.get_content(metadata_mode="llm")
    assert QLORA in llm_text and paper.paper_id not in llm_text


def test_fusion_retriever_combines_papers_with_another_retriever(lib):
    """Our retriever fused with a retriever over the user's own notes (a SummaryIndex)."""
    notes = SummaryIndex([TextNode(text="My note: try QLoRA on the 65B model next week.", id_="note-1")])
    fusion = QueryFusionRetriever(
        [PaperRetriever(lib, k=3), notes.as_retriever()],
        llm=MockLLM(), num_queries=1, mode="reciprocal_rerank", use_async=False, similarity_top_k=4,
    )
    nodes = fusion.retrieve("fine-tune a 65B model on a single GPU")
    ids = [n.node.node_id for n in nodes]
    assert "note-1" in ids
    titles = [n.node.metadata.get("title") for n in nodes]
    assert titles[0] == QLORA or titles[1] == QLORA  # ours and the note tie at rank 1 of their lists


def test_query_engine_answers_with_verified_citations_and_cited_source_nodes(lib):
    response = PaperQueryEngine(lib).query("How does QLoRA fine-tune a 65B model on a single GPU?")
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", response.response)}
    assert markers and markers == {n.node.metadata["n"] for n in response.source_nodes}
    assert [n.node.metadata["n"] for n in response.source_nodes] == list(range(1, len(response.source_nodes) + 1))
    assert response.source_nodes[0].node.metadata["title"] == QLORA
    assert all(n.node.metadata["supported"] for n in response.source_nodes)
    answer = response.metadata["answer"]
    assert isinstance(answer, rag.Answer) and answer.text in response.response and answer.evidence == "strong"


def test_query_engine_abstains_without_sources_when_the_corpus_lacks_it(lib):
    response = PaperQueryEngine(lib).query("What is the best sourdough hydration for a rye loaf baked at high altitude?")
    assert response.metadata["abstained"] is True
    assert response.source_nodes == []
    assert "[1]" not in response.response


class _StubChatLLM(CustomLLM):
    """A LlamaIndex LLM whose completions come from the OpenAI-protocol stub server."""

    base_url: str

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="stub-model")

    def _client(self):
        from openai import OpenAI

        return OpenAI(base_url=self.base_url, api_key="k", max_retries=0, timeout=10)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self._client().chat.completions.create(model="stub-model", messages=[{"role": "user", "content": prompt}])
        return CompletionResponse(text=reply.choices[0].message.content)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = ""
        for chunk in self._client().chat.completions.create(model="stub-model", messages=[{"role": "user", "content": prompt}], stream=True):
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                text += delta
                yield CompletionResponse(text=text, delta=delta)


def test_query_engine_uses_a_llamaindex_llm_and_checks_its_citations(lib):
    good = "QLoRA backpropagates gradients through a frozen, 4-bit quantized pretrained language model into Low Rank Adapters [1]."
    with StubOpenAI(script=[Reply(text=good), Reply(text="Bananas are rich in potassium [1].")]) as stub:
        engine = PaperQueryEngine(lib, llm=_StubChatLLM(base_url=stub.base_url))
        response = engine.query("How does QLoRA fine-tune a 65B model on a single GPU?")
        assert response.response == good
        assert response.metadata["answerer"] == "llama-index"
        assert QLORA in json.dumps(stub.requests[0].body)  # the LLM saw our numbered sources
        assert response.source_nodes[0].node.metadata["title"] == QLORA

        # An answer whose citation the cited abstract does not support is replaced by the extractive one.
        checked = engine.query("How does QLoRA fine-tune a 65B model on a single GPU?")
        assert checked.metadata["answerer"] == "extractive"
        assert "Bananas" not in checked.response and "[1]" in checked.response
        assert any("The LlamaIndex LLM (stub-model)" in note for note in checked.metadata["answer"].notes)
