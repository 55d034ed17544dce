"""The dev/test split of the question sets: fixed, balanced, and never reshuffled."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval import split
from eval.datasets import load_questions

ROOT = Path(__file__).resolve().parent.parent


def _records(n_named=7, n_described=6):
    return [{"id": f"q-{i:03d}", "type": "lookup", "style": "named" if i < n_named else "described"}
            for i in range(n_named + n_described)]


def test_each_kind_is_split_about_half_and_half_the_same_way_every_time():
    a, b = _records(), list(reversed(_records()))
    split.assign(a)
    split.assign(b)
    assert {r["id"]: r["split"] for r in a} == {r["id"]: r["split"] for r in b}  # file order does not matter
    for style, n in (("named", 7), ("described", 6)):
        dev = sum(1 for r in a if r["style"] == style and r["split"] == "dev")
        assert dev in (n // 2, (n + 1) // 2)


def test_a_record_that_has_a_split_keeps_it_and_new_ones_balance_around_it():
    recs = _records(n_named=6, n_described=0)
    for r in recs[:3]:
        r["split"] = "test"  # e.g. held-out questions written as test
    assert split.assign(recs) == 3
    assert [r["split"] for r in recs[:3]] == ["test"] * 3
    assert [r["split"] for r in recs[3:]] == ["dev"] * 3
    before = json.dumps(recs)
    assert split.assign(recs) == 0 and json.dumps(recs) == before


def test_every_shipped_record_has_a_split_and_load_questions_filters_on_it():
    assert subprocess.run([sys.executable, "eval/split.py", "--check"], cwd=ROOT, capture_output=True).returncode == 0
    every = load_questions("plain")
    dev, test = load_questions("plain", split="dev"), load_questions("plain", split="test")
    assert dev and test and len(dev) + len(test) == len(every) == len(load_questions("plain", split="all"))
    assert {q["id"] for q in dev}.isdisjoint(q["id"] for q in test)
    with pytest.raises(ValueError):
        load_questions("plain", split="train")
