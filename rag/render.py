"""Answers as text a person reads (terminal, Markdown) and as the JSON the CLI promises."""

from __future__ import annotations

import csv
import io

from rag.links import link_for, paper_link
from rag.types import Answer, Comparison, Lookup


def sources_block(answer: Answer) -> str:
    """'[n] Exact Title — link' for every citation, flagged where the check failed."""
    lines = []
    for c in answer.citations:
        link = f" — {paper_link(c.title, c.url).url}"  # its own URL, else an arXiv title search
        code = f" (code: {c.code_url})" if c.code_url else ""
        flag = "" if c.supported else f"  ⚠ not clearly supported (support {c.support:.2f})"
        lines.append(f"[{c.n}] {c.title}{link}{code}{flag}")
    return "\n".join(lines)


def answer_footer(answer: Answer) -> str:
    parts = []
    if answer.citations:
        parts.append("Sources:\n" + sources_block(answer))
    for note in answer.notes:
        parts.append(f"Note: {note}")
    model = f" ({answer.model})" if answer.model else ""
    timing = ", ".join(f"{k.removesuffix('_ms')} {v:.0f} ms" for k, v in answer.timings_ms.items())
    level = "" if answer.evidence == "strong" else f"; evidence {answer.evidence}"
    parts.append(f"— answered by {answer.answerer}{model}{level}" + (f"; {timing}" if timing else ""))
    return "\n\n".join(parts)


def answer_json(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "searched_question": answer.searched_question,
        "answer": answer.text,
        "preface": answer.preface,
        "answerer": answer.answerer,
        "model": answer.model,
        "abstained": answer.abstained,
        "evidence": answer.evidence,
        "evidence_probability": answer.evidence_probability,
        "citations": [
            {"n": c.n, "title": c.title, "url": c.url, "supported": c.supported, "support": c.support}
            for c in answer.citations
        ],
        "dropped_citations": list(answer.dropped_citations),
        "notes": list(answer.notes),
        "rewritten_question": answer.rewritten_question,
        "hits": [{"title": h.paper.title, "score": h.score} for h in answer.hits],
        "timings_ms": answer.timings_ms,
    }


def lookup_text(lookup: Lookup) -> str:
    if lookup.abstained or lookup.paper is None:
        closest = "; ".join(f"“{p.title}”" for p, _ in lookup.runner_ups)
        why = f" ({lookup.reason[0].upper()}{lookup.reason[1:]}.)" if lookup.reason else ""
        return "\n".join([*lookup.notes, "The indexed abstracts don't name a paper for this." + why + (f" Closest: {closest}." if closest else "")])
    lines = [*lookup.notes, f"{lookup.paper.title}  (confidence {lookup.confidence:.2f})"]
    if lookup.paper.url:
        lines.append(f"  {lookup.paper.url}")
    if lookup.evidence:
        lines.append(f"  “{lookup.evidence}”")
    if lookup.runner_ups:
        lines.append("Runner-ups:")
        lines.extend(f"  {p.title}  ({c:.2f})" for p, c in lookup.runner_ups)
    return "\n".join(lines)


def lookup_json(lookup: Lookup) -> dict:
    return {
        "question": lookup.question,
        "title": lookup.paper.title if lookup.paper else None,
        "url": lookup.paper.url if lookup.paper else None,
        "confidence": lookup.confidence,
        "evidence": lookup.evidence,
        "abstained": lookup.abstained,
        "reason": lookup.reason,
        "notes": list(lookup.notes),
        "runner_ups": [{"title": p.title, "confidence": c} for p, c in lookup.runner_ups],
    }


def _cell(text: str, citation: int | None) -> str:
    return f"{text} [{citation}]" if citation else text


def comparison_markdown(comparison: Comparison) -> str:
    header = "| paper | " + " | ".join(comparison.columns) + " |"
    lines = [header, "|" + "---|" * (len(comparison.columns) + 1)]
    for row in comparison.rows:
        cells = [_cell(row.cells[c].text, row.cells[c].citation).replace("|", "\\|") for c in comparison.columns]
        lines.append(f"| [{row.n}] {row.paper.title.replace('|', '/')} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.extend(f"[{row.n}] {row.paper.title} — {link_for(row.paper).url}" for row in comparison.rows)
    return "\n".join(lines)


def comparison_csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["n", "paper", *comparison.columns])
    for row in comparison.rows:
        writer.writerow([row.n, row.paper.title, *(_cell(row.cells[c].text, row.cells[c].citation) for c in comparison.columns)])
    return out.getvalue()


def comparison_json(comparison: Comparison) -> dict:
    return {
        "topic": comparison.topic,
        "columns": list(comparison.columns),
        "rows": [
            {
                "n": row.n,
                "title": row.paper.title,
                "cells": {c: {"text": row.cells[c].text, "citation": row.cells[c].citation} for c in comparison.columns},
            }
            for row in comparison.rows
        ],
    }
