"""Where an ingest's memory goes: RSS before, after and at the peak of each sync stage.

    python -m bench.ingest_memory [seeds|10k|100k]

Builds the corpus the way `bench.perf` does (cold ingest, then a re-ingest of the unchanged
files, then opening the index), sampling this process's RSS every 50 ms. Use it to see which
stage sets the peak that `bench.perf` reports.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

STAGES = ("_merge_registry", "chunk_papers", "_existing_metadata", "_embed_and_store", "_write_lexical", "_write_atomic")


def _rss_mb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scale", nargs="?", default="10k", choices=("seeds", "10k", "100k"))
    args = parser.parse_args(argv)

    import rag  # noqa: F401  (offline defaults)
    import rag.index
    import rag.pipeline
    from bench.perf import run_scale

    peak = [0]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    rows: list[tuple[str, int, int, int]] = []

    def measured(module, name: str) -> None:
        inner = getattr(module, name)

        def wrapper(*a, **kw):
            before = peak[0] = _rss_mb()
            try:
                return inner(*a, **kw)
            finally:
                rows.append((name, before, _rss_mb(), max(peak[0], before)))

        setattr(module, name, wrapper)

    for name in STAGES:
        measured(rag.index, name)
    measured(rag.pipeline, "Engine")
    work = Path(tempfile.mkdtemp(prefix="rag-ingest-memory-"))
    try:
        result = run_scale(args.scale, "ours", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.scale}: {result['chunks']} chunks; peak RSS {result['peak_rss_mb']} MB (cold ingest, re-ingest, queries)")
    print("| stage (in call order: cold ingest, then re-ingest) | RSS before MB | after MB | peak during MB |")
    print("|---|---|---|---|")
    for name, before, after, top in rows:
        print(f"| {name} | {before} | {after} | {top} |")


if __name__ == "__main__":
    main()
