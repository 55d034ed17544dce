"""`rag compare` over the real seed index: which papers (every relevant one for a topic, exactly
the named ones for titles, and the named titles it could not find), which sentence goes in
which column, and the `rag compare` output around them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from eval.column_labels import assigned, load_batches, matches
from rag.compare import NOT_STATED, is_release
from rag.errors import QueryError

pytestmark = pytest.mark.usefixtures("no_network")

DATA = Path(__file__).resolve().parent.parent / "eval" / "data"
MULTI = {row["id"]: row for row in map(json.loads, filter(str.strip, (DATA / "multi.jsonl").read_text(encoding="utf-8").splitlines()))}
COMPARE_IDS = ["multi-001", "multi-006", "multi-007", "multi-010"]
PLEAS = "PLeaS -- Merging Models with Permutations and Least Squares"
UNCONSTRAINED = "Unconstrained Model Merging for Enhanced LLM Reasoning"
QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"
NOT_INDEXED = "A title that is not indexed"
NO_KEY_ENV = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "RAG_OPENAI_API_KEY": None,
              "RAG_OPENAI_BASE_URL": None, "RAG_ANSWERER": None, "RAG_LOCAL_GGUF": None}


@pytest.fixture
def cli(rag_cli, seed_index):
    def run(*args: str):
        result = rag_cli("--data-dir", seed_index.data_dir, *args, env=NO_KEY_ENV)
        assert "Traceback" not in result.output
        return result

    return run


def assert_cells_quote_their_row(comparison, seed_papers):
    assert [row.n for row in comparison.rows] == list(range(1, len(comparison.rows) + 1))
    assert comparison.columns == ("problem", "method", "data", "result")
    for row in comparison.rows:
        assert set(row.cells) == set(comparison.columns)
        abstract = seed_papers[row.paper.title].abstract
        for column, cell in row.cells.items():
            if cell.citation is None:
                assert cell.text == NOT_STATED
            else:
                assert cell.citation == row.n, (row.paper.title, column)
                assert cell.text in abstract, (row.paper.title, column, cell.text)
        quoted = [c.text for c in row.cells.values() if c.citation is not None]
        assert len(set(quoted)) == len(quoted)  # one sentence fills one column


# ---------------------------------------------------------------- a topic: every relevant paper


def test_a_topic_two_papers_fit_gets_those_two_and_at_most_one_more(assistant, seed_papers):
    # Of the 429 seed abstracts, two build vision-language-action models (grep "vision-language-action|VLA":
    # the other two hits are a survey naming VLA models in passing and "VLAP", a vision-to-LLM projector).
    # Relevance-sized: both, and no more than issue 14's bound of 1.5x the relevant papers (the
    # dev-chosen bar favours recall: a robot-learning paper near the topic may make a third row).
    comparison = assistant.compare("vision-language-action models for robotic manipulation")
    titles = {r.paper.title for r in comparison.rows}
    assert {"OpenVLA: An Open-Source Vision-Language-Action Model",
            "CogACT: A Foundational Vision-Language-Action Model for Synergizing Cognition and Action in Robotic Manipulation"} <= titles
    assert len(titles) <= 3
    assert comparison.not_found == ()
    assert_cells_quote_their_row(comparison, seed_papers)


def test_a_broad_topic_gets_every_relevant_paper_beyond_four(assistant, seed_papers):
    # 36 seed abstracts are about parameter-efficient fine-tuning: the old fixed 4 rows cut them short.
    comparison = assistant.compare("parameter-efficient fine-tuning of large language models")
    assert 4 < len(comparison.rows) <= 8
    texts = {row.paper.title: f"{row.paper.title} {seed_papers[row.paper.title].abstract}" for row in comparison.rows}
    for title, text in texts.items():  # every row is about tuning a model, none off topic
        assert re.search(r"fine-tun|\btuning\b|\badapt", text, re.I), title
    # and all but at most one say parameter-efficient (a near neighbour such as "Half Fine-Tuning",
    # which freezes half the parameters, may take the last row)
    peft = [t for t, text in texts.items() if re.search(r"parameter[- ]efficient|\bPEFT\b", text, re.I)]
    assert len(peft) >= len(texts) - 1, sorted(set(texts) - set(peft))
    assert len({r.paper.title for r in comparison.rows}) == len(comparison.rows)
    assert_cells_quote_their_row(comparison, seed_papers)


def test_a_topic_in_everyday_words_finds_the_papers_written_in_the_fields_term(assistant, seed_papers):
    # "choosing which examples … to fine-tune on" is what abstracts call data selection (or curation); in everyday
    # words the table held one such paper among an emulator, a runtime study and a byte-level model pool (dev-66).
    comparison = assistant.compare("choosing which examples from a large pool to fine-tune a language model on")
    selecting = [r.paper.title for r in comparison.rows
                 if re.search(r"data (?:selection|curation)|instruction mining|instruction-tuning data", r.paper.title, re.I)]
    assert len(selecting) >= 4, [r.paper.title for r in comparison.rows]
    assert any("everyday" in n or "abstracts use" in n for n in comparison.notes)
    assert_cells_quote_their_row(comparison, seed_papers)
    # ... and with several verbs, or "instruction-tuning examples" (dev-94, dev-97: the table held one such paper)
    for topic in ("choosing, filtering or cleaning which examples go into a language model's fine-tuning set",
                  "choosing which instruction-tuning examples to keep, so fine-tuning uses less but better data"):
        comparison = assistant.compare(topic)
        selecting = [r.paper.title for r in comparison.rows
                     if re.search(r"data (?:selection|curation)|instruction mining|instruction-tuning data", r.paper.title, re.I)]
        assert len(selecting) >= 3, (topic, [r.paper.title for r in comparison.rows])


@pytest.mark.parametrize("qid", COMPARE_IDS)
def test_compare_a_topic_quotes_each_rows_own_abstract(assistant, seed_papers, qid):
    row = MULTI[qid]
    comparison = assistant.compare(row["question"])
    titles = [r.paper.title for r in comparison.rows]
    assert set(row["gold"]) & set(titles)
    assert 1 <= len(titles) <= 8 and len(set(titles)) == len(titles)
    assert_cells_quote_their_row(comparison, seed_papers)
    assert any(c.citation for r in comparison.rows for c in r.cells.values())


# ---------------------------------------------------------------- named titles


@pytest.mark.parametrize("topic", [f"{PLEAS}; {UNCONSTRAINED}", f"{PLEAS} vs {UNCONSTRAINED}", f"{PLEAS}\n{UNCONSTRAINED}"])
def test_compare_named_titles_compares_exactly_those(assistant, seed_papers, topic):
    comparison = assistant.compare(topic)
    assert [r.paper.title for r in comparison.rows] == [PLEAS, UNCONSTRAINED]
    assert comparison.not_found == ()
    assert_cells_quote_their_row(comparison, seed_papers)


def test_a_named_title_that_is_not_indexed_is_reported_not_replaced(assistant, seed_papers):
    comparison = assistant.compare(f"{PLEAS}; {NOT_INDEXED}")
    assert [r.paper.title for r in comparison.rows] == [PLEAS]
    assert comparison.not_found == (NOT_INDEXED,)
    assert_cells_quote_their_row(comparison, seed_papers)


def test_a_title_with_typos_matches_and_a_similar_made_up_one_does_not(assistant):
    comparison = assistant.compare("unconstraned model merging for enhanced LLM reasonig; Merging Models with Permutations")
    assert [r.paper.title for r in comparison.rows] == [UNCONSTRAINED]
    assert comparison.not_found == ("Merging Models with Permutations",)


def test_a_short_name_matches_its_own_title_only(assistant):
    # "QLoRA" is the name before the colon of one title; "LoRA" is no title (and not "FLoRA: ...").
    comparison = assistant.compare("QLoRA vs LoRA")
    assert [r.paper.title for r in comparison.rows] == [QLORA]
    assert comparison.not_found == ("LoRA",)


def test_a_name_only_an_abstract_introduces_finds_that_paper_and_a_mentioned_one_is_not_found(assistant):
    """CoOp, MVLPT and SPG are named in their abstracts ("we propose Context Optimization (CoOp)", "namely
    Soft Prompt Generation (SPG)"), not in their titles' leads: "CoOp vs MVLPT vs SPG" compared eight other
    papers. LLM-Pruner is in no abstract; SquareHead is "an approach we term SquareHead"."""
    comparison = assistant.compare("CoOp vs MVLPT vs SPG")
    assert [r.paper.title for r in comparison.rows] == [
        "Learning to Prompt for Vision-Language Models", "Multitask Vision-Language Prompt Tuning",
        "Soft Prompt Generation for Domain Generalization"]
    assert comparison.not_found == ()
    pruners = assistant.compare("GBLM-Pruner vs LLM-Pruner vs SquareHead")
    assert len(pruners.rows) == 2 and pruners.rows[1].paper.title.startswith("Sparse Finetuning for Inference Acceleration")
    assert pruners.not_found == ("LLM-Pruner",)
    # A name several abstracts use but none introduces is reported, not matched to one that mentions it.
    assert assistant.compare("QLoRA vs DPO").not_found == ("DPO",)


def test_no_named_title_found_is_an_error_with_a_hint(assistant):
    with pytest.raises(QueryError) as info:
        assistant.compare(f"{NOT_INDEXED}; Another title nobody wrote")
    assert NOT_INDEXED in info.value.message
    assert info.value.hint


# ---------------------------------------------------------------- which sentence goes where

# Which sentences a reader accepts per column, in batches (eval/column_labels.json says who labelled each and
# what it shaped; `python -m eval.column_labels` prints the counts): DEV, HELD_OUT and FRESH chosen by reading
# seed abstracts; HELPER, HELPER_2 and HELPER_3 written by helpers from the abstracts alone.
BATCHES = load_batches()
LABELLED = BATCHES["DEV"] + BATCHES["HELD_OUT"] + BATCHES["FRESH"]
HELPERS = BATCHES["HELPER"] + BATCHES["HELPER_2"] + BATCHES["HELPER_3"]


def test_column_assignment_matches_a_reader_on_labelled_seed_sentences(seed_papers):
    right, wrong = matches(seed_papers, LABELLED)
    # The old greedy column order got 69 of these 92 (75%); the assignment gets all 92.
    assert right / len(LABELLED) >= 0.9, wrong


def test_column_assignment_on_abstracts_labelled_by_readers_who_never_saw_it(seed_papers):
    """The helpers' 240 labels, written from the abstracts alone: 74 of HELPER's 80, 64 of HELPER_2's 80 (half of the
    first and all of the second shaped cue changes) and 59 of HELPER_3's 80 (read once, after them): a floor."""
    right, wrong = matches(seed_papers, HELPERS)
    assert right / len(HELPERS) >= 0.78, wrong


def test_an_analysis_sentence_is_not_a_problem_statement(seed_papers):
    sentences, chosen = assigned(seed_papers, QLORA)
    problem = chosen["problem"]
    assert problem is None or not re.search(r"analysis|we find", sentences[problem], re.I)
    assert sentences[chosen["method"]].startswith("We present QLoRA")


@pytest.mark.parametrize("prefix, column, want", [
    ("Scaling Sparse Fine-Tuning to Large Language Models", "method", "We release the code for SFT"),
    ("RankGen: Improving Text Generation", "method", "We release our model checkpoints"),
    ("A Large Scale Search Dataset for Unbiased Learning to Rank", "data", "The Baidu-ULTR dataset and corresponding baseline implementation are available"),
])
def test_a_sentence_saying_where_the_code_is_fills_no_column(seed_papers, prefix, column, want):
    """"We release the code for SFT at https://…" was SFT's method, "… are available at https://…" Baidu-ULTR's
    data: where things are is no column's content; the column takes the paper's own sentence or says not stated."""
    sentences, chosen = assigned(seed_papers, prefix)
    assert any(s.startswith(want) for s in sentences)  # the release sentence is in the abstract
    assert chosen[column] is None or not sentences[chosen[column]].startswith(want)
    assert not any(i is not None and is_release(sentences[i]) for i in chosen.values())


def test_release_wording_inside_a_contribution_or_a_finding_is_not_a_release():
    assert is_release("Our code and dataset are available at: https://github.com/someone/project.")
    assert is_release("To facilitate future research, we make our datasets, code, and pretrained models publicly available.")
    assert not is_release("We release a benchmark of 5k questions covering 12 domains.")  # a contribution, counted
    assert not is_release("Experiments show that it outperforms prior methods.Code is available at https://x.github.io.")
    assert not is_release("While instruction-following resources are available in some domains, ours is the first dataset.")


# ---------------------------------------------------------------- the command


def test_compare_markdown_is_a_table_with_one_line_per_paper(cli):
    result = cli("compare", f"{PLEAS}; {UNCONSTRAINED}")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "| paper | problem | method | data | result |"
    assert re.fullmatch(r"\|(---\|){5}", lines[1])
    rows = [line for line in lines[2:] if line.startswith("|")]
    assert len(rows) == 2
    assert rows[0].startswith(f"| [1] {PLEAS} | ") and rows[1].startswith(f"| [2] {UNCONSTRAINED} | ")
    for line in rows:
        assert len(re.findall(r"(?<!\\)\|", line)) == 6  # five cells
    # Each paper's number maps back to its exact title below the table.
    assert any(line.startswith(f"[1] {PLEAS}") for line in lines[4:])
    assert any(line.startswith(f"[2] {UNCONSTRAINED}") for line in lines[4:])
    assert "not found" not in result.output


def test_compare_csv_parses_with_the_documented_header(cli, seed_papers):
    result = cli("compare", "--format", "csv", f"{PLEAS}; {UNCONSTRAINED}")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["n", "paper", "problem", "method", "data", "result"]
    assert [r[:2] for r in rows[1:]] == [["1", PLEAS], ["2", UNCONSTRAINED]]
    for n, title, *cells in rows[1:]:
        for cell in cells:
            if cell != NOT_STATED:
                assert cell.endswith(f" [{n}]")
                assert cell[: -len(f" [{n}]")] in seed_papers[title].abstract


def test_compare_json_matches_the_library(cli, assistant):
    topic = MULTI["multi-001"]["question"]
    result = cli("compare", "--json", topic)
    assert result.exit_code == 0, result.output
    (payload,) = result.json_lines()
    comparison = assistant.compare(topic)
    assert payload["topic"] == topic
    assert payload["columns"] == ["problem", "method", "data", "result"]
    assert [(r["n"], r["title"]) for r in payload["rows"]] == [(r.n, r.paper.title) for r in comparison.rows]
    for got, want in zip(payload["rows"], comparison.rows):
        assert got["cells"] == {c: {"text": want.cells[c].text, "citation": want.cells[c].citation} for c in comparison.columns}
    assert payload["not_found"] == []


def test_the_command_names_titles_it_could_not_find(cli):
    topic = f"{PLEAS}; {NOT_INDEXED}"
    md = cli("compare", topic)
    assert md.exit_code == 0, md.output
    assert f'not found: "{NOT_INDEXED}"' in md.stdout.splitlines()
    assert len([line for line in md.stdout.splitlines() if line.startswith("| [")]) == 1
    as_csv = cli("compare", "--format", "csv", topic)
    assert as_csv.exit_code == 0
    assert [r[1] for r in csv.reader(io.StringIO(as_csv.stdout))][1:] == [PLEAS]  # stdout stays one table
    assert f'not found: "{NOT_INDEXED}"' in as_csv.stderr
    (payload,) = cli("compare", "--json", topic).json_lines()
    assert payload["not_found"] == [NOT_INDEXED] and [r["title"] for r in payload["rows"]] == [PLEAS]


def test_the_command_refuses_when_no_named_title_is_indexed(cli):
    result = cli("compare", f"{NOT_INDEXED}; Another title nobody wrote")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "hint: " in result.stderr
    assert result.stdout == ""


def test_the_ui_says_which_named_titles_it_could_not_find(seed_engine, tmp_path, monkeypatch):
    pytest.importorskip("gradio")
    import socket

    from gradio_client import Client

    from ui.app import build_app

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = build_app(seed_engine)
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=str(tmp_path / "client"))
        chat, *_ = client.predict(f"{PLEAS}; {NOT_INDEXED}", [], "Compare", [], None, None, 5, api_name="/chat")
    finally:
        demo.close()
    content = [m for m in chat if m["role"] == "assistant"][-1]["content"]
    text = content if isinstance(content, str) else "".join(p.get("text", "") for p in content if p.get("type") == "text")
    assert "table below" in text and PLEAS.split(" -- ")[0] in text  # the table itself is below the chat (#comparison)
    assert "Not found in the index" in text and NOT_INDEXED in text


def test_a_topic_that_lists_its_parts_gets_a_row_for_each_parts_paper(assistant):
    """dev-115: "making fine-tuning cheaper on small hardware: low-rank weight projection, choosing which tensors to
    backpropagate, structured sparse fine-tuning" got one row, WeLore's: searched as one text, the topic finds the papers
    its head words favour. Each part searched alone finds its paper first by meaning and by words (rag.facets)."""
    from rag.facets import listed_parts

    assert listed_parts("model merging: permutations, Frank-Wolfe and sparse updates") == (
        "model merging", ["permutations", "Frank-Wolfe", "sparse updates"])
    assert listed_parts("Which papers use LoRA, and how do they differ?")[1] == []
    assert listed_parts("which papers make LLMs cheaper, by pruning, by quantization, or by distillation, and how?")[1] == [
        "pruning", "quantization", "distillation"]
    comparison = assistant.compare("making fine-tuning cheaper on small hardware: low-rank weight projection, choosing "
                                   "which tensors to backpropagate, structured sparse fine-tuning")
    titles = [r.paper.title for r in comparison.rows]
    assert any(t.startswith("From GaLore to WeLore") for t in titles), titles
    assert any(t.startswith("Towards Green AI in Fine-tuning") for t in titles), titles


def test_a_compare_table_says_which_row_each_listed_part_found(assistant):
    """The rows the listed parts find come first, and the table says which part found which row: a reader who listed
    three methods sees at once which of them the index has a paper for."""
    comparison = assistant.compare("making fine-tuning cheaper on small hardware: low-rank weight projection, choosing "
                                   "which tensors to backpropagate, structured sparse fine-tuning")
    note = next((n for n in comparison.notes if n.startswith("Each part you listed")), "")
    assert "“low-rank weight projection” [1]" in note and "“choosing which tensors to backpropagate” [2]" in note, comparison.notes
    assert comparison.rows[0].paper.title.startswith("From GaLore to WeLore")
    assert comparison.rows[1].paper.title.startswith("Towards Green AI in Fine-tuning")
    assert not any(n.startswith("Each part you listed") for n in assistant.compare("model editing").notes)
