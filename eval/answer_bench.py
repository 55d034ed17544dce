"""Answer benchmark: does `ask` cite a gold paper, abstain when it should, never cite a
paper it did not retrieve; does `cite` (lookup) name the right paper first?

    python -m eval.answer_bench [--data-dir DIR] [--answerer extractive|openai|local] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import rag  # noqa: F401
from eval.datasets import load_questions
from eval.metrics import percentile
from rag.config import load_settings
from rag.pipeline import Engine, ingest

ANSWERABLE = ("plain", "paraphrase", "near_miss", "multi", "lookup")


def run(engine: Engine, answerer: str | None) -> dict:
    assistant = engine.assistant
    out: dict = {"per_set": {}, "failures": []}
    total_answerable = cited_gold = false_abstain = hallucinated = citations = unsupported = 0
    latencies = []
    for name in ANSWERABLE:
        n = ok = abst = 0
        for q in load_questions(name):
            t0 = time.perf_counter()
            answer = assistant.ask(q["question"], answerer=answerer)
            latencies.append((time.perf_counter() - t0) * 1000)
            retrieved = {h.paper.title for h in answer.hits}
            cited = {c.title for c in answer.citations}
            hallucinated += len(cited - retrieved)
            citations += len(answer.citations)
            unsupported += sum(1 for c in answer.citations if not c.supported)
            n += 1
            if answer.abstained:
                abst += 1
                out["failures"].append({"id": q["id"], "why": "abstained", "text": answer.text[:200]})
            elif cited & set(q["gold"]):
                ok += 1
            else:
                out["failures"].append({"id": q["id"], "why": "no gold cited", "cited": sorted(cited)})
        out["per_set"][name] = {"n": n, "cites_gold": round(ok / n, 3), "abstained": round(abst / n, 3)}
        total_answerable += n
        cited_gold += ok
        false_abstain += abst
    unanswerable = load_questions("unanswerable")
    abstained = 0
    for q in unanswerable:
        answer = assistant.ask(q["question"], answerer=answerer)
        abstained += answer.abstained
        if not answer.abstained:
            out["failures"].append({"id": q["id"], "why": "answered an unanswerable question", "cited": [c.title for c in answer.citations]})
    lookups = load_questions("lookup") + [q for q in load_questions("plain") if q.get("lookup")]
    top1 = 0
    for q in lookups:
        result = assistant.lookup(q["question"])
        top1 += bool(result.paper and result.paper.title in q["gold"])
    out["summary"] = {
        "answerable": total_answerable,
        "cites_gold_paper": round(cited_gold / total_answerable, 3),
        "false_abstain": round(false_abstain / total_answerable, 3),
        "unanswerable": len(unanswerable),
        "abstains_when_unanswerable": round(abstained / len(unanswerable), 3),
        "hallucinated_citations": hallucinated,
        "citations": citations,
        "unsupported_citations": unsupported,
        "lookup_questions": len(lookups),
        "lookup_top1": round(top1 / len(lookups), 3),
        "ask_p50_ms": round(percentile(latencies, 50), 1),
        "ask_p95_ms": round(percentile(latencies, 95), 1),
    }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--answerer", default=None)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    tmp = None
    if args.data_dir:
        settings = load_settings(data_dir=args.data_dir)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="rag-answer-bench-"))
        settings = load_settings(data_dir=tmp, progress=False)
        ingest(settings)
    try:
        result = run(Engine(settings), args.answerer)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    for key, value in result["summary"].items():
        print(f"{key}: {value}")
    for name, row in result["per_set"].items():
        print(f"  {name}: {row}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
