"""The gradio chat UI over `rag.pipeline`: ask, find the paper, compare.

No retrieval or prompt logic lives here: this module turns user input into calls on
`Engine.assistant` and turns the typed results into chat Markdown, a Sources panel
(HTML) and a status line. Every [n] in an answer links to the Sources panel entry of
the exact paper title.

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

from rag.errors import ConfigError, RagError
from rag.ingest import safe_url
from rag.pipeline import Engine
from rag.render import comparison_csv, comparison_markdown
from rag.retrieve import Filters
from rag.text import split_sentences
from rag.types import Answer, Comparison, Lookup, Paper

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
CSS = """
#sources .paper { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; }
#sources .flag { color: #b91c1c; font-weight: 600; }
#sources mark { background: #fde68a; color: inherit; }
#sources .meta { font-size: 0.85em; opacity: 0.8; }
#status { font-size: 0.9em; opacity: 0.85; }
"""


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


def _link_markers(text: str, titles: dict[int, str]) -> str:
    """[n] → a link to the Sources panel entry, with the exact title as its tooltip; the
    text around the markers goes through `_md` first."""

    def sub(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in titles:
            return m.group(0)
        tooltip = html.escape(titles[n], quote=True).replace("\\", "&#92;")
        return f'[\\[{n}\\]](#source-{n} "{tooltip}")'

    return re.sub(r"\[(\d+)\]", sub, _md(text))


def answer_markdown(answer: Answer) -> str:
    titles = {c.n: c.title for c in answer.citations}
    parts = [_link_markers(answer.text, titles)]
    if answer.preface:  # weak evidence or names no abstract has: said before the answer
        parts.insert(0, "\n".join(f"> ⚠ {_md(line)}" for line in answer.preface.splitlines()))
    if answer.citations:
        lines = []
        for c in answer.citations:
            url = safe_url(c.url)
            link = f" — [link]({url})" if url else ""
            flag = "" if c.supported else f" ⚠ *not clearly supported* ({c.support:.2f})"
            lines.append(f"[{c.n}] *{_md(c.title)}*{link}{flag}")
        parts.append("**Sources**  \n" + "  \n".join(lines))
    if answer.notes:
        parts.append("\n".join(f"> {_md(note)}" for note in answer.notes))
    return "\n\n".join(parts)


def lookup_markdown(result: Lookup) -> str:
    if result.abstained or result.paper is None:
        closest = "; ".join(f"*{_md(p.title)}*" for p, _ in result.runner_ups)
        return "The indexed abstracts don't name a paper for this." + (f" Closest: {closest}." if closest else "")
    lines = [f"**{_md(result.paper.title)}** [\\[1\\]](#source-1) — confidence {result.confidence:.2f}"]
    if result.evidence:
        lines.append(f"> {_md(result.evidence)}")
    if result.runner_ups:
        lines.append("Runner-ups: " + "; ".join(f"*{_md(p.title)}* ({c:.2f})" for p, c in result.runner_ups))
    return "\n\n".join(lines)


def _highlight(abstract: str, evidence: tuple[str, ...] | list[str]) -> str:
    out = []
    for sentence in split_sentences(abstract):
        escaped = html.escape(sentence)
        out.append(f"<mark>{escaped}</mark>" if any(e and (e in sentence or sentence in e) for e in evidence) else escaped)
    return " ".join(out)


def _paper_card(n: int | None, paper: Paper, evidence=(), flag: str | None = None, extra: str = "") -> str:
    anchor = f' id="source-{n}"' if n is not None else ""
    label = f"[{n}] " if n is not None else ""
    title = html.escape(paper.title)
    if url := safe_url(paper.url):  # checked at ingest too; an index built before that is not
        title = f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    meta = [f"source: {html.escape(', '.join(paper.sources))}"]
    if code_url := safe_url(paper.code_url):
        meta.append(f'code: <a href="{html.escape(code_url)}" target="_blank" rel="noopener noreferrer">{html.escape(code_url)}</a>')
    if paper.published:
        meta.append(f"published {html.escape(paper.published)}")
    flag_html = f'<div class="flag">⚠ {html.escape(flag)}</div>' if flag else ""
    return (
        f'<div class="paper"{anchor}><div class="title"><b>{label}{title}</b>{extra}</div>{flag_html}'
        f'<div class="meta">{" · ".join(meta)}</div>'
        f'<details open><summary>abstract</summary><p>{_highlight(paper.abstract, evidence)}</p></details></div>'
    )


def sources_html_for_answer(answer: Answer) -> str:
    if answer.abstained or not answer.citations:
        closest = "".join(_paper_card(None, h.paper) for h in answer.hits[:3])
        head = "<p><b>The indexed abstracts don't answer this.</b> Closest papers:</p>" if answer.abstained else ""
        return head + closest
    papers = {h.paper.paper_id: h.paper for h in answer.hits}
    cards = []
    for c in answer.citations:
        flag = None if c.supported else f"citation check: not clearly supported (support {c.support:.2f})"
        cards.append(_paper_card(c.n, papers[c.paper_id], c.evidence, flag, extra=f' <span class="meta">support {c.support:.2f}</span>'))
    return "".join(cards)


def sources_html_for_lookup(result: Lookup) -> str:
    cards = []
    if result.paper is not None and not result.abstained:
        cards.append(_paper_card(1, result.paper, (result.evidence,) if result.evidence else ()))
    cards.extend(_paper_card(None, p, extra=f' <span class="meta">runner-up {c:.2f}</span>') for p, c in result.runner_ups)
    return "".join(cards)


def sources_html_for_comparison(result: Comparison) -> str:
    return "".join(
        _paper_card(row.n, row.paper, tuple(cell.text for cell in row.cells.values() if cell.citation)) for row in result.rows
    )


def _status(engine: Engine, who: str, timings: dict[str, float]) -> str:
    stats = engine.index.stats()
    timing = " · ".join(f"{k.removesuffix('_ms')} {v:.0f} ms" for k, v in timings.items())
    return f"**Answerer:** {_md(who)} · **Index:** {stats['papers']} papers, {stats['chunks']} chunks" + (f" · {timing}" if timing else "")


def _answerer_label(engine: Engine) -> str:
    from rag.llm import resolve_answerer

    name = resolve_answerer(engine.settings)
    if name == "openai":
        return f"openai ({engine.settings.llm_model})"
    if name == "local":
        return f"local ({engine.settings.local_gguf.name if engine.settings.local_gguf else '?'})"
    return "extractive (no LLM configured)"


# ------------------------------------------------------------------ the app


def build_app(engine: Engine) -> gr.Blocks:
    assistant = engine.assistant
    # One folder per app for the comparison CSVs; each file lives only until gradio has
    # copied it into its own cache (whose old files `delete_cache` removes), and the folder
    # goes when the app is garbage-collected or the process exits.
    downloads = tempfile.TemporaryDirectory(prefix="paper-rag-")
    source_files = sorted({s for p in engine.index.papers.briefs() for s in p.sources})

    def _filters(sources: list[str] | None, year_min: float | None, year_max: float | None) -> Filters | None:
        f = Filters(tuple(sources or ()), int(year_min) if year_min else None, int(year_max) if year_max else None)
        return f if f.active() else None

    def respond(message: str, chat: list, mode: str, sources: list[str] | None, year_min, year_max, k: float, history: list):
        """One turn: stream the answer into the chat, then fill the Sources panel and status."""
        chat = list(chat or [])
        history = list(history or [])
        message = (message or "").strip()
        chat.append({"role": "user", "content": message or "(empty)"})
        chat.append({"role": "assistant", "content": ""})
        no_file = gr.update(value=None, visible=False)
        yield chat, gr.update(), gr.update(), history, "", no_file
        try:
            filters = _filters(sources, year_min, year_max)
            if mode == "Find the paper":
                result = assistant.lookup(message, filters=filters)
                chat[-1]["content"] = lookup_markdown(result)
                yield chat, sources_html_for_lookup(result), _status(engine, "lookup", result.timings_ms), history, "", no_file
                return
            if mode == "Compare":
                result = assistant.compare(message, filters=filters, max_papers=max(2, min(int(k), 8)))
                chat[-1]["content"] = _md(comparison_markdown(result))
                if result.not_found:  # named titles the index lacks: said, never swapped for other papers
                    missing = "; ".join(f"“{t}”" for t in result.not_found)
                    chat[-1]["content"] += "\n\n" + _md(f"Not found in the index (not compared): {missing}")
                folder = Path(tempfile.mkdtemp(dir=downloads.name))  # the download is named comparison.csv
                try:
                    path = folder / "comparison.csv"
                    path.write_text(comparison_csv(result), encoding="utf-8")
                    yield (chat, sources_html_for_comparison(result), _status(engine, "compare (extractive)", result.timings_ms),
                           history, "", gr.update(value=str(path), visible=True))
                finally:  # gradio resumes (or closes) the generator only after caching what was yielded
                    shutil.rmtree(folder, ignore_errors=True)
                return
            yield from _stream_answer(message, chat, history, filters, int(k), no_file)
        except RagError as exc:
            chat[-1]["content"] = f"⚠ **{_md(exc.message)}**" + (f"  \n{_md(exc.hint)}" if exc.hint else "")
            yield chat, gr.update(), gr.update(), history, message, no_file
        except Exception as exc:  # never a stack trace in the chat
            log.exception("UI turn failed")
            chat[-1]["content"] = f"⚠ Something went wrong ({type(exc).__name__}); the server log has the details."
            yield chat, gr.update(), gr.update(), history, message, no_file

    def _stream_answer(message, chat, history, filters, k, no_file) -> Iterator:
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
            chat[-1]["content"] = _md(text)
            yield chat, gr.update(), gr.update(), history, "", no_file
        if "error" in box:
            raise box["error"]
        answer: Answer = box["answer"]
        chat[-1]["content"] = answer_markdown(answer)
        history.append(answer)
        who = answer.answerer + (f" ({answer.model})" if answer.model else "")
        yield chat, sources_html_for_answer(answer), _status(engine, who, answer.timings_ms), history, "", no_file

    with gr.Blocks(title="paper-rag", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown("## paper-rag — cited answers from research-paper abstracts")
        status = gr.Markdown(_status(engine, _answerer_label(engine), {}), elem_id="status")
        history = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                mode = gr.Radio(list(MODES), value="Ask", label="Mode", elem_id="mode")
                chatbot = gr.Chatbot(elem_id="chatbot", height=520, label="Chat", buttons=["copy"])
                with gr.Row():
                    question = gr.Textbox(
                        elem_id="question", show_label=False, scale=5, lines=1, max_lines=6,
                        placeholder="Ask about the papers, e.g. 'Which paper introduced the NF4 data type?'",
                    )
                    send = gr.Button("Send", variant="primary", elem_id="send", scale=1)
                    clear = gr.Button("Clear", elem_id="clear", scale=1)
                compare_file = gr.File(label="Comparison as CSV", visible=False, elem_id="compare_csv")
                with gr.Accordion("Filters and number of sources", open=False):
                    sources = gr.Dropdown(source_files, multiselect=True, label="Source files", elem_id="filter_sources")
                    with gr.Row():
                        year_min = gr.Number(label="Year from", precision=0, elem_id="year_min")
                        year_max = gr.Number(label="Year to", precision=0, elem_id="year_max")
                    k = gr.Slider(1, 10, value=engine.settings.answer_sources, step=1, label="Sources per answer (papers to compare)", elem_id="k")
                with gr.Tabs():
                    for name in MODES:
                        with gr.Tab(f"Examples: {name}"):
                            gr.Examples([[q, name] for q in EXAMPLES[name]], inputs=[question, mode], label=None)
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources_panel = gr.HTML("<p>Cited papers appear here, with the supporting sentences highlighted.</p>", elem_id="sources")

        inputs = [question, chatbot, mode, sources, year_min, year_max, k, history]
        outputs = [chatbot, sources_panel, status, history, question, compare_file]
        question.submit(respond, inputs, outputs, api_name="chat")
        send.click(respond, inputs, outputs, api_name=False)
        clear.click(lambda: ([], "", [], gr.update(value=None, visible=False)), None, [chatbot, sources_panel, history, compare_file], api_name=False)
    demo.queue(default_concurrency_limit=4, max_size=64)
    demo.paper_rag_downloads = downloads  # keeps the folder alive as long as the app
    return demo


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
            css=CSS,
            theme=gr.themes.Soft(),
        )
    except OSError as exc:  # gradio's "Cannot find empty port in range": it could not bind
        if "empty port" in str(exc):
            raise port_in_use(port) from None
        raise
    return demo


def port_in_use(port: int) -> ConfigError:
    return ConfigError(f"port {port} is in use", hint="pick another with --port N (or stop what is listening there)")
