"""Load the JSONL question sets in eval/data/ (see eval/data/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
RETRIEVAL_SETS = ("plain", "paraphrase", "near_miss", "multi")
SPLITS = ("dev", "test")


def load_questions(name: str, split: str | None = None) -> list[dict]:
    """The records of one set; split "dev" (for tuning) or "test" (for reporting) keeps only
    that half (eval/split.py assigns it), None or "all" keeps every record."""
    if split not in (None, "all", *SPLITS):
        raise ValueError(f"unknown split {split!r}: use 'dev', 'test' or 'all'")
    path = DATA_DIR / f"{name}.jsonl"
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    if split in SPLITS:
        records = [r for r in records if r.get("split") == split]
    return records
