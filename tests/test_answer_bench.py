"""eval.answer_bench is a view of the evaluation runner, not a second scorer: its numbers are
`rag eval`'s numbers for the same questions."""

from __future__ import annotations

import pytest

from eval import answer_bench
from eval.runner import run_eval, summarize

pytestmark = pytest.mark.usefixtures("no_network")


def test_the_answer_bench_reports_the_runners_numbers(seed_engine):
    # (the runner's records once: the bench's run() is report() over run_eval's records, and asking every question a
    # second time cost CI half a minute)
    records = run_eval(seed_engine, "extractive", list(answer_bench.SETS), limit=1, judge=False).records
    result = answer_bench.report(records, "extractive")
    expected = summarize(records, "ours", judged=False, answerer="extractive")
    assert result["answerer"] == "extractive"
    got = result["summary"]["ours"]
    for key in answer_bench.SUMMARY_KEYS:
        if key.startswith("ask_p"):
            continue  # wall times differ from run to run
        assert got[key] == expected.get(key), key
    assert {name: row["n"] for name, row in result["per_set"].items()} == {name: 1 for name in answer_bench.SETS}
    assert result["summary"]["baseline"]["abstention_abstain_recall"] == 0.0  # the naive pipeline never abstains
