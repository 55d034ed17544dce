"""`rag eval`: registered as a plugin command (entry point group `paper_rag.commands`), so
`rag` never imports `eval`. Runs the question sets through the real pipeline and the naive
LlamaIndex baseline, prints the headline table and writes report.md/.json/.png."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from eval.datasets import DATA_DIR, QUESTIONS_ENV

DEFAULT_OUT = Path("eval-out")  # relative to the current directory: never inside the installed package


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=DATA_DIR.parent.parent, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _parse_sets(value: str | None) -> list[str]:
    from eval.runner import available_sets

    known = available_sets()
    if not value:
        return known
    sets = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in sets if s not in known]
    if unknown:
        raise click.BadParameter(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(known)}", param_hint="--sets")
    return sets


def _per_type_both(records: list[dict], judged: bool) -> dict:
    from eval.runner import per_type

    rows = {system: per_type(records, system, judged) for system in ("ours", "baseline")}
    return {name: {system: rows[system][name] for system in rows} for name in rows["ours"]}


def _evidence_thresholds() -> dict:
    from rag.evidence import load_model

    model = load_model()
    return {"none_below": model.none_below, "strong_from": model.strong_from, "relevant_from": model.relevant_from,
            "list_from": model.list_from, "compare_from": model.compare_from}


def build_report(run, settings, answerer: str, sets: list[str], limit: int | None, runtime_s: float) -> dict:
    """Everything report.json holds (see eval/README.md)."""
    from eval.report import SCHEMA_VERSION
    from eval.runner import calibration, summarize, sweep

    records = run.records
    judged = run.llm_judge is not None
    dirty = _git("status", "--porcelain")
    return {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "created": datetime.now().isoformat(timespec="seconds"),
            "commit": _git("rev-parse", "--short", "HEAD"),
            "dirty": bool(dirty) if dirty is not None else None,
            "answerer": answerer,
            "model": getattr(run.backend, "model", None),
            "llm_judge": run.llm_judge.model if judged else None,
            "llm_judge_calls": run.llm_judge.calls if judged else 0,
            "llm_judge_no_verdict": run.llm_judge.errors if judged else 0,
            "support_threshold": run.checker.checker.threshold,
            "split": run.split,
            "questions": os.environ.get(QUESTIONS_ENV) or None,  # a folder of one's own sets, else eval/data/
            "sets": {s: sum(1 for r in records if r["set"] == s) for s in sets},
            "limit": limit,
            "n_questions": len(records),
            "data_dir": str(settings.data_dir),
            "papers": len(run.papers),
            "answer_sources": settings.answer_sources,
            "evidence_thresholds": _evidence_thresholds(),
            "baseline": "llama-index VectorStoreIndex over one Document per paper (title + abstract), same MiniLM embedder, "
            "default splitter, as_retriever() defaults (top 2), same answerer; no abstention, no citation check",
            "baseline_build_s": round(run.baseline.build_seconds, 2),
            "runtime_s": round(runtime_s, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        },
        "headline": {system: summarize(records, system, judged, answerer) for system in ("ours", "baseline")},
        "per_type": _per_type_both(records, judged),
        "sweep": sweep(records),
        "calibration": calibration(records),
        "questions": records,
    }


@click.command(name="eval")
@click.option("--answerer", type=click.Choice(["auto", "openai", "local", "extractive"]), default=None,
              help="Who writes the answers [env RAG_ANSWERER; auto: openai if a key/base URL is set, else local if RAG_LOCAL_GGUF, else extractive].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Directory for report.md/.json/.png [default ./eval-out/<timestamp> in the current directory].")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N questions per set.")
@click.option("--sets", "sets_value", default=None, help="Comma-separated question sets [default: all in eval/data/].")
@click.option("--no-judge", is_flag=True, help="With an LLM answerer, skip the LLM support judge (one call per cited sentence).")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="test", show_default=True,
              help="Which questions: dev (tune on these), test (the reported numbers) or all.")
@click.option("--questions", "questions", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="A folder of your own question sets (<set>.jsonl, the schemas of eval/data/README.md) for your "
                   "own corpus [env RAG_EVAL_QUESTIONS; default eval/data/]. Records without a split count as test.")
@click.pass_context
def eval_command(ctx: click.Context, answerer: str | None, out_dir: Path | None, limit: int | None, sets_value: str | None,
                 no_judge: bool, split: str, questions: Path | None) -> None:
    """Score answers, citations, retrieval, lookup and abstention against eval/data/ (or --questions DIR), ours vs a naive LlamaIndex baseline."""
    from eval.datasets import questions_from

    with questions_from(questions):
        _run_eval(ctx, answerer, out_dir, limit, sets_value, no_judge, split)


def _run_eval(ctx: click.Context, answerer: str | None, out_dir: Path | None, limit: int | None, sets_value: str | None,
              no_judge: bool, split: str) -> None:
    """The eval command's work, with the question sets already chosen (questions_from)."""
    from tqdm import tqdm

    from eval.datasets import QuestionFileError, questions_dir
    from eval.report import headline_markdown, write_report
    from eval.runner import run_eval, select_questions
    from rag import pipeline
    from rag.index import read_manifest
    from rag.llm import resolve_answerer

    settings = ctx.obj["settings"]
    sets = _parse_sets(sets_value)
    if not sets:
        raise click.BadParameter(f"no question sets (*.jsonl) in {questions_dir()}", param_hint="--questions")
    try:  # every file read before any work: a bad line is reported by file and line, nothing is run
        chosen = select_questions(sets, limit, split)
    except QuestionFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--questions") from None
    if not chosen:
        raise click.BadParameter(f"no {split} questions in {questions_dir()} (records without a split count as test)",
                                 param_hint="--split")
    name = resolve_answerer(settings, answerer)
    t0 = time.perf_counter()
    if read_manifest(settings.data_dir) is None:
        click.echo(f"No index in {settings.data_dir} yet: building it from the shipped seeds…", err=True)
        report, result = pipeline.ingest(settings)
        click.echo(f"{report.summary()}; {result.summary()}", err=True)
    engine = pipeline.Engine(settings)
    titles = {brief.title for brief in engine.index.papers.briefs()}
    unknown = sorted({g for _, r in chosen for g in r["gold"] if g not in titles})
    if unknown:
        click.echo(f"warning: {len(unknown)} gold title(s) are not in the index, so no answer can cite them "
                   f"(first: “{unknown[0]}”); titles must match the indexed ones exactly (`rag papers`).", err=True)
    click.echo("Building the naive LlamaIndex baseline (embeds every abstract)…", err=True)
    bar = None

    def on_start(total: int) -> None:
        nonlocal bar
        bar = tqdm(total=total, unit="q", desc=f"eval ({name})", file=sys.stderr, disable=None if settings.progress else True)

    def progress(record: dict) -> None:
        if bar is not None:
            bar.set_postfix_str(record["id"], refresh=False)
            bar.update(1)

    try:
        run = run_eval(engine, name, sets, limit=limit, judge=not no_judge, progress=progress, on_start=on_start, split=split,
                       questions=chosen)
    finally:
        if bar is not None:
            bar.close()
    data = build_report(run, settings, name, sets, limit, time.perf_counter() - t0)
    out = out_dir or DEFAULT_OUT / datetime.now().strftime("%Y%m%d-%H%M%S")
    paths = write_report(data, out)
    click.echo(headline_markdown(data))
    click.echo()
    click.echo(f"wrote {paths['md']}, {paths['json'].name}, {paths['png'].name}")
