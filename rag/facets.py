"""The parts a topic or a question lists, and the paper each part finds: "slimming down vision-language models for
modest hardware: distilling into a small model, compressing image tokens, parameter-free fusion" asks for a paper per
method. Searched as one text, such a topic finds the papers its head words favour (dev-111: `rag compare` kept 8
papers, 1 of the 3 it lists); each part searched alone finds its own.

A part's paper counts only when that part alone finds it first by meaning and by words alike, and the whole text finds
it too: "reward signals" alone is any reinforcement-learning paper."""

from __future__ import annotations

import re
from typing import Iterable

# What a list opens on: a colon, a bracket, "such as" / "like" / "e.g." / "including", or (in a question) a comma before
# "by …", "one …", "via …" ("which papers make multimodal LLMs cheaper to run, by skipping redundant tokens …, by a
# parameter-free cross-attention fusion, or by a phone-sized model").
_LIST_OPENS = re.compile(r"(?::\s*|\s+\(|,?\s+(?:such as|like|e\.g\.,?|including|for example)\s+"
                         r"|,\s+(?=(?:by|one|via|through|using)\s))", re.I)
_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|versus|vs\.?)\s+", re.I)
_PART_LEAD = re.compile(r"^(?:by|one|via|through|using)\s+", re.I)
# "…, and how do they differ?": what the question asks of the list, not a part of it
_ASKS_AFTER = re.compile(r",?\s*(?:and|so)\s+(?:how|what|which|where|why|do|does|is|are)\b.*$", re.I)
MIN_HEAD_CHARS = 8
MAX_PARTS = 8


def listed_parts(text: str) -> tuple[str, list[str]]:
    """The text's head and the 2 to MAX_PARTS parts it lists after it, or (text, []) when it lists none."""
    body = _ASKS_AFTER.sub("", text.strip().rstrip("?.!"))
    m = _LIST_OPENS.search(body)
    if not m or m.start() < MIN_HEAD_CHARS or "(" in body[:m.start()] or ":" in body[:m.start()]:
        return text, []
    parts = [_PART_LEAD.sub("", " ".join(p.split())) for p in _LIST_SEPARATOR.split(body[m.end():].strip().rstrip(")."))]
    parts = [p for p in parts if p]
    return (body[:m.start()], parts) if 2 <= len(parts) <= MAX_PARTS else (text, [])


def papers_by_part(retriever, text: str, among: Iterable[str], filters=None) -> list[tuple[str, str]]:
    """(part, paper id) for each part `text` lists (listed_parts) that finds a paper first by meaning and by words alike,
    among the ids `among` (what the whole text found) and not found by an earlier part, in the order of the parts."""
    head, parts = listed_parts(text)
    among = set(among)
    found: list[tuple[str, str]] = []
    for part in parts:
        # (a part of one word is searched with the head: "mixtures" of what)
        hits = retriever.search(part if len(part.split()) >= 2 else f"{part} {head}", k=3, filters=filters)
        if hits and hits[0].dense_rank == hits[0].lexical_rank == 1 and hits[0].paper.paper_id in among \
                and all(pid != hits[0].paper.paper_id for _, pid in found):
            found.append((part, hits[0].paper.paper_id))
    return found

