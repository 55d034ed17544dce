"""Retrieval benchmark: recall@1/5/10 and MRR per question set for dense, BM25, plain RRF
and our gated hybrid, plus ingest time and query latency. Prints a Markdown table.

    python -m eval.retrieval_bench                 # cold ingest into a temp dir, then all sets
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
from eval.datasets import RETRIEVAL_SETS, load_questions
from eval.metrics import hit_at, percentile, recall_at, reciprocal_rank
from rag.config import load_settings
from rag.pipeline import Engine, ingest
from rag.retrieve import HybridRetriever

METHODS = ("dense", "bm25", "rrf", "hybrid")


def _retrievers(engine: Engine) -> dict[str, tuple[HybridRetriever, str]]:
    s = engine.settings
    plain_rrf = HybridRetriever(engine.index, engine.embedder, candidates=s.candidates, rrf_k=s.rrf_k, fusion="rrf")
    return {
        "dense": (engine.retriever, "dense"),
        "bm25": (engine.retriever, "lexical"),
        "rrf": (plain_rrf, "hybrid"),
        "hybrid": (engine.retriever, "hybrid"),
    }


def run_sets(engine: Engine, sets=RETRIEVAL_SETS) -> dict:
    results: dict = {}
    retrievers = _retrievers(engine)
    for name in sets:
        questions = load_questions(name)
        for method, (retriever, mode) in retrievers.items():
            r1 = r5 = r10 = mrr = 0.0
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
                r1 += at(ranked, gold, 1)
                r5 += at(ranked, gold, 5)
                r10 += at(ranked, gold, 10)
                mrr += reciprocal_rank(ranked, gold)
                if method == "hybrid" and not hit_at(ranked, gold, 5):
                    misses.append(q["id"])
            n = len(questions)
            results.setdefault(name, {})[method] = {
                "n": n,
                "recall@1": round(r1 / n, 3),
                "recall@5": round(r5 / n, 3),
                "recall@10": round(r10 / n, 3),
                "mrr": round(mrr / n, 3),
                "p50_ms": round(percentile(latencies, 50), 1),
                "p95_ms": round(percentile(latencies, 95), 1),
                **({"missed@5": misses} if method == "hybrid" else {}),
            }
    # All single-gold questions pooled: the headline "your question set".
    pooled = {}
    for method in METHODS:
        rows = [results[s][method] for s in sets if s != "multi"]
        total = sum(r["n"] for r in rows)
        pooled[method] = {
            "n": total,
            **{m: round(sum(r[m] * r["n"] for r in rows) / total, 3) for m in ("recall@1", "recall@5", "recall@10", "mrr")},
        }
    results["all_single"] = pooled
    return results


def markdown(results: dict) -> str:
    lines = ["| set | method | n | R@1 | R@5 | R@10 | MRR | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|---|---|"]
    for name, by_method in results.items():
        for method in METHODS:
            r = by_method[method]
            label = f"**{method}**" if method == "hybrid" else method
            lines.append(
                f"| {name} | {label} | {r['n']} | {r['recall@1']:.2f} | {r['recall@5']:.2f} | {r['recall@10']:.2f} | {r['mrr']:.2f} | "
                f"{r.get('p50_ms', '')} | {r.get('p95_ms', '')} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="use this existing index instead of a cold ingest")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)

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
        results = run_sets(engine)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    for key, value in timings.items():
        print(f"{key}: {value}")
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "timings": timings, "results": results}, indent=2))


if __name__ == "__main__":
    main()
