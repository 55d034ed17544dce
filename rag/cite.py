"""Citation numbers in answer text: parse them, renumber them, check them.

The answerer sees sources numbered [1]..[k]. Its text keeps [n] markers; here they are
renumbered to the order of first use, numbers that match no source are dropped and
recorded, and every sentence that cites a source is scored for support against that
source's abstract (content-word and number overlap plus embedding similarity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from rag.lexical import tokenize
from rag.text import split_sentences
from rag.types import Citation, Paper, Source

# [1]  [1, 2]  [1,2,3]  [1-3]  [1; 2]
MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\]")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?%?")
SUPPORT_THRESHOLD = 0.5


def _expand(body: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            if a <= b and b - a < 20:
                numbers.extend(range(a, b + 1))
        elif part.strip().isdigit():
            numbers.append(int(part))
    return numbers


def cited_numbers(text: str) -> list[int]:
    """Every number cited in `text`, in order of appearance (repeats kept)."""
    return [n for m in MARKER.finditer(text) for n in _expand(m.group(1))]


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(MARKER.sub("", text).split()))


_DROPPED = "\x00"  # stands where a marker was removed, so only that spot is tidied


def _tidy(text: str) -> str:
    """Remove the gap a dropped marker leaves, and repeated numbers in a run of markers."""
    text = re.sub(r"[ \t]*\x00[ \t]*(?=[.,;:!?])", "", text)
    text = re.sub(r"(^|\n)\x00[ \t]*", r"\1", text)
    text = re.sub(r"[ \t]*\x00", "", text)

    def dedupe(m: re.Match) -> str:
        seen: list[str] = []
        for n in re.findall(r"\[(\d+)\]", m.group(0)):
            if n not in seen:
                seen.append(n)
        return "".join(f"[{n}]" for n in seen)

    return re.sub(r"(?:\[\d+\])+", dedupe, text)


@dataclass
class Renumbering:
    """Old source number → new number in order of first use; what was dropped."""

    valid: set[int]
    mapping: dict[int, int] = field(default_factory=dict)
    dropped: list[int] = field(default_factory=list)

    def marker(self, body: str) -> str:
        out: list[int] = []
        for old in _expand(body):
            if old not in self.valid:
                if old not in self.dropped:
                    self.dropped.append(old)
                continue
            new = self.mapping.setdefault(old, len(self.mapping) + 1)
            if new not in out:
                out.append(new)
        return "".join(f"[{n}]" for n in out) or _DROPPED


def renumber(text: str, valid: set[int], state: Renumbering | None = None) -> tuple[str, Renumbering]:
    """Rewrite markers to first-use order; drop numbers not in `valid`."""
    state = state or Renumbering(valid=valid)
    return _tidy(MARKER.sub(lambda m: state.marker(m.group(1)), text)), state


class StreamRenumberer:
    """Renumbers markers as text streams in. Holds back only an unfinished '[...' and a
    trailing run of markers, which the next delta may repeat or follow with punctuation."""

    _TRAILING_MARKERS = re.compile(r"(?:[ \t]*(?:\x00|\[\d+\]))*[ \t]*$")

    def __init__(self, valid: set[int]):
        self.state = Renumbering(valid=valid)
        self._raw = ""  # not yet renumbered: an unfinished marker
        self._held = ""  # renumbered, not yet emitted

    def _renumber(self, text: str) -> str:
        return MARKER.sub(lambda m: self.state.marker(m.group(1)), text)

    def feed(self, delta: str) -> str:
        text = self._raw + delta
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut <= 16:
            while cut > 0 and text[cut - 1] in " \t":
                cut -= 1  # the space goes with the marker: if it is dropped, so is the space
            self._raw, text = text[cut:], text[:cut]
        else:
            self._raw = ""
        out = self._held + self._renumber(text)
        hold = self._TRAILING_MARKERS.search(out)
        if hold and hold.start() < len(out):
            self._held, out = out[hold.start():], out[: hold.start()]
        else:
            self._held = ""
        return _tidy(out)

    def finish(self) -> str:
        out = self._held + self._renumber(self._raw)
        self._held = self._raw = ""
        return _tidy(out)


# ------------------------------------------------------------------ support


def claims(text: str) -> list[tuple[str, list[int]]]:
    """Answer sentences with the numbers each cites. A marker list that opens the next
    sentence (after the period) is attached to the sentence before it."""
    out: list[tuple[str, list[int]]] = []
    # "improves recall.[1] Beta" → "improves recall [1]. Beta": markers glued after the period.
    text = re.sub(r"([.!?])(\[[\d,;\s–-]+\](?:\[[\d,;\s–-]+\])*)", lambda m: f" {m.group(2)}{m.group(1)}", text)
    for sentence in split_sentences(text.replace("\n", " ")):
        lead = re.match(r"^((?:\s*\[[^\]]*\])+)\s*", sentence)
        if lead and out and MARKER.search(lead.group(1)):
            prev_text, prev_nums = out[-1]
            out[-1] = (prev_text, prev_nums + cited_numbers(lead.group(1)))
            sentence = sentence[lead.end():]
        if sentence.strip():
            out.append((sentence, cited_numbers(sentence)))
    return out


@lru_cache(maxsize=2048)
def _paper_sentences(abstract: str) -> tuple[str, ...]:
    return tuple(split_sentences(abstract))


class SupportChecker:
    """Scores how well a claim is supported by one paper's abstract, in [0, 1].

    score = 0.5 * (best cosine of the claim to an abstract sentence, rescaled from
    [0.3, 0.9] to [0, 1]) + 0.5 * (share of the claim's content words found in the
    abstract); a number in the claim that the abstract does not contain caps the score
    at 0.3. A claim quoted from the abstract scores ~1.
    """

    def __init__(self, embedder, threshold: float = SUPPORT_THRESHOLD):
        self.embedder = embedder
        self.threshold = threshold
        self._vectors: dict[str, np.ndarray] = {}

    def _sentence_vectors(self, paper: Paper) -> np.ndarray:
        cached = self._vectors.get(paper.paper_id)
        if cached is None:
            cached = self.embedder.embed([paper.title, *_paper_sentences(paper.abstract)])
            if len(self._vectors) > 512:
                self._vectors.clear()
            self._vectors[paper.paper_id] = cached
        return cached

    def score(self, claim: str, paper: Paper) -> tuple[float, str | None]:
        """(support, the abstract sentence that supports the claim best)."""
        text = strip_markers(claim)
        if not text:
            return 0.0, None
        sentences = _paper_sentences(paper.abstract)
        haystack = f"{paper.title} {paper.abstract}"
        if text.rstrip(".") in haystack:
            best = next((s for s in sentences if text.rstrip(".") in s), None)
            return 1.0, best
        words = set(tokenize(text))
        known = set(tokenize(haystack))
        lexical = len(words & known) / len(words) if words else 0.0
        vectors = self._sentence_vectors(paper)
        claim_vec = self.embedder.embed([text])[0]
        sims = vectors @ claim_vec
        best_i = int(np.argmax(sims))
        semantic = min(1.0, max(0.0, (float(sims[best_i]) - 0.3) / 0.6))
        score = 0.5 * semantic + 0.5 * lexical
        numbers = {n.rstrip("%") for n in _NUMBER.findall(text)}
        if numbers and not numbers <= {n.rstrip("%") for n in _NUMBER.findall(haystack)}:
            score = min(score, 0.3)
        evidence = sentences[best_i - 1] if best_i > 0 else None
        return round(score, 3), evidence

    def check(self, text: str, sources: dict[int, Source]) -> tuple[list[Citation], list[str]]:
        """Citations in first-use order with their support, and sentences that cite nothing."""
        per_source: dict[int, list[float]] = {}
        evidence: dict[int, list[str]] = {}
        uncited: list[str] = []
        for sentence, numbers in claims(text):
            valid = [n for n in numbers if n in sources]
            if not valid:
                if len(tokenize(sentence)) >= 4:
                    uncited.append(sentence)
                continue
            for n in valid:
                score, ev = self.score(sentence, sources[n].paper)
                per_source.setdefault(n, []).append(score)
                if ev and ev not in evidence.setdefault(n, []):
                    evidence[n].append(ev)
        citations = []
        for n in sorted(per_source):
            paper = sources[n].paper
            support = min(per_source[n])
            citations.append(
                Citation(
                    n=n,
                    paper_id=paper.paper_id,
                    title=paper.title,
                    url=paper.url,
                    code_url=paper.code_url,
                    supported=support >= self.threshold,
                    support=support,
                    evidence=tuple(evidence.get(n, [])[:3]),
                )
            )
        return citations, uncited
