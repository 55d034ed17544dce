"""A fitted gradient-boosted tree ensemble, evaluated with numpy (no scikit-learn at run time).

The answer-sentence model (rag/sentence_rank.py) is one: fitted by scikit-learn's
HistGradientBoostingClassifier in `python -m eval.fit_sentences` and written to JSON as each
tree's node arrays; here every tree is walked for all rows at once, one depth level per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

KIND = "boosted_trees"


@dataclass(frozen=True)
class BoostedTrees:
    """P(label) = sigmoid(baseline + the sum of each tree's leaf value), on standardised inputs."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    baseline: float
    feature: np.ndarray  # (trees, nodes): the input a split node tests
    threshold: np.ndarray  # ... goes left when input <= threshold
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray  # (trees, nodes) bool
    value: np.ndarray  # a leaf's contribution to the log-odds
    depth: int

    def probabilities(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """P(label) of each row of signals (a missing signal reads as 0)."""
        if not rows:
            return np.zeros(0)
        x = (np.array([[r.get(f, 0.0) for f in self.features] for r in rows], dtype=float) - self.mean) / self.scale
        n, trees = len(x), self.feature.shape[0]
        tree = np.broadcast_to(np.arange(trees), (n, trees))
        row = np.broadcast_to(np.arange(n)[:, None], (n, trees))
        node = np.zeros((n, trees), dtype=np.int64)
        for _ in range(self.depth):
            goes_left = x[row, self.feature[tree, node]] <= self.threshold[tree, node]
            step = np.where(goes_left, self.left[tree, node], self.right[tree, node])
            node = np.where(self.leaf[tree, node], node, step)
        z = self.baseline + self.value[tree, node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def probability(self, signals: dict[str, float]) -> float:
        return float(self.probabilities([signals])[0])

    @classmethod
    def from_json(cls, data: dict) -> "BoostedTrees":
        trees = data["trees"]
        width = max(len(t["feature"]) for t in trees)

        def padded(key: str, dtype, fill) -> np.ndarray:
            return np.array([t[key] + [fill] * (width - len(t[key])) for t in trees], dtype=dtype)

        return cls(tuple(data["features"]), np.array(data["mean"], dtype=float), np.array(data["scale"], dtype=float),
                   float(data["baseline"]), padded("feature", np.int64, 0), padded("threshold", float, 0.0),
                   padded("left", np.int64, 0), padded("right", np.int64, 0), padded("leaf", bool, True),
                   padded("value", float, 0.0), int(data["depth"]))


def to_json(model, features: Sequence[str], mean, scale) -> dict:
    """A fitted sklearn HistGradientBoostingClassifier (binary, no missing values) as BoostedTrees' JSON."""
    trees, depth = [], 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({
            "feature": [int(v) for v in nodes["feature_idx"]],
            "threshold": [float(v) for v in nodes["num_threshold"]],
            "left": [int(v) for v in nodes["left"]],
            "right": [int(v) for v in nodes["right"]],
            "leaf": [bool(v) for v in nodes["is_leaf"]],
            "value": [round(float(v), 6) for v in nodes["value"]],
        })
        depth = max(depth, int(nodes["depth"].max()))
    baseline = float(np.ravel(model._baseline_prediction)[0])
    return {"kind": KIND, "features": list(features), "mean": [round(float(v), 6) for v in mean],
            "scale": [round(float(v), 6) for v in scale], "baseline": round(baseline, 6), "depth": depth, "trees": trees}
