"""arXiv API Atom XML (.xml/.atom), as `export.arxiv.org/api/query` returns it: each <entry> has
<id> (the abs link, with version), <title>, <summary>, <author><name>, <published>, and
optionally <arxiv:doi> and <arxiv:journal_ref>. Read with the standard library's ElementTree
(expat: no external entities are fetched, entity expansion is bounded)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from rag.errors import CorpusError
from rag.importers.base import Listing, line_of, make_listing, norm_arxiv, read_text
from rag.types import SkippedBlock

HINT = "expected an arXiv API Atom feed (<feed xmlns=\"http://www.w3.org/2005/Atom\"> with <entry> elements)"
NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def parse(path: Path) -> tuple[list[Listing], list[SkippedBlock]]:
    text = read_text(path, "an Atom file")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        raise CorpusError(f"{path}:{line}: invalid XML ({str(exc).split(':')[0]})", hint=HINT) from None
    if root.tag != f"{{{NS['a']}}}feed" and root.tag != f"{{{NS['a']}}}entry":
        raise CorpusError(f"{path}:1: XML root is <{root.tag.split('}')[-1]}>, not an Atom <feed>", hint=HINT)
    entries = [root] if root.tag.endswith("entry") else root.findall("a:entry", NS)
    starts = [line_of(text, m.start()) for m in re.finditer(r"<(?:\w+:)?entry[\s>]", text)]
    listings: list[Listing] = []
    skipped: list[SkippedBlock] = []
    for n, entry in enumerate(entries):
        line = starts[n] if n < len(starts) else 1
        abs_id = entry.findtext("a:id", "", NS).strip()
        link = next((el.get("href") for el in entry.findall("a:link", NS) if el.get("rel") == "alternate"), None)
        item = make_listing(
            path.name, line, norm_arxiv(abs_id) or abs_id or f"entry {n + 1}", entry.findtext("a:title", "", NS),
            entry.findtext("a:summary", "", NS), url=link or abs_id or None, doi=entry.findtext("arxiv:doi", None, NS),
            arxiv_id=abs_id, authors=[a.findtext("a:name", "", NS) for a in entry.findall("a:author", NS)],
            published=entry.findtext("a:published", None, NS), venue=entry.findtext("arxiv:journal_ref", None, NS),
        )
        (listings if isinstance(item, Listing) else skipped).append(item)
    return listings, skipped
