"""split_sentences: the unit the extractive answerer quotes, the citation check scores and chunks
are cut at. A wrong split quotes half a sentence ("... recent work from Malladi et al.")."""

import re

import pytest

from rag.text import split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Smith et al. (2020) show that X holds. We extend it.",
            ["Smith et al. (2020) show that X holds.", "We extend it."],
        ),
        (
            "We extend recent work from Malladi et al. (2023), using shared randomness. It works.",
            ["We extend recent work from Malladi et al. (2023), using shared randomness.", "It works."],
        ),
        ("Data from the U.S. Census Bureau is used. We test it.", ["Data from the U.S. Census Bureau is used.", "We test it."]),
        (
            "It resolves the issue of non-I.I.D. Clients in federated settings. It is fast.",
            ["It resolves the issue of non-I.I.D. Clients in federated settings.", "It is fast."],
        ),
        (
            "It handles text, speech, images, videos, etc. They also utilize LLMs.",
            ["It handles text, speech, images, videos, etc.", "They also utilize LLMs."],
        ),
        (
            "Outputs suffer ``massive activations.'' To validate this, we train models.",
            ["Outputs suffer ``massive activations.''", "To validate this, we train models."],
        ),
        (
            "Two uses: (a) Reducing training cost. (b) Enhancing pre-trained models.",
            ["Two uses: (a) Reducing training cost.", "(b) Enhancing pre-trained models."],
        ),
    ],
)
def test_abbreviations_and_closers_split_where_a_reader_would(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Methods (e.g. LoRA) and variants, i.e. adapters, help.",
        "As depicted in Fig. 1 the error falls to 3.5 points.",
        "It beats GPT-4o. vs. Llama 3.1 it ties.",
    ],
)
def test_no_split_inside_abbreviations_decimals_or_model_names(text):
    assert split_sentences(text) == [text]


def test_model_names_and_numbers_still_end_sentences():
    text = "We compare against GPT-4o. Additionally, Llama 3. In particular, INT2.1. Also done."
    assert split_sentences(text) == ["We compare against GPT-4o.", "Additionally, Llama 3.", "In particular, INT2.1.", "Also done."]


def test_no_seed_sentence_ends_inside_an_abbreviation(seed_corpus):
    """Over the shipped abstracts: no sentence stops at "et al." or a dotted initialism."""
    bad = []
    for paper in seed_corpus.papers:
        for sentence in split_sentences(paper.abstract)[:-1]:
            if re.search(r"(\bet al|\b(?:[A-Za-z]\.)+[A-Za-z])\.$", sentence):
                bad.append(sentence[-60:])
    assert bad == []
