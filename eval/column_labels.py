"""How often `rag compare` puts in each column the sentence a careful reader would (eval/column_labels.json).

    python -m eval.column_labels            # per batch: labels matched / labels, on the shipped seeds

No index is needed: the seed files are parsed and each labelled abstract's sentences assigned to columns.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rag.compare import assign_columns
from rag.text import split_sentences

LABELS_PATH = Path(__file__).with_name("column_labels.json")


def load_batches(path: Path = LABELS_PATH) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    """Batch name -> [(title prefix, column, acceptable sentence prefixes)]."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: [(prefix, column, tuple(want)) for prefix, column, want in batch["labels"]]
            for name, batch in data["batches"].items()}


def assigned(papers: dict, prefix: str) -> tuple[list[str], dict[str, int | None]]:
    """The abstract's sentences (as compare reads them) and the sentence index chosen for each column."""
    (paper,) = [p for title, p in papers.items() if title.startswith(prefix)]
    sentences = [s for s in split_sentences(paper.abstract) if len(s) >= 25]
    return sentences, assign_columns(sentences)


def matches(papers: dict, labels) -> tuple[int, list]:
    """(labels matched, the misses as (prefix, column, sentence chosen or None)); `papers`: title -> Paper."""
    right, wrong = 0, []
    for prefix, column, want in labels:
        sentences, chosen = assigned(papers, prefix)
        got = None if chosen[column] is None else sentences[chosen[column]]
        if (got is None) if not want else (got is not None and got.startswith(want)):
            right += 1
        else:
            wrong.append((prefix, column, got))
    return right, wrong


def main(argv: list[str] | None = None) -> int:
    from rag.config import default_seed_paths
    from rag.ingest import load_corpus

    papers = {p.title: p for p in load_corpus(default_seed_paths()).papers}
    for name, labels in load_batches().items():
        right, _ = matches(papers, labels)
        print(f"{name}: {right} of {len(labels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
