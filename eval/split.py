#!/usr/bin/env python3
"""Give every eval/data/*.jsonl record a "split": "dev" (tune on it) or "test" (report only).

Usage:
    python3 eval/split.py            # add a split to every record that has none
    python3 eval/split.py --check    # exit 1 if any record would change (nothing is written)

Why a script: tuning on the questions we report would flatter every number, so the
assignment must be fixed, reproducible and blind to how the assistant does on a question.

* Stratified: within a file, records are grouped by "type" and by the set's sub-kind
  where it has one (SUBKINDS: lookup "style", unanswerable "near_topic", adversarial
  "kind", multi "comparison", plain "lookup"), and each group is split about 50/50.
* Deterministic: the order in which a group's unsplit records are dealt out is a
  SHA-256 of SEED and the record id, so it depends on nothing else (not file order, not
  results). Each record goes to the side of its group that has fewer records so far;
  a tie goes by one bit of the same hash.
* Stable: a record that already has a split is never moved, so re-running changes
  nothing and a new record keeps the split it was written with (new held-out questions
  are written with "split": "test").
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLITS = ("dev", "test")
SEED = "issue-14"
# The field whose value is a set's sub-kind (stratified on, alongside "type").
SUBKINDS = ("style", "near_topic", "kind", "comparison", "lookup")


def _hash(qid: str) -> bytes:
    return hashlib.sha256(f"{SEED}:{qid}".encode("utf-8")).digest()


def stratum(rec: dict) -> tuple:
    return (rec.get("type"),) + tuple((k, rec[k]) for k in SUBKINDS if k in rec)


def assign(records: list[dict]) -> int:
    """Add a split to each record (in place) that lacks one; return how many were added."""
    groups: dict[tuple, list[dict]] = {}
    for rec in records:
        groups.setdefault(stratum(rec), []).append(rec)
    added = 0
    for members in groups.values():
        count = {s: sum(1 for r in members if r.get("split") == s) for s in SPLITS}
        todo = sorted((r for r in members if r.get("split") not in SPLITS), key=lambda r: _hash(str(r.get("id"))))
        for rec in todo:
            if count["dev"] != count["test"]:
                side = min(SPLITS, key=count.get)
            else:
                side = SPLITS[_hash(str(rec.get("id")))[-1] & 1]
            rec["split"] = side
            count[side] += 1
            added += 1
    return added


def split_file(path: Path, write: bool = True) -> int:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    added = assign(records)
    if added and write:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return added


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a record lacks a split")
    args = ap.parse_args(argv)
    missing = 0
    for path in sorted(DATA_DIR.glob("*.jsonl")):
        added = split_file(path, write=not args.check)
        missing += added
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        n = {s: sum(1 for r in records if r.get("split") == s) for s in SPLITS}
        verb = "would add" if args.check else "added"
        print(f"{path.name:<22} dev {n['dev']:>4}  test {n['test']:>4}  ({verb} {added})")
    return 1 if args.check and missing else 0


if __name__ == "__main__":
    sys.exit(main())
