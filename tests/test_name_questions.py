"""The dev-7 name lookups in eval/data are exactly what eval/make_name_questions.py writes from the
seeds (so they can be re-made and checked), and they are what a user types: a bare name."""

from __future__ import annotations

import json
from pathlib import Path

from eval.make_name_questions import _test_gold, abstract_names, make

DATA = Path(__file__).resolve().parent.parent / "eval" / "data"


def _committed(name: str) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r.get("origin") == "dev-7"]


def test_the_committed_name_questions_are_the_scripts_output(seed_engine):
    answerable, unanswerable = make(list(seed_engine.index.papers.values()))
    assert answerable == _committed("plain.jsonl")
    assert unanswerable == _committed("unanswerable.jsonl")


def test_name_questions_are_dev_only_and_never_about_a_test_paper():
    test_gold = _test_gold()
    records = _committed("plain.jsonl") + _committed("unanswerable.jsonl")
    assert len(records) == 40 and all(r["split"] == "dev" for r in records)
    assert not test_gold & {t for r in records for t in r["gold"]}
    for r in _committed("plain.jsonl"):  # the name the question asks is the one its paper's title opens with
        assert r["gold"][0].startswith(r["question"].split()[-1].rstrip("?") + ":")


def test_the_abstract_name_probe_asks_one_papers_names_with_digits_or_hyphens(seed_engine):
    """The probe behind eval/results/session48_name_probe.json: names like NF4 that one abstract brings, not GPT-4
    (many papers write it), not one-word names (NesyCD), not a name the paper only uses (DP-SGD)."""
    names = {name: paper.title for name, paper in abstract_names(list(seed_engine.index.papers.values()))}
    assert names["NF4"].startswith("QLoRA") and names["GLA-FR"].startswith("FedLoGe")
    assert not {"GPT-4", "NesyCD", "DP-SGD"} & set(names)
    assert all(not name.isalpha() for name in names)
