"""Whether a paper owns a name: introduces it ("we propose Context Optimization (CoOp)") rather than uses it
("compared to CoOp"). Read by the evidence signals, lookup, comparisons and retrieval's name list.
"""

from __future__ import annotations

import re

from rag.names import NAME, norm, own_name
from rag.text import CONTRIBUTION, split_sentences
from rag.types import Paper

_TOKEN_SPLIT = re.compile(r"[\s:,/()]+")
# Cues after which a sentence names what the paper brings ("we propose X", "a method called X"), and
# before which it does ("X, a new data type"); how far from the cue the name may stand, in tokens.
_NAMES_NEXT = re.compile(r"\b(?:called|named|dubbed|termed|coined|introduces|proposes)\b", re.I)
# ... and more ways abstracts name what they introduce ("namely Soft Prompt Generation (SPG)", "an
# approach we term SquareHead", "We call this architecture a Pointer Net (Ptr-Net)", "which we name
# Guanaco", "is referred to as Prompt Tuned Embedding Classification (PTEC)", "we refer to … as"), read where a user names
# the papers to compare (rag.compare) or asks who introduced a name (rag.lookup). The evidence model's
# signals keep the cues it was fitted with.
NAMING_CUES = re.compile(rf"{_NAMES_NEXT.pattern}|\bnamely\b|\bwe term\b|\bwhich we (?:call|name)\b"
                         # "We refer to GPT-3 and its successor OpenAI models … as GPT-3 family large language models (GLLMs)"
                         r"|\bwe (?:refer to|denote)\b[^.;]{1,120}?\bas\b"
                         r"|\bwe (?:call|name) (?:this|these|such|our|the|it|them)\b|\b(?:is|are) referred to as\b", re.I)
_NEW = re.compile(r"\b(?:new|novel)\b")  # lower case: not "accuracy on New classes"
_APPOSITIVE_NEW = re.compile(r"(?:,|\s+is|\s+as)?\s+an?\s+(?:new|novel)\b", re.I)
OWN_AFTER, OWN_BEFORE = 15, 3
# A name right after one of these words is used, not introduced: "… produced by Florence-2",
# "outperforms GPT-4", "fine-tuned with LoRA", "on MS-COCO", "compared to CoOp"; and after "in", "of", "for":
# "we propose a memory saving technique that allows clipping in DP-SGD …" had made DP-SGD that paper's own, and
# "Which paper proposed DP-SGD?" was answered from it. Of the 458 names at most 2 papers write that some abstract
# owned, 12 lose it: 10 rightly ("Model Training in Fed-LT (FedLoGe)", "the potential of s-MLLM", "for E2E"), GLLMs
# ("… as GPT-3 family large language models (GLLMs)") wrongly, UL2 (its title's) to no effect. With optimizers read
# as no model (rag.evidence._OPTIMIZER), which one refusal had rested on, 3 unanswerable answers on dev and the
# tuning batches are refused or hedged that were not, and no answer moves the other way
# (eval/results/validation_session48.json, tags comb -> fin48; eval/results/session48_dropped.json).
_USED_AFTER = frozenset(
    "by using use uses used with from than to like e.g. via versus vs vs. over on against outperforms outperform in of for "
    "surpasses including such leveraging leverages leverage utilizing adopting employing applying".split())
_ARTICLES = frozenset("the a an".split())  # "… by leveraging the Mixture-of-Depths (MoD) mechanism": still used


# A title name right after one of these is where the paper starts from or what it measures against, not
# what it brings: "From GaLore to WeLore: ..." is WeLore's paper, "A History from BERT to ChatGPT" a survey.
_TITLE_POINTS_AT = frozenset("from beyond than vs vs. versus unlike against".split())


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(text) if t]


# Past one of these, a sentence lists examples of what exists, not what it brings: "The report examines
# novel approaches like PPO and DPO" introduces neither.
_EXAMPLES_FOLLOW = frozenset("like e.g. e.g".split())


def _names_here(tokens: list[str], key: str) -> bool:
    """Whether `key` is one of `tokens`, before any word that starts a list of examples, and not right
    after a word that marks it as used."""
    for i, t in enumerate(tokens):
        if t.casefold() in _EXAMPLES_FOLLOW:
            return False
        before = [w.casefold() for w in tokens[max(0, i - 2):i]]
        if before and before[-1] in _ARTICLES:
            before = before[:-1]
        if norm(t) == key and not (before and before[-1] in _USED_AFTER):
            return True
    return False


def owns(paper: Paper, key: str, by_title: bool = True, naming: re.Pattern = _NAMES_NEXT) -> bool:
    """The paper owns a name when its title has it (not as where it starts from: "From X to Y"), or one
    of its sentences proposes or names it:
    the name stands just after "we propose / introduce …", "called", "dubbed", "a new / novel" … (not
    as something used: "produced by X"), just before ", a new / novel …", or opens a sentence with
    "X introduces".
    A name merely mentioned in such a sentence is not owned: "We present Florence-VL, a new family
    of MLLMs with representations produced by Florence-2" introduces Florence-VL, not Florence-2."""
    title = _tokens(paper.title) if by_title else []
    if any(norm(t) == key and not (i and title[i - 1].casefold() in _TITLE_POINTS_AT) for i, t in enumerate(title)):
        return True  # whole words: LQ-LoRA does not own LoRA
    for sentence in split_sentences(paper.abstract):
        cues = [*CONTRIBUTION.finditer(sentence), *naming.finditer(sentence)]
        if any(_names_here(_tokens(sentence[m.end():])[:OWN_AFTER], key) for m in (*cues, *_NEW.finditer(sentence))):
            return True
        if any(norm(t) == key for t in _tokens(sentence)[:2]) and any(len(_tokens(sentence[: m.end()])) <= 4 for m in cues):
            return True  # "X introduces …", "X proposes …"
        for m in _APPOSITIVE_NEW.finditer(sentence):  # "X, a new …", "X is a novel …"
            if key in {norm(t) for t in _tokens(sentence[: m.start()])[-OWN_BEFORE:]}:
                return True
    return False


# Words before a name that make it part of a description of what is brought, not the thing brought.
_DESCRIPTION_WORDS = frozenset("a an of this these such".split())


def names_first(paper: Paper, key: str) -> bool:
    """The stricter test for a name many abstracts use (LoRA, CLIP): the paper's title names it, or a sentence's first
    technical name after "we propose / introduce / called …" is it. "We introduce a new approach called FLORA that
    enables … LoRA adapters" introduces FLORA, not LoRA, though LoRA stands within `owns`' window."""
    if norm(own_name(paper.title) or "") == key:
        return True
    for sentence in split_sentences(paper.abstract):
        for m in (*CONTRIBUTION.finditer(sentence), *NAMING_CUES.finditer(sentence)):
            first = NAME.search(sentence, m.end())
            between = _tokens(sentence[m.end():first.start()]) if first else []
            # (not inside a description: "we introduce a novel … CLIP adapting framework named …" brings the framework,
            # "three … versions of distilled BERT models" BERT's versions, "We term this … ViT paradigm IML-ViT" IML-ViT)
            if first and norm(first.group(0)) == key and len(between) < OWN_AFTER \
                    and not {t.casefold() for t in between} & _DESCRIPTION_WORDS:
                return True
    return False


def phrase_pattern(phrase: str) -> re.Pattern:
    """The phrase as whole words, in any case ("Diffusion Policy" in "… such as diffusion policy.")."""
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.I)


def owns_phrase(paper: Paper, phrase: str) -> bool:
    """`owns` for a name of several words ("Diffusion Policy", "Quantized Side Tuning"): the title has it,
    or an abstract sentence brings it: within OWN_AFTER tokens after a cue ("we propose", "called", "a
    novel"), not right after a word that marks it as used, with no list of examples between; or just
    before ", a new …". "… outperform imitation learning methods such as Diffusion Policy" uses it."""
    pattern = phrase_pattern(phrase)
    if pattern.search(paper.title):
        return True
    for sentence in split_sentences(paper.abstract):
        for m in pattern.finditer(sentence):
            if _APPOSITIVE_NEW.match(sentence, m.end()):
                return True
            cues = [c for c in (*CONTRIBUTION.finditer(sentence), *NAMING_CUES.finditer(sentence), *_NEW.finditer(sentence))
                    if c.end() <= m.start()]
            for cue in cues:
                between = [t.casefold() for t in _tokens(sentence[cue.end():m.start()])]
                if len(between) > OWN_AFTER or _EXAMPLES_FOLLOW & set(between):
                    continue
                lead = [t for t in between if t not in _ARTICLES]
                if not (lead and (lead[-1] in _USED_AFTER or lead[-2:] == ["such", "as"])):
                    return True
    return False

