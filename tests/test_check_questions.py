"""eval/check_questions.py rejects question records that would make the eval lie."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))
import check_questions as cq  # noqa: E402

QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"
TITANS = "Titans: Learning to Memorize at Test Time"


@pytest.fixture(scope="module")
def papers():
    return cq.load_papers()[0]


def _problems(tmp_path, papers, name, rec):
    path = tmp_path / name
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return cq.check_file(str(path), papers, {})[1]


def test_a_record_without_a_split_or_a_heldout_record_in_dev_is_rejected(tmp_path, papers):
    rec = {"id": "x-1", "type": "plain", "question": "How does QLoRA save memory?", "gold": [QLORA]}
    assert any("split" in v for v in _problems(tmp_path, papers, "plain.jsonl", rec))
    assert not _problems(tmp_path, papers, "plain.jsonl", {**rec, "split": "dev"})
    assert any("held-out" in v for v in _problems(tmp_path, papers, "plain.jsonl", {**rec, "split": "dev", "origin": "heldout-1"}))


def test_answer_facts_must_be_in_the_gold_abstract(tmp_path, papers):
    rec = {"id": "x-2", "type": "plain", "question": "How does QLoRA save memory?", "gold": [QLORA], "split": "test"}
    assert not _problems(tmp_path, papers, "plain.jsonl", {**rec, "answer_facts": ["double quantization"]})
    assert any("answer fact" in v for v in _problems(tmp_path, papers, "plain.jsonl", {**rec, "answer_facts": ["8-bit Adam"]}))


def test_a_long_paste_may_be_long_but_must_contain_its_question(tmp_path, papers):
    asked = "Which paper finetunes a 65B model on a single 48GB GPU?"
    paste = "log line\n" * 1500 + asked
    rec = {"id": "x-3", "type": "long_paste", "question": paste, "asked": asked, "gold": [QLORA], "split": "test"}
    assert len(paste) > cq.MAX_QUERY_CHARS and not _problems(tmp_path, papers, "paste.jsonl", rec)
    assert any("asked" in v for v in _problems(tmp_path, papers, "paste.jsonl", {**rec, "asked": "What is QLoRA?"}))
    assert any("at least" in v for v in _problems(tmp_path, papers, "paste.jsonl", {**rec, "question": asked}))
    assert any("longer than" in v for v in _problems(tmp_path, papers, "paste.jsonl", {**rec, "question": "x " * 10_001 + asked}))


def test_compare_not_found_titles_must_really_be_missing(tmp_path, papers):
    rec = {"id": "x-4", "type": "compare", "topic": f"{QLORA}; DoRA", "gold": [QLORA], "not_found": ["DoRA"], "split": "test"}
    assert not _problems(tmp_path, papers, "compare.jsonl", rec)
    wrong = {**rec, "topic": f"{QLORA}; {TITANS}", "not_found": [TITANS]}
    assert any("in the corpus" in v for v in _problems(tmp_path, papers, "compare.jsonl", wrong))
    assert any("2-6 gold" in v for v in _problems(tmp_path, papers, "compare.jsonl", {**rec, "not_found": []}))


def test_partial_missing_name_must_be_absent_from_every_abstract(tmp_path, papers):
    rec = {"id": "x-5", "type": "partial", "question": "How does QLoRA compare with DoRA?", "gold": [QLORA],
           "missing": ["DoRA"], "split": "test"}
    assert not _problems(tmp_path, papers, "partial.jsonl", rec)
    assert any("mentioned in the corpus" in v for v in _problems(tmp_path, papers, "partial.jsonl", {**rec, "missing": ["Guanaco"]}))


def test_followup_needs_its_history(tmp_path, papers):
    rec = {"id": "x-6", "type": "followup", "question": "and what data?", "gold": [QLORA], "split": "test"}
    assert any("history" in v for v in _problems(tmp_path, papers, "followup.jsonl", rec))
    assert not _problems(tmp_path, papers, "followup.jsonl", {**rec, "history": ["What is QLoRA?"]})


def test_every_shipped_set_passes():
    assert cq.main([]) == 0
