"""Fit the answer-sentence model (rag/sentence_rank.py) on dev and early batches; write rag/sentence_model.json.

    python -m eval.fit_sentences            # fit on dev + FIT_BATCHES, print out-of-fold key-fact coverage
    python -m eval.fit_sentences --check    # refit and compare with the shipped file (exit 1 if it differs)
    python -m eval.fit_sentences --score-shipped dev-4   # the shipped model on dev questions of one origin

Labels come from the dev questions, and those of the validation batches in FIT_BATCHES, that list
key facts (`answer_facts`): a sentence of one of the top papers is positive when it contains one of
them (as `rag eval` counts them). Every question goes through the same retrieval and sentence
scoring as `rag ask`. The figures printed are out-of-fold (each question's sentences ranked by a
model fitted without it; 5 folds, 3 seeds): key-fact coverage, the share of answers citing a
retrieved gold paper and the answer length, without the model and for each answer setting tried
(rag.extractive.extractive_answer's `confident`, `fill_within`, `fact_overlap`, `fact_gain`); the
shipped settings are chosen from those. Test questions, and the batches after FIT_BATCHES, are never read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.datasets import load_questions, questions_from
from eval.fit_evidence import VALIDATION_ORIGINS, check_or_write
from eval.metrics import _contains_token, _fold, fact_coverage
from rag.boosted import to_json
from rag.extractive import extractive_answer
from rag.sentence_rank import FEATURES, MODEL_PATH, sentence_classifier, sentence_signals
from rag.types import Source

SETS = ("plain", "paraphrase", "near_miss", "adversarial", "partial", "paste")
TRAIN_PAPERS = 3  # sentences of the top 3 papers are the training examples
# The model: gradient-boosted trees, shallow and shrunk (scikit-learn's HistGradientBoostingClassifier; read at
# run time by rag.boosted). Logistic regression over the same signals (C = 1), out of fold on dev + FIT_BATCHES at the
# shipped answer settings: key facts 0.750; these trees 0.775 (learning rate 0.1: 0.770), at 3.55 and 3.61 sentences.
# On dev-36 … dev-51, never fitted on: 72.2% with the logistic model, 73.5% with these trees unconstrained, 72.4% as
# shipped (below); 70.0% with the logistic model fitted on dev alone.
# The paper's rank enters on its own (no tree splits on it beside another signal): within one paper every sentence
# has the same rank, and a multi-paper answer picks each paper's sentence by P(fact), so the order of a lower-ranked
# paper's sentences must be the one the other signals give (unconstrained, it came from sparse leaves: "Of OpenELM,
# MoMa and UnIVAL, which one is the smallest?" quoted UnIVAL's "To answer this, we propose UnIVAL …", not its size).
# Out of fold it is a wash (key facts 0.773 against 0.775).
_RANK = FEATURES.index("paper_rank")
BOOSTING = {"max_iter": 200, "learning_rate": 0.05, "max_depth": 3, "min_samples_leaf": 40, "l2_regularization": 1.0,
            "random_state": 0, "interaction_cst": [[_RANK], [i for i in range(len(FEATURES)) if i != _RANK]]}
# The answer settings are the ones with the best out-of-fold key-fact coverage among those whose
# answers are on average at most this many sentences longer than answers chosen by closeness alone
# (3.3 on dev; rag.extractive caps answers at 4 sentences, 5 for a question of several parts): the fact
# model decides which sentences are quoted, not how many.
# Was a fixed 3.5, a round number that twice sat on a knife edge: with the asks_own_name evidence
# signal more answers are `strong`, the settings chosen before gave 3.51 sentences (key facts
# 0.778) and 3.5 forced a stricter fill (3.45, 0.752).
# Was 0.25 until the validation batches joined the fit (twenty-fourth session): closeness alone averages 3.21
# sentences on the larger set against 3.34 on dev, and 0.25 above it would have shortened every answer (the cap had
# been 3.59; the settings it chose then quote 3.60 sentences out of fold on the larger set, 3.79 per answer with key
# facts on dev-36 … dev-51, against 3.83 before). 0.4 keeps answers as long as they were: the new data and the trees
# change what is quoted, not how much.
MAX_EXTRA_SENTENCES = 0.4
# ... and whose answers still cite a retrieved gold paper this often (out of fold, on dev): the fact
# model decides what is quoted, and may leave a paper out only within issue 14's budget (a gold paper
# cited for >= 85% of the test questions whose gold paper is retrieved; dev has run 5-7 points above
# test, hence 0.90). Until 2026-12-03 the rule was "at most 2 points below closeness alone" (then
# 0.94 - 0.02): with the 90 dev-8 questions filling strong answers by the fact model across papers
# (`confident`) costs 2.8 points of gold citations (0.943 -> 0.915) and adds 8 of key facts (0.66 ->
# 0.74), and the relative rule forbade it; both targets are issue 14's and key facts is the one
# missed, so the bar is now the target's. (`fill_within` cost 5 points then, 0.892; with the trees on the larger set
# it costs 3.5, 0.926, and is left out by design: see out_of_fold.)
MIN_GOLD_CITED = 0.90
# Besides dev, the model is fitted on these validation batches (eval/validation): their key facts were written by
# people who never saw the answerer, and dev's 92 questions with key facts, written beside the tuning, gave a model
# whose key facts fell from 81% on dev to 70% on fresh batches. The later batches (dev-36 onwards) stay unread, the
# check on questions no fit has seen.
VALIDATION_DIR = Path(__file__).resolve().parent / "validation"
FIT_BATCHES = tuple(f"dev-{n}" for n in range(10, 36))
OVERLAPS = (0.0, 0.1, 0.2, 0.3, 0.5)  # MMR overlap weight among fact sentences
GAINS = (0.0, 0.1, 0.2, 0.3)


@dataclass
class Question:
    qid: str
    origin: str | None
    gold: set[str]
    facts: list[str]
    strong: bool
    scored: list  # ScoredSentence, all retrieved papers
    parts: list
    signals: list[dict]
    labels: list[int]


def _fitting_questions(set_name: str, batches: tuple[str, ...]) -> list[dict]:
    """The dev questions of one set, then those of each batch in `batches` (which carry no split)."""
    out: list[dict] = []
    try:
        out += load_questions(set_name, "dev")
    except FileNotFoundError:
        pass
    for batch in batches:
        with questions_from(VALIDATION_DIR / batch):
            try:
                out += load_questions(set_name)
            except FileNotFoundError:
                continue
    return out


def collect(engine, keep_validation: bool = False, batches: tuple[str, ...] = FIT_BATCHES) -> list[Question]:
    from rag.paste import find_question

    assistant = engine.assistant
    lexical = engine.retriever.index.lexical
    out = []
    for set_name in SETS:
        for q in _fitting_questions(set_name, batches):
            facts = [f for f in q.get("answer_facts") or [] if f.strip()]
            if not q.get("gold") or q.get("multi") or q.get("lookup"):
                continue
            if q.get("origin") in VALIDATION_ORIGINS and not keep_validation:  # never fitted on
                continue
            text = find_question(q["question"]).question
            hits = engine.retriever.search(text, k=assistant.settings.answer_sources)
            sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
            scored = assistant.scorer.score(text, sources)
            strong = assistant.policy.assess(text, hits, scored).level == "strong"
            labels = [int(any(_contains_token(_fold(s.text), _fold(f)) for f in facts)) for s in scored]
            out.append(Question(q["id"], q.get("origin"), set(q["gold"]), facts, strong, scored, assistant.scorer.part_picks(text, scored),
                                sentence_signals(text, scored, lexical.idf), labels))
    return out


def _matrix(questions: list[Question]) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for q in questions:
        for s, signals, label in zip(q.scored, q.signals, q.labels):
            if s.source.n <= TRAIN_PAPERS:
                rows.append([signals[f] for f in FEATURES])
                labels.append(label)
    return np.array(rows, dtype=float), np.array(labels)


def _fit(questions: list[Question]) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = _matrix([q for q in questions if q.facts])
    mean, scale = x.mean(axis=0).round(6), x.std(axis=0).round(6)
    scale[scale == 0] = 1.0
    model = HistGradientBoostingClassifier(**BOOSTING).fit((x - mean) / scale, y)
    return to_json(model, FEATURES, mean, scale)


def _probabilities(model: dict, q: Question) -> list[float]:
    return [float(p) for p in sentence_classifier(model).probabilities(q.signals)]


def _answer(q: Question, probabilities: list[float] | None, overlap: float, gain: float = 0.0, confident: bool = False,
            within: bool = False) -> str:
    for s, p in zip(q.scored, probabilities or [None] * len(q.scored)):
        s.fact = p
    try:
        return extractive_answer(q.scored, parts=q.parts, fact_overlap=overlap, fact_gain=gain,
                                 confident=confident and q.strong, fill_within=within)
    finally:
        for s in q.scored:
            s.fact = None


def _cites_gold(q: Question, text: str) -> bool | None:
    """Whether the answer cites a gold paper; None when no gold paper was retrieved."""
    if not any(s.source.paper.title in q.gold for s in q.scored):
        return None
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    return any(s.source.n in cited and s.source.paper.title in q.gold for s in q.scored)


def _sentences(text: str) -> int:
    return len(re.findall(r" \[\d+\][.!?]", text))


def out_of_fold(questions: list[Question], seeds: int = 3, folds: int = 5) -> dict:
    """Out-of-fold key-fact coverage (questions with key facts), gold-cited share (questions whose
    gold paper was retrieved) and mean answer length, by the fact overlap weight; and the same for
    answers without the model (sentences by closeness to the question only)."""
    grid = [(c, w, o, g) for c in (False, True) for w in (False, True) for o in OVERLAPS for g in (GAINS if c or w else (0.0,))]
    coverage, cited, length = ({k: [] for k in grid} for _ in range(3))
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(questions)) % folds
        for fold in range(folds):
            model = _fit([q for q, f in zip(questions, order) if f != fold])
            for q in (q for q, f in zip(questions, order) if f == fold):
                probabilities = _probabilities(model, q)
                for key in grid:
                    c, w, o, g = key
                    text = _answer(q, probabilities, o, g, c, w)
                    if q.facts:
                        coverage[key].append(fact_coverage(text, q.facts))
                    cited[key].append(_cites_gold(q, text))
                    length[key].append(_sentences(text))
    baseline = [_answer(q, None, 0.0) for q in questions]

    def row(cov, cit, n):
        return {"key_facts": round(float(np.mean(cov)), 3), "gold_cited_when_retrieved": round(float(np.mean([c for c in cit if c is not None])), 3),
                "sentences": round(float(np.mean(n)), 2)}

    def gold_cited(k) -> float:
        return float(np.mean([c for c in cited[k] if c is not None]))

    baseline_cited = [_cites_gold(q, t) for t, q in zip(baseline, questions)]
    floor = MIN_GOLD_CITED
    max_sentences = float(np.mean([_sentences(t) for t in baseline])) + MAX_EXTRA_SENTENCES
    # (`fill_within` is printed, never chosen: a weak answer quotes every paper closeness chose, the candidates a
    # reader weighs; with the trees it met the floor, 0.926, and on dev-36 … dev-51 cost 6 of 544 gold citations.)
    best = max((k for k in grid if not k[1] and np.mean(length[k]) <= max_sentences and gold_cited(k) >= floor - 1e-9),
               key=lambda k: (round(float(np.mean(coverage[k])), 9), -k[2]))
    return {
        "questions": len(questions),
        "with_key_facts": sum(1 for q in questions if q.facts),
        "without_model": row([fact_coverage(t, q.facts) for t, q in zip(baseline, questions) if q.facts],
                             baseline_cited, [_sentences(t) for t in baseline]),
        "with_model": {f"confident {c}, fill_within {w}, fact_overlap {o}, fact_gain {g}": row(coverage[c, w, o, g], cited[c, w, o, g], length[c, w, o, g])
                       for c, w, o, g in grid},
        "chosen": {"confident": best[0], "fill_within": best[1], "fact_overlap": best[2], "fact_gain": best[3]},
    }


def score_shipped(questions: list[Question], origin: str) -> dict:
    """Key facts of the shipped model's answers (no refit) on the dev questions of one origin, beside
    the answers without it: a held-out check for questions written after the model was fitted."""
    from rag.sentence_rank import load_model

    shipped = load_model()
    mine = [q for q in questions if q.origin == origin and q.facts]
    with_model = [fact_coverage(_answer(q, [shipped.sentence.probability(x) for x in q.signals], shipped.fact_overlap,
                                        shipped.fact_gain, shipped.confident, shipped.fill_within), q.facts) for q in mine]
    without = [fact_coverage(_answer(q, None, 0.0), q.facts) for q in mine]
    return {"origin": origin, "questions": len(mine), "key_facts_without_model": round(float(np.mean(without)), 3),
            "key_facts_shipped_model": round(float(np.mean(with_model)), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="refit and compare with the shipped model; write nothing")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--score-shipped", metavar="ORIGIN", help="score the shipped model on the dev questions "
                        "with this `origin` (e.g. dev-4) and write nothing")
    args = parser.parse_args(argv)
    from rag.config import Settings
    from rag.pipeline import Engine

    questions = collect(Engine(Settings()), keep_validation=bool(args.score_shipped))
    if args.score_shipped:
        if not any(q.origin == args.score_shipped and q.facts for q in questions):
            parser.error(f"--score-shipped: no dev question with key facts has origin {args.score_shipped!r}")
        print(json.dumps(score_shipped(questions, args.score_shipped), indent=2))
        return 0
    figures = out_of_fold(questions)
    model = {
        "about": "Fitted by `python -m eval.fit_sentences` on the dev split of eval/data and validation batches "
                 f"{FIT_BATCHES[0]} .. {FIT_BATCHES[-1]}; see rag/sentence_rank.py.",
        "fitted_on": {"split": "dev", "batches": list(FIT_BATCHES), "questions": len(questions), "sentences_per_question": f"top {TRAIN_PAPERS} papers", "boosting": BOOSTING},
        "sentence": _fit(questions),
        "answer": figures["chosen"],
        "figures": {"dev_out_of_fold": figures},
    }
    print(json.dumps(figures, indent=2))
    return check_or_write(model, ("sentence", "answer"), args.out, args.check)


if __name__ == "__main__":
    sys.exit(main())
