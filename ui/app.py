"""The gradio chat UI over `rag.pipeline`: ask, find the paper, compare.

No retrieval or prompt logic lives here: this module turns user input into calls on
`Engine.assistant` and turns the typed results into chat Markdown, a Sources panel
(HTML), a comparison table (HTML, outside the chat) and a status line. Every [n] links to
the Sources panel card of the exact paper title; every paper has an http(s) link (its own,
else an arXiv title search, marked as a search).

Everything from the corpus or a model is untrusted text: HTML gets `html.escape`, Markdown
gets `_md` (no raw HTML, no links of its own), and a URL is rendered only if it is http(s).
"""

from __future__ import annotations

import html
import logging
import queue
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Iterator

import gradio as gr

from rag.config import default_seed_paths
from rag.errors import ConfigError, RagError
from rag.ingest import safe_url
from rag.links import link_for, paper_link, source_label
from rag.pipeline import Engine
from rag.render import comparison_csv, comparison_markdown
from rag.retrieve import Filters
from rag.text import split_sentences
from rag.types import Answer, Comparison, Hit, Lookup, Paper

log = logging.getLogger(__name__)

MODES = ("Ask", "Find the paper", "Compare")
EXAMPLES = {
    "Ask": [
        "How does QLoRA fine-tune a 65B model on a single GPU?",
        "Which papers compress the KV cache, and how?",
        "How can a language model help self-driving cars follow local traffic rules?",
    ],
    "Find the paper": [
        "Which paper introduced the NF4 data type?",
        "Which paper proposed a survey and taxonomy of mixture-of-experts models?",
        "Which paper released a benchmark of real-world website navigation with multi-turn dialogue?",
    ],
    "Compare": [
        "mixture of experts",
        "QLoRA: Efficient Finetuning of Quantized LLMs; Quantized Side Tuning: Fast and Memory-Efficient Tuning of Quantized Large Language Models",
        "KV cache compression",
    ],
}
# Short enough to show whole in the input at 420 px (a browser test measures it).
PLACEHOLDERS = {
    "Ask": "Ask about the papers…",
    "Find the paper": "What did the paper propose?",
    "Compare": "A topic, or titles split by ;",
}
CSS = """
#sources .paper { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; }
#sources details.brief > summary { cursor: pointer; }
#sources .flag { color: #b91c1c; font-weight: 600; }
#sources mark { background: #fde68a; color: inherit; }
#sources .meta { font-size: 0.85em; opacity: 0.8; }
#sources a, #comparison a { padding: 0; margin: 0; }
#sources h4 { margin: 12px 0 6px; }
.badge { display: inline-block; border-radius: 999px; padding: 2px 10px; font-weight: 600; font-size: 0.9em; }
.badge.weak { background: #fef3c7; color: #92400e; border: 1px solid #f59e0b; }
.badge.none { background: #fee2e2; color: #991b1b; border: 1px solid #ef4444; }
#status { font-size: 0.9em; opacity: 0.85; }
#comparison .cmp-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
#comparison table { width: 100%; min-width: 880px; border-collapse: collapse; table-layout: fixed; }
#comparison col.paper { width: 20%; }
#comparison th, #comparison td { vertical-align: top; text-align: left; padding: 6px 8px; font-size: 14px; line-height: 1.45;
  border: 1px solid var(--border-color-primary); word-break: normal; overflow-wrap: normal; hyphens: manual; white-space: normal; }
#comparison thead th { background: var(--background-fill-secondary); text-transform: capitalize; }
#comparison .url { word-break: break-all; }
#comparison .missing { opacity: 0.6; font-style: italic; }
#comparison .not-found { color: #991b1b; font-weight: 600; }
"""
LONG_QUESTION_CHARS = 600  # longer (or over 8 lines): the chat shows the start and "show all"


# ------------------------------------------------------------------ rendering

# Markdown that could turn untrusted text into markup: raw HTML or autolinks (`<`), and
# inline links/images or link definitions (`](`, `]:`). Replaced by character references,
# which CommonMark always renders as the literal character, whatever precedes them.
_MD_MARKUP = re.compile(r"<|\][(:]")
_MD_REFS = {"<": "&lt;", "](": "]&#40;", "]:": "]&#58;"}


def _md(text: str) -> str:
    """Untrusted text (a title, an abstract sentence, a model's answer) made safe to put in
    chat Markdown: it reads the same, but cannot add HTML or a link."""
    return _MD_MARKUP.sub(lambda m: _MD_REFS[m.group(0)], text)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _source_ref(n: int, title: str) -> str:
    """A Markdown [n] link to the Sources card, the exact title as its tooltip."""
    tooltip = html.escape(title, quote=True).replace("\\", "&#92;")
    return f'[\\[{n}\\]](#source-{n} "{tooltip}")'


def _link_markers(text: str, titles: dict[int, str]) -> str:
    """[n] → a link to the Sources panel entry, with the exact title as its tooltip; the
    text around the markers goes through `_md` first."""

    def sub(m: re.Match) -> str:
        n = int(m.group(1))
        return _source_ref(n, titles[n]) if n in titles else m.group(0)

    return re.sub(r"\[(\d+)\]", sub, _md(text))


def user_markdown(message: str) -> str:
    """The user's turn as the chat shows it: a long paste collapses to its first lines and
    a "show all" that opens the rest, instead of one giant bubble."""
    if len(message) <= LONG_QUESTION_CHARS and message.count("\n") < 8:
        return message
    head = "\n".join(message[:300].splitlines()[:4])
    head = head if len(head) < 300 else head.rsplit(" ", 1)[0]
    return (f"{_md(head)} …\n\n<details><summary>show all ({len(message):,} characters)</summary>\n\n"
            f"{_md(message)}\n\n</details>")


def _searched(question: str | None) -> str:
    return f"*Searched for:* “{_md(question)}”" if question else ""


def _markdown_link(link) -> str:
    return f"[search arXiv for this title ↗]({link.url})" if link.is_search else f"[paper ↗]({link.url})"


def answer_markdown(answer: Answer) -> str:
    titles = {c.n: c.title for c in answer.citations}
    papers = {h.paper.paper_id: h.paper for h in answer.hits}
    parts = [_searched(answer.searched_question)] if answer.searched_question else []
    if answer.abstained:
        parts.append("**✖ Not answered** — nothing in the indexed abstracts covers this.")
    elif answer.evidence == "weak":
        parts.append("**⚠ Partly covered** — the closest evidence, not a full answer.")
    if answer.preface:  # weak evidence or names no abstract has: said before the answer
        parts.append("\n".join(f"> {_md(line)}" for line in answer.preface.splitlines()))
    parts.append(_link_markers(answer.text, titles))
    if answer.citations:
        lines = []
        for c in answer.citations:
            flag = "" if c.supported else f" ⚠ *not clearly supported* ({c.support:.2f})"
            link = link_for(papers[c.paper_id]) if c.paper_id in papers else paper_link(c.title, c.url)
            lines.append(f"[{c.n}] *{_md(c.title)}* — {_markdown_link(link)}{flag}")
        parts.append("**Sources**  \n" + "  \n".join(lines))
    if answer.notes:
        parts.append("\n".join(f"> {_md(note)}" for note in answer.notes))
    return "\n\n".join(parts)


def _runner_up_confidence(c: float) -> str:
    """A runner-up's confidence only where it says something: 0.00 reads as noise."""
    return f"confidence {c:.2f}" if c >= 0.05 else ""


def lookup_markdown(result: Lookup, pasted: str = "") -> str:
    searched = _searched(result.question) if pasted and result.question != pasted.strip() else ""
    if result.abstained or result.paper is None:
        closest = "; ".join(f"*{_md(p.title)}*" for p, _ in result.runner_ups)
        why = f" ({_md(result.reason[0].upper() + result.reason[1:])}.)" if result.reason else ""
        text = "**✖ Not found** — the indexed abstracts don't name a paper for this." + why + (f" Closest: {closest}." if closest else "")
        return "\n\n".join(filter(None, [searched, *(f"*{_md(n)}*" for n in result.notes), text]))
    lines = [searched, *(f"*{_md(n)}*" for n in result.notes), f"**{_md(result.paper.title)}** {_source_ref(1, result.paper.title)} — confidence {result.confidence:.2f}"]
    if result.evidence:
        lines.append(f"> {_md(result.evidence)}")
    if result.runner_ups:
        others = []
        for p, c in result.runner_ups:
            note = _runner_up_confidence(c)
            others.append(f"*{_md(p.title)}*" + (f" ({note})" if note else ""))
        lines.append("Also considered: " + "; ".join(others))
    return "\n\n".join(filter(None, lines))


def comparison_chat_markdown(result: Comparison) -> str:
    """The chat's part of a comparison: what was compared; the table itself is below the chat."""
    rows = len(result.rows)
    lines = [f"**Compared {rows} paper{'s' if rows != 1 else ''}** — table below."]
    lines.append("  \n".join(f"{_source_ref(r.n, r.paper.title)} *{_md(r.paper.title)}*" for r in result.rows))
    if result.not_found:  # named titles the index lacks: said, never swapped for other papers
        missing = "; ".join(f"“{_md(t)}”" for t in result.not_found)
        lines.append(f"**Not found in the index** (not compared): {missing}")
    lines.extend(f"> {_md(note)}" for note in result.notes)
    return "\n\n".join(lines)


def _highlight(abstract: str, evidence: tuple[str, ...] | list[str]) -> str:
    out = []
    for sentence in split_sentences(abstract):
        escaped = html.escape(sentence)
        out.append(f"<mark>{escaped}</mark>" if any(e and (e in sentence or sentence in e) for e in evidence) else escaped)
    return " ".join(out)


def _a(url: str, text: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<a{klass} href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{text}</a>'


def _paper_meta(paper: Paper, labels: dict[str, str] | None = None) -> str:
    """Link, source files (readable label, file name on hover), code link, date."""
    link = link_for(paper)
    meta = [_a(link.url, "search arXiv for this title ↗", "title-search") if link.is_search else _a(link.url, "paper ↗", "paper-link")]
    labels = labels or {}
    files = ", ".join(f'<span title="{html.escape(s, quote=True)}">{html.escape(labels.get(s, s))}</span>' for s in paper.sources)
    meta.append(f"source: {files}")
    if code_url := safe_url(paper.code_url):
        meta.append(f"code: {_a(code_url, html.escape(code_url))}")
    meta.append(f"published {html.escape(paper.published)}" if paper.published else "date unknown")
    # From an imported library (rag/importers): venue and ids, as text (the link above already uses them).
    meta += [html.escape(v) for v in (paper.venue, paper.doi and f"doi {paper.doi}", paper.arxiv_id and f"arXiv {paper.arxiv_id}") if v]
    return f'<div class="meta">{" · ".join(meta)}</div>'


def _paper_card(n: int | None, paper: Paper, evidence=(), flag: str | None = None, extra: str = "",
                labels: dict[str, str] | None = None) -> str:
    """An expanded card: title (linked when the paper has its own URL), meta, abstract with
    the supporting sentences highlighted."""
    anchor = f' id="source-{n}"' if n is not None else ""
    label = f"[{n}] " if n is not None else ""
    title = html.escape(paper.title)
    if url := safe_url(paper.url):  # checked at ingest too; an index built before that is not
        title = _a(url, title)
    flag_html = f'<div class="flag">⚠ {html.escape(flag)}</div>' if flag else ""
    return (
        f'<div class="paper cited"{anchor}><div class="title"><b>{label}{title}</b>{extra}</div>{flag_html}'
        f'{_paper_meta(paper, labels)}'
        f'<details open><summary>abstract</summary><p>{_highlight(paper.abstract, evidence)}</p></details></div>'
    )


def _paper_line(paper: Paper, note: str = "", labels: dict[str, str] | None = None, n: int | None = None, evidence=()) -> str:
    """A collapsed card: one title line (and a note such as its score); opens to the rest."""
    note_html = f' <span class="meta">· {html.escape(note)}</span>' if note else ""
    anchor, label = (f' id="source-{n}"', f"[{n}] ") if n is not None else ("", "")
    return (f'<details class="paper brief"{anchor}><summary><b>{label}{html.escape(paper.title)}</b>{note_html}</summary>'
            f'{_paper_meta(paper, labels)}<p>{_highlight(paper.abstract, evidence)}</p></details>')


def _hit_note(hit: Hit) -> str:
    return f"rank {hit.rank}" + (f" · similarity {hit.dense_score:.2f}" if hit.dense_score is not None else "")


def _badge(level: str) -> str:
    return {"weak": '<span class="badge weak">⚠ Partly covered</span>', "none": '<span class="badge none">✖ Not answered</span>'}.get(level, "")


def sources_html_for_answer(answer: Answer, labels: dict[str, str] | None = None) -> str:
    if answer.abstained or not answer.citations:
        head = (f"<p>{_badge('none')}</p><p><b>The indexed abstracts don't answer this.</b> Closest papers:</p>"
                if answer.abstained else "<p>No paper was cited. Closest papers:</p>")
        return head + "".join(_paper_line(h.paper, _hit_note(h), labels) for h in answer.hits[:3])
    parts = []
    if answer.evidence == "weak":
        preface = "".join(f"<p>{html.escape(line)}</p>" for line in (answer.preface or "").splitlines())
        parts.append(f'<div class="preface"><p>{_badge("weak")}</p>{preface}</div>')
    papers = {h.paper.paper_id: h.paper for h in answer.hits}
    for c in answer.citations:
        flag = None if c.supported else f"citation check: not clearly supported (support {c.support:.2f})"
        parts.append(_paper_card(c.n, papers[c.paper_id], c.evidence, flag, extra=f' <span class="meta">support {c.support:.2f}</span>', labels=labels))
    cited = {c.paper_id for c in answer.citations}
    others = [h for h in answer.hits if h.paper.paper_id not in cited]
    if others:
        parts.append("<h4>Also retrieved, not cited</h4>")
        parts.extend(_paper_line(h.paper, _hit_note(h), labels) for h in others)
    return "".join(parts)


def sources_html_for_lookup(result: Lookup, labels: dict[str, str] | None = None) -> str:
    parts = []
    if result.paper is not None and not result.abstained:
        parts.append(_paper_card(1, result.paper, (result.evidence,) if result.evidence else (), labels=labels,
                                 extra=f' <span class="meta">confidence {result.confidence:.2f}</span>'))
        if result.runner_ups:
            parts.append("<h4>Also considered</h4>")
    else:
        parts.append(f"<p>{_badge('none')}</p><p><b>The indexed abstracts don't name a paper for this.</b> Closest papers:</p>")
    parts.extend(_paper_line(p, _runner_up_confidence(c), labels) for p, c in result.runner_ups)
    return "".join(parts)


def sources_html_for_comparison(result: Comparison, labels: dict[str, str] | None = None) -> str:
    """Collapsed cards (the table below quotes the abstracts already), each opening to its
    abstract with the quoted sentences highlighted."""
    return "".join(
        _paper_line(row.paper, labels=labels, n=row.n, evidence=tuple(cell.text for cell in row.cells.values() if cell.citation))
        for row in result.rows
    )


_URL_TOKEN = re.compile(r"https?://\S+")


def _wrap_urls(text: str) -> str:
    """Escaped text whose URLs may break anywhere (class "url"): words never break, but a
    long link must not push its cell wider than its column."""
    out, at = [], 0
    for m in _URL_TOKEN.finditer(text):
        out += [html.escape(text[at:m.start()]), f'<span class="url">{html.escape(m.group(0))}</span>']
        at = m.end()
    return "".join(out) + html.escape(text[at:])


def comparison_html(result: Comparison) -> str:
    """The comparison as a table outside the chat: titles as row headers linking to their
    Sources cards, cells wrapping on word boundaries, [n] linking to the card; on a narrow
    screen the table keeps readable columns and scrolls sideways."""
    cols = "".join('<col class="cell">' for _ in result.columns)
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in result.columns)
    rows = []
    for row in result.rows:
        cells = []
        for c in result.columns:
            cell = row.cells[c]
            if cell.citation:
                cells.append(f'<td>{_wrap_urls(cell.text)} <a class="cite" href="#source-{cell.citation}">[{cell.citation}]</a></td>')
            else:
                cells.append(f'<td><span class="missing">{html.escape(cell.text)}</span></td>')
        title = f'<a href="#source-{row.n}" title="its card in Sources">[{row.n}] {html.escape(row.paper.title)}</a>'
        rows.append(f'<tr><th scope="row">{title}</th>{"".join(cells)}</tr>')
    missing = ""
    if result.not_found:
        names = "; ".join(f"“{html.escape(t)}”" for t in result.not_found)
        missing = f'<p class="not-found">Not found in the index (not compared): {names}</p>'
    return (f'<div class="cmp"><p><b>Comparison:</b> {html.escape(result.topic)}</p>{missing}<div class="cmp-scroll">'
            f'<table><colgroup><col class="paper">{cols}</colgroup><thead><tr><th scope="col">paper</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></div>')


def _timings(timings: dict[str, float]) -> str:
    return " · ".join(f"{k.removesuffix('_ms')} {v:.0f} ms" for k, v in timings.items())


def _answerer_label(engine: Engine) -> str:
    from rag.llm import resolve_answerer

    name = resolve_answerer(engine.settings)
    if name == "openai":
        return f"openai ({engine.settings.llm_model})"
    if name == "local":
        return f"local ({engine.settings.local_gguf.name if engine.settings.local_gguf else '?'})"
    return "extractive (no LLM configured)"


def source_labels(names: list[str], counts: dict[str, int], dirs: list[Path] | None = None) -> dict[str, str]:
    """File name → readable label, from the start of each seed file found in `dirs`
    (the shipped seeds by default); a file not found keeps its name. Labels are unique."""
    labels: dict[str, str] = {}
    for name in names:
        head = ""
        for folder in dirs if dirs is not None else default_seed_paths():
            path = folder / name
            if path.is_file():
                try:
                    with path.open(encoding="utf-8", errors="replace") as f:
                        head = f.read(4096)
                except OSError:
                    pass
                break
        labels[name] = source_label(name, head, counts.get(name)) if head else name
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {name: label if seen[label] == 1 or label == name else f"{label} ({name.split('_')[0]})" for name, label in labels.items()}


# ------------------------------------------------------------------ the app


IMPORT_TYPES = [".bib", ".ris", ".json", ".xml", ".atom", ".pdf", ".jsonl", ".csv", ".txt", ".md"]


def import_files(engine: Engine, paths: list[str]) -> str:
    """Ingest dropped files into the engine's index (incrementally: only new text is embedded),
    and point the engine at the updated index. Returns the report as Markdown."""
    from rag import pipeline

    if not paths:
        return ""
    try:
        report, result = pipeline.ingest(engine.settings, [Path(p) for p in paths])
    except RagError as exc:
        return f"⚠ **error:** {_md(exc.message)}" + (f"  \nhint: {_md(exc.hint)}" if exc.hint else "") + "  \nNothing was imported."
    engine.__dict__.update(Engine(engine.settings).__dict__)  # every holder of `engine` now sees the new papers
    lines = [f"**Imported** {_md(report.summary())}.  ", f"{_md(result.summary())}."]
    lines += [f"- skipped: {_md(s.source)}:{s.line}: {_md(s.reason)}" for s in report.skipped]
    lines += [f"- dropped link: {_md(d.source)}:{d.line}: {_md(d.reason)}" for d in report.dropped_links]
    return "\n".join(lines)


def build_app(engine: Engine, labels: dict[str, str] | None = None) -> gr.Blocks:
    """`labels`: configured names for source files (file name → label); others are read
    from each file's first heading, and the file name stays on hover."""
    assistant = engine.assistant
    # One folder per app for the comparison downloads; each file lives only until gradio has
    # copied it into its own cache (whose old files `delete_cache` removes), and the folder
    # goes when the app is garbage-collected or the process exits.
    downloads = tempfile.TemporaryDirectory(prefix="paper-rag-")
    briefs = list(engine.index.papers.briefs())
    counts: dict[str, int] = {}
    for b in briefs:
        for s in b.sources:
            counts[s] = counts.get(s, 0) + 1
    source_files = sorted(counts)
    labels = {**source_labels(source_files, counts), **(labels or {})}
    years = sorted(b.year for b in briefs if b.year is not None)
    span = "" if not years else f" ({years[0]})" if years[0] == years[-1] else f" ({years[0]}–{years[-1]})"
    dated = (f"{len(years)} of {len(briefs)} papers have a date{span}"
             + "; a year filter leaves out the rest")

    def status(mode: str, question: str, *facts: str, index: bool = True) -> str:
        """The status line: always the request just made (or the error it ended in)."""
        parts = [f"**{mode}**" + (f" “{_md(_shorten(question, 60))}”" if question else "")]
        parts += [f for f in facts if f]
        if index:
            stats = engine.index.stats()
            # the embedder too: minilm+mpnet finds more paraphrases at ~7x the query cost (README)
            parts.append(f"index: {stats['papers']} papers, {stats['chunks']} chunks, embedder {stats['embedder']}")
        return " · ".join(parts)

    def error_status(mode: str, question: str, text: str) -> str:
        return status(mode, question, f"⚠ **error:** {_md(text)}", index=False)

    landing_status = status("Ready", "", f"answerer: {_answerer_label(engine)}")
    landing_sources = "<p>Cited papers appear here, with the supporting sentences highlighted.</p>"

    def _filters(sources: list[str] | None, year_min: float | None, year_max: float | None) -> Filters | None:
        f = Filters(tuple(sources or ()), int(year_min) if year_min else None, int(year_max) if year_max else None)
        return f if f.active() else None

    def respond(message: str, chat: list, mode: str, sources: list[str] | None, year_min, year_max, k: float, history: list):
        """One turn: stream the answer into the chat, then fill the Sources panel, the
        comparison table (Compare) and the status line."""
        chat = list(chat or [])
        history = list(history or [])
        message = (message or "").strip()
        chat.append({"role": "user", "content": user_markdown(message) if message else "(empty)"})
        chat.append({"role": "assistant", "content": ""})
        no_file = gr.update(value=None, visible=False)
        no_table = gr.update(value="", visible=False)
        yield chat, gr.update(), status(mode, message, "working…", index=False), history, "", no_file, no_table
        try:
            filters = _filters(sources, year_min, year_max)
            year_note = ""
            if filters and (filters.year_min or filters.year_max):  # most listings carry no date
                year_note = f"> Year filter: {dated}.\n\n"
            facts = ["year filter: " + dated.split(";")[0]] if year_note else []
            if mode == "Find the paper":
                result = assistant.lookup(message, filters=filters)
                chat[-1]["content"] = year_note + lookup_markdown(result, message)
                found = "not found" if result.abstained or result.paper is None else f"confidence {result.confidence:.2f}"
                yield (chat, sources_html_for_lookup(result, labels), status(mode, message, "lookup (no LLM)", found, *facts, _timings(result.timings_ms)),
                       history, "", no_file, no_table)
                return
            if mode == "Compare":
                result = assistant.compare(message, filters=filters, max_papers=max(2, min(int(k), 8)))
                chat[-1]["content"] = year_note + comparison_chat_markdown(result)
                folder = Path(tempfile.mkdtemp(dir=downloads.name))  # the downloads are named comparison.csv/.md
                try:
                    (folder / "comparison.csv").write_text(comparison_csv(result), encoding="utf-8")
                    (folder / "comparison.md").write_text(comparison_markdown(result), encoding="utf-8")
                    shown = status(mode, message, "compare (extractive)", f"{len(result.rows)} papers",
                                   f"{len(result.not_found)} not found" if result.not_found else "", *facts, _timings(result.timings_ms))
                    yield (chat, sources_html_for_comparison(result, labels), shown, history, "",
                           gr.update(value=[str(folder / "comparison.csv"), str(folder / "comparison.md")], visible=True),
                           gr.update(value=comparison_html(result), visible=True))
                finally:  # gradio resumes (or closes) the generator only after caching what was yielded
                    shutil.rmtree(folder, ignore_errors=True)
                return
            yield from _stream_answer(message, chat, history, filters, int(k), no_file, no_table, year_note, facts)
        except RagError as exc:
            chat[-1]["content"] = f"⚠ **{_md(exc.message)}**" + (f"  \n{_md(exc.hint)}" if exc.hint else "")
            yield chat, landing_sources, error_status(mode, message, exc.message), history, message, no_file, no_table
        except Exception as exc:  # never a stack trace in the chat
            log.exception("UI turn failed")
            chat[-1]["content"] = f"⚠ Something went wrong ({type(exc).__name__}); the server log has the details."
            yield chat, landing_sources, error_status(mode, message, f"something went wrong ({type(exc).__name__})"), history, message, no_file, no_table

    def _stream_answer(message, chat, history, filters, k, no_file, no_table, year_note, facts) -> Iterator:
        deltas: queue.Queue = queue.Queue()
        box: dict = {}

        def work() -> None:
            try:
                box["answer"] = assistant.ask(message, filters=filters, history=history[-3:], on_delta=deltas.put, k=k)
            except BaseException as exc:  # handed to the generator below
                box["error"] = exc
            finally:
                deltas.put(None)

        threading.Thread(target=work, daemon=True).start()
        text = ""
        while True:
            delta = deltas.get()
            if delta is None:
                break
            text += delta
            chat[-1]["content"] = year_note + _md(text)
            yield chat, gr.update(), gr.update(), history, "", no_file, no_table
        if "error" in box:
            raise box["error"]
        answer: Answer = box["answer"]
        chat[-1]["content"] = year_note + answer_markdown(answer)
        history.append(answer)
        who = answer.answerer + (f" ({answer.model})" if answer.model else "")
        p = f" (p {answer.evidence_probability:.2f})" if answer.evidence_probability is not None else ""
        shown = status("Ask", answer.searched_question or message, f"answerer: {who}", f"evidence: {answer.evidence}{p}",
                       f"{len(answer.citations)} cited" if answer.citations else "", *facts, _timings(answer.timings_ms))
        yield chat, sources_html_for_answer(answer, labels), shown, history, "", no_file, no_table

    with gr.Blocks(title="paper-rag", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown("## paper-rag — cited answers from research-paper abstracts")
        status_line = gr.Markdown(landing_status, elem_id="status")
        history = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                mode = gr.Radio(list(MODES), value="Ask", label="Mode", elem_id="mode")
                chatbot = gr.Chatbot(elem_id="chatbot", height=520, label="Chat", buttons=["copy"])
                with gr.Row():
                    question = gr.Textbox(elem_id="question", show_label=False, scale=5, lines=1, max_lines=6, min_width=280,
                                          placeholder=PLACEHOLDERS["Ask"])
                    send = gr.Button("Send", variant="primary", elem_id="send", scale=1, min_width=70)
                    clear = gr.Button("Clear", elem_id="clear", scale=1, min_width=70)
                with gr.Accordion("Filters and number of sources", open=False):
                    sources = gr.Dropdown([(labels.get(s, s), s) for s in source_files], multiselect=True,
                                          label="Source files", elem_id="filter_sources")
                    with gr.Row():
                        year_min = gr.Number(None, label="Year from", precision=0, elem_id="year_min", info=f"{dated}; 0 = any")
                        year_max = gr.Number(None, label="Year to", precision=0, elem_id="year_max", info="0 = any")
                    k = gr.Slider(1, 10, value=engine.settings.answer_sources, step=1, label="Sources per answer (papers to compare)", elem_id="k")
                with gr.Tabs():
                    for name in MODES:
                        with gr.Tab(f"Examples: {name}"):
                            gr.Examples([[q, name] for q in EXAMPLES[name]], inputs=[question, mode], label=None)
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources_panel = gr.HTML(landing_sources, elem_id="sources")
        comparison = gr.HTML("", visible=False, elem_id="comparison")
        compare_file = gr.File(label="Download the comparison (CSV, Markdown)", file_count="multiple", visible=False, elem_id="compare_csv")
        with gr.Accordion("Import your library (.bib, .ris, CSL-JSON/OpenAlex .json, arXiv .xml, PDFs, .jsonl, .csv)", open=False):
            upload = gr.File(label="Drop files here", file_count="multiple", file_types=IMPORT_TYPES, elem_id="import_files")
            import_report = gr.Markdown("", elem_id="import_report")

        def on_upload(paths: list[str] | None):
            nonlocal assistant
            text = import_files(engine, list(paths or []))
            assistant = engine.assistant  # the answers use the papers just imported
            return text, status("Import", "", index=True), gr.update(value=None)

        upload.upload(on_upload, upload, [import_report, status_line, upload], api_name=False)

        inputs = [question, chatbot, mode, sources, year_min, year_max, k, history]
        outputs = [chatbot, sources_panel, status_line, history, question, compare_file, comparison]
        question.submit(respond, inputs, outputs, api_name="chat")
        send.click(respond, inputs, outputs, api_name=False)
        mode.change(lambda m: gr.update(placeholder=PLACEHOLDERS.get(m, "")), mode, question, api_name=False)
        clear.click(lambda: ([], landing_sources, landing_status, [], gr.update(value=None, visible=False), gr.update(value="", visible=False)),
                    None, [chatbot, sources_panel, status_line, history, compare_file, comparison], api_name=False)
    demo.queue(default_concurrency_limit=4, max_size=64)
    demo.paper_rag_downloads = downloads  # keeps the folder alive as long as the app
    return demo


def style() -> dict:
    """The `launch` arguments that style the app (gradio 6 takes CSS at launch, not in Blocks)."""
    return {"css": CSS, "theme": gr.themes.Soft()}


def serve(engine: Engine, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None, block: bool = True):
    demo = build_app(engine)
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            auth=auth,
            share=False,
            inbrowser=False,
            show_error=False,
            quiet=True,
            prevent_thread_lock=not block,
            **style(),
        )
    except OSError as exc:  # gradio's "Cannot find empty port in range": it could not bind
        if "empty port" in str(exc):
            from ui.cli import port_in_use

            raise port_in_use(port) from None
        raise
    return demo


