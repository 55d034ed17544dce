"""OpenAlex works JSON (.json): an API page {"results": [work, ...]}, a bare array of works, or
one work. The abstract ships as an inverted index {word: [positions]} and is rebuilt into text."""

from __future__ import annotations

import re
from pathlib import Path

from rag.errors import CorpusError
from rag.importers.base import Listing, array_lines, make_listing
from rag.types import SkippedBlock

HINT = "expected OpenAlex works JSON as the API returns it (/works?... or /works/W...)"


def is_openalex(data) -> bool:
    """Whether decoded JSON looks like OpenAlex works (ids on openalex.org, inverted abstracts)."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    items = data if isinstance(data, list) else [data]
    first = next((w for w in items if isinstance(w, dict)), None)
    return bool(first) and (str(first.get("id", "")).startswith("https://openalex.org/W") or "abstract_inverted_index" in first)


def rebuild_abstract(index: dict | None) -> str | None:
    """{'Large': [0], 'models': [1, 5], ...} → 'Large models ...' (words at their positions)."""
    if not isinstance(index, dict) or not index:
        return None
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for pos in positions or ():
            slots[int(pos)] = word
    return " ".join(slots[p] for p in sorted(slots))


def _work(work: dict, line: int, source: str) -> Listing | SkippedBlock:
    location = work.get("primary_location") or {}
    venue = (location.get("source") or {}).get("display_name")
    urls = [location.get("landing_page_url")] + [(loc or {}).get("landing_page_url") for loc in work.get("locations") or []]
    arxiv = next((u for u in urls if u and re.search(r"arxiv\.org/", u)), None)
    ids = work.get("ids") or {}
    return make_listing(
        source, line, str(work.get("id") or "").rsplit("/", 1)[-1] or "work", work.get("title") or work.get("display_name"),
        rebuild_abstract(work.get("abstract_inverted_index")),
        url=location.get("landing_page_url") or work.get("doi"), doi=work.get("doi") or ids.get("doi"), arxiv_id=arxiv,
        authors=[((a or {}).get("author") or {}).get("display_name") or "" for a in work.get("authorships") or []],
        published=work.get("publication_date") or (str(work["publication_year"]) if work.get("publication_year") else None),
        venue=None if venue and "arxiv" in venue.lower() else venue,  # a repository, not a venue
    )


def parse_data(data, text: str, path: Path) -> tuple[list[Listing], list[SkippedBlock]]:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        works, lines = data["results"], array_lines(text, re.search(r'"results"\s*:\s*\[', text).start())
    elif isinstance(data, list):
        works, lines = data, array_lines(text, text.index("["))
    elif isinstance(data, dict):
        works, lines = [data], [1]
    else:
        raise CorpusError(f"{path}:1: a JSON {type(data).__name__}, not OpenAlex works", hint=HINT)
    out: tuple[list[Listing], list[SkippedBlock]] = ([], [])
    for work, line in zip(works, lines):
        if not isinstance(work, dict):
            raise CorpusError(f"{path}:{line}: a work is {type(work).__name__}, not an object", hint=HINT)
        item = _work(work, line, path.name)
        out[0 if isinstance(item, Listing) else 1].append(item)
    return out
