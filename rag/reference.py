"""A reference-list entry or BibTeX record pasted with a question: which paper it cites.

Researchers ask about papers from their reference lists: "[7] N. Srivastava, G. Hinton, …,
"Dropout: …," JMLR, 2014. What does [7] recommend …?" or a BibTeX record followed by "What does
this paper show?". Searched as written, the entry's authors, venue and pages are noise: its
venue's capitalised words read as technical names no abstract holds ("IEEE", "CVF": refused),
and an author's given name as an unknown name. The entry names one paper, by its title. This
module finds that title (the BibTeX `title` field; in a formatted entry, the quoted title of
IEEE/MLA styles, or the title after "(2024). " (APA) or ". 2024. " (ACL, natbib)) and the rest of
the message, the question. The caller asks the question about the title when it is indexed and
says it is not when it is not. Pure string work; nothing here names a paper.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_BIBTEX_START = re.compile(
    r"@(?:article|inproceedings|incollection|inbook|misc|book|proceedings|phdthesis|mastersthesis|techreport|unpublished"
    r"|conference|online|software)\s*\{", re.I)
_TITLE_FIELD = re.compile(r"(?<![a-z])title\s*=\s*", re.I)
_YEAR = r"(?:19|20)\d\d[a-z]?"
# Where a formatted entry's title starts: after "(2024). " (APA) or "Abbeel. 2020. " (ACL, natbib).
_APA = re.compile(rf"\(\s*{_YEAR}\s*\)\.\s+")
_ACL = re.compile(rf"(?<=[\w.)])\.\s+{_YEAR}\.\s+")
# ... or in quotes, as IEEE and MLA write it: "Dropout: A simple way to …," / “…”.
_QUOTED_TITLE = re.compile(r"[\"“]([^\"“”]{12,300}?)[,.]?[\"”]")
# Authors before the title: initials ("N. Srivastava", "Li, B."), "et al." or "A and B".
_AUTHORS = re.compile(r"\b[A-Z]\.\s|\bet al\.|\b[A-Z][a-z]+,\s+[A-Z]\.|\b[A-Z][\w'-]+,? (?:and|&) [A-Z]")
_HAS_YEAR = re.compile(rf"\b{_YEAR}\b")
# The entry's tail after its title: venue, volume, pages, publisher, links.
_VENUE = re.compile(r"\b(?:In\b|Proceedings|Proc\.|Conference|Journal|Transactions|Workshop|arXiv|preprint|vol\.|no\.|pp\.|"
                    r"pages|Press|PMLR|IEEE|ACM|Springer|Association|doi|https?://|NeurIPS|ICML|ICLR|CVPR|ACL|EMNLP)", re.I)
# ... which a title never starts as ("In Proc. …": an entry whose title is missing).
_VENUE_START = re.compile(r"(?:In|Proc\.?|Proceedings|arXiv)\s")
_ENTRY_NUMBER = re.compile(r"^\s*\[\d{1,3}\]\s*")


class Reference(NamedTuple):
    """A cited paper's title as the entry gives it, and the message without the entry (the question;
    empty when the message is only the entry)."""

    title: str
    question: str


def _balanced(text: str, start: int) -> int:
    """The index just past the brace group that opens at text[start] == "{" (len(text) if unclosed)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def _clean_title(title: str) -> str:
    """LaTeX braces and escapes dropped, spaces folded, trailing punctuation cut."""
    title = re.sub(r"\\[a-zA-Z]+\s*|[{}\\]", "", title)
    return " ".join(title.split()).strip(" ,.;")


def _bibtex(text: str) -> Reference | None:
    match = _BIBTEX_START.search(text)
    if not match:
        return None
    end = _balanced(text, match.end() - 1)
    entry = text[match.start():end]
    field = _TITLE_FIELD.search(entry)
    if not field:
        return None
    value_start = field.end()
    if value_start < len(entry) and entry[value_start] == "{":
        title = entry[value_start + 1:_balanced(entry, value_start) - 1]
    elif value_start < len(entry) and entry[value_start] == '"':
        close = entry.find('"', value_start + 1)
        title = entry[value_start + 1:close if close > 0 else len(entry)]
    else:
        return None
    title = _clean_title(title)
    if len(title.split()) < 2:
        return None
    return Reference(title, " ".join(f"{text[:match.start()]} {text[end:]}".split()))


def _title_after(paragraph: str, start: int) -> tuple[str, int]:
    """The title that starts at `start` (it ends at the first ". " or "? ", or the paragraph's end),
    and where it ends."""
    match = re.compile(r"(?<=[^\s.])([.?!])(?:\s|$)").search(paragraph, start)
    end = match.end(1) if match else len(paragraph)
    title = paragraph[start:end]
    return _clean_title(title if title.endswith("?") else title.rstrip(".!")), end


def _formatted(paragraph: str) -> tuple[str, int, int] | None:
    """A formatted reference entry in one paragraph: its title and the span of the entry."""
    body = _ENTRY_NUMBER.sub("", paragraph)
    offset = len(paragraph) - len(body)
    candidates: list[tuple[str, int, int]] = []  # title, where it starts, where it ends
    for pattern in (_APA, _ACL):
        if match := pattern.search(body):
            title, end = _title_after(body, match.end())
            candidates.append((title, match.start(), end))
    if match := _QUOTED_TITLE.search(body):
        candidates.append((_clean_title(match.group(1)), match.start(), match.end()))
    for title, start, end in sorted(candidates, key=lambda c: c[1]):
        authors = body[:start]
        if len(title.split()) < 2 or _VENUE_START.match(title) or not _AUTHORS.search(authors) or not _HAS_YEAR.search(body):
            continue
        # the entry runs on through its venue, pages and year, up to the first sentence that is not
        # part of it (the question, when the two share a paragraph)
        tail_end = end
        for sentence in re.finditer(r"[^.?!]*(?:[.?!]+|$)", body[end:]):
            piece = sentence.group(0)
            if not piece.strip():
                continue
            if "?" in piece or not (_VENUE.search(piece) or _HAS_YEAR.search(piece) or len(piece.split()) <= 3):
                break
            tail_end = end + sentence.end()
        return title, 0, offset + tail_end
    return None


def find_reference(text: str) -> Reference | None:
    """The paper a pasted reference entry cites, and the question around it; None when the text holds
    no entry (a title written in quotes with no authors or year is not one: the retriever reads those)."""
    if found := _bibtex(text):
        return found
    paragraphs = [p for p in re.split(r"\n\s*\n|\n(?=\s*\[\d{1,3}\])", text) if p.strip()]
    if len(paragraphs) == 1:
        paragraphs = [line for line in text.splitlines() if line.strip()] or paragraphs
    for i, paragraph in enumerate(paragraphs):
        if entry := _formatted(paragraph):
            title, start, end = entry
            rest = [*paragraphs[:i], paragraph[:start] + paragraph[end:], *paragraphs[i + 1:]]
            return Reference(title, " ".join(" ".join(rest).split()))
    return None
