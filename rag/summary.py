"""Requests for a paper's summary: "Summarise the QLoRA paper in two sentences.", "TL;DR of the paper
titled …", "What is RankGen about?", "Give me the key contribution of X", "Explain X like I'm new to it",
"What is QLoRA? And what is RankGen?".

Why: an abstract is its paper's own summary, but such a request shares few words with any one of its
sentences. Scored like a question, "Summarise the QLoRA paper in two sentences." came out `weak` and
was answered with one result sentence. Asked of papers the request names (by their own name or their
title), the answer is each abstract's contribution, then how it works, then what it found, and the
evidence is the papers themselves. Pure string work over the paper's sentences; nothing here names a paper.
"""

from __future__ import annotations

import re

from rag.extractive import ScoredSentence
from rag.lexical import tokenize
from rag.sentence_rank import FIRST_PERSON, METHOD_VERB, NUMBER, PROBLEM
from rag.text import CONTRIBUTION

# ("gist" in lower case or capitalised only: "GIST" is also a paper's name, and "Which datasets was GIST
# evaluated on?" is no summary request.)
ASKS_SUMMARY = re.compile(
    r"\b(?:summari[sz]e|summari[sz]ing|sum up|summary|summaries|tl;?\s?dr|(?-i:gist|Gist)|overview of|rundown|recap|in a nutshell"
    r"|explain|describe|eli5|key (?:contributions?|ideas?|points?|takeaways?)|main (?:contributions?|ideas?|points?|takeaways?)"
    r"|^\W*what(?:'s| is| are| was)\s+[^\s?]+\s*\?|\band what(?:'s| is| are| was)\s+[^\s?]+\s*\?"
    r"|what (?:is|'s|was) (?:it|the (?:paper|work|study))? ?about|(?:is|'s|was) (?:the (?:paper|work) )?[\w\s'\".:-]{0,120}? about\s*\??\s*$)",
    re.I,
)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a single": 1, "a": 1}
_LENGTH = re.compile(r"\bin (one|two|three|four|five|a single|a|\d) (?:short )?(?:sentences?|lines?|bullets?|bullet points?|points?)\b", re.I)
DEFAULT_SENTENCES = 3
PER_PAPER_SENTENCES = 2  # "Summarise QLoRA and RankGen": what each contributes and what it found
MAX_SENTENCES = 5
_RESULT = re.compile(r"\b(?:outperform\w*|achiev\w*|improv\w*|surpass\w*|reduc\w*|state-of-the-art|results? (?:show|demonstrate)"
                     r"|we (?:show|find|found|demonstrate|observe)|matches|yields?)\b", re.I)


# Words of a summary request that ask for nothing beyond the paper ("Give me a short summary of the paper").
_REQUEST_WORDS = frozenset(tokenize(
    "summarise summarize summary summaries sum up tldr tl dr gist overview rundown recap nutshell explain describe eli5 "
    "key main contribution contributions idea ideas point points takeaway takeaways about paper work study article "
    "give me tell us please short brief quick simple plain terms words sentence sentences line lines bullet bullets "
    "one two three four five single like new field newcomer beginner five-year-old year old"))
MAX_OTHER_WORDS = 1  # "Explain how QLoRA saves memory" asks more than a summary: "saves", "memory"
# "Explain the difference between QLoRA and LQ-LoRA" asks for a comparison, not two summaries.
COMPARES = re.compile(r"\b(?:differ\w*|compar\w*|vs\.?|versus|better|worse|contrast\w*|similar\w*|relat\w*)\b", re.I)


# Cues that ask for the summary whatever else the request says of the paper: "What's the main contribution
# of ALMA, the LLM-based translator?" describes the paper it names; "Explain how QLoRA saves memory" asks more.
_ONLY_SUMMARY = re.compile(
    r"\b(?:summari[sz]e|summary|sum up|tl;?\s?dr|(?-i:gist|Gist)|overview of|rundown|recap|in a nutshell"
    r"|(?:key|main) (?:contributions?|ideas?|points?|takeaways?))\b", re.I)


def asks_only_summary(question: str) -> bool:
    """A request for a summary and nothing else ("Give me the gist of the work on …"), not a comparison."""
    return bool(_ONLY_SUMMARY.search(question)) and not COMPARES.search(question)


def asks_summary(question: str, title: str, abstract: str = "") -> bool:
    """Whether the question asks for the summary of the paper titled `title` (which it names) and
    nothing more: a summary cue, and at most MAX_OTHER_WORDS content words beyond the title's and
    the request's own; with a cue that asks for nothing but the summary (_ONLY_SUMMARY), words of the
    paper's `abstract` describe the paper and do not count either."""
    if not ASKS_SUMMARY.search(question) or COMPARES.search(question):
        return False
    own = set(tokenize(title)) | (set(tokenize(abstract)) if _ONLY_SUMMARY.search(question) else set())
    return sum(1 for w in tokenize(question) if w not in own and w not in _REQUEST_WORDS) <= MAX_OTHER_WORDS


# A search-box query: a few words, no question, no request ("qlora memory 65b", "apr donor code mask prediction").
KEYWORD_WORDS = 6
_ASKING = re.compile(r"^\W*(?:how|what|which|why|where|when|who|whose|does|do|did|is|are|was|were|can|could|should|would"
                     r"|will|has|have|any|give|tell|list|show|find|explain|describe|summari[sz]e|compare|name|i|we|please)\b"
                     r"|\b(?:vs\.?|versus|or|and)\b", re.I)


def is_keyword_query(question: str) -> bool:
    """A few words typed as into a search box: answered, when one paper alone is relevant, with that
    paper's summary (dev-18: its 8 keyword queries held 3.0 of their key facts quoted by closeness to
    the keywords, 6.0 as the paper's summary; a one-off reading, the batch that prompted it)."""
    words = question.split()
    return (0 < len(words) <= KEYWORD_WORDS and not re.search(r"[?:]", question) and not _ASKING.search(question)
            and all(re.fullmatch(r"[\w.+-]+", w, re.ASCII) for w in words))


def summary_length(question: str, papers: int = 1) -> int:
    """How many sentences (each paper's, of `papers`) the request asks for ("in two sentences"), else
    DEFAULT_SENTENCES for one paper and PER_PAPER_SENTENCES each for several."""
    m = _LENGTH.search(question)
    if not m:
        return DEFAULT_SENTENCES if papers == 1 else PER_PAPER_SENTENCES
    word = m.group(1).casefold()
    return max(1, min(MAX_SENTENCES, int(word) if word.isdigit() else _COUNT_WORDS[word]))


def summary_sentences(scored: list[ScoredSentence], n: int = DEFAULT_SENTENCES, name: str | None = None) -> list[ScoredSentence]:
    """Up to `n` sentences of one paper (`scored`: its sentences), in abstract order: what the paper
    contributes (its first "we propose …" sentence, else the first that writes its own `name`, else the
    first in which the paper speaks of itself and states no problem), how (the next sentence that says
    by what means), and what it found (a result, one with a number first); further ones fill in
    abstract order after the contribution."""
    ordered = sorted(scored, key=lambda s: s.position)
    if not ordered:
        return []
    # ("We answer this in the affirmative and propose TART …" is no "we propose" to CONTRIBUTION; the
    # first sentence that was not a problem statement was "In contrast, traditional adaptation …".)
    lead = next((s for s in ordered if CONTRIBUTION.search(s.text)), None)
    lead = lead or next((s for s in ordered if name and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", s.text)), None)
    lead = lead or next((s for s in ordered if FIRST_PERSON.search(s.text) and not PROBLEM.search(s.text)), ordered[0])
    after = [s for s in ordered if s.position > lead.position]
    method = next((s for s in after if METHOD_VERB.search(s.text) and not _RESULT.search(s.text)), None)
    results = [s for s in after if _RESULT.search(s.text) and s is not method]
    result = next((s for s in results if NUMBER.search(s.text)), None) or next(iter(results), None)
    picked = [lead] + ([result] if n == 2 and result else [s for s in (method, result) if s])
    picked += [s for s in after if all(s is not p for p in picked)]
    return sorted(picked[:n], key=lambda s: s.position)
