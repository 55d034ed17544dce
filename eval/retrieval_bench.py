"""Retrieval benchmark: recall@1/5/10 and MRR per question set for dense, BM25, plain RRF
and our gated hybrid, each with the ± half-width of its 95% bootstrap band (questions
resampled, eval/bootstrap.py), plus ingest time and query latency. Prints a Markdown table.
Reports the held-out test split by default: dev is what the gates were tuned on.

    python -m eval.retrieval_bench                 # cold ingest into a temp dir, then all sets
    python -m eval.retrieval_bench --split dev     # the tuning half (or `all`)
    python -m eval.retrieval_bench --sets paraphrase,near_miss   # only these question sets
    python -m eval.retrieval_bench --data-dir DIR  # reuse an existing index (no ingest timing)
    python -m eval.retrieval_bench --json out.json
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

import rag  # noqa: F401  (offline defaults)
from eval.bootstrap import half_width
from eval.datasets import RETRIEVAL_SETS, SPLITS, load_questions
from eval.metrics import hit_at, percentile, recall_at, reciprocal_rank
from rag.config import load_settings
from rag.pipeline import Engine, ingest
from rag.retrieve import HybridRetriever

METHODS = ("dense", "bm25", "rrf", "hybrid")
METRICS = ("recall@1", "recall@5", "recall@10", "mrr")


def _retrievers(engine: Engine) -> dict[str, tuple[HybridRetriever, str]]:
    s = engine.settings
    plain_rrf = HybridRetriever(engine.index, engine.embedder, candidates=s.candidates, rrf_k=s.rrf_k, fusion="rrf")
    return {
        "dense": (engine.retriever, "dense"),
        "bm25": (engine.retriever, "lexical"),
        "rrf": (plain_rrf, "hybrid"),
        "hybrid": (engine.retriever, "hybrid"),
    }


def _summary(per_question: dict[str, list[float]]) -> dict:
    """Mean of each metric over the questions, and `ci95`: the ± half-width of its band."""
    n = len(per_question["mrr"])
    return {
        "n": n,
        **{m: round(sum(per_question[m]) / n, 3) for m in METRICS},
        "ci95": {m: round(half_width(per_question[m]), 3) for m in METRICS},
    }


def run_sets(engine: Engine, sets=RETRIEVAL_SETS, split: str | None = "test") -> dict:
    results: dict = {}
    pooled: dict[str, dict[str, list[float]]] = {m: {k: [] for k in METRICS} for m in METHODS}
    retrievers = _retrievers(engine)
    for name in sets:
        questions = load_questions(name, split)
        if not questions:
            continue
        for method, (retriever, mode) in retrievers.items():
            values: dict[str, list[float]] = {k: [] for k in METRICS}
            latencies = []
            misses = []
            retriever.embedder.embed_query.cache_clear()  # time each method with cold query vectors
            for q in questions:
                gold = set(q["gold"])
                t0 = time.perf_counter()
                hits = retriever.search(q["question"], k=10, mode=mode)
                latencies.append((time.perf_counter() - t0) * 1000)
                ranked = [h.paper.title for h in hits]
                # Single-gold sets: recall@k is 'gold in top k'. Multi: share of all golds found.
                at = recall_at if name == "multi" else hit_at
                for k in (1, 5, 10):
                    values[f"recall@{k}"].append(float(at(ranked, gold, k)))
                values["mrr"].append(reciprocal_rank(ranked, gold))
                if method == "hybrid" and not hit_at(ranked, gold, 5):
                    misses.append(q["id"])
            if name != "multi":
                for k in METRICS:
                    pooled[method][k] += values[k]
            results.setdefault(name, {})[method] = {
                **_summary(values),
                "p50_ms": round(percentile(latencies, 50), 1),
                "p95_ms": round(percentile(latencies, 95), 1),
                **({"missed@5": misses} if method == "hybrid" else {}),
            }
    # All single-gold questions pooled (bands resample the pooled questions): the headline
    # "your question set".
    if pooled["hybrid"]["mrr"]:
        results["all_single"] = {method: _summary(pooled[method]) for method in METHODS}
    return results


def markdown(results: dict) -> str:
    lines = ["| set | method | n | R@1 | R@5 | R@10 | MRR | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|---|---|"]
    for name, by_method in results.items():
        for method in METHODS:
            r = by_method[method]
            label = f"**{method}**" if method == "hybrid" else method
            cells = " | ".join(f"{r[m]:.2f} ± {r['ci95'][m]:.2f}" for m in METRICS)
            lines.append(f"| {name} | {label} | {r['n']} | {cells} | {r.get('p50_ms', '')} | {r.get('p95_ms', '')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="use this existing index instead of a cold ingest")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="test",
                        help="which half of each question set (default: test, the held-out half)")
    parser.add_argument("--sets", default=",".join(RETRIEVAL_SETS),
                        help=f"comma-separated question sets (default: all of {', '.join(RETRIEVAL_SETS)})")
    args = parser.parse_args(argv)
    sets = [name.strip() for name in args.sets.split(",") if name.strip()]
    if not sets or (unknown := [name for name in sets if name not in RETRIEVAL_SETS]):
        parser.error(f"--sets: unknown set(s) {', '.join(unknown) if sets else '(none given)'}; choose from {', '.join(RETRIEVAL_SETS)}")

    timings: dict = {}
    tmp = None
    if args.data_dir:
        settings = load_settings(data_dir=args.data_dir)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="rag-bench-"))
        settings = load_settings(data_dir=tmp, progress=False)
        t0 = time.perf_counter()
        report, cold = ingest(settings)
        timings["cold_ingest_s"] = round(time.perf_counter() - t0, 2)
        timings["cold_embed_s"] = round(cold.embed_seconds, 2)
        timings["chunks"] = cold.chunks
        timings["papers"] = cold.papers
        t0 = time.perf_counter()
        _, warm = ingest(settings)
        timings["reingest_unchanged_s"] = round(time.perf_counter() - t0, 2)
        timings["reingest_embedded"] = warm.embedded
    try:
        engine = Engine(settings)
        engine.search("warm-up query about language models")
        results = run_sets(engine, sets=sets, split=args.split)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    print(f"split: {args.split} (± is the half-width of the 95% bootstrap band over questions)")
    for key, value in timings.items():
        print(f"{key}: {value}")
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "split": args.split, "timings": timings, "results": results}, indent=2))


if __name__ == "__main__":
    main()
