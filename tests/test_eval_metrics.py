"""eval/metrics.py: hand-made cases whose scores are known, each metric at exactly 0 and 1.

Support functions here are fakes (a table of which source supports which sentence):
the metrics are pure, the real SupportChecker is exercised in test_eval_runner.py.
"""

from __future__ import annotations

import math

import pytest

from eval.metrics import (
    abstention_scores,
    citation_precision,
    citation_recall,
    fact_coverage,
    hallucinated_citations,
    hallucination_rate,
    hit_at,
    lookup_rr,
    lookup_top1,
    mean,
    ndcg_at,
    percentile,
    recall_at,
    reciprocal_rank,
)


def table(supported: set[tuple[str, int]]):
    """A fake support function: (sentence, n) pairs that are supported."""
    return lambda sentence, n: (sentence, n) in supported


A, B, C = "Alpha is fast.", "Beta uses graphs.", "Gamma wins."


# ---------------------------------------------------------------- citation recall


def test_recall_is_one_when_every_sentence_is_cited_and_supported():
    claims = [(A, [1]), (B, [2])]
    assert citation_recall(claims, table({(A, 1), (B, 2)})) == 1.0


def test_recall_is_zero_when_nothing_supports_the_cited_sentences():
    claims = [(A, [2]), (B, [1])]
    assert citation_recall(claims, table({(A, 1), (B, 2)})) == 0.0


def test_recall_is_zero_when_no_sentence_cites_anything():
    assert citation_recall([(A, []), (B, [])], table({(A, 1), (B, 2)})) == 0.0


def test_recall_counts_an_uncited_sentence_as_unsupported():
    claims = [(A, [1]), (B, []), (C, [3]), ("Delta.", [4])]
    assert citation_recall(claims, table({(A, 1), (B, 2), (C, 3)})) == 0.5


def test_recall_needs_only_one_supporting_citation_per_sentence():
    assert citation_recall([(A, [1, 2])], table({(A, 2)})) == 1.0


def test_recall_uses_joint_support_when_given():
    # Neither source alone supports A, together they do (ALCE concatenates passages).
    joint = lambda sentence, numbers: numbers >= {1, 2}  # noqa: E731
    assert citation_recall([(A, [1, 2])], table(set()), joint_support=joint) == 1.0
    assert citation_recall([(A, [1, 2])], table(set())) == 0.0


def test_recall_is_undefined_without_sentences():
    assert citation_recall([], table(set())) is None


# ---------------------------------------------------------------- citation precision


def test_precision_is_one_when_every_citation_supports_its_sentence():
    claims = [(A, [1]), (B, [2, 3])]
    assert citation_precision(claims, table({(A, 1), (B, 2), (B, 3)})) == 1.0


def test_precision_is_zero_when_no_citation_supports_its_sentence():
    claims = [(A, [2]), (B, [1, 3])]
    assert citation_precision(claims, table({(A, 1), (B, 2)})) == 0.0


def test_a_redundant_citation_beside_a_supporting_one_is_imprecise():
    # [1] supports A, [2] does not and is not needed: 1 of 2 precise.
    assert citation_precision([(A, [1, 2])], table({(A, 1)})) == 0.5


def test_citations_of_an_unsupported_sentence_are_all_imprecise():
    claims = [(A, [1]), (B, [1, 2, 3])]
    assert citation_precision(claims, table({(A, 1)})) == 0.25


def test_a_citation_needed_in_combination_is_precise():
    # Only {1, 2} together support A: neither is redundant, so both are precise.
    joint = lambda sentence, numbers: numbers >= {1, 2}  # noqa: E731
    assert citation_precision([(A, [1, 2])], table(set()), joint_support=joint) == 1.0
    # [3] is redundant: {1, 2} support A without it, and it does not support A alone.
    assert citation_precision([(A, [1, 2, 3])], table(set()), joint_support=joint) == pytest.approx(2 / 3)


def test_a_repeated_number_in_one_sentence_counts_once():
    assert citation_precision([(A, [1, 1, 2])], table({(A, 1)})) == 0.5


def test_precision_ignores_uncited_sentences_and_is_undefined_without_citations():
    assert citation_precision([(A, []), (B, [2])], table({(B, 2)})) == 1.0
    assert citation_precision([(A, []), (B, [])], table(set())) is None
    assert citation_precision([], table(set())) is None


# ---------------------------------------------------------------- hallucinated citations


CORPUS = {"Paper A", "Paper B", "Paper C"}


def test_no_hallucination_when_every_cited_title_was_retrieved():
    assert hallucinated_citations(["Paper A", "Paper B"], CORPUS, {"Paper A", "Paper B"}) == []
    assert hallucination_rate(["Paper A", "Paper B"], CORPUS, {"Paper A", "Paper B"}) == 0.0


def test_titles_outside_the_corpus_or_the_retrieved_set_are_hallucinated():
    cited = ["Paper A", "Invented Paper", "Paper C", "Invented Paper"]
    assert hallucinated_citations(cited, CORPUS, {"Paper A"}) == ["Invented Paper", "Paper C"]
    assert hallucination_rate(cited, CORPUS, {"Paper A"}) == pytest.approx(2 / 3)


def test_everything_hallucinated_scores_one():
    assert hallucination_rate(["Invented"], CORPUS, {"Paper A"}) == 1.0
    assert hallucination_rate([], CORPUS, set(), invalid_markers=2) == 1.0


def test_markers_that_matched_no_source_count_as_hallucinated():
    assert hallucination_rate(["Paper A"], CORPUS, {"Paper A"}, invalid_markers=1) == 0.5


def test_hallucination_rate_is_undefined_without_citations():
    assert hallucination_rate([], CORPUS, set()) is None


# ---------------------------------------------------------------- retrieval


def test_retrieval_metrics_at_one_and_zero():
    gold = {"g"}
    assert recall_at(["g", "x"], gold, 1) == hit_at(["g"], gold, 1) == reciprocal_rank(["g", "x"], gold) == 1.0
    assert ndcg_at(["g", "x"], gold, 10) == 1.0
    assert recall_at(["x", "y"], gold, 5) == hit_at(["x"], gold, 5) == reciprocal_rank(["x", "y"], gold) == 0.0
    assert ndcg_at(["x", "y"], gold, 10) == 0.0


def test_retrieval_metrics_in_between():
    gold = {"g1", "g2"}
    ranked = ["x", "g1", "y", "g2"]
    assert recall_at(ranked, gold, 2) == 0.5
    assert hit_at(ranked, gold, 2) == 1.0
    assert reciprocal_rank(ranked, gold) == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at(ranked, gold, 10) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert ndcg_at(ranked, gold, 1) == 0.0  # gold beyond the cut-off does not count


def test_percentile_and_mean():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert math.isnan(percentile([], 50))
    assert mean([1.0, None, 0.0]) == 0.5
    assert mean([None]) is None


# ---------------------------------------------------------------- lookup


def test_lookup_top1_and_reciprocal_rank():
    gold = {"g"}
    assert lookup_top1(["g", "x"], gold) == lookup_rr(["g", "x"], gold) == 1.0
    assert lookup_top1(["x", "g"], gold) == 0.0
    assert lookup_rr(["x", "g"], gold) == 0.5
    assert lookup_top1([], gold) == lookup_rr([], gold) == 0.0  # an abstention names no paper
    assert lookup_rr(["x", "y"], gold) == 0.0


# ---------------------------------------------------------------- abstention


def test_perfect_selective_answering():
    # answerable answered correctly; unanswerable abstained
    scores = abstention_scores([(True, False, True), (True, False, True), (False, True, False)])
    assert scores == {"precision": 1.0, "coverage": 1.0, "false_abstain_rate": 0.0, "abstain_recall": 1.0}


def test_worst_selective_answering():
    # every answerable question abstained; every unanswerable one answered
    scores = abstention_scores([(True, True, False), (False, False, False), (False, False, True)])
    assert scores == {"precision": 0.0, "coverage": 0.0, "false_abstain_rate": 1.0, "abstain_recall": 0.0}


def test_abstention_in_between():
    records = [
        (True, False, True),   # answered, correct
        (True, False, False),  # answered, wrong paper
        (True, True, False),   # false abstain
        (False, False, False), # answered an unanswerable question
        (False, True, False),  # right abstain
    ]
    scores = abstention_scores(records)
    assert scores["precision"] == pytest.approx(1 / 3)
    assert scores["coverage"] == pytest.approx(2 / 3)
    assert scores["false_abstain_rate"] == pytest.approx(1 / 3)
    assert scores["abstain_recall"] == 0.5


def test_abstention_ratios_are_undefined_on_empty_denominators():
    scores = abstention_scores([(False, True, False)])
    assert scores["precision"] is None and scores["coverage"] is None and scores["false_abstain_rate"] is None
    assert scores["abstain_recall"] == 1.0


# ---------------------------------------------------------------- content


def test_fact_coverage():
    text = "QLoRA uses the NF4 data type and finetunes a 65B model on one 48GB  GPU [1]."
    assert fact_coverage(text, ["nf4", "65B", "48gb gpu"]) == 1.0
    assert fact_coverage(text, ["LLaDA", "driver handbook"]) == 0.0
    assert fact_coverage(text, ["NF4", "paged optimizers"]) == 0.5
    assert fact_coverage(text, []) is None


@pytest.mark.parametrize("fact", ["8GB", "5B", "4.8", "16,464", "NF", "GP"])
def test_fact_coverage_needs_whole_tokens(fact):
    """A fact found only inside a longer token ('8GB' in '48GB') is not in the answer."""
    text = "QLoRA finetunes a 65B model on one 48GB GPU with NF4, scoring 74.85 on 116,464 items [1]."
    assert fact_coverage(text, [fact]) == 0.0


def test_fact_coverage_accepts_facts_beside_punctuation():
    text = "It reaches 99.89% (1.34x faster), uses 4-bit NF4; see **Tempora-0325**."
    assert fact_coverage(text, ["99.89%", "1.34x", "4-bit", "nf4", "Tempora-0325"]) == 1.0


# ---------------------------------------------------------------- abstention curve


def test_abstention_curve_moves_from_full_coverage_to_none():
    from eval.metrics import abstention_curve

    items = [
        (0.9, 0.0, False, True, True),    # clearly relevant, right
        (0.5, 0.0, False, True, False),   # borderline, wrong paper
        (0.2, 0.7, False, True, True),    # weak vector match, strong word match
        (0.3, 0.1, False, False, False),  # unanswerable, weak
        (0.9, 0.9, True, False, False),   # blocked by the name rule at any bar
    ]
    rows = abstention_curve(items, dense_bar=0.45, lexical_bar=0.6, scales=[0.0, 1.0, 3.0])
    assert [r["scale"] for r in rows] == [0.0, 1.0, 3.0]
    assert rows[0]["coverage"] == 1.0 and rows[0]["precision"] == 0.5  # 4 answered, 2 right
    assert rows[1]["coverage"] == 1.0 and rows[1]["precision"] == pytest.approx(2 / 3)
    assert rows[1]["abstain_recall"] == 1.0
    assert rows[2]["coverage"] == 0.0 and rows[2]["precision"] is None


# ---------------------------------------------------------------- bootstrap bands


def test_bootstrap_band_is_deterministic_and_brackets_the_rate():
    from eval.bootstrap import bootstrap_band, half_width

    values = [1.0] * 30 + [0.0] * 10  # a 75% rate over 40 questions
    lo, hi = bootstrap_band(values)
    assert bootstrap_band(values) == (lo, hi)  # fixed seed: the same band every run
    assert lo < 0.75 < hi
    # The binomial standard error is sqrt(.75 * .25 / 40) = 0.068: a 95% band is about ±0.13.
    assert half_width(values) == pytest.approx(0.134, abs=0.03)


def test_bootstrap_band_narrows_with_more_questions_and_vanishes_without_spread():
    from eval.bootstrap import half_width

    assert half_width([1.0, 0.0] * 10) > half_width([1.0, 0.0] * 200)
    assert half_width([1.0] * 12) == 0.0
    assert half_width([]) is None


def test_bootstrap_band_of_a_ratio_resamples_whole_questions():
    from eval.bootstrap import bootstrap_band, ratio_of_means

    pairs = [(4, 2), (3, 3), (2, 2), (5, 2)]  # rows shown vs gold papers, per comparison
    assert ratio_of_means(pairs) == pytest.approx(14 / 9)
    lo, hi = bootstrap_band(pairs, ratio_of_means)
    assert 1.0 <= lo <= 14 / 9 <= hi <= 2.5
    assert ratio_of_means([(1, 0)]) is None
    assert bootstrap_band([(1, 0)], ratio_of_means) is None  # undefined in every resample


# ---------------------------------------------------------------- evidence levels (issue 14)


def test_reliability_bins_brier_and_ece():
    from eval.metrics import reliability

    pairs = [(0.05, False), (0.15, False), (0.9, True), (0.95, True), (0.85, False), (1.0, True)]
    cal = reliability(pairs, bins=10)
    assert cal["n"] == 6 and [b["n"] for b in cal["bins"]] == [1, 1, 0, 0, 0, 0, 0, 0, 1, 3]
    top, overconfident = cal["bins"][9], cal["bins"][8]
    assert top["predicted"] == pytest.approx(0.95) and top["observed"] == 1.0
    assert overconfident["predicted"] == pytest.approx(0.85) and overconfident["observed"] == 0.0
    assert cal["bins"][2]["predicted"] is None  # an empty bin has no mean
    brier = (0.05**2 + 0.15**2 + 0.1**2 + 0.05**2 + 0.85**2 + 0.0) / 6
    assert cal["brier"] == pytest.approx(brier)
    ece = (0.05 + 0.15 + 0.85 + 3 * 0.05) / 6
    assert cal["ece"] == pytest.approx(ece)


def test_reliability_of_perfect_predictions_and_of_none():
    from eval.metrics import reliability

    cal = reliability([(1.0, True), (0.0, False)] * 3)
    assert cal["brier"] == 0.0 and cal["ece"] == 0.0
    assert reliability([]) is None


def test_mentions_needs_the_whole_name():
    from eval.metrics import mentions

    assert mentions("No indexed abstract covers FlashAttention 3; QLoRA does [1].", "FlashAttention-3")
    assert mentions("See “Mamba”.", "mamba")
    assert not mentions("FlashAttention-2 is indexed.", "FlashAttention-3")
    assert not mentions("Mambas are snakes.", "Mamba")
    assert not mentions("anything", "  ")


def test_unindexed_titles_must_be_reported_exactly():
    from eval.metrics import names_reported

    assert names_reported([], [])
    assert names_reported(["“Attention Is All You Need”"], ["Attention Is All You Need"])
    assert not names_reported([], ["Attention Is All You Need"])  # missed
    assert not names_reported(["QLoRA"], [])  # an indexed paper called missing
    assert not names_reported(["Attention Is All You Need", "QLoRA"], ["Attention Is All You Need"])


def test_the_question_inside_a_paste_is_found_only_when_it_is_the_one_asked():
    from eval.metrics import question_found

    asked = "Which method fine-tunes a 65B model on a single 48GB GPU?"
    assert question_found("which method fine-tunes a 65B model on a single 48GB GPU", asked)
    assert question_found("Question: Which method fine-tunes a 65B model on a single 48GB GPU?", asked)
    assert not question_found("Meeting notes, Monday. " * 20 + asked, asked)  # the whole paste searched
    assert not question_found("What does the training log show?", asked)
    assert not question_found(None, asked)
