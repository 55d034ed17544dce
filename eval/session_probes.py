"""Probes behind the figures a session measured but did not ship (eval/results/session49_dropped.json), and the
aggregate counts it read off `rag eval` reports of batches it may not read question by question.

Each reads `rag eval` reports (`--out DIR` writes DIR/report.json with every question's answer), so the figures can be
re-run on any index of seeds/:

    RAG_DATA_DIR=<index> rag eval --questions eval/validation/dev-112 --out /tmp/d112
    python -m eval.session_probes reasons /tmp/d112/report.json /tmp/d113/report.json
    python -m eval.session_probes strong-wrong /tmp/test/report.json            # after rag eval --split test
    RAG_DATA_DIR=<index> python -m eval.session_probes strong-signals REPORT ...  # dev and the tuning batches
    RAG_DATA_DIR=<index> python -m eval.session_probes compare-curve REPORT ...
    RAG_DATA_DIR=<index> python -m eval.session_probes facets REPORT ...
    python -m eval.session_probes multi-ranks REPORT ...                         # dev and the tuning batches
    python -m eval.session_probes top-cited REPORT ...
    RAG_DATA_DIR=<index> python -m eval.session_probes named-refusals REPORT ...

`reasons` prints counts only (no question, answer or id), so it may read the count-only batches.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

MAX_PAPERS = 8
# What a refusal says, in its parentheses, and the kind of refusal it is.
_REASONS = (
    ("does not clearly answer", "the model: the named paper is indexed, its abstract not close"),
    ("clearly answers", "the model: no abstract close enough"),
    ("no number", "the number rule"),
    ("names no model", "the model-choice rule"),
    ("mentions", "a name or term no abstract holds"),
)


def _questions(paths: list[Path]) -> list[dict]:
    return [q for path in paths for q in json.loads(path.read_text(encoding="utf-8"))["questions"]]


def refusal_reasons(questions: list[dict]) -> dict[str, int]:
    """Answerable questions refused (evidence `none`), counted by question type and the kind of reason given."""
    counts: Counter = Counter()
    for q in questions:
        if q["type"] in ("unanswerable", "compare") or q.get("mode") != "ask" or q["ours"].get("evidence") != "none":
            continue
        said = (m.group(1) if (m := re.search(r"\((.*?)\)", q["ours"].get("answer", ""))) else "")
        kind = next((k for cue, k in _REASONS if cue in said), "another rule")
        counts[f"{q['type']}: {kind}"] += 1
    return dict(sorted(counts.items()))


def strong_wrong(questions: list[dict]) -> dict[str, dict[str, int]]:
    """Answers to questions with a gold paper (not multi-paper or compare), by type and level: gold cited or not."""
    out: dict[str, Counter] = {}
    for q in questions:
        if not q.get("gold") or q["type"] in ("compare", "multi") or q.get("mode") != "ask":
            continue
        o = q["ours"]
        cited = {c["title"] for c in o.get("citations", [])}
        out.setdefault(q["type"], Counter())[f"{o.get('evidence')}, {'gold cited' if set(q['gold']) & cited else 'other paper'}"] += 1
    return {t: dict(sorted(c.items())) for t, c in sorted(out.items())}


def _engine():
    from rag.config import Settings
    from rag.pipeline import Engine

    return Engine(Settings())


def strong_signals(questions: list[dict]) -> dict:
    """For `strong` answers to paraphrases and plain questions with a gold paper, by type: the mean evidence signals, model
    probability and the top paper's dense rank when the answer cites the gold paper and when it cites another; and what
    demoting those under a cosine gap of 0.02 to the second paper would move."""
    assistant = _engine().assistant
    rows = []
    for q in questions:
        o = q["ours"]
        if q["type"] not in ("paraphrase", "plain") or o.get("evidence") != "strong" or not q.get("gold"):
            continue
        hits = assistant.retriever.search(q["question"], k=MAX_PAPERS)
        if not hits:
            continue
        signals = assistant.assess(q["question"], hits).signals
        rows.append((q["type"], bool(set(q["gold"]) & {c["title"] for c in o.get("citations", [])}),
                     o.get("evidence_probability") or 0.0, signals, hits[0].dense_rank or 99))
    out: dict = {}
    for kind in ("paraphrase", "plain"):
        part: dict = {}
        for right in (True, False):
            sel = [r for r in rows if r[0] == kind and r[1] == right]
            if sel:
                part["gold cited" if right else "other paper"] = {
                    "answers": len(sel), "evidence_probability": round(sum(r[2] for r in sel) / len(sel), 3),
                    "dense_gap": round(sum(r[3]["dense_gap"] for r in sel) / len(sel), 3),
                    "dense_spread": round(sum(r[3]["dense_spread"] for r in sel) / len(sel), 3),
                    "top_paper_dense_rank": round(sum(r[4] for r in sel) / len(sel), 2)}
        part["under a gap of 0.02"] = dict(Counter("gold cited" if r[1] else "other paper" for r in rows
                                                   if r[0] == kind and r[3]["dense_gap"] < 0.02))
        out[kind] = part
    return out


def _topics(questions: list[dict]) -> list[dict]:
    """Compare topics (named-title topics left out: they skip the bars)."""
    return [q for q in questions if q["type"] == "compare" and ";" not in q["question"]]


def _kept(titles: list[str], probabilities, bar: float) -> list[str]:
    return [t for i, (t, p) in enumerate(zip(titles, probabilities)) if p >= bar or i == 0][:MAX_PAPERS]


def compare_curve(questions: list[dict], bars=(0.005, 0.01, 0.02, 0.05, 0.08, 0.11, 0.13, 0.15, 0.16, 0.2)) -> dict:
    """The needed papers among the CANDIDATES retrieved; a topic's papers kept (mean share) and rows per needed paper, for the shipped candidates (plain search, relevance
    model) and for topic search with the list model, at each bar; and the paired difference at the shipped compare bar
    against the list model at 0.15, with a 95% bootstrap band (2,000 resamples, seed 0)."""
    from rag.compare import CANDIDATES
    from rag.types import Source

    assistant = _engine().assistant
    policy = assistant.policy
    records = []
    for q in _topics(questions):
        rec = {"gold": set(q["gold"])}
        for name, topic in (("plain", False), ("topic", True)):
            hits = assistant.retriever.search(q["question"], k=CANDIDATES, topic=topic)
            scored = assistant.scorer.score(q["question"], [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)])
            signals = policy.paper_signals(q["question"], hits, scored)
            rec[name] = ([h.paper.title for h in hits], policy.model.relevance.probabilities(signals),
                         policy.model.list_relevance.probabilities(signals))
        records.append(rec)

    def measure(name: str, which: int, bar: float) -> tuple[list[float], float]:
        covers, rows = [], []
        for rec in records:
            keep = _kept(rec[name][0], rec[name][which], bar)
            covers.append(len(rec["gold"] & set(keep)) / len(rec["gold"]))
            rows.append(len(keep))
        gold = sum(len(r["gold"]) for r in records) / len(records)
        return covers, sum(rows) / len(rows) / gold

    needed = sum(len(r["gold"]) for r in records)
    out: dict = {"topics": len(records), "needed papers among the candidates": {
        name: round(sum(len(r["gold"] & set(r[name][0])) for r in records) / needed, 4) for name in ("plain", "topic")}}
    for name, which, label in (("plain", 1, "plain search, relevance model"), ("topic", 2, "topic search, list model")):
        out[label] = {str(bar): [round(sum(c) / len(c), 4), round(r, 3)] for bar in bars for c, r in [measure(name, which, bar)]}
    shipped, _ = measure("plain", 1, policy.model.compare_from)
    listed, _ = measure("topic", 2, 0.15)
    diffs = [b - a for a, b in zip(shipped, listed)]
    rng = random.Random(0)
    means = sorted(sum(rng.choice(diffs) for _ in diffs) / len(diffs) for _ in range(2000))
    out["paired difference at 0.15"] = {"mean": round(sum(diffs) / len(diffs), 4), "band_95": [round(means[50], 4), round(means[1949], 4)],
                                        "up": sum(d > 0 for d in diffs), "down": sum(d < 0 for d in diffs)}
    return out


def facets(questions: list[dict]) -> dict:
    """For "head: facet, facet and facet" compare topics: the needed papers the table missed that one search of
    "head: facet" (top 3) finds, by the rank it finds them at."""
    assistant = _engine().assistant
    shaped = re.compile(r"^(?P<head>[^:]{3,}):\s*(?P<list>.+)$")
    counts: Counter = Counter()
    for q in _topics(questions):
        m = shaped.match(q["question"])
        if not m:
            continue
        counts["topics"] += 1
        rows = {r["title"] if isinstance(r, dict) else r for r in q["ours"].get("rows", [])}
        found: dict[str, int] = {}
        for facet in filter(None, (f.strip() for f in re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", m.group("list")))):
            for rank, hit in enumerate(assistant.retriever.search(f"{m.group('head')}: {facet}", k=3), start=1):
                found[hit.paper.title] = min(found.get(hit.paper.title, rank), rank)
        for title in q["gold"]:
            counts["needed"] += 1
            if title in rows:
                counts["in the table"] += 1
            elif title in found:
                counts[f"missed, found at facet rank {found[title]}"] += 1
            else:
                counts["missed, not found"] += 1
    return dict(sorted(counts.items()))


def multi_ranks(questions: list[dict]) -> dict:
    """The papers multi-paper questions need: cited, retrieved but not cited (by their rank among the hits), or not
    retrieved at all (fiftieth session: where "which papers …" answers lose their papers)."""
    counts: Counter = Counter()
    ranks: Counter = Counter()
    for q in questions:
        if q["type"] != "multi" or q.get("mode") != "ask":
            continue
        hits = [h["title"] for h in q["ours"].get("hits", [])]
        cited = {c["title"] for c in q["ours"].get("citations", [])}
        for gold in q["gold"]:
            if gold in cited:
                counts["cited"] += 1
            elif gold in hits:
                counts["retrieved, not cited"] += 1
                ranks[hits.index(gold) + 1] += 1
            else:
                counts["not retrieved"] += 1
    return {**dict(sorted(counts.items())), "retrieved, not cited, by rank": dict(sorted(ranks.items()))}


def top_cited(questions: list[dict]) -> dict[str, dict[str, int]]:
    """Answered single-paper questions with a gold paper, by type: whether the answer cites the first paper retrieved,
    and whether the gold paper is that paper, is cited otherwise, or is not cited (fiftieth session: would quoting the
    first paper retrieved first help, for a question whose paper is found first but quoted from others?)."""
    out: dict[str, Counter] = {}
    for q in questions:
        o = q["ours"]
        if q["type"] not in ("plain", "paraphrase", "followup") or not q.get("gold") or q.get("mode") != "ask" \
                or o.get("abstained") or not o.get("hits") or not o.get("citations"):
            continue
        top, gold = o["hits"][0]["title"], set(q["gold"])
        cited = {c["title"] for c in o["citations"]}
        where = "gold is the top paper" if top in gold else ("gold cited" if gold & cited else "gold not cited")
        out.setdefault(q["type"], Counter())[f"top paper {'cited' if top in cited else 'not cited'}, {where}"] += 1
    return {t: dict(sorted(c.items())) for t, c in sorted(out.items())}


def named_refusals(questions: list[dict]) -> dict[str, int]:
    """Refusals that say a named paper "is indexed, but its abstract does not clearly answer this" (not compare topics
    or follow-ups), by whether the question is answerable and by the number signals (asks_number, number_missing) of
    the policy: would stating every asked number tell the answerable ones apart? (fiftieth session)"""
    assistant = _engine().assistant
    counts: Counter = Counter()
    for q in questions:
        o = q["ours"]
        if q["type"] in ("compare", "followup") or q.get("mode") != "ask" \
                or "is indexed, but its abstract does not clearly answer this" not in (o.get("answer") or ""):
            continue
        signals = assistant.assess(q["question"], assistant.retriever.search(q["question"], k=MAX_PAPERS)).signals
        kind = "unanswerable" if q["type"] == "unanswerable" else "answerable"
        counts[f"{kind}, asks a number {int(signals.get('asks_number', 0))}, a number missing "
               f"{int(signals.get('number_missing', 0))}"] += 1
    return dict(sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", choices=("reasons", "strong-wrong", "strong-signals", "compare-curve", "facets", "multi-ranks",
                                          "top-cited", "named-refusals"))
    parser.add_argument("reports", nargs="+", type=Path, help="report.json files written by `rag eval --out DIR`")
    args = parser.parse_args(argv)
    probe = {"reasons": refusal_reasons, "strong-wrong": strong_wrong, "strong-signals": strong_signals,
             "compare-curve": compare_curve, "facets": facets, "multi-ranks": multi_ranks, "top-cited": top_cited,
             "named-refusals": named_refusals}[args.probe]
    print(json.dumps(probe(_questions(args.reports)), indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
