"""The three jobs: ask (cited answer), lookup ("which paper proposed X?"), compare.

Every answer, whichever answerer wrote it, goes through the same citation handling:
markers renumbered to first use, unknown numbers dropped and recorded, each citing
sentence scored for support against the cited abstract. An LLM answer that fails the
check (or an LLM that fails) is replaced by the extractive answer, and the Answer says so.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from textwrap import shorten
from typing import Callable

from rag.cite import MARKER, StreamRenumberer, SupportChecker, renumber
from rag.compare import COMPARE_COLUMNS, NOT_STATED, compare_papers  # noqa: F401 (re-exported)
from rag.config import Settings
from rag.directives import split_instructions
from rag.errors import LLMError
from rag.evidence import (MAX_PAPERS, MENTIONED_ELSEWHERE, UNSTATED_PREMISE, UNUSED_TERM, Assessment,
                          EvidencePolicy, asking_sentences, beaten_against, measured_against)
from rag.authors import lists_papers_only
from rag.facets import papers_by_part
from rag.extractive import SentenceScorer, extractive_answer, question_parts, with_marker
from rag.message import MAX_MESSAGE_CHARS, set_aside, set_aside_names, split_questions
from rag.meta import NO_CITATION_COUNTS, asks_paper_count, citation_counts_asked, record_asked, record_note, surveys_first
from rag.llm import ABSTAIN_SENTENCE, SYSTEM_PROMPT, LeakGuard, build_messages, is_abstention, make_backend, prompt_leak, resolve_answerer
from rag.lookup import lookup_paper
from rag.ownership import owns
from rag.names import CORPUS_TERMS_VARIANT, capitalised_names, corpus_terms, is_known, mentions, norm, own_name, per_corpus, phrase_key, question_names, title_case_phrases, title_words, versioned_names
from rag.retrieve import Filters, HybridRetriever, check_query, put_first
from rag.rewrite import REWRITE_PROMPT, multi_query_search
from rag.sentence_rank import rank_by_facts, shape_picks
from rag.sentence_vectors import StoredSentenceVectors
from rag.spelling import Speller, typo_note
from rag.summary import COMPARES, asks_only_summary, asks_summary, is_keyword_query, summary_length, summary_sentences
from rag.text import CONTRIBUTION, POINTS_BACK, split_sentences
from rag.types import (
    Answer,
    Citation,
    Comparison,
    Hit,
    Lookup,
    Source,
)

log = logging.getLogger(__name__)

NOT_COVERED = ABSTAIN_SENTENCE  # one sentence for every abstention, the model's included (rag.llm)



_SEVERAL = re.compile(
    r"\b(papers|works|studies)\b|\bdiff(?:ers?|erences?)?\b|\bcompare (?:the|these|those|them)\b|\b(?:vs\.?|versus)\s"
    r"|\b(which|what|list|name)\s+(?:[\w-]+\s+){0,3}?(approaches|methods|techniques|systems|models|benchmarks|datasets"
    r"|frameworks|architectures|algorithms|agents|strategies|alternatives|options|variants|solutions|(?-i:[A-Z]{2,}s)"
    # (who did the work, for a reader counting it in people or money: "Which groups improved …?", "which grants …")
    r"|groups|teams|labs|projects|grants)\b"
    # ... as the subject asked about, not as the object of one paper: "which datasets was it tested on?", "which models
    # did they fine-tune?" ask about one (validation batches: 30 such questions were quoted one sentence per paper)
    r"(?!\s+(?:was|is|were|are|did|does|do|has|have)\s+(?:it|this|that|they|the (?:paper|work|study|method|model|approach|system"
    r"|framework|network|authors?)\b(?!s)))"
    # ... nor later in its clause: "There is a survey of …: what sort of frameworks that hook the model up to outside
    # systems does it examine, and which sectors …?" asks about one paper, and was quoted from four (dev-88)
    r"(?![^,;:?.!]{0,80}?\b(?:was|is|did|does|has)\s+(?:it|the (?:paper|survey|review|study)\b(?!s)))"
    # a request for the field's work on a topic: "the literature on", "research on", "what has been done on"
    # (not "In the work on multimodal LLMs for sequential recommendation, how are the images …?", one paper's, dev-96;
    # but "List / Show me / Summarize the work on …")
    r"|\bliterature\b|(?<!\bthe )\b(?:research|work)(?: here| in (?:this|the) (?:collection|corpus|index|library))? (?:on|in|into|about)\b"
    r"|\b(?:list|show|give|find|summari[sz]e)\s+(?:me\s+|us\s+)?the (?:research|work) (?:on|in|into|about)\b"
    # "How do researchers handle …?", "how do people deal with …": the field's ways, not one paper's
    r"|\bhow (?:do|did|have) (?:researchers|people|authors|others|existing (?:methods|approaches|works?))\b"
    # "How do the methods for distilling a multimodal LLM into a small one compare?": a kind of thing, plural
    r"|\bhow (?:do|did) (?:the|these|those|different|various|current|recent|other)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:approaches|methods|techniques|papers|works|studies|models|systems|frameworks|strategies)\b"
    r"|\bwhat (?:has|have) (?:\w+ )?been (?:done|proposed|tried|written|published)\b|\bcompare\s+(?!to\b|with\b)[\w-]+\s+(?:with|to|and|against)\b"
    # ... and in other words: "what work exists on", "everything on", "an overview of"; a keyword query
    # that ends in a kind of thing in the plural ("model merging methods")
    r"|\b(?:work|research) (?:\w+ ){0,2}(?:exists?|is there|has been done) (?:on|in|into|about|for)\b"
    # "Is there model-merging work that does not need …?", as "is there work on …": the field's (not "is there a paper")
    r"|\b(?:is|are) there (?:any )?(?:[\w-]+ )?(?:work|research) (?:that|which|where)\b"
    # "What has been built for finance, and how was each system evaluated?"
    r"|\beach (?:system|paper|study|work|project|group)\b"
    # "Have any of the newer sequence architectures in here been tested on time series?", "Any open models that …?":
    # a kind of thing in the plural that the sentence opens on asks which (dev-90 answered one of two papers). Not
    # "did they release any datasets?", of one paper.
    r"|(?:^|[.?!]\s+)\W*(?:(?:have|has|are|were|is|do|does|did)\s+)?any (?:of (?:the|these|those) )?(?:[\w-]+\s+){0,3}?"
    r"(?:architectures|approaches|methods|techniques|systems|models|benchmarks|datasets|frameworks|algorithms)\b"
    r"|\b(?:show|give|tell|find|list|want)\s+(?:me\s+|us\s+)?everything (?:\w+ ){0,2}(?:on|about)\b"
    # (not "the overview of how LLMs are used in medicine …: which concerns does it single out?", one survey, dev-97)
    r"|(?<!\bthe )(?<!\bthis )(?<!\bthat )\boverview of\b"
    r"|\bwhat (?:research|literature)\b|\bwhat(?:'s|s| is) out there\b"
    r"|\b(?:anyone|anybody|someone) (?:tackled|worked on|looked (?:at|into)|studied|tried)\b"
    r"|\b(?:is|are|has|have) (?:anyone|anybody|someone) (?:here |in (?:this|the) (?:collection|corpus|index|library) )?(?:been )?[\w-]+ing\b"
    # a request for reading: "What should I read on X?", "any pointers / references?", "what should I cite?"
    r"|\bwhat (?:should|could|can|do) (?:i|we) (?:read|cite)\b|\breading list\b|\brecommend\w*\b.{0,20}?\b(?:reading|papers|works)\b"
    r"|\bwhere (?:should|do|can) (?:i|we) start\b|\b(?:any|some) (?:good )?(?:pointers|references|reading)\b|\bworth (?:reading|citing)\b"
    # "Contrast A with B", "What separates A from B?" (not "in contrast to X", said of one paper)
    r"|(?<!\bin )\bcontrast\b(?! to\b)|\bwhat (?:separates|distinguishes)\b"
    r"|^(?!.*\b(?:how|what|which|why|where|when|who|does|do|is|are|can)\b)[^?]*\b(?:approaches|methods|techniques|models"
    r"|benchmarks|datasets|frameworks)\s*$",
    re.I,
)
PARTLY_COVERED = "The indexed abstracts only partly cover this; here is the closest evidence."
# Said with a refusal of a question in several parts: refused whole, its parts asked alone may each find
# their paper (dev-10 and dev-11 refused three answerable questions of this shape with the paper first).
SEVERAL_PARTS = "The question asks several things at once; asked one at a time, each part may find its paper."
ANSWERED_PART = "the indexed abstracts answer only part of the question"
_ASKS = re.compile(r"\b(?:what|which|how|why|when|where|who|whom|whose|is|are|was|were|does|do|did|can|could|has|have|had"
                   r"|explain|describe|compare|list|tell|give|summari[sz]e)\b", re.I)
# One-word names in more of the chunks than this share ("GPU" 3.1% of the seed chunks, "LoRA" 4.3%,
# "LLaMA" 5.1%, "LLM" 20%) are the field's vocabulary, not something a question asks beyond the
# paper it names; the benchmarks a question may ask about are rarer (ImageNet 1.7%, MMLU 1.0%,
# VQA 1.2%). Set by hand between the two.
COMMON_NAME_SHARE = 0.025
# A question's subject set before it: "gpipe: who proposed …?", "grpo - where does … come from?", two of them
# ("deepnorm / deepnet: how …"), one with a gloss ("transfusion (single transformer, …) - how did it scale …?");
# not a chat aside: "btw: …", "tldr - …".
_LABEL = re.compile(r"^\s*([a-z][\w.+-]*)(?:\s*/\s*([a-z][\w.+-]*))?\s*(?:\([^()\n]{1,200}\)\s*)?(?::|[-–]\s)")
_CHAT_LABELS = frozenset("btw fyi tldr eli5 imo imho nb ps re edit update context note aside".split())
# A question that describes its paper in words of its own (no name; the top paper holds under COVER_LEXICAL of its
# weighted words) is answered first from the one of the first COVER_CANDIDATES papers whose abstract covers its clauses
# best (SentenceScorer.clause_coverage), when that beats the top paper's coverage by over COVER_GAIN. Chosen on dev and
# the tuning batches (forty-third session, a probe over the 1,350 such questions: the first paper quoted turns gold 63
# times and stops being gold 21 times; out of fold by alternate batch, net +27 / +16 and +18 / +23; end to end,
# paraphrases cite a gold paper +31 / -20 and quote it first 206 -> 242 times of 782). COVER_LEXICAL 0.4
# did as well (65 / 22) but took "which paper introduced a way to build multimodal preference data …?", 0.37 of whose
# words its paper holds, away from it.
COVER_CANDIDATES = 5
COVER_GAIN = 0.03
COVER_LEXICAL = 0.3
FIRST_DEPTH = 20  # a named author's papers go first when they are among this many retrieved
# ("Which papers study …" is no "which … study": the words skipped are no kind of thing in the plural.)
# "What lines of work exist on …?", "the main strands of research on …": the field's work, not "what work".
_LINES_OF_WORK = re.compile(
    r"\b(?:lines?|strands?|threads?|directions?|bod(?:y|ies)) of (?:work|research)\b"
    # "What work looks at letting a transformer spend …?": "work" as the field's, with a verb of its subject
    r"|\bwhat (?:\w+ )?(?:work|research) (?:looks at|looks into|stud(?:y|ies)|explores?|examines?|investigates?|addresses|tackles"
    r"|appl(?:y|ies)|uses|brings|adapts|targets"
    r"|deals with|covers|focuses on|is about)\b", re.I)
_ONE = re.compile(r"^\W*(which|what|is there an?|name the)\s+(?:(?!(?:papers|works|studies|methods|approaches|systems|models"
                  r"|benchmarks|surveys|reviews|datasets|frameworks|tools)\b)\w+\s+){0,2}?"
                  r"(paper|study|work|method|approach|system|model|benchmark|survey|review|dataset|framework|tool)\b(?!s)"
                  r"(?!\s+(?:is there|exists?|has been done)\b)"  # "What work is there on …?" asks for the field's
                  r"(?!\s+(?:papers|articles|publications)\b)", re.I)  # "Which survey papers …?" asks for several (not "paper studies")
# ... and, after a colon or in a later sentence, "which paper / study": "I'd like to cite the right work in our docs: which
# paper introduced a way to build multimodal preference data …?" asks for one, and was answered from six papers
# (dev-76). (Not "what method …" there: after the context it may be the field's, and a fresh multi-paper question of
# dev-78 lost a paper when any such noun counted.) The word between is no plural of theirs: "… Which papers study why
# this happens?" and "Which works study this systematically?" ask for several, "study" a verb (dev: 2 such questions).
_ONE_LATER = re.compile(r"[.?!:]\s+\W*(?:which|what)\s+(?:(?!(?:papers|works|studies|articles|publications)\b)\w+\s+)?"
                        r"(?:paper|study|article|publication)\b(?!s)"
                        r"(?!\s+(?:papers|articles|publications)\b)", re.I)


# A question that asks for papers, studies or the field's work in so many words ("Which papers …", "Are there studies
# on …", "What work looks at …"): searched as a topic (Assistant.searched_as_topic). Not "which methods were
# compared" (one paper's), nor "which kind works better" ("works" a verb after another word).
_ASKS_FOR_PUBLICATIONS = re.compile(
    r"\b(?:which|what|any|list|find|name|other|are there)\s+(?:of\s+(?:the|these|those)\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:papers|studies|publications|articles)\b"
    r"|\b(?:which|what|any|other) works\b|^\W*(?:papers|works|studies)\b", re.I)


def asks_for_publications(question: str) -> bool:
    """Whether the question asks for papers, studies or the field's work in so many words (_ASKS_FOR_PUBLICATIONS)."""
    return bool(_ASKS_FOR_PUBLICATIONS.search(question) or _LINES_OF_WORK.search(question))


def is_multi_paper(question: str) -> bool:
    """A question about several papers ('which papers…', 'how do these methods differ',
    'compare the…', 'A vs B'), not one that asks for 'the paper that…'."""
    return bool(_LINES_OF_WORK.search(question)) or not (_ONE.search(question) or _ONE_LATER.search(question)) \
        and bool(_SEVERAL.search(question))


# A paper of the last answer by its place or its number: "the second one", "the first paper's results",
# "the latter", "[2]", "source 3".
_ORDINALS = {"first": 1, "1st": 1, "former": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "last": -1, "latter": -1}
_BY_PLACE = re.compile(
    r"\bthe\s+(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\s+(?:one|paper|method|approach|model|work|study|"
    r"source|citation|reference)s?\b|\bthe\s+(former|latter)\b|\[(\d)\]|\b(?:source|paper|citation|reference)\s+#?(\d)\b",
    re.I,
)


# A name in at most this many chunks is a paper's own ("UnIVAL", "PromptPG": 1-2 chunks of one abstract);
# one in more is shared vocabulary ("VLM"), whatever sentence happens to introduce it.
DISTINCTIVE_CHUNKS = 3
# ... and a name that is not one alphabetic word ("LMA3", "GLA-FR", "NF4": the lexical index holds its parts, not
# it) is a paper's own when at most this many abstracts or titles write it exactly so. Such names were never
# counted as any paper's own, so "What is NF4 and what does it achieve?" was `weak` though QLoRA's abstract brings
# NF4. On a probe of the 98 such names the seeds' abstracts bring ("How does X work?", "What is X and what does it
# achieve?"): `weak` 29 -> 7 of 196 answers, `strong` ones quoting the owner first 136 -> 153
# (eval/results/session48_name_probe.json). On dev and the tuning batches 12 answerable answers rise (10 `weak` ->
# `strong`, 2 refused -> `weak`), and so do 7 unanswerable ones (5 `none` -> `weak`: omitted details of such a named
# paper, now treated as those of a paper with an alphabetic name; 2 `weak` -> `strong`; validation_session48.json,
# tags s48start -> dist2). A bar of 1 paper instead of 2 lifts two answerable answers fewer (session48_dropped.json).
DISTINCTIVE_PAPERS = 2
# The most chunks read to find a title-case phrase whose words they all hold (a phrase of common words
# held by more is taken as indexed rather than read for: a question costs no pass over a large corpus).
PHRASE_CHUNKS_READ = 200
# A question that carries on from the last answer ("and how long does training take?", "what about
# its memory?") or asks about the papers just discussed together ("what numbers do the two report?").
_CARRIES_ON = re.compile(r"^\W*(?:and|also|what about|how about)\b", re.I)
# ... and "So …" ("So which kind came out on top for most tasks?" after an answer about a benchmark of backbones was
# searched anew and refused, dev-95), unless it asks for papers anew ("So are there papers on …?")
_SO = re.compile(r"^\W*so\b(?!\s+(?:far|much|many|that)\b)", re.I)
_TOGETHER = re.compile(r"\b(?:the (?:two|three)|both of them|each of them|either of them|both (?:papers|methods|models)"
                       r"|which one|which of (?:them|the two|the three|these|those|both))\b", re.I)  # "which one is quicker to train?"
# "the XL version", "the distilled variant": a version of the model just discussed.
_ITS_VERSION = re.compile(r"\bthe (?:[\w-]+ ){1,2}(?:version|versions|variant|variants)\b", re.I)
# "the dataset", "the tuned models": a thing of the paper just discussed, with nothing after it that says which ("what is
# the dataset called, and did the tuned models beat GPT-4 in-domain", after an answer on an e-commerce instruction
# dataset, was searched anew and refused: dev-118; not "the dataset of …", "the models that …").
_THE_ONES_SAID = re.compile(r"\bthe (?:[\w-]+ )?(?:dataset|datasets|benchmark|benchmarks|models|framework|system|pipeline|results)\b"
                            r"(?!\s+(?:of|for|on|in|from|that|which|who|where|with|by|to|used|trained|built|made|released)\b)", re.I)
FOLLOW_UP_WORDS = 14  # a follow-up is short; one that points at a source by place may run to twice this
# A longer question that asks for a paper anew ("And is there a model paper on LLM-based sequential
# recommendation that worries about inference cost?": its "that" points back at nothing).
_ASKS_ANEW = re.compile(r"^\W*(?:and\s+|also\s+|ok\w*\s+|so\s+)?(?:is there|are there|any\b|do you have|does the index have"
                        r"|which (?:other )?(?:papers?|works?|studies|methods)|what (?:other )?(?:papers?|works?|studies))", re.I)


def is_follow_up(question: str) -> bool:
    """Short questions that point back ('which datasets did they use?', 'and how fast is it?', 'what do
    the two report?'), and those that point at a source by place ('ok and the second one, can I convert
    an existing model or must I train from scratch?', 'what data does [3] use?')."""
    words = len(question.split())
    if _BY_PLACE.search(question):
        return words <= 2 * FOLLOW_UP_WORDS
    # "and"/"what about" carry on only without a name of their own: "What about Mamba?" asks anew.
    named = question_names(question) or any(w[:1].isupper() for w in question.split()[1:])
    carries_on = bool(_CARRIES_ON.search(question) or _SO.search(question) and not _ASKS_ANEW.search(question)) and not named
    return words <= FOLLOW_UP_WORDS and bool(POINTS_BACK.search(question) or carries_on or _TOGETHER.search(question))


# A follow-up about an earlier turn than the last: "For the earlier paper, …", "Returning to the one I
# asked about first: …", "back to my first question".
_EARLIER_TURN = re.compile(
    r"\b(?:the\s+)?(?:earlier|previous|original|first)\s+(?:paper|one|question|method|model|work)\b(?!\s+(?:of|in)\b)"
    r"|\bthe\s+(?:one|paper|method|model)\s+(?:i|we)\s+(?:first\s+)?asked\s+about\s+(?:first|earlier|before|at\s+first)\b"
    r"|\b(?:going\s+|coming\s+)?back\s+to\s+(?:my|the)\s+first\b|\breturning\s+to\s+(?:my|the)\s+first\b",
    re.I,
)


# The longest question read as a follow-up when it points back and names nothing new: "For the record, how many
# existing datasets and label descriptions did they gather for that purpose, and by how much did moving to a larger
# parameter count improve their AUC-ROC scores?" (30 words) was searched anew and refused (dev-62; on dev and the
# validation batches three follow-ups of 29-40 words gain, none loses).
LONG_FOLLOW_UP_WORDS = 3 * FOLLOW_UP_WORDS


def follows_up(question: str, history: list[Answer], common: Callable[[str], bool] = lambda name: False) -> bool:
    """is_follow_up, or a longer question (up to LONG_FOLLOW_UP_WORDS) that points back ("it", "they",
    "the two", "both of them") and names nothing the last answer's papers do not ("How much of a
    standard Transformer's quality does it recover, and which 7B model did they convert with it?"),
    or one that goes back to an earlier turn ("For the earlier paper, how many FLOPs does it save?").
    `common`: names so widely used they are the field's vocabulary, which point at no other paper ("What did they
    test it on, and how fast does it learn? Does it need GPUs?" was searched anew, among papers about GPUs)."""
    if is_follow_up(question):
        return True
    previous = next((a for a in reversed(history) if a.citations), None)
    if previous is None or len(question.split()) > LONG_FOLLOW_UP_WORDS:
        return False
    if len([a for a in history if a.citations]) >= 2 and _EARLIER_TURN.search(question):
        return True
    if not (POINTS_BACK.search(question) or _TOGETHER.search(question) or _ITS_VERSION.search(question)
            or _THE_ONES_SAID.search(question)) or _ASKS_ANEW.search(question):
        return False
    said = " ".join(f"{h.paper.title} {h.paper.abstract}" for h in previous.hits
                    if any(c.paper_id == h.paper.paper_id for c in previous.citations)).casefold()
    # Only the sentences that ask name what is asked: "What did they say about other languages and about image size?
    # Clients send us phone photos of lyric sheets in Spanish and Japanese." tells of the writer's setting after it
    # (dev-97: searched anew, for the names the earlier paper does not say).
    question = asking_sentences(question)
    # (a capital that opens a sentence is no name: "… or is it just a proposal? What benefits do they claim?")
    tokens = question.split()
    words = [w.strip("'’s.,?!:;()") for before, w in zip(tokens, tokens[1:]) if w[:1].isupper() and before[-1:] not in ".?!:;"]
    def known(word: str) -> bool:  # said by those papers, or the field's word ("GPUs")
        return word.casefold() in said or common(word) or (word.endswith("s") and common(word[:-1]))

    return all(known(name) for name, _ in question_names(question)) and all(known(w) for w in words if w)


def discussed(question: str, history: list[Answer]) -> list:
    """The citations a follow-up is about: of the last answer that cites anything (of the first, when
    the question goes back to an earlier turn), the ones the question points at by place or number,
    else all of them."""
    answered = [a for a in history if a.citations]
    if not answered:
        return []
    previous = answered[0] if len(answered) >= 2 and _EARLIER_TURN.search(question) else answered[-1]
    chosen = pointed_at(question, previous.citations)
    if not chosen and _BY_PLACE.search(question):
        # "the second one" past the last answer's papers ("I'm looking at HEMM and ChEF" … "What three
        # dimensions does HEMM use?" … "And how is the second one structured?"): the latest answer that
        # cites that many, else the conversation's papers in the order they were first cited.
        chosen = next((found for a in reversed(answered) if (found := pointed_at(question, a.citations))), [])
        if not chosen:
            first_cited: dict[str, object] = {}
            for a in answered:
                for c in a.citations:
                    first_cited.setdefault(c.paper_id, c)
            chosen = pointed_at(question, tuple(first_cited.values()))
    return chosen or list(previous.citations)


# A part that asks for a specific detail: which model, dataset or setting ("which LLM is its language backbone"), how many
# or how much ("how long does it take to fix one bug"), what figure ("what accuracy did it reach …"), or who. Not "which
# one(s)", which chooses among papers, nor "what is / what did …", which asks for an account.
_ASKS_DETAIL = re.compile(
    r"(?:^|[:,;\-–—]\s*)\W*(?:(?:and|so|also|but|then)\s+)?(?:(?:on|in|with|from|for|at|to|by)\s+)?"
    r"(?:(?:which|what)\s+(?!(?:is|are|was|were|does|do|did|'s|’s|has|have|happens?|gets?|goes|makes?|they|it|its|their|one|ones"
    r"|the\s+(?:paper|authors?|idea|approach|method|main))\b)[\w-]+|how\s+(?:many|much|long|big|large|fast|old)\b|by\s+how\s+much|who\b)",
    re.I)
# Where a part's last sentence starts, in lower case too ("… than labelled clips. for T2Vid"), not after "e.g.", "vs." or "al.".
_LAST_SENTENCE = re.compile(r"(?<!e\.g)(?<!i\.e)(?<!\bvs)(?<!\bal)[.!?]\s+")
# A part of a question that points back at the paper the question names: "where does its training data come from",
# "how many datasets make up the authors' benchmark". (Narrower than rag.text.POINTS_BACK: "that" in "how much does
# that help at two bits?" points at a method, and read as pointing back it kept the LoftQ question `weak`, dev-88.)
_POINTS_AT_PAPER = re.compile(r"\b(?:it|its|they|their|them|(?:the|this) (?:authors?|paper|study|work)(?:['’]s?)?)(?!\w)", re.I)


def _without_titles(text: str, hits: list[Hit]) -> str:
    """The text without the retrieved papers' titles it writes out (whole, or after the colon): "in Instruction Tuned
    Models are Quick Learners" asks nothing, its "are" is the title's (dev-117: the scene and the title were kept as
    the part answered, and a question on the paper's learning rate and epochs, refused by the settings rule, was `weak`)."""
    for hit in hits:
        for title in {hit.paper.title, hit.paper.title.split(":", 1)[-1].strip()}:
            if len(title.split()) >= 3:
                text = re.sub(re.escape(title), " ", text, flags=re.I)
    return text


def pointed_at(question: str, citations: tuple) -> list:
    """The citations of the last answer a question points at by place or number ("the second one",
    "[2]", "the latter"); empty when it points at none of them (then it is about all of them)."""
    chosen = []
    for m in _BY_PLACE.finditer(question):
        word, number = (m.group(1) or m.group(2) or "").casefold(), m.group(3) or m.group(4)
        place = int(number) if number else _ORDINALS[word]
        index = len(citations) - 1 if place == -1 else place - 1
        if 0 <= index < len(citations) and citations[index] not in chosen:
            chosen.append(citations[index])
    return chosen


# The `weak` reasons (rag.evidence) said to the reader before the closest sentences. (The rules that find the corpus
# lacking the answer refuse instead: their reason is in the refusal.)
_SAID_BEFORE_CLOSEST = (UNSTATED_PREMISE, MENTIONED_ELSEWHERE, UNUSED_TERM)


def _sentences_by_paper(texts: list[str]) -> list[tuple[str, list[str]]]:
    """(paper id, its abstract's sentences of 8+ words, folded) from "id\0abstract" texts."""
    from rag.paste import folded_sentence

    out = []
    for text in texts:
        pid, _, abstract = text.partition("\0")
        out.append((pid, [folded_sentence(s) for s in split_sentences(abstract) if len(s.split()) >= 8]))
    return out


class Assistant:
    """Answers over one retriever. Holds no per-conversation state: pass `history`."""

    def __init__(self, retriever: HybridRetriever, settings: Settings):
        self.retriever = retriever
        self.settings = settings
        self.embedder = retriever.embedder
        self.scorer = SentenceScorer(self.embedder, retriever.index.lexical, stored=StoredSentenceVectors(
            retriever.index.settings.data_dir / "embeddings.sqlite", self.embedder.id, self.embedder.dimension))
        self.checker = SupportChecker(self.embedder)
        self.speller = Speller(retriever.index.papers.texts, getattr(self.embedder, "whole_words", set),
                               store=getattr(retriever.index, "tables_dir", None),
                               names=lambda: self.retriever.name_casing, terms=lambda: self.terms)
        self._backends: dict[str, object] = {}
        self._terms: set[str] | None = None
        self._title_counts: dict[str, int] | None = None
        self.policy = EvidencePolicy(lambda: self.terms, lambda: self.title_counts, common=self.is_common_name,
                                     unindexed_phrases=self.unindexed_phrases, unindexed_words=self.unindexed_words,
                                     casing=lambda: self.retriever.name_casing, listed=self.retriever.listed_owners,
                                     distinctive=self.is_distinctive_name, unheard=self.speller.unheard, kind=self.is_kind_name)

    @property
    def terms(self) -> set[str]:
        if self._terms is None:
            self._terms = per_corpus("terms", self.retriever.index.papers.texts(), corpus_terms, variant=CORPUS_TERMS_VARIANT,
                                     store=getattr(self.retriever.index, "tables_dir", None), encode=sorted, decode=set)
        return self._terms

    def is_indexed_phrase(self, phrase: str) -> bool:
        """Whether some indexed chunk (title + text) holds the phrase ("Tree of Thoughts"), case,
        hyphens and a plural aside."""
        phrase = re.sub(r"['’]s$", "", phrase)  # "Zoom Eye's"
        key = phrase_key(phrase)
        chunks = self.retriever.index.chunks
        holding = self.retriever.index.lexical.chunks_with_all(phrase)
        if len(holding) > PHRASE_CHUNKS_READ:
            return True  # words that common together: never said to be missing
        if any(key in phrase_key(chunks[c].embed_text) for c in holding):
            return True
        # ... or written as one word ("Stack Overflow": the abstract has "StackOverflow (SO)", and "cf. the Stack
        # Overflow paper" was refused as "No indexed abstract mentions … Stack Overflow")
        if len(key.split()) <= 3 and norm(phrase) in self.terms:
            return True
        # ... or with a hyphenated word written as one ("Circuit Component Re-use Across Tasks": the title has "Reuse")
        joined = phrase_key(re.sub(r"(?<=\w)-(?=\w)", "", phrase))
        return joined != key and any(joined in phrase_key(chunks[c].embed_text)
                                     for c in self.retriever.index.lexical.chunks_with_all(joined))

    def unindexed_phrases(self, question: str) -> list[str]:
        """The question's title-case names of several words that no indexed chunk holds (none for a
        question in another language, whose nouns may be capitalised: "Welches Paper …")."""
        phrases = [p for p in title_case_phrases(question)
                   if not self.retriever.authors.is_family_name(p.split()[-1])]  # ("Marco Pavone": an indexed author)
        phrases += versioned_names(question)  # ... and versions ("Octopus v5")
        if not phrases or self.speller.foreign(question):
            return []
        return [p for p in phrases if not self.is_indexed_phrase(p)]

    def unindexed_words(self, question: str) -> list[tuple[str, str]]:
        """The question's names written with one leading capital that neither the corpus nor the
        embedder's vocabulary holds ("Which paper proposed the Chinchilla rule?"); none for a question
        in another language, whose nouns may be capitalised."""
        found = [(name, key) for name, key in capitalised_names(question, self.speller.ordinary)
                 if not self.retriever.authors.is_family_name(name)]  # "Kasner": an indexed author, no method
        label = _LABEL.match(question)
        for word in label.groups() if label else ():
            # "gpipe: who proposed micro-batch pipeline parallelism …?": a lower-case word set before the question
            # as its subject is a name, and one neither the corpus nor the vocabulary knows is not indexed
            if word and len(key := norm(word)) >= 3 and key not in _CHAT_LABELS and not is_known(key, self.terms) \
                    and not self.speller.ordinary(word.casefold()):
                found.append((word, key))
        return [] if found and self.speller.foreign(question) else found

    def is_distinctive_name(self, name: str) -> bool:
        """A one-word name in at most DISTINCTIVE_CHUNKS indexed chunks, or another name in at most
        DISTINCTIVE_PAPERS indexed papers: one paper's, not the field's."""
        counts = self.retriever.index.lexical.chunks_holding(name)
        if counts is None:
            return 0 < len(self.retriever.papers_naming(name)) <= DISTINCTIVE_PAPERS
        return 0 < counts[0] <= DISTINCTIVE_CHUNKS

    def is_kind_name(self, name: str) -> bool:
        """A name the abstracts also write in the plural, in at least a quarter as many papers ("LLMs", "MLLMs", "GPUs",
        "Transformers"): a kind of thing, which no paper introduced; a method's name seldom is ("LoRAs": 1 paper of 25)."""
        plural = len(self.retriever.papers_naming(f"{name}s"))
        return plural >= 2 and 4 * plural >= len(self.retriever.papers_naming(name))

    def is_common_name(self, name: str) -> bool:
        """A one-word name in over COMMON_NAME_SHARE of the indexed chunks: the field's vocabulary."""
        counts = self.retriever.index.lexical.chunks_holding(name)
        return counts is not None and counts[0] > COMMON_NAME_SHARE * counts[1]

    @property
    def title_counts(self) -> dict[str, int]:
        """How many indexed titles contain each title word (a name in one or two is distinctive)."""
        if self._title_counts is None:
            counts: dict[str, int] = {}
            for paper in self.retriever.index.papers.briefs():
                for word in title_words(paper.title):
                    counts[word] = counts.get(word, 0) + 1
            self._title_counts = counts
        return self._title_counts

    # ------------------------------------------------------------ shared steps

    def backend(self, name: str):
        """The LLM backend for `name` ('openai' or 'local'), created once and reused."""
        return self._backend(name)

    def _backend(self, name: str):
        if name not in self._backends:
            self._backends[name] = make_backend(self.settings, name)
        return self._backends[name]

    def assess(self, question: str, hits: list[Hit]) -> Assessment:
        """The evidence level for a question and its hits (rag.evidence), scoring the top papers' sentences."""
        sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
        return self.policy.assess(question, hits, self.scorer.score(question, sources) if sources else [])

    def _asked_alone(self, question: str, hits: list[Hit], k: int, filters: Filters | None, several: bool) -> Assessment | None:
        """The assessment of the sentences that ask, searched alone, when it is not `none` and the question also has
        statements that set the scene ("Our analytics box has modest GPU memory, so re-stowing the whole hold every
        time we fine-tune is out. In Ladder Side-Tuning, what exactly is the side network …?", refused at P 0.22): the
        scene's words, in no abstract, pulled the whole question's closeness down though what it asks is answered.
        The caller lifts a `weak` the model gave to `strong` (not to `weak`), and a `none` it gave to what this says.
        Only when the sentences alone find the same first paper as the whole (or the question asks for several
        papers): a paper described in everyday words, found first by the asking sentences alone but not by the
        whole, was the wrong one 8 times in 12 on dev and the batches, where the same first paper was right 20 in 21.
        (Dev and the tuning batches, forty-fourth session: answerable weak -> strong 43, 36 citing a gold paper, and
        none -> weak or strong 12; unanswerable weak -> strong 3, none -> weak 4, none -> strong 1.)"""
        asked = asking_sentences(question)
        if asked == question or not asked.strip() or not hits:
            return None
        alone = self.retriever.search(asked, k=k, filters=filters)
        if not alone or (alone[0].paper.paper_id != hits[0].paper.paper_id and not several):
            return None
        assessment = self.assess(asked, alone)
        return assessment if assessment.level != "none" else None

    def _rewrites_enabled(self, name: str) -> bool:
        return self.settings.query_rewrite == "on" and name != "extractive"

    def asks_several(self, question: str) -> bool:
        """Whether the question asks about several papers (answered one sentence per relevant paper). A title
        written out is one paper however it ends ("… Multi-modal Large Language Models")."""
        return is_multi_paper(question) and len(self.retriever.titles_written_in(question)) != 1

    def searched_as_topic(self, question: str) -> bool:
        """Whether the question is searched as a topic (HybridRetriever.search, TOPIC_LEXICAL_FLOOR): it asks about
        several papers and for papers in so many words ("Which papers …", "Are there studies on …"). Not every
        question about several papers: "What did the X paper find about A versus B?" is one too, and so is "Which
        alignment methods were compared …?"; a wider search gave their single-paper answers a second paper in place
        of their facts."""
        return self.asks_several(question) and asks_for_publications(question)

    def _retrieve(
        self, question: str, k: int, filters: Filters | None, history: list[Answer] | None, backend=None,
        first: frozenset[str] = frozenset(), topic: bool = False,
    ) -> tuple[list[Hit], str | None, list[str]]:
        """Hits for the question, the follow-up rewrite if any, and the LLM's search rewrites
        if `backend` is given (see rag.rewrite). A follow-up is searched among the previous
        answer's papers first; `first` papers go ahead of the rest of the top FIRST_DEPTH.
        `topic`: a question about several papers (HybridRetriever.search)."""
        if first:
            hits = self.retriever.search(question, k=max(k, FIRST_DEPTH), filters=filters, topic=topic)
            return put_first(hits, lambda h: h.paper.paper_id in first, k), None, []
        if history and follows_up(question, history, common=self.is_common_name):
            about = discussed(question, history)
            if about:
                titles = [c.title for c in about]
                rewritten = f"{question} (about: {'; '.join(titles)})"
                hits = self.retriever.search(rewritten, k=max(k, len(titles)), filters=filters)
                cited = {c.paper_id for c in about}
                # The papers under discussion first, in their retrieval order, then the rest.
                return put_first(hits, lambda h: h.paper.paper_id in cited, k), rewritten, []
        if backend is not None:
            hits, searched = multi_query_search(
                lambda q, n: self.retriever.search(q, k=n, filters=filters, topic=topic), backend, question, k, self.settings.rrf_k
            )
            return hits, None, searched
        return surveys_first(question, self.retriever.search(question, k=k, filters=filters, topic=topic)), None, []

    def _only_whole_answered(self, question: str, without: str, filters: Filters | None) -> bool:
        """Whether the abstracts answer a question only as written, not without what it rules out: "Which papers use
        LLMs as helpers for teaching robots manipulation skills (…), as opposed to making the foundation model the
        policy itself?" found its three papers first either way, but without the clause it was refused (dev-69)."""
        reduced = self.retriever.search(without, k=self.settings.answer_sources, filters=filters)
        if self.assess(without, reduced).level != "none":
            return False
        whole = self.retriever.search(question, k=self.settings.answer_sources, filters=filters)
        return self.assess(question, whole).level != "none"

    @staticmethod
    def _with_refused_question(question: str, history: list[Answer] | None) -> str | None:
        """A follow-up that points back ("of the three routes they compared, which came out best?") in a conversation
        whose answers all abstained, joined to the last question; None otherwise. Such a follow-up has no cited paper
        to be about (discussed), and alone it names nothing to search for."""
        if not history or any(a.citations for a in history) or not history[-1].abstained:
            return None
        if not (is_follow_up(question) or (POINTS_BACK.search(question) and len(question.split()) <= 2 * FOLLOW_UP_WORDS
                                           and not _ASKS_ANEW.search(question))):
            return None
        joined = f"{history[-1].searched_question or history[-1].question} {question}"
        return joined if len(joined) <= MAX_MESSAGE_CHARS else None

    def _quoted_paper(self, pasted: str):
        """The one indexed paper whose abstract the paste quotes (QUOTED_SENTENCES whole sentences of it,
        word for word), or None: none, or several."""
        from rag.paste import QUOTED_SENTENCES, quoted_counts

        texts = (f"{pid}\0{abstract}" for pid, _title, abstract in self.retriever.index.papers.titles_and_abstracts())
        counts = quoted_counts(pasted, per_corpus("abstract_sentences", texts, _sentences_by_paper))
        quoted = [pid for pid, n in counts.items() if n >= QUOTED_SENTENCES]
        return self.retriever.index.papers[quoted[0]] if len(quoted) == 1 else None

    # ------------------------------------------------------------ ask

    def ask(
        self,
        question: str,
        answerer: str | None = None,
        filters: Filters | None = None,
        history: list[Answer] | None = None,
        on_delta: Callable[[str], None] | None = None,
        k: int | None = None,
        first: frozenset[str] = frozenset(),
    ) -> Answer:
        """A short answer whose every claim cites a retrieved paper, or an abstention.
        `first`: paper ids to put ahead of the others retrieved (a named author's papers)."""
        from rag.paste import POINTS_AT_PASTE, find_question
        from rag.reference import find_reference

        pasted, question = question, check_query(question)
        if (found := find_question(pasted)).differs:  # a long paste: answer the question found in it
            searched, quoted = found.question, None
            if POINTS_AT_PASTE.search(found.question) and (quoted := self._quoted_paper(pasted)) is not None:
                # "<an abstract> Which paper is this from, and …?": "this" is the paper the paste quotes
                searched = f"{found.question} (about: {quoted.title})"
            answer = self.ask(searched, answerer=answerer, filters=filters, history=history, on_delta=on_delta, k=k,
                              first=frozenset({quoted.paper_id}) if quoted else frozenset())
            notes = (f"The paste quotes the abstract of “{quoted.title}”: “this” was read as that paper.", *answer.notes) if quoted else answer.notes
            return answer.model_copy(update={"question": question, "searched_question": searched, "notes": notes})
        if (reference := find_reference(pasted if isinstance(pasted, str) else question)) is not None:
            # "[7] N. Srivastava, …, "Dropout: …," JMLR, 2014. What does [7] recommend …?": asked about its title
            return self._about_reference(question, reference, answerer, filters, history, on_delta, k)
        read, typos = self.speller.correct(question)
        if typos:  # "dense retreival": searched and answered as "dense retrieval", and said so
            answer = self.ask(read, answerer=answerer, filters=filters, history=history, on_delta=on_delta, k=k, first=first)
            note = typo_note(typos)
            return answer.model_copy(update={"question": question, "searched_question": answer.searched_question or read,
                                             "notes": (note, *answer.notes)})
        name = resolve_answerer(self.settings, answerer)
        if name != "extractive":
            self._backend(name)  # a missing key or model file is an error for every question
        if (split := split_instructions(question)).instructions:  # "Ignore previous instructions and ..."
            note = "Set aside instructions addressed to the assistant (it takes none from questions or documents): " + "; ".join(
                f"“{shorten(i, 80, placeholder='…')}”" for i in split.instructions[:3])
            if split.only_instructions:
                reason = "the question only gives the assistant instructions; ask about the papers instead"
                answer = self._abstain(question, name, [], {}, None, on_delta, reason=reason,
                                       assessment=Assessment("none", 0.0, {}, reason=reason))
                return answer.model_copy(update={"notes": (note,)})
            answer = self.ask(split.question, answerer=answerer, filters=filters, history=history, on_delta=on_delta, k=k)
            return answer.model_copy(update={"question": question, "searched_question": split.question,
                                             "notes": (*answer.notes, note)})
        if (aside := set_aside(question)) is not None and not (aside.ruled_out and self._only_whole_answered(question, aside.question, filters)):
            # "Apart from mixture-of-depths token skipping, which I know already, which works …?": searched whole, the
            # papers on what is set aside came first. Searched without it, and said so.
            # A question about several papers leaves out those whose titles name what it sets aside: their abstracts
            # are about it, and one could still clear the list's bar (p-MoD, "Building Mixture-of-Depths MLLMs").
            named = set_aside_names(aside.what) if self.asks_several(aside.question) else ()
            scoped = replace(filters or Filters(), title_excludes=(*(filters.title_excludes if filters else ()), *named)) if named else filters
            answer = self.ask(aside.question, answerer=answerer, filters=scoped, history=history, on_delta=on_delta, k=k,
                              first=first)
            note = (f"Searched without “{shorten(aside.what, 60, placeholder='…')}”, which the question sets aside"
                    f"{', and left out the papers whose titles name it' if named else ''}.")
            return answer.model_copy(update={"question": question, "searched_question": answer.searched_question or aside.question,
                                             "notes": (*answer.notes, note)})
        if (joined := self._with_refused_question(question, history)) is not None:
            # "we might launch in Rwanda … anything on getting an English-heavy 7B model to do NER in Kinyarwanda?"
            # refused, then "of the three routes they compared, which came out best?": "they" are the authors of what
            # the refused question described. Read with it (alone, the follow-up found other papers' abstracts).
            answer = self.ask(joined, answerer=answerer, filters=filters, on_delta=on_delta, k=k, first=first)
            note = "Read together with the previous question, which no indexed abstract had clearly answered."
            return answer.model_copy(update={"question": question, "searched_question": joined, "notes": (*answer.notes, note)})
        if (asked := split_questions(question)).parts and self._about_different_papers(asked, filters):
            # "Two quick ones: how long does BootPIG take to train, and how does GIST …?": each on its own
            return self._ask_each(question, asked.parts, answerer, filters, history, on_delta, k)
        if asks_paper_count(question):  # "How many papers are indexed?": the index knows, no abstract does
            count = len(self.retriever.allowed_papers(filters) or ()) if filters and filters.active() else len(self.retriever.index.papers)
            text = f"The index holds {count} paper{'s' * (count != 1)}{' matching the filters' if filters and filters.active() else ''}; `rag papers` lists them."
            if on_delta:
                on_delta(text)
            return Answer(question=question, text=text, answerer="extractive", evidence="strong", evidence_probability=1.0)
        cites_asked, rest = citation_counts_asked(question)
        if cites_asked:  # "Which paper has the most citations?": no abstract holds a citation count
            if lists_papers_only(rest):
                return self._abstain(question, name, [], {}, None, on_delta, reason=NO_CITATION_COUNTS,
                                     assessment=Assessment("none", 0.0, {}, reason=NO_CITATION_COUNTS))
            answer = self.ask(rest, answerer=answerer, filters=filters, history=history, on_delta=on_delta, k=k, first=first)
            note = "The indexed abstracts carry no citation counts: this answers the rest of the question, unranked by citations."
            return answer.model_copy(update={"question": question, "searched_question": rest, "notes": (*answer.notes, note)})
        if not first and not (filters and filters.authors) and (mention := self.retriever.authors.find(question)):
            # "Which paper by Peng Gao …": an author's name is in no abstract, so it is searched
            # without it, that author's papers first; "Which papers did Peng Gao write?" lists them.
            scoped = replace(filters or Filters(), authors=(mention.name,))
            # (the author's own papers unless other filters narrow them: no pass over every paper)
            count = len(self.retriever.allowed_papers(scoped) or ()) if filters and filters.active() else len(mention.paper_ids)
            if lists_papers_only(mention.question):
                answer = self._author_papers(question, scoped, name, on_delta)
                note = (f"Listed the indexed papers by {mention.name} ({count})." if count <= MAX_PAPERS else
                        f"Listed {MAX_PAPERS} of the {count} indexed papers by {mention.name}; `rag search --author` lists them all.")
            elif self._author_answers(mention.question, scoped):
                # "What did Gao et al. (2024) propose for multimodal LLMs?" asks about that author's work:
                # answered from it alone (put first among all papers, another paper was quoted beside it).
                answer = self.ask(mention.question, answerer=answerer, filters=scoped, history=history, on_delta=on_delta, k=k)
                note = f"Answered from the indexed papers by {mention.name} ({count})."
            else:
                answer = self.ask(mention.question, answerer=answerer, filters=filters, history=history, on_delta=on_delta,
                                  k=k, first=mention.paper_ids)
                found = sum(1 for h in answer.hits if h.paper.paper_id in mention.paper_ids)
                note = (f"Put the papers by {mention.name} first ({found} of the {count} indexed {'is' if found == 1 else 'are'} among those found for the question)."
                        if found else f"None of the {count} indexed papers by {mention.name} is among those found for the question; "
                        "answered from all papers.")
            return answer.model_copy(update={"question": question, "searched_question": mention.question,
                                             "notes": (*answer.notes, note)})
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        rewriter = self._backend(name) if self._rewrites_enabled(name) else None
        several = self.asks_several(question)
        k = k or (max(self.settings.answer_sources, MAX_PAPERS) if several else self.settings.answer_sources)
        hits, rewritten, searched = self._retrieve(question, k, filters, history, rewriter, first,
                                                   topic=several and asks_for_publications(question))
        # "chatbots" was searched as "large language models" (HybridRetriever.search): said, not hidden
        searched_as = self.retriever.field_terms_note(question)
        timings["retrieve_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
        focus = sources
        if rewritten and history:
            # A follow-up is about the papers of the previous answer (or the one it points at): quote those.
            about = {c.paper_id for c in discussed(question, history)}
            focus = [s for s in sources if s.paper.paper_id in about] or sources
        # One sentence scoring serves the evidence decision and the extractive answer.
        scored = self.scorer.score(question, focus)
        if rewritten:  # about papers already under discussion: only an empty result abstains
            assessment = Assessment("strong" if hits else "none", 1.0 if hits else 0.0, {}, reason=None if hits else "no papers match")
        else:
            assessment = self.policy.assess(question, hits, scored, several=several)
            if assessment.by_model and assessment.level != "strong" and (asked := self._asked_alone(question, hits, k, filters, several)) \
                    and (asked.level == "strong" or assessment.level == "none"):
                assessment = replace(assessment, level=asked.level, probability=asked.probability, reason=asked.reason)
        summarised = [] if rewritten else self._summarised(question, hits)
        if summarised and assessment.level != "strong":  # a paper's abstract is its summary
            assessment = replace(assessment, level="strong", reason=None)
        if not summarised and not several and assessment.level == "strong" and is_keyword_query(question):
            # "apr donor code mask prediction": about the one paper that is relevant, if only one is
            relevant = self.policy.relevant_hits(question, hits, scored, max_papers=2)
            summarised = [relevant[0].paper.paper_id] if len(relevant) == 1 else []
        if assessment.level == "none" and not rewritten and (part := self._answered_part(question, hits, focus)):
            # "What is Ask-to-Choose and how much does it help LLMs?": the whole is less close to any abstract
            # than its first part, which the named paper answers; the answer covers what it can, as `weak`.
            # (what the rest lacks, when a rule found it: "the abstract of “VML” names no model it uses")
            lacking = f"; {assessment.reason}" if assessment.reason and assessment.reason.startswith("the abstract of") else ""
            assessment = replace(assessment, level="weak", reason=f"{ANSWERED_PART} (“{part}”){lacking}")
        timings["assess_ms"] = round((time.perf_counter() - t0) * 1000 - timings["retrieve_ms"], 1)
        if assessment.level == "none":
            answer = self._abstain(question, name, hits, timings, rewritten, on_delta, reason=assessment.reason, assessment=assessment)
            if len(question_parts(question)) > 1:  # a whole question is less close to any abstract than its parts
                answer = answer.model_copy(update={"notes": (*answer.notes, SEVERAL_PARTS)})
            return answer.model_copy(update={"notes": (searched_as, *answer.notes)}) if searched_as else answer

        preface = self._preface(assessment, hits)
        if preface and on_delta:
            on_delta(preface + "\n\n")
        notes: list[str] = [f"Also searched for: {'; '.join(searched)}."] if searched else []
        if notes and prompt_leak(notes[0], (SYSTEM_PROMPT, REWRITE_PROMPT)):  # the rewrites are model output too
            notes = [f"Also searched for {len(searched)} rewrite(s) of the question (not shown: they repeated the model's instructions)."]
        notes = [searched_as, *notes] if searched_as else notes
        model = None
        text = None
        dropped: list[int] = []
        if name != "extractive":
            t1 = time.perf_counter()
            try:
                backend = self._backend(name)
                model = backend.model
                streamed: list[str] = []
                text, mapping, dropped = self._generate(
                    backend, question, sources, (lambda d: (streamed.append(d), on_delta(d))) if on_delta else streamed.append
                )
            except LLMError as exc:
                hint = f"; {exc.hint}" if exc.hint else ""
                notes.append(f"The {name} answerer failed ({exc.message}{hint}); this answer is extractive.")
                if on_delta:  # a streaming reader learns why the answer that follows is extractive
                    on_delta(f"\n\n[{notes[-1]}]\n\n")
                text = None
            timings["llm_ms"] = round((time.perf_counter() - t1) * 1000, 1)
            if text is not None and is_abstention(text):
                return self._abstain(question, name, hits, timings, rewritten, on_delta, model=model, by_model=True,
                                    assessment=assessment, preface=preface)

        t2 = time.perf_counter()
        used = {s.n: s for s in sources}
        if text is not None:
            numbered = {n: Source(n=n, paper=used[old].paper, score=used[old].score) for old, n in mapping.items()}
            citations, uncited = self.checker.check(text, numbered)
            unsupported = [c for c in citations if not c.supported]
            if not citations or len(unsupported) * 2 > len(citations):
                why = "cited no source" if not citations else f"{len(unsupported)} of {len(citations)} citations were not supported by the cited abstracts"
                notes.append(f"The {name} answer failed the citation check ({why}); this answer is extractive.")
                if on_delta:
                    on_delta(f"\n\n[{notes[-1]}]\n\n")
                text = None
            else:
                for c in unsupported:
                    notes.append(f"Citation [{c.n}] is not clearly supported by “{c.title}” (support {c.support:.2f}).")
                if uncited:
                    notes.append(f"{len(uncited)} sentence(s) cite no source.")
                if dropped:
                    notes.append(f"Removed citation number(s) {', '.join(map(str, dropped))}: no such source.")
        if text is None:
            name_used = "extractive"
            # The papers a question names, by title or by their own name ("Which paper introduced
            # GENOME?", "How do LLaVA-MoLE and Uni-MoE differ?"), are answered from: their sentences
            # may share no word with the question while another abstract's are about genomes, and
            # the relevance model may not rank a named paper over the bar. (The evidence was assessed on all.)
            # So are papers named by a mixed-case name spelled like a common word ("What is SCoRe?", which
            # was quoted from four papers that use "score"): rag.retrieve's named_owners.
            named = set(self.retriever.title_names(question) + self.retriever.named_owners(question)
                        + self.retriever.listed_owners(question) + self.retriever.spelled_out_names(question)) & {h.paper.paper_id for h in hits}
            # ... or by a name only its abstract gives ("Can you summarize VisCon-100K and UnIVAL?": UnIVAL's
            # title is "Unified Model for Image, Video, Audio and Language Tasks"), when that makes two or more.
            if not rewritten and len(owned := named | self._owners(question, hits)) >= 2:
                named = owned
            if len(named) == 2 and not several and (subject := self._subject_of_comparison(question, named, hits)
                                                      or self._described_with_other_name(question, named, hits)):
                named = {subject}
            elif len(named) <= 1 and not several and (subject := self._described_beating(question, named, hits)):
                named = {subject}
            # Two or more papers named ("Is LQ-LoRA better than QLoRA?") are each answered for, as a
            # multi-paper question's are: quoted together, the one whose sentences mention the other won.
            relevant: list = []
            if (several or len(named) >= 2) and not rewritten and not summarised:
                # (papers the question names, two or more: they answer, with any other that clears the first bar)
                papers = {h.paper.paper_id for h in self.policy.relevant_hits(question, hits, scored, max_papers=MAX_PAPERS,
                                                                              as_list=several, several=several)}
                if several and (not named or asks_for_publications(question)):
                    # ... and each part the question lists brings the paper that part finds, if retrieved ("which papers
                    # make multimodal LLMs cheaper to run, by skipping redundant tokens …, by a parameter-free
                    # cross-attention fusion, or by a phone-sized model", dev-118: one of three cited). rag.facets. (Not
                    # where the question names a paper and asks for none: "`ShiftAddLLM` numbers: …, memory/energy
                    # reduction …, and how many LLM families / tasks" is about one paper, and a part found another.)
                    papers |= {pid for _, pid in papers_by_part(self.retriever, asking_sentences(question), [h.paper.paper_id for h in hits], filters)}
                relevant = [s for s in scored if s.source.paper.paper_id in papers | named]
            elif rewritten and _TOGETHER.search(question) and not summarised:
                # A follow-up about each paper under discussion ("which base models does each of them build on?",
                # "which of the two trains from scratch?"): each answers, as a multi-paper question's papers do.
                # Quoted as one answer, the sentences of one of them took every place (validation batches: 9 of
                # 14 such follow-ups cited one of their two papers).
                relevant = list(scored)
            if summarised:  # each paper's contribution, method and result, in its order
                size = summary_length(question, papers=len(summarised))
                papers = {h.paper.paper_id: h.paper for h in hits}
                raw = "\n\n".join(" ".join(with_marker(x.text, x.source.n) for x in summary_sentences(
                    [x for x in scored if x.source.paper.paper_id == pid], size, own_name(papers[pid].title))) for pid in summarised)
            elif len({s.source.n for s in relevant}) >= 2:
                rank_by_facts(question, relevant, self.retriever.index.lexical.idf)
                raw = extractive_answer(relevant, per_paper=True)
            else:
                # One paper answers (a plural that is about one paper's parts, "which vision and
                # time-series models are built from MambaMixer?", or only one clears the relevance
                # bar): a full single-paper answer from it, not the one sentence a paper gets in a list.
                quoted = relevant or [s for s in scored if s.source.paper.paper_id in named] or scored
                if (not relevant and not named and not rewritten and not several and not first
                        and (covering := next(iter(owned)) if owned else self._covering_paper(question, hits)) is not None):
                    # "Which work gathers many thousands of genuine web service endpoints from a marketplace hub, has a
                    # commercial chatbot write requests that exercise them, and explores invocation sequences …?" (dev):
                    # the tool-use paper, whose abstract holds most of the details it gives, goes first, not the
                    # e-commerce one that matches "marketplace" and "commercial"; so does the one paper whose abstract
                    # brings the name the question asks about: "How does NesyCD help small models handle hard reasoning
                    # …?" was quoted first from a paper on explaining hard examples, NesyCD's paper second. (Quoted
                    # alone, as a title's name is, the answers were shorter and two questions about two papers lost
                    # one: eval/results/session48_dropped.json.)
                    sources = [Source(n=h.rank, paper=h.paper, score=h.score)
                               for h in put_first(hits, lambda h: h.paper.paper_id == covering)]
                    used = {s.n: s for s in sources}
                    quoted = self.scorer.score(question, sources)
                parts = shape_picks(question, quoted) + self.scorer.part_picks(question, quoted)
                sizing = rank_by_facts(question, quoted, self.retriever.index.lexical.idf)
                # A `weak` answer about the paper the question names ("How does HALO make fully quantized fine-tuning
                # work, and what speedup does it report?") is filled by the facts the sentence model finds, as a
                # `strong` one is: the hedge across papers had quoted it one sentence. Dev key facts 83.0 -> 84.6%,
                # dev-10 … dev-35 81.5 -> 82.5%, no answer lost a fact or its gold paper (twenty-eighth session).
                # (All `weak` answers so filled: more facts, but four lost their gold paper.)
                fill = assessment.level
                if fill == "weak" and hits and hits[0].paper.paper_id in named | self._owners(question, hits[:1]):
                    fill = "strong"
                raw = extractive_answer(quoted, parts=parts, **(sizing.answer_settings(fill) if sizing else {}))
            text, state = renumber(raw, set(used))
            numbered = {new: Source(n=new, paper=used[old].paper, score=used[old].score) for old, new in state.mapping.items()}
            citations, _ = self.checker.check(text, numbered)
            if on_delta:
                on_delta(text)
            model = None
        else:
            name_used = name
        if citations and (fields := record_asked(question)):  # "Who wrote QLoRA?": the record may know, the abstract rarely does
            paper = next(h.paper for h in hits if h.paper.paper_id == citations[0].paper_id)
            notes.append(record_note(paper, fields))
        timings["check_ms"] = round((time.perf_counter() - t2) * 1000, 1)
        timings["total_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return Answer(
            question=question,
            text=text,
            answerer=name_used,
            model=model,
            evidence=assessment.level,
            evidence_probability=assessment.probability,
            preface=preface,
            citations=tuple(citations),
            hits=tuple(hits),
            dropped_citations=tuple(dropped),
            notes=tuple(notes),
            rewritten_question=rewritten,
            timings_ms=timings,
        )

    def _about_reference(self, question: str, reference, answerer, filters, history, on_delta, k) -> Answer:
        """A question about the paper a pasted reference entry cites (rag.reference): asked about that
        title when it is indexed (a bare entry: its summary), refused when it is not; the entry's
        authors and venue are never searched."""
        paper = self.retriever.paper_titled(reference.title)
        if paper is None:
            name = resolve_answerer(self.settings, answerer)
            reason = f"“{reference.title}” is not an indexed paper"
            hits = self.retriever.search(reference.title, k=3, filters=filters)
            answer = self._abstain(question, name, hits, {}, None, on_delta, reason=reason,
                                   assessment=Assessment("none", 0.0, {}, reason=reason))
            return answer.model_copy(update={"searched_question": reference.title})
        asked = f"“{paper.title}”: {reference.question}" if reference.question else f"Summarise “{paper.title}”."
        answer = self.ask(asked, answerer=answerer, filters=filters, history=history, on_delta=on_delta, k=k)
        note = f"Read the pasted reference as the indexed paper “{paper.title}”."
        return answer.model_copy(update={"question": question, "searched_question": answer.searched_question or asked,
                                         "notes": (note, *answer.notes)})

    def _about_different_papers(self, asked, filters: Filters | None) -> bool:
        """Whether each question of a message (rag.message.Questions) finds another paper first, and, unless
        they were the items of a list, names that paper (by its title's name or a name its abstract
        introduces): "How big is SEED-Bench-2 and how does it organise the MLLM capabilities it tests?" is
        one question about one paper, though its second half alone finds another."""
        tops = []
        for part in asked.parts:
            hits = self.retriever.search(part, k=3, filters=filters)
            if not hits:
                return False
            top = hits[0].paper.paper_id
            if not asked.listed and top not in set(self.retriever.title_names(part)) | self._owners(part, hits[:1]):
                return False
            tops.append(top)
        return len(set(tops)) == len(tops)

    def _ask_each(self, question: str, parts: list[str], answerer, filters, history, on_delta, k) -> Answer:
        """The questions of one message, each searched and answered on its own (rag.message), joined under
        their questions with one numbering of sources; `strong` only when every one is, refused only when
        every one is."""
        answers = [self.ask(part, answerer=answerer, filters=filters, history=history, k=k) for part in parts]
        numbers: dict[str, int] = {}
        cited: dict[str, Citation] = {}
        sections = []
        for part, answer in zip(parts, answers):
            by_n = {c.n: c for c in answer.citations}

            def marker(m: re.Match, by_n=by_n) -> str:
                ids = [by_n[int(x)].paper_id for x in re.findall(r"\d+", m.group(1)) if int(x) in by_n]
                return "".join(f"[{numbers.setdefault(pid, len(numbers) + 1)}]" for pid in ids)

            text = MARKER.sub(marker, answer.text)
            for c in answer.citations:
                n = numbers.setdefault(c.paper_id, len(numbers) + 1)
                before = cited.get(c.paper_id)
                cited[c.paper_id] = c.model_copy(update={"n": n}) if before is None else before.model_copy(
                    update={"supported": before.supported and c.supported, "support": min(before.support, c.support)})
            sections.append(f"**{part}**\n\n" + (f"{answer.preface}\n\n{text}" if answer.preface else text))
        levels = {a.evidence for a in answers}
        level = "strong" if levels == {"strong"} else "none" if levels == {"none"} else "weak"
        preface = ("Some of the message's questions are only partly covered by the indexed abstracts, or not at all: "
                   "see each below.") if level == "weak" else None
        text = "\n\n".join(sections)
        if on_delta:
            on_delta((f"{preface}\n\n" if preface else "") + text)
        hits: dict[str, Hit] = {}
        for answer in answers:
            for h in answer.hits:
                hits.setdefault(h.paper.paper_id, h)
        probabilities = [a.evidence_probability for a in answers if a.evidence_probability is not None]
        llm = next((a for a in answers if a.answerer != "extractive"), answers[0])
        notes = [f"The message asks {len(parts)} questions; each was searched and answered on its own."]
        notes = list(dict.fromkeys(notes + [note for a in answers for note in a.notes]))  # each note once
        return Answer(
            question=question,
            text=text,
            answerer=llm.answerer,
            model=llm.model,
            abstained=level == "none",
            evidence=level,
            evidence_probability=round(sum(probabilities) / len(probabilities), 4) if probabilities else None,
            preface=preface,
            citations=tuple(sorted(cited.values(), key=lambda c: c.n)),
            hits=tuple(h.model_copy(update={"rank": i + 1}) for i, h in enumerate(hits.values())),
            notes=tuple(notes),
            timings_ms={"total_ms": round(sum(a.timings_ms.get("total_ms", 0.0) for a in answers), 1)},
        )

    def _answered_part(self, question: str, hits: list[Hit], focus: list[Source]) -> str | None:
        """For a question in several parts (rag.extractive.question_parts) that names a retrieved paper, the
        first part the evidence policy does not refuse, assessed against the same papers; else None."""
        parts = question_parts(question)
        retrieved = {h.paper.paper_id for h in hits}
        if len(parts) < 2 or self.policy.unmade_comparison(question, hits):  # a result between two no abstract gives
            return None
        if not self._names_retrieved(question, hits, retrieved):
            return None
        naming = ""  # the words before the parts that ask, where they name the paper: "… . for LACIE"
        for part in parts:
            asking = _LAST_SENTENCE.split(part)[-1]
            if not _ASKS.search(_without_titles(asking, hits)):
                # no question: "In 'Leveraging Training Data in Few-Shot Prompting …', which datasets …?"; nor is the
                # scene before the paper's name one ("we have far more written match reports than labelled clips. for
                # T2Vid, which image LLM …": "we have …" was kept as the part answered, dev-104)
                # (one paper: not a list, "Out of Zero-shot-CoT, TART, proxy-tuning and RAIN, which ones …")
                naming = asking if len(self._retrieved_named(asking, hits, retrieved)) == 1 else naming
                continue
            if _ASKS_DETAIL.search(asking):
                # A specific detail is not answered by quoting the closest sentences, and asked in a part the rules
                # that check a named paper's details may not read it ("… and which LLM is its language backbone?" was
                # `weak`, quoting the paper's sentences that name none). At the forty-sixth session's final code, 83 unanswerable and 23 answerable questions of dev
                # and the tuning batches were answered by a part; 66 and 4 of those parts asked a detail
                # (eval/results/session47_dropped.json, "answered_part_probe").
                continue
            named = self._names_retrieved(part, hits, retrieved)
            if not _POINTS_AT_PAPER.search(part) and not named:
                # a part that names no paper nor points back at one ("where does its training data come from" does): "I
                # was told LoftQ is better than plain QLoRA …. How does LoftQ set …, and how much does that help at two
                # bits?" kept "how much does that help …" as answered by QLoRA, the baseline named (dev-88)
                continue
            # A part that points back at the paper is also assessed with the words that name it, so that the rules for
            # a named paper's unstated details read it: "… . for LACIE, which model played the simulated listener, how
            # many preference pairs …" kept "which is dangerous in a crisis. for LACIE" as answered (dev-106). Both must
            # pass: named, the part alone reads as closer to its paper.
            views = [part] if named or not naming else [part, f"{naming}. {part}"]
            scored = self.scorer.score(part, focus)
            if all(self._part_answered(view, hits, scored) for view in views):
                return part
        return None

    def _part_answered(self, part: str, hits: list[Hit], scored) -> bool:
        """Whether the evidence policy leaves a question's part unrefused, its number rule included."""
        assessment = self.policy.assess(part, hits, scored)
        return assessment.level != "none" and not self.policy.unstated_number(part, hits, assessment.signals)

    def _retrieved_named(self, question: str, hits: list[Hit], retrieved: set[str]) -> set[str]:
        """The ids of the retrieved papers the question names (by title, own name, or a list of them)."""
        return set(self.retriever.title_names(question) + self._listed_or_owned(question, hits)) & retrieved

    def _names_retrieved(self, question: str, hits: list[Hit], retrieved: set[str]) -> bool:
        """Whether the question names one of the retrieved papers."""
        return bool(self._retrieved_named(question, hits, retrieved))

    def _listed_or_owned(self, question: str, hits: list[Hit]) -> list[str]:
        return self.retriever.listed_owners(question) + sorted(self._owners(question, hits))

    def _summarised(self, question: str, hits: list[Hit]) -> list[str]:
        """The ids of the retrieved papers a summary request names ("Summarise the QLoRA paper", "What
        is QLoRA? And what is RankGen?"), in the question's order; none unless it asks for nothing else."""
        retrieved = {h.paper.paper_id: h.paper for h in hits}
        named = [pid for pid in self.retriever.title_names(question) if pid in retrieved]
        named += [pid for pid in self.retriever.spelled_out_names(question) if pid in retrieved and pid not in named]
        # ... or, asked for nothing but a summary, by a name its abstract introduces ("What's the main contribution
        # of ALMA, the LLM-based translator?": "… as Advanced Language Model-based trAnslator (ALMA)"; not
        # "Explain how PLeaS merges two models", which asks how, and PLeaS's method sentences say it)
        if asks_only_summary(question):
            order = [h.paper.paper_id for h in hits]
            named += sorted(set(self._owners(question, hits)) - set(named), key=order.index)
        named = sorted(named, key=lambda pid: self._mentioned_at(question, retrieved[pid]))[:MAX_PAPERS]
        if not named:
            return []
        papers = [retrieved[pid] for pid in named]
        return named if asks_summary(question, " ".join(p.title for p in papers), " ".join(p.abstract for p in papers)) else []

    def _mentioned_at(self, question: str, paper) -> int:
        """Where the question first names the paper: its own name, its name spelled out, or a name its abstract
        introduces ("Summarize two papers: the one with PVI-based fine-tuning, and Adaptive Computation
        Modules": the answer keeps that order, so "the second one" in a follow-up is the reader's second)."""
        folded = question.casefold()
        spots = [folded.find(phrase) for phrase, pids in self.retriever.spelled_out_forms().items() if paper.paper_id in pids]
        if own := own_name(paper.title):
            spots.append(folded.find(own.casefold()))
        spots += [question.find(name) for name, key in question_names(question, self.retriever.name_casing) if owns(paper, key)]
        return min((at for at in spots if at >= 0), default=len(question))

    def _author_answers(self, question: str, scoped: Filters) -> bool:
        """Whether the papers of the author a question names answer it (evidence above `none` among
        them alone); if not, the reader may have the author wrong, and all papers are searched."""
        hits = self.retriever.search(question, k=self.settings.answer_sources, filters=scoped)
        sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
        return bool(hits) and self.policy.assess(question, hits, self.scorer.score(question, sources)).level != "none"

    def _author_papers(self, question: str, filters: Filters, name: str, on_delta) -> Answer:
        """An author's papers (up to MAX_PAPERS), each with the sentence that states its
        contribution (else its first): the answer to "which papers did X write?"."""
        t0 = time.perf_counter()
        hits = self.retriever.search(question, k=MAX_PAPERS, filters=filters)
        timings = {"retrieve_ms": round((time.perf_counter() - t0) * 1000, 1)}
        if not hits:
            reason = "the index has no papers by this author matching the filters"
            return self._abstain(question, name, [], timings, None, on_delta, reason=reason,
                                 assessment=Assessment("none", 0.0, {}, reason=reason))
        sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
        scored = sorted(self.scorer.score(question, sources), key=lambda s: (s.source.n, s.position))
        lines = []
        for source in sources:
            own = [s for s in scored if s.source is source]
            lead = next((s for s in own if CONTRIBUTION.search(s.text)), own[0] if own else None)
            if lead:
                lines.append(with_marker(lead.text, source.n))
        text, state = renumber("\n\n".join(lines), {s.n for s in sources})
        used = {s.n: s for s in sources}
        numbered = {new: Source(n=new, paper=used[old].paper, score=used[old].score) for old, new in state.mapping.items()}
        citations, _ = self.checker.check(text, numbered)
        if on_delta:
            on_delta(text)
        timings["total_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return Answer(question=question, text=text, answerer="extractive", evidence="strong", evidence_probability=1.0,
                      citations=tuple(citations), hits=tuple(hits), timings_ms=timings)

    @staticmethod
    def _preface(assessment: Assessment, hits: list[Hit]) -> str | None:
        """What the reader must know before the answer: partial coverage, names not indexed."""
        lines = []
        if assessment.level == "weak":
            closest = "; ".join(f"“{h.paper.title}”" for h in hits[:3])
            lines.append(f"{PARTLY_COVERED} Closest papers: {closest}.")
            if assessment.reason and assessment.reason.startswith("no indexed abstract compares"):
                lines.append(f"{assessment.reason[0].upper()}{assessment.reason[1:]}: each paper's own claims follow.")
            elif assessment.reason and (assessment.reason.startswith(ANSWERED_PART)
                                        or any(said in assessment.reason for said in _SAID_BEFORE_CLOSEST)):
                lines.append(f"{assessment.reason[0].upper()}{assessment.reason[1:]}: the closest sentences follow.")
        if assessment.missing_names:
            names = ", ".join(assessment.missing_names[:3])
            lines.append(f"No indexed abstract mentions {names}; the answer covers the rest of the question.")
        return "\n".join(lines) or None

    def _generate(self, backend, question: str, sources: list[Source], on_delta) -> tuple[str, dict[int, int], list[int]]:
        """Stream the backend's answer with markers renumbered on the fly, through a guard
        that stops the stream before a run of the system prompt reaches the reader (streamed
        or not: `parts` is only what the guard released)."""
        renumberer = StreamRenumberer({s.n for s in sources})
        guard = LeakGuard()  # the system prompt, less the abstain sentence the model may say
        parts: list[str] = []

        def emit(text: str) -> None:
            if text:
                parts.append(text)
                if on_delta:
                    on_delta(text)

        for delta in backend.stream(build_messages(question, sources)):
            emit(guard.feed(renumberer.feed(delta)))
        emit(guard.feed(renumberer.finish()))
        emit(guard.finish())
        return "".join(parts).strip(), dict(renumberer.state.mapping), list(renumberer.state.dropped)

    @staticmethod
    def _subject_of_comparison(question: str, named: set[str], hits: list[Hit]) -> str | None:
        """Of two named papers, the one the question is about when it measures it against the other's name
        ("How does ComPEFT do it, and how does it fare against QLoRA?") and its own abstract makes that
        comparison ("ComPEFT … outperforms QLoRA by 4.16%"), and asks more than the comparison: its full answer,
        not one sentence of it beside one of the baseline's own paper. None otherwise ("Is LQ-LoRA better than
        QLoRA?": both papers' own words)."""
        papers = [h.paper for h in hits if h.paper.paper_id in named]
        if len(question_parts(question)) < 2:
            return None  # the comparison is all it asks: both papers' own words
        for subject, baseline in (papers, papers[::-1]):
            name, own = own_name(baseline.title), own_name(subject.title) or subject.title
            if (name and measured_against(question, name) and not measured_against(question, own)
                    and mentions(subject.abstract, name)):
                return subject.paper_id
        return None

    def _described_beating(self, question: str, named: set[str], hits: list[Hit]) -> str | None:
        """The retrieved paper a question describes without its name, when the one paper it names (or the top paper,
        which introduces the name) is only what that one was measured against ("the vision-language-action model that
        adds a diffusion action transformer … By how much did its success rates beat OpenVLA …?": OpenVLA's own
        abstract had answered; "there's work where a chat LLM hill-climbs on the prompt … How much does that beat
        CoOp by …?": CoOp's, dev-97) and that paper's abstract makes the comparison (the first such one in rank
        order, itself not introducing the name). None when the question is about the named paper too, or names what
        it measures by a name no abstract holds ("Is LoftQ better than QLoRA …?": refused or answered from QLoRA, not
        from a paper that also beats QLoRA)."""
        names = question_names(question)
        if any(len(key) >= 3 and not is_known(key, self.terms) for _, key in names):
            return None
        if named:
            baseline = next(h.paper for h in hits if h.paper.paper_id in named)
            name = own_name(baseline.title)
            key = norm(name or "")
        else:
            baseline = hits[0].paper
            name, key = next(((n, k) for n, k in names if beaten_against(question, n) and owns(baseline, k, by_title=False)),
                             (None, ""))
        if not name or not beaten_against(question, name) or len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", question)) > 1:
            return None
        return next((h.paper.paper_id for h in hits if h.paper is not baseline and mentions(h.paper.abstract, name)
                     and not owns(h.paper, key)), None)

    @staticmethod
    def _described_with_other_name(question: str, named: set[str], hits: list[Hit]) -> str | None:
        """Of two named papers, the one the question is about when it names the other only as a word of the first one's
        abstract ("mBLIP calls itself the first multilingual Vision-LLM. Into how many languages …?": mBLIP's abstract
        says "the first multilingual Vision-LLM", and VisionLLM's paper had answered beside it), and compares nothing.
        None otherwise."""
        if COMPARES.search(question) or _TOGETHER.search(question) or re.search(r"\beach\b", question, re.I):
            return None
        papers = [h.paper for h in hits if h.paper.paper_id in named]
        for subject, other in (papers, papers[::-1]):
            own, other_own = own_name(subject.title), own_name(other.title)
            if not own or not other_own or not mentions(question, own):
                continue
            # (written otherwise than the paper writes its own name: "Vision-LLM", a kind, not "VisionLLM"; "What do
            # Compacter and VL-Adapter each propose?" names both, though VL-Adapter's abstract names Compacter)
            written = [m.group(0) for m in re.finditer(r"[\w+-]+(?:\.\w+)*", question) if norm(m.group(0)) == norm(other_own)]
            if not written or other_own in written or any(measured_against(question, w) for w in written):
                continue  # ("Does CodeRL outperform CodeT5+ …?": a baseline, answered by both)
            if any(mentions(subject.abstract, w) for w in written) and not mentions(other.abstract, own):
                return subject.paper_id
        return None

    def _covering_paper(self, question: str, hits: list[Hit]) -> str | None:
        """The paper to quote for a question that describes it in its own words, when that is not the top one: the
        candidate whose abstract covers the question's clauses best, by a clear margin (COVER_GAIN). None when the
        question shares much of its wording with the top paper (then retrieval's order holds); the caller asks it only
        of questions that name no paper, by title or by a name an abstract introduces."""
        candidates = hits[:COVER_CANDIDATES]
        if len(candidates) < 2 or (candidates[0].lexical_coverage or 0.0) >= COVER_LEXICAL:
            return None
        coverage = self.scorer.clause_coverage(question, [h.paper for h in candidates])
        best = max(range(len(candidates)), key=coverage.__getitem__)
        return candidates[best].paper.paper_id if coverage[best] - coverage[0] > COVER_GAIN else None

    def _owners(self, question: str, hits: list[Hit]) -> set[str]:
        """Ids of the retrieved papers whose abstract introduces one of the question's specific names
        (rag.evidence.owns, not by a title word: a survey titled "… ChatGPT and GPT-4" does not answer for
        GPT-4), each name introduced by one of them."""
        out: set[str] = set()
        for name, key in question_names(question, self.retriever.name_casing):
            if len(key) < 3 or not self.is_distinctive_name(name):
                continue  # a name many abstracts use ("VLM"): not a paper's to answer for
            owners = [h.paper.paper_id for h in hits if owns(h.paper, key, by_title=False)]
            if len(owners) == 1:
                out.add(owners[0])
        return out

    def _abstain(self, question, name, hits, timings, rewritten, on_delta, model=None, by_model=False, reason=None,
                 assessment: Assessment | None = None, preface: str | None = None) -> Answer:
        """A refusal. `preface`: what the reader was already shown (a weak-evidence line
        streamed before the model said the sources do not answer this)."""
        closest = "; ".join(f"“{h.paper.title}”" for h in hits[:3])
        text = NOT_COVERED + (f" ({reason[0].upper()}{reason[1:]}.)" if reason else "")
        more = f" Closest papers: {closest}." if closest else ""
        text += more
        if on_delta:
            # After a model's own abstention only the closest papers are new to the reader.
            on_delta(more if by_model else text)
        return Answer(
            question=question,
            text=text,
            answerer=name,
            model=model,
            abstained=True,
            evidence="none",
            evidence_probability=assessment.probability if assessment else None,
            preface=preface,
            hits=tuple(hits),
            notes=("The model said the sources do not answer this.",) if by_model else (),
            rewritten_question=rewritten,
            timings_ms=timings,
        )

    # ------------------------------------------------------------ lookup

    def lookup(self, question: str, filters: Filters | None = None) -> Lookup:
        """The paper that proposed what the question describes (rag.lookup)."""
        return lookup_paper(self, question, filters)

    # ------------------------------------------------------------ compare

    def compare(self, topic: str, filters: Filters | None = None, max_papers: int = MAX_PAPERS) -> Comparison:
        """Papers on a topic (or named titles) side by side by problem, method, data, result (rag.compare)."""
        return compare_papers(self, topic, filters, max_papers)
