"""What every importer shares: the `Listing` record (one paper as one file lists it), reading
a file as text, URL/DOI/arXiv-id normalization, and errors that name file and line.

Importers turn a file into (listings, skipped); rag.ingest deduplicates listings into Papers.
This module imports nothing of rag but errors and types, so importers and ingest can share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rag.errors import CorpusError
from rag.types import SkippedBlock

FORMAT_HINT = "seed files are UTF-8 .txt/.md text in one of two formats (see README: corpus formats)"


@dataclass
class Listing:
    """One paper as one file lists it, before deduplication."""

    title: str
    abstract: str
    source: str
    line: int
    url: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    dropped_link: SkippedBlock | None = None  # a link in the file that was not http(s)
    doi: str | None = None
    arxiv_id: str | None = None
    venue: str | None = None
    from_pdf: bool = False  # text read off a PDF page: any metadata abstract is preferred


def safe_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) link, else None: a seed file is untrusted text, and
    a `javascript:` or `data:` link would become clickable wherever the URL is rendered."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ch in "<>\"'`\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def clean(text: str | None) -> str:
    """Whitespace (line breaks, tabs, runs of spaces) folded to single spaces."""
    return " ".join((text or "").split())


_DOI = re.compile(r"10\.\d{4,9}/\S+")
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")


def norm_doi(value: str | None) -> str | None:
    """'https://doi.org/10.1/ABC' or 'doi:10.1/ABC' → '10.1/abc' (DOIs are case-insensitive)."""
    match = _DOI.search(value or "")
    return match.group(0).rstrip(".,;").lower() if match else None


def norm_arxiv(value: str | None) -> str | None:
    """'arXiv:2305.14314v2', 'https://arxiv.org/abs/2305.14314', 'hep-th/9901001v1' → the id without its version."""
    if not value:
        return None
    match = _ARXIV_NEW.search(value) or _ARXIV_OLD.search(value)
    return match.group(1) if match else None


def arxiv_from(url: str | None = None, doi: str | None = None) -> str | None:
    """The arXiv id hidden in an arxiv.org link or an arXiv DOI (10.48550/arXiv.NNNN), if any."""
    if doi and doi.lower().startswith("10.48550/arxiv."):
        return norm_arxiv(doi[len("10.48550/arxiv."):])
    if url and re.search(r"(^|[/.])arxiv\.org/", url, re.I):
        return norm_arxiv(url)
    return None


def partial_date(value: str | None) -> str | None:
    """'2023', '2023-05', '2023-05-23' (or '2023/05/23/', '2023-05-23T..') → ISO, as much as is known."""
    match = re.match(r"\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", value or "")
    if not match:
        return None
    year, month, day = match.groups()
    parts = [year]
    if month and 1 <= int(month) <= 12:
        parts.append(f"{int(month):02d}")
        if day and 1 <= int(day) <= 31:
            parts.append(f"{int(day):02d}")
    return "-".join(parts)


def read_text(path: Path, what: str = "a seed file") -> str:
    """The file as text: UTF-8 (a byte order mark dropped), line ends made '\\n'. Binary data,
    another encoding or an empty file raise CorpusError naming the file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror or exc})", hint="check that the file exists and you may read it") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(f"{path}:{line}: binary data (NUL byte); {what} must be UTF-8 text", hint=FORMAT_HINT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})", hint=f"convert it, e.g. iconv -f latin1 -t utf-8 {path} > fixed.txt"
        ) from None
    if not text.strip():
        raise CorpusError(f"{path}: empty file; nothing to ingest", hint="add papers to it or leave it out of the command")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


def no_abstract(source: str, line: int, key: str) -> SkippedBlock:
    return SkippedBlock(source=source, line=line, reason=f"entry {key!r} has no abstract; skipped (nothing to search or cite)")


def no_title(source: str, line: int, key: str) -> SkippedBlock:
    return SkippedBlock(source=source, line=line, reason=f"entry {key!r} has no title; skipped")


def checked_url(url: str | None, source: str, line: int) -> tuple[str | None, SkippedBlock | None]:
    """(the url if http(s), else None; a report of the dropped link, if one was dropped)."""
    url = (url or "").strip() or None
    if url is None or safe_url(url):
        return url, None
    return None, SkippedBlock(source=source, line=line, reason=f"link {url[:80]!r} dropped: only http(s) links are kept")


def make_listing(source: str, line: int, key: str, title: str | None, abstract: str | None, *, url: str | None = None,
                 **fields) -> Listing | SkippedBlock:
    """A Listing from an entry's fields, or the SkippedBlock saying why the entry cannot be one."""
    title, abstract = clean(title), clean(abstract)
    if not title:
        return no_title(source, line, key)
    if not abstract:
        return no_abstract(source, line, key)
    url, dropped = checked_url(url, source, line)
    doi = norm_doi(fields.pop("doi", None))
    arxiv = norm_arxiv(fields.pop("arxiv_id", None)) or arxiv_from(url, doi)
    authors = tuple(a for a in (clean(a) for a in fields.pop("authors", ()) or ()) if a and a.casefold() not in ("others", "et al."))
    venue = clean(fields.pop("venue", None)) or None
    published = partial_date(fields.pop("published", None))
    return Listing(title=title, abstract=abstract, source=source, line=line, url=url, published=published, authors=authors,
                   dropped_link=dropped, doi=doi, arxiv_id=arxiv, venue=venue, **fields)


def load_json(text: str, where: str, hint: str):
    """json.loads, with a syntax error turned into CorpusError at its line."""
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{where}:{exc.lineno}: invalid JSON ({exc.msg}, column {exc.colno})", hint=hint) from None


def array_lines(text: str, start: int) -> list[int]:
    """The 1-based line where each item of the JSON array opening at offset `start` begins
    (so a skipped entry can be reported by line). `text` must already be valid JSON."""
    import json

    decoder = json.JSONDecoder()
    lines: list[int] = []
    i = text.index("[", start) + 1
    while True:
        while text[i] in " \t\n\r,":
            i += 1
        if text[i] == "]":
            return lines
        lines.append(line_of(text, i))
        _, i = decoder.raw_decode(text, i)
