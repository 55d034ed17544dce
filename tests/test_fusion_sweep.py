"""`python -m eval.fusion_sweep` is how LEXICAL_FLOOR and SECOND_WEIGHT were chosen on the dev
split; the shipped floor must still be what the sweep says: pooled recall no worse than no floor,
and no set a whole question worse at recall@5."""

from __future__ import annotations

import pytest

from eval import fusion_sweep
from eval.datasets import load_questions
from rag.retrieve import LEXICAL_FLOOR

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(scope="module")
def dev_sweep(seed_engine):
    """One sweep of the dev split over the shipped retriever and each knob switched off (one pass
    per setting: every test below reads it, instead of sweeping the shipped setting again each)."""
    from rag.retrieve import HybridRetriever

    base = seed_engine.retriever
    common = dict(candidates=base.candidates, rrf_k=base.rrf_k, second=base.second)
    retrievers = {
        "shipped": base,
        "floor 0": HybridRetriever(seed_engine.index, seed_engine.embedder, lexical_floor=0.0, **common),
        "paper mean 0": HybridRetriever(seed_engine.index, seed_engine.embedder, paper_mean_weight=0.0, **common),
        "title names 0": HybridRetriever(seed_engine.index, seed_engine.embedder, title_name_weight=0.0, **common),
    }
    return fusion_sweep.sweep(seed_engine, retrievers, "hybrid", "dev")


def _not_worse(shipped: dict, without: dict) -> bool:
    """Pooled recall@1 and @5 of the shipped setting are at least the knob-off ones."""
    return shipped["all"][0] >= without["all"][0] and shipped["all"][1] >= without["all"][1]


def test_the_shipped_bm25_floor_is_what_the_dev_sweep_supports(dev_sweep):
    """LEXICAL_FLOOR: pooled recall@1 and @5 no worse than no floor, and no set a whole question worse at 5 (since
    everyday words are searched as the field's terms, one multi-paper question finds one of its papers at rank 6 with
    the floor; the stricter floors that avoid it cost multi-paper answers more: rag/retrieve.py)."""
    none, shipped = dev_sweep["floor 0"], dev_sweep["shipped"]
    assert _not_worse(shipped, none)
    for name in fusion_sweep.SETS:
        one_question = 1 / len([q for q in load_questions(name, "dev") if q.get("gold")])
        assert shipped[name][1] > none[name][1] - one_question, name


def test_the_sweep_command_prints_the_sweeps_figures(seed_index, dev_sweep, capsys):
    """`python -m eval.fusion_sweep --floors F` prints one row per floor with what sweep() measures."""
    fusion_sweep.main(["--data-dir", str(seed_index.data_dir), "--floors", str(LEXICAL_FLOOR)])
    printed = capsys.readouterr().out
    assert printed.startswith("dev split, hybrid search")
    rows = {}
    for line in printed.splitlines():
        if line.startswith("| floor "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = [tuple(float(x) for x in c.split(" / ")) for c in cells[1:]]
    shipped = rows[f"floor {LEXICAL_FLOOR}"]
    assert len(shipped) == len(fusion_sweep.SETS) + 1
    assert shipped == [dev_sweep["shipped"][name] for name in [*fusion_sweep.SETS, "all"]]


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


def test_the_sweep_pools_every_dev_question_with_a_gold_paper(dev_sweep):
    results = dev_sweep["shipped"]
    assert set(results) == {*fusion_sweep.SETS, "all"}
    assert all(0.0 <= r1 <= 1.0 and 0.0 <= r5 <= 1.0 for r1, r5 in results.values())
    plain = load_questions("plain", "dev")  # the plain set reuses papers' own words: nearly all found
    assert results["plain"][1] >= 0.9 and len(plain) > 10


def test_the_shipped_paper_mean_weight_is_not_worse_than_best_chunk_alone_on_dev(dev_sweep):
    """PAPER_MEAN_WEIGHT was chosen on dev with --paper-means: pooled recall@1 and @5 must not
    fall below scoring a paper by its best chunk alone (weight 0)."""
    assert _not_worse(dev_sweep["shipped"], dev_sweep["paper mean 0"])


@pytest.mark.parametrize("option", ["--paper-means", "--title-names"])
@pytest.mark.parametrize("weights", ["-1", "much"])
def test_a_malformed_weight_is_a_usage_error(seed_index, option, weights, capsys):
    with pytest.raises(SystemExit) as exit_info:
        fusion_sweep.main(["--data-dir", str(seed_index.data_dir), option, weights])
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


def test_the_shipped_title_name_weight_is_not_worse_than_no_title_list_on_dev(dev_sweep):
    """TITLE_NAME_WEIGHT was set with --title-names on dev: pooled recall@1 and @5 must not fall
    below retrieval without the list of papers a question names (weight 0)."""
    assert _not_worse(dev_sweep["shipped"], dev_sweep["title names 0"])
