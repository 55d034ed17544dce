"""Plain-text helpers shared by chunking, lexical search and (later) answer building."""

from __future__ import annotations

import re
from typing import Sequence

# Abbreviations after which a period does not end a sentence ("et al." is checked as two words;
# dotted initialisms such as "e.g.", "i.e.", "U.S.", "non-I.I.D." by _INITIALISM). "etc." is not
# here: in abstracts it ends a list, and when a capital follows it ended the sentence every time.
# Words that point back at something said before ("which datasets did they use?", "how does it work?").
POINTS_BACK = re.compile(r"\b(they|them|their|theirs|it|its|this|that|these|those|the (?:paper|papers|method|methods|authors|approach|model))\b", re.I)
_NO_BREAK = frozenset(("cf", "fig", "figs", "eq", "eqs", "no", "approx", "resp", "incl", "vs", "sec", "tab", "ref", "refs"))
_INITIALISM = re.compile(r"(?:^|-)(?:[a-z]\.)+[a-z]$")
# A sentence ends at . ! or ? (closing quotes/brackets may follow) before a capital, a digit, an
# opening quote or bracket, or a list marker such as "(b) ".
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]”’]{0,2}\s+(?=[\"'(\[“‘`]?[A-Z0-9$\\]|\((?:[a-z]|[ivx]{1,4})\)\s)")


def no_break_before(candidate: str) -> bool:
    """Whether `candidate` (text up to a period and a space) ends in an abbreviation, not a sentence."""
    if not candidate.endswith("."):
        return False
    words = candidate.rsplit(" ", 2)
    tail = words[-1].lstrip("([{\"'").rstrip(".!?").casefold()
    if tail in _NO_BREAK or len(tail) == 1 and tail.isalpha():
        return True  # "Fig." / "vs." / an initial such as "J."
    if tail == "al" and len(words) > 1 and words[-2].casefold().lstrip("([{\"'") == "et":
        return True  # "Smith et al. (2020)"
    return _INITIALISM.search(tail) is not None  # "e.g." / "i.e." / "U.S." / "non-I.I.D."


def split_sentences(text: str) -> list[str]:
    """Split an abstract into sentences without breaking on 'e.g.', 'et al.', decimals or URLs."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if no_break_before(text[start : match.start()].rstrip()):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


# Scripts written without spaces (Chinese, Japanese): each character stands alone, so a Latin name
# typed right against them ("QLoRA是如何在单个GPU上…") is a word of its own, not one long "name".
_UNSPACED = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f])")


def space_unspaced_scripts(text: str) -> str:
    """`text` with a space around every Chinese or Japanese character (unchanged without any)."""
    return _UNSPACED.sub(r" \1 ", text) if _UNSPACED.search(text) else text


# A question whether a paper's code, data or model is out ("Is the X dataset publicly available?", "Have
# the X authors released their model?", "Where can I download X's weights?"), and a sentence that says
# where it is ("The dataset is available at https://…", "We release all of our models and code").
ASKS_RELEASE = re.compile(
    r"^\W*(?:is|are|was|were|has|have|had|did|does|do|will)\b[^?]{0,120}\b(?:available|released|release|open[- ]sourced?|public"
    r"|downloadable)\b[^?]{0,40}\??\s*$|\bwhere (?:can|do) (?:i|we|one) (?:find|get|download)\b[^?]{0,40}"
    r"\b(?:code|data(?:set)?|models?|weights|checkpoints?|implementation)\b",
    re.I,
)
# A web address in an abstract ("… at https://github.com/x/LLaMol"): not prose, and its path names no model the paper uses.
URL = re.compile(r"https?://\S+|\b[\w-]+\.github\.io\S*", re.I)
RELEASE_STATED = re.compile(r"\b(?:available|releas\w*|open[- ]sourc\w*|publicly)\b|https?://|github|hugging\s?face", re.I)


# A sentence that says where code, data or models are (a link), or that they are released, and nothing else: no
# answer's content (rag.extractive) and no comparison cell's (rag.compare).
RELEASE_ONLY = re.compile(
    r"^(code|our code|the code|data|models?|project page)\b.{0,60}\b(available|released|at)\b|https?://"
    # ... and a release of code or weights said in words, in a sentence saying nothing else: "We will publicly release
    # all the detailed implementations …", "Our implementations will be open sourced." (the fact model scored them as
    # an answer's content); not "We release a benchmark of 5k questions …", a contribution.
    r"|^\W*(?:we|the authors) (?:will )?(?:also )?(?:publicly |openly )?(?:release|open[- ]source)\s+(?:all (?:of )?)?(?:our |the )?"
    r"(?:detailed )?(?:(?:source )?code|models? and code|implementations?|model weights|weights|checkpoints)\b"
    r"|^(?=.{0,100}$)\W*(?:our |the |all )?(?:(?:source )?code|implementations?|model weights|weights|checkpoints)\b[^.]{0,40}"
    r"\b(?:is|are|will be|have been|has been) (?:made )?(?:publicly |freely |openly )?(?:available|released|open[- ]sourced)\b",
    re.I)


# Sentences that state a paper's own contribution ("we propose ...").
CONTRIBUTION = re.compile(
    r"\b(we|this (?:paper|work|study)|our (?:paper|work))\s+(?:\w+\s+){0,2}?"
    r"(propose|introduce|present|develop|design|release|build|construct|create|describe|formulate|devise|put forward|offer)",
    re.I,
)


# A question that asks where something comes from or what to cite for it: "Who proposed FedLoGe?", "Which
# paper should I cite for m2mKD?", "Where does the ACE++ editing model come from?", "… the original paper".
# "Who …", "Which paper / survey / team …" and up to 30 characters before the verb that says what they did.
WHO_DID = r"\b(?:who|which (?:paper|work|article|study|survey|review|publication|team|group|authors?))\b[^?.]{0,30}?"
ASKS_ORIGIN = re.compile(
    WHO_DID + r"\b(?:propos|introduc|came up with|come up with|creat|develop|invent|made|coin|present|first (?:show|demonstrat))\w*"
    r"|\b(?:should|do|can|could|would|to) (?:i|we) cite\b|\bcit(?:e|ation) for\b|\breference for\b"
    r"|\bwhere (?:does|did|do) [^?]{1,80}? come from\b|\b(?:original|source) (?:paper|work|publication)\b", re.I)


# ... but not where a paper's material comes from: "Where did its data come from …?" asks what an answer sentence should
# say (its source), not who introduced a name the question also writes (dev-115: "… an instruction dataset … built with
# GPT-4V. Where did its data come from …?" was refused as "none of them introduces" GPT-4V).
MATERIAL_SOURCE = re.compile(r"\bwhere (?:does|did|do) (?:its|their|the|this|that|these|those)\s+(?:[\w-]+\s+){0,2}?"
                             r"(?:data|datasets?|images|pictures|photos|texts?|samples|examples|annotations|labels|questions"
                             r"|prompts|corpus|corpora|recordings|material|sources?)\s+come from\b", re.I)


# A question what an acronym stands for: "What does BDHS stand for in …?", "What is PRISMA short for?",
# "What does the acronym ETC mean in the EgyBERT paper?".
ASKS_EXPANSION = re.compile(r"\bstands? for\b|\bshort for\b|\b(?:acronyms?|abbreviations?|abbreviat\w*)\b", re.I)
_ACRONYM_FORM = r"[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[A-Z]{2,}[0-9]*"  # "BoB", "PRISMA", "SFT", "GPT4"
_ACRONYM = re.compile(rf"(?<![\w-])({_ACRONYM_FORM})(?![\w-])")
_DEFINED_ACRONYM = re.compile(rf"\(\s*({_ACRONYM_FORM})s?\s*\)")  # "… fine-tuning (SFT)"
_WORD = re.compile(r"[A-Za-z0-9]+")


def asked_acronyms(question: str) -> list[str]:
    """The acronyms an ASKS_EXPANSION question asks about ("BoB", "PRISMA"), in order; none for other questions."""
    found: list[str] = []
    for cue in ASKS_EXPANSION.finditer(question):
        # the acronym stands just before "stand for" ("What does BDHS stand for in … LLMs?"), or near "acronym"
        before = " ".join(question[: cue.start()].split()[-5:])
        after = " ".join(question[cue.end():].split()[:3]) if not cue.group().casefold().endswith("for") else ""
        found += [m.group(1) for m in _ACRONYM.finditer(f"{before} | {after}")]
    return list(dict.fromkeys(found))


def spelled_out(texts: Sequence[str]) -> dict[str, str]:
    """Acronym -> the words the texts spell it out with (where `expands` finds them): "supervised fine-tuning (SFT)"
    gives SFT "supervised fine tuning"."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _DEFINED_ACRONYM.finditer(text):
            acronym = m.group(1)
            if acronym not in found and expands(text, acronym):
                found[acronym] = " ".join(_WORD.findall(text[: m.start()])[-sum(c.isalpha() for c in acronym):])
    return found


def expands(sentence: str, acronym: str) -> bool:
    """Whether the sentence spells the acronym out: "(ACRONYM)" right after words whose initials hold its
    letters in order, the last word's initial its last-but-digits letter ("Battle of the Backbones (BoB)",
    "Preferred Reporting Items for Systematic Reviews and Meta-Analyses (PRISMA)")."""
    letters = [c.casefold() for c in acronym if c.isalpha()]
    for m in re.finditer(rf"\(\s*{re.escape(acronym)}s?\s*[),;]", sentence):
        words = _WORD.findall(sentence[: m.start()])[-(len(letters) + 6):]
        initials = [w[0].casefold() for w in words]
        want = list(reversed(letters))
        if not initials or initials[-1] != want[0]:
            continue
        for initial in reversed(initials):
            if want and initial == want[0]:
                want.pop(0)
        if not want:
            return True
    return False
