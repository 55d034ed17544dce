"""Load the JSONL question sets in eval/data/ (see eval/data/README.md)."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
RETRIEVAL_SETS = ("plain", "paraphrase", "near_miss", "multi")
SPLITS = ("dev", "test")
QUESTIONS_ENV = "RAG_EVAL_QUESTIONS"


def questions_dir() -> Path:
    """Where the question sets are: eval/data/, or the folder RAG_EVAL_QUESTIONS names (your own
    sets for your own corpus, in the same schemas: eval/data/README.md; `rag eval --questions DIR`)."""
    override = os.environ.get(QUESTIONS_ENV)
    return Path(override).expanduser() if override else DATA_DIR


@contextmanager
def questions_from(directory: Path | None):
    """Read the question sets from `directory` (None: as configured) until the block ends."""
    previous = os.environ.get(QUESTIONS_ENV)
    if directory is not None:
        os.environ[QUESTIONS_ENV] = str(Path(directory).resolve())
    try:
        yield questions_dir()
    finally:
        if directory is not None:
            if previous is None:
                os.environ.pop(QUESTIONS_ENV, None)
            else:
                os.environ[QUESTIONS_ENV] = previous


class QuestionFileError(ValueError):
    """A question file that cannot be read as the schemas say: which file, which line, what is wrong."""


def _record(path: Path, number: int, line: str, name: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(f"{path}, line {number}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise QuestionFileError(f"{path}, line {number}: a record must be a JSON object")
    problems = []
    if not isinstance(record.get("id"), str) or not record["id"]:
        problems.append('no "id"')
    text = record.get("topic") or record.get("question") if name == "compare" else record.get("question")
    if not isinstance(text, str) or not text.strip():
        problems.append('no "topic" text' if name == "compare" else 'no "question" text')
    if not isinstance(record.get("gold"), list):
        problems.append('no "gold" list (the titles that answer it; [] for a question the corpus cannot answer)')
    if problems:
        raise QuestionFileError(f"{path}, line {number}: {'; '.join(problems)}")
    return record


def load_questions(name: str, split: str | None = None) -> list[dict]:
    """The records of one set; split "dev" (for tuning) or "test" (for reporting) keeps only
    that half (eval/split.py assigns it), None or "all" keeps every record. A record without a
    split was never assigned one, so never tuned on: it counts as test."""
    if split not in (None, "all", *SPLITS):
        raise ValueError(f"unknown split {split!r}: use 'dev', 'test' or 'all'")
    path = questions_dir() / f"{name}.jsonl"
    with open(path, encoding="utf-8") as fh:
        records = [_record(path, number, line, name) for number, line in enumerate(fh, start=1) if line.strip()]
    if split in SPLITS:
        records = [r for r in records if r.get("split", "test") == split]
    return records
