"""Which questions one refusal rule of the evidence policy meets, answerable or not.

A rule that refuses (rag.evidence.EvidencePolicy.rule_verdict) is kept only when the questions it meets on dev and
the validation batches are unanswerable ones; this counts them, so the counts quoted in rag/evidence.py's docstrings
and docs/evaluation-history.md can be re-run:

    RAG_DATA_DIR=<a seeds index> python -m eval.rule_catches unstated_metric

Each question is read as ask reads it (the question inside a paste), searched for its top 5 papers, and given to
the rule alone (not the whole pipeline: a follow-up is read without its history, a misspelt name uncorrected).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections import Counter
from pathlib import Path

from eval.datasets import load_questions, questions_from
from rag.paste import find_question

SETS = ("plain", "paraphrase", "multi", "unanswerable", "near_miss", "partial", "adversarial", "paste", "lookup", "followup")
VALIDATION_DIR = Path(__file__).with_name("validation")


def _batch_questions(directory: Path | None, split: str | None) -> list[dict]:
    out = []
    with questions_from(directory) as folder:
        for name in SETS:
            if (folder / f"{name}.jsonl").exists():
                out += [q for q in load_questions(name, split) if q.get("question")]
    return out


def questions(batches: list[Path]) -> list[tuple[str, dict]]:
    """(where, record) for dev's questions and every question of the given batch folders."""
    found = [("dev", q) for q in _batch_questions(None, "dev")]
    for batch in batches:
        found += [(batch.name, q) for q in _batch_questions(batch, None)]
    return found


def rule_catches(engine, rule: str, batches: list[Path]) -> list[tuple[str, dict, object]]:
    """(where, record, what the rule returned) for each question the rule meets."""
    policy = engine.assistant.policy
    method = getattr(policy, rule)
    with_signals = "signals" in inspect.signature(method).parameters
    caught = []
    for where, record in questions(batches):
        text = find_question(record["question"]).question
        hits = engine.retriever.search(text, k=5)
        if not hits:
            continue
        verdict = method(text, hits, policy.signals(text, hits, [])) if with_signals else method(text, hits)
        if verdict:
            caught.append((where, record, verdict))
    return caught


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rule", help="an EvidencePolicy method: unstated_metric, introduced_by_none, used_not_introduced …")
    parser.add_argument("--batches", nargs="*", type=Path, default=sorted(p for p in VALIDATION_DIR.glob("dev-*") if p.is_dir()),
                        help="validation batch folders [default: all of eval/validation/dev-*]")
    args = parser.parse_args(argv)
    from rag.config import Settings
    from rag.pipeline import Engine

    engine = Engine(Settings())
    if not hasattr(engine.assistant.policy, args.rule):
        print(f"error: the evidence policy has no rule {args.rule!r}", file=sys.stderr)
        return 2
    caught = rule_catches(engine, args.rule, args.batches)
    counts = Counter(("answerable" if record.get("gold") else "unanswerable") for _, record, _ in caught)
    for where, record, verdict in caught:
        kind = "ANSWERABLE" if record.get("gold") else "unanswerable"
        print(f"{where}\t{kind}\t{record['id']}\t{verdict}\t{record['question'][:100]}")
    print(f"{args.rule}: {counts['unanswerable']} unanswerable, {counts['answerable']} answerable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
