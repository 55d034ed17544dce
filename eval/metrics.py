"""Retrieval metrics as pure functions over ranked title lists and gold title sets."""

from __future__ import annotations

import math


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
