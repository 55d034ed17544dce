"""BibTeX / BibLaTeX (.bib) as Zotero, JabRef and Google Scholar write them, via bibtexparser 2.x:
@string macros resolved, LaTeX decoded to Unicode (`{\\"o}` → ö, `\\&` → &, `{BERT}` → BERT),
author lists split into names. A block the parser cannot read is an error naming its line."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from rag.errors import CorpusError
from rag.importers.base import Listing, make_listing, read_text
from rag.types import SkippedBlock

HINT = "fix the entry at that line (a missing '}' or ',' usually), or re-export the library from Zotero/JabRef"


def _name(parts) -> str:
    """NameParts(first, von, last, jr) → 'First von Last, Jr' (how seeds write names)."""
    if isinstance(parts, str):
        return parts
    name = " ".join([*parts.first, *parts.von, *parts.last])
    return f"{name}, {' '.join(parts.jr)}" if parts.jr else name


_LATEX = re.compile(r"[\\{}~$%&#^_`]|--|''|[!?]`")
_UNESCAPED = r"(?<!\\)(?:\\\\)*"  # a character not escaped by an odd number of backslashes
_OPEN, _CLOSE, _DOLLAR = (re.compile(_UNESCAPED + re.escape(c)) for c in "{}$")
_RAW_FIELDS = {"url", "doi", "eprint", "file", "pdf", "urldate", "arxivid"}  # written raw (`~`, `_`, `%` are literal)


def _groups(text: str) -> list[str]:
    """Whitespace-separated words, grouped so that each group's braces balance and its `$…$`
    closes: the units LaTeX can be decoded in independently."""
    groups: list[str] = []
    current: list[str] = []
    depth = dollars = 0
    for word in text.split():
        current.append(word)
        if "{" in word or "}" in word or "$" in word:
            depth += len(_OPEN.findall(word)) - len(_CLOSE.findall(word))
            dollars += len(_DOLLAR.findall(word))
        if depth <= 0 and dollars % 2 == 0:
            groups.append(" ".join(current))
            current, depth, dollars = [], 0, 0
    if current:
        groups.append(" ".join(current))
    return groups


def _decoder():
    """bibtexparser's LaTeX decoding (pylatexenc), applied only to the words that hold LaTeX:
    decoding whole values cost 10 ms per entry (13.7 s for 2,000 entries with a `\\%` in each
    abstract); most words are plain text. A bare `%` is a percent sign, not a comment that eats
    the rest of the line; URL-like fields are left as written."""
    from bibtexparser.middlewares import LatexDecodingMiddleware

    class WordwiseDecoder(LatexDecodingMiddleware):
        def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
            if not _LATEX.search(python_string):
                return python_string, ""
            out, errors = [], []
            for group in _groups(python_string):
                if _LATEX.search(group):
                    group, error = super()._transform_python_value_string(re.sub(_UNESCAPED + "%", lambda m: m.group(0)[:-1] + r"\%", group))
                    errors.append(error)
                out.append(group)
            return " ".join(out), "; ".join(e for e in errors if e)

        def transform_entry(self, entry, library):
            raw = {f.key: f.value for f in entry.fields if f.key.lower() in _RAW_FIELDS}
            block = super().transform_entry(entry, library)
            for f in entry.fields:
                if f.key in raw:
                    f.value = raw[f.key]
            return block

    return WordwiseDecoder()


def parse_text(text: str, source: str, where: str) -> tuple[list[Listing], list[SkippedBlock]]:
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
    from bibtexparser.model import DuplicateBlockKeyBlock

    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # its own warning repeats our error
    library = bibtexparser.parse_string(text, append_middleware=[_decoder(), SeparateCoAuthors(), SplitNameParts()])
    failed = [b for b in library.failed_blocks if not isinstance(b, DuplicateBlockKeyBlock)]
    if failed:
        block = failed[0]
        error = getattr(block, "error", None)
        reason = (getattr(error, "abort_reason", None) or str(error or "") or type(error).__name__).strip()
        raise CorpusError(f"{where}:{block.start_line + 1}: BibTeX entry cannot be parsed ({reason})", hint=HINT)
    if not library.entries and not library.strings:
        raise CorpusError(f"{where}:1: no BibTeX entries (@article{{...}}, @inproceedings{{...}}) in this file", hint=HINT)
    entries = list(library.entries) + [b.ignore_error_block for b in library.failed_blocks if isinstance(b, DuplicateBlockKeyBlock)]
    listings: list[Listing] = []
    skipped: list[SkippedBlock] = []
    for entry in entries:
        fields = {key.lower(): field.value for key, field in entry.fields_dict.items()}
        line = entry.start_line + 1
        arxiv = None
        if str(fields.get("archiveprefix", fields.get("eprinttype", ""))).lower() == "arxiv" or "arxiv" in str(fields.get("journal", "")).lower():
            arxiv = fields.get("eprint") or fields.get("journal")
        authors = fields.get("author") or []
        item = make_listing(
            source, line, entry.key, fields.get("title"), fields.get("abstract"),
            url=fields.get("url"), doi=fields.get("doi"), arxiv_id=arxiv or fields.get("arxivid") or fields.get("arxiv"),
            authors=[_name(a) for a in (authors if isinstance(authors, list) else [authors])],
            published=fields.get("date") or fields.get("year"),
            venue=fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle"),
        )
        (listings if isinstance(item, Listing) else skipped).append(item)
    return listings, skipped


def parse(path: Path) -> tuple[list[Listing], list[SkippedBlock]]:
    return parse_text(read_text(path, "a .bib file"), path.name, str(path))
