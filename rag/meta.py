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
_SURVEY_TITLE = re.compile(r"\bsurvey\b|(?<!code )\breview\b|\boverview\b", re.I)


def surveys_first(question: str, hits: list) -> list:
    """For a question that asks for a survey, the retrieved papers whose title declares one first
    (in their retrieval order), then the rest; any other question's hits unchanged."""
    if not _WANTS_SURVEY.search(question):
        return hits
    return put_first(hits, lambda h: bool(_SURVEY_TITLE.search(h.paper.title)))
