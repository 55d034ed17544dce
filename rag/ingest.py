"""Files → Paper records: the shipped seed formats and a user's library (BibTeX, RIS, CSL-JSON,
arXiv Atom, OpenAlex JSON, PDFs, JSONL/CSV; see rag/importers/), deduplicated across files and
formats, nothing silently dropped.

A file's format comes from its extension and its first bytes (`fmt` forces one). The same
paper from several files is one Paper: listings are grouped by DOI, then arXiv id (version
stripped), then normalized title, and merged (the richest abstract, every source file, all ids).
The paper id stays the hash of the first listing's normalized title, so an index built before
keeps its ids and vectors when a library that repeats its papers is imported beside it.

Seed formats (see DESIGN.md):
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
from typing import Callable

from rag.errors import CorpusError
from rag.importers.base import FORMAT_HINT as _FORMAT_HINT
from rag.importers.base import Listing, arxiv_from, clean as _clean, load_json, read_text as _read_text, safe_url
from rag.types import Paper, SkippedBlock

__all__ = ["CorpusReport", "FORMATS", "load_corpus", "merge_listings", "merge_registry", "normalize_title", "paper_id_for", "safe_url"]

SEED_SUFFIXES = (".txt", ".md")
_Listing = Listing  # the record every importer returns (rag.importers.base)

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
                         dropped_link=dropped, arxiv_id=arxiv_from(url))
            )
    return listings, skipped


def parse_seed_file(path: Path) -> tuple[list[_Listing], list[SkippedBlock]]:
    """Parse one seed file (.txt/.md) in whichever of the two seed formats it is in."""
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
        hint="expected '# Title' arXiv markdown or a listing of title lines each followed by an abstract paragraph; "
        "or a library export: .bib, .ris, .json (CSL-JSON, OpenAlex), .xml (arXiv Atom), .jsonl, .csv, .pdf (see README)",
    )


# ---------------------------------------------------------------- formats


def _parse_json(path: Path) -> tuple[list[_Listing], list[SkippedBlock]]:
    """A .json file: OpenAlex works or CSL-JSON items, told apart by content."""
    from rag.importers import csljson, openalex

    text = _read_text(path, "a .json file")
    data = load_json(text, str(path), csljson.HINT)
    return (openalex if openalex.is_openalex(data) else csljson).parse_data(data, text, path)


def _lazy(module: str, name: str) -> Callable[[Path], tuple[list[_Listing], list[SkippedBlock]]]:
    """An importer loaded on first use: a seeds-only ingest never imports bibtexparser or pdfminer."""

    def run(path: Path):
        import importlib

        return getattr(importlib.import_module(f"rag.importers.{module}"), name)(path)

    return run


def _parse_forced_json(kind: str) -> Callable[[Path], tuple[list[_Listing], list[SkippedBlock]]]:
    def run(path: Path):
        import importlib

        text = _read_text(path, "a .json file")
        module = importlib.import_module(f"rag.importers.{kind}")
        return module.parse_data(load_json(text, str(path), module.HINT), text, path)

    return run


# name → (parser, file suffixes it owns). `rag ingest --format NAME` forces one for every file.
FORMATS: dict[str, tuple[Callable[[Path], tuple[list[_Listing], list[SkippedBlock]]], tuple[str, ...]]] = {
    "seed": (parse_seed_file, SEED_SUFFIXES),
    "bibtex": (_lazy("bibtex", "parse"), (".bib", ".bibtex", ".biblatex")),
    "ris": (_lazy("ris", "parse"), (".ris",)),
    "json": (_parse_json, (".json",)),
    "csl-json": (_parse_forced_json("csljson"), ()),
    "openalex": (_parse_forced_json("openalex"), ()),
    "arxiv": (_lazy("arxiv", "parse"), (".xml", ".atom")),
    "pdf": (_lazy("pdf", "parse"), (".pdf",)),
    "jsonl": (_lazy("tabular", "parse_jsonl"), (".jsonl", ".ndjson")),
    "csv": (_lazy("tabular", "parse_csv"), (".csv", ".tsv")),
}
FORMAT_NAMES = tuple(FORMATS)
_SUFFIXES = {suffix: name for name, (_, suffixes) in FORMATS.items() for suffix in suffixes}


def _sniff(head: bytes) -> str | None:
    """A format from a file's first bytes, where they say it plainly."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("%PDF-"):
        return "pdf"
    if re.match(r"@(?:article|inproceedings|book|incollection|misc|techreport|phdthesis|mastersthesis|online|unpublished|"
                r"conference|string|preamble|comment|report|thesis)\s*[{(]", text, re.I) or re.match(r"%.*\n\s*@\w+\s*\{", text):
        return "bibtex"
    if re.match(r"TY  - ", text):
        return "ris"
    if text.startswith("<"):
        return "arxiv"
    if text.startswith(("[", "{")):
        first = text.split("\n", 1)[0].strip()
        return "jsonl" if first.startswith("{") and first.endswith("}") and "\n{" in text else "json"
    return None


def detect_format(path: Path, fmt: str | None = None) -> str:
    """The format to read `path` as: `fmt` when given, else from its first bytes and extension."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise CorpusError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMAT_NAMES)}")
        return fmt
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror or exc})", hint="check that the file exists and you may read it") from None
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    sniffed = _sniff(head)
    if by_suffix == "seed":
        return sniffed if sniffed in ("bibtex", "ris") else "seed"  # a .txt export of a library
    if by_suffix == "json" and sniffed == "jsonl":
        return "jsonl"
    return by_suffix or sniffed or "seed"


def parse_file(path: Path, fmt: str | None = None) -> tuple[list[_Listing], list[SkippedBlock]]:
    """Parse one file in its format (detected, or `fmt`)."""
    return FORMATS[detect_format(path, fmt)][0](path)


def seed_files(paths: list[Path], skipped: list[SkippedBlock] | None = None) -> list[Path]:
    """Expand directories to the files in them that some importer reads (sorted; a file no
    importer reads is reported in `skipped`); reject paths that don't exist."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            found = [p for p in entries if p.suffix.lower() in _SUFFIXES]
            if not found:
                raise CorpusError(f"{path}: no files to ingest in this directory (looked for {', '.join(sorted(_SUFFIXES))})", hint=_FORMAT_HINT)
            if skipped is not None:
                skipped.extend(SkippedBlock(source=p.name, line=1, reason=f"not a format rag reads ({p.suffix or 'no extension'}); file skipped")
                               for p in entries if p not in found)
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


# ---------------------------------------------------------------- one paper, many sources


def _keys(doi: str | None, arxiv_id: str | None, title: str) -> list[str]:
    """What identifies a paper, strongest first: its DOI, its arXiv id, its normalized title."""
    return [k for k in (f"doi:{doi}" if doi else "", f"arxiv:{arxiv_id}" if arxiv_id else "", f"title:{normalize_title(title)}") if k]


def _group(records: list, keys: Callable[[object], list[str]]) -> list[list]:
    """Records sharing any key (transitively) in one group; groups and members in input order."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, record in enumerate(records):
        for key in keys(record):
            if key in owner:
                a, b = find(owner[key]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = i
    groups: dict[int, list] = {}
    for i, record in enumerate(records):
        groups.setdefault(find(i), []).append(record)
    return list(groups.values())


def _merged(group: list, paper_id: str | None = None) -> Paper:
    """One Paper from listings (or Papers) of the same paper: the first one's id and title, the
    richest abstract (a PDF's text only when nothing else has one) and author list, every
    source, all ids."""
    first = group[0]
    best = max(group, key=lambda r: (not getattr(r, "from_pdf", False), len(r.abstract)))  # max keeps the first of equals
    sources: set[str] = set()
    for r in group:
        sources.update(r.sources if isinstance(r, Paper) else (r.source,))

    def pick(name: str):
        return next((v for v in (getattr(r, name) for r in group) if v), None)

    published = max((r.published for r in group if r.published), key=len, default=None)  # the fullest date
    # Title Case over sentence case among spellings of the same title (the id stays the same).
    key = normalize_title(first.title)
    title = max((r.title for r in group if normalize_title(r.title) == key), key=lambda t: sum(c.isupper() for c in t))
    venues = [r.venue for r in group if r.venue]
    venue = next((v for v in venues if "arxiv" not in v.lower()), venues[0] if venues else None)  # a journal over "arXiv preprint"
    return Paper(
        paper_id=paper_id or getattr(first, "paper_id", None) or paper_id_for(first.title), title=title, abstract=best.abstract,
        sources=tuple(sorted(sources)), url=pick("url"), code_url=extract_code_url(best.abstract), published=published,
        authors=max((r.authors for r in group), key=len), doi=pick("doi"), arxiv_id=pick("arxiv_id"), venue=venue,
    )


def merge_listings(listings: list[_Listing]) -> list[Paper]:
    """Deduplicate by DOI, arXiv id, then normalized title, keeping every source file and the fullest fields."""
    return [_merged(group) for group in _group(listings, lambda r: _keys(r.doi, r.arxiv_id, r.title))]


def merge_registry(old: list[Paper], report: CorpusReport) -> list[Paper]:
    """The papers after syncing `report`'s files into an index that held `old`.

    The report's files replace their earlier contribution; an old paper keeps its other sources,
    and a new listing of it (same DOI, arXiv id or title) merges into it under its old id, so
    its vectors stay. A paper whose every source was re-read is replaced by the new version."""
    synced = set(report.files)
    kept = [p.model_copy(update={"sources": tuple(s for s in p.sources if s not in synced)}) for p in old]
    stale_ids = {k: p.paper_id for p in reversed(kept) if not p.sources for k in _keys(p.doi, p.arxiv_id, p.title)}
    live = [p for p in kept if p.sources]
    live_ids = {id(p) for p in live}
    out: list[Paper] = []
    for group in _group(live + list(report.papers), lambda r: _keys(r.doi, r.arxiv_id, r.title)):
        if id(group[0]) in live_ids:  # live papers come first in each group
            out.append(_merged(group) if len(group) > 1 else group[0])
        else:  # only new listings: the id an earlier version of the paper had, if any
            first = group[0]
            old_id = next((stale_ids[k] for k in _keys(first.doi, first.arxiv_id, first.title) if k in stale_ids), None)
            out.append(_merged(group, paper_id=old_id or first.paper_id))
    return out


def load_corpus(paths: list[Path] | list[str], fmt: str | None = None) -> CorpusReport:
    """Parse every file under `paths` (in `fmt`, or each in its detected format) into
    deduplicated papers, with a skip report. Any unreadable file raises before anything is
    indexed; a PDF with no text layer or no abstract is reported, not fatal."""
    skipped: list[SkippedBlock] = []
    files = seed_files([Path(p) for p in paths], skipped)
    listings: list[_Listing] = []
    for path in files:
        kind = detect_format(path, fmt)
        found, skips = FORMATS[kind][0](path)
        if not found and kind != "pdf":
            where = f"{path}:{skips[0].line}: {skips[0].reason}" if skips else f"{path}"
            hint = _FORMAT_HINT if kind == "seed" else "an entry needs a title and an abstract (Google Scholar's BibTeX has no abstracts: export from Zotero, or the publisher's RIS)"
            raise CorpusError(f"no papers found in {where}", hint=hint)
        listings.extend(found)
        skipped.extend(skips)
    if not listings:
        raise CorpusError(f"no papers found in {', '.join(f.name for f in files)}: " + "; ".join(f"{s.source}: {s.reason}" for s in skipped[:3]),
                          hint="see the reasons above; a scanned PDF needs OCR first")
    return CorpusReport(
        papers=merge_listings(listings), listings=len(listings), files=[f.name for f in files], skipped=skipped,
        dropped_links=[item.dropped_link for item in listings if item.dropped_link is not None],
    )
