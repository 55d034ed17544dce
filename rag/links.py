"""Links and labels a reader can use: a paper's link (its own, else a title search marked as
one) and a readable name for a seed file whose file name is a hash.

Pure functions over strings: the UI and the CLI call them, nothing here reads a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from rag.ingest import safe_url
from rag.types import Paper

ARXIV_TITLE_SEARCH = "https://arxiv.org/search/?query={query}&searchtype=title"


@dataclass(frozen=True)
class PaperLink:
    url: str
    is_search: bool  # True: a search for the exact title, not the paper itself

    @property
    def label(self) -> str:
        return "search arXiv for this title" if self.is_search else "paper"


_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def paper_link(title: str, url: str | None, *, arxiv_id: str | None = None, doi: str | None = None) -> PaperLink:
    """The paper's own http(s) URL (or its arXiv id's or DOI's page), else an arXiv title
    search for the exact title (most listings carry no link; a search finds the paper
    without guessing an id)."""
    if own := safe_url(url):
        return PaperLink(own, False)
    if arxiv_id and _ARXIV_ID.match(arxiv_id):
        return PaperLink(f"https://arxiv.org/abs/{arxiv_id}", False)
    if doi and _DOI.match(doi) and (resolved := safe_url(f"https://doi.org/{quote(doi, safe='/:;()._-')}")):
        return PaperLink(resolved, False)
    return PaperLink(ARXIV_TITLE_SEARCH.format(query=quote_plus(title.strip())), True)


def link_for(paper: Paper) -> PaperLink:
    return paper_link(paper.title, paper.url, arxiv_id=paper.arxiv_id, doi=paper.doi)


_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_DATE = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}(, \d{4})?$", re.I)
_LISTING_MARKS = ("get trending papers", "daily papers", "the research community")


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(" :,;-") + "…"


def source_label(name: str, head: str, papers: int | None = None) -> str:
    """A readable label for a seed file from the start of its text (`head`): its first
    heading ("SPHINX-X: Scaling Data… + 4 more"), or for a scraped daily listing
    "Daily papers, May 7"; the file name when neither is there."""
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    top = [line.casefold() for line in lines[:12]]
    if any(mark in line for line in top for mark in _LISTING_MARKS):
        date = next((line for line in lines[:12] if _DATE.match(line)), None)
        label = f"Daily papers, {date}" if date else "Daily papers listing"
    elif m := _HEADING.search(head):
        label = _shorten(m.group(1))
        if papers and papers > 1:
            label += f" + {papers - 1} more"
    else:
        return name
    return label
