"""Answer benchmark: does `ask` cite a gold paper, abstain when it should, never cite a
paper it did not retrieve; does `cite` (lookup) name the right paper first?

A short view of `rag eval`: the same runner (eval/runner.py) asks the same questions and
scores them the same way; this prints only the answer numbers, ours beside the baseline's.

    python -m eval.answer_bench [--data-dir DIR] [--answerer auto|extractive|openai|local] [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import rag  # noqa: F401
from eval.runner import per_type, run_eval, summarize
from rag.config import load_settings
from rag.llm import resolve_answerer
from rag.pipeline import Engine, ingest

SETS = ("plain", "paraphrase", "near_miss", "multi", "lookup", "unanswerable")
SUMMARY_KEYS = ("answerable", "cites_gold", "abstention_false_abstain_rate", "unanswerable", "abstention_abstain_recall",
                "hallucinated_citations", "citations", "lookup_questions", "lookup_top1", "ask_p50_ms", "ask_p95_ms")


def _failures(records: list[dict]) -> list[dict]:
    """Our misses, one line each: why, and what was cited instead."""
    out = []
    for r in records:
        ours, gold = r["ours"], bool(r["gold"])
        if r["mode"] != "ask" or ours["scores"]["correct"]:
            continue
        cited = [c["title"] for c in ours.get("citations", [])]
        if not gold:
            out.append({"id": r["id"], "why": "answered an unanswerable question", "cited": cited})
        elif ours["abstained"]:
            out.append({"id": r["id"], "why": "abstained", "text": ours["answer"][:200]})
        else:
            out.append({"id": r["id"], "why": "no gold cited", "cited": cited})
    return out


def run(engine: Engine, answerer: str | None, limit: int | None = None) -> dict:
    """The runner over SETS (the questions `rag eval` reports on), without the LLM judge; ours and the
    baseline's headline numbers, ours per set, our unsupported citations and misses."""
    name = resolve_answerer(engine.settings, answerer)
    return report(run_eval(engine, name, list(SETS), limit=limit, judge=False).records, name)


def report(records: list[dict], name: str) -> dict:
    """What the bench prints, from the runner's records: `rag eval`'s own summary, not a second scorer."""
    summary = {system: summarize(records, system, judged=False, answerer=name) for system in ("ours", "baseline")}
    return {
        "answerer": name,
        "summary": {system: {k: summary[system].get(k) for k in SUMMARY_KEYS} for system in summary},
        "unsupported_citations": sum(
            1 for r in records for c in r["ours"].get("citations", []) if c.get("supported") is False
        ),
        "per_set": per_type(records, "ours", judged=False),
        "failures": _failures(records),
    }


def _show(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--answerer", default=None)
    parser.add_argument("--limit", type=int, default=None, help="At most N questions per set.")
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
        result = run(Engine(settings), args.answerer, args.limit)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"answerer: {result['answerer']}    ours | baseline")
    for key in SUMMARY_KEYS:
        print(f"{key}: {_show(result['summary']['ours'][key])} | {_show(result['summary']['baseline'][key])}")
    print(f"unsupported_citations (ours): {result['unsupported_citations']}")
    for name, row in result["per_set"].items():
        print(f"  {name}: n={row['n']} correct={_show(row['correct'])} abstained={_show(row['abstained'])}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
