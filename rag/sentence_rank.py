"""Which abstract sentences carry what the question asks for.

Closeness to the question is not enough: the sentence most like "How does WISE store edited
facts?" restates the problem ("Where the updated knowledge resides is a fundamental question"),
while the facts sit in the sentences that say what the paper does ("we design a dual memory
scheme ... a side memory for the edited knowledge"). A small model over sentence
signals — question-word share, how rare its other words are, technical names and numbers it
adds, whether it is background, a method statement or a generic result claim, its position and
its paper's rank — gives each candidate P(it holds an asked-for fact). It is a small ensemble of
boosted trees (rag.boosted), fitted on the questions with key facts of dev and of the validation
batches dev-10 … dev-35 by `python -m eval.fit_sentences` into rag/sentence_model.json; the
extractive answer picks sentences by it. Nothing here names a paper, method or question.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.boosted import KIND as BOOSTED, BoostedTrees
from rag.evidence import ASKS_EVALUATED_ON, ASKS_NUMBER, HOW_LARGE, ASKS_WHICH_MODEL, EVALUATION, EVALUATION_LIST, Logistic, asked_counts, states_count
from rag.extractive import ScoredSentence
from rag.text import ASKS_ORIGIN, ASKS_RELEASE, CONTRIBUTION, RELEASE_STATED, asked_acronyms, expands
from rag.lexical import tokenize
from rag.names import capitalised_words, norm, own_name
from rag.ownership import NAMING_CUES

MODEL_PATH = Path(__file__).with_name("sentence_model.json")

FEATURES = (
    "semantic",  # cosine to the question
    "lexical",  # share of the question's IDF-weighted words in the sentence
    "relpos",  # position in its abstract, 0 (first) .. 1 (last)
    "novel_idf",  # mean IDF of its words that the question does not have: specific new content
    "names",  # technical names (CamelCase, acronyms, letter-digit mixes) the question does not have
    "has_number",  # a number the question does not have
    "number_asked",  # ... and the question asks for a quantity
    "claims",  # "we propose / introduce ..."
    "length",  # content words
    "first_person",  # we / our / this paper: the paper speaking about its own work
    "background",  # one of the first two sentences, without we/our: the field's context
    "generic_result",  # "experiments show ... outperforms ..." with no number
    "method_verb",  # by / via / using / leverages / designs ...: how something is done
    "paper_rank",  # 1 / the rank of its paper among the retrieved ones
    "problem",  # states a limitation or gap ("However, ... struggle"), not what the paper does about it
)

NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_NAME = re.compile(r"\b(?:[A-Za-z]*[A-Z][a-z]*[A-Z][\w-]*|[A-Z]{2,}[\w-]*|\w*\d\w*)\b")
FIRST_PERSON = re.compile(r"\b(?:we|our|this (?:paper|work|study))\b", re.I)
_WE = re.compile(r"\b(?:we|our)\b", re.I)
_GENERIC_RESULT = re.compile(
    r"\b(?:experiments?|results?|evaluations?) (?:show|demonstrate|indicate|reveal)|outperform|state-of-the-art|superior", re.I
)
PROBLEM = re.compile(
    r"\b(?:however|despite|challeng\w*|limitations?|limited|suffer\w*|lacks?|lacking|struggl\w*|bottlenecks?|costly|expensive"
    r"|prohibitive\w*|fails?|hinders?|impractical|drawbacks?|under-?explored|remains? (?:unclear|open|challenging|an open))\b",
    re.I,
)
# ... unless it answers one: "To mitigate the memory bottleneck, we employ mixed-precision quantization".
_RESPONSE = re.compile(r"\b(?:to (?:address|tackle|overcome|solve|mitigate|alleviate|bridge|remedy|avoid|reduce)|to this end|addressing)\b", re.I)
# A question about what is wrong or hard ("What two shortcomings of existing code LLMs does the CodeT5+
# paper point to?", "Where do the models tested on WebLINX fall short?"): its answer is a problem
# statement, which answers to other questions rightly skip. (Not "What problem does X solve?": its
# answer is often what X does, "We present QLoRA, … that reduces memory usage enough to …".)
ASKS_PROBLEM = re.compile(
    r"\b(?:limitations?|shortcomings?|drawbacks?|weakness(?:es)?|downsides?|pitfalls?|falls? short|go(?:es)? wrong"
    r"|wrong with|trouble with|(?:problems?|issues?|difficult(?:y|ies)) (?:with|of (?:existing|current|prior|previous))"
    r"|what makes\b.{0,80}\b(?:hard|difficult|challenging))\b",
    re.I,
)
PROBLEM_PICKS = 2  # problem sentences an answer to such a question starts from
# ... which may say what is wrong in words the sentence model's PROBLEM cue does not hold ("the forward
# cross-entropy is suboptimal as a distance metric … due to its (1) recall-prioritization …").
_FLAW = re.compile(r"\b(?:suboptimal|sub-optimal|inadequate|insufficient|inaccura\w*|unreliable|flaw\w*|shortcomings?|weakness\w*"
                   r"|drawbacks?|falls? short|degrad\w*|overlook\w*|neglect\w*|ignor\w*|mismatch\w*|inefficien\w*)\b", re.I)

METHOD_VERB = re.compile(
    r"\b(?:by|via|using|through|consists?|leverag\w*|employ\w*|design\w*|devis\w*|repurpos\w*|construct\w*|extract\w*|train\w*)\b",
    re.I,
)


def sentence_signals(question: str, scored: Sequence[ScoredSentence], idf) -> list[dict[str, float]]:
    """The model's inputs for each scored sentence (`idf`: word -> inverse document frequency)."""
    asked_words = set(tokenize(question))
    folded_question = question.casefold()
    asks_number = bool(ASKS_NUMBER.search(question))
    last_position: dict[int, int] = {}
    for s in scored:
        last_position[s.source.n] = max(last_position.get(s.source.n, 0), s.position)
    out = []
    for s in scored:
        words = tokenize(s.text)
        new_words = [w for w in words if w not in asked_words]
        numbers = [m for m in NUMBER.findall(s.text) if m not in question]
        names = [m for m in _NAME.findall(s.text) if m.casefold() not in folded_question]
        out.append({
            "semantic": s.semantic,
            "lexical": s.lexical,
            "relpos": s.position / max(1, last_position[s.source.n]),
            "novel_idf": float(np.mean([idf(w) for w in new_words])) if new_words else 0.0,
            "names": float(len(names)),
            "has_number": float(bool(numbers)),
            "number_asked": float(bool(numbers) and asks_number),
            "claims": float(bool(CONTRIBUTION.search(s.text))),
            "length": float(len(words)),
            "first_person": float(bool(FIRST_PERSON.search(s.text))),
            "background": float(s.position < 2 and not _WE.search(s.text)),
            "generic_result": float(bool(_GENERIC_RESULT.search(s.text)) and not numbers),
            "method_verb": float(bool(METHOD_VERB.search(s.text))),
            "paper_rank": 1.0 / s.source.n,
            "problem": float(is_problem(s.text)),
        })
    return out


@dataclass(frozen=True)
class SentenceModel:
    sentence: Logistic | BoostedTrees
    confident: bool  # with strong evidence, fill the answer by P(fact) from any retrieved paper
    fact_overlap: float  # MMR by P(fact): weight of a sentence's cosine to the closest one chosen
    fact_gain: float  # ... a sentence joins while P(fact) - overlap x cosine >= fact_gain x the best P(fact)
    fill_within: bool = False  # otherwise (weak evidence) fill the same way, inside the papers closeness chose

    def answer_settings(self, evidence: str) -> dict:
        """extractive_answer's keyword arguments for an answer at this evidence level."""
        return {"fact_overlap": self.fact_overlap, "fact_gain": self.fact_gain, "confident": self.confident and evidence == "strong",
                "fill_within": self.fill_within}


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> SentenceModel | None:
    """The fitted model, or None where none has been fitted (answers then rank by score)."""
    if not Path(path).is_file():
        return None
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    answer = data["answer"]
    return SentenceModel(sentence_classifier(data["sentence"]), bool(answer["confident"]), float(answer["fact_overlap"]),
                         float(answer["fact_gain"]), bool(answer.get("fill_within", False)))


def sentence_classifier(data: dict) -> Logistic | BoostedTrees:
    """The fitted classifier a model file holds: boosted trees, or (files fitted before 2026-12-05) a logistic model."""
    return BoostedTrees.from_json(data) if data.get("kind") == BOOSTED else Logistic.from_json(data)


def rank_by_facts(question: str, scored: list[ScoredSentence], idf, model: SentenceModel | None = None) -> SentenceModel | None:
    """Set each sentence's `fact` (P it holds an asked-for fact); the model used (None: none fitted)."""
    model = model or load_model()
    if model is not None:
        for s, p in zip(scored, model.sentence.probabilities(sentence_signals(question, scored, idf))):
            s.fact = float(p)
    return model


def is_problem(text: str, flaws: bool = False) -> bool:
    """A sentence that states a limitation or gap, not what the paper does about it; `flaws`: also one
    that says so in the words of _FLAW ("… is suboptimal as a distance metric")."""
    cued = PROBLEM.search(text) or flaws and _FLAW.search(text)
    return bool(cued) and not CONTRIBUTION.search(text) and not _RESPONSE.search(text)


def _of_top_paper(scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The sentences of the paper the best sentence comes from, in `scored`'s order."""
    return [s for s in scored if s.source.n == scored[0].source.n]


def shape_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The sentences a question of a known shape needs and closeness misses: where a release is, what is
    wrong, what the paper is evaluated on (each empty for other questions)."""
    return (expansion_picks(question, scored) + origin_picks(question, scored) + finding_picks(question, scored) + release_picks(question, scored)
            + problem_picks(question, scored) + evaluation_picks(question, scored) + count_picks(question, scored)
            + how_many_picks(question, scored) + size_picks(question, scored) + structure_picks(question, scored)
            + model_picks(question, scored))


def how_many_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For each "how many …" a question asks, the top paper's closest sentence that counts that thing: "how many
    demonstrations and how many tasks?" is answered by "… a dataset of 137K instruction-following demonstrations
    for 54 tasks …", which closeness put below a sentence about the demonstrations' contexts (dev-56)."""
    picks: list[ScoredSentence] = []
    for heads in asked_counts(question) if scored else ():
        found = next((s for s in _of_top_paper(scored) if states_count(heads, s.text)), None)
        if found is not None and all(found is not p for p in picks):
            picks.append(found)
    return picks


# A question that asks how big something is: "how big were the Transformers they trained to check it?" (dev-99) is
# answered by "… large-scale experiments on Transformers up to 3.2B parameters …", which closeness ranked below the
# sentences about large-scale training in general. Not "how large language models …" (rag.evidence.HOW_LARGE).
ASKS_SIZE = re.compile(rf"\bhow (?:big|{HOW_LARGE})\b|\bwhat (?:\S+ ){{0,3}}?sizes?\b", re.I)
# ... and a sentence that gives a magnitude: "3.2B parameters", "1.1 billion SMILES", "137K demonstrations".
_MAGNITUDE = re.compile(r"\b\d[\d,.]*\s?(?:[KMBT]|thousand|million|billion|trillion)\b")


def size_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question how big something is (ASKS_SIZE), the top paper's closest sentence that gives a magnitude."""
    if not scored or not ASKS_SIZE.search(question):
        return []
    return [s for s in _of_top_paper(scored) if _MAGNITUDE.search(s.text)][:1]


# A question that asks what a study found: "What did the SOBert paper find about …?", "main findings of X".
ASKS_FINDING = re.compile(
    r"\bwhat (?:did|does|do|have|has) [^?]{1,120}? (?:find|found|show|conclude|discover|observe|reveal|learn)\b"
    r"|\b(?:findings?|conclusions?)\b|\b(?:main|key|headline) results?\b|\bwhat (?:are|were) (?:the|its|their) (?:\w+ )?results\b",
    re.I)
# A sentence that reports one: "Our results show that LLMs are surprisingly capable template selectors …",
# "… revealing that …", "Not only do our models consistently outperform all baselines, …".
FINDING = re.compile(
    r"\b(?:reveal\w*|shows?|showed|shown|showing|demonstrat\w*|find|finds|found|findings?|observ\w*|discover\w*|conclu\w*"
    r"|suggest\w*|indicat\w*|confirm\w*|surprising\w*|outperform\w*|particularly pronounced)\b", re.I)
FINDING_PICKS = 2


def finding_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question what a study found (ASKS_FINDING), the closest FINDING_PICKS sentences of the first
    retrieved paper that report a finding (past its first two sentences, not its "we propose …"):
    closeness quoted what the study explores and set up, and none of what it found."""
    if not scored or not ASKS_FINDING.search(question):
        return []
    # (of the first retrieved paper: "what does the paper on llms for health text classification … find" has
    # its closest sentence in another paper's "we present the first comprehensive evaluation of …")
    first = min(s.source.n for s in scored)
    return [s for s in scored if s.source.n == first and s.position >= 2 and FINDING.search(s.text) and not CONTRIBUTION.search(s.text)
            and not (is_problem(s.text) and not _WE.search(s.text))][:FINDING_PICKS]


_TOKEN_SPLIT = re.compile(r"[\s:,;/()\"“”?!]+")


def expansion_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question what an acronym stands for (rag.text.asked_acronyms), the best-ranked sentence that spells
    each one out ("Preferred Reporting Items for Systematic Reviews and Meta-Analyses (PRISMA)"): closeness
    quoted PRISMA-DFLLM's checklist sentence and not what PRISMA stands for."""
    picks: list[ScoredSentence] = []
    for acronym in asked_acronyms(question):
        pick = next((s for s in scored if expands(s.text, acronym)), None)
        if pick is not None and all(pick is not p for p in picks):
            picks.append(pick)
    return picks


# A question that asks which paper did something ("Which paper tested whether commercial fine-tuning APIs …?", "…
# which paper is that?"), not only who introduced a name: the answer names the paper's own contribution.
ASKS_WHICH_PAPER = re.compile(r"\b(?:which|what) (?:paper|study|article|publication)\b"
                              # ... or which system did it ("Which system co-serves LLM inference and fine-tuning …?",
                              # dev-84: quoted three sentences, not "we present FlexLLM, the first system that …"), not
                              # what system a paper uses ("what framework does X build on")
                              r"|\b(?:which|what) (?:system|framework|tool)\b(?!s)(?!\s+(?:does|do|did|is|was|are|were)\b)", re.I)
# Names so common they point to no paper's own sentence: a question's "LLM" picked "fine-tuning an LLM … destroys its
# in-context ability" over the sentence proposing the method it asked for (dev-84).
_KIND_TOKEN = re.compile(r"(?:M?LLM|VLM|MLM|LM|GPU|CPU|TPU|NLP|AI|ML|RL|QA)s?")


def origin_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question who introduced a name or what to cite for it (ASKS_ORIGIN), or which paper did something
    (ASKS_WHICH_PAPER), the sentence of the paper the best sentence comes from that introduces it ("In this paper,
    we propose FedLoGe, …"), else the first that writes the name, else its first "we propose …" sentence: the
    answer a citing reader wants first.
    Closeness quoted FedLoGe's background and analysis sentences and not the one that names it."""
    if not scored or not (ASKS_ORIGIN.search(question) or ASKS_WHICH_PAPER.search(question)):
        return []
    tokens = [t.strip(".'") for t in _TOKEN_SPLIT.split(question)]
    asked = {norm(t) for t in tokens if re.search(r"\d|.[A-Z]", t) and not _KIND_TOKEN.fullmatch(t)} | {norm(w) for w in capitalised_words(question)}
    asked -= {""}
    mine = sorted(_of_top_paper(scored), key=lambda s: s.position)

    def introduces(s: ScoredSentence) -> bool:
        return bool(CONTRIBUTION.search(s.text) or NAMING_CUES.search(s.text))

    named = [s for s in mine if asked & {norm(t) for t in _TOKEN_SPLIT.split(s.text)}]
    pick = next((s for s in named if introduces(s)), None) or next(iter(named), None) or next(filter(introduces, mine), None)
    # A question that describes the work instead of naming it ("which paper proposed an audio-language model that feeds
    # … a custom Q-Former …?") is answered by the sentence that introduces the paper's own name ("we propose GAMA, …"),
    # not by the one that writes a part the question named ("We build GAMA by integrating … Q-Former").
    own = own_name(mine[0].source.paper.title) if mine else None
    if own and norm(own) not in asked:
        says_own = re.compile(rf"(?<![\w-]){re.escape(own)}(?![\w-])", re.I)
        pick = next((s for s in mine if introduces(s) and says_own.search(s.text)), pick)
    if not pick:
        return []
    # ... and the sentence that introduces each other name asked that it leaves out ("Which paper produced BLOOMZ
    # and mT0 …, and released the xP3 dataset …?": "… finetuned variants called BLOOMZ and mT0", then "we introduce
    # xP3, …"; dev-57 quoted the first alone).
    picks = [pick]
    for key in sorted(asked - {norm(t) for t in _TOKEN_SPLIT.split(pick.text)}):
        extra = next((s for s in named if introduces(s) and key in {norm(t) for t in _TOKEN_SPLIT.split(s.text)}), None)
        if extra is not None and all(extra is not p for p in picks) and len(picks) < 3:
            picks.append(extra)
    return picks


def evaluation_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question what a paper is evaluated on (ASKS_EVALUATED_ON), the closest sentences of the paper
    the best sentence comes from that name what: a specific name the question does not have in a sentence
    about experiments or results ("… on GSM8K, CaseHOLD, SNIPS, TREC and SST-2"), or a list of tasks.
    Closeness quoted what LLM2LLM does and none of its five datasets."""
    if not scored or not ASKS_EVALUATED_ON.search(question):
        return []
    known = f"{question} {scored[0].source.paper.title}".casefold()  # names asked, and the paper's own (and "LLM")

    def named(s: ScoredSentence) -> int:
        return len({m for m in _NAME.findall(s.text) if m.casefold() not in known}) if EVALUATION.search(s.text) else 0

    mine = [s for s in _of_top_paper(scored) if named(s) or EVALUATION_LIST.search(s.text)]
    return sorted(mine, key=lambda s: -named(s))[:PROBLEM_PICKS]


# A model named as what a paper works with: "We utilize GPT-4V to generate image-contextual captions and OpenChat 3.5
# model to convert these captions into … Q&A pairs", "fine-tuned from LLaMA-2", "distilled from a GPT-4 teacher".
_USED_MODEL = re.compile(r"\b(?:us(?:e|es|ed|ing)|utili[sz]\w*|employ\w*|leverag\w*|adopt\w*|prompt\w*|query\w*|built (?:on|upon)"
                         r"|based on|(?:fine-?tuned?|initiali[sz]ed|distill\w*) (?:from|on))\s+(?:(?:the|a|an|both)\s+)?"
                         r"([A-Za-z]*[A-Z][\w.-]*\d[\w.-]*|[A-Za-z]*[A-Z][a-z]*[A-Z][\w.-]*)")


def model_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question which model a paper uses ("… and which models wrote the captions and the Q&A pairs?",
    rag.evidence.ASKS_WHICH_MODEL), the top paper's closest sentence that uses a model by name (one neither the
    question nor the paper's title has): closeness quoted VisCon-100K's sentences about its data and neither of the
    two models that made it (dev-58)."""
    if not scored or not ASKS_WHICH_MODEL.search(question):
        return []
    known = f"{question} {scored[0].source.paper.title}".casefold()
    mine = [s for s in _of_top_paper(scored) if any(m.casefold() not in known for m in _USED_MODEL.findall(s.text))]
    return mine[:1]


# A question that asks for a counted set: "What are the two adaptation options that CorDA offers?", "its three
# stages". The sentence that names the set by its count is the answer ("Our method enables two options, the
# knowledge-preserved adaptation and the instruction-previewed adaptation"), and the fact model, which favours
# method sentences, ranked it below the sentences about each option's details.
_COUNTS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_COUNTED = re.compile(rf"\b({'|'.join(_COUNTS)})\s+((?:[\w-]+\s+){{0,2}}?[a-z][\w-]*s)\b", re.I)


def count_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question about a counted set of the top paper's things ("its two modes", "the three stages"), the
    closest sentence of that paper that gives the same count next to one of the question's words for them."""
    m = _COUNTED.search(question)
    if not scored or not m:
        return []
    count = m.group(1).lower()
    words = {w.casefold().rstrip("s")[:5] for w in re.findall(r"[\w-]+", m.group(2)) if len(w) > 2}
    said = re.compile(rf"\b(?:{count}|{_COUNTS[count]})\s+((?:[\w-]+\s+){{0,2}}[\w-]+)", re.I)

    def names_set(text: str) -> bool:
        return any(w.casefold().rstrip("s")[:5] in words for hit in said.finditer(text) for w in re.findall(r"[\w-]+", hit.group(1)))

    return [s for s in _of_top_paper(scored) if names_set(s.text)][:1]


def release_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question whether a paper's code, data or model is out (ASKS_RELEASE), the sentences of the
    paper the best sentence comes from that say what is released or where ("Model available at https://…"):
    the answer, which closeness and the fact model ranked below what the paper does."""
    if not scored or not ASKS_RELEASE.search(question):
        return []
    return sorted((s for s in _of_top_paper(scored) if RELEASE_STATED.search(s.text)), key=lambda s: s.position)[:PROBLEM_PICKS]


def problem_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question that asks what is wrong or hard (ASKS_PROBLEM), the closest PROBLEM_PICKS problem
    statements of the paper the best sentence comes from, for the answer to start from: closeness
    alone quoted "To address these challenges, we propose PromptRE …" for "According to PromptRE, what
    makes … hard?", and the fact model ranks problem statements low (most questions ask what a paper
    does). Empty for other questions."""
    if not scored or not ASKS_PROBLEM.search(question):
        return []
    return [s for s in _of_top_paper(scored) if is_problem(s.text, flaws=True)][:PROBLEM_PICKS]


# A question how something works, what is new in it or what it is made of: "How does the visual reasoning approach
# work …?", "What's new about Dragonfly …?", "which parts of the agent does the language model provide?".
ASKS_STRUCTURE = re.compile(
    r"\bhow (?:does|do|did|would) [^?]{1,100}?\bwork\b|\bwhat(?:'s| is| are)? (?:new|novel|different)\b"
    r"|\b(?:what|which) (?:\w+ ){0,3}(?:parts|components|modules|stages|steps|strategies|pieces|building blocks|ingredients)\b"
    r"|\b(?:made|built|composed) (?:up )?(?:of|from)\b|\bmain idea\b", re.I)
# A sentence that lays out the method's parts by their number: "Dragonfly employs two key strategies: …", "our model
# consists of three unique stages, …", "it supports three key components of the autotelic architecture: 1) …".
_STRUCTURE = re.compile(
    r"\b(?:two|three|four|five|six|[2-6])\s+(?:[\w-]+\s+){0,2}?(?:components?|modules?|stages?|steps?|strategies|parts|phases"
    r"|innovations|elements|pillars|techniques|mechanisms|ingredients|designs|contributions)\b(?:\s+of\s+(?:[\w-]+\s+){0,4}?[\w-]+)?"
    r"\s*(?::|,|\(|-|–|—|namely|i\.e\.)", re.I)


def structure_picks(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """For a question how a method works or what it is made of (ASKS_STRUCTURE), the first sentence of the paper the
    best sentence comes from that lays out its parts by their number: it holds the answer's key terms, and the fact
    model, which scores each part's own sentence, ranked it below them (fresh batches: Dragonfly's "two key
    strategies: multi-resolution visual encoding and zoom-in patch selection" was not quoted)."""
    if not scored or not ASKS_STRUCTURE.search(question):
        return []
    return sorted((s for s in _of_top_paper(scored) if _STRUCTURE.search(s.text)), key=lambda s: s.position)[:1]
