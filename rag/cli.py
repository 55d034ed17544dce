"""The `rag` command. Library errors (RagError) become one line on stderr and exit code 2.

Heavy imports (llama-index, chromadb, onnxruntime) happen inside the commands that
need them, so `rag --help` and `rag config` answer at once.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from rag.config import Settings, load_settings
from rag.errors import RagError
from rag.ingest import FORMAT_NAMES  # light: the parsers behind it load on first use

EXIT_USER_ERROR = 2


PLUGIN_GROUP = "paper_rag.commands"


def _dash_question_last(args: list[str]) -> list[str]:
    """A question pasted from a markdown list ("- `QLoRA`: how much memory …?") starts with a dash, and was read as an
    option: "No such option '- '". No option starts with a dash and a space, so when such a text ends the command line,
    "--" goes before it (after it, options would be read as the question's words: those keep click's error)."""
    if "--" in args:
        return args
    for i, arg in enumerate(args):
        if len(arg) > 1 and arg[0] == "-" and arg[1].isspace():
            return [*args[:i], "--", *args[i:]] if not any(a.startswith("-") for a in args[i + 1:]) else args
    return args


class _Group(click.Group):
    """Turns RagError into a one-line message and exit code 2 for every command, and adds
    commands that other packages register under the `paper_rag.commands` entry point
    (`rag serve` from ui/, `rag eval` from eval/), so `rag` never imports them itself."""

    def _plugins(self) -> dict:
        from importlib.metadata import entry_points

        return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, name: str):
        command = super().get_command(ctx, name)
        if command is None and name in (plugins := self._plugins()):
            command = plugins[name].load()
        return command

    def main(self, args=None, *rest, **kwargs):
        return super().main(_dash_question_last(list(sys.argv[1:] if args is None else args)), *rest, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RagError as exc:
            click.secho(f"error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            ctx.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="Index directory [env RAG_DATA_DIR; default ~/.local/share/paper-rag].")
@click.option("--chroma-url", default=None, help="Use a `chroma run` server at http://HOST:PORT [env RAG_CHROMA_URL].")
@click.option("-v", "--verbose", count=True, help="Log more (-vv for debug).")
@click.version_option(package_name="paper-rag")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, chroma_url: str | None, verbose: int) -> None:
    """paper-rag: search and question research-paper abstracts, offline."""
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)], format="%(levelname)s %(name)s: %(message)s")
    try:
        ctx.obj = {"settings": load_settings(data_dir=data_dir, chroma_url=chroma_url)}
    except RagError as exc:
        click.secho(f"error: {exc.message}", fg="red", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        ctx.exit(EXIT_USER_ERROR)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the index and build it again from these files.")
@click.option("--wait", "wait_seconds", type=float, default=0.0, show_default=True, help="Seconds to wait if another ingest holds the index.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Read every file as this format [default: from each file's extension and content].")
@click.option("--embedder", type=click.Choice(["minilm", "minilm+mpnet"]), default=None,
              help="minilm, or also all-mpnet-base-v2 for questions in your own words (`make mpnet`) [env RAG_EMBEDDER; default: as the index was built, else minilm].")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, wait_seconds: float, fmt: str | None, embedder: str | None) -> None:
    """Parse files and folders (default: seeds/) and update the index; only changed text is embedded.

    Reads seed .txt/.md, BibTeX .bib, RIS .ris, CSL-JSON or OpenAlex .json, arXiv Atom .xml,
    PDFs (title and abstract from the first pages), and .jsonl/.csv with title and abstract
    columns. The same paper in several files or formats (same DOI, arXiv id or title) is one
    paper. Entries without an abstract are reported and skipped."""
    from tqdm import tqdm

    from rag import pipeline

    settings = _settings(ctx)
    if embedder:
        settings.embedder = embedder  # marks it as given: the index is converted to it
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="text", desc="embedding", disable=None if settings.progress else True, file=sys.stderr)
        if bar.total != total:  # the abstract sentences, counted once the chunks are done
            bar.total = total
        bar.update(done - bar.n)

    try:
        report, result = pipeline.ingest(settings, list(paths) or None, rebuild=rebuild, progress=progress, lock_wait=wait_seconds, fmt=fmt)
    except RagError as exc:
        exc.hint = exc.hint or "see `rag ingest --help` and README: corpus formats"  # every error gets a hint
        raise
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"parsed: {report.summary()}")
    for line in result.skipped:
        click.echo(f"skipped: {line}", err=True)
    for link in report.dropped_links:
        click.echo(f"dropped link: {link.source}:{link.line}: {link.reason}", err=True)
    click.echo(f"index: {result.summary()}")
    click.echo(f"data dir: {settings.data_dir}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--format", "fmt", type=click.Choice(["bibtex", "ris", "csl-json"]), default=None,
              help="Export the library for a reference manager (re-imports with `rag ingest`).")
@click.pass_context
def papers(ctx: click.Context, as_json: bool, fmt: str | None) -> None:
    """List the indexed papers, or export them with --format."""
    from rag.errors import IndexError_
    from rag.index import PaperStore, read_manifest

    settings = _settings(ctx)
    manifest = read_manifest(settings.data_dir)
    if manifest is None:
        raise IndexError_(f"no index in {settings.data_dir}", hint="build it first: rag ingest")
    if as_json and fmt:
        raise click.UsageError("--json and --format are alternatives; give one")
    store = PaperStore(settings.data_dir, expected=manifest["papers"])
    if fmt:
        from rag.export import export_papers

        click.echo(export_papers(list(store.values()), fmt), nl=False)
        return
    for paper in store.values():
        if as_json:
            click.echo(json.dumps({"title": paper.title, "sources": list(paper.sources), "url": paper.url, "code_url": paper.code_url, "published": paper.published,
                                   "authors": list(paper.authors), "doi": paper.doi, "arxiv_id": paper.arxiv_id, "venue": paper.venue}, ensure_ascii=False))
        else:
            extra = f"  [{paper.published}]" if paper.published else ""
            click.echo(f"{paper.title}{extra}  ({', '.join(paper.sources)})")


def _prompted_lines(prompt: str):
    """Lines typed at a prompt (or piped in), stripped, until an empty line or end of input."""
    while True:
        try:
            line = input(prompt) if sys.stdin.isatty() else sys.stdin.readline()
        except EOFError:
            return
        if not line.strip():
            return
        yield line.strip()


def _stdin_batch(run, as_json: bool, key: str, report_blank: bool) -> int:
    """`run` each line of stdin in turn (the caller loaded the engine once). A line that fails
    with a RagError (empty, too long, ...) prints {key: line, "line": n, "error": {...}} (with
    --json) or `error: line n: ...` on stderr, and the batch goes on. Blank lines at the end
    are ignored; blank lines between others count as failed lines when `report_blank`, so that
    output line n answers input line n. Returns how many lines failed."""
    failed = 0
    blank: list[int] = []
    for n, line in enumerate(sys.stdin, start=1):
        text = line.strip()
        if not text:
            blank.append(n)
            continue
        for b, item in [(b, "") for b in blank if report_blank] + [(n, text)]:
            try:
                run(item)
            except RagError as exc:
                failed += 1
                if as_json:
                    error = {"type": type(exc).__name__, "message": exc.message, "hint": exc.hint}
                    click.echo(json.dumps({key: item, "line": b, "error": error}, ensure_ascii=False))
                else:
                    click.secho(f"error: line {b}: {exc.message}", fg="red", err=True)
                    if exc.hint:
                        click.echo(f"hint: {exc.hint}", err=True)
        blank.clear()
    return failed


def _hit_json(hit) -> dict:
    return {
        "rank": hit.rank,
        "title": hit.paper.title,
        "score": hit.score,
        "snippet": hit.snippet,
        "sources": list(hit.paper.sources),
        "url": hit.paper.url,
        "code_url": hit.paper.code_url,
    }


def _print_hits(query: str, hits, as_json: bool, searched_as: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps({"query": query, "hits": [_hit_json(h) for h in hits]}, ensure_ascii=False))
        return
    if searched_as:  # 'Searched “chatbots” as “large language models” …' (rag.lay_terms)
        click.secho(searched_as, dim=True)
    if not hits:
        click.echo("no matching papers")
    for hit in hits:
        click.secho(f"{hit.rank}. {hit.paper.title}", bold=True)
        meta = [f"score {hit.score:.4f}", ", ".join(hit.paper.sources)]
        if hit.paper.code_url:
            meta.append(f"code: {hit.paper.code_url}")
        click.echo("   " + " · ".join(meta))
        click.echo(f"   {hit.snippet}")
    click.echo()


@cli.command()
@click.argument("query", required=False)
@click.option("-k", "k", type=click.IntRange(1, 100), default=None, help="Papers to return [default 5].")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per query.")
@click.option("--source", "sources", multiple=True, help="Only papers listed in this seed file (repeatable).")
@click.option("--year-min", type=int, default=None, help="Only papers published in or after this year.")
@click.option("--year-max", type=int, default=None, help="Only papers published in or before this year.")
@click.option("--title", "title_contains", default=None, help="Only papers whose title contains this text.")
@click.option("--author", "authors", multiple=True,
              help="Only papers by this author: full name ('Peng Gao'), or a first author's family name (repeatable).")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", show_default=True)
@click.option("-i", "--interactive", is_flag=True, help="Prompt for queries until an empty line or Ctrl-D.")
@click.pass_context
def search(ctx, query, k, as_json, sources, year_min, year_max, title_contains, authors, mode, interactive) -> None:
    """Find the papers that best match QUERY.

    '-' reads one query per line from stdin (blank lines skipped); a query that fails prints
    an error (with --json a line with an "error" object) and the rest go on. Exit code 1 when
    any query failed.
    """
    from rag.pipeline import Engine
    from rag.retrieve import Filters, check_query

    if not interactive and query is None:
        raise click.UsageError("give a QUERY, '-' to read queries from stdin, or --interactive")
    if query not in (None, "-"):
        check_query(query)  # fail fast, before loading the index
    engine = Engine(_settings(ctx))
    filters = Filters(tuple(sources), year_min, year_max, title_contains, tuple(authors))
    unknown = [a for a in authors if not engine.retriever.authors.papers(a)]
    if unknown:
        raise click.UsageError(f"no indexed paper lists the author {', '.join(map(repr, unknown))} "
                               "(give a full name as the papers write it, or a first author's family name)")

    def run(q: str) -> None:
        searched_as = engine.retriever.field_terms_note(q)
        _print_hits(q, engine.search(q, k, filters, mode=mode), as_json, searched_as)

    if interactive:
        stats = engine.index.stats()
        click.echo(f"{stats['papers']} papers, {stats['chunks']} chunks indexed. Type a query; empty line or Ctrl-D quits.")
        click.echo("Try: 'survey of mixture of experts', 'compressing the KV cache of vision-language models',")
        click.echo("     'fine-tune a huge model on one GPU by quantizing its frozen weights'")
        for line in _prompted_lines("search> "):
            try:
                run(line)
            except RagError as exc:
                click.secho(f"error: {exc}", fg="red", err=True)
        return
    if query == "-":
        if _stdin_batch(run, as_json, "query", report_blank=False):
            ctx.exit(1)
        return
    run(query)


_answerer_option = click.option(
    "--answerer", type=click.Choice(["auto", "openai", "local", "extractive"]), default=None,
    help="Who writes the answer [env RAG_ANSWERER; auto: openai if a key/base URL is set, else local if RAG_LOCAL_GGUF, else extractive].",
)
_model_option = click.option("--model", "llm_model", default=None, help="Model name for the openai answerer [env RAG_LLM_MODEL].")


def _assistant(ctx: click.Context, llm_model: str | None = None):
    from rag.pipeline import Engine

    settings = _settings(ctx)
    if llm_model:
        settings = settings.model_copy(update={"llm_model": llm_model})
    return Engine(settings).assistant


def _paper_lookup(ctx: click.Context):
    """paper_id → Paper from the index's papers.jsonl (for a cited paper outside the answer's hits)."""
    from rag.index import PaperStore

    store = None

    def lookup(paper_id: str):
        nonlocal store
        store = store or PaperStore(_settings(ctx).data_dir)
        return store.get(paper_id)

    return lookup


def _print_answer(answer, streamed: bool) -> None:
    from rag.render import answer_footer

    if not streamed:
        if answer.preface:
            click.echo(answer.preface + "\n")
        click.echo(answer.text)
    click.echo()
    click.echo(answer_footer(answer))


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: question, searched_question, answer, citations, hits, timings.")
@_answerer_option
@_model_option
@click.option("-k", "k", type=click.IntRange(1, 20), default=None, help="Papers given to the answerer [default 5].")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "bibtex", "ris", "csl-json"]), default="text", show_default=True,
              help="md: the answer with its [n] markers and a linked reference list; bibtex/ris/csl-json: the cited papers.")
@click.pass_context
def ask(ctx, question, as_json, answerer, llm_model, k, fmt) -> None:
    """Answer QUESTION from the indexed abstracts, citing each claim as [n].

    QUESTION may be a long paste (a training log, a stack trace, notes; up to 20,000
    characters): the question in it is searched and shown first as `searched: "..."`.

    '-' reads one question per line from stdin and answers each with the same loaded index
    (with --json one JSON line per question). A line that fails (empty, too long) gets a line
    with an "error" object instead and the rest go on. Exit code: 0 when every question was
    answered, 1 when any line failed, 2 when the command itself could not run.
    """
    from rag.paste import find_question
    from rag.render import answer_json
    from rag.retrieve import check_query

    if as_json and fmt != "text":
        raise click.UsageError("--json and --format are alternatives; give one")
    if question != "-":
        check_query(question)  # fail fast, before loading the index
    assistant = _assistant(ctx, llm_model)

    def run(q: str) -> None:
        check_query(q)
        found = find_question(q)
        if fmt != "text":
            from rag.export import export_answer

            answer = assistant.ask(q, answerer=answerer, k=k)
            click.echo(export_answer(answer, fmt, _paper_lookup(ctx)), nl=False)
            if fmt != "md" and not answer.citations:
                click.echo(f"note: the answer cites no paper, so there is nothing to export ({answer.text[:80]})", err=True)
            return
        if found.differs and not as_json:
            click.echo(f'searched: "{found.question}"')
        on_delta = None if as_json else (lambda d: click.echo(d, nl=False))
        answer = assistant.ask(q, answerer=answerer, on_delta=on_delta, k=k)
        if as_json:
            click.echo(json.dumps(answer_json(answer), ensure_ascii=False))
        else:
            click.echo()
            _print_answer(answer, streamed=True)

    if question == "-":
        if _stdin_batch(run, as_json, "question", report_blank=True):
            ctx.exit(1)
        return
    run(question)


@cli.command()
@_answerer_option
@_model_option
@click.pass_context
def chat(ctx, answerer, llm_model) -> None:
    """A multi-turn session: follow-ups ('which datasets did they use?') refer to the last answer's papers."""
    assistant = _assistant(ctx, llm_model)
    history = []
    click.echo("Ask about the indexed papers. Empty line or Ctrl-D quits.")
    for line in _prompted_lines("you> "):
        try:
            answer = assistant.ask(line, answerer=answerer, history=history, on_delta=lambda d: click.echo(d, nl=False))
        except RagError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            continue
        click.echo()
        if answer.rewritten_question:
            click.echo(f"(searched as: {answer.rewritten_question})")
        _print_answer(answer, streamed=True)
        click.echo()
        history.append(answer)


@cli.command(name="cite")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: title, confidence, evidence, runner_ups.")
@click.pass_context
def cite_command(ctx, question, as_json) -> None:
    """Which paper proposed/introduced X? The best title, a confidence and the evidence sentence."""
    from rag.render import lookup_json, lookup_text
    from rag.retrieve import check_query

    check_query(question)
    result = _assistant(ctx).lookup(question)
    click.echo(json.dumps(lookup_json(result), ensure_ascii=False) if as_json else lookup_text(result))


@cli.command()
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: topic, rows of cited cells.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True)
@click.option("-n", "max_papers", type=click.IntRange(1, 8), default=8, show_default=True,
              help="Most papers to compare for a topic (the relevant ones, up to this).")
@click.pass_context
def compare(ctx, topic, as_json, fmt, max_papers) -> None:
    """Compare papers on TOPIC (or 'Title A; Title B') by problem, method, data and result.

    A topic compares every paper that is relevant to it; named titles compare exactly the
    papers with those titles, and a line `not found: "..."` names any the index lacks."""
    from rag.render import comparison_csv, comparison_json, comparison_markdown
    from rag.retrieve import check_query

    check_query(topic)
    result = _assistant(ctx).compare(topic, max_papers=max_papers)
    if as_json:
        payload = comparison_json(result)
        payload.setdefault("not_found", list(result.not_found))
        payload.setdefault("notes", list(result.notes))
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    # After a CSV the lines go to stderr, so that stdout stays one parseable table.
    if fmt == "csv":
        click.echo(comparison_csv(result), nl=False)
    else:
        click.echo(comparison_markdown(result))
    if result.not_found:
        click.echo("not found: " + "; ".join(f'"{t}"' for t in result.not_found), err=fmt == "csv")
    for note in result.notes:
        click.echo(f"note: {note}", err=fmt == "csv")


@cli.command(name="mcp")
@_answerer_option
@click.pass_context
def mcp_command(ctx, answerer) -> None:
    """Serve the index to AI assistants over MCP on stdin/stdout (for an MCP client's config).

    Tools: search_papers, ask, find_paper, compare_papers, list_papers; each paper is a
    resource paper://<id>. Errors come back as tool errors with a hint."""
    from rag.mcp_server import serve

    settings = _settings(ctx)
    serve(settings.model_copy(update={"answerer": answerer}) if answerer else settings)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def config(ctx: click.Context, as_json: bool) -> None:
    """Show the effective settings (env vars RAG_* and flags applied; secrets masked)."""
    values = _settings(ctx).masked()
    if as_json:
        click.echo(json.dumps(values))
        return
    for key, value in values.items():
        click.echo(f"{key} = {value}")


def main() -> None:
    cli(prog_name="rag")


if __name__ == "__main__":
    main()
