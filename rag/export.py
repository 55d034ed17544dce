"""Papers and answers in the formats reference managers read: BibTeX, RIS, CSL-JSON, and an
answer as Markdown with its [n] markers and a linked reference list.

Everything written here re-imports (rag.importers) to the same papers: the BibTeX escapes
exactly the characters the importer's LaTeX decoding would change, so an abstract with `50%`,
`$α$` or `--` comes back as it was. Citation keys are `<family><year><first title word>`
(`dettmers2023qlora`) where author and year are known, else three title words; unique within
one export (`…b`, `…c` on a clash, in the order given).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Callable, Iterable

from rag.ingest import safe_url
from rag.types import Answer, Paper

FORMATS = ("bibtex", "ris", "csl-json")
_STOP = {"a", "an", "the", "on", "of", "for", "in", "to", "towards", "toward", "with", "and", "is", "are", "via", "from", "by", "at", "do", "does", "can", "what", "how", "why", "when"}


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded)


def family_name(name: str) -> str:
    """'Tim Dettmers' → 'Dettmers'; 'Martin Luther King, Jr' → 'King' (names are stored 'Given Family')."""
    words = name.split(",")[0].split()
    return words[-1] if words else ""


def _split_name(name: str) -> tuple[str, str]:
    """(given, family) of a 'Given Family' name."""
    head, _, jr = name.partition(",")
    words = head.split()
    if not words:
        return "", name
    family = words[-1] + (f",{jr}" if jr else "")
    return " ".join(words[:-1]), family


def cite_key(paper: Paper) -> str:
    """`dettmers2023qlora` from the first author, year and first significant title word; from the title alone otherwise."""
    words = [w for w in _ascii_words(paper.title) if w not in _STOP] or _ascii_words(paper.title) or [paper.paper_id]
    family = "".join(_ascii_words(family_name(paper.authors[0]))) if paper.authors else ""
    if family and paper.year:
        return f"{family}{paper.year}{words[0]}"
    return "_".join(words[:3])


def cite_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """paper_id → a key unique within these papers."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for paper in papers:
        key = base = cite_key(paper)
        n = 1
        while key in used:
            n += 1
            key = f"{base}{chr(ord('a') + n - 1) if n <= 26 else n}"
        used.add(key)
        out[paper.paper_id] = key
    return out


# ---------------------------------------------------------------- BibTeX

_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_", "$": r"\$",
        "~": r"\textasciitilde{}", "^": r"\string^"}


def tex_escape(text: str) -> str:
    """Text as a BibTeX field value that LaTeX decoding turns back into exactly `text`."""
    out = "".join(_TEX.get(ch, ch) for ch in text)
    out = re.sub(r"(?<=-)(?=-)", "{}", out)  # -- and --- would become dashes
    out = re.sub(r"(?<=[`'!?])(?=[`'])", "{}", out)  # `` '' ?` !` are ligatures
    return out


def to_bibtex(papers: list[Paper]) -> str:
    keys = cite_keys(papers)
    entries = []
    for paper in papers:
        fields: list[tuple[str, str]] = [("title", paper.title)]
        if paper.authors:
            fields.append(("author", " and ".join(f"{{{a}}}" if "," in a else a for a in paper.authors)))
        if paper.year:
            fields.append(("year", str(paper.year)))
        if paper.published and len(paper.published) > 4:
            fields.append(("date", paper.published))
        if paper.venue:
            fields.append(("journal", paper.venue))
        if paper.doi:
            fields.append(("doi", paper.doi))
        if paper.arxiv_id:
            fields += [("eprint", paper.arxiv_id), ("archiveprefix", "arXiv")]
        if url := safe_url(paper.url):
            fields.append(("url", url))
        fields.append(("abstract", paper.abstract))
        body = ",\n".join(f"  {name} = {{{value if name == 'author' and '{' in value else tex_escape(value)}}}" for name, value in fields)
        entries.append(f"@{'article' if paper.venue else 'misc'}{{{keys[paper.paper_id]},\n{body}\n}}\n")
    return "\n".join(entries)


# ---------------------------------------------------------------- RIS


def to_ris(papers: list[Paper]) -> str:
    import rispy
    from rispy.writer import RisWriter

    class _Writer(RisWriter):
        def set_header(self, count: int) -> str:  # rispy numbers entries ("1."); reference managers don't
            return ""

    keys = cite_keys(papers)
    refs = []
    for paper in papers:
        ref: dict = {"type_of_reference": "JOUR" if paper.venue else ("UNPB" if paper.arxiv_id else "GEN"), "id": keys[paper.paper_id],
                     "title": paper.title, "abstract": paper.abstract}
        if paper.authors:
            ref["authors"] = [", ".join(p for p in reversed(_split_name(a)) if p) for a in paper.authors]
        if paper.year:
            ref["year"] = str(paper.year)
        if paper.published and len(paper.published) > 4:
            ref["date"] = paper.published.replace("-", "/")
        if paper.venue:
            ref["journal_name"] = paper.venue
        if paper.doi:
            ref["doi"] = paper.doi
        if url := safe_url(paper.url):
            ref["urls"] = [url]
        if paper.arxiv_id:
            ref["notes"] = [f"arXiv:{paper.arxiv_id}"]
        refs.append(ref)
    return re.sub(r"\n{3,}", "\n\n", rispy.dumps(refs, implementation=_Writer)).lstrip("\n") if refs else ""


# ---------------------------------------------------------------- CSL-JSON


def to_csl(papers: list[Paper]) -> list[dict]:
    keys = cite_keys(papers)
    items = []
    for paper in papers:
        item: dict = {"id": keys[paper.paper_id], "type": "article-journal" if paper.venue else "article", "title": paper.title}
        if paper.authors:
            item["author"] = [{"family": family, "given": given} if given else {"literal": family}
                              for given, family in (_split_name(a) for a in paper.authors)]
        if paper.published:
            item["issued"] = {"date-parts": [[int(p) for p in paper.published.split("-")]]}
        if paper.venue:
            item["container-title"] = paper.venue
        if paper.doi:
            item["DOI"] = paper.doi
        if url := safe_url(paper.url):
            item["URL"] = url
        if paper.arxiv_id:
            item["number"] = f"arXiv:{paper.arxiv_id}"
        item["abstract"] = paper.abstract
        items.append(item)
    return items


def to_csl_json(papers: list[Paper]) -> str:
    return json.dumps(to_csl(papers), ensure_ascii=False, indent=2) + "\n"


def export_papers(papers: list[Paper], fmt: str) -> str:
    """The papers as one `fmt` file ('bibtex', 'ris' or 'csl-json')."""
    return {"bibtex": to_bibtex, "ris": to_ris, "csl-json": to_csl_json}[fmt](papers)


# ---------------------------------------------------------------- answers


def cited_papers(answer: Answer, lookup: Callable[[str], Paper | None] | None = None) -> list[Paper]:
    """The papers an answer cites, in [n] order (from its hits; `lookup` finds any other by id)."""
    by_id = {h.paper.paper_id: h.paper for h in answer.hits}
    out = []
    for c in sorted(answer.citations, key=lambda c: c.n):
        paper = by_id.get(c.paper_id) or (lookup(c.paper_id) if lookup else None)
        if paper is not None:
            out.append(paper)
    return out


def _md(text: str) -> str:
    """Text safe inside Markdown link text and emphasis."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def _byline(paper: Paper) -> str:
    """'A, B, C et al. (2023). *Venue*. doi:… · arXiv:…' from what the paper has."""
    names = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
    head = " ".join(p for p in (names, f"({paper.year})" if paper.year else "") if p)
    parts = [_md(head)] if head else []
    if paper.venue:
        parts.append(f"*{_md(paper.venue)}*")
    ids = ([f"doi:[{_md(paper.doi)}](https://doi.org/{paper.doi})"] if paper.doi and safe_url(f"https://doi.org/{paper.doi}") else []) + (
        [f"arXiv:[{paper.arxiv_id}](https://arxiv.org/abs/{paper.arxiv_id})"] if paper.arxiv_id else [])
    if ids:
        parts.append(" · ".join(ids))
    return ". ".join(parts)


def answer_markdown(answer: Answer, lookup: Callable[[str], Paper | None] | None = None) -> str:
    """The answer as Markdown: the question, the text with its [n] markers, a linked reference list."""
    papers = {p.paper_id: p for p in cited_papers(answer, lookup)}
    lines = [f"**Q:** {_md(answer.question)}", ""]
    if answer.preface:
        lines += [f"> {line}" for line in answer.preface.splitlines()] + [""]
    lines += [answer.text, ""]
    if answer.citations:
        lines += ["## References", ""]
        for c in sorted(answer.citations, key=lambda c: c.n):
            paper = papers.get(c.paper_id)
            url = safe_url(c.url) or (safe_url(paper.url) if paper else None)
            title = f"[{_md(c.title)}]({url})" if url else _md(c.title)
            extra = f" — {_byline(paper)}" if paper and (paper.authors or paper.year or paper.doi or paper.arxiv_id or paper.venue) else ""
            flag = "" if c.supported else " (⚠ not clearly supported)"
            lines.append(f"[{c.n}] {title}{extra}{flag}  ")
        lines.append("")
    for note in answer.notes:
        lines.append(f"*Note: {_md(note)}*")
    return "\n".join(lines).rstrip() + "\n"


def export_answer(answer: Answer, fmt: str, lookup: Callable[[str], Paper | None] | None = None) -> str:
    """'md': the answer with references; 'bibtex' / 'ris' / 'csl-json': its cited papers."""
    if fmt == "md":
        return answer_markdown(answer, lookup)
    return export_papers(cited_papers(answer, lookup), fmt)
