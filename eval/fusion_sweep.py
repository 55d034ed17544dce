"""Sweep the fusion knobs of rag/retrieve.py on the dev split, to choose them there.

    python -m eval.fusion_sweep --floors 0,0.3,0.4,0.5,0.6,0.7,0.8      # BM25 floor, hybrid
    python -m eval.fusion_sweep --data-dir IDX --weights 0.5,1,1.5,2,3  # mpnet weight (a minilm+mpnet index)
    python -m eval.fusion_sweep --gates 0.2:0.5,0.3:0.6,0.4:0.7         # BM25 gate (strength ramp), hybrid
    python -m eval.fusion_sweep --paper-means 0,0.5,1,1.5,2             # weight of a paper's mean chunk score, hybrid
    python -m eval.fusion_sweep --title-names 0,1,2.5                    # weight of the papers a question names, hybrid
    python -m eval.fusion_sweep --data-dir IDX --abstract-weights 0,2,4,8  # weight of whole-abstract mpnet closeness (minilm+mpnet)

Prints recall@1 (a gold paper ranked first) / recall@5 (share of the gold papers in the top 5) per question set and pooled over every retrieval question with a
gold paper (plain, paraphrase, near-miss, multi-paper, lookup, adversarial). The shipped values
(LEXICAL_FLOOR, SECOND_WEIGHT, PAPER_MEAN_WEIGHT, TITLE_NAME_WEIGHT, ABSTRACT_WEIGHT) and the figures quoted beside them come from this script.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import rag  # noqa: F401  (offline defaults)
from eval.datasets import SPLITS, load_questions
from eval.metrics import hit_at, recall_at
from rag.config import load_settings
from rag.pipeline import Engine
from rag.retrieve import HybridRetriever

SETS = ("plain", "paraphrase", "near_miss", "multi", "lookup", "adversarial")


def sweep(engine: Engine, retrievers: dict[str, HybridRetriever], mode: str, split: str) -> dict[str, dict[str, tuple[float, float]]]:
    """{setting: {set: (recall@1, recall@5)}}, plus an "all" entry pooling every question."""
    questions = [(name, q) for name in SETS for q in load_questions(name, split) if q.get("gold")]
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for label, retriever in retrievers.items():
        scores: dict[str, list[tuple[float, float]]] = {}
        for name, q in questions:
            titles = [h.paper.title for h in retriever.search(q["question"], k=5, mode=mode)]
            gold = set(q["gold"])
            pair = (hit_at(titles, gold, 1), recall_at(titles, gold, 5))  # a gold paper first; share of gold in the top 5
            scores.setdefault(name, []).append(pair)
            scores.setdefault("all", []).append(pair)
        out[label] = {name: tuple(round(sum(v) / len(v), 3) for v in zip(*pairs)) for name, pairs in scores.items()}
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="an existing index (default: RAG_DATA_DIR)")
    parser.add_argument("--split", choices=SPLITS, default="dev")
    knob = parser.add_mutually_exclusive_group(required=True)
    knob.add_argument("--floors", help="comma-separated BM25 floors to try (hybrid search)")
    knob.add_argument("--weights", help="comma-separated mpnet weights to try (dense search; needs a minilm+mpnet index)")
    knob.add_argument("--gates", help="comma-separated BM25 gates low:high to try (hybrid search: BM25's weight ramps from 0 "
                      "at match strength low to full at high)")
    knob.add_argument("--paper-means", help="comma-separated weights of a paper's mean chunk closeness beside its best "
                      "chunk's to try (hybrid search)")
    knob.add_argument("--abstract-weights", help="comma-separated weights of a paper's whole-abstract mpnet closeness to try "
                      "(hybrid search; needs a minilm+mpnet index)")
    knob.add_argument("--title-names", help="comma-separated weights of the list of papers a question names by their own "
                      "name to try (hybrid search)")
    args = parser.parse_args(argv)

    def weights(option: str, values: str, label: str) -> dict[str, float]:
        out = {}
        for v in values.split(","):
            try:
                out[f"{label} {v}"] = float(v)
            except ValueError:
                parser.error(f"{option}: {v!r} is not a number")
            if out[f"{label} {v}"] < 0:
                parser.error(f"{option}: {v!r} is negative")
        return out

    engine = Engine(load_settings(data_dir=args.data_dir) if args.data_dir else load_settings())
    base = engine.retriever
    common = dict(candidates=base.candidates, rrf_k=base.rrf_k, second=base.second)
    if args.floors:
        mode = "hybrid"
        retrievers = {f"floor {v}": HybridRetriever(engine.index, engine.embedder, lexical_floor=float(v), **common)
                      for v in args.floors.split(",")}
    elif args.gates:
        mode = "hybrid"
        gates = {}
        for v in args.gates.split(","):
            try:
                low, high = (float(x) for x in v.split(":"))
            except ValueError:
                parser.error(f"--gates: {v!r} is not low:high (e.g. 0.2:0.5)")
            if not 0 <= low < high <= 1:
                parser.error(f"--gates: {v!r} needs 0 <= low < high <= 1")
            gates[f"gate {v}"] = (low, high)
        retrievers = {label: HybridRetriever(engine.index, engine.embedder, gate=gate, lexical_floor=base.lexical_floor, **common)
                      for label, gate in gates.items()}
    elif args.paper_means:
        mode = "hybrid"
        retrievers = {label: HybridRetriever(engine.index, engine.embedder, paper_mean_weight=w, **common)
                      for label, w in weights("--paper-means", args.paper_means, "paper mean").items()}
    elif args.abstract_weights:
        if base.second is None:
            parser.error("--abstract-weights needs an index built with --embedder minilm+mpnet")
        mode = "hybrid"
        retrievers = {label: HybridRetriever(engine.index, engine.embedder, abstract_weight=w, **common)
                      for label, w in weights("--abstract-weights", args.abstract_weights, "abstract weight").items()}
    elif args.title_names:
        mode = "hybrid"
        retrievers = {label: HybridRetriever(engine.index, engine.embedder, title_name_weight=w, **common)
                      for label, w in weights("--title-names", args.title_names, "title names").items()}
    else:
        if base.second is None:
            parser.error("--weights needs an index built with --embedder minilm+mpnet")
        mode = "dense"
        retrievers = {f"weight {v}": HybridRetriever(engine.index, engine.embedder, second_weight=float(v), **common)
                      for v in args.weights.split(",")}
    results = sweep(engine, retrievers, mode, args.split)
    columns = [*SETS, "all"]
    print(f"{args.split} split, {mode} search, recall@1 / recall@5")
    print("| setting | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label, row in results.items():
        print(f"| {label} | " + " | ".join(f"{row[c][0]:.3f} / {row[c][1]:.3f}" if c in row else "–" for c in columns) + " |")


if __name__ == "__main__":
    main()
