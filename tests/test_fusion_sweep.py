"""`python -m eval.fusion_sweep` is how LEXICAL_FLOOR and SECOND_WEIGHT were chosen on the dev
split; the shipped floor must still be what the sweep says: no worse at rank 1 than no floor,
and no set's recall@5 lower."""

from __future__ import annotations

import pytest

from eval import fusion_sweep
from eval.datasets import load_questions
from rag.retrieve import LEXICAL_FLOOR

pytestmark = pytest.mark.usefixtures("no_network")


def test_the_shipped_bm25_floor_is_what_the_dev_sweep_supports(seed_index, capsys):
    fusion_sweep.main(["--data-dir", str(seed_index.data_dir), "--floors", f"0,{LEXICAL_FLOOR}"])
    printed = capsys.readouterr().out
    assert printed.startswith("dev split, hybrid search")
    rows = {}
    for line in printed.splitlines():
        if line.startswith("| floor "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = [tuple(float(x) for x in c.split(" / ")) for c in cells[1:]]
    none, shipped = rows["floor 0"], rows[f"floor {LEXICAL_FLOOR}"]
    assert len(shipped) == len(fusion_sweep.SETS) + 1
    assert shipped[-1][0] >= none[-1][0]  # pooled recall@1
    assert all(s[1] >= n[1] for s, n in zip(shipped, none))  # recall@5, every set


def test_weights_need_an_index_with_both_embedders(seed_index):
    with pytest.raises(SystemExit) as exit_info:
        fusion_sweep.main(["--data-dir", str(seed_index.data_dir), "--weights", "1,2"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("gates", ["0.2", "0.5:0.2", "low:high"])
def test_a_malformed_gate_is_a_usage_error(seed_index, gates, capsys):
    with pytest.raises(SystemExit) as exit_info:
        fusion_sweep.main(["--data-dir", str(seed_index.data_dir), "--gates", gates])
    assert exit_info.value.code == 2
    assert "--gates" in capsys.readouterr().err


def test_the_sweep_pools_every_dev_question_with_a_gold_paper(seed_engine):
    results = fusion_sweep.sweep(seed_engine, {"shipped": seed_engine.retriever}, "hybrid", "dev")["shipped"]
    assert set(results) == {*fusion_sweep.SETS, "all"}
    assert all(0.0 <= r1 <= 1.0 and 0.0 <= r5 <= 1.0 for r1, r5 in results.values())
    plain = load_questions("plain", "dev")  # the plain set reuses papers' own words: nearly all found
    assert results["plain"][1] >= 0.9 and len(plain) > 10


def test_the_shipped_paper_mean_weight_is_not_worse_than_best_chunk_alone_on_dev(seed_index, capsys):
    """PAPER_MEAN_WEIGHT was chosen on dev with --paper-means: pooled recall@1 and @5 must not
    fall below scoring a paper by its best chunk alone (weight 0)."""
    from rag.retrieve import PAPER_MEAN_WEIGHT

    fusion_sweep.main(["--data-dir", str(seed_index.data_dir), "--paper-means", f"0,{PAPER_MEAN_WEIGHT}"])
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("| paper mean "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = [tuple(float(x) for x in c.split(" / ")) for c in cells[1:]]
    best_chunk, shipped = rows["paper mean 0"], rows[f"paper mean {PAPER_MEAN_WEIGHT}"]
    assert shipped[-1][0] >= best_chunk[-1][0] and shipped[-1][1] >= best_chunk[-1][1]


@pytest.mark.parametrize("option", ["--paper-means", "--title-names"])
@pytest.mark.parametrize("weights", ["-1", "much"])
def test_a_malformed_weight_is_a_usage_error(seed_index, option, weights, capsys):
    with pytest.raises(SystemExit) as exit_info:
        fusion_sweep.main(["--data-dir", str(seed_index.data_dir), option, weights])
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


def test_the_shipped_title_name_weight_is_not_worse_than_no_title_list_on_dev(seed_index, capsys):
    """TITLE_NAME_WEIGHT was set with --title-names on dev: pooled recall@1 and @5 must not fall
    below retrieval without the list of papers a question names (weight 0)."""
    from rag.retrieve import TITLE_NAME_WEIGHT

    fusion_sweep.main(["--data-dir", str(seed_index.data_dir), "--title-names", f"0,{TITLE_NAME_WEIGHT}"])
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("| title names "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = [tuple(float(x) for x in c.split(" / ")) for c in cells[1:]]
    without, shipped = rows["title names 0"], rows[f"title names {TITLE_NAME_WEIGHT}"]
    assert shipped[-1][0] >= without[-1][0] and shipped[-1][1] >= without[-1][1]
