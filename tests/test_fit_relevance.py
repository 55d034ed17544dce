"""How eval/fit_evidence.py chooses a relevance bar: the most needed papers kept, within a rows budget."""

from __future__ import annotations

import numpy as np

from eval.fit_evidence import COMPARE_MAX_ROWS_RATIO, MAX_ROWS_RATIO, _choose_relevance

# (P(relevant) of each retrieved paper, best first; which are needed; how many are needed in all)
GROUPS = [
    (np.array([0.9, 0.05, 0.012, 0.004]), np.array([1, 1, 1, 0]), 3),
    (np.array([0.8, 0.03, 0.011, 0.006]), np.array([1, 0, 0, 1]), 2),
]


def test_the_bar_keeps_the_most_needed_papers_its_rows_budget_allows():
    # 2.5 papers needed on average: 1.3x allows 3.25 rows a question, 1.5x allows 3.75.
    bar, figures = _choose_relevance(GROUPS, MAX_ROWS_RATIO)
    assert bar == 0.01 and figures["needed_papers_kept"] == 0.75  # 3 rows each
    bar, figures = _choose_relevance(GROUPS, COMPARE_MAX_ROWS_RATIO)
    assert bar == 0.005 and figures["needed_papers_kept"] == 1.0  # 3 and 4 rows: within 1.5x, not 1.3x



def test_the_list_bar_lowers_the_bar_only_for_questions_that_a_second_paper_answers():
    # The first group has a second paper over the first bar (0.05 >= 0.04): its list may take the 0.012 one
    # too. The second has none: its top paper answers alone, however low the list bar goes.
    bar, figures = _choose_relevance(GROUPS, MAX_ROWS_RATIO, strict_from=0.04)
    assert bar == 0.01
    assert figures["needed_papers_kept"] == 0.75  # 3 of 3, and 1 of 2
    assert figures["papers_kept_per_needed"] == 0.8  # 3 rows and 1 row for 2.5 needed


def test_an_unanswerable_question_a_rule_catches_does_not_hold_the_strong_bar_up():
    """The `strong` bar weighs answerable questions left `weak` against unanswerable ones let through as `strong`; one
    that a rule of the policy refuses whatever the model says is let through at no bar, so it costs no `weak` answers."""
    from eval.fit_evidence import _choose

    answerable = np.linspace(0.5, 0.99, 50)  # one answerable question every 0.01 from 0.5
    unanswerable = np.array([0.0] * 40 + [0.9] * 4)  # four the model puts at 0.9
    p, y = np.concatenate([answerable, unanswerable]), np.array([1] * 50 + [0] * 44)
    _, counting_the_model = _choose(p, y)
    caught = np.array([False] * 50 + [False] * 40 + [True] * 4)  # ... which a rule refuses
    _, counting_the_rules = _choose(p, y, caught)
    # the model alone: a bar over 0.5, leaving answerable questions `weak` to keep some of the four out of `strong`;
    # with the rule, none need be: every answerable question is `strong`
    assert counting_the_model > 0.5 and counting_the_rules == 0.5


def test_an_answerable_question_a_rule_answers_strong_does_not_pull_the_strong_bar_down():
    """An answerable question a rule answers `strong` whatever the model says ("How does QLoRA work?",
    rag.evidence.EvidencePolicy.asks_only_own_name) is `weak` at no bar, so it costs no unanswerable one let through."""
    from eval.fit_evidence import _choose

    answerable = np.array([0.95] * 40 + [0.6] * 10)  # ten the model puts at 0.6
    unanswerable = np.array([0.0] * 40 + [0.7] * 4)  # four it puts at 0.7
    p, y = np.concatenate([answerable, unanswerable]), np.array([1] * 50 + [0] * 44)
    _, counting_the_model = _choose(p, y)
    lifted = np.array([False] * 40 + [True] * 10 + [False] * 44)  # ... the ten, a rule answers `strong`
    _, counting_the_rules = _choose(p, y, lifted=lifted)
    # the model alone: the bar stays low enough to keep the ten out of `weak`, letting the four through as `strong`;
    # with the rule it can rise over 0.7 and keep the four out
    assert counting_the_model <= 0.6 and counting_the_rules > 0.7


def test_the_list_model_counts_papers_as_a_multi_paper_answer_keeps_them():
    """eval/fit_evidence.py chooses the list model's bar by what rag.evidence's relevant_hits would keep: the top
    paper always, the others over the bar only where the answer is a list (decided by the relevance model)."""
    from eval.fit_evidence import _list_kept

    cover, kept = _list_kept(GROUPS, listed=[True, False], bar=0.01)
    assert (cover, kept) == (0.75, 2.0)  # 3 of 3 needed in the list, 1 of 2 from the lone top paper; 3 papers and 1
    cover, kept = _list_kept(GROUPS, listed=[True, True], bar=0.01)  # the second a list too: 2 more papers,
    assert (cover, kept) == (0.75, 3.0)  # neither needed
