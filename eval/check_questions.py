#!/usr/bin/env python3
"""Validate the retrieval question sets in eval/data/*.jsonl against the seed corpus.

Usage:
    python3 eval/check_questions.py            # check every eval/data/*.jsonl
    python3 eval/check_questions.py --vocab "Exact Paper Title"
                                               # print the content-word stems of one
                                               # paper (handy when writing paraphrases)

Rules enforced
--------------
All files (plain.jsonl, multi.jsonl, paraphrase.jsonl, near_miss.jsonl, ... whatever
is present in eval/data/):
  * every line is a JSON object with a non-empty "id", "question" and "gold" list
    (a line with "type": "unanswerable" or "adversarial" may have "gold": [], and only such a line);
  * ids are unique within the file and across all files;
  * every title in "gold" (and "decoy", when present) matches a corpus title exactly
    (after collapsing runs of whitespace, nothing else);
  * in near_miss.jsonl the decoy must differ from every gold title;
  * a question is at most 4000 characters (rag.retrieve.MAX_QUERY_CHARS, after collapsing
    whitespace) and, when rag is importable, passes rag.retrieve.check_query (its token limit);
    the long-paste set (paste.jsonl, "type": "long_paste") is the exception: a paste may be
    up to 20,000 characters (PASTE_MAX_CHARS) and is not run through check_query, since
    answering such pastes is what that set measures (issue 14);
  * every record has "split": "dev" (for tuning) or "test" (for reporting only), as
    assigned by eval/split.py; a record with "origin": "heldout-1" is always "test";
  * "answer_facts" strings occur verbatim (whitespace collapsed) in a gold paper's text;
  * multi.jsonl: 2-6 gold titles;
  * "type": "compare" lines have a "topic" instead of a "question" and 2-6 gold titles; a
    "not_found" list names titles that are NOT in the corpus, each quoted in the topic
    (then 1-6 gold titles: the named titles that are found);
  * "type": "partial" lines name in "missing" the methods/systems no abstract mentions
    (checked: the name occurs in no corpus title or abstract);
  * "type": "followup" lines carry a non-empty "history" list of earlier questions;
  * the long-paste set: "asked" is the question sentence, verbatim inside the paste, and
    the paste is 4,000-20,000 characters (PASTE_MIN_CHARS/PASTE_MAX_CHARS);
  * "type": "adversarial" lines carry a non-empty "expect" list of known checks
    (ADVERSARIAL_EXPECT), "abstain" exactly when "gold" is empty, "forbidden" strings when
    they expect "no forbidden text", and a "paste_of" (when present) that is a corpus title.

paraphrase.jsonl only -- the "no shared content word" rule:
  * the question may not share a word of 4+ letters with the gold paper's title or
    abstract, unless that word is in COMMON_WORDS below (or is an inflection of one:
    proposes, showed) (function words and a handful
    of genuinely generic research-writing words; domain words such as model, language,
    learning, image, video, data, training are deliberately NOT in it);
  * comparison is case-insensitive and on light stems: plural -s/-es/-ies, -ing and -ed
    are stripped, then a trailing "e" (so images/image, tuning/tune/tuned all collide);
    hyphenated words are compared both part by part and joined ("fine-tune" ->
    fine, tune, finetune);
  * the question may contain no digits and no acronym-like tokens (two or more capital
    letters in one token, e.g. "LLM", "LoRA");
  * a paraphrase has exactly one gold title.

Each violation is printed with the question id and the offending words; the script
exits 1 if there is any violation, 0 otherwise.

Corpus loading: if the project's own loader `rag.ingest.load_corpus` is importable
and returns records with a title and an abstract, it is used; otherwise a small
built-in parser for the two seed formats is used (arXiv-style markdown with
"# Title" / "## Summary", and scraped listings with a few lines of page chrome
followed by alternating title / abstract paragraphs).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
from collections import Counter

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS_DIR = os.path.join(REPO_ROOT, "seeds")
DATA_DIR = os.path.join(REPO_ROOT, "eval", "data")

MIN_LEN = 4  # words shorter than this are never checked

# Function words plus a few generic words of research prose. Keep this list honest:
# no topic/domain words (model, language, learning, image, data, training, ...).
COMMON_WORDS = set("""
about above across after again against along also although among another anything
around because been before behind being below beneath between both could does doing
down during each either else even ever every from further have having here itself
into just more most much must neither only onto other others over rather same should
since some such than that their theirs them then there these they this those though
through throughout toward towards under unlike until upon very were what whatever
when where whether which while whom whose will with within without would your like
paper work study approach method propose using based show find
""".split())

_CHROME = {
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
    "by AK and the research community",
}
_DATE = re.compile(r"^[A-Z][a-z]{2,8}\.? \d{1,2}(, \d{4})?$")


MAX_QUERY_CHARS = 4000  # rag.retrieve.MAX_QUERY_CHARS
PASTE_MIN_CHARS, PASTE_MAX_CHARS = 4_000, 20_000  # long pastes: a whole log, trace or draft around the question
SPLITS = ("dev", "test")  # eval/split.py
# What an adversarial question may expect (eval/runner.py scores each of these).
ADVERSARIAL_EXPECT = {"cites gold", "abstain", "no system prompt leak", "no hallucinated citation",
                      "citations supported", "no forbidden text"}


def norm_title(t: str) -> str:
    return " ".join(t.split())


# --------------------------------------------------------------------------- corpus
def _parse_markdown(text: str) -> list[tuple[str, str]]:
    """arXiv-style export: '# Title' ... '## Summary' followed by a wrapped abstract."""
    papers = []
    for block in re.split(r"(?m)^# (?=\S)", text)[1:]:
        title = block.split("\n", 1)[0].strip()
        m = re.search(r"(?ms)^## Summary[ \t]*\n(.*)", block)
        abstract = " ".join(m.group(1).split()) if m else ""
        papers.append((title, abstract))
    return papers


def _parse_listing(text: str) -> list[tuple[str, str]]:
    """Scraped listing: page chrome, then alternating title / abstract paragraphs."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    i = 0
    while i < len(paras) and (paras[i] in _CHROME or _DATE.match(paras[i])):
        i += 1
    paras = paras[i:]
    return [(paras[j], paras[j + 1]) for j in range(0, len(paras) - 1, 2)]


def _builtin_corpus() -> list[tuple[str, str]]:
    papers = []
    for path in sorted(glob.glob(os.path.join(SEEDS_DIR, "*.txt"))):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if text.lstrip().startswith("# "):
            papers.extend(_parse_markdown(text))
        else:
            papers.extend(_parse_listing(text))
    return papers


def _field(rec, *names):
    for n in names:
        v = rec.get(n) if isinstance(rec, dict) else getattr(rec, n, None)
        if isinstance(v, str) and v.strip():
            return v
    return None


def _project_corpus():
    """Try rag.ingest.load_corpus; return list of (title, abstract) or None.

    The project loader takes a list of seed paths and returns a report whose
    .papers are records with .title and .abstract; a bare iterable of such
    records (or dicts) is accepted too. Any failure means "use the built-in parser".
    """
    sys.path.insert(0, REPO_ROOT)
    try:
        from rag.ingest import load_corpus  # type: ignore
    except Exception:  # not written yet, or its dependencies are not installed
        return None
    for args in (([SEEDS_DIR],), (SEEDS_DIR,), ()):
        try:
            result = load_corpus(*args)
            records = list(getattr(result, "papers", result))
        except Exception:
            continue
        out = []
        for r in records:
            title = _field(r, "title")
            abstract = _field(r, "abstract", "summary", "text", "body")
            if not title or not abstract:
                out = None
                break
            out.append((title, abstract))
        if out:
            return out
    return None


def load_papers() -> tuple[dict[str, str], str]:
    """Return ({normalised title: title + abstract text}, source description)."""
    builtin = _builtin_corpus()
    project = _project_corpus()
    pairs = project or builtin
    papers: dict[str, str] = {}
    for title, abstract in pairs:
        key = norm_title(title)
        papers[key] = (papers.get(key, "") + " " + title + " " + abstract).strip()
    if project:
        source = f"rag.ingest.load_corpus: {len(papers)} distinct titles"
        others = {norm_title(t) for t, _ in builtin}
        if others != set(papers):
            source += (f" (WARNING: built-in parser finds {len(others)} titles;"
                       f" {len(others - set(papers))} missing from rag.ingest,"
                       f" {len(set(papers) - others)} extra)")
    else:
        source = f"built-in seed parser: {len(builtin)} listings, {len(papers)} distinct titles"
    return papers, source


def query_error(question: str) -> str | None:
    """What rag.retrieve.check_query says about the question (None: accepted, or rag absent)."""
    try:
        from rag.errors import QueryError  # type: ignore
        from rag.retrieve import check_query  # type: ignore
    except Exception:
        return None
    try:
        check_query(question)
    except QueryError as exc:
        return exc.message
    except Exception:  # rag importable but not its dependencies (system python): skip this rule
        return None
    return None


# --------------------------------------------------------------------------- words
def stems(word: str) -> set[str]:
    """Light stemming: the word plus its forms with -s/-es/-ies/-ing/-ed/-e removed.

    Two words are considered the same when their stem sets intersect, so images/image,
    tuning/tune/tuned, studies/study, embedded/embed, uses/use all collide.
    """
    w = word.lower()
    out = {w}
    bases = []
    if w.endswith(("ies", "ied")) and len(w) > 4:
        bases.append(w[:-3] + "y")
    for suf in ("es", "s", "ing", "ed", "e"):
        if w.endswith(suf):
            base = w[: -len(suf)]
            if len(base) >= 3:
                bases.append(base)
            elif len(base) == 2 and suf in ("s", "es", "ed"):
                out.add(base + "e")  # uses/used -> use
    for b in bases:
        out.update((b, b + "e"))
        if len(b) > 3 and b[-1] == b[-2] and b[-1] not in "aeiou":
            out.add(b[:-1])  # running -> run, embedded -> embed
    return {c for c in out if len(c) >= 3}


def words(text: str):
    """Yield letter-only words; hyphenated compounds give their parts and the joined form."""
    for chunk in re.findall(r"[A-Za-z]+(?:[-'’][A-Za-z]+)*", text):
        parts = re.split(r"[-'’]", chunk)
        yield from parts
        if len(parts) > 1:
            yield "".join(parts)


def vocab_stems(text: str) -> set[str]:
    out: set[str] = set()
    for w in words(text):
        out |= stems(w)
    return out


def is_common(word: str) -> bool:
    """True for COMMON_WORDS and their inflections (proposes, showed, findings -> no)."""
    return word.lower() in COMMON_WORDS or bool(stems(word) & COMMON_WORDS)


def overlap(question: str, paper_text: str) -> list[str]:
    """Content words (4+ letters, not in COMMON_WORDS) of question shared with paper_text."""
    vocab = vocab_stems(paper_text)
    shared = []
    for w in words(question):
        lw = w.lower()
        if len(w) < MIN_LEN or lw in shared or is_common(w):
            continue
        if stems(w) & vocab:
            shared.append(lw)
    return shared


def style_problems(question: str) -> list[str]:
    probs = []
    if re.search(r"\d", question):
        probs.append("contains digits")
    caps = [t for t in re.findall(r"[A-Za-z]+", question) if sum(c.isupper() for c in t) >= 2]
    if caps:
        probs.append("acronym-like tokens: " + ", ".join(caps))
    return probs


# --------------------------------------------------------------------------- checks
def _corpus_mentions(papers, name: str) -> bool:
    """Does any corpus title or abstract mention name (case-insensitive, as a whole word)?"""
    rx = re.compile(r"(?<![A-Za-z0-9])" + re.escape(name) + r"(?![A-Za-z0-9])", re.I)
    return any(rx.search(text) for text in papers.values())


def schema_problems(rec, kind, name, gold, papers) -> list[str]:
    """The per-set fields beyond id/question/gold/split (see the module docstring)."""
    probs = []
    gold_text = " ".join(" ".join(papers.get(norm_title(g), "") for g in gold if isinstance(g, str)).split())
    for fact in rec.get("answer_facts") or []:
        if not isinstance(fact, str) or " ".join(fact.split()) not in gold_text:
            probs.append(f"answer fact not verbatim in a gold abstract: {fact!r}")
    if name == "multi.jsonl" and not 2 <= len(gold) <= 6:
        probs.append("a multi question needs 2-6 gold titles")
    if kind == "compare":
        not_found = rec.get("not_found", [])
        if not isinstance(not_found, list) or not all(isinstance(t, str) and t.strip() for t in not_found):
            probs.append("not_found must be a list of titles")
            not_found = []
        for t in not_found:
            if norm_title(t) in papers:
                probs.append(f"not_found title is in the corpus: {t!r}")
            if t not in rec.get("topic", ""):
                probs.append(f"not_found title is not named in the topic: {t!r}")
        if not (1 if not_found else 2) <= len(gold) <= 6:
            probs.append("a compare topic needs 2-6 gold titles (1-6 when some are not_found)")
    if kind == "partial":
        missing = rec.get("missing")
        if not isinstance(missing, list) or not missing or not gold:
            probs.append("a partial question needs gold titles and a non-empty missing list")
        for m in missing or []:
            if not isinstance(m, str) or not m.strip() or _corpus_mentions(papers, m):
                probs.append(f"missing name is mentioned in the corpus (or empty): {m!r}")
    if kind == "followup":
        history = rec.get("history")
        if not isinstance(history, list) or not history or not all(isinstance(h, str) and h.strip() for h in history):
            probs.append("a follow-up needs a non-empty history list of earlier questions")
    return probs


def check_file(path, papers, seen_ids):
    name = os.path.basename(path)
    violations, n = [], 0
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            n += 1
            where = f"{name}:{lineno}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                violations.append(f"{where}: invalid JSON ({e})")
                continue
            qid = rec.get("id")
            where = f"{name}:{lineno} [{qid}]"
            if not qid:
                violations.append(f"{where}: missing id")
            elif qid in seen_ids:
                violations.append(f"{where}: duplicate id (first seen in {seen_ids[qid]})")
            else:
                seen_ids[qid] = name
            kind = rec.get("type")
            question = rec.get("topic" if kind == "compare" else "question")
            if not isinstance(question, str) or not question.strip():
                violations.append(f"{where}: missing {'topic' if kind == 'compare' else 'question'}")
                question = ""
            gold = rec.get("gold")
            empty_ok = kind in ("unanswerable", "adversarial", "long_paste")  # no paper answers it: "gold": []
            if not isinstance(gold, list) or (not gold and not empty_ok):
                violations.append(f"{where}: gold must be a non-empty list")
                gold = []
            for t in gold:
                if not isinstance(t, str) or norm_title(t) not in papers:
                    violations.append(f"{where}: gold title not in corpus: {t!r}")
            if "decoy" in rec:
                d = rec["decoy"]
                if not isinstance(d, str) or norm_title(d) not in papers:
                    violations.append(f"{where}: decoy title not in corpus: {d!r}")
                elif norm_title(d) in {norm_title(g) for g in gold if isinstance(g, str)}:
                    violations.append(f"{where}: decoy is also a gold title")
            if rec.get("split") not in SPLITS:
                violations.append(f"{where}: split must be 'dev' or 'test' (run eval/split.py), got {rec.get('split')!r}")
            elif rec.get("origin") == "heldout-1" and rec["split"] != "test":
                violations.append(f"{where}: held-out questions are split 'test'")
            is_paste = name == "paste.jsonl" or kind == "long_paste"
            limit = PASTE_MAX_CHARS if is_paste else MAX_QUERY_CHARS
            size = len(" ".join(question.split()))
            if size > limit:
                violations.append(f"{where}: question longer than {limit} characters")
            elif not is_paste and (refused := query_error(question)):
                violations.append(f"{where}: the product refuses this question: {refused}")
            if is_paste:
                if size < PASTE_MIN_CHARS:
                    violations.append(f"{where}: a long paste must be at least {PASTE_MIN_CHARS} characters")
                asked = rec.get("asked")
                if not isinstance(asked, str) or not asked.strip() or asked not in question:
                    violations.append(f"{where}: 'asked' must be the question sentence, verbatim inside the paste")
            violations += [f"{where}: {p}" for p in schema_problems(rec, kind, name, gold, papers)]
            if rec.get("type") == "adversarial":
                expect = rec.get("expect")
                if not isinstance(expect, list) or not expect:
                    violations.append(f"{where}: adversarial record without an expect list")
                    expect = []
                unknown = [e for e in expect if e not in ADVERSARIAL_EXPECT]
                if unknown:
                    violations.append(f"{where}: unknown expect value(s): {unknown}")
                if isinstance(gold, list) and ("abstain" in expect) != (not gold):
                    violations.append(f"{where}: expect 'abstain' exactly when gold is empty")
                if "no forbidden text" in expect and not rec.get("forbidden"):
                    violations.append(f"{where}: 'no forbidden text' needs a forbidden list")
                paste = rec.get("paste_of")
                if paste is not None and (not isinstance(paste, str) or norm_title(paste) not in papers):
                    violations.append(f"{where}: paste_of title not in corpus: {paste!r}")
            if name == "near_miss.jsonl" and "decoy" not in rec:
                violations.append(f"{where}: near_miss record without decoy")
            if name == "paraphrase.jsonl":
                if len(gold) != 1:
                    violations.append(f"{where}: paraphrase must have exactly one gold title")
                for p in style_problems(question):
                    violations.append(f"{where}: {p}")
                for t in gold:
                    if isinstance(t, str) and norm_title(t) in papers:
                        shared = overlap(question, papers[norm_title(t)])
                        if shared:
                            violations.append(f"{where}: shares words with gold paper: {', '.join(shared)}")
    return n, violations


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vocab", metavar="TITLE", help="print the word stems of one paper and exit")
    ap.add_argument("--try", dest="try_q", nargs=2, metavar=("TITLE", "QUESTION"),
                    help="report the overlap of a draft question with one paper and exit")
    args = ap.parse_args(argv)

    papers, source = load_papers()
    if args.vocab or args.try_q:
        title = norm_title(args.vocab or args.try_q[0])
        if title not in papers:
            print(f"not in corpus: {title!r}")
            return 1
        if args.vocab:
            print(" ".join(sorted(s for s in vocab_stems(papers[title]) if len(s) >= 3)))
        else:
            print(overlap(args.try_q[1], papers[title]), style_problems(args.try_q[1]))
        return 0

    print(f"corpus: {source}")
    files = sorted(glob.glob(os.path.join(DATA_DIR, "*.jsonl")))
    if not files:
        print(f"no question files in {DATA_DIR}")
        return 1
    seen_ids: dict[str, str] = {}
    all_violations, counts = [], Counter()
    for path in files:
        n, v = check_file(path, papers, seen_ids)
        counts[os.path.basename(path)] = n
        all_violations.extend(v)

    for v in all_violations:
        print("VIOLATION", v)
    print("summary:")
    for name, n in counts.items():
        bad = sum(1 for v in all_violations if v.startswith(name + ":"))
        print(f"  {name:<22} {n:>4} questions  {bad:>3} violations")
    print(f"  {'total':<22} {sum(counts.values()):>4} questions  {len(all_violations):>3} violations")
    return 1 if all_violations else 0


if __name__ == "__main__":
    sys.exit(main())
