"""Evaluation metrics as pure functions: no index, no model, no I/O.

Retrieval: ranked title lists against gold title sets (recall@k, hit@k, MRR, nDCG@k).
Grounding: ALCE-style citation recall and precision over an answer's sentences, given a
`support(sentence, n) -> bool` function (the runner passes the product's SupportChecker
or an LLM judge; tests pass a fake). Also hallucinated citations, lookup accuracy,
abstention precision/coverage and answer content (key-fact) coverage.

A metric that is undefined for a question (no sentences, no citations, no facts) returns
None; `mean` skips None, so averages are over the questions where the metric applies.
"""

from __future__ import annotations

import math
import re
import re
from typing import Callable, Iterable, Sequence

# (sentence, the citation numbers it carries)
Claim = tuple[str, Sequence[int]]
Support = Callable[[str, int], bool]
# Support of a sentence by several citations together (ALCE concatenates their passages).
JointSupport = Callable[[str, frozenset[int]], bool]


# ------------------------------------------------------------------ retrieval


def recall_at(ranked: list[str], gold: set[str], k: int) -> float:
    """Share of gold titles found in the top k (1.0 or 0.0 for single-gold questions)."""
    if not gold:
        return 0.0
    return len(set(ranked[:k]) & gold) / len(gold)


def hit_at(ranked: list[str], gold: set[str], k: int) -> float:
    """1.0 if any gold title is in the top k."""
    return 1.0 if set(ranked[:k]) & gold else 0.0


def reciprocal_rank(ranked: list[str], gold: set[str]) -> float:
    for i, title in enumerate(ranked, start=1):
        if title in gold:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: list[str], gold: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 1) for i, t in enumerate(ranked[:k], start=1) if t in gold)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float | None]) -> float | None:
    """Average of the values that are not None; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


# ------------------------------------------------------------------ citations (ALCE)


def _joint(support: Support, joint_support: JointSupport | None) -> JointSupport:
    """Support by a set of citations: the given joint function, else 'any one of them supports'."""
    if joint_support is not None:
        return joint_support
    return lambda sentence, numbers: any(support(sentence, n) for n in sorted(numbers))


def citation_recall(claims: Sequence[Claim], support: Support, joint_support: JointSupport | None = None) -> float | None:
    """ALCE citation recall: the share of answer sentences that carry at least one citation
    AND are supported by their cited abstracts (together). A sentence without a citation
    scores 0. None for an answer with no sentences (e.g. an abstention).

    `support(sentence, n)` says whether source n alone supports the sentence;
    `joint_support(sentence, {n, m})`, when given, judges several sources together (ALCE
    concatenates the passages); without it a set supports a sentence if one of them does.
    """
    if not claims:
        return None
    joint = _joint(support, joint_support)
    ok = 0
    for sentence, numbers in claims:
        cited = frozenset(numbers)
        if cited and joint(sentence, cited):
            ok += 1
    return ok / len(claims)


def citation_precision(claims: Sequence[Claim], support: Support, joint_support: JointSupport | None = None) -> float | None:
    """ALCE citation precision: the share of citations that are precise. A citation of a
    sentence is imprecise when the sentence's citations together do not support it (all
    of them are imprecise then), or when it does not support the sentence alone AND the
    sentence's other citations support it without it. None when nothing is cited."""
    total = precise = 0
    joint = _joint(support, joint_support)
    for sentence, numbers in claims:
        cited = list(dict.fromkeys(numbers))  # one citation per distinct number in a sentence
        if not cited:
            continue
        total += len(cited)
        if not joint(sentence, frozenset(cited)):
            continue  # nothing supports the sentence: every citation is imprecise
        for n in cited:
            if support(sentence, n):
                precise += 1
                continue
            others = frozenset(cited) - {n}
            if others and joint(sentence, others):
                continue  # redundant: the others do the work without it
            precise += 1  # needed in combination with the others
    return precise / total if total else None


def hallucinated_citations(cited: Iterable[str], corpus: set[str], retrieved: set[str]) -> list[str]:
    """Cited titles that are not in the corpus or were not among the retrieved papers, in
    the order cited (each once). The runner also counts [n] markers that matched no source."""
    out: list[str] = []
    for title in cited:
        if (title not in corpus or title not in retrieved) and title not in out:
            out.append(title)
    return out


def hallucination_rate(cited: Sequence[str], corpus: set[str], retrieved: set[str], invalid_markers: int = 0) -> float | None:
    """Hallucinated citations (bad titles + markers that matched no source) over all citations
    made (distinct titles + those markers). None when nothing was cited."""
    distinct = list(dict.fromkeys(cited))
    total = len(distinct) + invalid_markers
    if not total:
        return None
    return (len(hallucinated_citations(distinct, corpus, retrieved)) + invalid_markers) / total


# ------------------------------------------------------------------ lookup


def lookup_top1(ranked: Sequence[str], gold: set[str]) -> float:
    """1.0 when the first title named is a gold title (an abstention names none: 0.0)."""
    return 1.0 if ranked and ranked[0] in gold else 0.0


def lookup_rr(ranked: Sequence[str], gold: set[str]) -> float:
    """Reciprocal rank of the first gold title among the best paper and its runner-ups."""
    return reciprocal_rank(list(ranked), gold)


# ------------------------------------------------------------------ abstention


def abstention_scores(records: Iterable[tuple[bool, bool, bool]]) -> dict[str, float | None]:
    """Selective answering over (answerable, abstained, correct) per question.

    - precision: answered-and-correct / answered (an answer to an unanswerable question is
      never correct);
    - coverage: answered answerable / answerable;
    - false_abstain_rate: abstained answerable / answerable (= 1 - coverage);
    - abstain_recall: abstained unanswerable / unanswerable (abstaining when it should).
    A ratio with an empty denominator is None.
    """
    answered = correct = answerable = answered_answerable = unanswerable = abstained_unanswerable = 0
    for is_answerable, abstained, is_correct in records:
        if not abstained:
            answered += 1
            correct += bool(is_correct and is_answerable)
        if is_answerable:
            answerable += 1
            answered_answerable += not abstained
        else:
            unanswerable += 1
            abstained_unanswerable += abstained

    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    return {
        "precision": ratio(correct, answered),
        "coverage": ratio(answered_answerable, answerable),
        "false_abstain_rate": ratio(answerable - answered_answerable, answerable),
        "abstain_recall": ratio(abstained_unanswerable, unanswerable),
    }


# ------------------------------------------------------------------ answer content


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _contains_token(haystack: str, fact: str) -> bool:
    """`fact` occurs in `haystack` as whole tokens: '8GB' is not in '48GB', '74.8' not in '74.85'."""
    pattern = r"(?<!\w)(?<!\d[.,])" + re.escape(fact) + r"(?!\w)(?![.,]\d)"
    return re.search(pattern, haystack) is not None


def fact_coverage(text: str, facts: Sequence[str]) -> float | None:
    """Share of the expected key facts (strings: terms, numbers) that the answer contains as
    whole tokens, case-insensitively and whitespace-normalized. None when no facts are expected."""
    facts = [f for f in facts if f.strip()]
    if not facts:
        return None
    haystack = _fold(text)
    return sum(1 for f in facts if _contains_token(haystack, _fold(f))) / len(facts)


def abstention_curve(
    items: Sequence[tuple[float, float, bool, bool, bool]],
    dense_bar: float,
    lexical_bar: float,
    scales: Sequence[float],
) -> list[dict[str, float | None]]:
    """Precision and coverage of selective answering as the relevance bar moves.

    Each item is (best dense similarity, best lexical coverage, blocked, answerable,
    correct if answered); `blocked` marks a question refused whatever the bar (the
    product's unknown-name rule). At scale r a question is answered when it is not
    blocked and its best dense similarity reaches r * dense_bar or its best lexical
    coverage reaches r * lexical_bar (r = 1 is the product's own rule; r = 0 answers
    everything not blocked). Returns one abstention_scores row per scale, plus "scale".
    """
    rows = []
    for r in scales:
        records = []
        for dense, lexical, blocked, answerable, correct in items:
            answered = not blocked and (dense >= r * dense_bar or lexical >= r * lexical_bar)
            records.append((answerable, not answered, correct))
        rows.append({"scale": r, **abstention_scores(records)})
    return rows


# ------------------------------------------------------------------ evidence levels (issue 14)


def _words(text: str) -> str:
    """Case-folded words joined by single spaces: punctuation, quotes and dashes ignored."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def mentions(text: str, name: str) -> bool:
    """True when `name` occurs in `text` as whole words (case, punctuation and spacing ignored):
    'FlashAttention-3' is mentioned by '… FlashAttention 3 is not indexed …'."""
    needle = _words(name)
    return bool(needle) and f" {needle} " in f" {_words(text)} "


def same_name(a: str, b: str) -> bool:
    """Two spellings of one title or name: equal as words, or one inside the other as words
    (a user may name 'QLoRA' for 'QLoRA: Efficient Finetuning of Quantized LLMs')."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return wa == wb or f" {wa} " in f" {wb} " or f" {wb} " in f" {wa} "


def names_reported(reported: Sequence[str], expected: Sequence[str]) -> bool:
    """A comparison's `not_found` is right when every expected missing title is reported and
    nothing else is (both empty counts as right)."""
    return all(any(same_name(r, e) for r in reported) for e in expected) and all(
        any(same_name(r, e) for e in expected) for r in reported
    )


def question_found(searched: str | None, asked: str, min_overlap: float = 0.8) -> bool:
    """Whether the question searched for is the one asked inside a paste: equal as words, or
    one contains the other and the shorter is at least `min_overlap` of the longer (a leading
    'Question:' or a dropped trailing clause still counts; the whole paste does not)."""
    if not searched:
        return False
    ws, wa = _words(searched), _words(asked)
    if not ws or not wa:
        return False
    if ws == wa:
        return True
    short, long_ = sorted((ws, wa), key=len)
    return f" {short} " in f" {long_} " and len(short) >= min_overlap * len(long_)


def reliability(pairs: Iterable[tuple[float, bool]], bins: int = 10) -> dict | None:
    """Calibration of predicted probabilities against outcomes: equal-width bins of the
    prediction with each bin's count, mean prediction and observed share of positives; the
    Brier score (mean squared error) and the expected calibration error (bin-weighted mean
    |observed - predicted|). None when there are no pairs."""
    pairs = [(min(max(float(p), 0.0), 1.0), bool(y)) for p, y in pairs]
    if not pairs:
        return None
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for p, y in pairs:
        grouped[min(int(p * bins), bins - 1)].append((p, y))
    rows, ece = [], 0.0
    for i, members in enumerate(grouped):
        predicted = mean(p for p, _ in members)
        observed = mean(float(y) for _, y in members)
        if members:
            ece += len(members) / len(pairs) * abs(observed - predicted)
        rows.append({"lo": i / bins, "hi": (i + 1) / bins, "n": len(members), "predicted": predicted, "observed": observed})
    brier = sum((p - float(y)) ** 2 for p, y in pairs) / len(pairs)
    return {"n": len(pairs), "brier": brier, "ece": ece, "bins": rows}
