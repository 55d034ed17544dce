"""CSL-JSON (.json): an array of items, as Zotero ("Better CSL JSON" too), Mendeley and citeproc
tools write it: title, abstract, author [{family, given} | {literal}], issued (date-parts or raw),
DOI, URL, container-title; an arXiv id from `number`/`note` ("arXiv:2305.14314") or the URL/DOI."""

from __future__ import annotations

import re
from pathlib import Path

from rag.errors import CorpusError
from rag.importers.base import Listing, array_lines, make_listing
from rag.types import SkippedBlock

HINT = "CSL-JSON is an array of items like [{\"id\": ..., \"title\": ..., \"abstract\": ...}]; export it again from Zotero"


def _author(a) -> str:
    if isinstance(a, str):
        return a
    if not isinstance(a, dict):
        return ""
    if a.get("literal"):
        return str(a["literal"])
    return " ".join(str(a.get(k) or "") for k in ("given", "non-dropping-particle", "family")).strip()


def _issued(value) -> str | None:
    if isinstance(value, dict):
        parts = (value.get("date-parts") or [[]])[0] or []
        if parts:
            return "-".join(f"{int(p):02d}" if i else str(int(p)) for i, p in enumerate(parts[:3]) if str(p).strip().isdigit())
        return value.get("raw") or value.get("literal")
    return str(value) if value else None


def _text(value) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    return str(value) if value not in (None, "") else None


def parse_items(items: list, lines: list[int], source: str, where: str) -> tuple[list[Listing], list[SkippedBlock]]:
    listings: list[Listing] = []
    skipped: list[SkippedBlock] = []
    for n, (item, line) in enumerate(zip(items, lines), start=1):
        if not isinstance(item, dict):
            raise CorpusError(f"{where}:{line}: item {n} is {type(item).__name__}, not an object", hint=HINT)
        extra = " ".join(str(item.get(k) or "") for k in ("number", "note", "archive_location", "extra"))
        arxiv = re.search(r"arXiv:?\s*(\S+)", extra, re.I)
        entry = make_listing(
            source, line, str(item.get("id") or item.get("citation-key") or f"item {n}"), _text(item.get("title")), _text(item.get("abstract")),
            url=_text(item.get("URL") or item.get("url")), doi=_text(item.get("DOI") or item.get("doi")), arxiv_id=arxiv.group(1) if arxiv else None,
            authors=[_author(a) for a in item.get("author") or [] ],
            published=_issued(item.get("issued")), venue=_text(item.get("container-title")),
        )
        (listings if isinstance(entry, Listing) else skipped).append(entry)
    return listings, skipped


def parse_data(data, text: str, path: Path) -> tuple[list[Listing], list[SkippedBlock]]:
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        key = re.search(r'"items"\s*:\s*\[', text)
        return parse_items(data["items"], array_lines(text, key.start()), path.name, str(path))
    if not isinstance(data, list):
        raise CorpusError(f"{path}:1: a JSON {type(data).__name__}, not a CSL-JSON array of items", hint=HINT)
    return parse_items(data, array_lines(text, text.index("[")), path.name, str(path))
