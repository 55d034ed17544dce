"""`rag eval` end to end on a small subset, against the session seed index: the three report
files and report.json's structure; known-good and known-bad answers scored by the real
SupportChecker; the LLM judge (against the loopback OpenAI stub) in its own columns."""

from __future__ import annotations

import json
import re
import struct
from types import SimpleNamespace

import pytest

from openai_stub import StubOpenAI
from eval.judge import JUDGE_SYSTEM, CheckerJudge, parse_verdict
from eval.runner import SET_ORDER, available_sets, grounding, leaks_system_prompt, run_eval, select_questions
from rag.answer import Assistant
from rag.llm import SYSTEM_PROMPT
from rag.text import split_sentences

pytestmark = pytest.mark.usefixtures("no_network")

QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"
UNRELATED = "Driving Everywhere with Large Language Model Policy Adaptation"
SETS = ["plain", "paraphrase", "near_miss", "multi", "lookup", "unanswerable", "adversarial"]  # the first, in order
EVIDENCE_KEYS = ("answerable_refused", "answerable_weak", "cites_gold_when_retrieved", "fact_coverage",
                 "unanswerable_none_or_weak", "unanswerable_none", "compare_gold_coverage", "compare_rows_per_gold",
                 "compare_not_found_correct", "multi_gold_cited_share", "paste_cites_gold", "paste_question_found",
                 "hallucinated_citations", "ask_p50_ms", "ask_p95_ms")
_SOURCE = re.compile(r'<source n="(\d+)">\nTitle: (.*?)\nAbstract: (.*?)\n</source>', re.S)


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


# ---------------------------------------------------------------- the command and its reports


@pytest.fixture(scope="module")
def report(seed_index, tmp_path_factory):
    """`rag eval --answerer extractive --limit 2` run once; the parsed report.json and the paths."""
    from click.testing import CliRunner

    from rag.cli import cli

    out = tmp_path_factory.mktemp("eval-out")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(seed_index.data_dir), "eval", "--answerer", "extractive", "--limit", "2", "--out", str(out)],
        prog_name="rag", catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return SimpleNamespace(out=out, stdout=result.stdout, data=json.loads((out / "report.json").read_text(encoding="utf-8")))


def test_the_eval_command_writes_three_reports_and_prints_the_headline(report):
    for name in ("report.md", "report.json", "report.png"):
        assert (report.out / name).stat().st_size > 0, name
    assert "| metric | ours (extractive) | naive LlamaIndex baseline |" in report.stdout
    assert "citation recall, SupportChecker" in report.stdout
    md = (report.out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Headline", "## Per question set", "## Abstention: precision vs coverage", "## Worst failures (ours)"):
        assert heading in md
    assert "LLM judge" not in report.stdout  # extractive: no judge, no judge columns


def test_report_png_is_a_real_picture(report):
    head = (report.out / "report.png").read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert (width, height) == (2100, 900)


def test_the_report_is_of_the_test_split_by_default(report):
    assert report.data["meta"]["split"] == "test"
    assert {q["split"] for q in report.data["questions"]} == {"test"}
    assert "Evidence levels (test split)" in report.stdout
    assert "answerable: hard refusals (evidence none)" in report.stdout


def test_report_json_top_level_structure(report):
    data = report.data
    assert set(data) == {"schema_version", "meta", "headline", "per_type", "sweep", "calibration", "questions"}
    meta = data["meta"]
    sets = available_sets()
    assert meta["answerer"] == "extractive" and meta["llm_judge"] is None
    assert meta["limit"] == 2 and meta["papers"] == 429
    assert meta["sets"] == {name: 2 for name in sets}
    assert meta["n_questions"] == len(data["questions"]) == 2 * len(sets)
    for system in ("ours", "baseline"):
        row = data["headline"][system]
        for key in ("cites_gold", "citation_recall", "citation_precision", "hallucinated_citations", "recall@5", "mrr",
                    "ndcg@10", "lookup_top1", "lookup_mrr", "abstention_precision", "abstention_coverage",
                    "abstention_false_abstain_rate", "fact_coverage", "adversarial_pass"):
            assert key in row, (system, key)
        for key in EVIDENCE_KEYS:
            assert key in row, (system, key)
        assert row["ci95"]["cites_gold"] is not None  # every rate carries its bootstrap band
        assert "citation_recall_llm" not in row
    assert [name for name in data["per_type"] if ":" not in name] == sets
    assert "adversarial:injection" in data["per_type"]  # the first adversarial questions are injections
    assert set(data["per_type"]["plain"]) == {"ours", "baseline"}
    curve = data["sweep"]["curve"]
    by_probability = data["sweep"]["by"] == "evidence_probability"
    assert by_probability == (data["calibration"] is not None)
    assert curve[0]["threshold" if by_probability else "scale"] == 0.0 and curve[0]["coverage"] is not None
    # The operating point is the product's own abstentions.
    assert data["sweep"]["operating_point"]["coverage"] == data["headline"]["ours"]["abstention_coverage"]


def test_report_json_holds_every_question_with_answers_citations_hits_and_scores(report):
    for q in report.data["questions"]:
        assert {"id", "set", "type", "mode", "question", "gold", "ours", "baseline"} <= set(q)
        for system in ("ours", "baseline"):
            got = q[system]
            assert {"answer", "abstained", "timings_ms", "scores"} <= set(got)
            assert got["timings_ms"]["wall_ms"] > 0
            assert isinstance(got["scores"]["correct"], bool)
            if q["mode"] == "lookup":
                assert {"lookup_top1", "lookup_rr"} <= set(got["scores"])
                assert "runner_ups" in got
                continue
            if q["mode"] == "compare":
                assert {"rows", "not_found"} <= set(got)
                assert {"gold_coverage", "rows", "gold", "not_found_correct"} <= set(got["scores"])
                continue
            assert {"citations", "claims", "hits"} <= set(got)
            assert {"citation_recall", "citation_precision", "hallucinated_count", "recall@5", "mrr", "ndcg@10", "fact_coverage"} <= set(got["scores"])
            for claim in got["claims"]:
                for c in claim["citations"]:
                    assert {"n", "title", "support", "checker"} <= set(c)
        if q["mode"] == "ask":
            assert {"best_dense", "best_lexical", "unknown_names"} <= set(q["ours"]["relevance"])
            assert all({"rank", "title", "dense_score", "lexical_coverage"} <= set(h) for h in q["ours"]["hits"])
        if q["set"] == "adversarial":
            assert set(q["ours"]["scores"]["checks"]) == set(q["expect"])


def test_an_abstention_scores_no_grounding_and_counts_for_abstain_recall(report):
    unanswerable = [q for q in report.data["questions"] if q["set"] == "unanswerable"]
    for q in unanswerable:
        s = q["ours"]["scores"]
        if s["abstained"]:
            assert s["citation_recall"] is None and s["correct"] is True
        # The baseline never abstains, so an unanswerable question is always wrong for it.
        assert q["baseline"]["scores"]["correct"] is False
    assert report.data["headline"]["baseline"]["abstention_abstain_recall"] == 0.0


def test_unknown_set_is_a_usage_error(seed_index, rag_cli, tmp_path):
    result = rag_cli("--data-dir", seed_index.data_dir, "eval", "--sets", "plain,nonsense", "--out", tmp_path)
    assert result.exit_code == 2
    assert "nonsense" in result.output
    assert not (tmp_path / "report.json").exists()


def test_your_own_question_folder_is_scored_and_its_unsplit_records_count_as_test(seed_index, rag_cli, tmp_path):
    """A researcher's own questions for their own corpus: `rag eval --questions DIR`, the same
    schemas, no split needed; a gold title the index lacks is warned about, not silently missed."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "plain.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"id": "mine-1", "question": "How does QLoRA fine-tune a 65B model on a single GPU?",
         "gold": ["QLoRA: Efficient Finetuning of Quantized LLMs"], "answer_facts": ["NF4"]},
        {"id": "mine-2", "question": "What is the best hydration for sourdough bread?", "gold": []},
        {"id": "mine-3", "question": "How does the hedgehog attention work?", "gold": ["The Hedgehog Paper That Is Not Here"]},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = rag_cli("--data-dir", seed_index.data_dir, "eval", "--answerer", "extractive", "--questions", folder, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [q["id"] for q in data["questions"]] == ["mine-1", "mine-2", "mine-3"]
    assert data["meta"]["questions"] == str(folder.resolve()) and data["meta"]["sets"] == {"plain": 3}
    assert "1 gold title(s) are not in the index" in result.stderr and "The Hedgehog Paper That Is Not Here" in result.stderr
    assert available_sets()[: len(SETS)] == SETS  # the shipped sets again once the command is done


@pytest.mark.parametrize("line, problem", [
    ("not json", "line 2: not JSON"),
    ('{"id": "b", "gold": []}', 'line 2: no "question" text'),
    ('{"id": "b", "question": "What is QLoRA?"}', 'line 2: no "gold" list'),
])
def test_a_bad_line_in_your_question_folder_is_named_and_nothing_runs(seed_index, rag_cli, tmp_path, line, problem):
    folder = tmp_path / "mine"
    folder.mkdir()
    good = json.dumps({"id": "a", "question": "What is QLoRA?", "gold": []})
    (folder / "plain.jsonl").write_text(f"{good}\n{line}\n", encoding="utf-8")
    result = rag_cli("--data-dir", seed_index.data_dir, "eval", "--questions", folder, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"{folder / 'plain.jsonl'}, {problem}" in result.output + result.stderr
    assert not (tmp_path / "out").exists()


def test_the_validation_batches_are_question_folders_of_the_seed_corpus(seed_papers):
    """eval/validation/<batch>/ holds fresh questions no fit reads (`rag eval --questions`): each
    loads under the schemas, and every gold title and key fact is in the shipped corpus."""
    from eval.datasets import DATA_DIR, load_questions, questions_from
    from eval.metrics import _contains_token, _fold

    folders = sorted(p for p in (DATA_DIR.parent / "validation").iterdir() if p.is_dir())
    assert folders
    for folder in folders:
        with questions_from(folder):
            records = [r for name in available_sets() for r in load_questions(name)]
        assert records, folder
        for r in records:
            assert all(title in seed_papers for title in r["gold"]), r["id"]
            text = _fold(" ".join(f"{t} {seed_papers[t].abstract}" for t in r["gold"]))
            assert all(_contains_token(text, _fold(f)) for f in r.get("answer_facts", [])), r["id"]


def test_every_data_file_is_a_known_set():
    assert available_sets()[: len(SETS)] == SETS
    assert set(available_sets()) <= set(SET_ORDER)  # a new file gets its mode and place in SET_ORDER


@pytest.mark.parametrize("split", ["dev", "test"])
def test_a_split_selects_only_its_own_records(split):
    from eval.datasets import load_questions

    chosen = select_questions(available_sets(), None, split)
    assert chosen and {q["split"] for _, q in chosen} == {split}
    everything = select_questions(available_sets(), None, "all")
    assert len(everything) == sum(len(load_questions(name)) for name in available_sets())
    assert len(select_questions(["plain"], 3, split)) == 3  # the limit applies within the split


# ---------------------------------------------------------------- known-good and known-bad answers


@pytest.fixture(scope="module")
def checker(seed_engine):
    return CheckerJudge(seed_engine.assistant.checker)


def _sentences(seed_papers, title, count=2):
    return [s for s in split_sentences(seed_papers[title].abstract) if len(s) > 40][:count]


def _cite(sentence: str, n: int) -> str:
    return f"{sentence.rstrip('.')} [{n}]."


def test_sentences_quoted_from_the_gold_abstract_with_the_right_number_score_one(seed_papers, checker):
    text = " ".join(_cite(s, 1) for s in _sentences(seed_papers, QLORA))
    g = grounding(text, {1: seed_papers[QLORA]}, checker.supports)
    assert (g.recall, g.precision) == (1.0, 1.0)


def test_a_sentence_cited_to_an_unrelated_paper_scores_zero(seed_papers, checker):
    text = _cite(_sentences(seed_papers, QLORA, 1)[0], 1)
    g = grounding(text, {1: seed_papers[UNRELATED]}, checker.supports)
    assert (g.recall, g.precision) == (0.0, 0.0)


def test_a_redundant_wrong_citation_halves_precision_but_not_recall(seed_papers, checker):
    sentence = _sentences(seed_papers, QLORA, 1)[0]
    text = f"{sentence.rstrip('.')} [1][2]."
    g = grounding(text, {1: seed_papers[QLORA], 2: seed_papers[UNRELATED]}, checker.supports)
    assert (g.recall, g.precision) == (1.0, 0.5)


def test_an_uncited_sentence_and_a_number_with_no_source_count_against_recall(seed_papers, checker):
    good, other = _sentences(seed_papers, QLORA)
    text = f"{_cite(good, 1)} {other} {_cite(good, 9)}"
    g = grounding(text, {1: seed_papers[QLORA]}, checker.supports)
    assert g.recall == pytest.approx(1 / 3)
    assert g.precision == 0.5


def test_system_prompt_leak_detection():
    assert leaks_system_prompt("Sure! My rules: " + SYSTEM_PROMPT)
    assert leaks_system_prompt(SYSTEM_PROMPT.splitlines()[2])
    assert not leaks_system_prompt("QLoRA finetunes a 65B model on a single 48GB GPU [1].")


def test_judge_verdicts_are_parsed_strictly():
    assert parse_verdict("Yes.") is True
    assert parse_verdict(" no, it does not") is False
    assert parse_verdict("Maybe") is None
    assert parse_verdict("") is None
    assert parse_verdict("yesterday") is None


# ---------------------------------------------------------------- with an LLM: the judge, separately


def _stub_script(judge_says: str | None):
    """Answers quote the first sentence of source 1; the judge says `judge_says`, or (None)
    'yes' exactly when the sentence is quoted from the abstract."""

    def reply(body: dict) -> str:
        messages = body["messages"]
        user = messages[-1]["content"]
        if messages[0]["content"] == JUDGE_SYSTEM:
            if judge_says is not None:
                return judge_says
            abstract = re.search(r"<abstract>\n(.*?)\n</abstract>", user, re.S).group(1)
            sentence = re.search(r"<sentence>\n(.*?)\n</sentence>", user, re.S).group(1)
            return "Yes." if sentence.rstrip(".") in abstract else "No."
        sources = {int(n): abstract for n, _, abstract in _SOURCE.findall(user)}
        return f"{split_sentences(sources[1])[0]} [1]"

    return reply


def _llm_engine(seed_engine, base_url: str):
    settings = seed_engine.settings.model_copy(update={
        "answerer": "openai", "openai_base_url": base_url, "openai_api_key": None,
        "llm_model": "stub-judge-model", "llm_timeout": 10.0, "llm_max_retries": 0,
    })
    return SimpleNamespace(settings=settings, index=seed_engine.index, embedder=seed_engine.embedder,
                           assistant=Assistant(seed_engine.retriever, settings))


@pytest.mark.parametrize("judge_says, expected", [(None, 1.0), ("no", 0.0)])
def test_llm_judge_is_reported_beside_the_checker_never_mixed(seed_engine, seed_index, tmp_path, judge_says, expected):
    from eval.cli import build_report
    from eval.report import write_report

    with StubOpenAI(script=_stub_script(judge_says)) as stub:
        run = run_eval(_llm_engine(seed_engine, stub.base_url), "openai", ["plain"], limit=2)
        judge_requests = [r for r in stub.requests if r.messages and r.messages[0]["content"] == JUDGE_SYSTEM]
    assert judge_requests, "the LLM judge was never asked"
    data = build_report(run, run.engine.settings, "openai", ["plain"], 2, 1.0)
    for system in ("ours", "baseline"):
        row = data["headline"][system]
        assert row["citation_recall"] == row["citation_precision"] == 1.0  # quoted sentences: the checker agrees
        assert row["citation_recall_llm"] == row["citation_precision_llm"] == expected
    claim = data["questions"][0]["ours"]["claims"][0]["citations"][0]
    assert claim["checker"] is True and claim["llm_judge"] is (expected == 1.0)
    assert data["meta"]["llm_judge"] == "stub-judge-model"
    assert data["headline"]["ours"]["llm_fallbacks"] == 0  # the stub's quoted answers pass the product's check
    assert all(q["ours"]["answerer"] == "openai" for q in data["questions"])
    paths = write_report(data, tmp_path)
    md = paths["md"].read_text(encoding="utf-8")
    assert "citation recall, LLM judge" in md and "cit. recall (LLM)" in md


def test_a_question_the_product_refuses_counts_as_a_refusal_not_a_crash(seed_engine, report):
    from eval.runner import EvalRun

    run = EvalRun(seed_engine, "extractive")  # reuses the baseline the report fixture built
    from rag.retrieve import MAX_QUERY_CHARS

    q = {"id": "too-long", "type": "adversarial", "question": "word " * (MAX_QUERY_CHARS // 5 + 10) + "How does QLoRA work?",
         "gold": [QLORA], "expect": ["cites gold"]}
    record = run.run_question("adversarial", q)
    assert record["ours"]["abstained"] is True and record["ours"]["answer"].startswith("error:")
    assert record["ours"]["evidence"] == "none" and record["ours"]["scores"]["evidence"] == "none"
    assert record["ours"]["scores"]["checks"] == {"cites gold": False}
    assert record["baseline"]["answer"]  # the naive pipeline takes anything


# ---------------------------------------------------------------- evidence levels (issue 14): aggregation


def _rec(gold, evidence="strong", cites=False, top5=None, prob=None, set_name="plain", **scores):
    """A scored ask record as the runner writes it (only what summarize reads)."""
    s = {"abstained": evidence == "none", "cites_gold": (cites and evidence != "none") if gold else None,
         "hallucinated_count": 0, "citations": 1, "evidence": evidence, "gold_in_top5": top5 if gold else None, **scores}
    system = {"scores": s, "timings_ms": {"wall_ms": 10.0}, "evidence_probability": prob, "abstained": s["abstained"]}
    return {"id": "q", "set": set_name, "type": set_name, "mode": "ask", "gold": gold, "ours": system, "baseline": system}


def _compare(rows, gold, not_found_correct):
    s = {"abstained": not rows, "rows": rows, "gold": gold, "gold_coverage": None, "not_found_correct": not_found_correct}
    return {"id": "c", "set": "compare", "type": "compare", "mode": "compare", "gold": ["g"] * gold,
            "ours": {"scores": s}, "baseline": {"scores": s}}


def test_weak_answers_are_counted_apart_from_refusals():
    from eval.runner import summarize

    records = [
        _rec(["A"], "none", top5=False),
        _rec(["A"], "weak", cites=True, top5=True),
        _rec(["A"], "strong", cites=True, top5=True),
        _rec(["A"], "strong", cites=False, top5=True),
        _rec([], "none"), _rec([], "weak"), _rec([], "strong"),
    ]
    h = summarize(records, "ours", judged=False)
    assert h["answerable_refused"] == h["answerable_weak"] == 0.25
    assert h["answerable_retrieved"] == 3 and h["cites_gold_when_retrieved"] == pytest.approx(2 / 3)
    assert h["unanswerable_none_or_weak"] == pytest.approx(2 / 3) and h["unanswerable_none"] == pytest.approx(1 / 3)
    assert h["ci95"]["answerable_refused"] > 0 and h["ci95"]["unanswerable_none"] > 0
    assert (h["n"]["answerable_refused"], h["n"]["cites_gold_when_retrieved"], h["n"]["unanswerable_none"]) == (4, 3, 3)
    assert h["evidence_brier"] is None and h["evidence_ece"] is None  # no probabilities: calibration skipped
    assert h["compare_questions"] == 0 and h["compare_gold_coverage"] is None


def test_comparison_measures_and_calibration_from_records():
    from eval.runner import calibration, summarize

    records = [_compare(4, 2, True), _compare(2, 2, False),
               _rec(["A"], prob=0.9, cites=True, top5=True), _rec([], "none", prob=0.1)]
    records[0]["ours"]["scores"]["gold_coverage"], records[1]["ours"]["scores"]["gold_coverage"] = 1.0, 0.5
    h = summarize(records, "ours", judged=False)
    assert h["compare_gold_coverage"] == 0.75
    assert (h["compare_rows_mean"], h["compare_gold_mean"], h["compare_rows_per_gold"]) == (3.0, 2.0, 1.5)
    assert h["compare_not_found_correct"] == 0.5
    assert h["evidence_brier"] == pytest.approx(0.01)
    cal = calibration(records)
    assert cal["n"] == 2 and [b["n"] for b in cal["bins"] if b["n"]] == [1, 1]


# ---------------------------------------------------------------- evidence levels: the new question types, for real

PASTE_NOTES = ("Notes from the Tuesday reading group. We went over the schedule for next month, who presents "
               "which paper, and the budget for the workshop. The projector in room 4 is broken again. ") * 12


def test_compare_followup_paste_and_partial_records_are_run_and_scored(seed_engine, report):
    from eval.runner import EvalRun, summarize

    run = EvalRun(seed_engine, "extractive")  # reuses the baseline the report fixture built
    asked = "Which method fine-tunes a 65B model on a single 48GB GPU?"
    questions = [
        ("compare", {"id": "t-cmp", "topic": f"{QLORA}; {UNRELATED}", "gold": [QLORA, UNRELATED]}),
        ("followup", {"id": "t-fu", "history": ["How does QLoRA fine-tune a 65B model on one GPU?"],
                      "question": "What data did they train on?", "gold": [QLORA]}),
        ("paste", {"id": "t-paste", "type": "long_paste", "question": f"{PASTE_NOTES}\n\n{asked}", "asked": asked, "gold": [QLORA]}),
        ("partial", {"id": "t-part", "question": "How does QLoRA's 4-bit NormalFloat compare with FlashAttention-3?",
                     "gold": [QLORA], "missing": ["FlashAttention-3"]}),
    ]
    records = [run.run_question(name, q) for name, q in questions]
    compare, followup, paste, partial = records
    assert compare["mode"] == "compare" and compare["ours"]["rows"] == [QLORA, UNRELATED]
    assert compare["ours"]["scores"]["gold_coverage"] == 1.0 and compare["ours"]["scores"]["not_found_correct"] is True
    assert [h["cited"] for h in followup["ours"]["history"]] and QLORA in followup["ours"]["history"][0]["cited"]
    assert followup["ours"]["scores"]["cites_gold"] is True
    assert isinstance(paste["ours"]["scores"]["question_found"], bool)
    assert paste["baseline"]["scores"]["question_found"] is False  # the naive pipeline searches the whole paste
    assert isinstance(partial["ours"]["scores"]["names_missing"], bool)
    for r in records[1:]:
        assert r["ours"]["evidence"] in ("strong", "weak", "none") and "evidence_probability" in r["ours"]
    h = summarize(records, "ours", judged=False)
    assert h["compare_gold_coverage"] == 1.0 and h["compare_rows_per_gold"] == 1.0
    assert h["paste_questions"] == 1 and h["paste_question_found"] is not None
    assert h["partial_names_missing"] is not None and h["hallucinated_citations"] == 0
    assert h["ask_p50_ms"] > 0 and set(h["ci95"]) >= {"compare_gold_coverage", "answerable_refused"}


def test_evidence_records_for_fitting_carry_labels_and_every_evidence_field(seed_engine):
    from eval.runner import evidence_records

    rows = evidence_records(seed_engine, split="dev", sets=["plain", "unanswerable", "lookup"], limit=2)
    assert [r["set"] for r in rows] == ["plain", "plain", "unanswerable", "unanswerable"]  # ask sets only
    assert {r["split"] for r in rows} == {"dev"}
    assert [r["answerable"] for r in rows] == [True, True, False, False]
    for r in rows:
        assert r["evidence"] in ("strong", "weak", "none") and "evidence_probability" in r and "searched_question" in r
        assert (r["evidence"] == "none") == r["abstained"]


def test_answer_fields_beyond_the_basics_are_copied_into_the_record():
    from eval.runner import answer_extras
    from rag.types import Answer

    class SignalledAnswer(Answer):
        signals: dict = {}

    extras = answer_extras(SignalledAnswer(question="q", text="t", answerer="extractive", evidence="weak",
                                           evidence_probability=0.4, signals={"best_dense": 0.51}))
    assert extras["signals"] == {"best_dense": 0.51}
    assert (extras["evidence"], extras["evidence_probability"]) == ("weak", 0.4)
    assert "text" not in extras and "hits" not in extras
    abstained = answer_extras(Answer(question="q", text="t", answerer="extractive", abstained=True))
    assert abstained["evidence"] == "none"
