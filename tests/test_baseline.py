"""The naive baseline's retrieval is scored at 5 papers, like ours, while its answerer still
reads llama-index's default top-2 (issue 15): a gold paper at rank 3 is a hit at 5."""

from __future__ import annotations

import pytest

from eval.datasets import load_questions
from eval.runner import EvalRun

pytestmark = pytest.mark.usefixtures("no_network")

# Questions whose gold paper the naive retriever ranks 3rd-5th on the seeds (measured on an
# AVX2 EPYC; the int8 embedder moves ranks a little between CPUs, so the test keeps those
# still outside the top-2 and inside the top-5 here).
DEEP_GOLD = {"plain-062", "para-018", "para-029", "para-033", "para-041", "para-049"}


@pytest.fixture(scope="module")
def run(seed_engine):
    return EvalRun(seed_engine, "extractive", judge=False)


def test_the_baseline_ranks_five_papers_and_answers_from_the_default_two(run):
    q = load_questions("paraphrase")[0]
    answer = run.baseline.answer(q["question"], "extractive")
    assert len(answer.ranked) == 5 and len(set(answer.ranked)) == 5
    assert [s.paper for s in answer.sources] == answer.ranked[:2]  # what as_retriever() gives
    assert run.baseline.retrieve(q["question"])[0] == answer.ranked[:2]  # lookup and compare too


def test_a_gold_paper_ranked_past_two_counts_for_the_baselines_recall_at_5(run):
    records = [(name, q) for name in ("plain", "paraphrase") for q in load_questions(name) if q["id"] in DEEP_GOLD]
    assert len(records) == len(DEEP_GOLD)
    deep = 0
    for name, q in records:
        answer = run.baseline.answer(q["question"], "extractive")
        titles = [p.title for p in answer.ranked]
        if q["gold"][0] not in titles[2:]:
            continue
        deep += 1
        scores = run.run_question(name, q)["baseline"]["scores"]
        assert scores["recall@1"] == 0.0
        assert scores["recall@5"] == 1.0  # was 0.0: scored over the 2 answered papers only
        assert scores["gold_in_top5"] is True
        assert scores["mrr"] == pytest.approx(1 / (titles.index(q["gold"][0]) + 1))
    assert deep >= 3
