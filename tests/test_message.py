"""A message that asks several unrelated questions is answered one question at a time (rag.message,
rag.answer): searched whole, such a message is close to no one abstract and was refused or answered
from one of its papers."""

from __future__ import annotations

import pytest

from rag.message import split_questions

BOOTPIG = "BootPIG: Bootstrapping Zero-shot Personalized Image Generation Capabilities in Pretrained Diffusion Models"
GIST = "GIST: Generating Image-Specific Text for Fine-grained Object Classification"


@pytest.mark.parametrize("message, parts, listed", [
    ("Two quick ones: how long does BootPIG take to train, and how does GIST get fine-grained text descriptions?",
     ["How long does BootPIG take to train?", "How does GIST get fine-grained text descriptions?"], False),
    ("What are the two training stages of ACE++? Also, how much peak memory does SPT save?",
     ["What are the two training stages of ACE++?", "How much peak memory does SPT save?"], False),
    ("Three things: (1) what is the mixer in MambaMixer, (2) how many shots does CoOp need, and (3) what dataset "
     "does GECOBench build?", ["What is the mixer in MambaMixer?", "How many shots does CoOp need?",
                              "What dataset does GECOBench build?"], True),
    ("My list:\n- How does Ferret keep communication low?\n- How many languages did mBLIP translate its data into?",
     ["How does Ferret keep communication low?", "How many languages did mBLIP translate its data into?"], True),
    # ... as `ask` sees it, its lines folded
    ("My list: - How does Ferret keep communication low? - How many languages did mBLIP translate its data into?",
     ["How does Ferret keep communication low?", "How many languages did mBLIP translate its data into?"], True),
])
def test_a_message_of_several_questions_is_split_into_them(message, parts, listed):
    assert split_questions(message) == (parts, listed)


@pytest.mark.parametrize("message", [
    "What is QLoRA? How does it work?",  # the second points back at the first
    "How big is SEED-Bench-2 and how does it organise the MLLM capabilities it tests?",
    "How does eDKM cut the memory footprint of k-means clustering, and how much does it save?",
    "In VL-PET, what is wrong with existing PET techniques, and how much better than VL-Adapter is their approach?",
    "1. Does **IconShop** do this?\n2. How does it turn SVG into tokens?",
    # a list under a heading that names its subject asks about that subject
    "**ProteinLMBench** - quick questions:\n- how many tokens for pretraining?\n- how many questions are in the benchmark?",
    "How does QLoRA fine-tune a 65B model on a single GPU?",
])
def test_one_question_in_several_parts_stays_one(message):
    assert split_questions(message).parts == []


def test_each_question_of_a_message_is_answered_from_its_own_paper(assistant):
    answer = assistant.ask("Two quick ones: how long does BootPIG take to train, and how does GIST get fine-grained "
                           "text descriptions when a dataset only has images?")
    assert not answer.abstained and [c.title for c in answer.citations] == [BOOTPIG, GIST]
    first, second = answer.text.split("\n\n**How does GIST")
    assert first.startswith("**How long does BootPIG take to train?**") and "approximately 1 hour [1]" in first
    assert "[2]" in second and "[1]" not in second  # one numbering for the whole message
    assert any("asks 2 questions" in note for note in answer.notes)
    # ... and a question in two parts about one paper is still one question
    one = assistant.ask("How big is SEED-Bench-2 and how does it organise the MLLM capabilities it tests?")
    assert not any("asks 2 questions" in note for note in one.notes)
