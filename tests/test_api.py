"""The public Python API, called as a user calls it: `import rag; lib = rag.open(...)`.

The names in `rag.__all__` are a promise: this file pins them, so a refactor that renames or
drops one fails here instead of in a user's script.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import rag
from conftest import REPO, SEEDS
from openai_stub import Reply, StubOpenAI

PUBLIC = {
    "__version__",
    "open", "Library", "AnswerStream", "IngestReport",
    "Paper", "Hit", "Answer", "Citation", "Lookup", "Comparison", "ComparisonRow", "ComparisonCell",
    "RagError", "ConfigError", "CorpusError", "IndexError_", "EmbedderError", "QueryError", "LLMError",
}
QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"


@pytest.fixture(scope="module")
def lib(seed_index):
    return rag.open(data_dir=seed_index.data_dir)


def test_public_names_are_pinned():
    assert set(rag.__all__) == PUBLIC
    for name in rag.__all__:
        assert getattr(rag, name) is not None, name
    assert set(rag.__all__) <= set(dir(rag))
    with pytest.raises(AttributeError):
        rag.no_such_name  # noqa: B018


def test_errors_are_one_tree_with_a_hint(tmp_path):
    for name in ("ConfigError", "CorpusError", "IndexError_", "EmbedderError", "QueryError", "LLMError"):
        assert issubclass(getattr(rag, name), rag.RagError)
    with pytest.raises(rag.ConfigError) as bad:
        rag.open(data_dir=tmp_path, top_k=0)
    assert bad.value.hint
    lib = rag.open(data_dir=tmp_path / "nothing-here")  # opening is lazy: ingest must work before an index exists
    with pytest.raises(rag.IndexError_) as missing:
        lib.search("quantized fine-tuning")
    assert "rag ingest" in missing.value.hint


def test_import_rag_loads_no_heavy_library():
    """`import rag` (and so the `rag` command) stays cheap: the API loads on first use."""
    code = (
        "import sys, rag; heavy = [m for m in ('llama_index', 'chromadb', 'onnxruntime', 'mcp', 'pydantic', 'rag.library', 'rag.pipeline') if m in sys.modules];"
        "print(heavy); rag.open; print('rag.library' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"


def test_ingest_returns_the_report_and_the_library_sees_the_new_papers(mini):
    lib = rag.open(data_dir=mini.settings.data_dir, chunk_tokens=64, chunk_overlap=16, progress=False)
    report = lib.ingest([mini.listing("a.txt", ["tidal", "sourdough"])])
    assert isinstance(report, rag.IngestReport)
    assert {p.title for p in report.papers} == {mini.papers["tidal"][0], mini.papers["sourdough"][0]}
    assert report.index.embedded > 0 and "2 distinct papers" in report.summary()
    assert lib.search("tidal turbine blade fatigue", k=1)[0].paper.title == mini.papers["tidal"][0]

    lib.ingest(mini.listing("b.txt", ["glacier"]))  # the same Library object answers from the updated index
    hits = lib.search("glacier calving front radar", k=1)
    assert hits[0].paper.title == mini.papers["glacier"][0]
    assert len(lib.papers()) == 3


def test_ingest_reads_a_bibtex_library(tmp_path):
    """A reference manager's export goes in as it is (the importers behind `rag ingest`)."""
    lib = rag.open(data_dir=tmp_path / "data", progress=False)
    report = lib.ingest(REPO / "tests/fixtures/library/zotero.bib")
    titles = {p.title for p in report.papers}
    assert "QLoRA: Efficient Finetuning of Quantized LLMs" in titles
    hits = lib.search("finetune a 65B parameter model on a single 48GB GPU", k=1)
    assert hits[0].paper.title == QLORA and hits[0].paper.url == "https://arxiv.org/abs/2305.14314"
    with pytest.raises(rag.CorpusError):
        lib.ingest(REPO / "tests/fixtures/library/zotero.bib", format="ris")


def test_search_returns_hits_with_paper_score_snippet_and_filters(lib):
    hits = lib.search("fine-tune a 65B model on one GPU with 4-bit quantization", k=5)
    assert len(hits) == 5 and hits[0].paper.title == QLORA
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits[0].score >= hits[1].score and hits[0].snippet
    dated = lib.search("large language models", k=5, year_min=2024)
    assert dated and all(h.paper.year and h.paper.year >= 2024 for h in dated)
    with pytest.raises(rag.QueryError):
        lib.search("   ")


def test_ask_cite_compare_return_the_records(lib):
    answer = lib.ask("How does QLoRA fine-tune a 65B model on a single GPU?")
    assert isinstance(answer, rag.Answer) and answer.evidence == "strong"
    assert "[1]" in answer.text and answer.citations[0].title == QLORA
    found = lib.cite("Which paper introduced NF4?")
    assert isinstance(found, rag.Lookup) and found.paper.title == QLORA
    table = lib.compare("mixture of experts")
    assert isinstance(table, rag.Comparison) and len(table.rows) >= 2
    assert lib.paper(found.paper.paper_id) == found.paper
    with pytest.raises(rag.QueryError):
        lib.paper("no-such-id")


def test_ask_stream_yields_deltas_before_the_answer_is_finished(seed_index):
    """Deltas arrive while the answer is still being written (a background thread), and
    the finished Answer is there at the end."""
    text = (
        "QLoRA backpropagates gradients through a frozen, 4-bit quantized pretrained language model into Low Rank "
        "Adapters, which reduces memory usage enough to finetune a 65B parameter model on a single 48GB GPU [1]."
    )
    with StubOpenAI(script=Reply(text=text)) as stub:
        lib = rag.open(data_dir=seed_index.data_dir, answerer="openai", openai_base_url=stub.base_url)
        stream = lib.ask_stream("How does QLoRA fine-tune a 65B model on a single GPU?")
        deltas = []
        unfinished_at_first_delta = None
        for delta in stream:
            if unfinished_at_first_delta is None:
                unfinished_at_first_delta = stream.answer is None
            deltas.append(delta)
    assert unfinished_at_first_delta is True  # the writer waits for the reader: not a replay of a finished answer
    assert len(deltas) >= 3
    assert "".join(deltas).strip() == stream.answer.text == text
    assert stream.answer.answerer == "openai" and stream.answer.citations[0].title == QLORA
    assert stream.result() is stream.answer


def test_ask_stream_raises_the_error_to_the_reader(lib):
    with pytest.raises(rag.QueryError):
        list(lib.ask_stream("  "))


def test_readme_python_block_runs_as_written(seed_index, monkeypatch, capsys):
    """The first Python block of the README's "Python, LlamaIndex and MCP" section, run
    against the seed index from the repository root."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python, LlamaIndex and MCP"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "rag.open()" in code and 'lib.ingest(["seeds/"])' in code
    monkeypatch.setenv("RAG_DATA_DIR", str(seed_index.data_dir))
    monkeypatch.chdir(REPO)
    assert (REPO / "seeds") == SEEDS
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "429 distinct papers" in out and "0 newly embedded" in out  # the seeds were indexed already
    assert f"[1] {QLORA}  supported=True" in out
    assert "evidence: strong" in out
    assert "hint: type a question" in out
