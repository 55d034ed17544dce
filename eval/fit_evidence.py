"""Fit the evidence and relevance models (rag/evidence.py); write rag/evidence_model.json.

Both models and their bars are fitted and chosen on the dev split. `--evidence` is an experiment: the
evidence model and its two thresholds fitted on dev and the validation batches EVIDENCE_BATCHES
(eval/validation/dev-10 … dev-69), reported on the later batches; never written over the shipped file.

    python -m eval.fit_evidence            # fit on dev, choose thresholds on dev, report test too
    python -m eval.fit_evidence --evidence --out /tmp/refit.json   # the experiment
    python -m eval.fit_evidence --check    # refit and compare with the shipped file (exit 1 if it differs)
    python -m eval.fit_evidence --check --c 1   # the dev figures another regularisation gives

Labels come from the question sets: a question is answerable when it has gold papers; a
retrieved paper is relevant when it is one of them. The evidence thresholds are chosen out of
fold on the questions the evidence model is fitted on, against the targets of issue 14 (`none`
below the probability that balances answerable hard refusals <= 3%, leaving room for test, against
unanswerable `none` >= 70%; `strong` from the probability that keeps both of the issue's other
targets, answerable weak <= 20% and unanswerable strong <= 10%, with the same relative slack;
`--evidence` also counts what the policy's rules do whatever the model says). The relevance bars, for multi-paper
answers and for `rag compare` tables, keep the most of each dev question's (or topic's) needed
papers while the papers kept stay within MAX_ROWS_RATIO x the papers needed; the list bar (which
further papers join a multi-paper answer once a second one clears the first bar) is chosen so on
dev's and the validation batches' multi-paper questions (`--list-bar` chooses only it).
Test figures are computed once, after the choice, and only printed and recorded.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from eval.datasets import load_questions, questions_from
from rag.evidence import EVIDENCE_FEATURES, LIST_RELEVANCE_FEATURES, MAX_PAPERS, MODEL_PATH, RELEVANCE_FEATURES, EvidencePolicy
from rag.types import Source

# The sets whose questions go through ask (or lookup) with a gold list; label = bool(gold).
FIT_SETS = ("plain", "paraphrase", "near_miss", "multi", "lookup", "unanswerable", "adversarial", "partial", "paste")
RETRIEVE_K = 8
# none_below balances answerable questions refused (<= 3% on dev, leaving room under issue 14's 5%)
# against unanswerable ones not refused (issue 14: >= 70% refused), with equal relative slack. The
# earlier rule, "the highest bar refusing <= 3%", sat on the tail: with 160 answerable dev questions
# one question (5 vs 4 refused) moved it from 0.35 to 0.23, and "What is the best sourdough recipe?"
# (P 0.25) became `weak`.
MAX_ANSWERABLE_NONE = 0.03
TARGET_UNANSWERABLE_NONE = 0.70
# strong_from balances two targets rather than meeting one with room to spare: "at most 5% of dev's
# unanswerable strong" was set by the third-highest of 50 probabilities and moved from 0.85 to 0.98
# (dev weak 19% -> 54%) when the same fit ran on a CPU whose int8 arithmetic differs slightly.
TARGET_ANSWERABLE_WEAK = 0.20
TARGET_UNANSWERABLE_STRONG = 0.10
MAX_ROWS_RATIO = 1.3  # papers kept per multi-paper question, vs papers needed (issue 14 allows 1.5 on test)
# ... and rows per `rag compare` table, vs papers needed: issue 14's own bound for tables. It was 1.3 too,
# to leave room on test; but fresh topics come out with fewer rows per needed paper than the fitted
# ones, not more (the dev-9 validation topics: 1.00 rows per gold paper at the bar the fitted topics
# kept at 1.23), so the room went to rows no topic had and coverage paid for it: at 1.5 the fitted
# topics' coverage goes 0.756 -> 0.784 (1.42 rows per gold paper), dev-9's 0.523 -> 0.640 (1.19).
COMPARE_MAX_ROWS_RATIO = 1.5
# ... and for the list bar: papers per multi-paper answer, vs papers needed, on dev's and the validation batches'
# questions. Fresh questions keep more papers per needed one than the questions a bar is chosen on: at 0.03,
# chosen under 1.3x (1.28x on those 205 questions), the four batches written after it (dev-36 to dev-39, 24
# questions) kept 1.54x, over issue 14's 1.5x for tables; 1.15x leaves that room (their 1.33x at 0.05).
LIST_MAX_ROWS_RATIO = 1.15
# The relevance bars tried, high to low; topics' papers get P(relevant) of a few hundredths (the model is
# fitted on questions, not noun phrases), so the low end is finer.
RELEVANCE_GRID = (*np.round(np.arange(0.99, 0.015, -0.01), 2), 0.015, 0.01, 0.005)
# Regularisation of both logistic fits. Chosen by how the evidence model does on a batch of questions
# it never saw (`dev_by_batch`: each `origin` of the dev split left out in turn; the hidden question set
# is such a batch, by another writer): on the 408 dev questions of 2026-12-03, leaving "dense_top" and
# "title_name" out of the inputs (rag.evidence.EVIDENCE_FEATURES), C = 0.3 / 1 / 3 gave batch-out Brier
# 0.1005 / 0.1004 / 0.1025 (with them, at C = 3, as shipped before: 0.1070; on the newest batch, dev-8,
# 0.170 -> 0.159: these two from a one-off script), and random 5-fold Brier 0.088 at 1 and 3. Before: C = 3, chosen on 222 questions by
# random folds only, where 0.3-10 traded weak answers against refusals along one curve. Re-checked on the
# 487 fit questions of the 515-question dev split (dev-9 added): C = 0.3 / 1 / 3 gave batch-out Brier
# 0.1165 / 0.1171 / 0.1186 (a one-off script), a tie, so 1 stays.
DEFAULT_C = 1.0
# Dev batches no fit here or in eval/fit_sentences.py reads: a batch of fresh questions kept to tell
# how a fitted model does on questions written after it, by another writer (`dev_validation`). dev-9
# (87 questions, 2026-12-03) is one: fitting on it as well raised the batch-out Brier of the other
# batches from 0.100 to 0.112 (name lookups, dev-7: 0.059 -> 0.146; a one-off script) and, on the
# name probe, cut "Which paper introduced <its name>?" answered `strong` from 139 to 116 of 145.
VALIDATION_ORIGINS = ("dev-9",)


@dataclass
class Row:
    qid: str
    set_name: str
    split: str
    answerable: bool
    signals: dict
    papers: list  # (paper signals, is gold)
    n_gold: int = 0  # gold papers of the question, retrieved or not
    origin: str = "first"  # the batch the question was written in (eval/data/README.md)
    caught: bool = False  # a rule of the policy keeps it from `strong` whatever the model says (rag.evidence.rule_verdict)
    lifted: bool = False  # a rule of the policy answers it `strong` whatever the model says (EvidencePolicy.asks_only_own_name …)


def collect(engine, split: str | None) -> list[Row]:
    """Retrieve every question of the split and measure the signals the policy sees."""
    from rag.paste import find_question  # the same question extraction as ask

    assistant = engine.assistant
    rows: list[Row] = []
    for set_name in FIT_SETS:
        try:
            questions = load_questions(set_name, split)
        except FileNotFoundError:
            continue
        for q in questions:
            text = find_question(q["question"]).question
            hits = engine.retriever.search(text, k=RETRIEVE_K, topic=assistant.searched_as_topic(text))  # as ask searches
            # Every retrieved paper's sentences, as ask scores them for a multi-paper question (the
            # question-level signals read only the top 3 papers' sentences).
            sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
            scored = assistant.scorer.score(text, sources)
            policy: EvidencePolicy = assistant.policy
            gold = set(q.get("gold") or [])
            papers = [(s, h.paper.title in gold) for s, h in zip(policy.paper_signals(text, hits, scored), hits)]
            rows.append(Row(q["id"], set_name, q.get("split", "dev"), bool(gold), policy.signals(text, hits, scored), papers, len(gold),
                            q.get("origin") or "first", caught=_caught(policy, text, hits, scored),
                            lifted=_lifted(policy, text, hits, scored)))
    return rows


def _level_at(policy: EvidencePolicy, question: str, hits, scored, none_below: float, strong_from: float) -> str:
    """The level the policy gives with these two thresholds instead of the model's."""
    shipped = policy._model
    policy._model = replace(policy.model, none_below=none_below, strong_from=strong_from)
    try:
        return policy.assess(question, hits, scored).level
    finally:
        policy._model = shipped


def _caught(policy: EvidencePolicy, question: str, hits, scored) -> bool:
    """Whether the policy answers below `strong` even when the model says `strong` (both thresholds at 0): one of its
    rules finds what the question asks missing from the corpus, or not quite answered."""
    return bool(hits) and _level_at(policy, question, hits, scored, 0.0, 0.0) != "strong"


def _lifted(policy: EvidencePolicy, question: str, hits, scored) -> bool:
    """Whether the policy answers `strong` even when the model says `none` (both thresholds over 1): one of its rules
    finds the question asking about an indexed paper its abstract answers ("How does QLoRA work?")."""
    return bool(hits) and _level_at(policy, question, hits, scored, 1.01, 1.02) == "strong"


def collect_compare(engine, split: str | None) -> list[tuple[list[dict], np.ndarray, int]]:
    """For each `rag compare` topic of the split (named-title topics excluded: they skip the bar),
    the relevance signals of the papers compare retrieves, as rag/compare.py measures them, and
    which of those papers are gold."""
    from rag.compare import topic_candidates

    assistant = engine.assistant
    out = []
    try:
        topics = load_questions("compare", split)
    except FileNotFoundError:
        return out
    for q in topics:
        if q.get("not_found") or ";" in q["topic"] or q.get("origin") in VALIDATION_ORIGINS:
            continue
        hits, scored = topic_candidates(assistant, q["topic"])
        gold = set(q["gold"])
        out.append((assistant.policy.paper_signals(q["topic"], hits, scored)[:MAX_PAPERS],
                    np.array([int(h.paper.title in gold) for h in hits[:MAX_PAPERS]]), len(gold)))
    return out


def _fit(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], c: float) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return {
        "features": list(features),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def _out_of_fold(x: np.ndarray, y: np.ndarray, c: float, folds: int = 5, repeats: int = 5) -> np.ndarray:
    """Each dev question's probability from models fitted without it (stratified folds), averaged
    over `repeats` fold assignments (seeds 0..repeats-1): thresholds chosen on in-sample
    probabilities come out too loose, because a model is surest of the very questions it was
    fitted on, and on one fold assignment they move by several points with the seed."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = min(folds, int(np.bincount(y).min()))
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
    runs = [cross_val_predict(pipeline, x, y, cv=StratifiedKFold(folds, shuffle=True, random_state=seed), method="predict_proba")[:, 1]
            for seed in range(repeats)]
    return np.mean(runs, axis=0)


def _by_batch(x: np.ndarray, y: np.ndarray, origins: list[str], c: float) -> np.ndarray:
    """Each dev question's probability from a model fitted without its whole batch (its `origin`):
    how the model does on questions written later, by someone else, which random folds overstate
    (a batch shares its writer's phrasings; dev-8 scored Brier 0.170 left out, 0.09 in random folds)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
    return cross_val_predict(pipeline, x, y, cv=LeaveOneGroupOut(), groups=origins, method="predict_proba")[:, 1]


def _prob(model: dict, x: np.ndarray) -> np.ndarray:
    z = ((x - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"]) + model["intercept"]
    return 1 / (1 + np.exp(-z))


def _choose(p: np.ndarray, y: np.ndarray, caught: np.ndarray | None = None, lifted: np.ndarray | None = None) -> tuple[float, float]:
    """(none_below, strong_from) for probabilities `p` of questions labelled `y`. `caught`: the questions a rule keeps
    from `strong` whatever the model says; an unanswerable one of them is not let through as `strong` at any bar.
    `lifted`: the questions a rule answers `strong` whatever the model says; an answerable one is neither refused nor
    `weak` at any bar."""
    grid = np.round(np.arange(0.01, 0.99, 0.01), 2)
    ans, una = p[y == 1], p[y == 0]
    let_through = np.ones(len(una), dtype=bool) if caught is None else ~caught[y == 0]
    held_back = np.ones(len(ans), dtype=bool) if lifted is None else ~lifted[y == 1]

    def refusal_strain(t: float) -> float:  # the same balance for `none`: refusals vs unanswerable let through
        return max(((ans < t) & held_back).mean() / MAX_ANSWERABLE_NONE, (una >= t).mean() / (1 - TARGET_UNANSWERABLE_NONE))

    # the least strain; among equals the lowest bar (fewer answerable questions refused)
    none_below = min(grid, key=lambda t: (round(refusal_strain(t), 9), t))

    def strain(t: float) -> float:  # the larger share of its target that either rate uses (lower is better)
        weak = ((ans >= none_below) & (ans < t) & held_back).mean()
        return max(weak / TARGET_ANSWERABLE_WEAK, ((una >= t) & let_through).mean() / TARGET_UNANSWERABLE_STRONG)

    # the least strain; among equals the highest bar (the safer side)
    strong_from = min((t for t in grid if t >= none_below), key=lambda t: (round(strain(t), 9), -t))
    return float(none_below), float(strong_from)


def _choose_relevance(groups: list[tuple[np.ndarray, np.ndarray, int]], max_ratio: float = MAX_ROWS_RATIO,
                      strict_from: float | None = None) -> tuple[float, dict]:
    """The bar for multi-paper answers, chosen on dev's multi-paper questions: the highest
    mean share of each question's needed papers kept (the top paper always is), while the
    papers kept stay within `max_ratio` x the papers needed on average; ties go to the
    higher (stricter) bar. "Needed" counts every gold paper, retrieved or not, as `rag eval` does
    (counting only the retrieved ones held the bar too strict: 0.89 rows per gold paper on test).
    `strict_from` (the list bar, rag.evidence): a question with no second paper over it keeps its top
    paper alone, whatever the bar; the bars tried are at most it."""
    best, best_cover, best_kept = 0.99 if strict_from is None else strict_from, -1.0, 0.0
    gold_mean = np.mean([max(1, n_gold) for _, _, n_gold in groups])
    for t in RELEVANCE_GRID:
        if strict_from is not None and t > strict_from:
            continue
        covers, kept = [], []
        for p, y, n_gold in groups:
            keep = p >= t
            if strict_from is not None and (p[1:] >= strict_from).sum() == 0:
                keep = np.zeros_like(keep)  # one paper answers: its full answer, no list
            keep[0] = True
            covers.append((keep & (y == 1)).sum() / max(1, n_gold))
            kept.append(keep.sum())
        if np.mean(kept) <= max_ratio * gold_mean and np.mean(covers) > best_cover + 1e-9:
            best, best_cover, best_kept = float(t), float(np.mean(covers)), float(np.mean(kept))
    return best, {"questions": len(groups), "needed_papers_kept": round(best_cover, 3),
                  "papers_kept_per_needed": round(best_kept / gold_mean, 3)}


# The newest validation batches, written after the list bar was chosen: read for it, never chosen on. (The choice
# does not model rag.evidence.ASKS_FOR_PAPERS, added after it: a question that asks for papers in so many words
# takes the list bar with no second paper over the first; checked per question instead, docs/evaluation-history.md.)
LIST_BAR_HELD_OUT = ("dev-36", "dev-37", "dev-38", "dev-39", "dev-40", "dev-41", "dev-42", "dev-43")
VALIDATION_DIR = Path(__file__).resolve().parent / "validation"


def _asked_candidates(engine, question: str) -> tuple[list, list[dict]]:
    """The papers ask retrieves for a question about several papers (MAX_PAPERS of them, searched as a topic where ask
    does) and their relevance signals, as the multi-paper answer measures them."""
    assistant = engine.assistant
    hits = engine.retriever.search(question, k=RETRIEVE_K, topic=assistant.searched_as_topic(question))
    if not hits:
        return [], []
    sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
    return hits, assistant.policy.paper_signals(question, hits, assistant.scorer.score(question, sources))


def collect_list_groups(engine, relevance: dict, with_dev: bool = True) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """For each multi-paper question of dev and of the validation batches (eval/validation/dev-*, but
    LIST_BAR_HELD_OUT), the probabilities `relevance` gives the papers ask retrieves for it, which of
    them are gold, and how many are needed."""
    from rag.paste import find_question

    questions = load_questions("multi", "dev") if with_dev else []
    for folder in sorted(VALIDATION_DIR.glob("dev-*")):
        if folder.name not in LIST_BAR_HELD_OUT and (folder / "multi.jsonl").exists():
            with questions_from(folder):  # the same loader and record checks as `rag eval --questions`
                questions += load_questions("multi")
    groups = []
    for q in questions:
        hits, signals = _asked_candidates(engine, find_question(q["question"]).question)
        if not hits:
            continue
        p = _prob(relevance, np.array([[sig[f] for f in RELEVANCE_FEATURES] for sig in signals], dtype=float))
        groups.append((p, np.array([int(h.paper.title in set(q["gold"])) for h in hits]), len(q["gold"])))
    return groups


def fit_list_bar(engine, shipped: dict) -> tuple[float, dict]:
    """The list bar for the shipped relevance model and relevant_from: chosen like relevant_from, on the
    multi-paper questions of dev and of the validation batches (dev's 47 need 2.6 papers each, the batches'
    158 need 3.0: under 1.3x, on dev alone the rule chose 0.09, a hair under the first bar, 0.11; on both,
    0.03; under LIST_MAX_ROWS_RATIO, 0.05).
    dev's probabilities are in-sample here (the shipped model was fitted on them), the batches' are not."""
    groups = collect_list_groups(engine, shipped["relevance"])
    return _choose_relevance(groups, LIST_MAX_ROWS_RATIO, strict_from=shipped["thresholds"]["relevant_from"])


# `--list-model`: the model that picks a multi-paper answer's papers (rag.evidence, EvidenceModel.list_relevance), fitted
# on the questions about several papers of dev and of these batches. Left out: the batches read only in aggregate (dev-70/71,
# dev-78/79, dev-82/83) and those written after it (dev-104 on), so that they tell how it does on fresh questions.
LIST_MODEL_BATCHES = tuple(f"dev-{n}" for n in range(10, 104) if n not in (70, 71, 78, 79, 82, 83))


# The answerable sets whose questions the list model may be asked about: every one that ask takes as about several
# papers (Assistant.asks_several), multi-paper or not. Fitted on the multi-paper questions alone, and deciding as well
# whether an answer is a list, it took a second and third paper into answers to plain questions worded as lists ("Which
# two approaches were proposed …?"), whose one paper had answered in full: key facts fell from 85.5 to 81.4% of the
# batches dev-60 … dev-69 (82.8 → 80.6% of dev-10 … dev-59). Fitted on these sets, 83.2%; with the relevance model's
# first bar left to decide whether an answer is a list (rag.evidence.EvidencePolicy.relevant_hits), 85.5%.
LIST_MODEL_SETS = ("plain", "paraphrase", "near_miss", "multi")


def collect_list_rows(engine, batches: tuple[str, ...] = LIST_MODEL_BATCHES) -> list[dict]:
    """For each question of LIST_MODEL_SETS, in dev and in `batches`, that ask answers as one about several papers:
    the list signals of the papers ask retrieves for it (MAX_PAPERS of them, searched as a topic where ask does),
    which are gold, how many are needed."""
    from rag.paste import find_question

    assistant = engine.assistant
    questions = [(q, "dev") for name in LIST_MODEL_SETS for q in load_questions(name, "dev")]
    for batch in batches:
        folder = VALIDATION_DIR / batch
        with questions_from(folder):
            questions += [(q, batch) for name in LIST_MODEL_SETS if (folder / f"{name}.jsonl").exists()
                          for q in load_questions(name)]
    rows = []
    for q, origin in questions:
        text = find_question(q["question"]).question
        if not q.get("gold") or not assistant.asks_several(text):
            continue
        hits, signals = _asked_candidates(engine, text)
        if not hits:
            continue
        rows.append({"origin": origin, "signals": signals, "n_gold": len(q["gold"]),
                     "y": np.array([int(h.paper.title in set(q["gold"])) for h in hits])})
    return rows


def _list_kept(groups: list[tuple[np.ndarray, np.ndarray, int]], listed: list[bool], bar: float) -> tuple[float, float]:
    """(mean share of needed papers kept, mean papers kept) with rag.evidence.EvidencePolicy.relevant_hits' rule:
    the top paper always; where the answer is a list (`listed`: decided by the relevance model's first bar), the
    others over `bar`."""
    covers, kept = [], []
    for (p, y, n_gold), is_list in zip(groups, listed):
        keep = p >= bar if is_list else np.zeros(len(p), dtype=bool)
        keep[0] = True
        covers.append((keep & (y == 1)).sum() / max(1, n_gold))
        kept.append(keep.sum())
    return float(np.mean(covers)), float(np.mean(kept))


LIST_BAR_GRID = tuple(np.round(np.arange(0.01, 0.51, 0.01), 2))


def fit_list_model(engine, shipped: dict, c: float = DEFAULT_C) -> tuple[dict, dict]:
    """The list model and its bar. The bar is chosen on each batch pair's probabilities from a model fitted without it
    (the hidden set is such a batch): the most needed papers kept, with no more papers per answer than the shipped
    relevance model and bars keep on the same questions (ties: the stricter bar)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows = collect_list_rows(engine)
    x = np.array([[sig[f] for f in LIST_RELEVANCE_FEATURES] for r in rows for sig in r["signals"]], dtype=float)
    y = np.concatenate([r["y"] for r in rows])
    pairs = [r["origin"] if r["origin"] == "dev" else str(int(r["origin"][4:]) // 2) for r in rows for _ in r["signals"]]
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
    held_out = cross_val_predict(pipeline, x, y, cv=LeaveOneGroupOut(), groups=pairs, method="predict_proba")[:, 1]
    base = np.array([[sig[f] for f in RELEVANCE_FEATURES] for r in rows for sig in r["signals"]], dtype=float)
    shipped_p = _prob(shipped["relevance"], base)

    def grouped(p):
        out, at = [], 0
        for r in rows:
            out.append((p[at:at + len(r["y"])], r["y"], r["n_gold"]))
            at += len(r["y"])
        return out

    th = shipped["thresholds"]
    shipped_groups = grouped(shipped_p)
    listed = [bool((p[1:] >= th["relevant_from"]).any()) for p, _, _ in shipped_groups]
    before_cover, before_kept = _list_kept(shipped_groups, listed, th["list_from"])
    best = None
    for bar in reversed(LIST_BAR_GRID):
        cover, kept = _list_kept(grouped(held_out), listed, float(bar))
        if kept <= before_kept + 1e-9 and (best is None or cover > best[0] + 1e-9):
            best = (cover, kept, float(bar))
    cover, kept, bar = best
    model = _fit(x, y, LIST_RELEVANCE_FEATURES, c)
    figures = {"questions": len(rows), "papers": int(len(y)), "batches": f"dev and {len(LIST_MODEL_BATCHES)} of dev-10 … {LIST_MODEL_BATCHES[-1]}",
               "relevance_model": {"needed_papers_kept": round(before_cover, 4), "papers_kept": round(before_kept, 3)},
               "list_model_batch_out": {"needed_papers_kept": round(cover, 4), "papers_kept": round(kept, 3)},
               "needed_per_question": round(float(np.mean([r["n_gold"] for r in rows])), 3)}
    return {"list_relevance": model, "list_model_from": bar}, figures


# `--evidence`: an evidence model fitted on dev and these validation batches, not shipped. Thirty-second session, on
# dev-10 … dev-59 (2,452 questions with dev's): on dev-60 … dev-71, left out of it, it beat the shipped model (fitted on
# dev alone) on every rate before the policy's rules (answerable refused 4.6 -> 3.7%, `weak` 19.3 -> 13.8%,
# unanswerable refused 46 -> 52%, Brier 0.131 -> 0.109), but on the name probe "How does <its name> work?" was `weak`
# for 54 of 145 names (eval/results/validation_dev60-71_evidence-refit.json). Thirty-third session, on dev-10 … dev-69
# (2,842), with EvidencePolicy.asks_only_own_name answering such bare questions and a signal for off-topic questions
# (without it "What hydration … in sourdough bread?" came out P 0.59, `weak`): on dev-70 … dev-73 answerable `weak`
# 13.2 -> 7.4%, unanswerable refused 50 -> 52.5% but `none`-or-`weak` 75 -> 70%; and 34 tests of the product's
# answers failed, "How does QLoRA fit a 65B model on one GPU?" and the README's first example among them (`weak`, P
# 0.56): the batches' many questions about a named paper's unstated details teach it that naming a paper is weak
# evidence (eval/results/validation_dev60-73_evidence-refit2.json; docs/evaluation-history.md). The later batches stay
# out, to tell how such a fit does on questions written after it.
EVIDENCE_BATCHES = tuple(f"dev-{n}" for n in range(10, 70))


def collect_batches(engine, names: tuple[str, ...]) -> list[Row]:
    """`collect` over the validation batches `names` (eval/validation/<name>), each row's origin its batch."""
    rows: list[Row] = []
    for name in names:
        folder = VALIDATION_DIR / name
        if not folder.is_dir():
            continue
        with questions_from(folder):  # the same loader and record checks as `rag eval --questions`
            batch = collect(engine, None)
        for row in batch:
            row.origin, row.split = name, "dev"
        rows += batch
    return rows


def fit_evidence(engine, shipped: dict, c: float = DEFAULT_C) -> tuple[dict, dict]:
    """The evidence model and its two thresholds, fitted and chosen (out of fold) on dev and EVIDENCE_BATCHES; the
    relevance model and bars of `shipped` are kept. Also its figures on the later batches, which it never saw."""
    rows = [r for r in collect(engine, "dev") if r.origin not in VALIDATION_ORIGINS] + collect_batches(engine, EVIDENCE_BATCHES)
    def number(name: str) -> int:  # "dev-60" -> 60
        return int(name.split("-")[1])

    later = sorted((folder.name for folder in VALIDATION_DIR.glob("dev-*") if number(folder.name) > number(EVIDENCE_BATCHES[-1])), key=number)
    held_out = collect_batches(engine, tuple(later))

    def xy(rs):
        return (np.array([[r.signals[f] for f in EVIDENCE_FEATURES] for r in rs], dtype=float),
                np.array([int(r.answerable) for r in rs]))

    x, y = xy(rows)
    evidence = _fit(x, y, EVIDENCE_FEATURES, c)
    oof = _out_of_fold(x, y, c)
    # strong_from by what the reader gets: an unanswerable question a rule catches is no `strong` answer at any bar, an
    # answerable one a rule answers `strong` (`lifted`) no `weak` one. On dev-10 … dev-59 (thirty-second session),
    # counting the model alone chose 0.82, where 28% of the fit's answerable questions were `weak` (out of fold); counting
    # the rules that catch, 0.78. On dev-10 … dev-69, both kinds counted, with the off-topic signal: 0.81 (23.2% of the
    # answerable questions `weak` before the rules; 10.3% of the unanswerable ones `strong` after them).
    caught, lifted = np.array([r.caught for r in rows]), np.array([r.lifted for r in rows])
    none_below, strong_from = _choose(oof, y, caught, lifted)
    report = {"fit_out_of_fold": summary(oof, y, none_below, strong_from),
              "fit_out_of_fold_unanswerable_strong_after_rules": round(float(((oof >= strong_from) & ~caught)[y == 0].mean()), 3)}
    if held_out:
        hx, hy = xy(held_out)
        report["later_batches"] = {"batches": later, **summary(_prob(evidence, hx), hy, none_below, strong_from)}
        shipped_bars = shipped["thresholds"]["none_below"], shipped["thresholds"]["strong_from"]
        replaced_x = np.array([[r.signals[f] for f in shipped["evidence"]["features"]] for r in held_out], dtype=float)
        report["later_batches_shipped_model"] = summary(_prob(shipped["evidence"], replaced_x), hy, *shipped_bars)
    model = {
        **shipped,
        "about": "An experiment of `python -m eval.fit_evidence --evidence` (not shipped): the evidence model fitted on dev "
                 "and the validation batches of eval.fit_evidence.EVIDENCE_BATCHES, the shipped relevance model kept.",
        "fitted_on": {**shipped["fitted_on"], "evidence": {"split": "dev", "batches": f"{EVIDENCE_BATCHES[0]} … {EVIDENCE_BATCHES[-1]}",
                                                            "questions": len(rows), "C": c}},
        "evidence": evidence,
        "thresholds": {**shipped["thresholds"], "none_below": none_below, "strong_from": strong_from},
        "figures": {**shipped["figures"], "evidence": report},
    }
    return model, report


def levels(p: np.ndarray, none_below: float, strong_from: float) -> np.ndarray:
    return np.where(p < none_below, "none", np.where(p < strong_from, "weak", "strong"))


def summary(p: np.ndarray, y: np.ndarray, none_below: float, strong_from: float) -> dict:
    lv = levels(p, none_below, strong_from)
    ans, una = lv[y == 1], lv[y == 0]
    return {
        "answerable": int(len(ans)),
        "unanswerable": int(len(una)),
        "answerable_none": round(float((ans == "none").mean()), 3) if len(ans) else None,
        "answerable_weak": round(float((ans == "weak").mean()), 3) if len(ans) else None,
        "unanswerable_none": round(float((una == "none").mean()), 3) if len(una) else None,
        "unanswerable_none_or_weak": round(float((una != "strong").mean()), 3) if len(una) else None,
        "brier": round(float(((p - y) ** 2).mean()), 4),
    }


def fit(engine, c: float = DEFAULT_C, with_test: bool = False, rows: list[Row] | None = None) -> tuple[dict, dict]:
    rows = rows if rows is not None else collect(engine, None)
    dev = [r for r in rows if r.split == "dev" and r.origin not in VALIDATION_ORIGINS]
    validation = [r for r in rows if r.split == "dev" and r.origin in VALIDATION_ORIGINS]
    test = [r for r in rows if r.split == "test"]

    def xy(rs):
        return (np.array([[r.signals[f] for f in EVIDENCE_FEATURES] for r in rs], dtype=float),
                np.array([int(r.answerable) for r in rs]))

    def pxy(rs):
        pairs = [(s, g) for r in rs if r.answerable for s, g in r.papers]
        return (np.array([[s[f] for f in RELEVANCE_FEATURES] for s, _ in pairs], dtype=float),
                np.array([int(g) for _, g in pairs]))

    x, y = xy(dev)
    evidence = _fit(x, y, EVIDENCE_FEATURES, c)
    oof = _out_of_fold(x, y, c)
    none_below, strong_from = _choose(oof, y)
    px, py = pxy(dev)
    relevance = _fit(px, py, RELEVANCE_FEATURES, c)
    # Out-of-fold relevance too, grouped back per question for the multi-paper bar.
    answerable = [r for r in dev if r.answerable]
    poof = _out_of_fold(px, py, c)
    groups, at = [], 0
    for r in answerable:
        if r.set_name == "multi" and r.papers:
            groups.append((poof[at:at + len(r.papers)], np.array([int(g) for _, g in r.papers]), r.n_gold))
        at += len(r.papers)
    relevant_from, multi = _choose_relevance(groups)
    # The list bar: dev's multi-paper questions (out of fold) and the validation batches' (fit_list_bar).
    list_from, listed = _choose_relevance(groups + collect_list_groups(engine, relevance, with_dev=False), LIST_MAX_ROWS_RATIO,
                                          strict_from=relevant_from)
    # The compare bar, on dev's compare topics, by the same rule (the relevance model never saw them).
    compare_groups = [(_prob(relevance, np.array([[sig[f] for f in RELEVANCE_FEATURES] for sig in signals], dtype=float)), y, n_gold)
                      for signals, y, n_gold in collect_compare(engine, "dev") if len(y)]
    compare_from, compare = _choose_relevance(compare_groups, COMPARE_MAX_ROWS_RATIO) if compare_groups else (relevant_from, {})
    report = {"dev_out_of_fold": summary(oof, y, none_below, strong_from),
              "dev_by_batch": (summary(_by_batch(x, y, origins, c), y, none_below, strong_from)
                               if len(set(origins := [r.origin for r in dev])) > 1 else None),
              "dev_in_sample": summary(_prob(evidence, x), y, none_below, strong_from),
              "dev_multi_out_of_fold": multi, "list_bar": listed, "dev_compare": compare}
    if validation:
        vx, vy = xy(validation)
        report["dev_validation"] = summary(_prob(evidence, vx), vy, none_below, strong_from)
    if test and with_test:
        tx, ty = xy(test)
        report["test"] = summary(_prob(evidence, tx), ty, none_below, strong_from)
    model = {
        "about": "Fitted by `python -m eval.fit_evidence` on the dev split of eval/data; see rag/evidence.py.",
        "fitted_on": {"split": "dev", "questions": len(dev), "papers": int(len(py)), "sets": list(FIT_SETS), "C": c},
        "evidence": evidence,
        "relevance": relevance,
        "thresholds": {"none_below": none_below, "strong_from": strong_from, "relevant_from": relevant_from,
                       "list_from": list_from, "compare_from": compare_from},
        "figures": report,
    }
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if "list_relevance" in shipped:  # fitted by --list-model, on more than dev: kept (refit it after this)
        model["list_relevance"] = shipped["list_relevance"]
        model["thresholds"]["list_model_from"] = shipped["thresholds"]["list_model_from"]
    return model, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="refit and compare with the shipped model; write nothing")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--with-test", action="store_true", help="also score the test split (once, after the choice)")
    parser.add_argument("--c", type=float, default=DEFAULT_C, help=f"regularisation C of both fits (default {DEFAULT_C}; "
                        "with --check, prints the dev out-of-fold figures another C gives)")
    parser.add_argument("--list-bar", action="store_true", help="choose only the list bar (thresholds.list_from) for the "
                        "shipped models, on the multi-paper questions of dev and the validation batches")
    parser.add_argument("--evidence", action="store_true", help="an experiment: fit only the evidence model and its two "
                        "thresholds, on dev and the validation batches EVIDENCE_BATCHES (the shipped relevance model and bars "
                        "kept); print its figures, and write it to --out if that is not the shipped file")
    parser.add_argument("--list-model", action="store_true", help="fit only the model that picks a multi-paper answer's "
                        "papers and its bar, on the questions about several papers of dev and LIST_MODEL_BATCHES")
    args = parser.parse_args(argv)
    from rag.config import Settings
    from rag.pipeline import Engine

    engine = Engine(Settings())
    if args.list_bar:
        shipped = json.loads(args.out.read_text(encoding="utf-8"))
        list_from, figures = fit_list_bar(engine, shipped)
        print(json.dumps({"list_from": list_from, **figures}, indent=2))
        model = {**shipped, "thresholds": {**shipped["thresholds"], "list_from": list_from},
                 "figures": {**shipped["figures"], "list_bar": figures}}
        return check_or_write(model, ("thresholds",), args.out, args.check)
    if args.list_model:
        shipped = json.loads(args.out.read_text(encoding="utf-8"))
        fitted, figures = fit_list_model(engine, shipped, c=args.c)
        print(json.dumps({k: v for k, v in fitted.items() if k != "list_relevance"} | figures, indent=2))
        model = {**shipped, "list_relevance": fitted["list_relevance"],
                 "thresholds": {**shipped["thresholds"], "list_model_from": fitted["list_model_from"]},
                 "figures": {**shipped["figures"], "list_model": figures}}
        return check_or_write(model, ("list_relevance", "thresholds"), args.out, args.check)
    if args.evidence:  # an experiment (EVIDENCE_BATCHES): written only where --out says, never over the shipped model
        model, report = fit_evidence(engine, json.loads(MODEL_PATH.read_text(encoding="utf-8")), c=args.c)
        print(json.dumps({"thresholds": model["thresholds"], **report}, indent=2))
        if args.check or args.out.resolve() == MODEL_PATH.resolve():
            return 0
        args.out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    model, report = fit(engine, c=args.c, with_test=args.with_test)
    print(json.dumps({"thresholds": model["thresholds"], **report}, indent=2))
    return check_or_write(model, ("evidence", "relevance", "thresholds"), args.out, args.check)


def same_json(a, b, tolerance: float = 1e-9) -> bool:
    """Equal JSON values, floats within `tolerance` (a refit's boosted-tree split points vary in their last bits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= tolerance
    return a == b


def check_or_write(model: dict, fitted: tuple[str, ...], out: Path, check: bool) -> int:
    """--check: compare the `fitted` parts of a refit with the shipped file (exit status 1 if they
    differ); otherwise write the refit. Shared by the fit_* scripts."""
    if check:
        shipped = json.loads(out.read_text(encoding="utf-8"))
        same = all(same_json(shipped[k], model[k]) for k in fitted)
        print("shipped model matches a refit on dev" if same else "shipped model differs from a refit on dev")
        return 0 if same else 1
    out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
