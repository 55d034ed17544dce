"""The authors a question names ("Which paper by Peng Gao …", "What did Hongsheng Li's group
propose?", "the Gao et al. paper on …"), matched against the indexed papers' author lists.

Why: an author's name is not in any abstract, so searched as words it only dilutes the query
("Which paper by Peng Gao scales data and parameters for multimodal LLMs?" found Uni-MoE, not
Peng Gao's SPHINX-X). A named author is a filter: the question is searched among that author's
papers, without the name.

Only names an index holds count, whole: a full name of two or more words, or a family name
followed by "et al." (first authors only). A full name must be written capitalised unless the
question has no capitals at all, so ordinary words that happen to form a name stay words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s?$")
_LEAD = re.compile(r"\b(?:(?:authored|written)\s+)?(?:by|from|of)\s+$", re.I)  # "… paper by <name>"
MAX_NAME_WORDS = 4
# Capitalised words listed together: "Choi and Ferrara", "Lù, Kasner and Reddy", "Lù, Kasner & Reddy's".
_CAP = r"[^\W\d_a-z][^\W\d_]+(?:['’]s)?"
_FAMILY_LIST = re.compile(rf"(?<![\w'’-]){_CAP}(?:\s*,\s*{_CAP})*,?\s+(?:and|&)\s+{_CAP}(?![\w'’-])")
# "Gao et al.", "Gao et al.'s", and the year a reader cites with it ("Gao et al. (2024)", "Gao et al., 2024"):
# left in the searched question, "2024" pulled other papers ahead of the author's own.
_ET_AL = re.compile(r"\s+et\s+al\b\.?(?:['’]s)?(?:,?\s*\(?(?:19|20)\d\d[a-z]?\)?(?:['’]s)?)?")


def author_key(name: str) -> str:
    """'Péng  Gao' → 'peng gao': case, accents, punctuation and spacing folded."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


# What is left of "Which papers did Peng Gao write?" once the name is out asks for nothing but the list.
_LISTING_WORDS = frozenset(
    "which what list show name find give tell me all the any other of paper papers work works article articles "
    "publication publications study studies did does do has have had is are was were on in this these index corpus "
    "wrote write written authored published publish coauthored co-authored contributed contribute propose proposed "
    "proposes present presented presents by from group team lab et al a an "
    # ... or for what they are about: "What is Gao et al.'s paper about?", "Summarise the papers by Peng Gao."
    "about it its their them summarize summarise summary summaries describe main key idea ideas contribution contributions"
    .split()
)


def lists_papers_only(rest: str) -> bool:
    """Whether a question, its author's name taken out, asks only for that author's papers."""
    return all(word in _LISTING_WORDS for word in re.findall(r"[\w-]+", rest.casefold()))


@dataclass(frozen=True)
class AuthorMention:
    name: str  # as the index writes it ("Peng Gao")
    paper_ids: frozenset[str]
    question: str  # the question without the name: what to search the author's papers for


class AuthorIndex:
    """Full author names and first authors' family names → the papers they are on."""

    def __init__(self, records: Iterable[tuple[str, Sequence[str]]]):
        self._full: dict[str, set[str]] = {}
        self._family: dict[str, set[str]] = {}
        self._any_family: dict[str, set[str]] = {}  # every author's family name, for "Choi and Ferrara"
        self._display: dict[str, str] = {}
        for paper_id, authors in records:
            for i, author in enumerate(authors):
                key = author_key(author)
                if len(key.split()) >= 2:
                    self._full.setdefault(key, set()).add(paper_id)
                    self._display.setdefault(key, author.strip())
                if i == 0 and key:
                    self._family.setdefault(key.split()[-1], set()).add(paper_id)
                if key:
                    self._any_family.setdefault(key.split()[-1], set()).add(paper_id)

    def __len__(self) -> int:
        return len(self._full)

    def papers(self, name: str) -> frozenset[str]:
        """The papers of an author given by full name ('Peng Gao'), or by family name alone for first authors."""
        if "," in name:  # "Lù, Kasner, Reddy" (AuthorIndex.find): the papers all of them are authors of
            return frozenset(set.intersection(*(set(self._any_family.get(author_key(part), ())) for part in name.split(","))))
        key = author_key(name)
        return frozenset(self._full.get(key) or (self._family.get(key) if len(key.split()) == 1 else None) or ())

    def is_family_name(self, word: str) -> bool:
        """Whether an indexed author has this family name ("Kasner"): a name, not a method the corpus lacks."""
        return author_key(word) in self._any_family

    def find(self, question: str) -> AuthorMention | None:
        """The first author the question names, if any of the indexed ones; else two or more family
        names of one paper's authors listed together ("Choi and Ferrara", "Lù, Kasner and Reddy")."""
        return self._find_one(question) or self._find_coauthors(question)

    def _find_coauthors(self, question: str) -> AuthorMention | None:
        for m in _FAMILY_LIST.finditer(question):
            names = [_POSSESSIVE.sub("", w) for w in re.split(r"\s*(?:,|\band\b|&)\s*", m.group(0)) if w]
            shared = None
            for name in names:
                ids = self._any_family.get(author_key(name))
                shared = (set(ids) if shared is None else shared & ids) if ids else set()
            if shared:
                return self._mention(question, m.start(), m.end(), ", ".join(names), shared)
        return None

    def _find_one(self, question: str) -> AuthorMention | None:
        words = list(_WORD.finditer(question))
        lowercase_only = not any(c.isupper() for c in question)
        for i in range(len(words)):
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                span = words[i:i + n]
                if any(question[a.end():b.start()].strip() not in ("", "-") for a, b in zip(span, span[1:])):
                    continue  # words of one name are next to each other
                raw = [_POSSESSIVE.sub("", w.group()) for w in span]
                if n == 1:
                    rest = question[span[-1].end():]
                    m = _ET_AL.match(rest)
                    ids = self._family.get(author_key(raw[0])) if m else None
                    if ids and raw[0][:1].isupper():
                        return self._mention(question, span[0].start(), span[-1].end() + m.end(), raw[0], ids)
                    continue
                key = author_key(" ".join(raw))
                ids = self._full.get(key)
                if ids and (lowercase_only or all(r[:1].isupper() for r in raw)):
                    return self._mention(question, span[0].start(), span[-1].end(), self._display[key], ids)
        return None

    @staticmethod
    def _mention(question: str, start: int, end: int, name: str, ids: set[str]) -> AuthorMention:
        head = question[:start]
        if lead := _LEAD.search(head):
            head = head[:lead.start()]
        tail = question[end:].lstrip()
        if head.rstrip().endswith("("):  # "(Gao et al., 2024)": the brackets go with the citation
            head, tail = head.rstrip()[:-1], tail[1:] if tail.startswith(")") else tail
        rest = re.sub(r"\s{2,}", " ", f"{head.rstrip()} {tail.lstrip()}").strip()
        return AuthorMention(name, frozenset(ids), re.sub(r"\s+([?.!,;:])", r"\1", rest))
