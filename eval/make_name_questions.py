"""Write the dev-7 questions: "Which paper introduced <name>?" asked with a bare name.

The commonest lookup a researcher types names the method and nothing else. No earlier question
set asked it that way (the lookup and plain sets describe what the paper does), so the evidence
model had never seen one: probed over the 185 papers whose title opens with a name ("QLoRA: ..."),
"Which paper introduced <name>?" came out `none` for 18 and `weak` for 113. This script makes dev
questions of that form, both kinds, so the model is fitted on them:
  * answerable: the name a title opens with ("GENOME: Generative Neuro-symbolic ..." -> GENOME),
    one title per name, papers no test question uses as gold;
  * unanswerable: technical names that at least two abstracts use but that no title holds and no
    abstract proposes or names as its own (rag.evidence's ownership rule), e.g. a baseline every
    paper compares with.
Templates rotate so that neither kind owns a phrasing. Deterministic (seeded sample over sorted
candidates); run once, then the records are data like any other:

    python -m eval.make_name_questions                 # prints the JSONL lines (RAG_DATA_DIR: a seeds index)
    python -m eval.make_name_questions --probe         # evidence levels on the names dev does not ask about
    python -m eval.make_name_questions --probe --model OLD.json   # ... with another evidence model
    python -m eval.make_name_questions --probe --lower-case       # ... every question typed in lower case
    python -m eval.make_name_questions --abstract-names           # levels on the names with digits or hyphens abstracts bring
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

DATA = Path(__file__).with_name("data")
TEMPLATES = ("Which paper introduced {}?", "Which paper proposed {}?", "Who proposed {}?", "Which work presents {}?")
ANSWERABLE, UNANSWERABLE = 24, 16
SEED = 7
# A one-word name before ": " (stricter than rag.names.own_name, which retrieval uses; kept as it
# was when the committed dev-7 records were written, since the sample depends on this list).
_TITLE_NAME = re.compile(r"^([A-Z][\w\-+.^{}]{1,24}):\s")
_GENERIC = {"towards", "beyond", "rethinking", "understanding", "revisiting", "scaling", "learning", "unveiling"}
# Names that are not something a paper introduces: organisations, hardware, units, field acronyms.
_NOT_INTRODUCED = {"openai", "google", "meta", "microsoft", "nvidia", "deepmind", "github", "huggingface", "gpu", "cpu", "tpu",
                   "api", "flops", "ai", "nlp", "llm", "mllm", "vlm", "lvlm", "sota", "usd", "arxiv"}


def _test_gold() -> set[str]:
    gold: set[str] = set()
    for path in DATA.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("split") == "test":
                gold.update(record.get("gold") or [])
    return gold


def _owned_when_written(paper, key: str) -> bool:
    """rag.evidence's ownership rule as it was when the committed dev-7 records were written (the
    sample depends on it): the name in the title, or anywhere in a sentence with a proposing or
    naming cue. The rule now asks where in that sentence the name stands; the probe uses it."""
    from rag.text import CONTRIBUTION
    from rag.names import norm
    from rag.text import split_sentences

    cue = re.compile(r"\b(?:called|named|dubbed|termed|coined|new|novel|introduces|proposes)\b", re.I)
    words = lambda text: {norm(t) for t in re.split(r"[\s:,/()]+", text)}  # noqa: E731
    return key in words(paper.title) or any(
        (CONTRIBUTION.search(s) or cue.search(s)) and key in words(s) for s in split_sentences(paper.abstract))


def candidates(papers, owns=None) -> tuple[dict[str, object], dict[str, int]]:
    """Names a title opens with (name -> its one paper), and names two or more abstracts use that no
    title holds and no abstract proposes or names as its own (name -> abstracts using it), by the
    ownership rule `owns` (default: rag.evidence's)."""
    from rag.ownership import owns as current_rule
    from rag.names import NAME, NAME_SUFFIX, norm, question_names

    owns = owns or current_rule
    by_name: dict[str, list] = {}
    for paper in papers:
        m = _TITLE_NAME.match(paper.title)
        if m and m.group(1).casefold() not in _GENERIC and question_names(m.group(1)):
            by_name.setdefault(m.group(1), []).append(paper)
    owned = {name: owners[0] for name, owners in sorted(by_name.items()) if len(owners) == 1}
    title_words = {norm(w) for p in papers for w in re.split(r"[\s:,/()]+", p.title)}
    used = Counter()
    for paper in papers:
        for name in {NAME_SUFFIX.sub("", n) for n in NAME.findall(re.sub(r"\S+://\S+", " ", paper.abstract))}:  # not in links
            used[(name, norm(name))] += 1
    texts = [p.abstract for p in papers]

    def clean(name: str, key: str) -> bool:  # a whole name ("Gemini-1" of "Gemini-1.5" is not), singular, introducible
        return (key not in _NOT_INTRODUCED and not re.search(r"[A-Z]s$|-[a-z]{3,}$", name)  # not "ViTs", "LLM-generated"
                and not any(re.search(re.escape(name) + r"[.\d]*\.\d", t) for t in texts if name in t))

    unowned = {name: count for (name, key), count in sorted(used.items())
               if count >= 2 and len(key) >= 3 and key not in title_words and clean(name, key)
               and not any(owns(p, key) for p in papers)}
    return owned, unowned


def make(papers) -> tuple[list[dict], list[dict]]:
    rng = random.Random(SEED)
    excluded = _test_gold()
    owned, unowned = candidates(papers, owns=_owned_when_written)
    answerable = [name for name, paper in owned.items() if paper.title not in excluded]
    out_a, out_u = [], []
    for i, name in enumerate(rng.sample(answerable, ANSWERABLE)):
        out_a.append({"id": f"plain-d7-{i + 1:02d}", "type": "plain", "question": TEMPLATES[i % len(TEMPLATES)].format(name),
                      "gold": [owned[name].title], "lookup": True, "split": "dev", "origin": "dev-7"})
    for i, name in enumerate(rng.sample(sorted(unowned), UNANSWERABLE)):
        out_u.append({"id": f"unans-d7-{i + 1:02d}", "type": "unanswerable", "question": TEMPLATES[(i + 1) % len(TEMPLATES)].format(name),
                      "gold": [], "near_topic": True,
                      "checked": f"script (eval/make_name_questions.py): {name} is in {unowned[name]} abstracts, in no title, and no abstract "
                                 "proposes or names it as its own (rag.evidence._owns); read by hand",
                      "split": "dev", "origin": "dev-7"})
    return out_a, out_u


def probe(assistant, papers, lower_case: bool = False) -> dict:
    """Evidence levels on the names dev does not ask about: held out from the fit. For each name a
    title opens with, "Which paper introduced <name>?" and "How does <name> work?" (and whether the
    answer cites that paper); for each unowned name, "Which paper introduced <name>?". `lower_case`:
    each question typed in lower case, as in a chat ("which paper introduced qlora?")."""
    typed = str.lower if lower_case else str
    asked = {json.loads(line)["question"].split()[-1].rstrip("?")
             for name in ("plain.jsonl", "unanswerable.jsonl") for line in (DATA / name).read_text(encoding="utf-8").splitlines()
             if '"dev-7"' in line}
    owned, unowned = candidates(papers)
    out: dict[str, Counter] = {}
    for template in ("Which paper introduced {}?", "How does {} work?"):
        counts = out.setdefault(f"owned: {template}", Counter())
        for name, paper in owned.items():
            if name not in asked:
                answer = assistant.ask(typed(template.format(name)))
                cited = paper.title in {c.title for c in answer.citations}
                counts[answer.evidence] += 1
                counts["cites the paper"] += cited
    counts = out.setdefault("unowned: Which paper introduced {}?", Counter())
    for name in unowned:
        if name not in asked:
            counts[assistant.ask(typed(f"Which paper introduced {name}?")).evidence] += 1
    return {k: dict(sorted(v.items())) | {"names": sum(v[l] for l in ("strong", "weak", "none"))} for k, v in out.items()}


def abstract_names(papers) -> list[tuple[str, object]]:
    """(name, its paper) for the names that are not one alphabetic word ("NF4", "GLA-FR"), that one indexed paper
    writes (title or abstract), not in its title, and that its abstract brings (rag.ownership.owns): the names the
    forty-eighth session made a paper's own (rag.answer.DISTINCTIVE_PAPERS)."""
    from rag.names import NAME, norm, own_name
    from rag.ownership import owns

    writers = Counter(n for p in papers for n in set(NAME.findall(f"{p.title}\n{p.abstract}")))
    out = []
    for paper in papers:
        for name in sorted(set(NAME.findall(paper.abstract))):
            key = norm(name)
            if name.isalpha() or len(key) < 3 or writers[name] != 1 or name in paper.title \
                    or key == norm(own_name(paper.title) or ""):
                continue
            if owns(paper, key, by_title=False):
                out.append((name, paper))
    return out


def abstract_name_probe(assistant, papers) -> dict:
    """Each abstract_names name asked "How does X work?" and "What is X and what does it achieve?": the level, and
    whether the answer cites the name's paper (first). eval/results/session48_name_probe.json holds a run."""
    answers = []
    for name, paper in abstract_names(papers):
        for template in ("How does {} work?", "What is {} and what does it achieve?"):
            answer = assistant.ask(template.format(name))
            cited = [c.title for c in answer.citations]
            answers.append({"name": name, "title": paper.title, "q": template.format(name), "level": answer.evidence,
                            "first": bool(cited) and cited[0] == paper.title, "cited": paper.title in cited, "n": len(cited)})
    summary = Counter(a["level"] for a in answers)
    summary["questions"] = len(answers)
    summary["strong_with_owner_first"] = sum(1 for a in answers if a["level"] == "strong" and a["first"])
    summary["owner_cited_first"] = sum(1 for a in answers if a["first"])
    return {"summary": dict(sorted(summary.items())), "answers": answers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", action="store_true", help="print the evidence levels on the names dev does not ask about")
    parser.add_argument("--model", type=Path, help="with --probe: an evidence model file to use instead of the shipped one")
    parser.add_argument("--lower-case", action="store_true", help="with --probe: every question typed in lower case")
    parser.add_argument("--abstract-names", action="store_true",
                        help="print the levels on the names with digits or hyphens that one abstract brings")
    args = parser.parse_args(argv)
    from rag.config import Settings
    from rag.pipeline import Engine

    engine = Engine(Settings())
    papers = list(engine.index.papers.values())
    if args.abstract_names:
        print(json.dumps(abstract_name_probe(engine.assistant, papers), indent=1, ensure_ascii=False))
        return 0
    if args.probe:
        assistant = engine.assistant
        if args.model:
            from rag.evidence import load_model

            if not args.model.is_file():
                parser.error(f"--model: {args.model} is not a file")

            assistant.policy._model = load_model(args.model)
        print(json.dumps(probe(assistant, papers, lower_case=args.lower_case), indent=2))
        return 0
    answerable, unanswerable = make(papers)
    for record in answerable + unanswerable:
        print(json.dumps(record, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
