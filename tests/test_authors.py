"""Questions that name an author: searched without the name, that author's papers first; a question
that only asks for an author's papers lists them. Five seed papers carry author lists."""

from __future__ import annotations

import pytest

from rag.authors import AuthorIndex, lists_papers_only

SPHINX = "SPHINX-X: Scaling Data and Parameters for a Family of Multi-modal Large Language Models"
WEBLINX = "WebLINX: Real-World Website Navigation with Multi-Turn Dialogue"
NO_KEY_ENV = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "RAG_LOCAL_GGUF": "", "RAG_ANSWERER": "auto"}


@pytest.fixture(scope="module")
def index() -> AuthorIndex:
    return AuthorIndex([
        ("a", ["Peng Gao", "Renrui Zhang", "Hongsheng Li"]),
        ("b", ["Renrui Zhang", "Yu Qiao"]),
        ("c", ["Xing Han Lù", "Zdeněk Kasner"]),
    ])


@pytest.mark.parametrize(
    "question, name, papers, rest",
    [
        ("Which paper by Peng Gao scales data for multimodal LLMs?", "Peng Gao", {"a"}, "Which paper scales data for multimodal LLMs?"),
        ("What did Renrui Zhang's group propose?", "Renrui Zhang", {"a", "b"}, "What did group propose?"),
        ("What do Gao et al. propose for LLMs?", "Gao", {"a"}, "What do propose for LLMs?"),  # first authors only
        # the year cited with it is no part of what is asked ("2024" pulled other papers ahead)
        ("What did Gao et al. (2024) propose for LLMs?", "Gao", {"a"}, "What did propose for LLMs?"),
        ("What did Gao et al., 2024 propose for LLMs?", "Gao", {"a"}, "What did propose for LLMs?"),
        ("What does the paper (Gao et al., 2024) propose for LLMs?", "Gao", {"a"}, "What does the paper propose for LLMs?"),
        ("what did zdenek kasner build", "Zdeněk Kasner", {"c"}, "what did build"),  # no capitals anywhere: any case
        ("How does the method of Xing Han Lù work?", "Xing Han Lù", {"c"}, "How does the method work?"),
        # co-authors' family names listed together, any author's: the papers they share
        ("What did Lù and Kasner build?", "Lù, Kasner", {"c"}, "What did build?"),
        ("Zhang & Qiao's benchmark: how big is it?", "Zhang, Qiao", {"b"}, "benchmark: how big is it?"),
    ],
)
def test_a_named_author_is_found_and_taken_out_of_the_question(index, question, name, papers, rest):
    mention = index.find(question)
    assert (mention.name, set(mention.paper_ids), mention.question) == (name, papers, rest)


@pytest.mark.parametrize(
    "question",
    [
        "Which paper about yu qiao and Peng dumplings?",  # lower-case words in a capitalised question stay words
        "What did Qiao et al. find?",  # Yu Qiao is no first author here
        "Which papers use gao?",
        "How does QLoRA work?",
        "How do QLoRA and LoRA differ?",
        "Did Gao and Kasner write together?",  # no paper of both
    ],
)
def test_words_that_are_no_indexed_author_are_left_alone(index, question):
    assert index.find(question) is None


def test_a_family_name_alone_finds_first_authors_and_a_full_name_any_author(index):
    assert index.papers("Gao") == {"a"}
    assert index.papers("renrui zhang") == {"a", "b"}
    assert index.papers("Qiao") == frozenset()


@pytest.mark.parametrize(
    "rest, only",
    [("Which papers did write?", True), ("What did propose?", True), ("List the papers of", True),
     ("Which paper scales data?", False), ("What did group propose for multi-modal LLMs?", False)],
)
def test_lists_papers_only(rest, only):
    assert lists_papers_only(rest) is only


def test_a_question_naming_an_author_is_answered_from_that_authors_paper(assistant):
    # Without the author, retrieval puts "Uni-MoE: Scaling Unified Multimodal LLMs …" first.
    assert assistant.ask("Which paper scales data and parameters for multimodal LLMs?").citations[0].title != SPHINX
    answer = assistant.ask("Which paper by Peng Gao scales data and parameters for multimodal LLMs?")
    assert answer.citations[0].title == SPHINX
    assert answer.searched_question == "Which paper scales data and parameters for multimodal LLMs?"
    assert any("Peng Gao" in note for note in answer.notes)


def test_a_question_about_an_authors_work_is_answered_from_it_alone(assistant):
    """"What did Gao et al. (2024) propose …?" asks about that author's work: it is answered from the
    author's paper, not also from another paper on the topic (it was: X-LLM beside SPHINX-X), and
    asking what the author's paper is about describes it."""
    answer = assistant.ask("What did Gao et al. (2024) propose for multimodal LLMs?")
    assert [c.title for c in answer.citations] == [SPHINX]
    assert answer.evidence == "strong"
    assert any("Answered from the indexed papers by Gao" in note for note in answer.notes)
    about = assistant.ask("Gao et al.'s 2024 paper: what is it about?")
    assert not about.abstained and [c.title for c in about.citations] == [SPHINX]


def test_co_authors_named_by_family_name_are_authors_not_unknown_methods(assistant):
    """"What benchmark did Lù, Kasner and Reddy release?" was refused: "No indexed abstract mentions Kasner"."""
    answer = assistant.ask("what benchmark did Lù, Kasner and Reddy release in 2024 and what did they find about finetuned models?")
    assert not answer.abstained and [c.title for c in answer.citations] == [WEBLINX]
    assert "Kasner" not in (answer.preface or "")


def test_an_author_whose_papers_do_not_match_is_said_so(assistant):
    answer = assistant.ask("Which paper by Peng Gao is about protein sequences?")
    assert any("None of the 1 indexed papers by Peng Gao" in note for note in answer.notes)
    assert all(c.title != SPHINX for c in answer.citations)


def test_asking_for_an_authors_papers_lists_them_with_their_contribution(assistant):
    answer = assistant.ask("Which papers did Zdenek Kasner write?")
    assert not answer.abstained and answer.evidence == "strong"
    assert [c.title for c in answer.citations] == [WEBLINX]
    assert answer.text.startswith("We propose the problem of conversational web navigation")
    assert any("Listed the indexed papers by Zdeněk Kasner" in note for note in answer.notes)


def test_search_author_filter(rag_cli, seed_index):
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--json", "--author", "Zdenek Kasner", "web navigation",
                     env=NO_KEY_ENV)
    assert result.exit_code == 0, result.output
    assert [h["title"] for h in result.json_lines()[0]["hits"]] == [WEBLINX]


def test_search_for_an_author_no_paper_lists_is_a_usage_error(rag_cli, seed_index):
    result = rag_cli("--data-dir", seed_index.data_dir, "search", "--author", "Nobody Here", "web navigation", env=NO_KEY_ENV)
    assert result.exit_code == 2
    assert "no indexed paper lists the author 'Nobody Here'" in result.output


def test_an_author_with_more_papers_than_an_answer_holds_is_listed_in_part_and_says_so(mini):
    for i in range(9):
        mini.papers[f"p{i}"] = (f"Glacier study number {i}: calving fronts seen from orbit",
                                f"We propose method {i} for tracking calving fronts of tidewater glaciers in satellite images.")
    mini.ingest(mini.markdown("lovelace.md", [f"p{i}" for i in range(9)]))
    answer = mini.engine().assistant.ask("Which papers did Ada Lovelace write?")
    assert len(answer.citations) == 8
    assert "Listed 8 of the 9 indexed papers by Ada Lovelace" in " ".join(answer.notes)
