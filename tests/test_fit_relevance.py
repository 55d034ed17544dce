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
