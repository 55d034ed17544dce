"""Questions about the collection itself, which no abstract answers."""

from __future__ import annotations

import pytest

from rag.meta import asks_paper_count, citation_counts_asked


@pytest.mark.parametrize(
    "question, about_the_index",
    [("How many papers are indexed?", True), ("how many papers do you have", True), ("How many papers?", True),
     ("How many papers are in the index?", True),
     ("How many papers are about mixture of experts?", False), ("How many papers use LoRA?", False)],
)
def test_asks_paper_count(question, about_the_index):
    assert asks_paper_count(question) is about_the_index


def test_citation_counts_asked_and_the_rest_of_the_question():
    assert citation_counts_asked("What is the most-cited paper on MoE?") == (True, "What is the paper on MoE?")
    assert citation_counts_asked("Which papers have the highest citation counts?")[0]
    assert citation_counts_asked("Does QLoRA cite LoRA?") == (False, "Does QLoRA cite LoRA?")


def test_how_many_papers_is_answered_from_the_index(assistant, seed_papers):
    # Searched as a question, it quoted a paper about retrieval indexes.
    answer = assistant.ask("How many papers are in the index?")
    assert answer.text.startswith(f"The index holds {len(seed_papers)} papers")
    assert not answer.citations


def test_most_cited_is_refused_with_the_reason(assistant):
    # Searched as a question, it was answered `strong` from an abstract that mentions citations.
    answer = assistant.ask("Which paper has the most citations?")
    assert answer.abstained and "no citation counts" in answer.text


def test_most_cited_on_a_topic_answers_the_topic_and_says_it_is_not_ranked(assistant):
    answer = assistant.ask("What is the most-cited paper on mixture of experts?")
    assert not answer.abstained and answer.searched_question == "What is the paper on mixture of experts?"
    assert any("no citation counts" in note for note in answer.notes)


def test_a_request_for_a_survey_quotes_the_survey_on_the_topic(assistant):
    # Retrieval ranks it third, behind M3Exam and Uni-MoE, which use multimodal LLMs.
    assert assistant.retriever.search("Is there a survey on multimodal LLMs?", k=5)[0].paper.title.startswith("M3Exam")
    answer = assistant.ask("Is there a survey on multimodal LLMs?")
    assert answer.citations[0].title == "Aligning Multimodal LLM with Human Preference: A Survey"


def test_without_a_survey_on_the_topic_nothing_is_put_first(assistant):
    # "Prompting and Fine-tuning LLMs for Automated Code Review …" is no review; and a question
    # that does not ask for a survey keeps retrieval's order.
    question = "How do LLMs write code review comments?"
    assert [h.paper.title for h in assistant.ask(question).hits] == [h.paper.title for h in assistant.retriever.search(question, k=5)]


@pytest.mark.parametrize("question, fields", [
    ("Who are the authors of QLoRA?", ["authors"]), ("Who wrote SPHINX-X?", ["authors"]),
    ("When was the QLoRA paper published?", ["date"]), ("Where can I find the code for LiST?", ["code"]),
    ("What is the arXiv link for GENOME?", ["link"]), ("What is the main idea of QLoRA?", []),
    ("Which papers are written in Chinese?", []), ("How does the code generator in CodeRL work?", []),
])
def test_record_asked(question, fields):
    from rag.meta import record_asked

    assert record_asked(question) == fields


def test_who_wrote_a_paper_is_answered_from_its_record(assistant, seed_papers):
    """SPHINX-X's seed listing carries its authors; no abstract names its authors."""
    answer = assistant.ask("Who wrote SPHINX-X?")
    title = next(t for t in seed_papers if t.startswith("SPHINX-X"))
    assert answer.citations[0].title == title
    assert any("authors: Peng Gao, Renrui Zhang" in note for note in answer.notes)


def test_a_record_field_the_index_lacks_is_said_to_be_missing(assistant):
    """The seeds list QLoRA without authors: say so, rather than leave abstract sentences as the answer."""
    answer = assistant.ask("Who are the authors of QLoRA?")
    assert answer.citations[0].title.startswith("QLoRA")
    assert any("The index holds no author list for “QLoRA" in note for note in answer.notes)
