"""`python -m eval.retrieval_bench` reports the held-out test split with 95% bootstrap bands
(issue 15): a figure on 41 questions moves by ±0.15, and the README quotes it that way."""

from __future__ import annotations

import json

import pytest

from eval import retrieval_bench
from eval.datasets import load_questions

pytestmark = pytest.mark.usefixtures("no_network")


def test_the_bench_reports_the_test_split_with_a_band_on_every_figure(seed_index, tmp_path, capsys):
    out = tmp_path / "bench.json"
    retrieval_bench.main(["--data-dir", str(seed_index.data_dir), "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["split"] == "test"
    results = data["results"]
    for name in ("plain", "paraphrase", "near_miss", "multi"):
        test_ids = {q["id"] for q in load_questions(name, "test")}
        assert results[name]["hybrid"]["n"] == len(test_ids) < len(load_questions(name))
        assert set(results[name]["hybrid"]["missed@5"]) <= test_ids
    for by_method in results.values():
        for row in by_method.values():
            assert set(row["ci95"]) == {"recall@1", "recall@5", "recall@10", "mrr"}
            assert all(0.0 <= w <= 0.5 for w in row["ci95"].values())
    paraphrase = results["paraphrase"]["dense"]
    assert paraphrase["ci95"]["recall@5"] > 0.05  # ~40 questions: a real spread, not a point
    assert results["all_single"]["hybrid"]["n"] == sum(results[s]["hybrid"]["n"] for s in ("plain", "paraphrase", "near_miss"))
    printed = capsys.readouterr().out
    assert "split: test" in printed
    assert f"| paraphrase | dense | {paraphrase['n']} | {paraphrase['recall@1']:.2f} ± {paraphrase['ci95']['recall@1']:.2f} |" in printed


def test_the_dev_split_is_a_flag_away(seed_index, tmp_path):
    out = tmp_path / "dev.json"
    retrieval_bench.main(["--data-dir", str(seed_index.data_dir), "--split", "dev", "--sets", "near_miss", "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["split"] == "dev"
    assert set(data["results"]) == {"near_miss", "all_single"}  # only the set asked for
    assert data["results"]["near_miss"]["bm25"]["n"] == len(load_questions("near_miss", "dev"))


def test_an_unknown_set_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        retrieval_bench.main(["--sets", "near_miss,paraphrases"])
    assert exit_info.value.code == 2
    assert "paraphrases" in capsys.readouterr().err
