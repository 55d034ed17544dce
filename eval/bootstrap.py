"""95% bootstrap bands for eval rates: resample the questions with replacement and read the
spread of the statistic. A rate measured on 20 questions moves by ±20 points between runs
of different question sets; the band says how much of a change between two reports is noise.

Pure and deterministic: a fixed seed, a fresh generator per call (a band does not depend on
which other bands were computed before it).
"""

from __future__ import annotations

import random
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")

RESAMPLES = 1000
SEED = 20261202
LEVEL = 0.95


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def ratio_of_means(pairs: Sequence[tuple[float, float]]) -> float | None:
    """mean(first) / mean(second) over (numerator, denominator) pairs; None when the
    denominators sum to 0 (e.g. rows per gold paper over comparisons)."""
    den = sum(d for _, d in pairs)
    return sum(n for n, _ in pairs) / den if den else None


def _quantile(ordered: list[float], q: float) -> float:
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def bootstrap_band(
    items: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None] = _mean,  # type: ignore[assignment]
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> tuple[float, float] | None:
    """(low, high) percentile band of `statistic` over `resamples` samples of `items` (one
    item per question) drawn with replacement; None for no items. A resample whose
    statistic is undefined (None) is skipped."""
    items = list(items)
    if not items:
        return None
    rng = random.Random(seed)
    n = len(items)
    stats = []
    for _ in range(resamples):
        value = statistic(rng.choices(items, k=n))
        if value is not None:
            stats.append(float(value))
    if not stats:
        return None
    stats.sort()
    tail = (1.0 - level) / 2
    return _quantile(stats, tail), _quantile(stats, 1.0 - tail)


def half_width(items: Sequence[T], statistic: Callable[[Sequence[T]], float | None] = _mean, **kwargs) -> float | None:  # type: ignore[assignment]
    """Half the width of the bootstrap band: the '±' printed beside a rate."""
    band = bootstrap_band(items, statistic, **kwargs)
    return None if band is None else (band[1] - band[0]) / 2
