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
from eval.datasets import load_questions, questions_dir
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
    names = {p.stem for p in questions_dir().glob("*.jsonl")}
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


# ------------------------------------------------------------------ our ask path (shared with evidence_records)

# Answer fields every report already shows in its own shape; any other field (evidence,
# evidence_probability, searched_question, signals, ...) is copied into the record as is.
_ANSWER_SHOWN = {"question", "text", "answerer", "model", "abstained", "citations", "hits", "dropped_citations",
                 "notes", "rewritten_question", "timings_ms"}


def _ask_once(assistant, question: str, answerer: str, history: list[Answer] | None) -> Answer:
    try:
        return assistant.ask(question, answerer=answerer, history=history)
    except QueryError as exc:  # the product refuses the input itself (too long, ...): a refusal
        return Answer(question=question, text=f"error: {exc.message}", answerer=answerer, abstained=True, evidence="none")


def ask_question(assistant, q: dict, answerer: str) -> tuple[Answer, float, list[Answer]]:
    """Our answer to one ask-mode record, the wall time of that ask in ms, and the answers to
    its "history" questions (a follow-up set's earlier turns, asked first and passed along)."""
    history: list[Answer] = []
    for earlier in q.get("history", []):
        history.append(_ask_once(assistant, earlier, answerer, list(history) or None))
    t0 = time.perf_counter()
    answer = _ask_once(assistant, q["question"], answerer, history or None)
    return answer, round((time.perf_counter() - t0) * 1000, 1), history


def evidence_level(answer: Answer) -> str:
    """strong | weak | none; an abstention is 'none' whatever else the answer says."""
    return "none" if answer.abstained else answer.evidence


def answer_extras(answer: Answer) -> dict:
    """The answer's evidence fields and anything else it carries beyond the basics, JSON-ready."""
    extras = answer.model_dump(mode="json", exclude=_ANSWER_SHOWN)
    extras["evidence"] = evidence_level(answer)
    return extras


# ------------------------------------------------------------------ the run


@dataclass
class EvalRun:
    """One evaluation: the engine, the baseline, the judges; `run` fills `records`."""

    engine: object
    answerer: str
    judge: bool = True
    baseline: NaiveBaseline | None = None
    split: str = "test"
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
                       invalid: int, g: Grounding | None, judged: Grounding | None,
                       evidence: str, searched: str | None, notes: Iterable[str] = ()) -> dict:
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
            "evidence": evidence,
            "gold_in_top5": bool(hit_at(ranked, gold, 5)) if gold else None,
            # A paste: was the question inside it the one searched for?
            "question_found": question_found(searched, q["asked"]) if q.get("asked") else None,
            # Partly indexed: does the answer (or a note beside it) name what the corpus lacks?
            "names_missing": all(mentions(" ".join([text, *notes]), m) for m in q["missing"]) if q.get("missing") else None,
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
        elif q.get("missing"):
            scores["correct"] = cites_gold and scores["names_missing"]
        elif gold:
            scores["correct"] = cites_gold
        else:
            scores["correct"] = abstained
        return scores

    # -------------------------------------------------------------- ask: ours

    def _ours_ask(self, q: dict) -> dict:
        from rag.names import unknown_names

        answer, wall, history = ask_question(self.assistant, q, self.answerer)
        papers_by_n = {c.n: self.papers[c.paper_id] for c in answer.citations if c.paper_id in self.papers}
        ranked = [h.paper.title for h in answer.hits]
        g = judged = None
        detail: list[dict] = []
        if not answer.abstained:
            g, judged, detail = self._ground(answer.text, papers_by_n)
        cited = [c.title for c in answer.citations]
        scores = self._answer_scores(q, answer.text, answer.abstained, cited, ranked, len(answer.dropped_citations), g, judged,
                                     evidence_level(answer), answer.searched_question or q["question"],
                                     [*answer.notes, getattr(answer, "preface", None) or ""])
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
        record = {
            "answer": answer.text,
            "abstained": answer.abstained,
            **answer_extras(answer),
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
        if history:
            record["rewritten_question"] = answer.rewritten_question
            record["history"] = [{"question": a.question, "answer": a.text, "cited": [c.title for c in a.citations]} for a in history]
        return record

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
        # No evidence levels: a naive pipeline answers in full or (its model) declines; it
        # searches the whole input, a paste included.
        scores = self._answer_scores(q, ba.text, abstained, cited, ranked, invalid, g, judged,
                                     "none" if abstained else "strong", q["question"])
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

    # -------------------------------------------------------------- compare

    @staticmethod
    def _compare_scores(q: dict, rows: list[str], not_found: list[str]) -> dict:
        gold = list(q["gold"])
        coverage = sum(1 for t in gold if t in rows) / len(gold) if gold else None
        reported = names_reported(not_found, q.get("not_found", []))
        return {
            "abstained": not rows,
            "rows": len(rows),
            "gold": len(gold),
            "gold_coverage": coverage,
            "extra_rows": len(set(rows) - set(gold)),
            "not_found_correct": reported,
            "correct": (coverage == 1.0 if gold else not rows) and reported,
        }

    def _ours_compare(self, q: dict) -> dict:
        topic = q.get("topic") or q["question"]
        t0 = time.perf_counter()
        try:
            result = self.assistant.compare(topic)
        except QueryError as exc:
            result = Comparison(topic=topic, columns=(), rows=(), notes=(f"error: {exc.message}",))
        wall = round((time.perf_counter() - t0) * 1000, 1)
        rows = [r.paper.title for r in result.rows]
        return {
            "answer": "; ".join(rows) or None,
            "abstained": not rows,
            "rows": rows,
            "not_found": list(result.not_found),
            "notes": list(result.notes),
            "timings_ms": {**result.timings_ms, "wall_ms": wall},
            "scores": self._compare_scores(q, rows, list(result.not_found)),
        }

    def _baseline_compare(self, q: dict) -> dict:
        """The naive pipeline's retrieved papers are its table; it never says a title is missing."""
        t0 = time.perf_counter()
        papers, _ = self.baseline.retrieve(q.get("topic") or q["question"])
        wall = round((time.perf_counter() - t0) * 1000, 1)
        rows = [p.title for p in papers]
        return {"answer": "; ".join(rows) or None, "abstained": not rows, "rows": rows, "not_found": [],
                "timings_ms": {"wall_ms": wall}, "scores": self._compare_scores(q, rows, [])}

    # -------------------------------------------------------------- driver

    def run_question(self, set_name: str, q: dict) -> dict:
        mode = mode_for(set_name)
        record = {
            "id": q["id"],
            "set": set_name,
            "type": q.get("type", set_name),
            "mode": mode,
            "split": q.get("split"),
            "question": q.get("question") or q.get("topic"),
            "gold": list(q["gold"]),
        }
        for key in ("kind", "lang", "expect", "forbidden", "answer_facts", "comparison", "style",
                    "topic", "asked", "history", "missing", "not_found"):
            if key in q:
                record[key] = q[key]
        if mode == "lookup":
            record["ours"], record["baseline"] = self._ours_lookup(q), self._baseline_lookup(q)
        elif mode == "compare":
            record["ours"], record["baseline"] = self._ours_compare(q), self._baseline_compare(q)
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


def select_questions(sets: list[str], limit: int | None, split: str = "test") -> list[tuple[str, dict]]:
    """(set, record) pairs of the given split ("dev", "test" or "all"), at most `limit` per set."""
    out = []
    for name in sets:
        questions = load_questions(name, split)
        out += [(name, q) for q in (questions[:limit] if limit else questions)]
    return out


# ------------------------------------------------------------------ aggregation (pure over records)


def _scores(records: list[dict], system: str) -> list[dict]:
    return [r[system]["scores"] for r in records]


def summarize(records: list[dict], system: str, judged: bool, answerer: str | None = None) -> dict:
    """The headline numbers of one system over a list of question records; `ci95` holds the
    ± half-width of each rate's 95% bootstrap band (questions resampled, eval/bootstrap.py)
    and `n` the number of questions each rate is over."""
    sc = lambda r: r[system]["scores"]  # noqa: E731
    s = lambda rs, key: [sc(r).get(key) for r in rs]  # noqa: E731
    ask = [r for r in records if r["mode"] == "ask"]
    answerable = [r for r in ask if r["gold"]]
    unanswerable = [r for r in ask if not r["gold"]]
    answered = [r for r in ask if not sc(r)["abstained"]]
    lookups = [r for r in records if r["mode"] == "lookup"]
    compares = [r for r in records if r["mode"] == "compare"]
    adversarial = [r for r in records if r["type"] == "adversarial"]
    with_facts = [r for r in ask if r.get("answer_facts")]
    # Questions whose gold paper is in OUR top 5: whether the answer then cites it is the
    # answerer's doing, not retrieval's (the same questions for both systems).
    retrieved = [r for r in answerable if r["ours"]["scores"].get("gold_in_top5")]
    pastes = [r for r in ask if "long_paste" in (r["type"], r.get("kind"))]
    out: dict = {"questions": len(records), "answerable": len(answerable)}
    bands: dict[str, float | None] = {}
    counts: dict[str, int] = {}

    def rate(key: str, values) -> None:
        kept = [float(v) for v in values if v is not None]
        out[key] = mean(kept)
        bands[key] = half_width(kept)
        counts[key] = len(kept)

    rate("cites_gold", s(answerable, "cites_gold"))
    rate("citation_recall", s(answered, "citation_recall"))
    rate("citation_precision", s(answered, "citation_precision"))
    if judged:
        rate("citation_recall_llm", s(answered, "citation_recall_llm"))
        rate("citation_precision_llm", s(answered, "citation_precision_llm"))
    hallucinated = sum(sc(r)["hallucinated_count"] for r in ask)
    citations = sum(sc(r)["citations"] for r in ask)
    out.update({"hallucinated_citations": hallucinated, "citations": citations,
                "hallucination_rate": hallucinated / citations if citations else None})
    for key in ("recall@1", "recall@5", "mrr", "ndcg@10"):
        rate(key, s(answerable, key))
    out["lookup_questions"] = len(lookups)
    rate("lookup_top1", s(lookups, "lookup_top1"))
    rate("lookup_mrr", s(lookups, "lookup_rr"))
    # Selective answering (the four ratios of metrics.abstention_scores, with bands).
    rate("abstention_precision", [bool(r["gold"] and sc(r)["cites_gold"]) for r in answered])
    rate("abstention_coverage", [not sc(r)["abstained"] for r in answerable])
    rate("abstention_false_abstain_rate", [sc(r)["abstained"] for r in answerable])
    rate("abstention_abstain_recall", [sc(r)["abstained"] for r in unanswerable])
    rate("fact_coverage", s(with_facts, "fact_coverage"))
    rate("adversarial_pass", s(adversarial, "correct"))
    if answerer not in (None, "extractive") and system == "ours":
        # The product replaces a failed or badly grounded LLM answer with the extractive one.
        out["llm_fallbacks"] = sum(1 for r in answered if r["ours"].get("answerer") not in (None, answerer))

    # Evidence levels (issue 14). Answerable: refused outright, answered as weak, and the gold
    # paper cited when retrieval found it; unanswerable: refused or at least flagged weak.
    levels = lambda rs: [sc(r).get("evidence") for r in rs]  # noqa: E731
    rate("answerable_refused", [e == "none" for e in levels(answerable)])
    rate("answerable_weak", [e == "weak" for e in levels(answerable)])
    out["answerable_retrieved"] = len(retrieved)
    rate("cites_gold_when_retrieved", s(retrieved, "cites_gold"))
    out["unanswerable"] = len(unanswerable)
    rate("unanswerable_none_or_weak", [e in ("none", "weak") for e in levels(unanswerable)])
    rate("unanswerable_none", [e == "none" for e in levels(unanswerable)])
    out["compare_questions"] = len(compares)
    rate("compare_gold_coverage", s(compares, "gold_coverage"))
    rate("compare_rows_mean", s(compares, "rows"))
    out["compare_gold_mean"] = mean(s(compares, "gold"))
    pairs = [(sc(r)["rows"], sc(r)["gold"]) for r in compares]
    out["compare_rows_per_gold"] = ratio_of_means(pairs) if pairs else None
    bands["compare_rows_per_gold"] = half_width(pairs, ratio_of_means)
    counts["compare_rows_per_gold"] = len(pairs)
    rate("compare_not_found_correct", s(compares, "not_found_correct"))
    rate("multi_gold_cited_share", s([r for r in ask if r["set"] == "multi"], "gold_cited_share"))
    out["paste_questions"] = len(pastes)
    rate("paste_cites_gold", [sc(r)["cites_gold"] for r in pastes if r["gold"]])
    rate("paste_question_found", s(pastes, "question_found"))
    rate("partial_names_missing", s(ask, "names_missing"))
    if system == "ours":
        cal = calibration(records)
        out["evidence_brier"] = cal["brier"] if cal else None
        out["evidence_ece"] = cal["ece"] if cal else None

    walls = [r[system]["timings_ms"]["wall_ms"] for r in ask]
    out["ask_p50_ms"] = percentile(walls, 50) if walls else None
    out["ask_p95_ms"] = percentile(walls, 95) if walls else None
    out["ci95"] = bands
    out["n"] = counts
    return out


def calibration(records: list[dict], bins: int = 10) -> dict | None:
    """Reliability of our `evidence_probability` (the chance the abstracts answer the
    question) against whether the question is answerable (has gold papers); None when no
    answer carried a probability."""
    pairs = [(r["ours"]["evidence_probability"], bool(r["gold"])) for r in records
             if r["mode"] == "ask" and r["ours"].get("evidence_probability") is not None]
    return reliability(pairs, bins)


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
            "weak": mean(float(x["evidence"] == "weak") if "evidence" in x else None for x in sc),
            "citation_recall": mean(x.get("citation_recall") for x in answered),
            "citation_precision": mean(x.get("citation_precision") for x in answered),
            "hallucinated_citations": sum(x.get("hallucinated_count", 0) for x in sc),
            "recall@5": mean(x.get("recall@5") for x in sc),
            "mrr": mean(x.get("mrr", x.get("lookup_rr")) for x in sc),
            "gold_cited_share": mean(x.get("gold_cited_share", x.get("gold_coverage")) for x in sc),
            "fact_coverage": mean(x.get("fact_coverage") for x in sc),
        }
        if judged:
            row["citation_recall_llm"] = mean(x.get("citation_recall_llm") for x in answered)
            row["citation_precision_llm"] = mean(x.get("citation_precision_llm") for x in answered)
        out[name] = row
    return out


def sweep(records: list[dict], dense_bar: float = 0.45, lexical_bar: float = 0.6, points: int = 60) -> dict:
    """Our abstention precision-coverage curve, recomputed offline. With evidence probabilities
    (rag.evidence) the curve moves a threshold on `evidence_probability` from 0 (answer all)
    to 1; without them (reports from before rag.evidence) it scales the old relevance bar
    (dense 0.45 / lexical 0.6) over each question's best-hit relevance
    (ours.relevance), the unknown-name rule kept. A question the product abstained on counts
    as correct where it would be answered if the same answerer, given its hits, cites a gold
    paper (ours.counterfactual). The operating point is the product's own decisions."""
    asks = [r for r in records if r["mode"] == "ask"]
    correct = {}
    for r in asks:
        ours = r["ours"]
        if ours["abstained"]:
            correct[r["id"]] = bool(ours["counterfactual"] and ours["counterfactual"]["cites_gold"])
        else:
            correct[r["id"]] = bool(ours["scores"]["cites_gold"])
    actual = abstention_scores((bool(r["gold"]), r["ours"]["abstained"], correct[r["id"]]) for r in asks)
    if any(r["ours"].get("evidence_probability") is not None for r in asks):
        items = []
        for r in asks:
            ours = r["ours"]
            p = ours.get("evidence_probability")
            # A decision the probability did not make (a refused input, a follow-up kept on its
            # papers, no hits) stays as it was at every threshold.
            fixed = p is None or not ours["hits"] or bool(ours.get("history"))
            items.append((2.0 if fixed and not ours["abstained"] else -1.0 if fixed else p, bool(r["gold"]), correct[r["id"]]))
        thresholds = [round(i / (points - 1), 4) for i in range(points)]
        curve = [{"threshold": t, **abstention_scores((a, p < t, c) for p, a, c in items)} for t in thresholds]
        return {"by": "evidence_probability", "curve": curve, "operating_point": {"threshold": None, **actual}}
    items = []
    for r in asks:
        ours, rel = r["ours"], r["ours"]["relevance"]
        items.append((rel["best_dense"], rel["best_lexical"], bool(rel["unknown_names"]) or not ours["hits"], bool(r["gold"]), correct[r["id"]]))
    top = max([max(d / dense_bar, l / lexical_bar) for d, l, *_ in items] or [1.0]) * 1.02
    scales = sorted({round(top * i / (points - 1), 4) for i in range(points)} | {1.0})
    curve = abstention_curve(items, dense_bar, lexical_bar, scales)
    return {"by": "relevance_bar", "dense_bar": dense_bar, "lexical_bar": lexical_bar, "curve": curve,
            "operating_point": {"scale": 1.0, **actual}}


def run_eval(engine, answerer: str, sets: list[str], limit: int | None = None, judge: bool = True,
             progress: Callable[[dict], None] | None = None, baseline: NaiveBaseline | None = None,
             on_start: Callable[[int], None] | None = None, split: str = "test",
             questions: list[tuple[str, dict]] | None = None) -> EvalRun:
    """Build the baseline, run the selected questions of `split` (or `questions`, already selected)
    through both systems; returns the run."""
    questions = questions if questions is not None else select_questions(sets, limit, split)
    run = EvalRun(engine, answerer, judge=judge, baseline=baseline, split=split)
    if on_start:
        on_start(len(questions))
    run.run(questions, progress)
    return run


def evidence_records(engine, split: str = "dev", sets: list[str] | None = None, answerer: str = "extractive",
                     limit: int | None = None) -> list[dict]:
    """Our ask path over one split's ask-mode questions, one open dict per question, to fit the
    evidence model on dev and check it on test: the labels (answerable, gold in our top 5,
    cites gold) beside everything the Answer says about its evidence (`evidence`,
    `evidence_probability`, `searched_question`, `signals` and any field added later). No
    baseline and no grounding judge, so a run over dev takes a minute or two."""
    names = [s for s in (sets or available_sets()) if mode_for(s) == "ask"]
    out = []
    for set_name, q in select_questions(names, limit, split):
        answer, wall, _ = ask_question(engine.assistant, q, answerer)
        gold = set(q["gold"])
        ranked = [h.paper.title for h in answer.hits]
        out.append({
            "id": q["id"],
            "set": set_name,
            "type": q.get("type", set_name),
            "kind": q.get("kind"),
            "split": q.get("split"),
            "question": q["question"],
            "gold": list(q["gold"]),
            "answerable": bool(gold),
            "gold_in_top5": bool(gold) and bool(hit_at(ranked, gold, 5)),
            "cites_gold": not answer.abstained and bool(gold & {c.title for c in answer.citations}),
            "abstained": answer.abstained,
            "hits": [_hit_json(h) for h in answer.hits],
            "wall_ms": wall,
            **answer_extras(answer),
        })
    return out
