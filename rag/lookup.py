"""Citation lookup: "which paper proposed X?" → the paper, a confidence, its contribution sentence.

Retrieval rank, the best-matching sentence, and whether the paper's own contribution
sentence names what the question names all speak for a paper; a softmax over those
scores gives the confidence. Refuses (abstained) when the evidence policy says the
corpus does not cover the question.
"""

from __future__ import annotations

import re
import time

import numpy as np

from rag.meta import reviews_others
from rag.names import NAME as _NAME, NAME_SUFFIX as _NAME_SUFFIX, norm as _norm, own_name, question_names
from rag.ownership import NAMING_CUES, owns
from rag.paste import find_question
from rag.retrieve import Filters, check_query
from rag.spelling import typo_note
from rag.text import CONTRIBUTION, split_sentences
from rag.types import Lookup, Paper, Source


# A survey's score is lowered by this much unless the question asks for a survey: "There was a paper about
# making LLMs sound only as sure as they are, by training them against a simulated listener …" named
# "The Ultimate Guide to Fine-Tuning LLMs … An Exhaustive Review …" over LACIE (its sentences touch everything).
SURVEY_PENALTY = 0.1


def lookup_paper(assistant, question: str, filters: Filters | None = None) -> Lookup:
    """The paper that proposed what the question describes, with its contribution sentence."""
    pasted, question = question, check_query(question)
    question = find_question(pasted).question  # a long paste: the question found in it
    read, typos = assistant.speller.correct(question)  # "the AdvGLEU benchmark" is AdvGLUE (rag.spelling)
    # "chatbot" searched as "large language model" (HybridRetriever.search)
    searched_as = assistant.retriever.field_terms_note(read)
    notes = tuple(n for n in (typo_note(typos) if typos else None, searched_as) if n)
    t0 = time.perf_counter()
    hits = assistant.retriever.search(read, k=6, filters=filters)
    timings = {"retrieve_ms": round((time.perf_counter() - t0) * 1000, 1)}
    # A bare name ("rag lookup LoRA") asks who introduced it, and is assessed as that question: "LoRA" alone was
    # credited to LLaVA-MoLE (P 0.80), "DPO" and "GPT-4" to papers that use them, though the question form is refused
    # ("the indexed abstracts use DPO, but none of them introduces it").
    assessment = assistant.assess(_as_origin_question(read, assistant.retriever.name_casing), hits)
    # A retrieved paper that introduces a specific name of the question answers "which paper proposed
    # it?" whatever the evidence model says of the whole question: "What's the original paper for
    # DCLM?" was refused with DataComp-LM ("we introduce DataComp for Language Models (DCLM)") first.
    introduced = introducing(assistant, read, hits)
    if assessment.level == "none" and not introduced:
        return Lookup(question=question, paper=None, confidence=0.0, abstained=True, reason=assessment.reason, notes=notes,
                      runner_ups=tuple((h.paper, 0.0) for h in hits[:3]), timings_ms=timings)
    question = read
    sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
    scored = assistant.scorer.score(question, sources)
    per_paper: dict[int, float] = {}
    evidence: dict[int, tuple[float, str]] = {}
    for s in scored:
        # Prefer the sentence that states the contribution ("we propose ..."), when it is close.
        bonus = 0.05 if CONTRIBUTION.search(s.text) else 0.0
        per_paper[s.source.n] = max(per_paper.get(s.source.n, -1.0), s.score)
        if s.source.n not in evidence or s.score + bonus > evidence[s.source.n][0]:
            evidence[s.source.n] = (s.score + bonus, s.text)
    # Retrieval rank and the best sentence both speak for a paper; so does carrying the
    # name the question asks about ("Which paper introduced RLAIF-V?") in its title.
    names = {_norm(_NAME_SUFFIX.sub("", m)) for m in _NAME.findall(question)}

    def name_bonus(paper: Paper) -> float:
        if not names:
            return 0.0
        title = {_norm(t) for t in re.split(r"[\s:,/()]+", paper.title)}
        abstract = {_norm(t) for t in paper.abstract.split()}
        return 0.15 * bool(names & title) + 0.05 * bool(names & abstract)

    # A paper that introduces the name ("we propose Context Optimization (CoOp)") proposed it; a
    # paper that builds on it ("... produced by Florence-2") only uses it (rag.evidence's rule).
    proposes = {s.n for s in sources if any(owns(s.paper, key, naming=NAMING_CUES) for key in names)}
    paper_scores = np.array(
        [per_paper.get(s.n, 0.0) + 0.1 / s.n + name_bonus(s.paper) + 0.1 * (s.n in proposes)
         - SURVEY_PENALTY * reviews_others(s.paper.title, question) for s in sources]
    )
    probs = np.exp((paper_scores - paper_scores.max()) / 0.04)
    probs /= probs.sum()
    order = np.argsort(-probs)
    best = sources[int(order[0])]
    ev = evidence[best.n][1] if best.n in evidence else None
    if best.paper in introduced:  # quote where it introduces the name, not the closest other sentence
        ev = next((s for s in split_sentences(best.paper.abstract) if CONTRIBUTION.search(s)
                   and any(key in {_norm(t) for t in s.split()} for _, key in question_names(question, assistant.retriever.name_casing))), ev)
    timings["total_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return Lookup(
        question=question,
        paper=best.paper,
        confidence=round(float(probs[order[0]]), 3),
        evidence=ev,
        runner_ups=tuple((sources[int(i)].paper, round(float(probs[i]), 3)) for i in order[1:4]),
        notes=notes,
        timings_ms=timings,
    )


def _as_origin_question(query: str, casing) -> str:
    """The query as "Which paper introduced <name>?" when it is one name and nothing else ("LoRA", "qlora"); else as
    written."""
    names = question_names(query, casing)
    bare = query.strip().strip("?.!\"'`“”‘’ ")
    if len(names) == 1 and _norm(bare) == names[0][1] and len(bare.split()) == 1:
        return f"Which paper introduced {names[0][0]}?"
    return query


def introducing(assistant, question: str, hits: list) -> list[Paper]:
    """The retrieved papers that introduce one of the question's specific names: their abstract proposes
    or names it (rag.ownership.owns), or it is their title's own name ("GENOME: …"). Not a title word
    elsewhere ("Adversarial GLUE" does not introduce GLUE), nor the field's vocabulary ("LLM"), nor a kind of thing
    the abstracts also write in the plural ("ViTs": "… as building a ViT" does not bring it)."""
    out: list[Paper] = []
    for name, key in question_names(question, assistant.retriever.name_casing):
        if len(key) < 3 or assistant.is_common_name(name) or assistant.is_kind_name(name):
            continue
        out.extend(h.paper for h in hits[:3] if h.paper not in out and (
            owns(h.paper, key, by_title=False, naming=NAMING_CUES) or _norm(own_name(h.paper.title) or "") == key))
    return out
