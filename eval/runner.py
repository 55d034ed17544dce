"""Run every question of eval/data through the real pipeline and the naive baseline, and
score both with the same metrics (eval/metrics.py). `rag eval` (eval/cli.py) calls
`run_eval`, then eval/report.py writes report.md / report.json / report.png.

Per question set (each record carries its "split": dev for tuning, test for reporting):
- plain, paraphrase, near_miss, multi, unanswerable, adversarial, paste, partial: `Assistant.ask`
  (the real answer path: retrieval, evidence level, answerer, citation handling);
- followup: the "history" questions are asked first and their Answers passed as `history`;
- lookup: `Assistant.lookup` ("which paper proposed X?");
- compare: `Assistant.compare(topic)`: its rows against the gold titles, its `not_found`.
The baseline answers the same questions (eval/baseline.py); for lookup its top retrieved
paper is its answer, for compare its retrieved papers are its rows, and it sees a follow-up
without the conversation (a naive pipeline keeps none). Support of each (answer sentence, cited abstract) pair is judged by
the product's SupportChecker and, when the answerer is an LLM, by an LLM judge as well;
the two are reported side by side, never combined.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from eval.baseline import NaiveBaseline, answer_from_sources, baseline_for
from eval.bootstrap import half_width, ratio_of_means
from eval.datasets import DATA_DIR, load_questions
from eval.judge import CheckerJudge, LLMJudge
from eval.metrics import (
    abstention_curve,
    abstention_scores,
    citation_precision,
    citation_recall,
    fact_coverage,
    hallucinated_citations,
    hit_at,
    lookup_rr,
    lookup_top1,
    mean,
    mentions,
    names_reported,
    ndcg_at,
    percentile,
    question_found,
    recall_at,
    reciprocal_rank,
    reliability,
)
from rag.cite import claims as split_claims
from rag.llm import is_abstention, prompt_leak
from rag.errors import QueryError
from rag.types import Answer, Comparison, Lookup, Paper, Source

log = logging.getLogger(__name__)

# Known sets in report order; any other eval/data/*.jsonl is run too (as "ask").
SET_ORDER = ("plain", "paraphrase", "near_miss", "multi", "lookup", "unanswerable", "adversarial",
             "paste", "followup", "partial", "compare")
SYSTEMS = ("ours", "baseline")
SPLIT_CHOICES = ("dev", "test", "all")
EVIDENCE_LEVELS = ("strong", "weak", "none")


def available_sets() -> list[str]:
    names = {p.stem for p in DATA_DIR.glob("*.jsonl")}
    return [s for s in SET_ORDER if s in names] + sorted(names - set(SET_ORDER))


def mode_for(set_name: str) -> str:
    return {"lookup": "lookup", "compare": "compare"}.get(set_name, "ask")


# ------------------------------------------------------------------ scoring helpers


def leaks_system_prompt(text: str) -> bool:
    """True when the answer repeats a run of the answerer's system prompt, by the same rule
    (rag.llm.prompt_leak: LEAK_WORDS consecutive words) that the product's guard enforces."""
    return prompt_leak(text) is not None


@dataclass
class Grounding:
    """Citation recall/precision of one answer under one judge, with the per-pair verdicts."""

    recall: float | None
    precision: float | None
    verdicts: dict[tuple[str, int], bool | None] = field(default_factory=dict)  # (sentence, n) -> verdict
    undecided: int = 0


def grounding(text: str, papers_by_n: dict[int, Paper], verdict: Callable[[str, Paper], bool | None]) -> Grounding:
    """ALCE citation recall and precision of an answer text whose [n] markers refer to
    `papers_by_n`. `verdict(sentence, paper)` is True/False (or None: no verdict, counted
    as unsupported and reported in `undecided`). A number with no paper is unsupported."""
    found = split_claims(text)
    verdicts: dict[tuple[str, int], bool | None] = {}

    def support(sentence: str, n: int) -> bool:
        if (sentence, n) not in verdicts:
            paper = papers_by_n.get(n)
            verdicts[(sentence, n)] = verdict(sentence, paper) if paper is not None else False
        return bool(verdicts[(sentence, n)])

    recall = citation_recall(found, support)
    precision = citation_precision(found, support)
    for sentence, numbers in found:  # every pair, for the report
        for n in numbers:
            support(sentence, n)
    return Grounding(recall, precision, verdicts, sum(1 for v in verdicts.values() if v is None))


def _claims_detail(text: str, papers_by_n: dict[int, Paper], checker: CheckerJudge, g: Grounding, judged: Grounding | None) -> list[dict]:
    out = []
    for sentence, numbers in split_claims(text):
        cites = []
        for n in dict.fromkeys(numbers):
            paper = papers_by_n.get(n)
            score = checker.score(sentence, paper)[0] if paper is not None else None
            entry = {"n": n, "title": paper.title if paper else None, "support": score, "checker": g.verdicts.get((sentence, n))}
            if judged is not None:
                entry["llm_judge"] = judged.verdicts.get((sentence, n))
            cites.append(entry)
        out.append({"sentence": sentence, "citations": cites})
    return out


def _hit_json(hit) -> dict:
    return {
        "rank": hit.rank,
        "title": hit.paper.title,
        "score": round(hit.score, 5),
        "dense_score": hit.dense_score,
        "lexical_coverage": hit.lexical_coverage,
    }


def _retrieval_scores(ranked: list[str], gold: set[str]) -> dict[str, float | None]:
    if not gold:
        return {"recall@1": None, "recall@5": None, "mrr": None, "ndcg@10": None}
    return {
        "recall@1": recall_at(ranked, gold, 1),
        "recall@5": recall_at(ranked, gold, 5),
        "mrr": reciprocal_rank(ranked, gold),
        "ndcg@10": ndcg_at(ranked, gold, 10),
    }


# ------------------------------------------------------------------ the run


@dataclass
class EvalRun:
    """One evaluation: the engine, the baseline, the judges; `run` fills `records`."""

    engine: object
    answerer: str
    judge: bool = True
    baseline: NaiveBaseline | None = None
    records: list[dict] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        from rag.llm import make_backend

        self.assistant = self.engine.assistant
        self.papers = self.engine.index.papers
        self.corpus_titles = {p.title for p in self.papers.values()}
        self.checker = CheckerJudge(self.assistant.checker)
        self.backend = None
        if self.answerer != "extractive":
            # Share the assistant's backend where it exposes one (a local GGUF is not loaded twice).
            shared = getattr(self.assistant, "_backend", None)
            self.backend = shared(self.answerer) if callable(shared) else make_backend(self.engine.settings, self.answerer)
        self.llm_judge = LLMJudge(self.backend) if (self.backend is not None and self.judge) else None
        if self.baseline is None:
            t0 = time.perf_counter()
            self.baseline = baseline_for(list(self.papers.values()), self.engine.embedder, self.engine.index.lexical)
            self.timings_s["baseline_build"] = round(time.perf_counter() - t0, 2)

    # -------------------------------------------------------------- grounding of one answer

    def _ground(self, text: str, papers_by_n: dict[int, Paper]) -> tuple[Grounding, Grounding | None, list[dict]]:
        g = grounding(text, papers_by_n, self.checker.supports)
        judged = grounding(text, papers_by_n, self.llm_judge.verdict) if self.llm_judge else None
        return g, judged, _claims_detail(text, papers_by_n, self.checker, g, judged)

    def _answer_scores(self, q: dict, text: str, abstained: bool, cited: list[str], ranked: list[str],
                       invalid: int, g: Grounding | None, judged: Grounding | None) -> dict:
        gold = set(q["gold"])
        retrieved = set(ranked)
        hallucinated = hallucinated_citations(cited, self.corpus_titles, retrieved)
        cites_gold = bool(not abstained and gold & set(cited))
        scores = {
            "abstained": abstained,
            "cites_gold": cites_gold if gold else None,
            "gold_cited_share": (len(gold & set(cited)) / len(gold)) if gold else None,
            "citations": len(dict.fromkeys(cited)) + invalid,
            "hallucinated": hallucinated,
            "hallucinated_count": len(hallucinated) + invalid,
            "invalid_markers": invalid,
            "citation_recall": None if abstained or g is None else g.recall,
            "citation_precision": None if abstained or g is None else g.precision,
            **_retrieval_scores(ranked, gold),
            "fact_coverage": (0.0 if abstained else fact_coverage(text, q["answer_facts"])) if q.get("answer_facts") else None,
        }
        if self.llm_judge is not None:
            undecided = judged is None or judged.undecided > 0
            scores["citation_recall_llm"] = None if abstained or undecided else judged.recall
            scores["citation_precision_llm"] = None if abstained or undecided else judged.precision
        if q.get("type") == "adversarial":
            checks = {}
            for expect in q.get("expect", []):
                if expect == "cites gold":
                    checks[expect] = cites_gold
                elif expect == "abstain":
                    checks[expect] = abstained
                elif expect == "no system prompt leak":
                    checks[expect] = not leaks_system_prompt(text)
                elif expect == "no hallucinated citation":
                    checks[expect] = scores["hallucinated_count"] == 0
                elif expect == "citations supported":
                    checks[expect] = scores["citation_precision"] in (None, 1.0)
                elif expect == "no forbidden text":
                    # An abstention's text is the product's notice, never the answerer's: it may
                    # echo the question's words ("no indexed abstract mentions PWNED") harmlessly.
                    checks[expect] = abstained or not any(f.casefold() in text.casefold() for f in q.get("forbidden", []))
                else:
                    checks[expect] = False
            scores["checks"] = checks
            scores["correct"] = all(checks.values())
        elif gold:
            scores["correct"] = cites_gold
        else:
            scores["correct"] = abstained
        return scores

    # -------------------------------------------------------------- ask: ours

    def _ours_ask(self, q: dict) -> dict:
        from rag.answer import unknown_names

        t0 = time.perf_counter()
        try:
            answer = self.assistant.ask(q["question"], answerer=self.answerer)
        except QueryError as exc:  # the product refuses the input itself (too long, ...): a refusal
            answer = Answer(question=q["question"], text=f"error: {exc.message}", answerer=self.answerer, abstained=True)
        wall = round((time.perf_counter() - t0) * 1000, 1)
        papers_by_n = {c.n: self.papers[c.paper_id] for c in answer.citations if c.paper_id in self.papers}
        ranked = [h.paper.title for h in answer.hits]
        g = judged = None
        detail: list[dict] = []
        if not answer.abstained:
            g, judged, detail = self._ground(answer.text, papers_by_n)
        cited = [c.title for c in answer.citations]
        scores = self._answer_scores(q, answer.text, answer.abstained, cited, ranked, len(answer.dropped_citations), g, judged)
        relevance = {
            "best_dense": max((h.dense_score or 0.0 for h in answer.hits), default=0.0),
            "best_lexical": max((h.lexical_coverage or 0.0 for h in answer.hits), default=0.0),
            "unknown_names": unknown_names(q["question"], self.assistant.terms),
        }
        counterfactual = None
        if answer.abstained and q["gold"] and answer.hits:
            # What the same answerer says over these hits had the bar let it through (for the sweep).
            sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(answer.hits)]
            text, _ = answer_from_sources(q["question"], sources, self.answerer, self.backend, self.assistant.scorer)
            by_n = {s.n: s.paper.title for s in sources}
            cf_cited = {by_n[n] for _, numbers in split_claims(text) for n in numbers if n in by_n}
            counterfactual = {"answer": text, "cites_gold": bool(cf_cited & set(q["gold"]))}
        return {
            "answer": answer.text,
            "abstained": answer.abstained,
            "answerer": answer.answerer,
            "model": answer.model,
            "notes": list(answer.notes),
            "dropped_citations": list(answer.dropped_citations),
            "citations": [
                {"n": c.n, "title": c.title, "in_corpus": c.title in self.corpus_titles, "retrieved": c.title in set(ranked),
                 "supported": c.supported, "support": c.support}
                for c in answer.citations
            ],
            "claims": detail,
            "hits": [_hit_json(h) for h in answer.hits],
            "relevance": relevance,
            "counterfactual": counterfactual,
            "timings_ms": {**answer.timings_ms, "wall_ms": wall},
            "scores": scores,
        }

    # -------------------------------------------------------------- ask: baseline

    def _baseline_ask(self, q: dict) -> dict:
        t0 = time.perf_counter()
        ba = self.baseline.answer(q["question"], self.answerer, self.backend)
        wall = round((time.perf_counter() - t0) * 1000, 1)
        papers_by_n = {s.n: s.paper for s in ba.sources}
        ranked = [p.title for p in ba.ranked]  # its top 5 for the retrieval metrics; it answers from the first 2
        abstained = is_abstention(ba.text)  # the model itself may decline
        numbers = [n for _, ns in split_claims(ba.text) for n in ns]
        valid = [n for n in dict.fromkeys(numbers) if n in papers_by_n]
        invalid = len({n for n in numbers if n not in papers_by_n})
        cited = [papers_by_n[n].title for n in valid]
        g = judged = None
        detail: list[dict] = []
        if not abstained:
            g, judged, detail = self._ground(ba.text, papers_by_n)
        scores = self._answer_scores(q, ba.text, abstained, cited, ranked, invalid, g, judged)
        return {
            "answer": ba.text,
            "abstained": abstained,
            "error": ba.error,
            "citations": [{"n": n, "title": papers_by_n[n].title, "in_corpus": True, "retrieved": True} for n in valid],
            "claims": detail,
            "hits": [{"rank": i + 1, "title": s.paper.title, "score": round(sc, 5)} for i, (s, sc) in enumerate(zip(ba.sources, ba.scores))],
            "timings_ms": {**ba.timings_ms, "wall_ms": wall},
            "scores": scores,
        }

    # -------------------------------------------------------------- lookup

    def _ours_lookup(self, q: dict) -> dict:
        t0 = time.perf_counter()
        try:
            result = self.assistant.lookup(q["question"])
        except QueryError:
            result = Lookup(question=q["question"], paper=None, confidence=0.0, abstained=True)
        wall = round((time.perf_counter() - t0) * 1000, 1)
        ranked = [] if result.abstained or result.paper is None else [result.paper.title] + [p.title for p, _ in result.runner_ups]
        gold = set(q["gold"])
        top1 = lookup_top1(ranked, gold)
        return {
            "answer": result.paper.title if result.paper else None,
            "abstained": result.abstained,
            "confidence": result.confidence,
            "evidence": result.evidence,
            "runner_ups": [{"title": p.title, "confidence": c} for p, c in result.runner_ups],
            "timings_ms": {**result.timings_ms, "wall_ms": wall},
            "scores": {"abstained": result.abstained, "lookup_top1": top1, "lookup_rr": lookup_rr(ranked, gold), "correct": bool(top1)},
        }

    def _baseline_lookup(self, q: dict) -> dict:
        t0 = time.perf_counter()
        papers, sims = self.baseline.retrieve(q["question"])
        wall = round((time.perf_counter() - t0) * 1000, 1)
        ranked = [p.title for p in papers]
        gold = set(q["gold"])
        top1 = lookup_top1(ranked, gold)
        return {
            "answer": ranked[0] if ranked else None,
            "abstained": False,
            "runner_ups": [{"title": t, "score": round(s, 5)} for t, s in zip(ranked[1:], sims[1:])],
            "timings_ms": {"wall_ms": wall},
            "scores": {"abstained": False, "lookup_top1": top1, "lookup_rr": lookup_rr(ranked, gold), "correct": bool(top1)},
        }

    # -------------------------------------------------------------- driver

    def run_question(self, set_name: str, q: dict) -> dict:
        mode = mode_for(set_name)
        record = {
            "id": q["id"],
            "set": set_name,
            "type": q.get("type", set_name),
            "mode": mode,
            "question": q["question"],
            "gold": list(q["gold"]),
        }
        for key in ("kind", "lang", "expect", "forbidden", "answer_facts", "comparison", "style"):
            if key in q:
                record[key] = q[key]
        if mode == "lookup":
            record["ours"], record["baseline"] = self._ours_lookup(q), self._baseline_lookup(q)
        else:
            record["ours"], record["baseline"] = self._ours_ask(q), self._baseline_ask(q)
        return record

    def run(self, questions: Iterable[tuple[str, dict]], progress: Callable[[dict], None] | None = None) -> list[dict]:
        t0 = time.perf_counter()
        for set_name, q in questions:
            self.records.append(self.run_question(set_name, q))
            if progress:
                progress(self.records[-1])
        self.timings_s["questions"] = round(time.perf_counter() - t0, 2)
        return self.records


def select_questions(sets: list[str], limit: int | None) -> list[tuple[str, dict]]:
    out = []
    for name in sets:
        questions = load_questions(name)
        out += [(name, q) for q in (questions[:limit] if limit else questions)]
    return out


# ------------------------------------------------------------------ aggregation (pure over records)


def _scores(records: list[dict], system: str) -> list[dict]:
    return [r[system]["scores"] for r in records]


def summarize(records: list[dict], system: str, judged: bool, answerer: str | None = None) -> dict:
    """The headline numbers of one system over a list of question records."""
    ask = [r for r in records if r["mode"] == "ask"]
    answerable = [r for r in ask if r["gold"]]
    answered = [r for r in ask if not r[system]["scores"]["abstained"]]
    lookups = [r for r in records if r["mode"] == "lookup"]
    adversarial = [r for r in records if r["type"] == "adversarial"]
    with_facts = [r for r in records if r["mode"] == "ask" and r.get("answer_facts")]
    s = lambda rs, key: [r[system]["scores"].get(key) for r in rs]  # noqa: E731
    hallucinated = sum(r[system]["scores"]["hallucinated_count"] for r in ask)
    citations = sum(r[system]["scores"]["citations"] for r in ask)
    out = {
        "questions": len(records),
        "answerable": len(answerable),
        "cites_gold": mean(s(answerable, "cites_gold")),
        "citation_recall": mean(s(answered, "citation_recall")),
        "citation_precision": mean(s(answered, "citation_precision")),
    }
    if judged:
        out["citation_recall_llm"] = mean(s(answered, "citation_recall_llm"))
        out["citation_precision_llm"] = mean(s(answered, "citation_precision_llm"))
    out.update(
        {
            "hallucinated_citations": hallucinated,
            "citations": citations,
            "hallucination_rate": hallucinated / citations if citations else None,
            "recall@1": mean(s(answerable, "recall@1")),
            "recall@5": mean(s(answerable, "recall@5")),
            "mrr": mean(s(answerable, "mrr")),
            "ndcg@10": mean(s(answerable, "ndcg@10")),
            "lookup_questions": len(lookups),
            "lookup_top1": mean(s(lookups, "lookup_top1")),
            "lookup_mrr": mean(s(lookups, "lookup_rr")),
        }
    )
    abst = abstention_scores((bool(r["gold"]), r[system]["scores"]["abstained"], bool(r[system]["scores"]["cites_gold"])) for r in ask)
    out.update({f"abstention_{k}": v for k, v in abst.items()})
    out["fact_coverage"] = mean(s(with_facts, "fact_coverage"))
    out["adversarial_pass"] = mean([float(v) for v in s(adversarial, "correct")])
    if answerer not in (None, "extractive") and system == "ours":
        # The product replaces a failed or badly grounded LLM answer with the extractive one.
        out["llm_fallbacks"] = sum(1 for r in answered if r["ours"].get("answerer") not in (None, answerer))
    walls = [r[system]["timings_ms"]["wall_ms"] for r in ask]
    out["ask_p50_ms"] = percentile(walls, 50) if walls else None
    out["ask_p95_ms"] = percentile(walls, 95) if walls else None
    return out


def groups(records: list[dict]) -> dict[str, list[dict]]:
    """Records by question set, then the adversarial set by kind ("adversarial:injection", ...)."""
    out: dict[str, list[dict]] = {}
    for r in records:
        out.setdefault(r["set"], []).append(r)
    for r in records:
        if r["set"] == "adversarial" and r.get("kind"):
            out.setdefault(f"adversarial:{r['kind']}", []).append(r)
    return out


def per_type(records: list[dict], system: str, judged: bool) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, rs in groups(records).items():
        sc = _scores(rs, system)
        answered = [x for x in sc if not x["abstained"]]
        row = {
            "n": len(rs),
            "correct": mean(float(x["correct"]) for x in sc),
            "abstained": mean(float(x["abstained"]) for x in sc),
            "citation_recall": mean(x.get("citation_recall") for x in answered),
            "citation_precision": mean(x.get("citation_precision") for x in answered),
            "hallucinated_citations": sum(x.get("hallucinated_count", 0) for x in sc),
            "recall@5": mean(x.get("recall@5") for x in sc),
            "mrr": mean(x.get("mrr", x.get("lookup_rr")) for x in sc),
            "gold_cited_share": mean(x.get("gold_cited_share") for x in sc),
            "fact_coverage": mean(x.get("fact_coverage") for x in sc),
        }
        if judged:
            row["citation_recall_llm"] = mean(x.get("citation_recall_llm") for x in answered)
            row["citation_precision_llm"] = mean(x.get("citation_precision_llm") for x in answered)
        out[name] = row
    return out


def sweep(records: list[dict], dense_bar: float, lexical_bar: float, points: int = 60) -> dict:
    """Our abstention precision-coverage curve, recomputed offline from each ask question's
    best-hit relevance (report.json: ours.relevance) by scaling the product's relevance bar;
    the unknown-name rule stays on. A question the product abstained on counts as correct at
    a lower bar if the same answerer, given its hits, cites a gold paper (ours.counterfactual)."""
    items = []
    for r in records:
        if r["mode"] != "ask":
            continue
        ours = r["ours"]
        rel = ours["relevance"]
        if ours["abstained"]:
            correct = bool(ours["counterfactual"] and ours["counterfactual"]["cites_gold"])
        else:
            correct = bool(ours["scores"]["cites_gold"])
        items.append((rel["best_dense"], rel["best_lexical"], bool(rel["unknown_names"]) or not ours["hits"], bool(r["gold"]), correct))
    top = max([max(d / dense_bar, l / lexical_bar) for d, l, *_ in items] or [1.0]) * 1.02
    scales = sorted({round(top * i / (points - 1), 4) for i in range(points)} | {1.0})
    curve = abstention_curve(items, dense_bar, lexical_bar, scales)
    at_one = next(row for row in curve if row["scale"] == 1.0)
    return {"dense_bar": dense_bar, "lexical_bar": lexical_bar, "curve": curve, "operating_point": at_one}


def run_eval(engine, answerer: str, sets: list[str], limit: int | None = None, judge: bool = True,
             progress: Callable[[dict], None] | None = None, baseline: NaiveBaseline | None = None,
             on_start: Callable[[int], None] | None = None) -> EvalRun:
    """Build the baseline, run the selected questions through both systems; returns the run."""
    questions = select_questions(sets, limit)
    run = EvalRun(engine, answerer, judge=judge, baseline=baseline)
    if on_start:
        on_start(len(questions))
    run.run(questions, progress)
    return run
