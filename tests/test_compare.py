"""`rag compare` over the real seed index: which papers (every relevant one for a topic, exactly
the named ones for titles, and the named titles it could not find), which sentence goes in
which column, and the `rag compare` output around them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from rag.compare import NOT_STATED, assign_columns, is_release
from rag.errors import QueryError
from rag.text import split_sentences

pytestmark = pytest.mark.usefixtures("no_network")

DATA = Path(__file__).resolve().parent.parent / "eval" / "data"
MULTI = {row["id"]: row for row in map(json.loads, filter(str.strip, (DATA / "multi.jsonl").read_text(encoding="utf-8").splitlines()))}
COMPARE_IDS = ["multi-001", "multi-006", "multi-007", "multi-010"]
PLEAS = "PLeaS -- Merging Models with Permutations and Least Squares"
UNCONSTRAINED = "Unconstrained Model Merging for Enhanced LLM Reasoning"
QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"
NOT_INDEXED = "A title that is not indexed"
NO_KEY_ENV = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "RAG_OPENAI_API_KEY": None,
              "RAG_OPENAI_BASE_URL": None, "RAG_ANSWERER": None, "RAG_LOCAL_GGUF": None}


@pytest.fixture
def cli(rag_cli, seed_index):
    def run(*args: str):
        result = rag_cli("--data-dir", seed_index.data_dir, *args, env=NO_KEY_ENV)
        assert "Traceback" not in result.output
        return result

    return run


def assert_cells_quote_their_row(comparison, seed_papers):
    assert [row.n for row in comparison.rows] == list(range(1, len(comparison.rows) + 1))
    assert comparison.columns == ("problem", "method", "data", "result")
    for row in comparison.rows:
        assert set(row.cells) == set(comparison.columns)
        abstract = seed_papers[row.paper.title].abstract
        for column, cell in row.cells.items():
            if cell.citation is None:
                assert cell.text == NOT_STATED
            else:
                assert cell.citation == row.n, (row.paper.title, column)
                assert cell.text in abstract, (row.paper.title, column, cell.text)
        quoted = [c.text for c in row.cells.values() if c.citation is not None]
        assert len(set(quoted)) == len(quoted)  # one sentence fills one column


# ---------------------------------------------------------------- a topic: every relevant paper


def test_a_topic_two_papers_fit_gets_those_two_and_at_most_one_more(assistant, seed_papers):
    # Of the 429 seed abstracts, two build vision-language-action models (grep "vision-language-action|VLA":
    # the other two hits are a survey naming VLA models in passing and "VLAP", a vision-to-LLM projector).
    # Relevance-sized: both, and no more than issue 14's bound of 1.5x the relevant papers (the
    # dev-chosen bar favours recall: a robot-learning paper near the topic may make a third row).
    comparison = assistant.compare("vision-language-action models for robotic manipulation")
    titles = {r.paper.title for r in comparison.rows}
    assert {"OpenVLA: An Open-Source Vision-Language-Action Model",
            "CogACT: A Foundational Vision-Language-Action Model for Synergizing Cognition and Action in Robotic Manipulation"} <= titles
    assert len(titles) <= 3
    assert comparison.not_found == ()
    assert_cells_quote_their_row(comparison, seed_papers)


def test_a_broad_topic_gets_every_relevant_paper_beyond_four(assistant, seed_papers):
    # 36 seed abstracts are about parameter-efficient fine-tuning: the old fixed 4 rows cut them short.
    comparison = assistant.compare("parameter-efficient fine-tuning of large language models")
    assert 4 < len(comparison.rows) <= 8
    texts = {row.paper.title: f"{row.paper.title} {seed_papers[row.paper.title].abstract}" for row in comparison.rows}
    for title, text in texts.items():  # every row is about tuning a model, none off topic
        assert re.search(r"fine-tun|\btuning\b|\badapt", text, re.I), title
    # and all but at most one say parameter-efficient (a near neighbour such as "Half Fine-Tuning",
    # which freezes half the parameters, may take the last row)
    peft = [t for t, text in texts.items() if re.search(r"parameter[- ]efficient|\bPEFT\b", text, re.I)]
    assert len(peft) >= len(texts) - 1, sorted(set(texts) - set(peft))
    assert len({r.paper.title for r in comparison.rows}) == len(comparison.rows)
    assert_cells_quote_their_row(comparison, seed_papers)


@pytest.mark.parametrize("qid", COMPARE_IDS)
def test_compare_a_topic_quotes_each_rows_own_abstract(assistant, seed_papers, qid):
    row = MULTI[qid]
    comparison = assistant.compare(row["question"])
    titles = [r.paper.title for r in comparison.rows]
    assert set(row["gold"]) & set(titles)
    assert 1 <= len(titles) <= 8 and len(set(titles)) == len(titles)
    assert_cells_quote_their_row(comparison, seed_papers)
    assert any(c.citation for r in comparison.rows for c in r.cells.values())


# ---------------------------------------------------------------- named titles


@pytest.mark.parametrize("topic", [f"{PLEAS}; {UNCONSTRAINED}", f"{PLEAS} vs {UNCONSTRAINED}", f"{PLEAS}\n{UNCONSTRAINED}"])
def test_compare_named_titles_compares_exactly_those(assistant, seed_papers, topic):
    comparison = assistant.compare(topic)
    assert [r.paper.title for r in comparison.rows] == [PLEAS, UNCONSTRAINED]
    assert comparison.not_found == ()
    assert_cells_quote_their_row(comparison, seed_papers)


def test_a_named_title_that_is_not_indexed_is_reported_not_replaced(assistant, seed_papers):
    comparison = assistant.compare(f"{PLEAS}; {NOT_INDEXED}")
    assert [r.paper.title for r in comparison.rows] == [PLEAS]
    assert comparison.not_found == (NOT_INDEXED,)
    assert_cells_quote_their_row(comparison, seed_papers)


def test_a_title_with_typos_matches_and_a_similar_made_up_one_does_not(assistant):
    comparison = assistant.compare("unconstraned model merging for enhanced LLM reasonig; Merging Models with Permutations")
    assert [r.paper.title for r in comparison.rows] == [UNCONSTRAINED]
    assert comparison.not_found == ("Merging Models with Permutations",)


def test_a_short_name_matches_its_own_title_only(assistant):
    # "QLoRA" is the name before the colon of one title; "LoRA" is no title (and not "FLoRA: ...").
    comparison = assistant.compare("QLoRA vs LoRA")
    assert [r.paper.title for r in comparison.rows] == [QLORA]
    assert comparison.not_found == ("LoRA",)


def test_a_name_only_an_abstract_introduces_finds_that_paper_and_a_mentioned_one_is_not_found(assistant):
    """CoOp, MVLPT and SPG are named in their abstracts ("we propose Context Optimization (CoOp)", "namely
    Soft Prompt Generation (SPG)"), not in their titles' leads: "CoOp vs MVLPT vs SPG" compared eight other
    papers. LLM-Pruner is in no abstract; SquareHead is "an approach we term SquareHead"."""
    comparison = assistant.compare("CoOp vs MVLPT vs SPG")
    assert [r.paper.title for r in comparison.rows] == [
        "Learning to Prompt for Vision-Language Models", "Multitask Vision-Language Prompt Tuning",
        "Soft Prompt Generation for Domain Generalization"]
    assert comparison.not_found == ()
    pruners = assistant.compare("GBLM-Pruner vs LLM-Pruner vs SquareHead")
    assert len(pruners.rows) == 2 and pruners.rows[1].paper.title.startswith("Sparse Finetuning for Inference Acceleration")
    assert pruners.not_found == ("LLM-Pruner",)
    # A name several abstracts use but none introduces is reported, not matched to one that mentions it.
    assert assistant.compare("QLoRA vs DPO").not_found == ("DPO",)


def test_no_named_title_found_is_an_error_with_a_hint(assistant):
    with pytest.raises(QueryError) as info:
        assistant.compare(f"{NOT_INDEXED}; Another title nobody wrote")
    assert NOT_INDEXED in info.value.message
    assert info.value.hint


# ---------------------------------------------------------------- which sentence goes where

# (title prefix, column, prefixes of the sentences a reader would put there; () = not stated),
# chosen by reading seed abstracts. DEV shaped the cues; HELD_OUT was labelled before the
# assignment first ran on it (17/24 then; the cues were revised after); FRESH was labelled after
# the last revision, before any run on it. Measured: old greedy order 30/44, 18/24, 21/24; this
# assignment 44/44, 24/24, 24/24.
DEV = [
    ("CogACT: A Foundational Vision-Language-Action Model", "problem", ("While existing VLAs adapted",)),
    ("CogACT: A Foundational Vision-Language-Action Model", "method", ("Unlike previous works that directly", "In this paper, we present a new advanced VLA")),
    ("CogACT: A Foundational Vision-Language-Action Model", "result", ("The evaluation on 5 robot", "It exceeds the average success", "It also outperforms the large")),
    ("SortedNet, a Place for Every Network", "problem", ("Consequently, conventional neural network", "Although usually the architecture")),
    ("SortedNet, a Place for Every Network", "method", ("This paper proposes SortedNet",)),
    ("SortedNet, a Place for Every Network", "result", ("Our findings demonstrate the feasibility", "Experimental results show the efficacy")),
    ("Antidote: Post-fine-tuning Safety Alignment", "problem", ("However, our evaluation shows that both", "Safety aligned Large Language Models")),
    ("Antidote: Post-fine-tuning Safety Alignment", "method", ("To this end, we propose Antidote", "With this philosophy, we introduce")),
    ("Antidote: Post-fine-tuning Safety Alignment", "result", ("Despite its embarrassing simplicity",)),
    ("How Does Vision-Language Adaptation Impact", "problem", ("Despite potential harmfulness", "Vision-Language adaptation (VL adaptation) transforms")),
    ("How Does Vision-Language Adaptation Impact", "result", ("Our analysis reveals that safety", "Additionally, our findings demonstrate", "Further analysis of internal")),
    ("CELLM: An Efficient Communication", "problem", ("While LLMs are a promising development", "However, FL training suffers")),
    ("CELLM: An Efficient Communication", "method", ("To this end, we employ two", "First, we use low-rank", "Second, we communicate sparse")),
    ("CELLM: An Efficient Communication", "result", ("Taken together, our method reduces",)),
    ("OpenVLA: An Open-Source Vision-Language-Action Model", "problem", ("Yet, widespread adoption of VLAs",)),
    ("OpenVLA: An Open-Source Vision-Language-Action Model", "method", ("Addressing these challenges, we introduce OpenVLA",)),
    ("OpenVLA: An Open-Source Vision-Language-Action Model", "result", ("As a product of the added data", "We further show that we can effectively")),
    ("QLoRA: Efficient Finetuning of Quantized LLMs", "problem", ()),
    ("QLoRA: Efficient Finetuning of Quantized LLMs", "method", ("We present QLoRA", "QLoRA backpropagates", "QLoRA introduces a number")),
    ("QLoRA: Efficient Finetuning of Quantized LLMs", "data", ("We use QLoRA to finetune more than", "Our results show that QLoRA finetuning on a small")),
    ("QLoRA: Efficient Finetuning of Quantized LLMs", "result", ("Our best model family", "Our results show that QLoRA finetuning")),
    ("Diversify and Conquer: Diversity-Centric Data Selection", "problem", ("As instruction datasets proliferate", "This work addresses the question", "While existing research often")),
    ("Diversify and Conquer: Diversity-Centric Data Selection", "method", ("We propose an iterative refinement", "Our method employs k-means")),
    ("Diversify and Conquer: Diversity-Centric Data Selection", "result", ("Through extensive evaluation across",)),
    ("PortLLM: Personalizing Evolving Large Language Models", "problem", ("However, pretrained LLMs such as ChatGPT", "Even though fine-tuning costs", "Moreover, access to fine-tuning")),
    ("PortLLM: Personalizing Evolving Large Language Models", "method", ("In this paper, we present PortLLM",)),
    ("PortLLM: Personalizing Evolving Large Language Models", "data", ("Our extensive experiments cover seven",)),
    ("PortLLM: Personalizing Evolving Large Language Models", "result", ("For instance, PortLLM achieves",)),
    ("MUSCLE: A Model Update Strategy", "problem", ("When these base models are updated", "When updating models, developers", "They have to adapt their mental")),
    ("MUSCLE: A Model Update Strategy", "method", ("Second, we propose a training strategy", "Our work aims to provide", "First, we provide evaluation metrics")),
    ("MUSCLE: A Model Update Strategy", "result", ("We reduce negative flips",)),
    ("Beyond Memorization: Violating Privacy", "problem", ("This raises the key question", "Current privacy research")),
    ("Beyond Memorization: Violating Privacy", "method", ("In this work, we present the first",)),
    ("Beyond Memorization: Violating Privacy", "data", ("We construct a dataset consisting",)),
    ("Beyond Memorization: Violating Privacy", "result", ("Our findings highlight that current", "Finally, we show that common mitigations")),
    ("Unconstrained Model Merging for Enhanced LLM Reasoning", "problem", ("However, creating a powerful", "Existing studies on model merging")),
    ("Unconstrained Model Merging for Enhanced LLM Reasoning", "method", ("In this work, we propose an unconstrained",)),
    ("Unconstrained Model Merging for Enhanced LLM Reasoning", "data", ("Across 7 benchmarks and 9",)),
    ("Just One Byte (per gradient)", "problem", ("Language model training in distributed",)),
    ("Just One Byte (per gradient)", "method", ("In this short note, we extend", "The method is a natural", "Each iteration, each machine")),
    ("Just One Byte (per gradient)", "result", ("Our approach not only drastically",)),
    ("An Emulator for Fine-Tuning Large Language Models", "problem", ("While it has been hypothesized",)),
    ("An Emulator for Fine-Tuning Large Language Models", "method", ("Using an RL-based framework", "To aid in doing so, we introduce")),
    ("An Emulator for Fine-Tuning Large Language Models", "result", ("Our experiments with EFT show", "Up-scaling consistently improves")),
]
HELD_OUT = [
    ("S^{2}FT: Efficient, Scalable and Generalizable", "problem", ("Current PEFT methods for LLMs",)),
    ("S^{2}FT: Efficient, Scalable and Generalizable", "method", ("Utilizing this key insight, we propose",)),
    ("S^{2}FT: Efficient, Scalable and Generalizable", "result", ("Through theoretical analysis and empirical", "Using our partial backpropagation")),
    ("Can LLMs Reason in the Wild with Programs?", "problem", ("While being a promising direction", "However, as LLMs become more capable")),
    ("Can LLMs Reason in the Wild with Programs?", "method", ("To investigate this, we introduce the task",)),
    ("Can LLMs Reason in the Wild with Programs?", "data", ("We create a large tactic-guided",)),
    ("Can LLMs Reason in the Wild with Programs?", "result", ("In experiments, we highlight", "We further show the potential")),
    ("A Survey on Mixture of Experts", "problem", ("Despite its growing prevalence",)),
    ("A Survey on Mixture of Experts", "method", ("This survey seeks to bridge", "We first briefly introduce", "Next, we overview the core")),
    ("A Survey on Mixture of Experts", "result", ()),
    ("UL2: Unifying Language Learning Paradigms", "problem", ("Existing pre-trained models are generally", "To date, there seems to be")),
    ("UL2: Unifying Language Learning Paradigms", "method", ("This paper presents a unified", "We then propose Mixture-of-Denoisers")),
    ("UL2: Unifying Language Learning Paradigms", "result", ("We conduct extensive ablative", "By scaling our model up", "Our model also achieve", "On 0-shot MMLU")),
    ("GAMMA: Revisiting Template-based Automated Program Repair", "problem", ("However, it is challenging for template", "Inappropriate donor code")),
    ("GAMMA: Revisiting Template-based Automated Program Repair", "method", ("In this paper, we aim to revisit",)),
    ("GAMMA: Revisiting Template-based Automated Program Repair", "data", ("The experimental results demonstrate that GAMMA", "Furthermore, GAMMA repairs 45")),
    ("GAMMA: Revisiting Template-based Automated Program Repair", "result", ("The experimental results demonstrate that GAMMA", "Furthermore, GAMMA repairs 45", "We also prove that adopting")),
    ("Few-Shot Cross-Lingual Transfer for Prompting", "problem", ("Only the largest, most capable", "The data limitations in most", "Albeit the surge in work")),
    ("Few-Shot Cross-Lingual Transfer for Prompting", "method", ("We evaluate the possible methods", "We consider three methods")),
    ("Few-Shot Cross-Lingual Transfer for Prompting", "data", ("We consider three methods", "We evaluate the possible methods")),
    ("Few-Shot Cross-Lingual Transfer for Prompting", "result", ("Although LAFT carries", "Rather, the translate and prompt", "We find that the results", "Results show that the prompt")),
    ("Exploiting Pretrained Biochemical Language Models", "problem", ("However, such a model is limited",)),
    ("Exploiting Pretrained Biochemical Language Models", "method", ("In this study, we propose exploiting", "We investigate two warm start")),
    ("Exploiting Pretrained Biochemical Language Models", "result", ("Results: The results show", "The two proposed warm-start", "However, docking evaluation", "Additionally, we observe that beam")),
]
FRESH = [
    ("MegaScale: Scaling Large Language Model Training", "problem", ("Training LLMs at this scale brings", "Many hard stability issues")),
    ("MegaScale: Scaling Large Language Model Training", "method", ("We present the design, implementation", "We take a full-stack approach", "We develop a set of diagnosis")),
    ("MegaScale: Scaling Large Language Model Training", "result", ("MegaScale achieves 55.2%",)),
    ("Does Continual Learning Equally Forget", "problem", ("Distribution shift (e.g., task", "Although it can be alleviated")),
    ("Does Continual Learning Equally Forget", "method", ("In this paper, we study which modules", "We further propose a more efficient")),
    ("Does Continual Learning Equally Forget", "data", ("In experiments on several benchmarks",)),
    ("Does Continual Learning Equally Forget", "result", ("Our proposed metrics show", "Hence, we attribute forgetting", "Surprisingly, this", "In experiments on several benchmarks")),
    ("TrICy: Trigger-guided Data-to-text Generation", "problem", ("In the context of conversational AI",)),
    ("TrICy: Trigger-guided Data-to-text Generation", "method", ("To this end, we propose TrICy",)),
    ("TrICy: Trigger-guided Data-to-text Generation", "data", ("Performance analyses on E2E NLG",)),
    ("TrICy: Trigger-guided Data-to-text Generation", "result", ("Moreover, we show that by leveraging", "Furthermore, our analyses show", "Performance analyses on E2E NLG")),
    ("Preference Fine-Tuning for Factuality in Chest X-Ray", "problem", ("The challenge in radiology lies", "However, the field faces", "While automated approaches using")),
    ("Preference Fine-Tuning for Factuality in Chest X-Ray", "method", ("We propose a scalable automated", "Our method leverages publicly")),
    ("Preference Fine-Tuning for Factuality in Chest X-Ray", "data", ("Our method leverages publicly", "We evaluate and benchmark five", "To assess a potential alignment tax")),
    ("Preference Fine-Tuning for Factuality in Chest X-Ray", "result", ("Our results show up to a 57.4%", "A reader study involving", "To assess a potential alignment tax")),
    ("HALO: Hadamard-Assisted Lossless Optimization", "problem", ("Quantized training of Large Language", "This is particularly the case")),
    ("HALO: Hadamard-Assisted Lossless Optimization", "method", ("We present HALO",)),
    ("HALO: Hadamard-Assisted Lossless Optimization", "result", ("Applied to LLAMA-family models", "Our results demonstrate the first")),
    ("EMO: Earth Mover Distance Optimization", "problem", ("However, various degeneration phenomena", "We establish that the forward")),
    ("EMO: Earth Mover Distance Optimization", "method", ("In this paper, we propose Earth Mover", "EMO capitalizes on the inherent", "Due to the high complexity")),
    ("EMO: Earth Mover Distance Optimization", "result", ("We find that EMO demonstrates", "Moreover, EMO demonstrates noteworthy")),
    ("Towards Realistic Zero-Shot Classification", "problem", ("Despite the success, most traditional",)),
    ("Towards Realistic Zero-Shot Classification", "method", ("To address this challenge, we propose", "Our S^3A framework adopts")),
    ("Towards Realistic Zero-Shot Classification", "result", ("Our comprehensive experiments across",)),
]

# Written by a helper who read only the 20 abstracts (random seed papers not labelled above) and never this code, every
# sentence a careful reader would accept per column (2026-12-05). The first 10 papers' labels shaped cue changes (a
# finding or analysis is the data cell only when it names data, "we conduct / answer / summarise …" is a method,
# "the problem of …" a problem, "… solves the problem …" a response): 32 -> 37 of 40; the last 10 were held out:
# 33 -> 37 of 40.
HELPER = [
    ('Model Breadcrumbs: Scaling Multi-Task Model Merging with Spa', 'problem', ('This work focuses on the problem of merg',)),
    ('Model Breadcrumbs: Scaling Multi-Task Model Merging with Spa', 'method', ('We introduce a new simple method, Model ', 'These breadcrumbs are constructed by sub')),
    ('Model Breadcrumbs: Scaling Multi-Task Model Merging with Spa', 'data', ()),
    ('Model Breadcrumbs: Scaling Multi-Task Model Merging with Spa', 'result', ('Our experiments demonstrate the effectiv', 'Our method is shown to be more efficient', 'Through extensive experimentation involv')),
    ('Retrieval-Augmented Generation for Knowledge-Intensive NLP T', 'problem', ('However, their ability to access and pre', 'Additionally, providing provenance for t', 'Pre-trained models with a differentiable')),
    ('Retrieval-Augmented Generation for Knowledge-Intensive NLP T', 'method', ('We explore a general-purpose fine-tuning', 'We introduce RAG models where the parame', 'We compare two RAG formulations, one whi')),
    ('Retrieval-Augmented Generation for Knowledge-Intensive NLP T', 'data', ('We introduce RAG models where the parame', 'We fine-tune and evaluate our models on ')),
    ('Retrieval-Augmented Generation for Knowledge-Intensive NLP T', 'result', ('We fine-tune and evaluate our models on ', 'For language generation tasks, we find t')),
    ('Improving Large Language Model Fine-tuning for Solving Math ', 'problem', ('Despite their success in many natural la', "A large gap exists between LLMs' pass-at")),
    ('Improving Large Language Model Fine-tuning for Solving Math ', 'method', ('Using the challenging MATH dataset, we i',)),
    ('Improving Large Language Model Fine-tuning for Solving Math ', 'data', ('Using the challenging MATH dataset, we i', 'Guided by these insights, we design a fi')),
    ('Improving Large Language Model Fine-tuning for Solving Math ', 'result', ('With these methods, we present a thoroug', 'Guided by these insights, we design a fi')),
    ('Mug-STAN: Adapting Image-Language Pretrained Models for Gene', 'problem', ('Despite the impressive performance of im', 'In this paper, we investigate the image-')),
    ('Mug-STAN: Adapting Image-Language Pretrained Models for Gene', 'method', ('To address these challenges, we propose ',)),
    ('Mug-STAN: Adapting Image-Language Pretrained Models for Gene', 'data', ('With our solution, state-of-the-art zero',)),
    ('Mug-STAN: Adapting Image-Language Pretrained Models for Gene', 'result', ('Extensive experimental results verify Mu', 'With our solution, state-of-the-art zero', 'Moreover, by integrating pretrained Mug-')),
    ('The Lessons of Developing Process Reward Models in Mathemati', 'problem', ('However, the development of effective PR', 'MC estimation relies on completion model', 'Furthermore, we identify potential biase')),
    ('The Lessons of Developing Process Reward Models in Mathemati', 'method', ('To address these challenges, we develop ',)),
    ('The Lessons of Developing Process Reward Models in Mathemati', 'data', ()),
    ('The Lessons of Developing Process Reward Models in Mathemati', 'result', ('In this paper, through extensive experim', 'Based on the mechanisms, we significantl', 'Finally, we release a new state-of-the-a')),
    ('Vanishing Variance Problem in Fully Decentralized Neural-Net', 'problem', ('This decentralized nature often position', 'Our findings suggest that this averaging', 'We identify the underlying cause and ref')),
    ('Vanishing Variance Problem in Fully Decentralized Neural-Net', 'method', ('Unlike federated learning where the cent', 'This novel algorithm preserves the optim')),
    ('Vanishing Variance Problem in Fully Decentralized Neural-Net', 'data', ()),
    ('Vanishing Variance Problem in Fully Decentralized Neural-Net', 'result', ('Our findings suggest that this averaging', 'Our extensive simulation results demonst')),
    ('CodeT5+: Open Code Large Language Models for Code Understand', 'problem', ('However, existing code LLMs have two mai', 'First, they often adopt a specific archi', 'The former paradigm is limited by inflex', 'Secondly, they often employ a limited se')),
    ('CodeT5+: Open Code Large Language Models for Code Understand', 'method', ('To address these limitations, we propose', 'Such flexibility is enabled by our propo', 'These objectives cover span denoising, c', 'Furthermore, we propose to initialize Co')),
    ('CodeT5+: Open Code Large Language Models for Code Understand', 'data', ('These objectives cover span denoising, c', 'We extensively evaluate CodeT5+ on over ', 'Particularly, our instruction-tuned Code')),
    ('CodeT5+: Open Code Large Language Models for Code Understand', 'result', ('We observe state-of-the-art (SoTA) model', 'Particularly, our instruction-tuned Code')),
    ('Digi-Q: Learning Q-Value Functions for Training Device-Contr', 'problem', ('While a number of existing approaches fo', 'On-policy reinforcement learning (RL) sh')),
    ('Digi-Q: Learning Q-Value Functions for Training Device-Contr', 'method', ('In this paper, we develop an approach, c', 'We study our approach in the mobile devi', 'Digi-Q trains the Q-function using offli', 'To make the VLM features amenable for re', 'Once trained, we use this Q-function via')),
    ('Digi-Q: Learning Q-Value Functions for Training Device-Contr', 'data', ('Digi-Q outperforms several prior methods',)),
    ('Digi-Q: Learning Q-Value Functions for Training Device-Contr', 'result', ('Digi-Q outperforms several prior methods', 'In some cases, our Digi-Q approach alrea')),
    ('Preference Fine-Tuning of LLMs Should Leverage Suboptimal, O', 'problem', ('Different methods come with different im', 'This raises a natural question: what kin')),
    ('Preference Fine-Tuning of LLMs Should Leverage Suboptimal, O', 'method', ('In this paper, we answer this question b', 'We conceptualize our insights and unify ')),
    ('Preference Fine-Tuning of LLMs Should Leverage Suboptimal, O', 'data', ()),
    ('Preference Fine-Tuning of LLMs Should Leverage Suboptimal, O', 'result', ('Our main finding is that, in general, ap', 'Mode-seeking objectives are able to alte')),
    ('Beyond Size: How Gradients Shape Pruning Decisions in Large ', 'problem', ('However, they overlooked the informative',)),
    ('Beyond Size: How Gradients Shape Pruning Decisions in Large ', 'method', ('In this paper, we present a novel sparsi', 'GBLM-Pruner leverages the first-order te', 'Additionally, GBLM-Pruner functions with')),
    ('Beyond Size: How Gradients Shape Pruning Decisions in Large ', 'data', ('Extensive evaluations on LLaMA-1 and LLa',)),
    ('Beyond Size: How Gradients Shape Pruning Decisions in Large ', 'result', ('GBLM-Pruner leverages the first-order te', 'Intriguing, after incorporating gradient', 'Extensive evaluations on LLaMA-1 and LLa')),
    ('LlamaFusion: Adapting Pretrained Language Models for Multimo', 'problem', ()),
    ('LlamaFusion: Adapting Pretrained Language Models for Multimo', 'method', ('We present LlamaFusion, a framework for ', "LlamaFusion leverages existing Llama-3's", 'During training, the data from each moda', 'By freezing the text-specific modules an')),
    ('LlamaFusion: Adapting Pretrained Language Models for Multimo', 'data', ()),
    ('LlamaFusion: Adapting Pretrained Language Models for Multimo', 'result', ('Compared to methods that pretrain multim', 'We also demonstrate that this framework ')),
    ('YourBench: Easy Custom Evaluation Sets for Everyone', 'problem', ('Evaluating large language models (LLMs) ', 'This hinders timely or domain-specific a')),
    ('YourBench: Easy Custom Evaluation Sets for Everyone', 'method', ('We introduce YourBench, a novel, open-so', 'Our comprehensive analysis spans 26 SoTA')),
    ('YourBench: Easy Custom Evaluation Sets for Everyone', 'data', ('We demonstrate its efficacy by replicati', 'To ensure that YourBench generates data ', 'We release the YourBench library, the Te')),
    ('YourBench: Easy Custom Evaluation Sets for Everyone', 'result', ('We demonstrate its efficacy by replicati',)),
    ('Stacking Your Transformers: A Closer Look at Model Growth fo', 'problem', ('LLMs are computationally expensive to pr', 'However, the viability of these model gr', 'This work identifies three critical text')),
    ('Stacking Your Transformers: A Closer Look at Model Growth fo', 'method', ('To tackle O1, we summarize existing appr', 'Motivated by these promising results, we', 'We further address O3 (lack of empirical')),
    ('Stacking Your Transformers: A Closer Look at Model Growth fo', 'data', ('Our findings reveal that a depthwise sta',)),
    ('Stacking Your Transformers: A Closer Look at Model Growth fo', 'result', ('Our findings reveal that a depthwise sta', 'For O2 (untested scalability), our study', 'For example, compared to a conventionall')),
    ('What Language Model Architecture and Pretraining Objective W', 'problem', ('However, the architectures and pretraini',)),
    ('What Language Model Architecture and Pretraining Objective W', 'method', ('In this work, we present a large-scale e', 'In particular, we focus on text-to-text ', 'We train models with over 5 billion para', 'We therefore consider the adaptation of ')),
    ('What Language Model Architecture and Pretraining Objective W', 'data', ()),
    ('What Language Model Architecture and Pretraining Objective W', 'result', ('Our experiments show that causal decoder', 'However, models with non-causal visibili', 'We find that pretrained non-causal decod', 'Furthermore, we find that pretrained cau')),
    ('Fine-Tuning Large Neural Language Models for Biomedical Natu', 'problem', ('Motivation: A perennial challenge for bi', 'However, fine-tuning such models for an ')),
    ('Fine-Tuning Large Neural Language Models for Biomedical Natu', 'method', ('Results: We conduct a systematic study o', 'We thus conduct a comprehensive explorat')),
    ('Fine-Tuning Large Neural Language Models for Biomedical Natu', 'data', ('For low-resource text similarity tasks s',)),
    ('Fine-Tuning Large Neural Language Models for Biomedical Natu', 'result', ('We show that finetuning performance may ', 'Large models have potential to attain be', 'We show that these techniques can substa', 'Specifically, freezing lower layers is h', 'For low-resource text similarity tasks s', 'Overall, domainspecific vocabulary and p', 'Based on these findings, we establish ne')),
    ('M$^{2}$UGen: Multi-modal Music Understanding and Generation ', 'problem', ('However, research that combines both und',)),
    ('M$^{2}$UGen: Multi-modal Music Understanding and Generation ', 'method', ('To address this gap, we introduce a Mult', 'The M^{2}UGen framework is purpose-built', 'To enable music generation, we explore t', 'Bridging multi-modal understanding and m', 'Furthermore, we make use of the MU-LLaMA')),
    ('M$^{2}$UGen: Multi-modal Music Understanding and Generation ', 'data', ('Furthermore, we make use of the MU-LLaMA',)),
    ('M$^{2}$UGen: Multi-modal Music Understanding and Generation ', 'result', ('The experimental results demonstrate tha',)),
    ('Debate Helps Weak-to-Strong Generalization', 'problem', ('However, future superhuman models will s', 'Therefore, humans will only be able to w', 'This expected deficiency of human evalua')),
    ('Debate Helps Weak-to-Strong Generalization', 'method', ('In this paper, we attempt to combine the', 'Specifically, we investigate ways of imp', 'To make iterative empirical progress, we', 'We empirically test it by finetuning a s')),
    ('Debate Helps Weak-to-Strong Generalization', 'data', ('Extensive experiments on the OpenAI weak',)),
    ('Debate Helps Weak-to-Strong Generalization', 'result', ('We find that debate can assist a weak mo', 'We also show that an ensemble of weak mo', 'Extensive experiments on the OpenAI weak')),
    ('Using DeepSpeed and Megatron to Train Megatron-Turing NLG 53', 'problem', ('Because of their success, the size of th',)),
    ('Using DeepSpeed and Megatron to Train Megatron-Turing NLG 53', 'method', ('As the result of a joint effort between ', 'In this paper, we first focus on the inf', 'Next, we detail the training process, th')),
    ('Using DeepSpeed and Megatron to Train Megatron-Turing NLG 53', 'data', ('Next, we detail the training process, th', 'We demonstrate that MT-NLG achieves supe')),
    ('Using DeepSpeed and Megatron to Train Megatron-Turing NLG 53', 'result', ('We demonstrate that MT-NLG achieves supe',)),
    ('A Comprehensive Survey on Pretrained Foundation Models: A Hi', 'problem', ('Numerous studies have proposed different',)),
    ('A Comprehensive Survey on Pretrained Foundation Models: A Hi', 'method', ('This study provides a comprehensive revi', 'The review covers the basic components a', 'Additionally, it explores advanced PFMs ', 'The review also discusses research relat', 'Finally, the study provides key implicat')),
    ('A Comprehensive Survey on Pretrained Foundation Models: A Hi', 'data', ()),
    ('A Comprehensive Survey on Pretrained Foundation Models: A Hi', 'result', ()),
    ('SPT: Fine-Tuning Transformer-based Language Models Efficient', 'problem', ('However, Transformer fine-tuning has lon', 'We observe that the memory consumption o')),
    ('SPT: Fine-Tuning Transformer-based Language Models Efficient', 'method', ('We propose the SPT system to fine-tune T', 'Thus, we design the sparse MHA module, w', 'We implement SPT on PyTorch and customiz', 'Specifically, we use product quantizatio', 'For routed FFN, we batch the tokens acco')),
    ('SPT: Fine-Tuning Transformer-based Language Models Efficient', 'data', ()),
    ('SPT: Fine-Tuning Transformer-based Language Models Efficient', 'result', ('The results show that SPT consistently o',)),
]

# A second helper batch, 20 more random seed papers, labelled the same way: read after the changes above, 61 of 80 (the
# code before them: 62); its misses then shaped a second round ("remains" and "question" only as a gap's words, a
# finding weighs more as a result, "unsuitable", "experiment with … data"): 64 of 80.
HELPER_2 = [
    ('LLM-Adapters: An Adapter Family for Parameter-Efficient Fine', 'problem', ()),
    ('LLM-Adapters: An Adapter Family for Parameter-Efficient Fine', 'method', ('To enable further research on PEFT metho', 'The framework includes state-of-the-art ', 'The framework is designed to be research')),
    ('LLM-Adapters: An Adapter Family for Parameter-Efficient Fine', 'data', ('Furthermore, to evaluate the effectivene',)),
    ('LLM-Adapters: An Adapter Family for Parameter-Efficient Fine', 'result', ('The results demonstrate that using adapt',)),
    ('LQ-LoRA: Low-rank Plus Quantized Matrix Decomposition for Ef', 'problem', ()),
    ('LQ-LoRA: Low-rank Plus Quantized Matrix Decomposition for Ef', 'method', ('We propose a simple approach for memory-', 'Our approach uses an iterative algorithm', 'During finetuning, the quantized compone', 'We present an integer linear programming', 'We further explore a data-aware version ')),
    ('LQ-LoRA: Low-rank Plus Quantized Matrix Decomposition for Ef', 'data', ('For example, on the OpenAssistant benchm', 'When finetuned on a language modeling ca')),
    ('LQ-LoRA: Low-rank Plus Quantized Matrix Decomposition for Ef', 'result', ('Experiments on adapting RoBERTa and LLaM', 'For example, on the OpenAssistant benchm', 'When finetuned on a language modeling ca')),
    ('Scalable Vision Language Model Training via High Quality Dat', 'problem', ()),
    ('Scalable Vision Language Model Training via High Quality Dat', 'method', ('In this paper, we introduce SAIL-VL (ScA', 'We introduce three key improvements that', 'Equipped with this pipeline, we curate S', '(2) Scalable Pretraining with High-Quali', '(3) Scalable SFT via quantity and qualit', "To further improve SAIL-VL's performance", 'data sizes from logarithmic to be near-l')),
    ('Scalable Vision Language Model Training via High Quality Dat', 'data', ('We introduce three key improvements that', 'Equipped with this pipeline, we curate S', '(3) Scalable SFT via quantity and qualit', 'SAIL-VL obtains the highest average scor')),
    ('Scalable Vision Language Model Training via High Quality Dat', 'result', ('(2) Scalable Pretraining with High-Quali', 'SAIL-VL obtains the highest average scor')),
    ('Augmenting Autotelic Agents with Large Language Models', 'problem', ('Current artificial agents mostly rely on', 'list of instructions), or unbounded (e.g', 'the space of possible visual inputs) but')),
    ('Augmenting Autotelic Agents with Large Language Models', 'method', ('In this paper, we introduce a language m', 'The LM is used as an imperfect model of ', 'Specifically, it supports three key comp')),
    ('Augmenting Autotelic Agents with Large Language Models', 'data', ('Without relying on any hand-coded goal r',)),
    ('Augmenting Autotelic Agents with Large Language Models', 'result', ('Without relying on any hand-coded goal r',)),
    ('Small Language Models Fine-tuned to Coordinate Larger Langua', 'problem', ('Recent attempts at prompt decomposition ', 'A significant disadvantage is that found')),
    ('Small Language Models Fine-tuned to Coordinate Larger Langua', 'method', ('We introduce DaSLaM, which uses a decomp', 'These subproblems are answered by a solv', 'We use a relatively small (13B parameter')),
    ('Small Language Models Fine-tuned to Coordinate Larger Langua', 'data', ('Evaluation on multiple different reasoni',)),
    ('Small Language Models Fine-tuned to Coordinate Larger Langua', 'result', ('Evaluation on multiple different reasoni', 'Additionally, we show that DaSLaM is not', 'Exhaustive ablation studies evince the s')),
    ('Adaptive Computation Modules: Granular Conditional Computati', 'problem', ('The computational cost of transformer mo', 'While techniques such as quantization or', 'In addition, globally reducing the cost ')),
    ('Adaptive Computation Modules: Granular Conditional Computati', 'method', ('Motivated by this observation, we introd', 'An ACM consists of a sequence of learner', 'An additional gating mechanism determine', 'We also describe a distillation techniqu', 'The distillation phase is designed to be')),
    ('Adaptive Computation Modules: Granular Conditional Computati', 'data', ()),
    ('Adaptive Computation Modules: Granular Conditional Computati', 'result', ('Our evaluation of transformer models in ',)),
    ('Compacter: Efficient Low-Rank Hypercomplex Adapter Layers', 'problem', ('However, fine-tuning all weights of mode', 'Recent work has developed parameter-effi')),
    ('Compacter: Efficient Low-Rank Hypercomplex Adapter Layers', 'method', ('In this work, we propose Compacter, a me', 'Compacter accomplishes this by building ', 'Specifically, Compacter inserts task-spe')),
    ('Compacter: Efficient Low-Rank Hypercomplex Adapter Layers', 'data', ('By only training 0.047% of a pretrained ',)),
    ('Compacter: Efficient Low-Rank Hypercomplex Adapter Layers', 'result', ('By only training 0.047% of a pretrained ',)),
    ('Model Editing with Canonical Examples', 'problem', ()),
    ('Model Editing with Canonical Examples', 'method', ('We introduce model editing with canonica', 'A canonical example is a simple instance', 'The evaluation set contains more complex', 'We then turn to the Backpack language mo', 'We propose sense finetuning, which selec', 'Finally, we improve GPT-J-6B by an infer')),
    ('Model Editing with Canonical Examples', 'data', ('The evaluation set contains more complex',)),
    ('Model Editing with Canonical Examples', 'result', ('In our experiments on Pythia language mo', 'We propose sense finetuning, which selec', 'Finally, we improve GPT-J-6B by an infer')),
    ('Knowledge-Aware Artifact Image Synthesis with LLM-Enhanced P', 'problem', ('However, many physical copies of artifac', 'Despite the significant advancements in ')),
    ('Knowledge-Aware Artifact Image Synthesis with LLM-Enhanced P', 'method', ('In this paper, we propose a novel knowle', 'We use a pretrained diffusion model as b')),
    ('Knowledge-Aware Artifact Image Synthesis with LLM-Enhanced P', 'data', ()),
    ('Knowledge-Aware Artifact Image Synthesis with LLM-Enhanced P', 'result', ('Compared to existing approaches, our pro',)),
    ('Flexora: Flexible Low Rank Adaptation for Large Language Mod', 'problem', ('However, their performance in specific d', 'Thus, fine-tuning techniques, especially')),
    ('Flexora: Flexible Low Rank Adaptation for Large Language Mod', 'method', ('To overcome this overfitting and improve', 'Specifically, Flexora firstly frames thi')),
    ('Flexora: Flexible Low Rank Adaptation for Large Language Mod', 'data', ()),
    ('Flexora: Flexible Low Rank Adaptation for Large Language Mod', 'result', ('Our extensive experiments on many pretra',)),
    ('This Land is {Your, My} Land: Evaluating Geopolitical Biases', 'problem', ('Do the Spratly Islands belong to China, ', 'A pretrained large language model (LLM) ', 'This contrasts with a multilingual human')),
    ('This Land is {Your, My} Land: Evaluating Geopolitical Biases', 'method', ('As a targeted case study, we consider te', 'We introduce BorderLines, a dataset of t', 'We also propose a suite of evaluation me', 'We then evaluate various multilingual LL', 'Finally, we explore several prompt modif')),
    ('This Land is {Your, My} Land: Evaluating Geopolitical Biases', 'data', ('We introduce BorderLines, a dataset of t',)),
    ('This Land is {Your, My} Land: Evaluating Geopolitical Biases', 'result', ('In this paper, we show that LLMs recall ', 'We then evaluate various multilingual LL', 'Finally, we explore several prompt modif')),
    ('The Best Instruction-Tuning Data are Those That Fit', 'problem', ('Typically, instructions are paired with ', 'This, at scale, can lead to diminishing ')),
    ('The Best Instruction-Tuning Data are Those That Fit', 'method', ('We propose **GRAPE**, a novel SFT framew', 'For each instruction, it gathers respons')),
    ('The Best Instruction-Tuning Data are Those That Fit', 'data', ('We first evaluate GRAPE with a controlle', 'We experiment with the post-training dat')),
    ('The Best Instruction-Tuning Data are Those That Fit', 'result', ('GRAPE significantly outperforms strong b', "GRAPE's strong performance generalizes t", 'GRAPE outperforms strong baselines train', 'Remarkably, using 1/3 of the data and ha')),
    ('M2-CLIP: A Multimodal, Multi-task Adapting Framework for Vid', 'problem', ('Nevertheless, prevailing approaches tend',)),
    ('M2-CLIP: A Multimodal, Multi-task Adapting Framework for Vid', 'method', ('In this paper, we introduce a novel Mult', 'Firstly, to enhance the individual modal', 'Specifically, we design a novel visual T', 'Moreover, we adopt text encoder adapters', 'Secondly, we design a multi-task decoder')),
    ('M2-CLIP: A Multimodal, Multi-task Adapting Framework for Vid', 'data', ()),
    ('M2-CLIP: A Multimodal, Multi-task Adapting Framework for Vid', 'result', ('Experimental results validate the effica',)),
    ('Mixture of Prompt Learning for Vision Language Models', 'problem', ('However, current prompt learning methods',)),
    ('Mixture of Prompt Learning for Vision Language Models', 'method', ('To address these challenges, we propose ', 'This module is able to capture a dataset', 'Additionally, we introduce a novel gatin', 'We also implement semantically grouped t', 'This supervision ensures that the text f')),
    ('Mixture of Prompt Learning for Vision Language Models', 'data', ('Our method has been validated on 11 data',)),
    ('Mixture of Prompt Learning for Vision Language Models', 'result', ('Our method has been validated on 11 data',)),
    ('Harnessing Multimodal Large Language Models for Multimodal S', 'problem', ('This introduces new challenges to the ex', 'Moreover, although Multimodal Large Lang')),
    ('Harnessing Multimodal Large Language Models for Multimodal S', 'method', ('To this end, in this paper, we propose t', 'To capture the dynamic user preference, ', 'Specifically, we first utilize an MLLM-b', 'Then, we employ a recurrent user prefere', 'Finally, to enable the MLLM for multi-mo')),
    ('Harnessing Multimodal Large Language Models for Multimodal S', 'data', ()),
    ('Harnessing Multimodal Large Language Models for Multimodal S', 'result', ('Extensive evaluations across various dat',)),
    ('PRISMA-DFLLM: An Extension of PRISMA for Systematic Literatu', 'problem', ('With the proliferation of open-sourced L',)),
    ('PRISMA-DFLLM: An Extension of PRISMA for Systematic Literatu', 'method', ('This paper proposes an AI-enabled method', 'By finetuning LLMs on domain-specific ac', 'This paper presents the case for the fea', 'This work then proposes the extended PRI', 'Finally, a future research roadmap to de')),
    ('PRISMA-DFLLM: An Extension of PRISMA for Systematic Literatu', 'data', ()),
    ('PRISMA-DFLLM: An Extension of PRISMA for Systematic Literatu', 'result', ()),
    ('Ethicist: Targeted Training Data Extraction Through Loss Smo', 'problem', ('However, recent works point out that pre',)),
    ('Ethicist: Targeted Training Data Extraction Through Loss Smo', 'method', ('In this paper, we propose a method named', 'To elicit memorization in the attacked m', 'We further propose a smoothing loss that', 'In order to select the most probable suf', 'We also investigate several factors infl')),
    ('Ethicist: Targeted Training Data Extraction Through Loss Smo', 'data', ('We show that Ethicist significantly impr',)),
    ('Ethicist: Targeted Training Data Extraction Through Loss Smo', 'result', ('We show that Ethicist significantly impr',)),
    ('FW-Merging: Scaling Model Merging with Frank-Wolfe Optimizat', 'problem', ('However, with the rapid development of t',)),
    ('FW-Merging: Scaling Model Merging with Frank-Wolfe Optimizat', 'method', ('To address these challenges, we formulat', 'Inspired by Frank-Wolfe optimization, ou', 'The objective function is designed to ca', 'More importantly, FW-Merging serves as a')),
    ('FW-Merging: Scaling Model Merging with Frank-Wolfe Optimizat', 'data', ('Our experiments show that FW-Merging sca',)),
    ('FW-Merging: Scaling Model Merging with Frank-Wolfe Optimizat', 'result', ('Our experiments show that FW-Merging sca', 'Compared with the state-of-the-art appro')),
    ('Arbitrary Few Parameters are Good Enough for Adapting Large-', 'problem', ('In a small PLM, there are usually notice', "Nevertheless, when a PLM's scale grows u", 'Hence, we hypothesize that model scaling')),
    ('Arbitrary Few Parameters are Good Enough for Adapting Large-', 'method', ('To study this hypothesis, we introduce a', 'Then, we experiment on 11 NLP tasks of 5', 'We discuss this phenomenon and the above')),
    ('Arbitrary Few Parameters are Good Enough for Adapting Large-', 'data', ('Then, we experiment on 11 NLP tasks of 5',)),
    ('Arbitrary Few Parameters are Good Enough for Adapting Large-', 'result', ('From our investigations, we find that th', 'Intriguingly, we also observe that all t', 'These conclusions not only demonstrate t')),
    ('Adapting Multi-modal Large Language Model to Concept Drift i', 'problem', ('Real-world data often exhibit extreme im', 'While it has been extensively studied in')),
    ('Adapting Multi-modal Large Language Model to Concept Drift i', 'method', ('To eliminate the bias from different sou', 'Specifically, a T-distribution-based dri', 'Furthermore, we create a set of multi-mo')),
    ('Adapting Multi-modal Large Language Model to Concept Drift i', 'data', ('Furthermore, we create a set of multi-mo',)),
    ('Adapting Multi-modal Large Language Model to Concept Drift i', 'result', ('In this paper, we first demonstrate the ', 'Extensive experiments show significant i', 'Moreover, it enhances the efficiency and')),
]

# A third helper batch, 20 more random seed papers, read once after both rounds: 59 of 80, as with the code before
# either (59): on abstracts nobody tuned on, about three cells in four are the reader's.
HELPER_3 = [
    ('Boosting Tool Use of Large Language Models via Iterative Rei', 'problem', ('Nevertheless, our investigation reveals ', "The primary factor is the model's poor p")),
    ('Boosting Tool Use of Large Language Models via Iterative Rei', 'method', ('Driven by this objective, we propose an ', 'Specifically, we first identify deficien', 'Subsequently, we update the policy model', 'This process can be iterated.', 'Moreover, before the iteration, we propo')),
    ('Boosting Tool Use of Large Language Models via Iterative Rei', 'data', ()),
    ('Boosting Tool Use of Large Language Models via Iterative Rei', 'result', ('The experiments demonstrate our models g', 'Additionally, it has achieved notable tr')),
    ('Knowledge Solver: Teaching LLMs to Search for Domain Knowled', 'problem', ('However, LLMs sometimes lack domain-spec', 'However, incorporating additional module')),
    ('Knowledge Solver: Teaching LLMs to Search for Domain Knowled', 'method', ('In this paper, we propose a paradigm, te', 'Specifically, we design a simple yet eff', 'Additionally, KSL is able to provide com')),
    ('Knowledge Solver: Teaching LLMs to Search for Domain Knowled', 'data', ('We conduct experiments on three datasets',)),
    ('Knowledge Solver: Teaching LLMs to Search for Domain Knowled', 'result', ('We conduct experiments on three datasets',)),
    ('Aligning Multimodal LLM with Human Preference: A Survey', 'problem', ('However, critical issues related to trut',)),
    ('Aligning Multimodal LLM with Human Preference: A Survey', 'method', ('In this paper, we aim to provide a compr', 'Specifically, we explore four key aspect')),
    ('Aligning Multimodal LLM with Human Preference: A Survey', 'data', ()),
    ('Aligning Multimodal LLM with Human Preference: A Survey', 'result', ()),
    ('From CLIP to DINO: Visual Encoders Shout in Multi-modal Larg', 'problem', ('Despite the emergence of exciting applic', 'However, these methods lack a comprehens')),
    ('From CLIP to DINO: Visual Encoders Shout in Multi-modal Larg', 'method', ('In this paper, we conduct an extensive i', 'Building upon these observations, we pro')),
    ('From CLIP to DINO: Visual Encoders Shout in Multi-modal Larg', 'data', ('We evaluate COMM through comprehensive e',)),
    ('From CLIP to DINO: Visual Encoders Shout in Multi-modal Larg', 'result', ('Our findings reveal that the shallow lay', 'Surprisingly, the vision-only model DINO', 'By simply equipping it with an MLP layer', 'Experimental results demonstrate the sup')),
    ('Multi-Objective Fine-Tuning for Enhanced Program Repair with', 'problem', ('Fine-tuning approaches proposed in the l', 'High-performing fine-tuning experiments ')),
    ('Multi-Objective Fine-Tuning for Enhanced Program Repair with', 'method', ('With MORepair, we propose a novel perspe', 'Such a multi-objective fine-tuning will ', 'We apply MORepair to fine-tune four open')),
    ('Multi-Objective Fine-Tuning for Enhanced Program Repair with', 'data', ('Experimental results on C++ and Java rep',)),
    ('Multi-Objective Fine-Tuning for Enhanced Program Repair with', 'result', ('Experimental results on C++ and Java rep', 'We further show that our fine-tuning str')),
    ('LLaVA-MoLE: Sparse Mixture of LoRA Experts for Mitigating Da', 'problem', ('However, we have discovered that data co',)),
    ('LLaVA-MoLE: Sparse Mixture of LoRA Experts for Mitigating Da', 'method', ('To address this issue, we propose to app', 'Within the Transformer layers, we extend', 'Since the LoRA experts are sparsely acti', 'By replacing the plain-LoRA of LLaVA-1.5')),
    ('LLaVA-MoLE: Sparse Mixture of LoRA Experts for Mitigating Da', 'data', ()),
    ('LLaVA-MoLE: Sparse Mixture of LoRA Experts for Mitigating Da', 'result', ('Extensive experiments proved that LLaVA-', 'Most importantly, on the mixed datasets,')),
    ('MoMa: Efficient Early-Fusion Pre-training with Mixture of Mo', 'problem', ()),
    ('MoMa: Efficient Early-Fusion Pre-training with Mixture of Mo', 'method', ('We introduce MoMa, a novel modality-awar', 'MoMa processes images and text in arbitr', 'These groups exclusively process designa')),
    ('MoMa: Efficient Early-Fusion Pre-training with Mixture of Mo', 'data', ()),
    ('MoMa: Efficient Early-Fusion Pre-training with Mixture of Mo', 'result', ('Our empirical results reveal substantial', 'Under a 1-trillion-token training budget', 'This outperforms the standard expert-cho', 'Combining MoMa with mixture-of-depths (M', "These results demonstrate MoMa's potenti")),
    ('In-BoXBART: Get Instructions into Biomedical Multi-Task Lear', 'problem', ('Single-task models have proven pivotal i', 'Recently, instructional prompts have sho')),
    ('In-BoXBART: Get Instructions into Biomedical Multi-Task Lear', 'method', ('Motivated by this, this paper explores t', 'We introduce the BoX, a collection of 32', 'Using this meta-dataset, we propose a un')),
    ('In-BoXBART: Get Instructions into Biomedical Multi-Task Lear', 'data', ('We introduce the BoX, a collection of 32',)),
    ('In-BoXBART: Get Instructions into Biomedical Multi-Task Lear', 'result', ('Experimental results indicate that the p', 'Our analysis indicates that there is sig')),
    ('Sparse Modular Activation for Efficient Sequence Modeling', 'problem', ('However, in more comprehensive tasks lik', 'Hybrid models employing both SSM and sel')),
    ('Sparse Modular Activation for Efficient Sequence Modeling', 'method', ('In this work, we introduce Sparse Modula', 'Through allowing each element to skip no', 'As a specific instantiation of SMA, we d', 'By constraining the GAU to only conduct ')),
    ('Sparse Modular Activation for Efficient Sequence Modeling', 'data', ('With experiments on a wide range of task',)),
    ('Sparse Modular Activation for Efficient Sequence Modeling', 'result', ('With experiments on a wide range of task',)),
    ('Selective Token Generation for Few-shot Natural Language Gen', 'problem', ('Natural language modeling with limited t', 'However, this added adapter is still eas')),
    ('Selective Token Generation for Few-shot Natural Language Gen', 'method', ('Therefore, in this work, we develop a no', 'This output token selection over the two', 'In addition, to obtain the complementary')),
    ('Selective Token Generation for Few-shot Natural Language Gen', 'data', ('Experimental results on various few-shot',)),
    ('Selective Token Generation for Few-shot Natural Language Gen', 'result', ('Experimental results on various few-shot',)),
    ('Large Language Models Can Be Strong Differentially Private L', 'problem', ('Differentially Private (DP) learning has',)),
    ('Large Language Models Can Be Strong Differentially Private L', 'method', ('We show that this performance drop can b', 'To address the computational challenge o')),
    ('Large Language Models Can Be Strong Differentially Private L', 'data', ()),
    ('Large Language Models Can Be Strong Differentially Private L', 'result', ('We show that this performance drop can b', 'With the above, we obtain NLP models tha', 'The technique enables privately training', 'Contrary to conventional wisdom that DP ')),
    ('Improved Techniques for Training Consistency Models', 'problem', ('However, distillation limits the quality',)),
    ('Improved Techniques for Training Consistency Models', 'method', ('To tackle these challenges, we present i', 'We delve into the theory behind consiste', 'To replace learned metrics like LPIPS, w', 'Additionally, we introduce a lognormal n')),
    ('Improved Techniques for Training Consistency Models', 'data', ('Combined with better hyperparameter tuni',)),
    ('Improved Techniques for Training Consistency Models', 'result', ('Combined with better hyperparameter tuni', 'These scores mark a 3.5times and 4times ', 'Through two-step sampling, we further re')),
    ('CorDA: Context-Oriented Decomposition Adaptation of Large La', 'problem', ('Current parameter-efficient fine-tuning ', 'As a result, there is often a performanc')),
    ('CorDA: Context-Oriented Decomposition Adaptation of Large La', 'method', ('In this paper, we propose CorDA, a Conte', 'Concretely, we collect a few data sample', 'By doing so, the context of the represen', 'Our method enables two options, the know', 'For the former, we use question-answerin', 'For the latter, we use the instruction d')),
    ('CorDA: Context-Oriented Decomposition Adaptation of Large La', 'data', ('We conduct extensive experiments on Math',)),
    ('CorDA: Context-Oriented Decomposition Adaptation of Large La', 'result', ('Our knowledge-preserved adaptation not o', 'Our instruction-previewed adaptation is ')),
    ('URSA: Understanding and Verifying Chain-of-thought Reasoning', 'problem', ('However, in multimodal mathematical reas',)),
    ('URSA: Understanding and Verifying Chain-of-thought Reasoning', 'method', ('In this work, we propose a three-module ', 'It results in a high-quality CoT reasoni', 'For test-time scaling, we introduce a da', 'By further training URSA-7B on DualMath-')),
    ('URSA: Understanding and Verifying Chain-of-thought Reasoning', 'data', ('It results in a high-quality CoT reasoni', 'We comprehensively validate the state-of', 'For test-time scaling, we introduce a da')),
    ('URSA: Understanding and Verifying Chain-of-thought Reasoning', 'result', ('We comprehensively validate the state-of', 'The trained URSA-RM-7B acts as a verifie', 'URSA-RM-7B also demonstrates excellent o')),
    ('Platypus: A Generalized Specialist Model for Reading Text in', 'problem', ('However, such specialist models usually ', 'Recently, generalist models (such as GPT')),
    ('Platypus: A Generalized Specialist Model for Reading Text in', 'method', ('In this work, we propose Platypus, a gen', 'Specifically, Platypus combines the best', 'To better exploit the advantage of Platy')),
    ('Platypus: A Generalized Specialist Model for Reading Text in', 'data', ('To better exploit the advantage of Platy',)),
    ('Platypus: A Generalized Specialist Model for Reading Text in', 'result', ('Experiments on standard benchmarks demon',)),
    ('Rethinking Video-Text Understanding: Retrieval from Counterf', 'problem', ('Can these video-text models genuinely un', 'Standard video-text evaluations could be')),
    ('Rethinking Video-Text Understanding: Retrieval from Counterf', 'method', ('In this paper, we aim to better assess t', 'We propose a novel evaluation task for v', 'In order to narrow the gap between video')),
    ('Rethinking Video-Text Understanding: Retrieval from Counterf', 'data', ('We propose a novel evaluation task for v', 'Experiments and analyses show that our a')),
    ('Rethinking Video-Text Understanding: Retrieval from Counterf', 'result', ('Analyses show that previous video-text f', 'Experiments and analyses show that our a')),
    ('BayesPrompt: Prompting Large-Scale Pre-Trained Language Mode', 'problem', ('While prompt-tuning has yielded continuo', 'From the perspective of distribution ana')),
    ('BayesPrompt: Prompting Large-Scale Pre-Trained Language Mode', 'method', ('To this end, we intuitively explore to a', 'Guided by such an intuition, we propose ', 'BayesPrompt primitively leverages known ', 'We provide theoretical insights with the')),
    ('BayesPrompt: Prompting Large-Scale Pre-Trained Language Mode', 'data', ()),
    ('BayesPrompt: Prompting Large-Scale Pre-Trained Language Mode', 'result', ('Empirically, our method achieves state-o',)),
    ('Non-instructional Fine-tuning: Enabling Instruction-Followin', 'problem', ('Conventionally, supervised data, includi', 'To obtain such data, some researchers pr')),
    ('Non-instructional Fine-tuning: Enabling Instruction-Followin', 'method', ('In this paper, we propose a novel approa', 'This observation is verified by fine-tun')),
    ('Non-instructional Fine-tuning: Enabling Instruction-Followin', 'data', ('In this paper, we propose a novel approa', 'Our LLaMA-3-70B-Instruct fine-tuned thro')),
    ('Non-instructional Fine-tuning: Enabling Instruction-Followin', 'result', ('Despite the data being "non-instructiona', 'This observation is verified by fine-tun', 'The "non-instructional data" also improv', 'Our LLaMA-3-70B-Instruct fine-tuned thro')),
    ('ChEF: A Comprehensive Evaluation Framework for Standardized ', 'problem', ('However, even though a list of benchmark',)),
    ('ChEF: A Comprehensive Evaluation Framework for Standardized ', 'method', ('To this end, we present the first Compre', 'First, we structure ChEF as four modular', 'Based on them, ChEF facilitates versatil', 'Second, we introduce 6 new recipes to qu')),
    ('ChEF: A Comprehensive Evaluation Framework for Standardized ', 'data', ('Third, we conduct a large-scale evaluati',)),
    ('ChEF: A Comprehensive Evaluation Framework for Standardized ', 'result', ('Our evaluation summarized over 20 valuab',)),
    ('Multilingual Large Language Models: A Systematic Survey', 'problem', ()),
    ('Multilingual Large Language Models: A Systematic Survey', 'method', ('This paper provides a comprehensive surv', 'We first discuss the architecture and pr', 'We then discuss the construction of mult', 'An important focus of this survey is on ', 'We present a detailed taxonomy and roadm', 'Specifically, we extensively discuss mul', 'To enhance MLLMs from black to white box', 'Finally, we provide a comprehensive revi')),
    ('Multilingual Large Language Models: A Systematic Survey', 'data', ()),
    ('Multilingual Large Language Models: A Systematic Survey', 'result', ()),
]


LABELLED = DEV + HELD_OUT + FRESH


def _assigned(seed_papers, prefix: str) -> tuple[list[str], dict[str, int | None]]:
    (paper,) = [p for title, p in seed_papers.items() if title.startswith(prefix)]
    sentences = [s for s in split_sentences(paper.abstract) if len(s) >= 25]
    return sentences, assign_columns(sentences)


def _matches(seed_papers, labels) -> tuple[int, list]:
    right, wrong = 0, []
    for prefix, column, want in labels:
        sentences, chosen = _assigned(seed_papers, prefix)
        got = None if chosen[column] is None else sentences[chosen[column]]
        if (got is None) if not want else (got is not None and got.startswith(want)):
            right += 1
        else:
            wrong.append((prefix, column, got))
    return right, wrong


def test_column_assignment_matches_a_reader_on_labelled_seed_sentences(seed_papers):
    right, wrong = _matches(seed_papers, LABELLED)
    # The old greedy column order got 69 of these 92 (75%); the assignment gets all 92.
    assert right / len(LABELLED) >= 0.9, wrong


def test_column_assignment_on_abstracts_labelled_by_readers_who_never_saw_it(seed_papers):
    """The helpers' 240 labels, written from the abstracts alone: 74 of HELPER's 80, 64 of HELPER_2's 80 (half of the
    first and all of the second shaped cue changes) and 59 of HELPER_3's 80 (read once, after them): a floor."""
    labels = HELPER + HELPER_2 + HELPER_3
    right, wrong = _matches(seed_papers, labels)
    assert right / len(labels) >= 0.78, wrong


def test_an_analysis_sentence_is_not_a_problem_statement(seed_papers):
    sentences, chosen = _assigned(seed_papers, QLORA)
    problem = chosen["problem"]
    assert problem is None or not re.search(r"analysis|we find", sentences[problem], re.I)
    assert sentences[chosen["method"]].startswith("We present QLoRA")


@pytest.mark.parametrize("prefix, column, want", [
    ("Scaling Sparse Fine-Tuning to Large Language Models", "method", "We release the code for SFT"),
    ("RankGen: Improving Text Generation", "method", "We release our model checkpoints"),
    ("A Large Scale Search Dataset for Unbiased Learning to Rank", "data", "The Baidu-ULTR dataset and corresponding baseline implementation are available"),
])
def test_a_sentence_saying_where_the_code_is_fills_no_column(seed_papers, prefix, column, want):
    """"We release the code for SFT at https://…" was SFT's method, "… are available at https://…" Baidu-ULTR's
    data: where things are is no column's content; the column takes the paper's own sentence or says not stated."""
    sentences, chosen = _assigned(seed_papers, prefix)
    assert any(s.startswith(want) for s in sentences)  # the release sentence is in the abstract
    assert chosen[column] is None or not sentences[chosen[column]].startswith(want)
    assert not any(i is not None and is_release(sentences[i]) for i in chosen.values())


def test_release_wording_inside_a_contribution_or_a_finding_is_not_a_release():
    assert is_release("Our code and dataset are available at: https://github.com/someone/project.")
    assert is_release("To facilitate future research, we make our datasets, code, and pretrained models publicly available.")
    assert not is_release("We release a benchmark of 5k questions covering 12 domains.")  # a contribution, counted
    assert not is_release("Experiments show that it outperforms prior methods.Code is available at https://x.github.io.")
    assert not is_release("While instruction-following resources are available in some domains, ours is the first dataset.")


# ---------------------------------------------------------------- the command


def test_compare_markdown_is_a_table_with_one_line_per_paper(cli):
    result = cli("compare", f"{PLEAS}; {UNCONSTRAINED}")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "| paper | problem | method | data | result |"
    assert re.fullmatch(r"\|(---\|){5}", lines[1])
    rows = [line for line in lines[2:] if line.startswith("|")]
    assert len(rows) == 2
    assert rows[0].startswith(f"| [1] {PLEAS} | ") and rows[1].startswith(f"| [2] {UNCONSTRAINED} | ")
    for line in rows:
        assert len(re.findall(r"(?<!\\)\|", line)) == 6  # five cells
    # Each paper's number maps back to its exact title below the table.
    assert any(line.startswith(f"[1] {PLEAS}") for line in lines[4:])
    assert any(line.startswith(f"[2] {UNCONSTRAINED}") for line in lines[4:])
    assert "not found" not in result.output


def test_compare_csv_parses_with_the_documented_header(cli, seed_papers):
    result = cli("compare", "--format", "csv", f"{PLEAS}; {UNCONSTRAINED}")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["n", "paper", "problem", "method", "data", "result"]
    assert [r[:2] for r in rows[1:]] == [["1", PLEAS], ["2", UNCONSTRAINED]]
    for n, title, *cells in rows[1:]:
        for cell in cells:
            if cell != NOT_STATED:
                assert cell.endswith(f" [{n}]")
                assert cell[: -len(f" [{n}]")] in seed_papers[title].abstract


def test_compare_json_matches_the_library(cli, assistant):
    topic = MULTI["multi-001"]["question"]
    result = cli("compare", "--json", topic)
    assert result.exit_code == 0, result.output
    (payload,) = result.json_lines()
    comparison = assistant.compare(topic)
    assert payload["topic"] == topic
    assert payload["columns"] == ["problem", "method", "data", "result"]
    assert [(r["n"], r["title"]) for r in payload["rows"]] == [(r.n, r.paper.title) for r in comparison.rows]
    for got, want in zip(payload["rows"], comparison.rows):
        assert got["cells"] == {c: {"text": want.cells[c].text, "citation": want.cells[c].citation} for c in comparison.columns}
    assert payload["not_found"] == []


def test_the_command_names_titles_it_could_not_find(cli):
    topic = f"{PLEAS}; {NOT_INDEXED}"
    md = cli("compare", topic)
    assert md.exit_code == 0, md.output
    assert f'not found: "{NOT_INDEXED}"' in md.stdout.splitlines()
    assert len([line for line in md.stdout.splitlines() if line.startswith("| [")]) == 1
    as_csv = cli("compare", "--format", "csv", topic)
    assert as_csv.exit_code == 0
    assert [r[1] for r in csv.reader(io.StringIO(as_csv.stdout))][1:] == [PLEAS]  # stdout stays one table
    assert f'not found: "{NOT_INDEXED}"' in as_csv.stderr
    (payload,) = cli("compare", "--json", topic).json_lines()
    assert payload["not_found"] == [NOT_INDEXED] and [r["title"] for r in payload["rows"]] == [PLEAS]


def test_the_command_refuses_when_no_named_title_is_indexed(cli):
    result = cli("compare", f"{NOT_INDEXED}; Another title nobody wrote")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "hint: " in result.stderr
    assert result.stdout == ""


def test_the_ui_says_which_named_titles_it_could_not_find(seed_engine, tmp_path, monkeypatch):
    pytest.importorskip("gradio")
    import socket

    from gradio_client import Client

    from ui.app import build_app

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = build_app(seed_engine)
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=str(tmp_path / "client"))
        chat, *_ = client.predict(f"{PLEAS}; {NOT_INDEXED}", [], "Compare", [], None, None, 5, api_name="/chat")
    finally:
        demo.close()
    content = [m for m in chat if m["role"] == "assistant"][-1]["content"]
    text = content if isinstance(content, str) else "".join(p.get("text", "") for p in content if p.get("type") == "text")
    assert "table below" in text and PLEAS.split(" -- ")[0] in text  # the table itself is below the chat (#comparison)
    assert "Not found in the index" in text and NOT_INDEXED in text
