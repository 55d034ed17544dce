"""Load the JSONL question sets in eval/data/ (see eval/data/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
RETRIEVAL_SETS = ("plain", "paraphrase", "near_miss", "multi")


def load_questions(name: str) -> list[dict]:
    path = DATA_DIR / f"{name}.jsonl"
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
