#!/usr/bin/env python3
"""Checks every dev-25 record: valid JSON, schema fields, gold titles exact (rag.ingest.load_corpus),
gold-set sizes, ids unique here and against eval/data and the other validation batches (ids only),
rag.retrieve.check_query, quoted spans in `checked` present in some abstract, and
eval/check_questions.check_file on a copy with a dummy split (its split rule is the only one dropped).
Run from the repo root: .venv/bin/python eval/validation/dev-25/check_dev25.py"""
import glob, json, os, re, shutil, sys, tempfile
sys.path.insert(0, os.getcwd())
from rag.ingest import load_corpus
from rag.retrieve import check_query
sys.path.insert(0, os.path.join(os.getcwd(), "eval"))
import check_questions as cq

HERE = os.path.dirname(os.path.abspath(__file__))
papers = {" ".join(p.title.split()): " ".join(p.abstract.split())
          for p in load_corpus(sorted(glob.glob("seeds/*.txt"))).papers}
alltext = " ".join(papers.values()) + " " + " ".join(papers)
problems, n = [], 0

other_ids = set()
for f in glob.glob("eval/data/*.jsonl") + glob.glob("eval/validation/dev-*/*.jsonl"):
    if os.path.dirname(os.path.abspath(f)) == HERE:
        continue
    for line in open(f, encoding="utf-8"):
        if line.strip():
            other_ids.add(json.loads(line).get("id"))

SCHEMA = {
    "multi.jsonl": ["id", "type", "question", "gold", "comparison", "form", "checked", "origin"],
    "compare.jsonl": ["id", "type", "topic", "gold", "checked", "origin"],
    "unanswerable.jsonl": ["id", "type", "question", "gold", "kind", "near_topic", "checked", "origin"],
}
seen = set()
for name, keys in SCHEMA.items():
    for i, line in enumerate(open(os.path.join(HERE, name), encoding="utf-8"), 1):
        if not line.strip():
            continue
        n += 1
        where = f"{name}:{i}"
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{where}: invalid JSON {e}"); continue
        if sorted(r) != sorted(keys):
            problems.append(f"{where}: keys {sorted(r)} != {sorted(keys)}")
        if r.get("origin") != "dev-25" or "split" in r:
            problems.append(f"{where}: origin/split wrong")
        rid = r.get("id")
        if rid in seen or rid in other_ids:
            problems.append(f"{where}: duplicate id {rid}")
        seen.add(rid)
        for g in r.get("gold", []):
            if " ".join(g.split()) not in papers:
                problems.append(f"{where}: gold not a seed title: {g!r}")
        k = len(r.get("gold", []))
        if name == "unanswerable.jsonl":
            if k or r.get("near_topic") is not True or r.get("kind") != "unstated_comparison":
                problems.append(f"{where}: unanswerable fields wrong")
        elif not 2 <= k <= 6:
            problems.append(f"{where}: gold size {k}")
        q = r.get("topic") if name == "compare.jsonl" else r.get("question")
        try:
            check_query(q)
        except Exception as e:  # QueryError
            problems.append(f"{where}: check_query refused: {e}")
        # abstract quotations: a quote opening after a non-letter; grep patterns (regex characters) skipped
        for span in re.findall(r"(?<![A-Za-z])'([^']{12,}?)'(?![A-Za-z])", r.get("checked", "")):
            if re.search(r"[|\\(\[{]|\.\.", span) or span.startswith((" ", ".", ",", ")")):
                continue
            if " ".join(span.split()) not in alltext:
                problems.append(f"{where}: quoted span not in corpus: {span!r}")

# eval/check_questions.py's own per-file checks, on a copy with a dummy split
cq_papers, _ = cq.load_papers()
tmp = tempfile.mkdtemp()
seen_ids = {i: "other" for i in other_ids}
cq_viol = []
for name in SCHEMA:
    dst = os.path.join(tmp, name)
    with open(dst, "w", encoding="utf-8") as out:
        for line in open(os.path.join(HERE, name), encoding="utf-8"):
            if line.strip():
                r = json.loads(line); r["split"] = "dev"; out.write(json.dumps(r, ensure_ascii=False) + "\n")
    _, v = cq.check_file(dst, cq_papers, seen_ids)
    cq_viol += v
shutil.rmtree(tmp)

for p in problems + cq_viol:
    print("PROBLEM", p)
print(f"{n} records, {len(seen)} ids, {len(problems)} problems, check_questions.check_file: {len(cq_viol)} violations")
sys.exit(1 if problems or cq_viol else 0)
