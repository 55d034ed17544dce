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


def test_what_a_question_sets_aside_is_not_what_it_is_answered_from(assistant):
    """"Apart from mixture-of-depths token skipping, which I already know, which papers …?" was answered `weak` with the
    mixture-of-depths papers first: searched whole, what the question sets aside is what retrieval finds (dev-80).
    Searched without it, the papers on per-token adaptive computation answer, and the reader is told."""
    answer = assistant.ask("Apart from mixture-of-depths token skipping, which I already know, which papers let each token "
                           "spend a different amount of computation depending on how hard it is?")
    titles = [c.title for c in answer.citations]
    assert not any("MoD" in t or "Mixture-of-Depth" in t for t in titles), titles
    assert any(t.startswith("Duo-LLM") for t in titles) and any(t.startswith("Adaptive Computation Modules") for t in titles)
    assert any("which the question sets aside" in note for note in answer.notes), answer.notes


@pytest.mark.parametrize("question, searched", [
    ("Besides the Oogiri game, on what tasks is CLoT evaluated?", "On what tasks is CLoT evaluated?"),
    ("We use LoRA. Other than LoRA, which methods cut the memory of fine-tuning?",
     "We use LoRA. Which methods cut the memory of fine-tuning?"),
    ("Besides that, ok?", None),  # nothing left to ask
    ("Besides fine-tuning, what other steps does SWIFT support?", None),  # "other" than what is set aside
    ("Beyond Memorization: what does it show about privacy?", None),  # a title's opening word
    # in a question asking for papers, what a clause or sentence rules out (dev-93)
    ("Which papers prune LLM weights to sparsity, as opposed to quantization tricks?", "Which papers prune LLM weights to sparsity?"),
    ("Which papers factorise weight matrices into low-rank pieces (I don't mean LoRA adapters)?",
     "Which papers factorise weight matrices into low-rank pieces?"),
    ("Which papers train language models with differential privacy? Leave aside federated setups.",
     "Which papers train language models with differential privacy?"),
    ("In weight compression, what are low-rank components, as opposed to N-LRCs?", None),  # asks no papers: the contrast is asked
])
def test_a_set_aside_clause_is_dropped_from_the_search(question, searched):
    from rag.message import set_aside

    found = set_aside(question)
    assert (found.question if found else None) == searched


def test_what_a_question_asking_for_papers_rules_out_is_not_cited(assistant):
    """dev-93: "Which papers look at what a language model can leak …, or at training models privately …? Leave aside
    federated setups." cited three federated-tuning papers beside the ones asked for: searched whole, what the question
    rules out is what retrieval finds. Searched without it, and said so."""
    answer = assistant.ask("Which papers fine-tune language models on private data with differential privacy guarantees? "
                           "Leave aside federated setups.")
    titles = [c.title for c in answer.citations]
    assert titles and titles[0].startswith("Large Language Models Can Be Strong Differentially Private"), titles
    assert not any("Federated" in t for t in titles), titles
    assert any("“federated setups”, which the question sets aside" in note for note in answer.notes), answer.notes



def test_a_question_answered_only_with_what_it_rules_out_is_searched_whole(assistant):
    """dev-69: "Which papers use LLMs / VLMs as helpers for teaching robots manipulation skills (…), as opposed to making
    the foundation model the policy itself?" found its three papers first with or without the clause, but searched
    without it the evidence fell below the refusal bar: ruling the clause out must not refuse what the whole answers."""
    answer = assistant.ask("- Which papers use LLMs / VLMs as helpers for teaching robots manipulation skills (generating "
                           "sim tasks, choosing among behaviors, providing rewards), as opposed to making the foundation "
                           "model the policy itself?")
    assert not answer.abstained and answer.citations[0].title.startswith("GenSim"), (answer.evidence, answer.text)
