"""RIS (.ris) as Zotero, EndNote, Mendeley and publishers write it, via rispy: TI/T1 title,
AB/N2 abstract, AU/A1 authors, PY/Y1/DA date, DO, UR, JO/T2/JF venue; multi-line fields joined.
rispy silently drops an entry without its `ER  -` end tag, so the tags are paired here first."""

from __future__ import annotations

import re
from pathlib import Path

from rag.errors import CorpusError
from rag.importers.base import Listing, make_listing, read_text
from rag.types import SkippedBlock

HINT = "every RIS entry starts with 'TY  - ' and ends with 'ER  - '; re-export the file or add the missing tag"
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -( |$)")


def _entry_lines(text: str, where: str) -> list[int]:
    """The 1-based line of each entry's TY tag, after checking each is closed by ER before the next."""
    starts: list[int] = []
    open_at = None
    seen_tag = False
    for number, line in enumerate(text.split("\n"), start=1):
        match = _TAG.match(line)
        if not match:
            continue
        seen_tag = True
        tag = match.group(1)
        if tag == "TY":
            if open_at is not None:
                raise CorpusError(f"{where}:{open_at}: RIS entry has no 'ER  -' end tag before the next entry (line {number})", hint=HINT)
            open_at = number
            starts.append(number)
        elif tag == "ER":
            if open_at is None:
                raise CorpusError(f"{where}:{number}: 'ER  -' end tag without an entry ('TY  - ') before it", hint=HINT)
            open_at = None
        elif open_at is None:
            raise CorpusError(f"{where}:{number}: RIS tag {tag} outside an entry (no 'TY  - ' before it)", hint=HINT)
    if open_at is not None:
        raise CorpusError(f"{where}:{open_at}: RIS entry has no 'ER  -' end tag (truncated file?)", hint=HINT)
    if not seen_tag:
        raise CorpusError(f"{where}:1: no RIS tags ('TY  - ', 'TI  - ', ...) in this file", hint=HINT)
    return starts


def _first(entry: dict, *keys: str):
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = next((v for v in value if v), None)
        if value:
            return value
    return None


def parse(path: Path) -> tuple[list[Listing], list[SkippedBlock]]:
    import rispy

    text = read_text(path, "a .ris file")
    starts = _entry_lines(text, str(path))
    entries = rispy.loads(text)
    listings: list[Listing] = []
    skipped: list[SkippedBlock] = []
    for n, (line, entry) in enumerate(zip(starts, entries), start=1):
        notes = " ".join(str(v) for v in (entry.get("notes") or []) + [entry.get("note") or ""])
        arxiv = re.search(r"arXiv:\s*(\S+)", notes, re.I)
        item = make_listing(
            path.name, line, str(entry.get("id") or f"entry {n}"),
            _first(entry, "title", "primary_title"), _first(entry, "abstract", "notes_abstract"),
            url=_first(entry, "urls"), doi=_first(entry, "doi"), arxiv_id=arxiv.group(1) if arxiv else None,
            authors=entry.get("authors") or entry.get("first_authors") or [],
            published=_first(entry, "date", "year", "publication_year"),
            venue=_first(entry, "journal_name", "alternate_title3", "secondary_title", "alternate_title1"),
        )
        if isinstance(item, Listing):
            item.authors = tuple(_display(a) for a in item.authors)
        (listings if isinstance(item, Listing) else skipped).append(item)
    return listings, skipped


def _display(name: str) -> str:
    """'Dettmers, Tim' → 'Tim Dettmers' (RIS writes family name first)."""
    family, _, given = name.partition(",")
    return f"{given.strip()} {family.strip()}".strip() if given.strip() else family.strip()
