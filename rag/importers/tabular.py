"""JSONL and CSV with `title` and `abstract` columns (any case); optional url, authors (a list,
or one string split on ';'), published/date/year, doi, arxiv_id/arxiv, venue/journal."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rag.errors import CorpusError
from rag.importers.base import Listing, load_json, make_listing, read_text
from rag.types import SkippedBlock

HINT = "each record needs a 'title' and an 'abstract' (JSONL: one JSON object per line; CSV: a header row naming the columns)"


def _record(row: dict, line: int, source: str) -> Listing | SkippedBlock:
    row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    authors = row.get("authors") or row.get("author") or []
    if isinstance(authors, str):
        authors = [a for a in authors.split(";")]
    return make_listing(
        source, line, str(row.get("id") or row.get("key") or f"line {line}"), row.get("title"), row.get("abstract"),
        url=row.get("url"), doi=row.get("doi"), arxiv_id=row.get("arxiv_id") or row.get("arxiv"), authors=authors,
        published=str(row.get("published") or row.get("date") or row.get("year") or "") or None,
        venue=row.get("venue") or row.get("journal"),
    )


def parse_jsonl(path: Path) -> tuple[list[Listing], list[SkippedBlock]]:
    text = read_text(path, "a .jsonl file")
    out: tuple[list[Listing], list[SkippedBlock]] = ([], [])
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        row = load_json(raw, f"{path}:{line}", HINT)
        if not isinstance(row, dict):
            raise CorpusError(f"{path}:{line}: a JSON {type(row).__name__}, not an object with title and abstract", hint=HINT)
        item = _record(row, line, path.name)
        out[0 if isinstance(item, Listing) else 1].append(item)
    return out


def parse_csv(path: Path) -> tuple[list[Listing], list[SkippedBlock]]:
    text = read_text(path, "a .csv file")
    reader = csv.DictReader(io.StringIO(text), dialect="excel-tab" if path.suffix.lower() == ".tsv" else "excel")
    columns = {str(c).strip().lower() for c in reader.fieldnames or []}
    if not {"title", "abstract"} <= columns:
        raise CorpusError(f"{path}:1: the header row has no {'title' if 'title' not in columns else 'abstract'} column "
                          f"(found: {', '.join(sorted(columns))[:120]})", hint=HINT)
    out: tuple[list[Listing], list[SkippedBlock]] = ([], [])
    try:
        start = reader.line_num + 1
        for row in reader:
            item = _record(row, start, path.name)
            out[0 if isinstance(item, Listing) else 1].append(item)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CorpusError(f"{path}:{reader.line_num}: unreadable CSV ({exc})", hint=HINT) from None
    return out
