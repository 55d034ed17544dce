"""Plain-text helpers shared by chunking, lexical search and (later) answer building."""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence.
_NO_BREAK = ("e.g", "i.e", "et al", "etc", "vs", "cf", "fig", "eq", "no", "approx", "resp", "incl", "w.r.t", "i.i.d")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9$\\])")


def split_sentences(text: str) -> list[str]:
    """Split an abstract into sentences without breaking on 'e.g.', 'et al.', decimals or URLs."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip()
        tail = candidate.rsplit(" ", 1)[-1].lstrip("([{\"'").rstrip(".!?").casefold()
        if tail in _NO_BREAK or len(tail) == 1 and tail.isalpha():
            continue  # "e.g." / "et al." / an initial such as "J."
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences
