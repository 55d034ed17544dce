"""Typos of the corpus' words are read as those words (rag.spelling), and only typos."""

from __future__ import annotations

import pytest

from rag.spelling import Speller

ABSTRACTS = [
    "Dense retrieval with large language models as backbones; counted and contend.",
    "Retrieval augmented generation with a different retriever; arbitrary prompts decay, counted, contend.",
    "We study retrieval, decay of memory and different parameter-efficient methods with arbitrary subsets.",
    "Pretrained retrieval models trained on different data for arbitrary tasks; counted and contend.",
]
# Whole words of an embedder's vocabulary: real English words, some the corpus does not use.
VOCABULARY = set("""meeting decoy retrained which paper the is for what are how does do did with about decide compare
    models methods on are llms""".split())


@pytest.fixture
def speller() -> Speller:
    return Speller(lambda: ABSTRACTS, lambda: VOCABULARY)


@pytest.mark.parametrize("question, read", [
    ("which paper does dense retreival with llms?", "which paper does dense retrieval with llms?"),  # letters swapped
    ("how do the differnt methods compare on arbitary subsets?", "how do the different methods compare on arbitrary subsets?"),
])
def test_a_typo_of_a_corpus_word_is_read_as_that_word(speller, question, read):
    fixed, typos = speller.correct(question)
    assert fixed == read and typos


@pytest.mark.parametrize("question", [
    "what did the meeting decide about retrieval?",  # a real word the corpus never uses
    "is the decoy paper about decay?",  # "decoy" is a word, one letter from "decay"
    "which retrained models are different?",  # one letter from "pretrained", at the start
])
def test_a_real_word_is_never_rewritten(speller, question):
    assert speller.correct(question) == (question, [])


def test_names_and_other_languages_are_left_alone(speller):
    assert speller.correct("how does Retreival-LM use pre-ln layers?") == ("how does Retreival-LM use pre-ln layers?", [])
    link = "what does github.com/acme/retreival do for retrieval?"
    assert speller.correct(link) == (link, [])
    french = "quel article propose une methode de retreival pour les modeles de langage?"
    assert speller.correct(french) == (french, [])


def test_a_typo_with_two_readings_is_left_alone(speller):
    """"conted" is "counted" with a letter left out, and "contend": either is as likely."""
    assert speller.correct("which paper is about conted methods?") == ("which paper is about conted methods?", [])


def test_a_question_with_a_typo_is_answered_as_if_spelt_right_and_says_so(assistant):
    typed = "are bigger llms better backbones for dense retreival?"
    answer = assistant.ask(typed)
    right = assistant.ask("are bigger llms better backbones for dense retrieval?")
    assert answer.question == typed
    assert answer.searched_question == "are bigger llms better backbones for dense retrieval?"
    assert "Read “retreival” as “retrieval”." in answer.notes
    assert answer.evidence == right.evidence and answer.text == right.text
    assert not answer.abstained


def test_a_question_without_typos_is_answered_as_written(assistant):
    answer = assistant.ask("How does QLoRA fit a 65B model on one GPU?")
    assert answer.searched_question is None and not any(n.startswith("Read ") for n in answer.notes)


def test_a_name_with_two_letters_swapped_is_read_as_the_corpus_name():
    names = {"wechsel": "WECHSEL", "amadeusgpt": "AmadeusGPT", "gpt4": "GPT-4"}
    speller = Speller(lambda: ABSTRACTS, lambda: VOCABULARY, names=lambda: names, terms=lambda: set(names) | {"lora"})
    assert speller.correct("how does WECHSLE initialize embeddings?") == (
        "how does WECHSEL initialize embeddings?", [("WECHSLE", "WECHSEL")])
    assert speller.correct("how does AmadeusGTP work?")[0] == "how does AmadeusGPT work?"
    # a letter more or less is often another name: never read as a known one
    assert speller.correct("how does GPT-4o compare with LoRA?") == ("how does GPT-4o compare with LoRA?", [])


def test_a_question_with_a_misspelt_name_is_answered_from_that_names_paper(assistant):
    answer = assistant.ask("how does WECHSLE initialize the subword embeddings of a new language?")
    assert "Read “WECHSLE” as “WECHSEL”." in answer.notes
    assert not answer.abstained and "WECHSEL" in answer.citations[0].title


@pytest.mark.parametrize("word, unheard", [
    ("watermarking", True),  # no form of it in the abstracts or the vocabulary
    ("retreival", False),  # a typo of a corpus word
    ("meeting", False),  # an everyday word the corpus never uses
    ("meetings", False),  # ... in another form
    ("retrievals", False),  # a corpus word's plural
    ("retrieving", False),  # a form of the corpus word "retrieval"
])
def test_a_word_is_unheard_only_when_no_form_of_it_is_in_the_abstracts_or_the_vocabulary(speller, word, unheard):
    assert speller.unheard(word) is unheard
