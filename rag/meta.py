"""Questions about the collection itself, which no abstract answers: "How many papers are
indexed?" (the index knows) and "Which paper has the most citations?" (nothing here knows);
and questions for a kind of paper: "Is there a survey on multimodal LLMs?" wants the survey
among the papers on the topic, which ranked third behind two papers that only use such models.

Why: searched like any question, "Which paper has the most citations?" was answered `strong`
from whichever abstract mentions citations, and "How many papers are in the index?" quoted a
paper about retrieval indexes.
"""

from __future__ import annotations

import re

from rag.retrieve import put_first

_COUNT = re.compile(
    r"^\W*how many (?:papers|abstracts|documents|articles)(?:\s+(?:are|do you have|have you got|does (?:it|the index) hold))?"
    r"(?:\s+(?:there|indexed|in (?:the|this|your|my) (?:index|corpus|collection|library|database)))?\W*$",
    re.I,
)
_CITATIONS = re.compile(
    r"\b(?:most|highest|fewest|least|how many)\s+(?:\w+\s+){0,2}?citations?\b|\bmost[- ]cited\b|\bcitation counts?\b", re.I)

NO_CITATION_COUNTS = ("the indexed abstracts carry no citation counts, so no paper can be ranked by them; "
                      "a citation index such as Semantic Scholar or Google Scholar can")


def asks_paper_count(question: str) -> bool:
    """'How many papers are indexed?' — about the collection, not a topic ("How many papers are about MoE?" is a topic)."""
    return bool(_COUNT.match(question.strip()))


def citation_counts_asked(question: str) -> tuple[bool, str]:
    """('Which paper has the most citations?', 'most-cited' …: counts the abstracts do not hold),
    and the question without them ("What is the most-cited paper on MoE?" -> "What is the paper on MoE?")."""
    if not _CITATIONS.search(question):
        return False, question
    return True, re.sub(r"\s{2,}", " ", _CITATIONS.sub(" ", question)).strip()


# A request for a survey, review or overview of a topic, and the titles that declare one.
_WANTS_SURVEY = re.compile(r"\bsurveys?\b|\b(?:literature\s+)?(?:review|overview)s?\s+(?:papers?\s+)?(?:of|on|about|for)\b", re.I)
# ... not the asker's own ("In preparing our portfolio review of …", "for my literature review on …"): that one
# put two surveys ahead of the paper the question named (dev-62)
_ASKERS_OWN = re.compile(r"\b(?:our|my|your|preparing|writing|drafting)\b", re.I)
_SURVEY_TITLE = re.compile(r"\bsurvey\b|(?<!code )\breview\b|\boverview\b", re.I)


def wants_survey(question: str) -> bool:
    """Whether the question asks for a survey or review paper."""
    return any(not _ASKERS_OWN.search(" ".join(question[:m.start()].split()[-3:])) for m in _WANTS_SURVEY.finditer(question))


def reviews_others(title: str, question: str) -> bool:
    """A survey's title ("… An Exhaustive Review of …"), for a question that does not ask for one: such a
    paper reviews what others proposed, so it is seldom the one "which paper proposed X?" asks for."""
    return bool(_SURVEY_TITLE.search(title)) and not wants_survey(question)


def surveys_first(question: str, hits: list) -> list:
    """For a question that asks for a survey, the retrieved papers whose title declares one first
    (in their retrieval order), then the rest; any other question's hits unchanged."""
    if not wants_survey(question):
        return hits
    return put_first(hits, lambda h: bool(_SURVEY_TITLE.search(h.paper.title)))


# Questions about a paper's record rather than its content: who wrote it, when it came out, where
# its code or text is. The abstract rarely says; the index's record may (imported libraries carry
# authors, dates and links; the seed listings mostly do not). Without these, "Who are the authors
# of QLoRA?" was answered `strong` with abstract sentences that name no author.
_RECORD_ASKED = {
    "authors": re.compile(r"\bwho\s+(?:wrote|authored|are\s+the\s+authors|is\s+the\s+(?:first\s+|lead\s+)?author)\b"
                          r"|\b(?:authors?|writers?)\s+(?:of|behind)\b", re.I),
    "date": re.compile(r"\bwhen\s+(?:was|were|did)\b.{0,80}?\b(?:published|released|come\s+out|appear(?:ed)?|posted|written)\b"
                       r"|\bpublication\s+(?:date|year)\b|\b(?:what|which)\s+year\b", re.I),
    "code": re.compile(r"\b(?:code|github|repo(?:sitory)?|implementation|source\s+code)\b.{0,60}?\b(?:available|released|find|"
                       r"where|link|download|get|open[- ]source[ds]?)\b|\bwhere\s+(?:can\s+i|to|do\s+i)\s+(?:find|get|download)\s+"
                       r"(?:the\s+)?(?:code|implementation|repo)", re.I),
    "link": re.compile(r"\b(?:link|url|pdf|doi|arxiv\s+(?:id|link|page))\b", re.I),
}


def record_asked(question: str) -> list[str]:
    """Which of a paper's record fields the question asks for ("authors", "date", "code", "link")."""
    return [field for field, pattern in _RECORD_ASKED.items() if pattern.search(question)]


def record_note(paper, fields: list[str]) -> str:
    """The asked fields of a paper's record, in words, saying which the index does not hold."""
    from rag.links import link_for

    said, missing = [], []
    for field in fields:
        if field == "link":
            link = link_for(paper)
            said.append(f"{link.label}: {link.url}")
            continue
        value = {"authors": ", ".join(paper.authors), "date": paper.published, "code": paper.code_url}[field]
        label, lacking = {"authors": ("authors", "author list"), "date": ("published", "publication date"),
                          "code": ("code", "code link")}[field]
        if value:
            said.append(f"{label}: {value}")
        else:
            missing.append(lacking)
    parts = [f"From the index's record of “{paper.title}” (not its abstract): " + "; ".join(said) + "."] if said else []
    if missing:
        parts.append(f"The index holds no {' or '.join(missing)} for “{paper.title}”, and its abstract does not say.")
    return " ".join(parts)
