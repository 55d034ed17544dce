"""Hybrid retrieval: dense (Chroma through llama-index) + BM25, fused per paper.

Both retrievers return chunks; a paper's rank in each list is the rank of its best
chunk. The two paper rankings are fused with weighted reciprocal rank fusion (no
LLM call), and each Hit carries the paper's best chunks for snippets and answers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from rag.errors import QueryError
from rag.index import StoredIndex
from rag.lay_terms import field_terms_note as _field_terms_note, in_field_terms
from rag.ownership import NAMING_CUES, owns
from rag.paste import QUESTION_CHARS, QUESTION_TOKENS, fold
from rag.types import Hit

log = logging.getLogger(__name__)

# A paste may be this long; what is searched is the question found in it (rag.paste).
MAX_QUERY_CHARS = 20_000

# "Which paper proposes ...", "What is the method that ...": framing words carry no topic,
# yet they pull a MiniLM query vector toward every abstract that says "we propose".
_FRAMING = re.compile(
    r"^\s*(?:which|what|is there an?|find (?:me )?(?:the|a)|the)\s+(?:\w+\s+){0,3}?"
    r"(?:paper|papers|work|works|study|studies|method|methods|tool|approach|system|technique|framework|dataset|benchmark|model)s?\b"
    r"\s*(?:that|which|where|in which|whose|is|was)?\s*",
    re.I,
)


def dense_query_text(query: str) -> str:
    """The query as the embedder should see it: question framing and the final '?' removed;
    for a long paste (the embedder reads only 256 tokens) the question in it, usually last."""
    words = query.split()
    if len(words) > 120:
        from rag.text import split_sentences

        sentences = split_sentences(query)
        asked = [s for s in sentences if s.rstrip().endswith("?")]
        query = asked[-1] if asked else " ".join(words[-100:])
    core = _FRAMING.sub("", query).strip().rstrip("?").strip()
    return core if len(core.split()) >= 3 else query


@dataclass(frozen=True)
class Filters:
    """Restrict a search to papers from some files, some years, or with a title substring."""

    sources: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    title_contains: str | None = None
    authors: tuple[str, ...] = ()  # full names ('Peng Gao'), or a first author's family name
    title_excludes: tuple[str, ...] = ()  # papers whose title has one of these as a whole word are left out

    def active(self) -> bool:
        return bool(self.sources or self.year_min or self.year_max or self.title_contains or self.authors or self.title_excludes)


# A question that sets things side by side ("Compare A with B", "contrast A and B", "how do A and B differ"), not
# one that measures a figure against others ("how does that compare with the new Bing and ChatGPT?", "compared to X").
_SETS_SIDE_BY_SIDE = re.compile(r"\b(?:compar(?:e|es|ing|ison)|contrast\w*|differ|differs|differences?|versus|vs\.?)(?!\w)", re.I)
_MEASURES_AGAINST = re.compile(r"\b(?:that|it|this|these|those|they|its \w+|their \w+)\s+(?:compares?|differs?)\b", re.I)

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_query(query: str) -> str:
    """The question, cleaned (control characters dropped, spaces folded), or a QueryError
    that says what is wrong: empty, not text, or longer than a paste may be."""
    if isinstance(query, bytes):
        try:
            query = query.decode("utf-8")
        except UnicodeDecodeError:
            raise QueryError("the question is not valid UTF-8 text", hint="re-type it or save it as UTF-8") from None
    if _SURROGATE.search(query or ""):
        # How Python carries bytes that were not UTF-8 (e.g. from a Latin-1 terminal).
        raise QueryError("the question is not valid UTF-8 text", hint="re-type it or switch the terminal to UTF-8")
    text = fold(query or "")
    if not text:
        raise QueryError("the question is empty", hint="type a question or some search words")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the text is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,} characters (text over "
            f"{QUESTION_CHARS:,} characters or {QUESTION_TOKENS:,} tokens counts as a paste: the question in it is searched)",
            hint="paste only the part that matters, with your question in it",
        )
    return text


@dataclass
class _Ranked:
    """A paper's position in one retriever's list."""

    rank: int
    score: float
    chunks: list[str]


def _per_paper(chunk_hits: list[tuple[str, float]], chunks, allowed: set[str] | None) -> dict[str, _Ranked]:
    """Chunk hits grouped by paper, in first-seen order; `chunks` is the index's ChunkStore."""
    out: dict[str, _Ranked] = {}
    for chunk_id, score in chunk_hits:
        paper_id = chunks.paper_of(chunk_id)
        if chunk_id not in chunks or (allowed is not None and paper_id not in allowed):
            continue  # a chunk the manifest does not know (interrupted ingest) or filtered out
        entry = out.get(paper_id)
        if entry is None:
            out[paper_id] = _Ranked(rank=len(out) + 1, score=score, chunks=[chunk_id])
        else:
            entry.chunks.append(chunk_id)
    return out


def rrf_scores(rankings: Iterable[tuple[float, Iterable[tuple[str, int]]]], rrf_k: int = 60) -> dict[str, float]:
    """Weighted reciprocal-rank fusion, the one formula every fusion here uses: each id scores
    the sum of weight / (rrf_k + rank) over the (weight, [(id, rank), ...]) rankings it is in.
    Ids keep the order they were first seen in, for callers that break ties by it."""
    scores: dict[str, float] = {}
    for weight, ranking in rankings:
        for key, rank in ranking:
            scores[key] = scores.get(key, 0.0) + weight / (rrf_k + rank)
    return scores


_LEXICAL_THREAD = None
_LEXICAL_THREAD_LOCK = threading.Lock()


def _lexical_thread():
    """One worker thread per process, made on the first hybrid search."""
    global _LEXICAL_THREAD
    with _LEXICAL_THREAD_LOCK:
        if _LEXICAL_THREAD is None:
            from concurrent.futures import ThreadPoolExecutor

            _LEXICAL_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bm25")
        return _LEXICAL_THREAD


# In hybrid fusion BM25 votes only for chunks scoring at least this share of its best chunk: a
# paper at BM25 rank 30 matched on generic words otherwise collects two RRF votes and outranks
# the one paper that holds the query's rare term (rank 1 in BM25, missing from the dense top 50).
# Chosen on the dev split with `python -m eval.fusion_sweep --floors ...`: 0.6 is the highest floor at
# which no set's recall@5 drops; recall@1 over 160 dev questions 0.787 -> 0.812 (0.7 gave 0.838 but multi-paper recall@5 0.885 -> 0.854).
# Since everyday words are searched as the field's terms (rag.lay_terms), the 429 dev questions of now put 0.7 and
# 0.75 first at recall@1 and @5 (pooled 0.806 / 0.875 and 0.813 / 0.874 against 0.800 / 0.870), but answers read
# deeper lists than 5: at 0.7 / 0.75 (`rag eval --split dev` with this constant changed, one run each) dev's
# multi-paper answers cite 74.1 / 70.4% of their needed papers (78.6% at 0.6) and compare tables hold 72.1 / 73.9%
# (75.8%). 0.6 stays; at 5 it is a fraction of one multi-paper question behind no floor (0.830 vs 0.835), ahead
# everywhere else.
LEXICAL_FLOOR = 0.6

# BM25's vote ramps from 0 at this match strength (LexicalIndex.search_with_strength) to full at the
# second number. With mpnet beside MiniLM the dense ranking is stronger on questions in other words,
# so BM25 needs a more specific match to vote. Both chosen on the dev split with `python -m
# eval.fusion_sweep --data-dir <index> --gates 0.2:0.5,0.3:0.6,0.4:0.7,0.5:0.8`: on the 428-question
# dev split of 2026-12-03 (dev-8 included) minilm+mpnet pooled R@1 0.868 -> 0.876 at 0.3:0.6
# (paraphrase 0.569 -> 0.597, nothing else moved; stricter gates lose multi-paper recall), MiniLM
# alone 0.797 -> 0.801 (paraphrase +2 questions, plain -1: a tie, so it keeps its gate).
GATE = (0.2, 0.5)
GATE_WITH_SECOND = (0.3, 0.6)

# A question that asks for papers ("Which papers compress the KV cache, and how?"; see
# rag.answer.Assistant.searched_as_topic) lets BM25 vote from a lower floor: the papers it needs share its
# topic's words, and LEXICAL_FLOOR, chosen on questions about one paper, kept needed papers out of the
# candidates. Chosen on the multi-paper questions of dev and of the validation batches dev-10 … dev-35
# (docs/evaluation-history.md, twenty-fifth session): needed papers cited 66.1 → 69.4% of 158 batch questions,
# dev 78.6 → 78.9% of 47, no other answer moved. Floors 0.3 and 0.5 held fewer needed papers in the top 8; BM25
# voting in full as well flattened the fused scores the relevance bar reads. Every question about several papers
# searched so cited 71.4% of the batches' needed papers, but single-paper questions phrased like them ("What did
# the X paper find about A versus B?") got a second paper in place of their facts (key facts 81.3 → 80.5% of
# 401); `rag compare` topics searched so grew to 1.84 rows per needed paper (its bar was chosen on LEXICAL_FLOOR).
TOPIC_LEXICAL_FLOOR = 0.4
# ... and votes in full, however unspecific its best match: a question about several papers is long, so no one abstract
# holds much of its words and the gate (GATE) all but silenced BM25, though the papers it needs share the topic's words.
# On the validation batches' 571 multi-paper questions (dev's included) the papers they need in the top 8 went 982 →
# 1,024 of 1,300 (of dev-10 … dev-91's); needed papers cited 66.7 → 68.6%, other papers cited 2.17 → 2.03 an answer
# (at 0.5 of a full vote: 68.0%, 2.05). Chosen with the relevance model's list bar, before the list model
# (EvidenceModel.list_relevance) was refitted on the candidates it gives (docs/evaluation-history.md, forty-fifth session).
TOPIC_LEXICAL_VOTE = 1.0

# Weight of the mpnet cosine beside MiniLM's when both embedders are in the index (a weighted
# sum of the two cosines per chunk); chosen on the dev split with `python -m eval.fusion_sweep
# --weights ...` on a minilm+mpnet index (see docs/retrieval-quality.md, "A second embedder").
SECOND_WEIGHT = 2.0

# A paper's dense score is its best chunk's plus this weight times the mean over all its chunks:
# a question in the reader's own words often echoes the whole abstract better than any one
# chunk of it. Chosen on the dev split with `python -m eval.fusion_sweep --paper-means ...`
# (docs/how-it-works.md, "A paper's dense score"): 1.0 is the middle of the plateau (0.75-1.5) for both embedders.
PAPER_MEAN_WEIGHT = 1.0

# Weight of a paper's whole-abstract mpnet cosine in its dense score, when the index has those vectors
# (minilm+mpnet; rag.chunk.abstract_records). Chosen on the dev split with `python -m eval.fusion_sweep
# --data-dir <minilm+mpnet index> --abstract-weights 0,2,3,4,6`: 4 has the best pooled recall@1 and @5
# (0.908 / 0.958, from 0.898 / 0.945 without; 2-4 tie on R@1, past 4 adversarial R@1 falls): paraphrase
# R@5 0.872 -> 0.894, multi-paper 0.881 -> 0.905, adversarial 0.778 -> 0.889 (docs/retrieval-quality.md, "A second embedder").
ABSTRACT_WEIGHT = 4.0

# A third ranked list beside dense and BM25: the papers whose own name (a title's lead before its
# colon) is a technical name the question asks about ("Which paper introduced GENOME?"). The commonest
# lookup names the method and nothing else, and the name can be a word other abstracts use often
# ("genome") or that MiniLM reads as something else. Weighted so that such a paper outranks one that
# dense and BM25 both rank first (2.5 > 1 + 1): the question named it. On dev, 1.0 and 2.5 tie
# (`python -m eval.fusion_sweep --title-names 0,1,2.5`: plain R@1 0.968 -> 1.000, pooled 0.835 / 0.910
# -> 0.850 / 0.915, nothing else moved); `python -m eval.make_name_questions --probe` is the held-out check.
TITLE_NAME_WEIGHT = 2.5
TITLE_NAME_MAX_TITLES = 2
_MIXED_CASE = re.compile(r"[a-z][A-Z]")
# Text in quotes ("…", \u201c…\u201d, \u2018…\u2019, '…'), which may be a paper's title.
_QUOTED = re.compile(r'"([^"]{8,300})"|\u201c([^\u201d]{8,300})\u201d|\u2018([^\u2019]{8,300})\u2019|(?<!\w)\'([^\']{8,300})\'(?!\w)')


def put_first(hits: list[Hit], wanted, k: int | None = None) -> list[Hit]:
    """The hits for which `wanted(hit)` holds, then the rest, each in retrieval order, the first
    `k`, ranked anew: the papers under discussion, a named author's, the surveys asked for."""
    ordered = sorted(hits, key=lambda h: (not wanted(h), h.rank))[:k]
    return [h.model_copy(update={"rank": i + 1}) for i, h in enumerate(ordered)]


# A title counts as written in a query without quotes when the query holds it whole, or its part after
# the colon, in at least this many words: shorter ones ("Matryoshka Representation Learning") are a topic
# as often as a title.
WRITTEN_TITLE_WORDS = 5
QUOTED_TITLE_WORDS = 3  # a title's first words in quotes name it from three words on (two are often a term: 'attention sinks')
OPENING_TITLE_WORDS = 7  # ... and unquoted, from seven words on, capitalised and closed by a comma or the question's end


# The words a title may open with that a query writing it drops: "The paper with a unified view of parameter-efficient
# transfer learning says …" writes "Towards a Unified View of Parameter-Efficient Transfer Learning" (dev-86: answered
# from three papers, the one it writes quoted once), "the survey on large language models for recommendation".
_TITLE_LEAD = re.compile(r"^(?:(?:towards?|on)\s+)?(?:a|an|the)\s+|^towards?\s+", re.I)


def _written_title_keys(title: str) -> list[str]:
    """The forms of a title a query may write out: the whole title and the part after its colon, each
    of at least WRITTEN_TITLE_WORDS words (case, punctuation and spacing folded), and the whole title without
    its opening words (_TITLE_LEAD)."""
    forms = [title] + ([title.split(":", 1)[1]] if ":" in title else []) + ([_TITLE_LEAD.sub("", title)] if _TITLE_LEAD.match(title) else [])
    return [key for key in dict.fromkeys(_title_key(f) for f in forms) if key.count(" ") + 1 >= WRITTEN_TITLE_WORDS]


# A reference's title is the indexed one when this close (difflib's ratio, on folded titles):
# "Attention is All you Need" is not "Attention Is Not All You Need", 0.86.
TITLE_MATCH_RATIO = 0.92


# "The Adaptive Prompting paper", "the Flag Aggregator method": a name of two to four capitalised words before a noun that
# says it is a piece of work (HybridRetriever._phrase_named).
_PHRASE_NAMED = re.compile(r"\b[Tt]he\s+((?:[A-Z][\w-]*\s+){1,3}[A-Z][\w-]*)\s+(?:paper|study|work|method|framework|approach|model"
                           r"|benchmark|dataset)\b")
# ... and in lower case, a plural written singular: "the adaptive computation module paper" for "Adaptive Computation
# Modules: …" (dev-96: answered from another adaptive-computation paper). On dev and the validation batches, 46 of the
# 47 such phrases that one title holds name the paper asked about (19 of them unanswerable details of it); the other
# ended in "and" ("between the human and model distributions").
_PHRASE_NAMED_LOWER = re.compile(r"\b[Tt]he\s+((?:[a-z][\w-]*\s+){1,3}[a-z][\w-]*)\s+(?:paper|study|work|method|framework|approach"
                                 r"|model|benchmark|dataset)\b")
_PHRASE_END_WORDS = frozenset("and or of for to in on with the a an".split())


def _singular_words(text: str) -> str:
    return " ".join(w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w for w in text.split())


# A capitalised word that opens a sentence as its subject, before a verb in -s or a colon ("Liger converts a pretrained
# transformer …", "Platypus reads text …", "Titans: parameter count …"): a title's own name there is the paper named
# (dev-97: its answer took a second paper's sentence, as if no paper were named). Not "Liquid cooling …".
_OPENING_NAME = re.compile(r"(?:^|[.?!]\s+)\W*([A-Z][a-z]+)(?=(?:'s|’s)?\s*[:,]|\s+[a-z]+s\b)")


def _opening_names(query: str) -> list[str]:
    return _OPENING_NAME.findall(query)


def _add_sole_holder(out: list[str], key: str, titles: dict[str, list[str]]) -> None:
    """Append the id of the one paper whose (padded) title holds `key`, unless several or none do, or it is there."""
    pids = [pid for title, ids in titles.items() if key in title for pid in ids]
    if len(pids) == 1 and pids[0] not in out:
        out.append(pids[0])


def _title_key(title) -> str:
    """A title for exact comparison: case, punctuation and spacing folded."""
    text = title if isinstance(title, str) else next((t for t in title if t), "")
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


_SENTENCE_OPENERS = frozenset(("Our", "The", "A", "An", "This", "These", "We", "In", "Here", "Thus", "Therefore", "Finally"))


class HybridRetriever:
    """Dense + lexical search over one StoredIndex; create once, query many times."""

    def __init__(self, index: StoredIndex, embedder, candidates: int = 50, rrf_k: int = 60,
                 dense_weight: float = 1.0, lexical_weight: float = 1.0, fusion: str = "gated",
                 gate: tuple[float, float] | None = None, second=None, second_weight: float = SECOND_WEIGHT,
                 lexical_floor: float = LEXICAL_FLOOR, paper_mean_weight: float = PAPER_MEAN_WEIGHT,
                 title_name_weight: float = TITLE_NAME_WEIGHT, abstract_weight: float = ABSTRACT_WEIGHT,
                 field_terms: bool = True):
        self.index = index
        self.embedder = embedder
        self.second = second  # the mpnet embedder of a minilm+mpnet index, else None
        self.second_weight = second_weight
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.lexical_weight_max = lexical_weight
        self.fusion = fusion
        self.gate = gate or (GATE_WITH_SECOND if second is not None else GATE)
        self.lexical_floor = lexical_floor
        self.paper_mean_weight = paper_mean_weight
        self.title_name_weight = title_name_weight
        self.abstract_weight = abstract_weight
        self.field_terms = field_terms  # everyday words searched as the field's terms (rag.lay_terms; RAG_FIELD_TERMS)
        self._titles_by_name: dict[str, list[str]] | None = None
        self._titles_by_text: dict[str, list[str]] = {}
        self._titles_written: dict[str, dict[str, list[str]]] = {}  # a title's first words -> its forms -> paper ids
        self._titles_by_cased_name: dict[str, list[str]] = {}
        self._title_openings: dict[str, set[str]] = {}  # a title's first OPENING_TITLE_WORDS+ words -> paper ids
        self._singular_titles: dict[str, list[str]] | None = None  # whole title, plurals written singular -> ids
        self._authors = None
        self._name_casing: dict[str, str] | None = None
        self._papers_by_exact_name: dict[str, list[str]] | None = None
        self._spelled_out_names: dict[str, list[str]] | None = None

    # ------------------------------------------------------------ filters

    def allowed_papers(self, filters: Filters | None) -> set[str] | None:
        if filters is None or not filters.active():
            return None
        needle = (filters.title_contains or "").casefold()
        by_authors = frozenset().union(*(self.authors.papers(a) for a in filters.authors)) if filters.authors else None
        out = set()
        for paper in self.index.papers.briefs():
            if by_authors is not None and paper.paper_id not in by_authors:
                continue
            if filters.sources and not set(filters.sources) & set(paper.sources):
                continue
            if (filters.year_min or filters.year_max) and paper.year is None:
                continue
            if filters.year_min and paper.year < filters.year_min:
                continue
            if filters.year_max and paper.year > filters.year_max:
                continue
            if needle and needle not in paper.title.casefold():
                continue
            if filters.title_excludes and any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", paper.title, re.I)
                                              for word in filters.title_excludes):
                continue
            out.add(paper.paper_id)
        return out

    @property
    def authors(self):
        """The index's author names (rag.authors.AuthorIndex), read on first use."""
        if self._authors is None:
            from rag.authors import AuthorIndex

            self._authors = AuthorIndex(self.index.papers.author_lists())
        return self._authors

    @property
    def name_casing(self) -> dict[str, str]:
        """The corpus' technical names by lower-case key (rag.names.name_casing), built on first use."""
        if self._name_casing is None:
            from rag.names import name_casing, per_corpus

            is_word = getattr(self.embedder, "is_word", None)
            self._name_casing = per_corpus("name_casing", self.index.papers.texts(), lambda texts: name_casing(texts, is_word=is_word),
                                           variant=getattr(self.embedder, "id", type(self.embedder).__name__),
                                           store=getattr(self.index, "tables_dir", None), decode=dict)
        return self._name_casing

    def papers_naming(self, name: str) -> list[str]:
        """Ids of the papers whose title or abstract writes the technical name exactly so ("SCoRe", not
        "score"), built on first use."""
        if self._papers_by_exact_name is None:
            from rag.names import NAME

            by_name: dict[str, list[str]] = {}
            for paper_id, text in self.index.papers.texts_by_paper():
                for found in set(NAME.findall(text)):
                    by_name.setdefault(found, []).append(paper_id)
            self._papers_by_exact_name = by_name
        return self._papers_by_exact_name.get(name, [])

    # ------------------------------------------------------------ the retrievers

    def title_names(self, query: str, allowed: set[str] | None = None) -> list[str]:
        """Ids of the papers the query names: by a title it writes out (titles_written_in), or by their
        own name (a title's lead before its colon: "GENOME: Generative ..." is GENOME's) as a technical
        name the query asks about; in the query's order. A name more than TITLE_NAME_MAX_TITLES papers
        share is skipped. Only a paper's own name counts: "MoE" in a question is not a lookup of "Uni-MoE: ..."."""
        from rag.names import capitalised_words, question_names, two_letter_words

        by_name, _, _, by_cased_name = self._title_maps()
        out = [pid for pid in self.titles_written_in(query) if allowed is None or pid in allowed]
        out += [pid for pid in self._phrase_named(query) if pid not in out and (allowed is None or pid in allowed)]
        for pids in [
            by_name.get(key, []) if len(key) >= 3 and not self._joined_name(name, key) else []
            for name, key in question_names(query, self.name_casing)
        ] + [by_cased_name.get(word, []) for word in capitalised_words(query) + two_letter_words(query) + _opening_names(query)]:  # "Compacter", "Titans": written as the title does
            if len(pids) <= TITLE_NAME_MAX_TITLES:
                out += [pid for pid in pids if pid not in out and (allowed is None or pid in allowed)]
        return out

    def _joined_name(self, name: str, key: str) -> bool:
        """Whether the question's hyphenated term ("vision-LLM") is only some paper's one-word own name ("VisionLLM")
        with its parts joined (rag.names.joins_a_term)."""
        from rag.names import joins_a_term, own_name

        if "-" not in name or not name[:1].islower():
            return False
        return any(joins_a_term(name, own_name(self.index.papers[pid].title) or "") for pid in self._title_maps()[0].get(key, []))

    def spelled_out_forms(self) -> dict[str, list[str]]:
        """A paper's own name as its abstract spells it out where it introduces it, folded -> ids: "We present
        Generation Chain-of-Thought (GoT)" makes "generation chain-of-thought" GoT's ("Our", "The" … before it
        dropped); so does a title's lead of several capitalised words ("Quantized Side Tuning: …"). A question
        that writes the long form names the paper as surely as one that writes "GoT"; MiniLM put another
        paper first."""
        from rag.names import own_name

        if self._spelled_out_names is None:
            found: dict[str, list[str]] = {}
            for paper_id, title, abstract in self.index.papers.titles_and_abstracts():
                name = own_name(title)
                if name and len(words := re.findall(r"[\w-]+", name)) > 1 and all(w[:1].isupper() for w in words):
                    # a title that goes by several words ("Quantized Side Tuning: Fast and …"), written out
                    found.setdefault(" ".join(words).casefold(), []).append(paper_id)
                if not name or len(name.split()) > 1:
                    continue
                for m in re.finditer(rf"((?:[A-Z][\w-]*\s+(?:(?:of|for|and|with|to|in|on)\s+)?){{1,6}}[A-Z][\w-]*)"
                                     rf"\s*\(\s*{re.escape(name)}\s*\)", abstract):
                    words = re.findall(r"[\w-]+", m.group(1))
                    while words and words[0] in _SENTENCE_OPENERS:
                        words = words[1:]
                    if len(words) >= 2:
                        pids = found.setdefault(" ".join(words).casefold(), [])
                        if paper_id not in pids:
                            pids.append(paper_id)
            self._spelled_out_names = found
        return self._spelled_out_names

    def spelled_out_names(self, query: str, allowed: set[str] | None = None) -> list[str]:
        """Ids of the papers whose own name the query writes out as their abstract or title spells it
        (spelled_out_forms), in the query's order. Retrieval puts them with the title-named papers, and the
        answer counts them as named ("Can you explain Ladder Side-Tuning and Quantized Side Tuning?")."""
        folded = " " + " ".join(re.findall(r"[\w-]+", query.casefold())) + " "
        out: list[str] = []
        found = sorted((folded.find(f" {phrase} "), phrase) for phrase in self.spelled_out_forms() if f" {phrase} " in folded)
        for _, phrase in found:  # in the query's order
            pids = self.spelled_out_forms()[phrase]
            if len(pids) <= TITLE_NAME_MAX_TITLES:
                out += [pid for pid in pids if pid not in out and (allowed is None or pid in allowed)]
        return out

    def _phrase_named(self, query: str) -> list[str]:
        """Ids of the papers a query names as "the <Title Case Words> paper / study / method …", when one title holds
        those words ("The Adaptive Prompting paper says …" for "Think Beyond Size: Adaptive Prompting for …", ranked
        third behind two papers dense retrieval put first, dev-95). On dev and the validation batches every such phrase
        that one title holds names the paper asked about (11 questions; 3 of them unanswerable details of it)."""
        _, by_title, _, _ = self._title_maps()
        out: list[str] = []
        for m in _PHRASE_NAMED.finditer(query):
            _add_sole_holder(out, f" {_title_key(m.group(1))} ", {f" {title} ": ids for title, ids in by_title.items()})
        return out

    def _lower_phrase_named(self, query: str) -> list[str]:
        """_phrase_named for a phrase in lower case, a plural written singular (_PHRASE_NAMED_LOWER)."""
        _, by_title, _, _ = self._title_maps()
        out: list[str] = []
        for m in _PHRASE_NAMED_LOWER.finditer(query):
            words = _title_key(m.group(1))
            if words.split()[-1] in _PHRASE_END_WORDS:
                continue
            if self._singular_titles is None:
                self._singular_titles = {f" {_singular_words(title)} ": ids for title, ids in by_title.items()}
            _add_sole_holder(out, f" {_singular_words(words)} ", self._singular_titles)
        return out

    def titles_written_in(self, query: str) -> list[str]:
        """Ids of the papers whose title the query writes out: in quotes ("What does \u201cLearning to
        Prompt for Vision-Language Models\u201d propose?"), or without them, whole or after its colon, in
        at least WRITTEN_TITLE_WORDS words ("TL;DR of the paper titled Scaling Data and Parameters for a
        Family of Multi-modal Large Language Models": it ends in "Models", and was answered as a keyword
        query for several papers)."""
        out: list[str] = []
        for pids in self._written_titles(query):
            if len(pids) <= TITLE_NAME_MAX_TITLES:
                out += [pid for pid in pids if pid not in out]
        return out

    def paper_titled(self, title: str):
        """The indexed paper with this title, as a reference list writes it: case, punctuation and
        LaTeX braces aside, or within a few characters (a typo, a dropped hyphen); None if none is."""
        import difflib

        _, by_title, _, _ = self._title_maps()
        key = _title_key(title)
        ids = by_title.get(key) or next((by_title[k] for k in difflib.get_close_matches(key, list(by_title), n=1, cutoff=TITLE_MATCH_RATIO)), [])
        return self.index.papers[ids[0]] if len(ids) == 1 else None

    def _written_titles(self, query: str) -> list[list[str]]:
        _, by_title, written, _ = self._title_maps()
        keys = [_title_key(q) for q in _QUOTED.findall(query)]
        words = _title_key(query).split()
        padded = f" {' '.join(words)} "
        typed = [pids for i in range(len(words) - WRITTEN_TITLE_WORDS + 1)
                 for key, pids in written.get(" ".join(words[i:i + WRITTEN_TITLE_WORDS]), {}).items()
                 if f" {key} " in padded]
        # A title's first words in quotes ("What does 'The Ultimate Guide to Fine-Tuning LLMs' say …?", "In 'Stack
        # Over-Flowing with Results', …"): the one title that opens so. The first was answered from "Unveiling the
        # Secret Recipe: A Guide For …", the second from "Stacking Your Transformers: …", both ranked first.
        opened = [[pid for title, pids in by_title.items() if title.startswith(key + " ") for pid in pids]
                  for key in keys if key.count(" ") >= QUOTED_TITLE_WORDS - 1 and key not in by_title]
        whole = [by_title.get(key, []) for key in keys if key.count(" ") >= 1]
        return whole + [pids for pids in opened if len(pids) == 1] + typed + self._opening_written(query, by_title)

    def _opening_written(self, query: str, by_title: dict[str, list[str]]) -> list[list[str]]:
        """The one title that opens with the words before a comma or the question's end, unquoted, from a capital on and
        at least OPENING_TITLE_WORDS long: "in A Survey on Large Language Models with some Insights, which medical exam
        benchmarks does it cite …" writes the first nine words of a title that goes on "… on their Capabilities and
        Limitations" (dev-119: answered, `strong`, from two healthcare surveys)."""
        found: list[list[str]] = []
        for end in re.finditer(r",|[?.!]?\s*$", query):
            before = query[:end.start()].split()
            for n in range(OPENING_TITLE_WORDS, min(len(before), 30) + 1):
                if not before[-n][:1].isupper():
                    continue
                key = _title_key(" ".join(before[-n:]))
                if key in by_title:
                    break  # (the whole title: _written_titles' own)
                if len(opened := self._title_openings.get(key, ())) == 1:
                    found.append(list(opened))
                    break
        return found

    def _title_maps(self):
        """Own name -> ids, whole title -> ids, a title's first words -> its written forms -> ids, and own
        names written with one leading capital ("Compacter"), as written -> ids."""
        from rag.names import norm, own_name

        if self._titles_by_name is None:
            by_name: dict[str, list[str]] = {}
            by_title: dict[str, list[str]] = {}
            written: dict[str, dict[str, list[str]]] = {}
            by_cased: dict[str, list[str]] = {}
            for brief in self.index.papers.briefs():
                if name := own_name(brief.title):
                    by_name.setdefault(norm(name), []).append(brief.paper_id)
                    if re.fullmatch(r"[A-Z][a-z]+", name):
                        by_cased.setdefault(name, []).append(brief.paper_id)
                by_title.setdefault(_title_key(brief.title), []).append(brief.paper_id)
                for key in _written_title_keys(brief.title):
                    lead = " ".join(key.split()[:WRITTEN_TITLE_WORDS])
                    written.setdefault(lead, {}).setdefault(key, []).append(brief.paper_id)
            # a title's openings of OPENING_TITLE_WORDS words or more, short of the whole -> ids (_opening_written)
            openings: dict[str, set[str]] = {}
            for title, pids in by_title.items():
                words = title.split()
                for n in range(OPENING_TITLE_WORDS, len(words)):
                    openings.setdefault(" ".join(words[:n]), set()).update(pids)
            self._title_openings = openings
            self._titles_by_name, self._titles_by_text, self._titles_written = by_name, by_title, written
            self._titles_by_cased_name = by_cased
        return self._titles_by_name, self._titles_by_text, self._titles_written, self._titles_by_cased_name

    def listed_owners(self, query: str, allowed: set[str] | None = None) -> list[str]:
        """Ids of the papers a question lists by name ("Which of SPG, CoOp and PRE reports …?", "UnIVAL,
        OpenELM, MoMa: which …?"): for each name of a list (rag.names.listed_names), the paper whose title
        goes by it, else the one paper whose abstract introduces it (rag.ownership.owns); only when two or
        more names of one list have such a paper. Searched as one text, such a question found one or two of
        them ("Soft Prompt Generation (SPG)" and "Context Optimization (CoOp)" name theirs in the abstract).
        A comparison's names count as one list wherever they stand in it."""
        from rag.names import capitalised_words, listed_names, norm, question_names

        by_name = self._title_maps()[0]
        out: list[str] = []
        runs = listed_names(query, self.name_casing)
        if _SETS_SIDE_BY_SIDE.search(query) and not _MEASURES_AGAINST.search(query):
            # "Compare NesyCD, the neural-symbolic …, with CoOp, the prompt-learning …": the names a comparison
            # sets side by side, however much stands between them (searched as one text, CoOp's paper was not
            # among the 8 first; "contrast LACIE with the SAR paper, …" was refused with both papers first).
            named = [name for name, _ in question_names(query, self.name_casing)] + capitalised_words(query)
            runs.append(sorted(dict.fromkeys(named), key=query.find))
        for run in runs:
            found: list[str] = []
            for name in run:
                key = norm(name)
                titled = [pid for pid in by_name.get(key, []) if allowed is None or pid in allowed] if len(key) >= 3 else []
                if len(titled) == 1:
                    found.append(titled[0])
                    continue
                writing = self.papers_naming(name) if len(key) >= 3 else []
                owners = [pid for pid in writing if (allowed is None or pid in allowed)
                          and owns(self.index.papers[pid], key, by_title=False, naming=NAMING_CUES)]
                if len(owners) == 1:
                    found.append(owners[0])
            found = list(dict.fromkeys(found))
            if len(found) >= 2:
                out += [pid for pid in found if pid not in out]
        return out

    def named_owners(self, query: str, allowed: set[str] | None = None) -> list[str]:
        """Ids of the papers whose abstract introduces a name of the query written in mixed case whose
        lower-case form is a word the corpus uses ("SCoRe": "score" is in 55 of the seeds' chunks, so
        neither BM25 nor MiniLM singles it out), written exactly so; not a paper that only uses it ("Which
        paper proposed CoCa?" must not find Mug-STAN, which adapts it), and only when one paper does. Not an
        acronym in capitals: "GLUE" is "owned" by "we present Adversarial GLUE", and the corpus' word ("apps")
        may be what is asked. The name is one at most TITLE_NAME_MAX_TITLES abstracts write."""
        from rag.names import question_names

        out: list[str] = []
        for name, key in question_names(query, self.name_casing):
            writing = self.papers_naming(name) if len(key) >= 3 and key not in self.name_casing and _MIXED_CASE.search(name) else []
            if len(writing) > TITLE_NAME_MAX_TITLES:
                continue  # a name several abstracts write ("MoE", "CoOp") is no question's pointer to one paper
            owners = [pid for pid in writing if (allowed is None or pid in allowed) and owns(self.index.papers[pid], key, by_title=False)]
            out += owners if len(owners) == 1 and owners[0] not in out else []
        return out

    def dense(self, query: str, n: int, allowed: set[str] | None = None) -> tuple[list[tuple[str, float]], dict[str, float]]:
        """(chunk_id, MiniLM cosine similarity) of every chunk of the papers the nearest `n` chunks
        belong to, grouped by paper, papers best first (best chunk + PAPER_MEAN_WEIGHT × mean of
        the paper's chunks), chunks best first within a paper. With a second embedder a chunk's
        closeness is the weighted sum of both cosines, but each chunk still reports its MiniLM
        cosine: the evidence model downstream was fitted on that scale. Also each paper's score."""
        if allowed is not None and not allowed:
            return [], {}
        text = dense_query_text(query)
        vector = self.embedder.embed_query(text)
        cos1 = dict(self.index.nearest(vector, n, allowed))
        cos2: dict[str, float] = {}
        other = None
        if self.second is not None:
            other = self.second.embed_query(text)
            cos2 = dict(self.index.nearest(other, n, allowed, second=True))
        papers = dict.fromkeys(self.index.chunks.paper_of(c) for c in [*cos1, *cos2])
        if self.paper_mean_weight:
            candidates = [c for pid in papers for c in self.index.chunks.of_paper(pid)]
        else:
            candidates = list(dict.fromkeys([*cos1, *cos2]))
        # Chunks a collection did not rank: their exact cosine, from the stored vectors (a missing
        # one would otherwise count as 0 and sink good chunks or papers).
        cos1.update(self.index.similarities(vector, [c for c in candidates if c not in cos1]))
        if other is not None:
            cos2.update(self.index.similarities(other, [c for c in candidates if c not in cos2], second=True))
        closeness = {c: cos1[c] + self.second_weight * cos2[c] if other is not None else cos1[c]
                     for c in candidates if c in cos1 and (other is None or c in cos2)}
        by_paper: dict[str, list[str]] = {}
        for c in sorted(closeness, key=lambda c: -closeness[c]):
            by_paper.setdefault(self.index.chunks.paper_of(c), []).append(c)

        # With the second embedder, also each paper's mpnet closeness as a whole abstract.
        whole = self.index.abstract_similarities(other, list(by_paper)) if other is not None and self.abstract_weight else {}

        def paper_score(chunk_ids: list[str]) -> float:
            best = closeness[chunk_ids[0]]
            mean = sum(closeness[c] for c in chunk_ids) / len(chunk_ids)
            return best + self.paper_mean_weight * mean + self.abstract_weight * whole.get(self.index.chunks.paper_of(chunk_ids[0]), 0.0)

        ranked = sorted(by_paper.values(), key=paper_score, reverse=True)
        return [(c, cos1[c]) for chunk_ids in ranked for c in chunk_ids], {
            self.index.chunks.paper_of(ids[0]): paper_score(ids) for ids in ranked}

    def _closeness(self, query: str, paper_ids: list[str]) -> dict[str, float]:
        """The MiniLM cosine of each paper's best chunk, for papers only BM25 found (one read of the
        stored vectors for all of them): their similarity is unknown to the dense list, not 0 (as 0
        it read as irrelevant to the relevance and evidence models: a gold paper BM25 ranked 6th for
        a compare topic got P(relevant) 0.000)."""
        chunk_ids = [c for pid in paper_ids for c in self.index.chunks.of_paper(pid)]
        if not chunk_ids:
            return {}
        vector = self.embedder.embed_query(dense_query_text(query))  # cached: the one dense() embedded
        best: dict[str, float] = {}
        for cid, cosine in self.index.similarities(vector, chunk_ids).items():
            pid = self.index.chunks.paper_of(cid)
            best[pid] = max(best.get(pid, -1.0), cosine)
        return {pid: round(v, 4) for pid, v in best.items()}

    def lexical(self, query: str, n: int, allowed: set[str] | None = None) -> tuple[list[tuple[str, float]], float]:
        """(chunk_id, bm25 score) best first, and the match strength in [0, 1]."""
        mask = None
        if allowed is not None:
            mask = self.index.lexical.rows_for(self.index.chunks.ids_of_papers(allowed))
        return self.index.lexical.search_with_strength(query, n, mask)

    def lexical_weight(self, strength: float, topic: bool = False) -> float:
        """Trust BM25 only as far as its best match is specific (see LexicalIndex.search_with_strength).

        Measured on eval/data: paraphrased questions score 0.09-0.23, questions that reuse
        a paper's own words 0.45-0.91. Below the ramp BM25 is noise that would outvote dense.
        A topic (a question about several papers) keeps at least TOPIC_LEXICAL_VOTE of a full vote.
        """
        if self.fusion == "rrf":
            return self.lexical_weight_max
        low, high = self.gate
        gated = self.lexical_weight_max * min(1.0, max(0.0, (strength - low) / (high - low)))
        return max(gated, self.lexical_weight_max * TOPIC_LEXICAL_VOTE) if topic else gated

    # ------------------------------------------------------------ fusion

    def _strength(self, query: str, d: "_Ranked | None", lx: "_Ranked | None") -> float:
        """How closely a paper matches, breaking a tie of fused scores: a paper first in one list
        and absent from the other ties with the other list's first. The stronger match wins (cosine
        of its best chunk, or the share of the query's weighted words in its best BM25 chunk), not
        the paper id: "Which paper introduced NF4?" has a dense first at cosine 0.21 (MiniLM does
        not know the name) and a BM25 first holding 82% of the query's weight."""
        return max(d.score if d else 0.0, self.index.lexical.coverage(query, lx.chunks[0]) if lx else 0.0)

    def field_terms_note(self, query: str) -> str | None:
        """What the reader is told of the everyday words `search` reads as the field's terms ('Searched “chatbots” as
        “large language models” …'); None when nothing is rewritten or the setting is off (RAG_FIELD_TERMS)."""
        return _field_terms_note(query) if self.field_terms else None

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: str = "hybrid",
               topic: bool = False) -> list[Hit]:
        """The top `k` papers for `query`; mode is 'hybrid', 'dense' or 'lexical'. Everyday words are
        searched as the field's terms ("chatbots" as "large language models": rag.lay_terms) by both rankings;
        the names and titles a question writes are read as written ("… for Vietnamese Chatbot" is a title).
        `topic`: the query asks for several papers (see TOPIC_LEXICAL_FLOOR)."""
        written = check_query(query)
        query = in_field_terms(written) if self.field_terms else written
        allowed = self.allowed_papers(filters)
        n = max(self.candidates, k * 3)
        # BM25 runs on a second thread while the query is embedded and Chroma searched: both of
        # those release the GIL, so on 2 cores hybrid costs little more than dense alone.
        pending = _lexical_thread().submit(self.lexical, query, n, allowed) if mode == "hybrid" else None
        dense_hits, dense_scores = self.dense(query, n, allowed) if mode != "lexical" else ([], {})
        dense = _per_paper(dense_hits, self.index.chunks, allowed)
        if pending is not None:
            lexical_hits, strength = pending.result()
        else:
            lexical_hits, strength = self.lexical(query, n, allowed) if mode != "dense" else ([], 0.0)
        # Every paper BM25 matched keeps its lexical coverage (a signal of the evidence and relevance
        # models); only those near BM25's best vote in the fusion (`lexical`).
        matched = _per_paper(lexical_hits, self.index.chunks, allowed)
        if mode == "hybrid" and lexical_hits:
            best = lexical_hits[0][1]
            floor = TOPIC_LEXICAL_FLOOR if topic else self.lexical_floor
            lexical_hits = [(c, score) for c, score in lexical_hits if score >= floor * best]
        lexical = _per_paper(lexical_hits, self.index.chunks, allowed)
        titled = self.title_names(written, allowed) if mode == "hybrid" and self.title_name_weight else []
        if mode == "hybrid" and self.title_name_weight:  # "Generation Chain-of-Thought": GoT's, as "GoT" would be
            titled += [pid for pid in self.spelled_out_names(written, allowed) if pid not in titled]
        scores = rrf_scores(
            [*((weight, ((pid, e.rank) for pid, e in ranking.items()))
               for weight, ranking in ((self.dense_weight, dense), (self.lexical_weight(strength, topic), lexical))),
             (self.title_name_weight, ((pid, rank) for rank, pid in enumerate(titled, start=1)))],
            self.rrf_k,
        )
        if mode == "dense":
            scores = {pid: dense_scores[pid] for pid in dense}
        elif mode == "lexical":
            scores = {pid: e.score for pid, e in lexical.items()}
        if mode == "dense":  # in the dense ranking's own order (by combined score, with two embedders)
            ordered = sorted(dense, key=lambda pid: dense[pid].rank)[:k]
        else:
            rounded = {pid: round(v, 12) for pid, v in scores.items()}
            ties = Counter(rounded.values())
            ordered = sorted(scores, key=lambda pid: (
                -rounded[pid],
                -self._strength(query, dense.get(pid), lexical.get(pid)) if ties[rounded[pid]] > 1 else 0.0,
                pid,
            ))
            if mode == "hybrid" and self.title_name_weight and (phrased := [pid for pid in self._lower_phrase_named(written)
                                                                            if pid in scores]):
                # "the adaptive computation module paper", in lower case: first among the candidates, its score kept
                # (fused as a name, it stood so far above the rest that a second paper a question compares it with
                # lost its place in the answer), and not taken as a name by the rules that read title_names (asked of
                # it alone, unanswerable details were answered in part, `weak`, not refused)
                ordered = phrased + [pid for pid in ordered if pid not in phrased]
            ordered = ordered[:k]
        if mode == "hybrid" and k >= 2:
            # The paper that introduces a name spelled like a common word, when nothing ranked it in the top k,
            # takes the last place ("SCoRe vs RAIN": SCoRe's paper was not among the 10 first). Ranked higher,
            # in the title-name list, it moved dev questions and the evidence model's refit.
            missing = [pid for pid in self.named_owners(written, allowed) if pid not in ordered][: k - 1]
            ordered = ordered[: k - len(missing)] + missing if missing else ordered
            # ... and so do the papers a question lists by name that nothing ranked there.
            listed = self.listed_owners(written, allowed)
            missing = [pid for pid in listed if pid not in ordered][: max(0, k - 1)]
            if missing:  # in place of the last papers not listed (the first stays)
                ordered = list(ordered)
                while len(ordered) + len(missing) > k and (spare := [i for i, pid in enumerate(ordered) if i and pid not in listed]):
                    ordered.pop(spare[-1])
                ordered = (ordered + missing)[:k]
        unranked = self._closeness(query, [pid for pid in ordered if pid not in dense]) if mode == "hybrid" else {}
        hits = []
        for rank, pid in enumerate(ordered, start=1):
            chunk_ids: list[str] = []
            for ranking in (dense, lexical):
                for cid in ranking.get(pid, _Ranked(0, 0.0, [])).chunks:
                    if cid not in chunk_ids:
                        chunk_ids.append(cid)
            d, lx, m = dense.get(pid), lexical.get(pid), matched.get(pid)
            closeness = round(d.score, 4) if d else unranked.get(pid)
            hits.append(
                Hit(
                    paper=self.index.papers[pid],
                    score=round(scores.get(pid, 0.0), 6),
                    rank=rank,
                    chunks=tuple(self.index.chunks[c] for c in chunk_ids[:3]),
                    dense_rank=d.rank if d else None,
                    lexical_rank=lx.rank if lx else None,
                    dense_score=closeness,
                    lexical_coverage=round(self.index.lexical.coverage(query, m.chunks[0]), 3) if m else None,
                )
            )
        return hits
