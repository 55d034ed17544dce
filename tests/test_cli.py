"""The `rag` command over the session's seed index: papers, search, config, and user errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import F000, F001, F002, SEED_PAPERS

MOE = "A Survey on Mixture of Experts"


def _no_traceback(result):
    assert "Traceback" not in result.output


def test_papers_json_lists_every_paper(seed_index, seed_papers, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "papers", "--json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == SEED_PAPERS
    rows = [json.loads(line) for line in lines]
    for row in rows:
        assert {"title", "sources", "url", "code_url", "published"} <= set(row)
        assert isinstance(row["sources"], list) and row["sources"]
    assert {r["title"] for r in rows} == set(seed_papers)
    by_title = {r["title"]: r for r in rows}
    assert by_title["Matryoshka Representation Learning"]["sources"] == [F001, F002]
    assert by_title[MOE]["code_url"] == "https://github.com/withinmiaov/A-Survey-on-Mixture-of-Experts"
    sphinx = by_title["SPHINX-X: Scaling Data and Parameters for a Family of Multi-modal Large Language Models"]
    assert sphinx["published"] == "2024-02-08"
    assert sphinx["url"] == "http://arxiv.org/abs/2402.05935v1"
    assert sphinx["sources"] == [F000]
    # Non-ASCII survives as text, not escapes.
    assert "PanGu-$α$" in result.stdout


def test_papers_plain_text(seed_index, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "papers")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == SEED_PAPERS
    assert any(line.startswith("Matryoshka Representation Learning") and F001 in line and F002 in line
               for line in result.stdout.splitlines())


def test_search_json_prints_one_line_with_k_hits(seed_index, rag_cli):
    query = "survey of mixture of experts taxonomy"
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "-k", "3", query)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert payload["query"] == query
    hits = payload["hits"]
    assert len(hits) == 3
    for hit in hits:
        assert {"title", "score", "snippet", "sources"} <= set(hit)
        assert isinstance(hit["score"], float)
        assert hit["snippet"]
    assert hits[0]["title"] == MOE
    assert hits[0]["sources"] == [F001]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert len({h["title"] for h in hits}) == 3


def test_a_question_pasted_from_a_markdown_list_is_a_question_not_an_option(seed_index, rag_cli):
    """"- `QLoRA`: how much memory …?" starts with a dash: read as an option, it stopped with "No such option '- '"."""
    question = "- `QLoRA`: how much memory does it save?"
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "-k", "2", question)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == question
    assert payload["hits"][0]["title"].startswith("QLoRA")


def test_search_reads_one_query_per_line_from_stdin(seed_index, rag_cli):
    queries = ["survey of mixture of experts taxonomy", "what does CLIP know about peeling a banana", "matryoshka representations"]
    stdin = queries[0] + "\n\n" + queries[1] + "\n   \n" + queries[2] + "\n"
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "-k", "2", "-", input=stdin)
    assert result.exit_code == 0, result.output
    rows = result.json_lines()
    assert len(result.stdout.splitlines()) == 3
    assert [r["query"] for r in rows] == queries
    assert all(len(r["hits"]) == 2 for r in rows)
    assert rows[0]["hits"][0]["title"] == MOE
    assert rows[1]["hits"][0]["title"] == "What does CLIP know about peeling a banana?"
    assert rows[2]["hits"][0]["title"] == "Matryoshka Representation Learning"


def test_search_plain_text_output(seed_index, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "-k", "2", "survey of mixture of experts taxonomy")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"1. {MOE}"
    assert "code: https://github.com/withinmiaov/A-Survey-on-Mixture-of-Experts" in result.stdout


def test_search_says_which_everyday_words_it_searched_as_the_fields_terms(seed_index, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "-k", "2", "how to stop a chatbot making things up")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Searched “chatbot” as “large language model”, “making things up” as “hallucination” (the words abstracts use)."
    assert lines[1].startswith("1. ") and "hallucina" in lines[1].casefold()


def test_search_filters_through_the_cli(seed_index, seed_papers, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "-k", "10",
                     "--source", F002, "--title", "video", "--mode", "dense", "video generation")
    assert result.exit_code == 0, result.output
    hits = result.json_lines()[0]["hits"]
    assert hits
    assert all(F002 in h["sources"] and "video" in h["title"].casefold() for h in hits)

    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "-k", "10", "--year-min", "2024", "language models")
    titles = [h["title"] for h in result.json_lines()[0]["hits"]]
    assert len(titles) == 5
    assert all(seed_papers[t].published.startswith("2024") for t in titles)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search_modes_through_the_cli(seed_index, rag_cli, mode):
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "-k", "3", "--mode", mode, "mixture of experts survey")
    assert result.exit_code == 0, result.output
    assert len(result.json_lines()[0]["hits"]) == 3


def test_config_prints_the_effective_settings(seed_index, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "config")
    assert result.exit_code == 0
    assert f"data_dir = {seed_index.data_dir}" in result.stdout.splitlines()
    for key in ("collection", "chunk_tokens", "chunk_overlap", "top_k", "candidates", "rrf_k", "chroma_url"):
        assert any(line.startswith(f"{key} = ") for line in result.stdout.splitlines()), key


def test_config_applies_env_vars_and_flags(tmp_path, rag_cli):
    result = rag_cli("--data-dir", tmp_path, "config", "--json", env={"RAG_TOP_K": "7", "RAG_DATA_DIR": "/elsewhere"})
    assert result.exit_code == 0
    values = json.loads(result.stdout)
    assert values["top_k"] == 7
    assert values["data_dir"] == str(tmp_path)  # the flag beats the env var


def test_bad_setting_is_a_one_line_error(rag_cli):
    result = rag_cli("config", env={"RAG_CHUNK_TOKENS": "5"})
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("error: ")
    assert "chunk_tokens" in result.stderr
    _no_traceback(result)


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_search_exits_2_with_a_message(seed_index, rag_cli, query):
    result = rag_cli("--data-dir", seed_index.data_dir, "search", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: ") and "empty" in first
    _no_traceback(result)


def test_search_without_a_query_is_a_usage_error(seed_index, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "search")
    assert result.exit_code == 2
    assert "QUERY" in result.stderr


@pytest.mark.parametrize("command", [["papers"], ["papers", "--json"], ["search", "anything"]])
def test_commands_without_an_index_hint_at_rag_ingest(tmp_path, rag_cli, command):
    empty = tmp_path / "no-index-here"
    result = rag_cli("--data-dir", empty, *command)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "rag ingest" in result.stderr
    _no_traceback(result)


def test_ingest_reports_what_it_did(mini, rag_cli):
    a = mini.listing("a.txt", ["tidal", "sourdough"])
    result = rag_cli("--data-dir", mini.settings.data_dir, "ingest", a)
    assert result.exit_code == 0, result.output
    assert "parsed: 2 distinct papers from 2 listings in 1 files" in result.stdout
    assert "index holds 2 papers" in result.stdout
    again = rag_cli("--data-dir", mini.settings.data_dir, "ingest", a)
    assert again.exit_code == 0
    assert "stored 0 (0 newly embedded)" in again.stdout


def test_ingest_shows_skipped_blocks(mini, rag_cli):
    path = mini.listing("a.txt", ["tidal"])
    path.write_text(path.read_text() + "\nA Dangling Title\n", encoding="utf-8")
    line = path.read_text().splitlines().index("A Dangling Title") + 1
    result = rag_cli("--data-dir", mini.settings.data_dir, "ingest", path)
    assert result.exit_code == 0, result.output
    assert "1 blocks skipped" in result.stdout
    assert f"skipped: a.txt:{line}:" in result.stderr


def test_ingest_reports_a_dropped_link_with_file_and_line(mini, rag_cli):
    path = mini.markdown("a.md", ["tidal"])
    path.write_text(path.read_text().replace("http://arxiv.org/abs/2305.00001v1", "javascript:alert(1)"), encoding="utf-8")
    line = path.read_text().splitlines().index("[Link to the paper](javascript:alert(1))") + 1
    result = rag_cli("--data-dir", mini.settings.data_dir, "ingest", path)
    assert result.exit_code == 0, result.output
    assert "1 links dropped" in result.stdout
    assert f"dropped link: a.md:{line}:" in result.stderr
    papers = rag_cli("--data-dir", mini.settings.data_dir, "papers", "--json").json_lines()
    assert [p["url"] for p in papers] == [None]


# ---------------------------------------------------------------- ask: long pastes and batches

QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"


def test_ask_on_a_long_paste_searches_the_question_in_it_and_cites_its_paper(seed_index, rag_cli):
    from test_paste import QLORA_QUESTION, training_log

    paste = training_log(steps=40)
    assert 4_800 <= len(paste) <= 6_000  # refused outright before pastes were allowed (4,000)
    result = rag_cli("--data-dir", seed_index.data_dir, "ask", "--answerer", "extractive", paste)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f'searched: "{QLORA_QUESTION}"'
    sources = result.stdout.split("Sources:", 1)[1]
    assert f"[1] {QLORA}" in sources


def test_ask_refuses_a_paste_over_20000_characters_with_a_hint(seed_index, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "ask", "x" * 19_990 + " which paper?")
    assert result.exit_code == 2
    assert result.stdout == ""
    error, hint = result.stderr.splitlines()[:2]
    assert error.startswith("error: ") and "20,003 characters" in error and "20,000" in error
    assert hint.startswith("hint: ")
    _no_traceback(result)


def test_ask_reads_one_question_per_line_and_reports_a_bad_line_without_stopping(seed_index, rag_cli):
    questions = ["How does QLoRA fine-tune a 65B model on a single GPU?", "", "Which paper surveys mixture of experts models?"]
    result = rag_cli("--data-dir", seed_index.data_dir, "ask", "--json", "--answerer", "extractive", "-",
                     input="\n".join(questions) + "\n\n")  # a blank line at the end is no question
    assert result.exit_code == 1, result.output  # one line failed
    rows = result.json_lines()
    assert len(result.stdout.splitlines()) == 3
    first, empty, third = rows
    assert first["question"] == questions[0] and first["searched_question"] is None
    assert QLORA in [c["title"] for c in first["citations"]]
    assert empty == {"question": "", "line": 2, "error": {"type": "QueryError", "message": "the question is empty",
                                                          "hint": "type a question or some search words"}}
    assert third["question"] == questions[2]
    assert MOE in [c["title"] for c in third["citations"]]
    assert set(first) == set(third)  # the schema of `rag ask --json`


def test_ask_batch_exits_0_when_every_line_is_answered(seed_index, rag_cli):
    result = rag_cli("--data-dir", seed_index.data_dir, "ask", "--answerer", "extractive", "-",
                     input="Which paper surveys mixture of experts models?\n")
    assert result.exit_code == 0, result.output
    assert f"[1] {MOE}" in result.stdout
    assert "exit code" in rag_cli("ask", "--help").stdout.casefold()


def test_eval_writes_its_report_under_the_current_directory_not_the_package(seed_index, rag_cli, tmp_path, monkeypatch):
    """Without --out, `rag eval` writes ./eval-out/<timestamp>/ (the installed package may not
    be writable, and reports do not belong in it)."""
    import eval as eval_package

    package_out = Path(eval_package.__file__).parent / "out"
    before = sorted(package_out.iterdir()) if package_out.exists() else []
    monkeypatch.chdir(tmp_path)
    result = rag_cli("--data-dir", seed_index.data_dir, "eval", "--answerer", "extractive", "--limit", "1", "--sets", "plain")
    assert result.exit_code == 0, result.output
    reports = list((tmp_path / "eval-out").glob("*/report.json"))
    assert len(reports) == 1, result.output
    assert f"wrote {reports[0].parent / 'report.md'}".replace(str(tmp_path) + "/", "") in result.stdout
    assert (sorted(package_out.iterdir()) if package_out.exists() else []) == before
    assert "./eval-out/<timestamp>" in " ".join(rag_cli("eval", "--help").stdout.split())


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is not None, reason="llama-cpp-python is installed here")
def test_the_local_answerer_without_llama_cpp_says_how_to_install_it(seed_index, rag_cli, tmp_path):
    """`make test` (and `make run`) leave the optional llama-cpp-python out: a user who points RAG_LOCAL_GGUF at a
    model is told what is missing and how to build it, not shown a traceback or an extractive answer."""
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    result = rag_cli("--data-dir", seed_index.data_dir, "ask", "--answerer", "local", "How does QLoRA work?",
                     env={"RAG_LOCAL_GGUF": str(model)})
    assert result.exit_code == 2
    assert "the local answerer needs llama-cpp-python" in result.stderr
    assert 'pip install ".[local]"' in result.stderr
