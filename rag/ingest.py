"""Seed files → Paper records: both shipped formats, deduplicated, nothing silently dropped.

Formats (see DESIGN.md):
- arXiv markdown: `# Title`, `Published: <iso>`, `[Link to the paper](url)`, `## Authors`
  (bulleted), `## Summary` (hard-wrapped abstract). Several papers per file.
- daily-paper listing: optional page chrome, then title line / abstract paragraph pairs,
  separated by blank lines.

A file that cannot be read as text, is empty, or fits neither format raises CorpusError
naming the file and line. A block inside a readable file that does not fit (a title with
no abstract, a paragraph where a title should be) is skipped and reported with a reason.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from rag.errors import CorpusError
from rag.types import Paper, SkippedBlock

SEED_SUFFIXES = (".txt", ".md")

# Lines of scraped page chrome seen at the top of listing files.
_CHROME = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
    "by ak and the research community",
}
_CHROME_DATE = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}(, \d{4})?$", re.I)
_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}]+")
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")
_MAX_TITLE_CHARS = 300
_MIN_ABSTRACT_CHARS = 80
_FORMAT_HINT = "seed files are UTF-8 .txt/.md text in one of two formats (see README: corpus formats)"


@dataclass
class CorpusReport:
    """What a parse produced: distinct papers, how many listings they came from, what was skipped."""

    papers: list[Paper]
    listings: int
    files: list[str]
    skipped: list[SkippedBlock] = field(default_factory=list)
    dropped_links: list[SkippedBlock] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{len(self.papers)} distinct papers from {self.listings} listings in {len(self.files)} files"
        if self.skipped:
            text += f"; {len(self.skipped)} blocks skipped"
        if self.dropped_links:
            text += f"; {len(self.dropped_links)} links dropped"
        return text


@dataclass
class _Listing:
    """One paper as one file lists it, before deduplication."""

    title: str
    abstract: str
    source: str
    line: int
    url: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    dropped_link: SkippedBlock | None = None  # a link in the file that was not http(s)


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


def normalize_title(title: str) -> str:
    """The dedup key: case, accents' compatibility forms, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"\w+", text))


def paper_id_for(title: str) -> str:
    return hashlib.sha1(normalize_title(title).encode("utf-8")).hexdigest()[:16]


def extract_code_url(abstract: str) -> str | None:
    """The first link to a code host in the abstract, trailing punctuation removed."""
    for match in _URL.finditer(abstract):
        url = match.group(0).rstrip(".,;:!?")
        host = url.split("/")[2].lower() if url.count("/") >= 2 else ""
        if any(host == h or host.endswith("." + h) for h in _CODE_HOSTS) and url.count("/") >= 4 and safe_url(url):
            return url
    return None


def _clean(text: str) -> str:
    return " ".join(text.split())


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror or exc})", hint="check that the file exists and you may read it") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(f"{path}:{line}: binary data (NUL byte); a seed file must be UTF-8 text", hint=_FORMAT_HINT)
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


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as (1-based first line, stripped lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _is_chrome(block: list[str]) -> bool:
    return all(line.casefold() in _CHROME or _CHROME_DATE.match(line) for line in block)


def _parse_listing(text: str, source: str) -> tuple[list[_Listing], list[SkippedBlock]]:
    blocks = _blocks(text.split("\n"))
    while blocks and _is_chrome(blocks[0][1]):
        blocks.pop(0)
    listings: list[_Listing] = []
    skipped: list[SkippedBlock] = []
    i = 0
    while i < len(blocks):
        line, block = blocks[i]
        title = " ".join(block)
        title_like = len(block) == 1 and len(title) <= _MAX_TITLE_CHARS
        if not title_like:
            skipped.append(SkippedBlock(source=source, line=line, reason=f"expected a title line, found a {len(title)}-character paragraph"))
            i += 1
            continue
        if i + 1 >= len(blocks):
            skipped.append(SkippedBlock(source=source, line=line, reason=f"title {title[:60]!r} has no abstract after it (truncated file?)"))
            break
        abs_line, abs_block = blocks[i + 1]
        abstract = _clean(" ".join(abs_block))
        if len(abs_block) == 1 and len(abstract) <= _MAX_TITLE_CHARS and len(abstract) < _MIN_ABSTRACT_CHARS:
            # Two title-like lines in a row: the first lost its abstract.
            skipped.append(SkippedBlock(source=source, line=line, reason=f"title {title[:60]!r} is followed by another title, not an abstract"))
            i += 1
            continue
        listings.append(_Listing(title=_clean(title), abstract=abstract, source=source, line=line))
        i += 2
    return listings, skipped


def _parse_markdown(text: str, source: str) -> tuple[list[_Listing], list[SkippedBlock]]:
    lines = text.split("\n")
    starts = [n for n, line in enumerate(lines) if line.startswith("# ")]
    listings: list[_Listing] = []
    skipped: list[SkippedBlock] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = lines[start + 1 : end]
        title = _clean(lines[start][2:])
        published = url = dropped = None
        authors: list[str] = []
        summary: list[str] = []
        section = None
        for n, raw in enumerate(body):
            line = raw.strip()
            if line.startswith("## "):
                section = line[3:].strip().casefold()
                continue
            if section is None:
                if line.startswith("Published:"):
                    published = line.split(":", 1)[1].strip()[:10] or None
                elif m := re.match(r"\[[^\]]*\]\((\S+)\)", line):
                    url = m.group(1)
                    if safe_url(url) is None:
                        dropped = SkippedBlock(source=source, line=start + 2 + n, reason=f"link {url[:80]!r} dropped: only http(s) links are kept")
                        url = None
            elif section == "authors" and line.startswith(("- ", "* ")):
                authors.append(line[2:].strip())
            elif section in ("summary", "abstract"):
                summary.append(line)
        abstract = _clean(" ".join(summary))
        if not title:
            skipped.append(SkippedBlock(source=source, line=start + 1, reason="heading with an empty title"))
        elif not abstract:
            skipped.append(SkippedBlock(source=source, line=start + 1, reason=f"paper {title[:60]!r} has no '## Summary' text"))
        else:
            if published and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
                published = None
            listings.append(
                _Listing(title=title, abstract=abstract, source=source, line=start + 1, url=url, published=published, authors=tuple(authors),
                         dropped_link=dropped)
            )
    return listings, skipped


def parse_file(path: Path) -> tuple[list[_Listing], list[SkippedBlock]]:
    """Parse one seed file in whichever format it is in."""
    text = _read_text(path)
    lines = text.split("\n")
    first_no, first = next((n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip())
    source = path.name
    if first.startswith("# "):
        return _parse_markdown(text, source)
    if first.casefold() in _CHROME:
        return _parse_listing(text, source)
    # No chrome: still a listing if it opens with a title line followed by a paragraph.
    blocks = _blocks(lines)
    if len(blocks) >= 2 and len(blocks[0][1]) == 1 and len(blocks[0][1][0]) <= _MAX_TITLE_CHARS and len(" ".join(blocks[1][1])) >= _MIN_ABSTRACT_CHARS:
        return _parse_listing(text, source)
    raise CorpusError(
        f"{path}:{first_no}: unknown format (starts with {first[:50]!r})",
        hint="expected '# Title' arXiv markdown or a listing of title lines each followed by an abstract paragraph",
    )


def seed_files(paths: list[Path]) -> list[Path]:
    """Expand directories to their seed files (sorted); reject paths that don't exist."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SEED_SUFFIXES)
            if not found:
                raise CorpusError(f"{path}: no seed files ({', '.join(SEED_SUFFIXES)}) in this directory", hint=_FORMAT_HINT)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise CorpusError(
                f"{path}: no such file or directory", hint="check the path; `rag ingest` with no arguments indexes the shipped seeds/"
            )
    names = [f.name for f in files]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CorpusError(f"two seed files share the name {dupes[0]!r}; papers record their source by file name", hint="rename one of them")
    return files


def merge_listings(listings: list[_Listing]) -> list[Paper]:
    """Deduplicate by normalized title, keeping every source file and the fullest fields."""
    merged: dict[str, dict] = {}
    for item in listings:
        key = paper_id_for(item.title)
        entry = merged.get(key)
        if entry is None:
            merged[key] = {
                "paper_id": key,
                "title": item.title,
                "abstract": item.abstract,
                "sources": {item.source},
                "url": item.url,
                "published": item.published,
                "authors": item.authors,
            }
            continue
        entry["sources"].add(item.source)
        if len(item.abstract) > len(entry["abstract"]):
            entry["abstract"] = item.abstract
        entry["url"] = entry["url"] or item.url
        entry["published"] = entry["published"] or item.published
        entry["authors"] = entry["authors"] or item.authors
    return [
        Paper(**{**e, "sources": tuple(sorted(e["sources"])), "code_url": extract_code_url(e["abstract"])})
        for e in merged.values()
    ]


def load_corpus(paths: list[Path] | list[str]) -> CorpusReport:
    """Parse every seed file under `paths` into deduplicated papers, with a skip report."""
    files = seed_files([Path(p) for p in paths])
    listings: list[_Listing] = []
    skipped: list[SkippedBlock] = []
    for path in files:
        found, skips = parse_file(path)
        if not found:
            where = f"{path}:{skips[0].line}: {skips[0].reason}" if skips else f"{path}"
            raise CorpusError(f"no papers found in {where}", hint=_FORMAT_HINT)
        listings.extend(found)
        skipped.extend(skips)
    return CorpusReport(
        papers=merge_listings(listings), listings=len(listings), files=[f.name for f in files], skipped=skipped,
        dropped_links=[item.dropped_link for item in listings if item.dropped_link is not None],
    )
