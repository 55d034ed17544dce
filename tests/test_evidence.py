"""Evidence levels and answer sizing (issue 14), as a user of `rag ask` sees them.

The questions here are written for these tests (not taken from eval/data's test split) and
only name what the seed abstracts contain or plainly do not.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from eval.datasets import load_questions
from rag.answer import PARTLY_COVERED, Assistant
from rag.evidence import EVIDENCE_FEATURES, LIST_RELEVANCE_FEATURES, RELEVANCE_FEATURES, UNSTATED_CHOICE, EvidencePolicy, _origin_asked_of, asked_metric, load_model
from rag.types import Source

NO_KEY_ENV = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "RAG_OPENAI_API_KEY": None,
              "RAG_OPENAI_BASE_URL": None, "RAG_ANSWERER": None, "RAG_LOCAL_GGUF": None}
QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"


def refused_saying(answer, reason: str) -> bool:
    """Refused (`none`: the corpus lacks what was asked), saying why in the refusal the reader sees."""
    return answer.evidence == "none" and answer.abstained and not answer.citations and reason in answer.text


def strong_from(answer, title_start: str) -> bool:
    """Answered `strong`, citing first the paper whose title starts so."""
    return answer.evidence == "strong" and bool(answer.citations) and answer.citations[0].title.startswith(title_start)


def test_the_shipped_models_were_fitted_on_dev_over_the_signals_the_policy_measures():
    model = load_model()
    assert model.meta["fitted_on"]["split"] == "dev"
    assert model.evidence.features == EVIDENCE_FEATURES and model.relevance.features == RELEVANCE_FEATURES
    assert 0 < model.none_below <= model.strong_from < 1
    # ... and the multi-paper answers' list model on dev and the validation batches' multi-paper questions
    assert model.list_relevance.features == LIST_RELEVANCE_FEATURES
    assert 0 < model.list_model_from < 1


def test_an_off_topic_question_gets_no_evidence_and_no_citation(assistant):
    answer = assistant.ask("How long should a sourdough loaf proof before baking at 250 degrees?")
    assert answer.evidence == "none" and answer.abstained and answer.citations == ()
    assert answer.evidence_probability is not None and answer.evidence_probability < 0.5


def test_one_unknown_name_among_known_ones_is_answered_and_the_unknown_one_is_named(assistant):
    answer = assistant.ask("How does QLoRA compare with ZeRO-Offload for memory savings?")
    assert answer.evidence != "none"
    assert QLORA in {c.title for c in answer.citations}
    assert "ZeRO-Offload" in answer.preface and "ZeRO-Offload" not in answer.text


def test_a_paper_named_by_a_title_whose_colon_has_no_space_is_still_named(assistant):
    """"SWIFT:A Scalable lightWeight Infrastructure …" read as the word "swifta": "How does LLaMA-Factory compare with
    SWIFT …?" named no indexed paper, and its unknown name refused it (dev)."""
    answer = assistant.ask("How does LLaMA-Factory compare with SWIFT as an infrastructure for fine-tuning LLMs and multimodal LLMs?")
    assert answer.evidence != "none" and answer.citations[0].title.startswith("SWIFT:"), (answer.evidence, answer.text)
    assert "LLaMA-Factory" in answer.preface


@pytest.mark.parametrize("question", ["Does LiST beat Zorblax-7 in few-shot NLU?",
                                      "QLoRA oder FooBarNet-9000: was braucht weniger Speicher?"])
def test_a_question_naming_an_indexed_paper_and_an_unknown_thing_is_never_refused(assistant, question):
    """The evidence model put these at P 0.16 and 0.007 (under the `none` bar): the unknown name and a
    short or non-English question. The question names a paper the index holds: answer about it, say
    what is not indexed."""
    answer = assistant.ask(question)
    unknown = "Zorblax-7" if "Zorblax" in question else "FooBarNet-9000"
    assert answer.evidence == "weak" and not answer.abstained
    assert unknown in answer.preface and answer.citations


@pytest.mark.parametrize("question", ["How does it work?", "And the latter?", "Tell me more.", "Which datasets did they use?"])
def test_a_question_that_names_nothing_is_refused_saying_so(assistant, question):
    """Asked without a conversation, these matched a chunk on a word or two (lexical coverage 1.0)
    and were answered `strong` from unrelated papers."""
    answer = assistant.ask(question)
    assert answer.evidence == "none" and answer.abstained and answer.citations == ()
    assert "names nothing to search for" in answer.text


@pytest.mark.parametrize("question", ["Who proposed Hedgehog?", "Who came up with Hedgehog?"])
def test_a_short_question_naming_a_paper_by_an_ordinary_word_of_its_title_is_answered(assistant, question):
    """"Hedgehog" is an English word, not a technical name, and MiniLM puts the question far from every
    chunk (cosine < 0.3): it was refused as naming nothing, with "The Hedgehog & the Porcupine: …" first."""
    answer = assistant.ask(question)
    assert answer.evidence != "none" and not answer.abstained
    assert any(c.title.startswith("The Hedgehog & the Porcupine") for c in answer.citations)


def test_a_refused_question_about_an_indexed_paper_says_the_paper_is_there(seed_engine, seed_index):
    """The shipped model refused "What's TrICy's approach ..., and by how much does it beat LLMs like
    ChatGPT?" (P 0.43) with TrICy's paper first, and said no indexed abstract was close to the
    question. Here a policy that refuses everything shows the reasons: the named paper is there."""
    refuse_all = dataclasses.replace(load_model(), none_below=1.01, strong_from=1.02)
    assistant = Assistant(seed_engine.retriever, seed_index.settings.model_copy(update={"answerer": "extractive"}))
    assistant.policy = EvidencePolicy(lambda: assistant.terms, lambda: assistant.title_counts, model=refuse_all)
    named = assistant.ask("What is TrICy's approach to data-to-text generation?")
    assert named.evidence == "none"
    assert "“TrICy” is indexed, but its abstract does not clearly answer this" in named.text
    unnamed = assistant.ask("How do vision-language models decide which image tokens to drop?")
    assert unnamed.evidence == "none" and "no indexed abstract clearly answers this" in unnamed.text.casefold()
    assert "indexed, but" not in unnamed.text


@pytest.mark.parametrize("question, paper", [
    ("How does QLoRA work?", QLORA),
    ("which paper introduced craft?", "CRAFT: Customizing LLMs"),
    ("Tell me about GENOME.", "GENOME: "),
])
def test_a_question_about_nothing_but_a_papers_own_name_is_answered_from_it_whatever_the_model_says(
        seed_engine, seed_index, question, paper):
    """An evidence model fitted on the validation batches put "How does <its name> work?" at `weak` for 62 of 169
    names and refused "Which paper introduced <its name>?" for 17: the batches' questions about named papers' unstated
    details taught it that a name is weak evidence. Asked about nothing but that paper, its abstract is the answer;
    a question that also asks for a detail stays the model's to weigh."""
    refuse_all = dataclasses.replace(load_model(), none_below=1.01, strong_from=1.02)
    assistant = Assistant(seed_engine.retriever, seed_index.settings.model_copy(update={"answerer": "extractive"}))
    assistant.policy = EvidencePolicy(lambda: assistant.terms, lambda: assistant.title_counts, model=refuse_all)
    answer = assistant.ask(question)
    assert strong_from(answer, paper), (answer.evidence, answer.text)
    detail = assistant.ask(question.rstrip("?.") + " on a single GPU, and how much memory does it save?")
    assert detail.evidence == "none"


def test_a_short_question_with_a_subject_is_refused_for_being_far_not_for_naming_nothing(assistant):
    """Two words of subject and nothing indexed near them: refused, but the reason must not tell the
    reader their question names nothing."""
    answer = assistant.ask("Is there any work on protein folding?")
    assert answer.evidence == "none" and answer.abstained
    assert "no indexed abstract is close to the question" in answer.text.casefold()
    assert "names nothing" not in answer.text


@pytest.mark.parametrize("question", ["Explain quantization.", "What is distillation?", "Who proposed CorDA?"])
def test_a_short_question_about_a_topic_or_a_name_is_still_answered(assistant, question):
    assert assistant.ask(question).evidence != "none"


@pytest.mark.parametrize("question, paper", [
    # "LoRA-tunes" is LoRA, used as a verb (dev-65: refused as "No indexed abstract mentions LoRA-tunes")
    ("Anyone seen a paper that LoRA-tunes open LLMs into a Vietnamese chatbot?", "Efficient Finetuning Large Language Models For Vietnamese"),
    # a likeness from the writer's world is not asked about (dev-66: refused as "No indexed abstract mentions PACS")
    ("Is there a scalable lightweight infrastructure for fine-tuning LLMs and multimodal LLMs, something like a PACS for "
     "every scanner?", "SWIFT:A Scalable lightWeight Infrastructure"),
])
def test_a_name_used_as_a_verb_or_in_a_likeness_does_not_refuse_the_question(assistant, question, paper):
    answer = assistant.ask(question)
    assert answer.evidence != "none" and answer.citations[0].title.startswith(paper), (answer.evidence, answer.text)


def test_a_question_whose_every_name_is_unknown_is_refused_naming_it(assistant):
    answer = assistant.ask("Which paper introduced the FooBarNet-9000 architecture?")
    assert answer.evidence == "none" and "FooBarNet-9000" in answer.text


def test_asking_who_introduced_a_name_the_papers_only_mention_is_not_strong(assistant):
    """MMLU appears in seed abstracts as a benchmark they use; none of them introduces it."""
    question = "Which paper introduced the MMLU benchmark?"
    hits = assistant.retriever.search(question, k=6)
    assessment = assistant.assess(question, hits)
    assert assessment.signals["unowned_name"] == 1.0
    assert assessment.level != "strong"
    if assessment.level == "none":  # the refusal says why, in the reader's terms
        assert assessment.reason == "the indexed abstracts use MMLU, but none of them introduces it"


def test_asking_who_introduced_a_name_its_paper_proposes_is_answered(assistant):
    """QLoRA's abstract introduces NF4 ("a new data type"): that paper owns the name."""
    question = "Which paper introduced NF4?"
    hits = assistant.retriever.search(question, k=6)
    assessment = assistant.assess(question, hits)
    assert hits[0].paper.title == QLORA
    assert assessment.signals["unowned_name"] == 0.0 and assessment.level != "none"


def test_a_name_an_abstract_only_builds_on_is_not_that_papers_own(assistant):
    """Florence-VL's abstract says "We present Florence-VL, a new family of MLLMs with ... representations
    produced by Florence-2": it introduces Florence-VL and uses Florence-2. Asking who introduced
    Florence-2 must not be answered, as it was, with confidence from Florence-VL."""
    question = "Which paper introduced Florence-2, the generative vision foundation model?"
    hits = assistant.retriever.search(question, k=6)
    assessment = assistant.assess(question, hits)
    assert "Florence-VL" in hits[0].paper.title
    assert assessment.signals["unowned_name"] == 1.0 and assessment.level != "strong"
    own = "Which paper introduced Florence-VL?"
    assert assistant.assess(own, assistant.retriever.search(own, k=6)).signals["unowned_name"] == 0.0


def test_a_name_the_question_measures_others_against_is_not_asked_about():
    """"What alternatives to RLHF were proposed?" asks for other methods; it was refused with "the
    indexed abstracts use RLHF, but none of them introduces it"."""
    from rag.evidence import _reference_point

    assert _reference_point("What alternatives to RLHF were proposed?", "RLHF")
    assert _reference_point("Which paper proposed an improvement over LoRA?", "LoRA")
    assert not _reference_point("Which paper introduced RLHF?", "RLHF")
    assert not _reference_point("Who proposed the MMLU benchmark?", "MMLU")


def test_asking_for_alternatives_to_a_used_name_is_not_refused_as_unowned(assistant):
    question = "What alternatives to RLHF were proposed?"
    assessment = assistant.assess(question, assistant.retriever.search(question, k=6))
    assert assessment.signals["unowned_name"] == 0.0 and "introduces it" not in (assessment.reason or "")


@pytest.mark.parametrize("question, name, asked", [
    ("Which paper introduced the MMLU benchmark of multiple-choice questions?", "MMLU", True),
    ("Which paper first proposed Direct Preference Optimization (DPO)?", "DPO", True),
    ("Where does Self-Instruct come from?", "Self-Instruct", True),
    ("Which paper proposed serving LLM inference requests and fine-tuning jobs together on the same GPUs?", "LLM", False),
    ("Which paper proposed serving LLM inference requests and fine-tuning jobs together on the same GPUs?", "GPUs", False),
    ("Which paper proposed an LLM-based system that automates claim matching?", "LLM", False),
])
def test_only_the_name_an_origin_question_asks_about_counts_as_asked(question, name, asked):
    """A described idea ("serving LLM inference requests …") uses names without asking who introduced them."""
    from rag.evidence import _origin_asked_of

    assert _origin_asked_of(question, name) is asked


def test_a_lookup_described_in_words_is_not_refused_for_the_acronyms_it_uses(assistant):
    """"Which paper proposed serving LLM inference requests and parameter-efficient fine-tuning jobs together
    …?" was refused with "the indexed abstracts use LLM, GPUs, but none of them introduces it" though
    FlexLLM, ranked first, proposes exactly that (dev-32)."""
    question = ("Which paper proposed serving LLM inference requests and parameter-efficient fine-tuning jobs "
                "together on the same GPUs in the same iteration?")
    answer = assistant.ask(question)
    assert answer.evidence != "none" and "introduces it" not in answer.shown_text
    assert answer.citations[0].title.startswith("FlexLLM")


def test_the_capitalised_word_an_origin_question_asks_about_is_still_read_as_its_name(assistant):
    """rag.names does not count "GaLore"-like plain capitalised words as names; the word heading "proposed
    …" is the one asked about, and no indexed paper introduces GaLore (WeLore's title starts from it)."""
    from rag.evidence import _object_head

    assert _object_head("Which paper introduced Wanda, the LLM pruning method?") == "Wanda"
    assert _object_head("Which paper proposed serving LLM inference requests?") is None
    question = "Which paper proposed GaLore, the gradient low-rank projection trick for memory-efficient LLM training?"
    assessment = assistant.assess(question, assistant.retriever.search(question, k=6))
    assert assessment.signals["unowned_name"] == 1.0 and assessment.level != "strong"


@pytest.mark.parametrize("sentence, name, owned", [
    ("We propose a simple method, called LiST, for fine-tuning.", "LiST", True),
    ("We introduce the LLM developed through this strategy as Advanced Language Model-based trAnslator (ALMA).", "ALMA", True),
    ("QLoRA saves memory with (a) 4-bit NormalFloat (NF4), a new data type that is optimal.", "NF4", True),
    ("MoDeGPT introduces a structured compression framework.", "MoDeGPT", True),
    ("Our method outperforms GPT-4 on five new benchmarks.", "GPT-4", False),
    ("We propose a new adapter and fine-tune it with LoRA on MS-COCO.", "LoRA", False),
    ("LLMs have shown new abilities.", "LLMs", False),
    # examples of what exists, after "like" / "e.g.", even in a sentence with a cue ("novel")
    ("The report examines novel approaches like Proximal Policy Optimization (PPO) and Direct Preference Optimization (DPO).", "DPO", False),
    ("We propose a new reward model (e.g. for RLHF) that scores each step.", "RLHF", False),
    ("We propose SimPO, a simple alternative to methods like DPO.", "SimPO", True),
    # used through a verb of use, an article between: "by leveraging the Mixture-of-Depths (MoD) mechanism"
    ("We propose to build efficient MLLMs by leveraging the Mixture-of-Depths (MoD) mechanism.", "Mixture-of-Depths", False),
    ("We propose p-MoD, a new model that applies the MoD idea.", "p-MoD", True),
])
def test_a_paper_owns_the_names_its_sentences_introduce_not_those_they_use(sentence, name, owned):
    assert _owns("A Study Without a Named Method", sentence, name) is owned


def _owns(title: str, abstract: str, name: str) -> bool:
    """Whether a paper with this title and abstract owns the name (rag.ownership.owns)."""
    from rag.ownership import owns
    from rag.names import norm
    from rag.types import Paper

    return owns(Paper(paper_id="p", title=title, abstract=abstract, sources=("t",)), norm(name))


@pytest.mark.parametrize("title, name, owned", [
    ("From GaLore to WeLore: How Low-Rank Weights Non-uniformly Emerge from Low-Rank Gradients", "GaLore", False),
    ("From GaLore to WeLore: How Low-Rank Weights Non-uniformly Emerge from Low-Rank Gradients", "WeLore", True),
    ("A Comprehensive Survey on Pretrained Foundation Models: A History from BERT to ChatGPT", "BERT", False),
    ("Beyond LoRA: Sparse Adapters for Everyone", "LoRA", False),
    ("LQ-LoRA: Low-rank plus Quantized Matrix Decomposition", "LQ-LoRA", True),
    ("QLoRA: Efficient Finetuning of Quantized LLMs", "QLoRA", True),
])
def test_a_title_owns_its_names_but_not_the_one_it_starts_from(title, name, owned):
    """"Which paper introduced GaLore?" was answered `strong` (P 0.98) from "From GaLore to WeLore",
    whose abstract builds on GaLore: the title word counted as the paper's own name."""
    assert _owns(title, "We study how weights behave during training.", name) is owned


def test_asking_who_introduced_a_described_model_is_not_asking_about_a_name_in_its_description(assistant):
    """"… the large vision-language model that raises input resolution …, built on 336-pixel Vision Transformer patches.
    Which paper introduced it?" asks for that model: it was refused as "the indexed abstracts use Vision Transformer,
    but none of them introduces it" (dev-74)."""
    answer = assistant.ask("I need the citation for the vision-language model that scales input resolution up to 4K HD with "
                           "dynamic patch configuration, built on 336-pixel Vision Transformer patches. Which paper introduced it?")
    assert strong_from(answer, "InternLM-XComposer2-4KHD"), (answer.evidence, answer.text)


@pytest.mark.parametrize("question", [
    "Which were the findings of the Tree of Thoughts paper on the Game of 24, against chain-of-thought prompting?",
    "What did the Tree of Thoughts paper report on creative writing?",
    "A colleague asks for the BitNet b1.58 paper, in which a language model is trained from scratch with every weight "
    "restricted to minus one, zero or plus one, and how its perplexity compares with a full-precision LLaMA at three "
    "billion parameters.",
])
def test_asking_for_the_paper_of_a_name_no_abstract_holds_is_refused_naming_it(assistant, question):
    """The paper asked for is not indexed: these were `strong` / `weak` from papers on other kinds of reasoning or on
    number understanding (dev-15, dev-74), the known names (chain-of-thought, LLaMA) being only what they compare with."""
    answer = assistant.ask(question)
    assert refused_saying(answer, "No indexed abstract mentions"), (answer.evidence, answer.text)
    assert any(name in answer.text for name in ("Tree of Thoughts", "BitNet"))


def test_asking_who_introduced_the_name_a_title_starts_from_is_refused(assistant):
    question = "Which paper introduced GaLore, the memory-efficient training method based on low-rank gradient projection?"
    hits = assistant.retriever.search(question, k=6)
    assessment = assistant.assess(question, hits)
    assert "GaLore" in hits[0].paper.title
    assert assessment.signals["unowned_name"] == 1.0 and assessment.level != "strong"


def test_a_question_that_asks_for_papers_in_so_many_words_lists_them_though_none_clears_the_first_bar(assistant):
    """dev-40: "Which papers optimise the prompt itself …?" was answered from one paper: no second paper cleared the
    relevance bar (P 0.095, 0.083 and 0.051 for the other two needed ones), so the top paper gave its full answer.
    A question that asks for papers in so many words takes the list bar instead."""
    from rag.evidence import ASKS_FOR_PAPERS

    needed = {"Survival of the Most Influential Prompts: Efficient Black-Box Prompt Search via Clustering and Pruning",
              "Language Models as Black-Box Optimizers for Vision-Language Models",
              "Dynamic Prompt Learning via Policy Gradient for Semi-structured Mathematical Reasoning"}
    answer = assistant.ask("We only reach the model through an API: no weights, no gradients. Which papers optimise the "
                           "prompt itself in that setting?")
    assert len({c.title for c in answer.citations} & needed) >= 2, [c.title for c in answer.citations]
    assert ASKS_FOR_PAPERS.search("What approaches have been tried for fine-tuning on a modest GPU?")
    assert not ASKS_FOR_PAPERS.search("Which vision and time-series models are built from MambaMixer?")
    # ... in more words: "which of the indexed papers", "which survey or review papers", "what work is there on"
    assert ASKS_FOR_PAPERS.search("Which of the indexed papers apply language models to drug compounds?")
    assert ASKS_FOR_PAPERS.search("Which survey or review papers cover language models in medicine?")
    assert ASKS_FOR_PAPERS.search("What work is there on privacy and language models?")


def test_which_of_the_indexed_papers_is_answered_from_each_paper_it_finds(assistant):
    """dev-19: "Which of the indexed papers apply language models to small molecules or drug compounds …?" was answered
    from one paper's three sentences: "which of the indexed papers" was not read as asking for papers (three words
    between "which" and "papers"), so the chemical-language paper under the first bar did not join. Now it does."""
    answer = assistant.ask("Which of the indexed papers apply language models to drug compounds or small molecules?")
    titles = {c.title for c in answer.citations}
    assert len(titles) >= 2, titles
    assert "Large-Scale Chemical Language Representations Capture Molecular Structure and Properties" in titles, titles


def test_a_which_papers_question_is_answered_from_several_papers_one_sentence_each(assistant):
    question = next(q for q in load_questions("multi", "dev") if q["id"] == "multi-010")  # 3 papers needed
    answer = assistant.ask(question["question"])
    titles = [c.title for c in answer.citations]
    assert len(set(titles) & set(question["gold"])) >= 2
    paragraphs = [p for p in answer.text.split("\n\n") if p.strip()]
    assert len(paragraphs) == len(set(titles))  # one cited sentence per paper


def test_a_question_asking_for_papers_cites_one_its_topic_words_hold_that_the_first_ranking_put_low(assistant):
    """dev multi-015 was answered from SortedNet alone: Matryoshka Representation Learning, the other paper it
    needs, was 7th, under the relevance bar. Asking for papers, it is searched as a topic (BM25 votes from a lower
    floor: rag.retrieve.TOPIC_LEXICAL_FLOOR), which ranks Matryoshka 3rd, and both are cited."""
    question = next(q for q in load_questions("multi", "dev") if q["id"] == "multi-015")
    assert assistant.searched_as_topic(question["question"])
    answer = assistant.ask(question["question"])
    assert set(question["gold"]) <= {c.title for c in answer.citations}, [c.title for c in answer.citations]


def test_a_single_paper_question_phrased_as_a_comparison_is_not_searched_as_a_topic(assistant):
    """"What did the X paper find about A versus B?" reads as a question about several papers; searched as a topic
    its single-paper answer got a second paper in place of its facts (rag.answer.Assistant.searched_as_topic)."""
    question = ("What did the SOBert paper find about pre-training on StackOverflow data versus using big "
                "general-purpose models?")
    assert assistant.asks_several(question) and not assistant.searched_as_topic(question)
    answer = assistant.ask(question)
    assert [c.title.split(":")[0] for c in answer.citations] == ["Stack Over-Flowing with Results"], answer.citations


def test_a_plural_question_about_one_paper_gets_a_full_answer_not_one_list_sentence(assistant):
    """"Which vision and time-series models…" reads as a several-papers question, but only
    MambaMixer answers it: the answer covers both parts from MambaMixer's abstract, as any
    single-paper answer does, instead of the one sentence a paper gets in a list of papers."""
    from rag.answer import is_multi_paper

    question = "What is the MambaMixer block's main idea, and which vision and time-series models are built from it?"
    assert is_multi_paper(question)
    answer = assistant.ask(question)
    assert answer.evidence == "strong"
    assert {c.title.split(":")[0] for c in answer.citations} == {"MambaMixer"}
    assert answer.text.count("[1]") >= 2, answer.text
    assert "ViM2" in answer.text and "Selective Token and Channel Mixer" in answer.text


def test_a_which_papers_how_question_quotes_what_each_paper_does_not_its_background(assistant):
    """ZipVL's closest sentence to the question is background ("This sparsity can be leveraged to
    ... compress the KV cache through various approaches"); in a list of papers ZipVL's one sentence
    is what it does (mixed-precision quantization of the KV cache), and when ZipVL is the only paper
    that answers, its fuller answer still holds that sentence."""
    from rag.extractive import extractive_answer
    from rag.sentence_rank import rank_by_facts

    question = "Which papers compress the KV cache, and how?"
    answer = assistant.ask(question)
    zipvl = next(c.n for c in answer.citations if c.title.startswith("ZipVL"))
    quoted = [p for p in answer.text.split("\n\n") if p.rstrip().rstrip(".").endswith(f"[{zipvl}]")]
    assert len(quoted) == 1 and "mixed-precision quantization" in quoted[0], answer.text
    # As one entry of a list of papers: that sentence alone.
    hits = assistant.retriever.search(question, k=5)
    scored = [s for s in assistant.scorer.score(question, [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)])
              if s.source.paper.title.startswith("ZipVL")]
    rank_by_facts(question, scored, assistant.retriever.index.lexical.idf)
    listed = extractive_answer(scored, per_paper=True)
    assert "mixed-precision quantization" in listed and "various approaches" not in listed


def test_weak_evidence_is_said_first_in_the_stream_and_the_answer(seed_engine, seed_index):
    # A policy whose weak band covers every probability: the weak path, whatever the question.
    everything_weak = dataclasses.replace(load_model(), none_below=0.0, strong_from=1.01)
    assistant = Assistant(seed_engine.retriever, seed_index.settings.model_copy(update={"answerer": "extractive"}))
    assistant.policy = EvidencePolicy(lambda: assistant.terms, lambda: assistant.title_counts, model=everything_weak)
    deltas: list[str] = []
    answer = assistant.ask("How do vision-language models decide which image tokens to drop?", on_delta=deltas.append)
    assert answer.evidence == "weak" and not answer.abstained and answer.citations
    closest = "; ".join(f"“{h.paper.title}”" for h in answer.hits[:3])
    assert answer.preface == f"{PARTLY_COVERED} Closest papers: {closest}."
    assert "".join(deltas).startswith(answer.preface + "\n\n")
    assert "".join(deltas).endswith(answer.text)


def test_cli_json_carries_the_evidence_level_and_probability(rag_cli, seed_index):
    result = rag_cli("--data-dir", seed_index.data_dir, "ask", "--json", "What does QLoRA backpropagate gradients through?", env=NO_KEY_ENV)
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads(result.output)
    assert data["evidence"] == "strong" and 0.5 < data["evidence_probability"] <= 1
    assert data["preface"] is None


def test_rag_compare_sizes_its_table_by_its_own_bar_not_the_multi_paper_one(seed_engine, seed_index):
    """The compare bar is chosen on dev's compare topics, apart from the multi-paper answers' bar:
    with the compare bar at 0 every retrieved paper (up to 8) gets a row, whatever the other bar."""
    assistant = Assistant(seed_engine.retriever, seed_index.settings.model_copy(update={"answerer": "extractive"}))
    for compare_from, rows in ((0.0, 8), (1.01, 1)):
        model = dataclasses.replace(load_model(), relevant_from=0.5, compare_from=compare_from)
        assistant.policy = EvidencePolicy(lambda: assistant.terms, lambda: assistant.title_counts, model=model)
        assert len(assistant.compare("mixture of experts").rows) == rows


def test_a_question_naming_a_paper_is_answered_from_that_paper(assistant):
    """Its abstract never says 'genome' again, while genomics abstracts do: the answer still quotes it."""
    answer = assistant.ask("Which paper introduced GENOME?")
    assert not answer.abstained
    assert {c.title for c in answer.citations} == {"GENOME: GenerativE Neuro-symbOlic visual reasoning by growing and reusing ModulEs"}


def test_the_fields_vocabulary_is_no_specific_name(assistant):
    # One-word names in over 2.5% of the chunks say nothing beyond the paper a question names.
    assert [n for n in ("GPU", "LLM", "LoRA", "MMLU", "ImageNet", "GPT-4") if assistant.is_common_name(n)] == ["GPU", "LLM", "LoRA"]


@pytest.mark.parametrize(
    "question, about_named_paper",
    [
        ("How does QLoRA fit a 65B model on one GPU?", True),  # "GPU" is the field's word
        ("Wie ermöglicht QLoRA das Feinabstimmen eines Modells auf einer einzigen GPU?", True),
        ("What top-1 accuracy does M2-CLIP reach on Kinetics-400 in the fully supervised setting?", False),  # a benchmark too
        ("How do transformers implement in-context learning?", False),  # names no paper
    ],
)
def test_a_question_about_a_named_paper_only_is_strong_evidence(assistant, question, about_named_paper):
    answer = assistant.ask(question)
    hits = list(answer.hits)
    assert assistant.assess(question, hits).signals["asks_own_name"] == float(about_named_paper)
    if about_named_paper:
        assert answer.evidence == "strong" and answer.citations[0].title == QLORA


def test_a_which_papers_question_that_uses_a_name_is_not_asking_who_introduced_it(assistant):
    # "Which papers fine-tune Llama-3.1?" was refused: "the indexed abstracts use Llama-3, but none
    # of them introduces it" (the version cut at its decimal point, and no origin asked for).
    question = "Which papers fine-tune Llama-3.1?"
    assessment = assistant.assess(question, assistant.retriever.search(question, k=8))
    assert assessment.signals["unowned_name"] == 0.0
    assert assessment.level != "none"


@pytest.mark.parametrize("question", ["Which papers compress the KV-cache?", "How does LLaVA-1.5 handle images?"])
def test_a_name_written_differently_from_the_abstracts_is_not_unknown(assistant, question):
    # The abstracts write "KV cache" and "LLaVA-1.5"; "KV-Cache" read as a name no abstract holds,
    # and "LLaVA-1.5" as "LLaVA-1".
    answer = assistant.ask(question)
    assert not answer.abstained, answer.text
    assert "No indexed abstract mentions" not in (answer.preface or "") + answer.text


def test_a_name_typed_against_chinese_text_is_still_a_name(assistant):
    """"QLoRA是如何在单个GPU上微调65B模型的？" read as one long unknown name and was refused with "no
    indexed abstract mentions QLoRA是如何…"; Chinese characters stand alone, so QLoRA is found."""
    from rag.names import question_names

    question = "QLoRA是如何在单个GPU上微调65B模型的？"
    assert [name for name, _ in question_names(question)] == ["QLoRA", "GPU"]
    answer = assistant.ask(question)
    assert answer.evidence != "none" and answer.citations[0].title == QLORA


def test_a_head_to_head_result_no_abstract_gives_is_at_most_weak_and_says_so(assistant):
    """"Does DMoERM agree with human preferences more often than the reward model from MM-RLHF?" was `strong`
    (both papers indexed and close); neither abstract names the other, so none holds the comparison. Where
    one does ("Is LQ-LoRA better than QLoRA?": LQ-LoRA's abstract reports beating QLoRA) nothing changes."""
    answer = assistant.ask("Does DMoERM agree with human preferences more often than the critique-based reward model from MM-RLHF?")
    assert answer.evidence == "weak"
    assert "No indexed abstract compares DMoERM with MM-RLHF" in answer.preface
    assert assistant.ask("Is LQ-LoRA better than QLoRA?").evidence == "strong"


@pytest.mark.parametrize("question, sides", [
    # dev-10: "the Time Series MambaMixer (TSM2)" is one side, MambaMixer's paper; it names no Titans
    ("For time series forecasting, does Titans outperform the Time Series MambaMixer (TSM2)?", "Titans with MambaMixer"),
    # dev-11: a benchmark no abstract names ("DocVQA") does not stop the reading of two indexed papers
    ("Does mPLUG-DocOwl2 achieve higher single-page DocVQA accuracy than InternLM-XComposer2-4KHD does?",
     "mPLUG-DocOwl2 with InternLM-XComposer2-4KHD"),
])
def test_the_sides_of_a_head_to_head_are_the_papers_that_own_its_names(assistant, question, sides):
    answer = assistant.ask(question)
    assert answer.evidence != "strong" and f"compares {sides}" in (answer.preface or "") + answer.text, \
        (answer.evidence, answer.preface, answer.text)


def test_chat_shorthand_in_capitals_is_no_name():
    """"TL;DR of …" was refused as "no indexed abstract mentions TL, DR"."""
    from rag.names import question_names

    assert question_names("TL;DR of QLoRA? ELI5 please, FYI I am new") == [("QLoRA", "qlora")]


def test_a_name_joined_to_a_word_saying_what_was_done_with_it_is_the_name():
    """"GPT-4-written instructions" read as the name "GPT-4-written", which no abstract holds: a question asking
    which paper built such a set was `weak`, saying "No indexed abstract mentions GPT-4-written"."""
    from rag.names import question_names

    assert question_names("Which set has GPT-4-written instructions and GPT-4V-generated captions?") == [
        ("GPT-4", "gpt4"), ("GPT-4V", "gpt4v")]
    assert question_names("Is there a CLIP-style model for audio, or a LLaVA-based one?") == [("CLIP", "clip"), ("LLaVA", "llava")]
    # (any done-with word: dev-111's "An AI-drafted brief …" was refused as "no indexed abstract mentions AI-drafted")
    assert question_names("An AI-drafted brief merged two officials into one quote; was the LoRA-merged model checked?") == [
        ("AI", "ai"), ("LoRA", "lora")]


def test_a_model_class_named_after_a_model_is_that_model(assistant):
    """dev-98: "Which papers check whether GPT-4-class models can stand in for human graders …?" was refused as "No
    indexed abstract mentions GPT-4-class"; the papers on model judges were first among those found."""
    from rag.names import question_names

    assert question_names("Can GPT-4-class models grade essays?") == [("GPT-4", "gpt4")]
    answer = assistant.ask("Which papers check whether GPT-4-class models can stand in for human graders, and how "
                           "closely do those model judges agree with people?")
    assert not answer.abstained and "GPT-4-class" not in (answer.preface or ""), (answer.evidence, answer.preface)
    assert any(c.title.startswith("MLLM-as-a-Judge") for c in answer.citations), answer.text


def test_a_size_range_or_a_prefixed_name_is_no_unindexed_name():
    from rag.names import question_names

    assert question_names("For a small LLM (3B-7B or 7B-13B), which batch size works best?") == [("LLM", "llm")]
    assert question_names("LLM versus non-LLM backbones for dense retrievers") == [("LLM", "llm")]
    assert question_names("Which 288-GPU cluster trained a BioInstruct-tuned LLaMA?") == [
        ("GPU", "gpu"), ("BioInstruct", "bioinstruct"), ("LLaMA", "llama")]
    # dev-55: an engineer's machine ("two A10s (24GB each)") was read as names no abstract holds: A10s, 24GB
    assert question_names("two A10s (24GB each), or 8xA100 80GB, or a 1.5 TB box: can QLoRA fit a 70B?") == [
        ("A10", "a10"), ("A100", "a100"), ("QLoRA", "qlora")]


@pytest.mark.parametrize("question", [
    "Besides the Oogiri game, on what tasks is CLoT evaluated?",  # a capitalised first word is no part of a name
    "for supervised fine-tuning of small LLM (3B-7B), which batch size and learning rate combination work best?",
    "In \"Circuit Component Re-use Across Tasks in Transformer Models\", how much do the IOI and Colored Objects circuits overlap?",
    "How do Boyi Li, Marco Pavone and colleagues use LLMs to adapt driving behaviour to a new country's rules?",  # authors
    "In the large empirical comparison of LLM versus non-LLM backbones for dense retrievers, which retrieval settings were tested?",
    "How does Zoom Eye's tree search explore a high-resolution image?",  # a possessive
])
def test_words_the_corpus_holds_are_not_said_to_be_unindexed(assistant, question):
    """Each was answered with "No indexed abstract mentions Besides the Oogiri / 3B-7B / Circuit Component Re-use Across
    Tasks / Marco Pavone / non-LLM; the answer covers the rest of the question": a false note, and one that caps a
    question asking who proposed something."""
    answer = assistant.ask(question)
    assert answer.citations and "No indexed abstract mentions" not in (answer.preface or "")


def test_a_title_case_name_no_abstract_holds_is_still_said_to_be_unindexed(assistant):
    answer = assistant.ask("What did the Tree of Thoughts paper find on the Game of 24?")
    # (the paper asked for is not indexed: refused, naming it; test_asking_for_the_paper_of_a_name_no_abstract_holds…)
    assert refused_saying(answer, "No indexed abstract mentions Tree of Thoughts")
    first = assistant.ask("Tree of Thoughts or CLoT: which one is better for creative humor generation?")  # (opening the question)
    assert "No indexed abstract mentions Tree of Thoughts" in (first.preface or "")


def test_data_described_as_made_by_an_indexed_model_is_not_an_unindexed_name(assistant):
    answer = assistant.ask("Which paper fine-tunes on GPT-4V-generated instruction data?")
    assert not answer.abstained
    assert "No indexed abstract mentions" not in (answer.preface or "")


def test_a_question_naming_two_indexed_papers_is_answered_from_both(assistant):
    """"Is LQ-LoRA better than QLoRA?" was answered from LQ-LoRA alone: quoted together, the paper
    whose sentences mention the other won every place in the answer."""
    answer = assistant.ask("Is LQ-LoRA better than QLoRA?")
    titles = [c.title for c in answer.citations]
    assert QLORA in titles and any(t.startswith("LQ-LoRA") for t in titles)
    assert len(titles) == 2


def test_a_multi_paper_answer_takes_every_paper_over_the_list_bar_once_a_second_clears_the_first(assistant):
    """dev-25's "How do the audio-understanding models here differ …?" was answered from GAMA and one other
    paper: the audio-captioning paper, which it needs, sat under the bar that decides whether a second paper
    answers at all. Once one does, the list takes every paper over the lower list bar."""
    answer = assistant.ask("How do the audio-understanding models here differ in the audio encoder or features they start from?")
    titles = [c.title for c in answer.citations]
    assert any(t.startswith("GAMA:") for t in titles)
    assert any(t.startswith("Improving Audio Captioning Models") for t in titles)


def test_a_question_about_one_paper_measured_against_another_is_answered_from_the_first(assistant):
    """"How does ComPEFT do it, and how does it fare against QLoRA?" got one ComPEFT sentence beside
    one of QLoRA's own (its NF4 data type), and missed how ComPEFT works: QLoRA is the baseline, and
    ComPEFT's abstract makes the comparison. Asked only the comparison, both papers still answer."""
    answer = assistant.ask("How does ComPEFT shrink the fine-tuned modules, and how does it fare against QLoRA?")
    titles = {c.title for c in answer.citations}
    assert len(titles) == 1 and titles.pop().startswith("ComPEFT:")
    assert "sparsification and ternary quantization" in answer.text and "outperforms QLoRA" in answer.text
    # "… outdo QLoRA …" measures against it too (dev-77: a QLoRA sentence stood in for ComPEFT's "outperforms QLoRA by
    # 4.16% on MMLU")
    outdo = assistant.ask("About ComPEFT: what compression ratios does it attain, and by how much does the compressed "
                          "LLaMA expert outdo QLoRA on MMLU?")
    titles = {c.title for c in outdo.citations}
    assert len(titles) == 1 and titles.pop().startswith("ComPEFT:") and "4.16%" in outdo.text, outdo.text


def test_a_described_paper_measured_against_a_named_one_is_answered_from_the_described_paper(assistant):
    """"the model that puts a diffusion module after the VLM to produce actions: how much better than OpenVLA was it?"
    names one indexed paper, only as what the described one beat: OpenVLA's own abstract answered, quoting how it beat
    RT-2-X (dev-94). The paper whose abstract makes the comparison is the one asked about."""
    answer = assistant.ask("We are choosing a robot policy. For the robot model that puts a separate diffusion module "
                           "after the VLM to produce actions, how much better than OpenVLA was it in simulation?")
    titles = {c.title.split(":")[0] for c in answer.citations}
    assert titles == {"CogACT"}, answer.text
    assert "35% in simulated evaluation" in answer.text
    # ... and where the top paper introduces the name the described one beats (dev-97: CoOp's own abstract answered)
    answer = assistant.ask("We can only send prompts to a closed vision-language model: no weights, no logits. I heard "
                           "of work where a chat LLM hill-climbs on the prompt for such a model. How much does that beat "
                           "CoOp by, in which shot setting, and over how many datasets?")
    assert answer.citations[0].title.startswith("Language Models as Black-Box Optimizers"), answer.text
    assert "1-shot image classification" in answer.text and "1.5%" in answer.text, answer.text
    # asked about OpenVLA itself, OpenVLA answers
    own = assistant.ask("By how much did OpenVLA outperform RT-2-X in absolute task success rate?")
    assert own.citations[0].title.startswith("OpenVLA:") and "16.5%" in own.text, own.text


def test_how_large_language_models_asks_no_size(assistant):
    """dev-97: "I'd like to read the overview of how large language models are being used in medicine … Which deployment
    concerns does it single out …?" was refused: "how large" read as a size asked, and the survey states none. And
    "the overview of" is one survey, answered in full, not one sentence from each of several papers."""
    answer = assistant.ask("I am reading the overview of how large language models are used in healthcare, from "
                           "training data to accountability and ethics. Which concerns about deploying them does it single out?")
    assert not answer.abstained and answer.evidence == "strong", (answer.evidence, answer.preface)
    assert answer.citations[0].title.startswith("A Survey of Large Language Models for Healthcare")
    assert "fairness, accountability, transparency and ethics" in answer.text
    assert answer.text.count("[1]") >= 2, answer.text


def test_a_name_typed_in_lower_case_is_still_that_name(assistant):
    """A researcher types "who proposed fedloge?" in a chat: it was refused as naming nothing to
    search for (no capitals, so no technical name), though FedLoGe's paper came first; and "which
    paper proposed llava" was answered with confidence from papers that only build on LLaVA."""
    answer = assistant.ask("who proposed fedloge?")
    assert answer.evidence != "none" and not answer.abstained
    assert any(c.title.startswith("FedLoGe:") for c in answer.citations)
    unowned = assistant.ask("which paper proposed llava")
    assert unowned.evidence == "none" and "LLaVA" in unowned.text


@pytest.mark.parametrize("chatty", [
    "I was wondering if there's a paper that does federated fine-tuning of LLMs",
    "hey, sorry: has anyone done federated fine-tuning of LLMs? curious what the authors did",
    "ngl kinda need a paper that does federated fine-tuning of LLMs tho",  # a chat's shorthand
])
def test_chat_around_a_question_does_not_weaken_its_evidence(assistant, chatty):
    """No abstract says "wondering", "anyone" or "authors", so each counted as the rarest word of the
    question and the chatty wording of an answerable question came out `weak`."""
    plain = assistant.ask("Is there a paper that does federated fine-tuning of LLMs?")
    answer = assistant.ask(chatty)
    assert plain.evidence == answer.evidence == "strong"
    assert answer.citations[0].title == plain.citations[0].title


def test_only_a_lower_case_question_is_recased_and_only_with_the_corpus_names_that_are_no_words():
    from rag.names import name_casing, question_names, recase

    texts = ["QLoRA uses NF4 with GREEN and LoRA.", "We fine-tune with LoRA; see https://github.com/x/qlora-repo.",
             "Low-rank adapters (lora) are cheap."]
    casing = name_casing(texts, is_word=lambda w: w in {"green"})
    assert casing == {"qlora": "QLoRA", "nf4": "NF4"}  # "lora" is a lower-case word here, "green" an everyday one
    assert recase("which paper introduced qlora and nf4?", casing) == "which paper introduced QLoRA and NF4?"
    assert question_names("who proposed qlora? is it green?", casing) == [("QLoRA", "qlora")]
    typed = "How does QLoRA differ from qlora-style nf4?"  # capitals of its own: lower-case words left as typed
    assert recase(typed, casing) == typed
    assert recase("How does Qlora differ from LoRA? Is Nf4 new?", casing) == "How does QLoRA differ from LoRA? Is NF4 new?"


@pytest.mark.parametrize("question, abstract, missing", [
    ("How many GPUs did it train on?", "We train on more than 10,000 GPUs at 55.2% MFU.", False),
    ("How many GPU hours did it take?", "We train on more than 10,000 GPUs at 55.2% MFU.", True),
    ("How many parameters does it have?", "It uses 3 variants over 175B parameters.", False),
    ("How many images does the dataset hold?", "Our 72B model beats GPT-4V on 11 benchmarks.", True),
    ("What accuracy does it reach?", "Nothing is counted here.", False),  # not a "how many" question
    # counts written out, with words between (dev-41, dev-50: the answerable questions refused as "states no number")
    ("On how many tasks and languages was it tested?", "It wins on ten clinical concept extraction tasks from two languages.", False),
    ("On how many benchmarks?", "Using three major medical question-answering benchmark datasets, it gains 7.2%.", False),
    ("How many GPUs did it use?", "It wins on ten clinical concept extraction tasks from two languages.", True),
    # several counts asked: one stated is an answer to take (dev-57's question was refused on its first count alone)
    ("How many models did they train, and how many tokens went into it?", "It consumed 100 trillion tokens in total.", False),
    ("How many GPUs and how many epochs?", "We train a 7B model on 2T tokens.", True),
    # a count of models is stated of LLMs as often as of "models"
    ("How many models did they train?", "It took one million GPU hours to train 3,700 LLMs of varying sizes.", False),
    # a magnitude written out (dev-106: "how many samples did general ability need" was refused as "states no number")
    ("How many samples did the general ability need?", "The general ability is enhanced with about a thousand samples.", False),
    ("How many annotators labelled it?", "Millions of users rely on it; thousands of prompts were collected.", True),
    # a share of the thing counted (dev-108: "how many GPU hours in training?" refused though the abstract states it)
    ("How many GPU hours in training?", "It keeps only 55.6% TFLOPs at inference, and 77.7% GPU hours during training.", False),
    ("How many GPU hours in training?", "It keeps only 55.6% TFLOPs at inference.", True),
    # rounds of a thing are counted as that thing (dev-109: "after four distillations" answers it)
    ("How many distillation rounds did they run?", "The 7B student model after four distillations surpassed LLaVA-13B.", False),
    ("How many distillation rounds did they run?", "The 7B student model surpassed LLaVA-13B on four benchmarks.", True),
])
def test_a_how_many_question_needs_a_count_of_the_thing_it_asks_about(question, abstract, missing):
    """An abstract's other numbers ("72B", "11 benchmarks") are no answer to "how many images":
    such details an abstract omits were answered `strong` from the paper they are about."""
    from rag.evidence import count_missing

    assert count_missing(question, abstract) is missing


def test_a_count_the_abstract_omits_lowers_the_evidence_and_one_it_gives_does_not(assistant):
    """PixMo's abstract counts models and benchmarks, never its images: "number missing" (shown in
    `rag ask --json`'s signals) read those numbers as the answer and stayed 0."""
    given = "How many GPUs did MegaScale train on?"  # "more than 10,000 GPUs"
    omitted = "How many images and captions does PixMo, the dataset released with Molmo, contain?"
    assert assistant.assess(given, assistant.retriever.search(given, k=6)).signals["number_missing"] == 0.0
    assert assistant.assess(omitted, assistant.retriever.search(omitted, k=6)).signals["number_missing"] == 1.0


@pytest.mark.parametrize("question, phrases", [
    ("Tree of Thoughts or CLoT: which one is better for creative humor generation?", ["Tree of Thoughts"]),
    ("How does the Segment Anything Model handle ambiguous prompts?", ["Segment Anything Model"]),
    ("Compare LoRA and Prefix Tuning.", ["Prefix Tuning"]),  # "and" joins two names
    ("What's TrICy's approach to data-to-text generation?", []),  # the words that open a question
    ("How does Compacter on GLUE compare with NVIDIA H100 runs?", []),  # acronyms and "on" join no name
    ("What Is The Best Method For Sentiment", []),  # a headline in title case
])
def test_names_of_several_capitalised_words_are_read(question, phrases):
    from rag.names import title_case_phrases

    assert title_case_phrases(question) == phrases


def test_a_several_word_name_no_abstract_holds_is_said_to_be_missing(assistant):
    """"Tree of Thoughts or CLoT: …?" was answered from CLoT's paper without a word about Tree of Thoughts:
    no single-token name was unknown. The indexed phrase ("Mixture of Experts") is not reported."""
    answer = assistant.ask("Tree of Thoughts or CLoT: which one is better for creative humor generation?")
    assert not answer.abstained and "Leap-of-Thought" in answer.citations[0].title  # CLoT's paper
    assert "No indexed abstract mentions Tree of Thoughts" in (answer.preface or "")
    indexed = assistant.ask("How does Mixture of Experts routing balance load across experts?")
    assert "Mixture of Experts" not in (indexed.preface or "")
    assert assistant.unindexed_phrases("Welches Paper stellt einen Benchmark für Web Navigation vor?") == []


@pytest.mark.parametrize("question, names", [
    ("Which paper proposed the Chinchilla scaling rule?", ["Chinchilla"]),
    ("what about Toolformer's results, and the (Gopher) ones?", ["Toolformer", "Gopher"]),
    ("Toolformer: which paper proposed it?", []),  # a sentence's first word may be any word
    ("- Toolformer\n- Reflexion", []),  # ... and so may a line's
    ("How does the Compacter adapter compare with prompt tuning?", []),  # a word the corpus holds
    ("Is Paris in the corpus?", []),  # an everyday word
])
def test_a_capitalised_word_no_text_or_vocabulary_holds_is_read_as_a_name(assistant, question, names):
    assert [name for name, _ in assistant.unindexed_words(question)] == names


def test_a_name_with_one_capital_that_no_abstract_holds_is_refused_naming_it(assistant):
    """"Which paper proposed the Chinchilla compute-optimal scaling rule …?" was answered `strong` from a
    paper on hyperparameter scaling laws, without a word about Chinchilla: NAME reads no name in a word
    with one leading capital, so the question named nothing the corpus lacks."""
    answer = assistant.ask("Which paper proposed the Chinchilla compute-optimal scaling rule, roughly 20 training "
                           "tokens per parameter?")
    assert answer.abstained and "Chinchilla" in answer.text
    # A German question's capitalised nouns are not names the corpus lacks.
    assert assistant.unindexed_words("Welches Paper stellt einen Benchmark für die Navigation auf Webseiten vor?") == []


def test_a_refused_question_in_several_parts_suggests_asking_them_one_at_a_time(assistant):
    """Asked whole, "Which method trains LoRA adapters on a shrunken copy …? How does it work …?" is
    refused with its paper first: the reader learns that its parts may be answered alone."""
    from rag.answer import SEVERAL_PARTS

    several = assistant.ask("Which method trains LoRA adapters on a shrunken copy of a 70B LLM and then plugs them "
                            "back into the original for inference? How does it work and how much memory does it save?")
    assert several.abstained and SEVERAL_PARTS in several.notes
    one = assistant.ask("What is the best sourdough recipe for a crisp crust?")
    assert one.abstained and SEVERAL_PARTS not in one.notes


def test_two_papers_named_by_names_only_their_abstracts_give_are_both_answered(assistant):
    """UnIVAL's title is "Unified Model for Image, Video, Audio and Language Tasks": only its abstract
    says "UnIVAL". "Can you summarize VisCon-100K and UnIVAL?" was answered from VisCon-100K alone, and a
    follow-up's "the second one" then had no second paper to point at."""
    answer = assistant.ask("Can you summarize VisCon-100K and UnIVAL, the unified model for image, video, audio and language tasks?")
    cited = [c.title for c in answer.citations]
    assert any(t.startswith("VisCon-100K") for t in cited) and any(t.startswith("Unified Model for Image, Video") for t in cited)
    follow = assistant.ask("the second one - how big is it?", history=[answer])
    assert len(answer.citations) == 2 and follow.citations and follow.citations[0].title == answer.citations[1].title


def test_asking_for_weaknesses_an_abstract_does_not_state_is_refused_and_says_so(assistant):
    """EgyBERT's abstract reports only how well it does: asked for its drawbacks, the answer quoted its
    result sentences as `strong`. An abstract that states its paper's own limitation still answers."""
    answer = assistant.ask("What drawbacks of EgyBERT does its paper admit?")
    assert refused_saying(answer, "The abstract of “EgyBERT” states no limitation of its own")
    stated = assistant.ask("What limitations of LLMs for mental health prediction do the Mental-LLM authors stress?")
    assert stated.evidence == "strong" and "limited performance" in stated.text


def test_asking_whether_a_model_is_released_quotes_where_and_says_when_the_abstract_does_not(assistant):
    """"Model available at https://…" was never quoted (links are no answer content), so "Have the HoVLE
    authors released their model?" was answered `strong` with what HoVLE does; asked of a paper whose
    abstract and record say nothing of a release, it is refused, saying so."""
    released = assistant.ask("Did the HoVLE team make their model public?")
    assert released.evidence == "strong" and "Model available at https://" in released.text
    unknown = assistant.ask("Is the code for MUSCLE publicly available?")
    assert refused_saying(unknown, "The abstract of “MUSCLE” says nothing about releasing code, data or models")


def test_asking_what_a_paper_is_evaluated_on_when_its_abstract_names_nothing_is_refused(assistant):
    """Uni-MoE's abstract reports results on "a comprehensive set of multimodal datasets" and names none:
    its closest sentences were quoted as `strong`. LLM2LLM's names GSM8K, CaseHOLD, SNIPS, TREC, SST-2."""
    silent = assistant.ask("What datasets do the Uni-MoE authors evaluate it on?")
    assert refused_saying(silent, "The abstract of “Uni-MoE” names no benchmark or dataset it is evaluated on")
    stated = assistant.ask("Which benchmarks is LLM2LLM evaluated on?")
    assert stated.evidence == "strong" and "GSM8K" in stated.text


def test_a_paper_named_by_the_first_words_of_its_title_in_quotes_is_named(assistant):
    """"Scattered or Connected? An Optimized Parameter-efficient Tuning Approach for Information Retrieval" names
    no benchmark ("Experiments at both retrieval and re-ranking stages show …"); asked by the first words of its
    title in quotes, the question was not read as naming it, and "information retrieval (IR)" — a field's term
    spelled out in lower-case words — counted as a benchmark's name: its sentences were quoted as `strong`."""
    silent = assistant.ask("The 'Scattered or Connected?' paper: on which datasets was its tuning approach evaluated?")
    assert refused_saying(silent, "names no benchmark or dataset it is evaluated on")
    assert "Scattered or Connected?" in silent.text


def test_a_described_paper_asked_what_its_abstract_never_states_is_refused(assistant):
    """The "its abstract states no X" caps read only questions that name the paper; a paper described in words
    ("the mixture-of-experts multimodal LLM that handles audio, speech, images and video") was answered `strong`
    with Uni-MoE's sentences, which name no dataset. A question asking for a paper ("Which paper surveys …") is
    a lookup, not a question about what one paper states."""
    described = assistant.ask("For the mixture-of-experts multimodal LLM that handles audio, speech, images and video, "
                              "which datasets was it evaluated on?")
    assert refused_saying(described, "The abstract of “Uni-MoE” names no benchmark or dataset it is evaluated on")
    lookup = assistant.ask("Which paper surveys LLMs for healthcare, from traditional pretrained language models to LLMs, "
                           "covering accountability and ethics?")
    assert lookup.evidence == "strong"
    assert lookup.citations and "Survey of Large Language Models for Healthcare" in lookup.citations[0].title


def test_how_a_term_works_asked_after_a_sentence_of_context_is_refused_when_no_abstract_uses_it(assistant):
    """A question that opens with who is asking and asks how the term works in a later sentence: "Hello. … I have heard
    of 'semantic entropy' … How does semantic entropy work, and …?" was `strong` from a paper on verbalised confidence.
    A later sentence pointing back at something ("How does the training work in QLoRA?") asks about no term."""
    later = assistant.ask("Hi, I teach a statistics course. A colleague mentioned prefix tuning. How does prefix tuning "
                          "work, and does it beat full fine-tuning?")
    assert refused_saying(later, "No indexed abstract uses the term “prefix tuning”"), (later.evidence, later.text)
    pointing = assistant.ask("I read about it yesterday. How does the training work in QLoRA?")
    assert pointing.evidence == "strong" and pointing.citations[0].title == QLORA


def test_how_a_term_works_or_who_came_up_with_it_is_refused_when_no_abstract_uses_it(assistant):
    """"How does prefix tuning work?" was answered `strong` (P 0.99) from papers on other ways of tuning prompts, and
    "Who came up with the lottery ticket hypothesis, …?" from a paper on nested sub-networks: no indexed abstract
    uses either term. A term the abstracts do use keeps its answer."""
    prefix = assistant.ask("How does prefix tuning work?")
    assert refused_saying(prefix, "No indexed abstract uses the term “prefix tuning”")
    lottery = assistant.ask("Who came up with the lottery ticket hypothesis, that dense networks contain sparse subnetworks "
                            "trainable in isolation?")
    assert refused_saying(lottery, "No indexed abstract uses the term “lottery ticket hypothesis”")
    bare = assistant.ask("Which paper introduced prefix tuning?")  # (no "the" before the term)
    assert refused_saying(bare, "No indexed abstract uses the term “prefix tuning”")
    came = assistant.ask("Which paper came up with prefix tuning, the trick of learning continuous task-specific vectors?")
    assert refused_saying(came, "No indexed abstract uses the term “prefix tuning”")
    used = assistant.ask("How does speculative decoding work?")
    assert "uses the term" not in (used.preface or "")
    # asked how it does something and who introduced "it" (dev-77: `weak`, from papers on forgetting)
    anchored = assistant.ask("How does elastic weight consolidation keep a fine-tuned model from forgetting its earlier tasks, "
                             "and which paper introduced it?")
    assert refused_saying(anchored, "No indexed abstract uses the term “elastic weight consolidation”"), anchored.text
    speculative = assistant.ask("How does speculative decoding speed up inference, and which paper introduced it?")
    assert "uses the term" not in (speculative.preface or "") + speculative.text
    # named, explained in a relative clause, then asked the origin of "it" (dev-81: `strong` from a hallucination survey)
    described = assistant.ask("Our team relies on prefix tuning, which prepends trainable vectors to every layer. "
                              "Which paper introduced it, and what did it compare against?")
    assert refused_saying(described, "No indexed abstract uses the term “prefix tuning”"), described.text
    indexed = assistant.ask("Our server relies on speculative decoding, which drafts tokens with a small model. "
                            "Which paper introduced it?")
    assert "uses the term" not in (indexed.preface or "") + indexed.text


def test_a_relative_what_is_no_question_which_model(assistant):
    """"… adds little beyond what the base model already does …" read as asking which model, and the paper, whose
    abstract names none, was refused as naming no model of the kind asked (dev-75). Asked how many, it says 90."""
    answer = assistant.ask("People say instruction tuning adds little beyond what the base model already does with "
                           "in-context examples. How many LLMs did the study claiming this instruction-tune?")
    assert answer.evidence != "none" and "90 different LLMs" in answer.text, (answer.evidence, answer.text)


def test_a_relative_which_or_a_which_before_an_article_asks_for_no_model(assistant):
    """"… a survey of the algorithms by which multimodal large language models are brought into line …", "the
    study of what lets a model generalize …" and "which system uses LLMs …" read as asking which model, and the surveyed or studied paper, whose
    abstract names none, was refused as naming no model of the kind asked (dev-77). Asked which model, it still is."""
    survey = assistant.ask("Could you point me to a survey of the algorithms by which multimodal large language models "
                           "are brought into line with human preferences, and along which aspects it organises its review?")
    assert survey.evidence != "none", (survey.evidence, survey.text)
    assert survey.citations[0].title == "Aligning Multimodal LLM with Human Preference: A Survey"
    study = assistant.ask("In the study of what lets a model generalize to instructions it has never seen, what must the "
                          "instruction data be like for such generalization to emerge?")
    assert study.evidence != "none" and "diversi" in study.text, (study.evidence, study.text)
    # ... nor a verb between: the system is asked for, the LLMs are what it uses (dev-80's follow-up was refused so)
    system = assistant.ask("FACT-GPT: which system uses LLMs to automate claim matching, and what data was it trained on?")
    assert system.evidence != "none" and system.citations[0].title.startswith("FACT-GPT"), (system.evidence, system.text)
    asked = assistant.ask("Which LLM does FinMem use as its backbone?")
    assert refused_saying(asked, "names no model of the kind asked")


def test_asking_which_model_a_paper_builds_on_when_its_abstract_names_none_is_refused(assistant):
    """FinMem's abstract speaks of "a novel LLM-based agent framework" and names no LLM: "Which LLM does FinMem
    use as its backbone?" was quoted its sentences as `strong`. Florence-VL's names the encoder (Florence-2)."""
    silent = assistant.ask("Which LLM does FinMem use as its backbone?")
    assert refused_saying(silent, "(The abstract of “FinMem” names no model of the kind asked.)")
    stated = assistant.ask("Which vision encoder does Florence-VL use instead of CLIP?")
    assert stated.evidence == "strong" and "Florence-2" in stated.text
    # The paper's own system is no model it builds on: "we propose the … (MLLM-MSR) model" names none, and the
    # question was answered `strong`.
    own = assistant.ask("Which MLLM does the multimodal sequential recommendation paper (MLLM-MSR) build on?")
    assert refused_saying(own, "names no model of the kind asked")
    # nor is a dataset or metric it names a model ("the AVSBench-semantic benchmark, namely AVSBench-OV", "mIoU": dev-77)
    data = assistant.ask("Which pretrained vision-language model does OV-AVSS, the open-vocabulary audio-visual segmentation "
                         "framework, draw its prior knowledge from?")
    assert refused_saying(data, "names no model of the kind asked"), (data.evidence, data.text)
    # nor the strategy it brings as "our proposed …" ("Our proposed Dual-stage Mixed Fine-tuning (DMT) strategy": dev-80)
    strategy = assistant.ask("In the SFT data-composition study that proposes Dual-stage Mixed Fine-tuning, which base model "
                             "family did they fine-tune?")
    assert refused_saying(strategy, "names no model of the kind asked"), (strategy.evidence, strategy.text)
    # "what model-based trick" asks for a trick: a compound's first word is no model asked for
    trick = assistant.ask("What model-based trick does FinMem use to rank what its trading agent remembers?")
    assert "names no model" not in (trick.preface or "") + trick.text, trick.text
    # "which desiderata of MLLMs" asks for desiderata, not for a model (it was capped as "names no model")
    desiderata = assistant.ask("What are the components of ChEF, and which desiderata of MLLMs do its new recipes measure?")
    assert "names no model" not in (desiderata.preface or "")


@pytest.mark.parametrize("question, paper", [
    # the only name besides "LLMs" is its code's repository, in a web address (dev-61: quoted as `strong`)
    ("Which LLMs did the molecule prediction benchmarking paper query?", "Benchmarking Large Language Models for Molecule"),
    # "text-to-image (T2I)", "I2V", "AI-driven" name tasks and kinds, not a video model it plugs into (dev-61)
    ("Which base video model does I2V-Adapter plug into?", "I2V-Adapter"),
    # "DP-trained" says how models were trained, and names none (dev-73: `strong`)
    ("Which pretrained models did the paper showing large language models can be strong differentially private learners "
     "fine-tune?", "Large Language Models Can Be Strong Differentially Private Learners"),
    # "the pre-trained image-LLMs" is a kind of model, and names none (dev-85: `strong`)
    ("Which pre-trained image LLM did T2Vid build its video model on?", "T2Vid"),
])
def test_a_web_address_or_a_task_abbreviation_is_no_model_the_paper_names(assistant, question, paper):
    assert refused_saying(assistant.ask(question), f"(The abstract of “{paper}")


def test_a_model_named_in_one_capitalised_word_is_a_model_the_abstract_names(assistant):
    """dev-93: "… which base model did they build to show the data helps?" was refused as "The abstract of Genixer
    names no model of the kind asked": "a base MLLM model, Kakapo, is built" names it in a word no name pattern reads."""
    answer = assistant.ask("Which base MLLM did the Genixer authors build to evaluate their generated data?")
    assert not answer.abstained and "Kakapo" in answer.text, (answer.evidence, answer.text)


@pytest.mark.parametrize("question", [
    # "which" opening a relative clause asks no model (dev-39: answerable, refused once the web address stopped
    # hiding that the abstract names no LLM)
    "Can LLM really do molecule property prediction? I read there is benchmark paper which prompt LLMs on molecule "
    "datasets and compare to graph models, what was conclusion and how many datasets they used?",
    # "the methods that …" are several papers, not one whose abstract names no model (dev-50)
    "Against which baselines and on which models do the methods that combine a large and a small language model at "
    "decoding time report their gains, and how do their claims differ?",
])
def test_which_model_is_not_asked_of_one_paper_by_a_relative_which_or_a_plural_description(assistant, question):
    answer = assistant.ask(question)
    assert answer.evidence != "none" and "names no model" not in answer.shown_text


@pytest.mark.parametrize("question, title, naming", [
    ("What paper do I cite for m2mKD?", "m2mKD: Module-to-Module Knowledge Distillation", "(m2mKD)"),
    ("Where does Lite-LLM4Rec come from?", "Rethinking Large Language Model Architectures for Sequential Recommendations",
     "Lite-LLM4Rec"),
])
def test_asking_what_to_cite_for_a_name_one_indexed_paper_introduces_is_answered_as_covered(assistant, question, title, naming):
    """The evidence model put these at P 0.64 and 0.70 (`weak`, "only partly cover this") with the paper that
    introduces the name first: the paper asked for is indexed."""
    answer = assistant.ask(question)
    assert answer.evidence == "strong" and answer.preface is None
    assert answer.citations[0].title.startswith(title) and naming in answer.text


def test_asking_who_came_up_with_something_no_paper_owns_stays_uncertain(assistant):
    """"switch transformers" is no indexed paper's (written in lower case, it is no name to the policy), and
    several retrieved papers propose something "MoE": not a question the index answers with its paper."""
    answer = assistant.ask("who came up with switch transformers, the MoE that routes each token to just one expert?")
    assert answer.evidence != "strong"


@pytest.mark.parametrize("question, expansion", [
    ("what PRISMA is stand for in the PRISMA-DFLLM paper?", "Preferred Reporting Items for Systematic Reviews and Meta-Analyses (PRISMA)"),
    ("In the multimodal alignment study, what is BDHS short for?", "Bias-Driven Hallucination Sampling (BDHS)"),
])
def test_asking_what_an_acronym_stands_for_quotes_its_expansion_as_covered(assistant, question, expansion):
    """Asked in a learner's English, these came out `weak`, and the PRISMA answer quoted the checklist
    sentence and not what PRISMA stands for: the abstract spells it out."""
    answer = assistant.ask(question)
    assert answer.evidence == "strong" and expansion in answer.text


@pytest.mark.parametrize("sentence, acronym, spelled", [
    ("Battle of the Backbones (BoB) makes this choice easier", "BoB", True),
    ("the Egyptian Tweets Corpus (ETC), containing over 34 million tweets", "ETC", True),
    ("unlike earlier samplers (BDHS) it needs no annotation", "BDHS", False),
    ("we compare against BoB on six tasks", "BoB", False),
])
def test_an_acronym_is_spelled_out_only_by_words_whose_initials_hold_it(sentence, acronym, spelled):
    from rag.text import expands

    assert expands(sentence, acronym) is spelled


def test_asking_a_named_paper_for_a_number_its_abstract_does_not_give_says_so(assistant):
    """FACT-GPT's abstract says what the system does and that it matches claims well, and gives no figure: the
    question names the paper, asks for an accuracy, and was answered `strong` (P 0.98) with sentences holding
    no number."""
    answer = assistant.ask("What accuracy does FACT-GPT reach when matching claims?")
    assert refused_saying(answer, "“FACT-GPT” states no number of the kind asked")
    assert "Closest papers: “FACT-GPT" in answer.text


@pytest.mark.parametrize("question, paper", [
    # "(1) GPT-3 explanations are …": a list mark and a model's digit before "explanations" read as their count (dev-60)
    ("How many human-written explanations did the paper on whether hard examples are harder to explain collect?",
     "Are Hard Examples also Harder to Explain? A Study with Human and Model-Generated Explanations"),
    # "what %" asks a figure, and the digits of "T2I" are none (dev-61: "only a fraction of the parameters" was `strong`)
    ("I2V-Adapter: what % of params is trainable?", "I2V-Adapter"),
])
def test_digits_inside_names_or_list_marks_are_no_figure_the_abstract_states(assistant, question, paper):
    assert refused_saying(assistant.ask(question), f"“{paper}” states no number of the kind asked")


@pytest.mark.parametrize("question, abstract, unstated", [
    ("What should a small company expect to pay, in dollars, to fine-tune it?", "We review 7 stages of fine-tuning.", True),
    ("How much did they spend on GPT-4 calls?", "We expand the benchmark to over 100 tasks.", True),
    ("How much did they spend on GPT-4 calls?", "It costs under 15 USD in total inference costs.", False),
    ("How much did they spend on GPT-4 calls?", "Each run cost $120 of API calls.", False),
    ("How much compute went into pretraining it?", "It is pretrained on 10.4 GB of dialectal text.", True),
    ("How much compute went into pretraining it?", "It needs only 50% of the FLOPs of training from scratch.", False),
    ("How much compute went into pretraining it?", "The 7B model converges 54.6% faster.", False),
    ("How much accuracy does it lose?", "It keeps 91.4% of the accuracy.", False),  # no amount of money or compute asked
    # memory (dev-57: a linear-attention paper's quality figures were quoted for "how much memory does it save?")
    ("How much memory does it save compared with the original?", "It recovers over 99% of quality and 6 points of perplexity.", True),
    ("How much GPU memory does it need?", "It cuts the model from 12.6 GB to 2.5 GB.", False),
    ("How much memory does it save?", "It reduces the memory footprint by 130 times.", False),
    ("How much faster is it?", "It is twice as fast on a GPU.", False),  # speed is often stated in words: not asked as an amount
    # GPU time is compute (dev-108: an abstract with no figure of it was quoted as `strong`)
    ("How much GPU time did synthesis take?", "LLMs suffer from high computational costs. Our data matches Qwen-2.5-72B-Instruct.", True),
    ("How much GPU time did synthesis take?", "Synthesis took 120 GPU hours on one node.", False),
])
def test_an_amount_of_money_compute_or_memory_needs_a_figure_in_its_unit(question, abstract, unstated):
    """"How much compute went into pretraining EgyBERT …?" was answered `strong` with "pretrained on 10.4 GB of
    Egyptian dialectal texts", and "… expect to pay, in dollars …" with sentences holding no figure at all."""
    from rag.evidence import amount_unstated

    assert amount_unstated(question, abstract) is unstated


def test_asking_a_named_paper_for_compute_its_abstract_does_not_give_says_so(assistant):
    answer = assistant.ask("How much compute did it take to pretrain EgyBERT on Egyptian dialect text?")
    assert refused_saying(answer, "“EgyBERT” states no number of the kind asked")


@pytest.mark.parametrize("question, reason", [
    ("Which paper introduced Tree of Thoughts prompting, where the LM explores and backtracks over a tree of "
     "intermediate thoughts?", "No indexed abstract mentions Tree of Thoughts"),
    ("What are the first-line treatments for persistent auditory hallucinations in patients with schizophrenia?",
     "No indexed abstract uses the term “first-line treatments”"),
])
def test_a_question_the_model_finds_partly_covered_is_refused_when_a_rule_finds_the_corpus_lacks_it(assistant, question, reason):
    """The model put these at `weak` ("the abstracts only partly cover this") and quoted the closest papers;
    the corpus lacks what they ask (a method no abstract names, a clinical term no abstract uses), and the
    same rules that refuse such a question the model calls `strong` now refuse it here too."""
    answer = assistant.ask(question)
    assert refused_saying(answer, reason)
    assert "Closest papers: “" in answer.text


def test_asking_how_a_method_decides_an_amount_is_not_asking_for_a_figure(assistant):
    """"decide how much compute each token gets" asks for the mechanism: it was refused as a number ACM's abstract
    does not state (eighteenth session's known misfire)."""
    answer = assistant.ask("How do Adaptive Computation Modules decide how much compute each token gets?")
    assert answer.evidence != "none" and not answer.abstained
    assert [c.title.split(":")[0] for c in answer.citations][:1] == ["Adaptive Computation Modules"]
    assert "per-token basis" in answer.text


def test_an_amount_a_method_acts_on_is_not_asking_for_a_figure(assistant):
    """"which papers reduce how many visual tokens the image gives …?" names what the methods act on; read as asking a
    figure the abstracts' top sentences lack, it was refused (dev-56) although several papers do just that."""
    answer = assistant.ask("Our multimodal LLM is too slow because each image gives too many visual tokens. Which papers "
                           "reduce how many visual tokens the image gives to the LLM in the first place?")
    assert answer.evidence == "strong" and not answer.abstained
    assert len({c.title for c in answer.citations}) >= 2


def test_several_counts_asked_are_answered_by_the_ones_the_abstract_states(assistant):
    """dev-57: "How many models did they actually train, how much computing time and how many tokens …?" was refused
    as "states no number of the kind asked": the abstract's "train 3,700 LLMs" was no count of "models"."""
    answer = assistant.ask("A press release says a team trained thousands of language models to find a 'universal' rule "
                           "for setting hyperparameters like the learning rate. How many models did they actually train, "
                           "how much computing time and how many tokens went into it?")
    assert not answer.abstained
    assert answer.citations[0].title.startswith("Predictable Scale")
    assert "3,700 LLMs" in answer.text


def test_asking_a_named_paper_for_a_number_its_abstract_gives_is_answered(assistant):
    answer = assistant.ask("How many GPUs did MegaScale train on?")
    assert answer.evidence == "strong" and "12,288 GPUs" in answer.text


def test_a_question_listing_indexed_papers_by_name_is_answered_from_each_of_them(assistant):
    """Searched as one text, "Of OpenELM, MoMa and UnIVAL, …" found OpenELM and MoMa (UnIVAL's title does not
    name it: its abstract does), and the model, fitted on one-topic questions, refused the flat field (P 0.15)."""
    answer = assistant.ask("Of OpenELM, MoMa and UnIVAL, which one is the smallest model?")
    assert answer.evidence == "weak" and not answer.abstained
    cited = {c.title.split(":")[0] for c in answer.citations}
    assert {"OpenELM", "MoMa", "Unified Model for Image, Video, Audio and Language Tasks"} <= cited
    assert "0.25B parameter UnIVAL" in answer.text


def test_a_paper_a_list_names_only_in_its_abstract_is_found_by_its_naming_sentence(seed_engine):
    """"… propose a simple yet efficient method for the Domain Generalization (DG) task, namely Soft Prompt
    Generation (SPG)": SPG's paper, not in the hits of "Between SPG, CoOp and PRE, …", is put among them."""
    from rag.names import listed_names

    question = "Between SPG, CoOp and PRE, which evaluates on more datasets?"
    assert listed_names(question) == [["SPG", "CoOp", "PRE"]]
    hits = seed_engine.retriever.search(question, k=5)
    titles = {h.paper.title for h in hits}
    assert {"Soft Prompt Generation for Domain Generalization", "Learning to Prompt for Vision-Language Models"} <= titles
    assert any(t.startswith("PRE:") for t in titles)


def test_a_comparison_answers_from_each_paper_it_names_however_far_apart_the_names_stand(assistant):
    """"Compare NesyCD, the neural-symbolic …, with CoOp, the prompt-learning …" was answered from NesyCD alone
    (CoOp's paper, which names CoOp only in its abstract, was not among the papers found), and "Can you contrast
    LACIE with the SAR paper, …?" was refused with both papers first."""
    compared = assistant.ask("Compare NesyCD, the neural-symbolic collaborative distillation method, with CoOp, "
                             "the prompt-learning method for CLIP.")
    titles = {c.title for c in compared.citations}
    assert "Learning to Prompt for Vision-Language Models" in titles
    assert any(t.startswith("Neural-Symbolic Collaborative Distillation") for t in titles)
    contrasted = assistant.ask("Can you contrast LACIE with the SAR paper, Shifting Attention to Relevance, on LLM uncertainty?")
    assert contrasted.evidence != "none"
    assert {c.title.split(":")[0] for c in contrasted.citations} >= {"LACIE", "Shifting Attention to Relevance"}


def test_asking_who_proposed_an_idea_the_top_paper_only_lists_among_others_is_refused(assistant):
    """FS-GEN "explores several techniques …, including speculative decoding, contrastive decoding, and emulator
    or proxy fine-tuning": "Which paper first proposed speculative decoding …?" was answered `strong` from it."""
    answer = assistant.ask("Which paper first proposed speculative decoding with a small draft model to make LLM generation faster?")
    assert refused_saying(answer, "names it only in a list of techniques it uses or studies, not as its own")


def test_a_name_the_question_only_sets_aside_is_not_asked_about(assistant):
    """"Rather than keeping only the final or EMA weights, is there published work that searches for a weighted
    combination of the intermediate checkpoints …?" was refused as "No indexed abstract mentions EMA", with the
    paper that does it first: EMA is what the reader sets aside."""
    answer = assistant.ask("Rather than keeping only the final or EMA weights, is there published work that searches for "
                           "a weighted combination of the intermediate checkpoints saved during diffusion or "
                           "consistency-model training?")
    assert answer.evidence != "none" and not answer.abstained
    assert answer.citations[0].title.startswith("Linear Combination of Saved Checkpoints")
    assert "EMA" not in (answer.preface or "")


def test_asking_how_many_when_the_fourth_closest_sentence_counts_it_is_not_called_unstated(assistant):
    answer = assistant.ask("How many languages did mBLIP machine-translate its training data into?")
    assert answer.preface is None or "states no number" not in answer.preface
    assert "95 languages" in answer.text


def test_asking_about_a_version_no_abstract_mentions_says_so(assistant):
    """Octopus v4's paper is close to the question (P 0.997, `strong`); "Octopus v5" is in no abstract."""
    answer = assistant.ask("What does Octopus v5 add over Octopus v4's graph of language models?")
    assert answer.evidence == "weak"
    assert "No indexed abstract mentions Octopus v5" in answer.preface


def test_asking_how_well_a_named_paper_does_is_not_read_as_asking_for_a_figure(assistant):
    answer = assistant.ask("How well does eCeLLM generalize to unseen e-commerce products?")
    assert answer.preface is None or "states no number" not in answer.preface


def test_a_head_to_head_between_listed_papers_no_abstract_makes_is_still_refused(assistant):
    """Listing two indexed papers keeps a question from refusal ("Which of A, B and C …?"), but not a
    head-to-head result that only an abstract naming both could give."""
    answer = assistant.ask("On MovieLens-1M, which recommends better: Lite-LLM4Rec or MLLM-MSR?")
    assert answer.evidence == "none" and answer.abstained


def test_a_question_in_two_parts_about_a_named_paper_answers_the_part_it_can(assistant):
    """Whole, the question was refused (P 0.39) with SELF-GUIDE's paper first; its second part is what the
    abstract says (the data is synthesized from the student LLM itself)."""
    answer = assistant.ask("By how much does SELF-GUIDE improve results on Natural Instructions V2, "
                           "and where does its training data come from?")
    assert answer.evidence == "weak" and not answer.abstained
    assert answer.citations[0].title.startswith("SELF-GUIDE")
    assert "answer only part of the question (“where does its training data come from”)" in answer.preface


@pytest.mark.parametrize("question, lacking", [
    ("we have far more written match reports than labelled clips. for T2Vid, which image LLM did they start from, how "
     "many GPU hours did the fine-tuning take, and how many synthetic video-like samples did they make in total",
     "names no model of the kind asked"),
    ("our hotline bot sounds sure of itself even when wrong, which is dangerous in a crisis. for LACIE, which model played "
     "the simulated listener, how many preference pairs did they build from the two-agent game, and how many GPU hours "
     "did finetuning take", "states no number of the kind asked"),
])
def test_the_scene_before_a_papers_name_is_no_part_of_the_question_answered(assistant, question, lacking):
    """Split at its commas, such a question began with a "part" that was the writer's scene ("we have far more written
    match reports …. for T2Vid"), which the paper's abstract seemed to answer: the question, every asked detail of
    which the abstract lacks, was `weak`, saying it answered only "we have far more …" (dev-104, dev-106)."""
    answer = assistant.ask(question)
    assert answer.evidence == "none", (answer.evidence, answer.preface)
    assert lacking in answer.text


@pytest.mark.parametrize("question", [
    "How many tokens was DeepSeek-VL 7B pretrained on, and which LLM is its language backbone?",
    "I'm trying to judge whether Uni-MoE could ever fit on our station's single GPU. How many experts does each of its MoE "
    "layers have, which base LLM is it built on, and how many parameters are active per token?",
])
def test_a_part_asking_a_specific_detail_is_not_presented_as_the_part_answered(assistant, question):
    """Refused whole, these were `weak`, saying the abstracts answer "which LLM is its language backbone" while quoting
    sentences that name no LLM (dev-39, dev-92): a specific detail (which model, how many, what score) is no part the
    closest sentences answer. A part asking for an account still is (SELF-GUIDE's, above)."""
    from rag.answer import ANSWERED_PART

    answer = assistant.ask(question)
    assert answer.evidence == "none" and ANSWERED_PART not in answer.shown_text, (answer.evidence, answer.preface)


def test_a_count_glued_to_its_noun_by_a_hyphen_counts():
    from rag.evidence import count_missing

    assert not count_missing("How many parameters does OpenVLA have?", "OpenVLA, a 7B-parameter open-source VLA trained on …")
    assert count_missing("How many GPUs did it use?", "We train a 7B-parameter model.")


def test_a_keyword_query_for_a_count_finds_the_count_by_its_first_word():
    from rag.evidence import count_missing

    abstract = "Our findings demonstrate the feasibility of training up to 160 different sub-models simultaneously."
    assert not count_missing("sortednet how many sub-models performance retained", abstract)


@pytest.mark.parametrize("question, figure", [
    ("Since MiniCPM-V handles more than 100 languages, which one does it handle worst?", "100 languages"),
    ("Given that MoDeGPT keeps 99% of zero-shot accuracy at half the size, why stop there?", "99%"),
])
def test_a_question_starting_from_a_figure_the_abstract_does_not_state_says_so(assistant, question, figure):
    """Built on a figure the named paper's abstract does not give (MiniCPM-V's says 30+ languages), these were
    answered `strong` with the paper's sentences, as if the premise held."""
    answer = assistant.ask(question)
    assert answer.evidence == "weak"
    assert f"does not state the figure the question starts from ({figure})" in answer.preface


def test_a_question_starting_from_a_figure_the_abstract_states_is_answered(assistant):
    answer = assistant.ask("Given that QLoRA finetunes a 65B model on a single 48GB GPU, how does it save memory?")
    assert answer.evidence == "strong" and answer.preface is None


def test_a_question_crediting_a_named_paper_with_another_papers_work_says_whose_it_is(assistant):
    """MoDeST's abstract never mentions Xavier initialization; "Vanishing Variance Problem in Fully Decentralized
    Neural-Network Systems" does. The question credited MoDeST, and MoDeST's sentences were quoted as `strong`."""
    answer = assistant.ask("According to the MoDeST paper, how does averaging uncorrelated models undo the "
                           "variance set by Xavier initialization?")
    assert answer.evidence == "weak"
    assert "The abstract of “MoDeST” does not mention Xavier; “Vanishing Variance Problem" in answer.preface


def test_a_question_about_two_named_papers_is_not_read_as_crediting_one_with_the_other(assistant):
    answer = assistant.ask("How do mPLUG-2 and mPLUG-Owl differ in how they split a multimodal model into modules?")
    assert answer.preface is None or "does not mention" not in answer.preface


def test_a_title_that_uses_a_name_does_not_make_its_paper_the_one_to_cite_for_it(assistant):
    """"p-MoD: Building Mixture-of-Depths MLLMs via …" uses Mixture-of-Depths ("by leveraging the
    Mixture-of-Depths (MoD) mechanism"); the cite rule took its title word for an introduction and lifted
    such a question to `strong` (a regression the test split's run showed; the rule now reads own names and
    the abstract's naming sentences only)."""
    answer = assistant.ask("Where does Mixture-of-Depths come from?")
    assert answer.evidence != "strong"


def test_asking_who_proposed_a_name_no_retrieved_abstract_introduces_says_so(assistant):
    """"From GaLore to WeLore: …" builds on GaLore, and no indexed abstract brings it: the question was answered
    `strong` (P 0.92) from the papers that use it."""
    answer = assistant.ask("Which paper should I cite for GaLore, the low-rank gradient projection method?")
    assert refused_saying(answer, "use GaLore, but none of them introduces it"), (answer.evidence, answer.text)


def test_a_two_letter_acronym_in_a_described_lookup_is_not_the_name_asked_about(assistant):
    """Refusing "none of them introduces RL" would lose Carve3D, which the question describes in words (dev)."""
    answer = assistant.ask("Which paper introduced an RL finetuning method coupled with a Multi-view Reconstruction "
                           "Consistency metric to improve the consistency of multi-view diffusion models?")
    assert not answer.abstained and answer.citations[0].title.startswith("Carve3D"), (answer.evidence, answer.text)


@pytest.mark.parametrize("question", [
    "which paper proposed Diffusion Policy for visuomotor robot control?",
    "How does Diffusion Policy generate robot actions, and who introduced it?",
])
def test_asking_who_proposed_a_name_in_capitalised_words_that_abstracts_only_use_says_so(assistant, question):
    """OpenVLA's abstract beats "imitation learning methods such as Diffusion Policy"; no indexed abstract brings
    it. rag.names does not count capitalised words as a name, and both questions (from two fresh batches) were
    answered `strong` from vision-language-action papers, then `weak`; refused since the rule met only unanswerable
    questions on dev and every batch."""
    answer = assistant.ask(question)
    assert refused_saying(answer, "use Diffusion Policy, but none of them introduces it"), (answer.evidence, answer.text)


def test_asking_who_proposed_a_name_no_indexed_abstract_mentions_is_not_strong_and_says_so(assistant):
    """No indexed chunk holds "Landmark Attention", so no indexed paper can be the one that proposed it; the closest
    paper on long contexts was quoted as its source with `strong` evidence (P 0.84)."""
    answer = assistant.ask("Which paper proposed Landmark Attention for long contexts?")
    assert refused_saying(answer, "No indexed abstract mentions Landmark Attention")


@pytest.mark.parametrize("question", ["Which paper introduced Quantized Side Tuning?",
                                      "Which paper proposed Proximal Reward Difference Prediction?"])
def test_asking_who_proposed_a_name_in_capitalised_words_its_paper_brings_is_answered(assistant, question):
    answer = assistant.ask(question)
    assert answer.evidence == "strong" and "introduces it" not in (answer.preface or "")


@pytest.mark.parametrize("abstract, phrase, owned", [
    ("We propose Quantized Side Tuning (QST), which enables fine-tuning.", "Quantized Side Tuning", True),
    ("Our approach, Side Tuning, a new way to adapt models, is fast.", "Side Tuning", True),
    ("We fine-tune it and outperform imitation learning methods such as Diffusion Policy by 20%.", "Diffusion Policy", False),
    ("We propose a method that beats baselines like Diffusion Policy on ten tasks.", "Diffusion Policy", False),
    ("We build on Diffusion Policy to train robots.", "Diffusion Policy", False),
])
def test_a_paper_owns_a_name_of_several_words_only_where_it_brings_it(abstract, phrase, owned):
    from rag.ownership import owns_phrase
    from rag.types import Paper

    paper = Paper(paper_id="p", title="A study of robot learning", abstract=abstract, sources=("t",))
    assert owns_phrase(paper, phrase) is owned


def test_a_term_whose_words_an_abstract_holds_in_other_order_or_form_is_not_refused(assistant):
    """Refused as terms no abstract uses, the first turns of two follow-ups lost their papers: "the dynamic
    tokenization retrofit" is "retrofitting LMs with dynamic tokenization" in its abstract, and "what is the
    BorderLines dataset about?" asks what a dataset is about, not what a term means (dev-19)."""
    retrofit = assistant.ask("How does the dynamic tokenization retrofit work for encoder models like XLM-R?")
    assert retrofit.evidence == "weak" and retrofit.citations[0].title.startswith("Retrofitting (Large) Language Models")
    denoisers = assistant.ask("What is the 'Mixture-of-Denoisers' pre-training objective in UL2?")  # (dev-37)
    assert denoisers.evidence != "none" and denoisers.citations[0].title.startswith("UL2")
    borderlines = assistant.ask("what is the BorderLines dataset about?")
    assert borderlines.evidence != "none" and borderlines.citations[0].title.startswith("This Land is")
    assert "uses the term" not in (borderlines.preface or "")


def test_a_lookup_in_words_is_not_read_as_asking_one_paper_for_a_model(assistant):
    """"I'm looking for a paper that inserts an intermediate pre-training stage in which the large backbone is first
    compressed …" asks for PELA, not which backbone PELA names: refused as "names no model of the kind asked" (dev-38)."""
    answer = assistant.ask("I'm looking for a paper that inserts an intermediate pre-training stage in which the large "
                           "backbone is first compressed with low-rank approximation, so that downstream fine-tuning is cheaper.")
    assert answer.evidence != "none" and answer.citations[0].title.startswith("PELA")


def test_asking_what_a_term_means_when_no_abstract_uses_it_is_not_strong_and_says_so(assistant):
    """"What is an attention sink …?" was answered `strong` (P 0.99) from papers about attention that never
    use the term: their sentences are not its definition. The reader is told the term is not used."""
    answer = assistant.ask("What is an induction head in a transformer?")
    assert refused_saying(answer, "No indexed abstract uses the term “induction head”")


def test_asking_what_a_term_the_abstracts_use_means_is_answered_as_covered(assistant):
    answer = assistant.ask("What is catastrophic forgetting?")
    assert answer.evidence == "strong" and "uses the term" not in (answer.preface or "")
    assert "catastrophic forgetting" in answer.text.lower() and answer.citations


@pytest.mark.parametrize(
    "question, term",
    [
        ("What is an attention sink in a transformer language model?", "attention sink"),
        ("What does grokking mean in neural network training?", "grokking"),
        ("what's the lottery ticket hypothesis", "lottery ticket hypothesis"),
        ("What does the term 'client drift' mean in federated learning?", "client drift"),
        ("Define model collapse.", "model collapse"),
        ("How is perplexity computed for a language model?", "perplexity"),
        ("How is the reward computed, and what data is used?", None),  # several parts
        ("What is the main contribution of QLoRA?", None),  # asks about a paper, not a term's meaning
        ("What are the two training stages of ACE++?", None),
        ("What is the key trick in distilling step-by-step?", None),
        ("What is in the Open-Platypus dataset, and how was it built?", None),  # several parts
        ("What does InterFormer do differently from SimpleClick?", None),
        ("What is the largest model trained on a single GPU?", None),
    ],
)
def test_a_definition_question_is_told_from_other_what_questions(question, term):
    from rag.evidence import defined_term

    assert defined_term(question) == term


def test_asking_who_proposed_an_idea_a_paper_only_builds_on_is_not_strong_and_says_so(assistant):
    """"Which paper first proposed chain-of-thought prompting …?" was `strong` (P 0.99) from a paper whose
    closest sentence is its background ("chain of thought (CoT) prompting, a recent technique …"), before
    what it proposes: the paper uses the idea; the one that introduced it is not indexed."""
    answer = assistant.ask("Which paper introduced chain-of-thought prompting, where worked examples show the reasoning steps?")
    assert refused_saying(answer, "only in its background, before what it proposes")


def test_asking_who_proposed_an_idea_a_paper_proposes_is_answered_as_covered(assistant):
    answer = assistant.ask("Which paper proposed using functional tokens to route queries to the right specialized model?")
    assert answer.evidence == "strong" and "background" not in (answer.preface or "")


@pytest.mark.parametrize("question, paper", [
    ("Which paper proposed picking unlabeled data for a warm-up stage before fine-tuning so that it shifts the "
     "pretraining distribution towards the target distribution?", "Get more for less"),
    ("Which paper introduced a way to fine-tune big LLMs like LLaMA 2 by keeping only a small set of parameter "
     "deltas, pruning and regrowing which indices are active as training goes?", "Scaling Sparse Fine-Tuning"),
])
def test_a_paper_that_states_its_idea_in_its_own_voice_is_not_read_as_background(assistant, question, paper):
    """"Differing from prior work, our key idea is to select data …" and "In this work, we scale sparse
    fine-tuning …" are the papers' own ideas, though neither says "we propose": both answers were `weak`
    with "speaks of it only in its background" (dev-32)."""
    answer = assistant.ask(question)
    assert answer.citations[0].title.startswith(paper)
    assert answer.evidence == "strong" and "background" not in (answer.preface or "")


@pytest.mark.parametrize("question, paper", [
    ("Which paper proposed fine-tuning one code LLM on many code tasks at once, with extra losses to handle data "
     "imbalance between the tasks?", "MFTCoder"),
    ("Which paper proposed using reinforcement learning to choose which solved examples go into a GPT-3 prompt for "
     "math word problems over tables?", "Dynamic Prompt Learning via Policy Gradient"),
])
def test_a_lookup_that_describes_the_problem_and_the_method_is_answered_as_covered(assistant, question, paper):
    """The question's problem words ("data imbalance between the tasks") bring it closest to the paper's background
    sentence, but the paper's own sentences hold more of its words: the idea is the paper's own. Both lookups (from
    fresh batches dev-40 and dev-41) were `weak` with "speaks of it only in its background"."""
    answer = assistant.ask(question)
    assert answer.citations[0].title.startswith(paper)
    assert answer.evidence == "strong" and "background" not in (answer.preface or "")


def test_a_lookup_whose_words_the_top_papers_title_holds_is_not_read_as_background(assistant):
    """MUSCLE's background sentences hold more of the question's words than its own ones, but its title ("A Model
    Update Strategy for Compatible LLM Evolution") holds two of the question's rarer words: the paper is about what
    is asked. The answer was `weak` with "speaks of it only in its background" (dev-39, and dev-46 for NeuPIMs)."""
    answer = assistant.ask("Which paper proposed a model update strategy that keeps task adapters compatible, so that "
                           "fewer answers flip from right to wrong when the base LLM is updated?")
    assert answer.citations[0].title.startswith("MUSCLE")
    assert answer.evidence == "strong" and "background" not in (answer.preface or "")


def test_which_paper_first_showed_a_finding_is_an_origin_question(assistant):
    """"Which paper first showed that a plain transformer on 16x16 image patches can match convolutional
    networks on ImageNet?" asks for ViT's paper, which is not indexed; ViTamin, which builds on the idea,
    was quoted as `strong` once "ImageNet" stopped counting as the name asked about."""
    from rag.text import ASKS_ORIGIN

    assert ASKS_ORIGIN.search("Which paper first showed that chain-of-thought prompting helps?")
    question = ("Which paper first showed that a plain transformer on 16x16 image patches can match "
                "convolutional networks on ImageNet?")
    assert assistant.ask(question).evidence != "strong"


def test_a_lower_case_subject_set_before_the_question_is_read_as_a_name(assistant):
    """"gpipe: who proposed micro-batch pipeline parallelism …?" was answered `strong` from NeuPIMs: "gpipe",
    in lower case, was no name, and no abstract uses it (dev-34). A chat aside before a colon is no name."""
    answer = assistant.ask("gpipe: who proposed micro-batch pipeline parallelism and how does it split the batch?")
    assert answer.evidence == "none" and "gpipe" in answer.text
    assert assistant.ask("btw: which paper proposed QLoRA?").evidence != "none"
    assert assistant.ask("lma3 - which parts of the autotelic agent does the language model take care of?").evidence == "strong"


def test_two_lower_case_subjects_or_one_with_a_gloss_before_the_question_are_read_as_names(assistant):
    """"deepnorm / deepnet: how …?" and "transfusion (single transformer, …) - how …?" were answered `strong` from
    Peri-LN and ViTamin: neither name is indexed, and the label reader took one word before a colon only (dev-67)."""
    slash = assistant.ask("deepnorm / deepnet: how exactly do they upweight the residual before post-LN so u can "
                          "train like 1000-layer transformers stably?")
    assert slash.evidence != "strong" and "deepnorm" in slash.shown_text
    glossed = assistant.ask("transfusion (single transformer, next-token loss on text + diffusion loss on images, "
                            "trained from scratch) - how did it scale vs chameleon-style discrete image tokens?")
    assert glossed.evidence == "none" and "transfusion" in glossed.text
    assert assistant.ask("qlora / lora: how much memory does 4-bit save?").evidence == "strong"  # both indexed


def test_a_reader_saying_what_they_would_like_to_create_asks_no_origin(assistant):
    """"… I'd like to create synthetic training data … I remember a paper where …" was refused with "the indexed
    abstracts use LLM, but none of them introduces it": "create" read as asking who created LLMs (dev-35)."""
    answer = assistant.ask("Instead of distilling from one huge LLM, I'd like to create synthetic training data with several "
                           "small open models working together. I remember a paper where the small models take on roles "
                           "like in peer review. What roles do they play, and does their data really match what a big model produces?")
    assert answer.evidence != "none" and "introduces it" not in answer.shown_text
    assert answer.citations[0].title.startswith("A Strategic Coordination Framework of Small LLMs")


@pytest.mark.parametrize("question, title", [
    ("we have gpus split across sites, some w/ rdma some only ethernet — which paper introduced a training framework "
     "for llms that schedules work by NIC type?", "Holmes"),
    ("Which paper presented a lightweight, user-friendly tool that automates distributed training and inference of LLMs "
     "by generating tensor-parallel strategies from two simple rules, so developers need no MLSys expertise?", "Redco"),
])
def test_a_described_lookup_is_not_capped_for_a_name_it_only_mentions(assistant, question, title):
    """Both were `weak` with "The indexed abstracts use NIC (MLSys), but none of them introduces it": the
    name is part of the description (or the reader's context), not what the question asks the origin of."""
    answer = assistant.ask(question)
    assert answer.evidence == "strong" and "introduces it" not in answer.shown_text
    assert answer.citations[0].title.startswith(title)


def test_a_name_before_the_origin_verb_is_asked_about_only_when_the_verb_points_back_at_it():
    from rag.evidence import _origin_asked_of

    assert _origin_asked_of("How does ZeRO split optimizer states, and which paper introduced it?", "ZeRO")
    assert not _origin_asked_of("we have RDMA on some sites — which paper introduced a framework for that?", "RDMA")


@pytest.mark.parametrize("question, paper, reason", [
    # dev-16: LiST's abstract states no learning rate; its closest sentences were quoted as `weak`
    ("What learning rate and how many self-training iterations does LiST use?", "LiST", "does not state its learning rate"),
    # dev-10: QLoRA's abstract says "Low Rank Adapters" but gives no rank: quoted as `strong`
    ("What LoRA rank and which weight matrices were used when training the Guanaco models with QLoRA?", "QLoRA",
     "does not state its LoRA rank"),
    # dev-20 asked it so ("yi model tokenizer how big vocab??")
    ("What vocabulary size does the Yi tokenizer use?", "Yi", "does not state its vocabulary size"),
    ("Which tokenizer does CodeFuse-13B use?", "CodeFuse-13B", "does not state its tokenizer"),
    # dev-91: "which GPU models were those platforms" was answered from "on three 8-GPU platforms": GPUs counted, which
    # ones not said; MegaScale's abstract speaks of "12,288 GPUs"
    ("Which GPUs did MegaScale train on?", "MegaScale", "does not state its GPU model"),
    # dev-93: "under what licence is the dataset released?" was answered `strong` from "we release …"
    ("Under which licence is SciRIFF released?", "SciRIFF", "does not state its licence"),
])
def test_asking_one_paper_for_a_training_setting_its_abstract_never_mentions_is_refused_saying_which(assistant, question,
                                                                                                    paper, reason):
    answer = assistant.ask(question)
    assert refused_saying(answer, reason), (answer.evidence, answer.text)
    assert paper in answer.text  # the paper asked about is named, and listed among the closest


@pytest.mark.parametrize("question, stated", [
    ("What batch size was used to pre-train the StackOverflow models in 'Stack Over-Flowing with Results'?", "0.5M tokens"),
    ("What does the secret recipe guide for fine-tuning small LLMs say about batch size and learning rate?",
     "larger batch sizes paired with lower learning rates"),
    ("Which tokenizer does E-ViLM use?", "semantic vector-quantized tokenizer"),
    ("On which GPUs does HALO report its fine-tuning speedup?", "RTX 4090"),
])
def test_asking_for_a_training_setting_the_abstract_states_is_answered_with_it(assistant, question, stated):
    answer = assistant.ask(question)
    assert answer.evidence != "none" and stated in answer.text, (answer.evidence, answer.text)


def test_a_setting_a_question_describes_is_not_asked_for():
    """dev-93: "… squeezes each site's changes into a handful of numbers using a common random seed …" describes a
    mechanism, and the question was refused as "The abstract of FLoRA does not state its random seeds"."""
    from rag.evidence import ASKED_SETTINGS

    asks_seeds = ASKED_SETTINGS["random seeds"][0]
    assert not asks_seeds.search("How does FLoRA, whose clients could share a common random seed, aggregate the adapters?")
    assert asks_seeds.search("How many random seeds did they average over?")
    assert asks_seeds.search("Which seeds were used for the main table?")


def test_a_question_that_mentions_a_seed_in_passing_is_answered(assistant):
    answer = assistant.ask("How does FLoRA, whose clients could share a common random seed, aggregate the heterogeneous "
                           "LoRA adapters?")
    assert not answer.abstained and answer.citations[0].title.startswith("FLoRA"), (answer.evidence, answer.text)
    assert "stacking" in answer.text


@pytest.mark.parametrize("question", [
    # dev-22: HoVLE's abstract says it is "a novel high-performance monolithic VLM" and does well "on various
    # benchmarks", naming none; "VLM" (the field's "VLMs" in the singular) was read as a benchmark's name
    "Which benchmarks is HoVLE evaluated on?",
    # dev-22: LLaVA-MoLE "can even outperform the plain-LoRA instruction-tuning" on "the mixed datasets": a model
    # it is measured against, not a benchmark
    "What benchmarks does LLaVA-MoLE report its results on?",
])
def test_a_field_word_or_a_compared_model_is_no_benchmark_an_abstract_names(assistant, question):
    answer = assistant.ask(question)
    assert refused_saying(answer, "names no benchmark or dataset it is evaluated on"), (answer.evidence, answer.text)


@pytest.mark.parametrize("question, paper, metric", [
    # dev: LlamaFusion's abstract reports its gains in words and percentages, no FID; quoted as `strong`
    ("What FID does LlamaFusion reach for text-to-image generation on MS-COCO?", "LlamaFusion", "FID"),
    # dev-23: AnomalyCLIP's abstract names MVTec AD among its datasets and gives no AUROC; quoted as `weak`
    ("What image-level AUROC does AnomalyCLIP report on MVTec AD?", "AnomalyCLIP", "AUROC"),
])
def test_asking_one_paper_for_a_metric_its_abstract_gives_no_figure_for_is_refused_saying_which(assistant, question,
                                                                                               paper, metric):
    answer = assistant.ask(question)
    assert refused_saying(answer, f"reports no figure for {metric}"), (answer.evidence, answer.text)
    assert paper in answer.text


@pytest.mark.parametrize("question, figure", [
    ("What CIDEr-D score does CVLNM achieve on MS-COCO?", "129.5 CIDEr-D"),
    ("Does Liquid beat SD-XL at image generation, and what FID does it reach on MJHQ-30K?", "FID of 5.47"),
])
def test_asking_for_a_metric_the_abstract_reports_is_answered_with_its_figure(assistant, question, figure):
    answer = assistant.ask(question)
    assert answer.evidence != "none" and figure in answer.text, (answer.evidence, answer.text)


@pytest.mark.parametrize("question, metric", [
    ("Uni-Perceiver v2 get what box AP on COCO detection?", "average precision"),
    ("What cumulative return did the trading agent make?", "return"),
    ("what F1 score does it reach on CoNLL?", "F1"),
    ("What does the decoder return for an empty prompt?", None),  # a return of its kind only
    ("Which map of the city did they draw?", None),  # AP in capitals only
    ("What accuracy does it reach?", None),  # the generic figures are the number rule's
])
def test_a_metric_is_asked_for_by_its_name(question, metric):
    asked = asked_metric(question)
    assert (asked[0] if asked else None) == metric


@pytest.mark.parametrize("question, name", [
    # dev-30: a lookup by description; refusing "none of them introduces sEEG" would lose Du-IN
    ("I need the reference for the brain-computer interface paper that decoded spoken words from intracranial sEEG "
     "recordings of Chinese speakers", "sEEG"),
    ("Where did its training instructions come from, and did it really beat GPT-4?", "GPT-4"),
])
def test_a_name_describing_the_paper_or_measured_against_is_not_the_origin_asked_about(question, name):
    assert not _origin_asked_of(question, name)


def test_asking_how_a_method_works_that_the_abstracts_only_use_is_refused_saying_so(assistant):
    """GPTQ is in the seeds only as LQ-LoRA's "GPTQ-LoRA baselines": no indexed abstract says how it works, and the
    closest quantization papers' sentences were quoted as `strong` (fresh batches, four wordings)."""
    answer = assistant.ask("How does GPTQ compress the weights of a language model?")
    assert refused_saying(answer, "use GPTQ, but none of them introduces it"), (answer.evidence, answer.text)


def test_asking_how_a_method_works_whose_paper_names_it_only_in_its_code_link_is_answered(assistant):
    """TAPE's abstract names it only in "github.com/XiaoxinHe/TAPE": its paper brings it (dev)."""
    answer = assistant.ask("How does TAPE use a large language model to improve GNNs on text-attributed graphs?")
    assert not answer.abstained and answer.citations[0].title.startswith("Harnessing Explanations"), answer.text


def test_a_model_the_abstract_studies_is_not_read_as_the_papers_own_and_the_question_is_answered(assistant):
    """"We present a thorough empirical study on a series of PaLM 2 models" reads as presenting PaLM (a contribution
    cue), so "which model family did they build on?" was refused as naming no model (dev-53, a fresh batch)."""
    answer = assistant.ask("Which model family does the MATH fine-tuning study with solution-cluster re-ranking build on?")
    assert not answer.abstained and "PaLM 2" in answer.text, (answer.evidence, answer.text)


def test_a_name_the_question_measures_against_is_a_side_of_the_head_to_head(assistant):
    """"… TFUP, the training-free prompt method for CLIP-type models. How does it predict without training, and by how
    much did the trained variant beat POUF?" read its sides as TFUP and CLIP (whose name another paper owns) and, no
    abstract naming both, refused the whole. POUF, the name after "beat", is the other side, and TFUP's abstract
    reports against it (dev-53, a fresh batch)."""
    answer = assistant.ask("I'm looking at TFUP, the unsupervised prompt method for CLIP-type models. How does it classify "
                           "images without training, and how much did its trained variant beat POUF by?")
    assert not answer.abstained and answer.citations[0].title.startswith("Training-Free Unsupervised Prompt"), \
        (answer.evidence, answer.text)
    assert "compares" not in (answer.preface or "")


def test_a_makers_name_before_the_method_asked_how_it_works_does_not_hide_it(assistant):
    """"How does Meta's MusicGen turn a text prompt into music?" was `strong` from M2UGen's abstract, which only uses
    MusicGen as its decoder (dev-53); without "Meta's" it was refused as a method the abstracts only use."""
    answer = assistant.ask("How does Meta's MusicGen generate music from a text prompt?")
    assert refused_saying(answer, "use MusicGen, but none of them introduces it"), (answer.evidence, answer.text)


def test_the_writers_role_or_degree_in_capitals_is_no_name():
    """"Robotics PhD: which papers …?" and "our CTO is into neuro-inspired stuff" were refused as "no indexed abstract
    mentions PhD / CTO" (dev-54, dev-55: fresh batches in the voice of researchers and engineers)."""
    from rag.names import question_names

    assert question_names("Robotics PhD: which papers use LoRA? Our CTO and the PMs want to know") == [("LoRA", "lora")]


@pytest.mark.parametrize("question", [
    "HCI person here, designing a user study: which benchmarks compare multimodal models with human performance?",
    "I'm in HCI. Which benchmarks compare multimodal models with human performance?",
])
def test_the_field_a_writer_comes_from_is_not_what_the_question_asks_about(assistant, question):
    answer = assistant.ask(question)
    assert answer.evidence == "strong" and "HCI" not in (answer.preface or "") + answer.text, (answer.evidence, answer.text)


def test_a_maker_no_abstract_names_is_not_what_the_question_asks_about(assistant):
    """"… a giant autocomplete network for Mandarin on thousands of Huawei chips …" was refused as "No indexed abstract
    mentions Huawei" with PanGu-α first (three such questions in the validation batches): abstracts seldom name who
    made what."""
    answer = assistant.ask("Which team built a giant autocomplete network for Mandarin on thousands of Huawei chips, "
                           "splitting the job several ways at once?")
    assert not answer.abstained and "Huawei" not in (answer.preface or "")
    assert answer.citations[0].title.startswith("PanGu")


def test_an_unindexed_field_the_question_asks_about_is_still_named(assistant):
    answer = assistant.ask("HCI researchers: which papers study HCI with LLMs?")
    assert refused_saying(answer, "No indexed abstract mentions HCI"), answer.text


@pytest.mark.parametrize("question, name", [
    ("How does Toolformer decide where to insert API calls in its training data?", "Toolformer"),
    ("toolformer: how does it pick where to put the API calls?", "toolformer"),
])
def test_asking_how_a_method_no_abstract_mentions_works_is_refused_saying_so(assistant, question, name):
    """"toolformer: how does it pick where to insert API calls …?" was `weak`, quoting ToolLLM's sentences about APIs
    (dev-55): no abstract can say how a method it never mentions works."""
    answer = assistant.ask(question)
    assert refused_saying(answer, f"No indexed abstract mentions {name}"), answer.text


@pytest.mark.parametrize("question, paper", [
    ("which paper introduced craft?", "CRAFT: Customizing LLMs"),
    ("how does halo work?", "HALO: Hadamard-Assisted"),
])
def test_a_papers_name_typed_in_lower_case_is_looked_up_not_refused_as_saying_nothing(assistant, question, paper):
    """"which paper introduced craft?" was refused as "No indexed abstract is close to the question" with CRAFT's paper
    first: "craft" is an everyday word, so the question seemed to name nothing. Typed lower case, 16 of 145 such
    lookups of a title's name were refused so (eval/make_name_questions.py --probe --lower-case)."""
    answer = assistant.ask(question)
    assert not answer.abstained and answer.citations[0].title.startswith(paper), (answer.evidence, answer.text)


def test_a_question_with_nothing_to_search_for_is_still_refused_saying_so(assistant):
    answer = assistant.ask("what did they get?")
    assert answer.abstained and "names nothing to search for" in answer.text, answer.text


@pytest.mark.parametrize("question, term", [
    ("any papers in here on watermarking llm generated text so u can detect it later? like the green/red token list trick",
     "watermarking"),
    ("What methods are there for detecting deepfake or face-swapped videos?", "deepfake"),
    # asked as "has anyone used …" and for a library's "holdings on …" (dev-50, dev-74: `strong`)
    ("Has anyone used code language models to spot malware in compiled programs?", "malware"),
    ("Could you check the library's holdings on recognising birdsong with self-supervised audio models?", "birdsong"),
    # ... and "has anyone looked at / studied …" (dev-49: `weak`)
    ("Has anyone looked at watermarking the text that language models generate?", "watermarking"),
    # ... and "has any work in the collection measured / studied …" (dev-81: `weak`)
    ("Have any papers in the collection studied sycophancy, assistants agreeing with whatever the user believes?",
     "sycophancy"),
    # ... and "has any work fine-tuned / prompted / used …" (dev-85: `strong`)
    ("Our help desk triages reported emails. Has any work fine-tuned language models to flag phishing emails, and what "
     "precision do they get?", "phishing"),
])
def test_asking_for_papers_on_a_topic_whose_term_no_abstract_uses_is_refused_saying_so(assistant, question, term):
    """"any papers in here on watermarking llm generated text …?" was `weak`, quoting a paper on what LLMs infer about
    their users: no abstract uses "watermark" in any form, so none is on that topic (dev-67)."""
    answer = assistant.ask(question)
    assert refused_saying(answer, f"No indexed abstract mentions “{term}”"), (answer.evidence, answer.text)


@pytest.mark.parametrize("question", [
    # an everyday word no abstract uses ("shrinking"), a British spelling, and a rarer wording offered beside a corpus term
    "Are there papers on shrinking a pretrained model by factorising its weight matrices into low-rank pieces?",
    "Which papers propose ways to evaluate hallucination or misperception in vision-language models?",
    "Are there papers on using large language models to invent new goals or tasks for training agents or robots?",
    # a word a retrieved paper holds in another form: "Decompiled Binaries" in a title
    "Has anyone used language models for decompilation of stripped binaries back into readable source?",
])
def test_a_topic_in_everyday_or_alternative_words_is_still_answered(assistant, question):
    answer = assistant.ask(question)
    assert not answer.abstained and "mentions" not in (answer.preface or ""), (answer.evidence, answer.text)


def test_a_name_only_in_a_sentence_about_the_writers_own_setting_is_no_name_asked_about(assistant):
    """dev-84/85: "We keep hours of branch CCTV and won't ship it to a proprietary API. Which paper answers questions
    about long videos …?" was refused as "No indexed abstract mentions CCTV", Video-RAG first. CCTV is the writer's,
    not what is asked. A name the question points back to ("How does it …?") is still asked about."""
    from rag.evidence import own_setting_spans

    question = ("We archive months of depot CCTV and cannot send any of it to a proprietary model. Which training-free "
                "pipeline uses open-source tools to extract audio, on-screen characters and detected objects from long "
                "videos as auxiliary text for a video-language model?")
    assert [question[a:b] for a, b in own_setting_spans(question)] == [
        "We archive months of depot CCTV and cannot send any of it to a proprietary model."]
    answer = assistant.ask(question)
    assert not answer.abstained and answer.citations[0].title.startswith("Video-RAG"), (answer.evidence, answer.text)
    pointed_back = "I keep hearing about SpinQuant for 4-bit inference. How does it use rotations to remove activation outliers?"
    assert own_setting_spans(pointed_back) == []
    answer = assistant.ask(pointed_back)
    assert refused_saying(answer, "No indexed abstract mentions SpinQuant"), (answer.evidence, answer.text)
    # ... nor is a sentence that describes the paper asked about the writer's own
    assert own_setting_spans("For our service we're considering that GRU-based attention paper. Which datasets did they use?") == []


def test_an_it_that_follows_another_name_does_not_point_back_at_the_writers_setting(assistant):
    """dev-93: "Our IT team wants a model that writes the SQL and Python behind our pricing reports. CodeGen2 says it
    unified four components …" was `weak`, "No indexed abstract mentions SQL": any later "it" was read as pointing back
    at the writer's sentence, though this one is CodeGen2."""
    from rag.evidence import own_setting_spans

    question = ("Our analysts want a model that writes the SQL behind our pricing reports. CodeGen2 says it unified four "
                "components while training code models. Which training objectives were folded together?")
    assert [question[a:b] for a, b in own_setting_spans(question)] == [
        "Our analysts want a model that writes the SQL behind our pricing reports."]
    answer = assistant.ask(question)
    assert answer.evidence == "strong" and "SQL" not in (answer.preface or ""), (answer.evidence, answer.preface)
    assert answer.citations[0].title.startswith("CodeGen2")
    # an "it" before any other name still points back ("I keep hearing about SpinQuant. How does it …?")
    assert own_setting_spans("We run SpinQuant at work. How does it rotate weights?") == []


def test_a_setting_told_with_a_contraction_is_the_writers_own_too(assistant):
    """dev-90: "We'd like readable sentences produced automatically from structured alarm and SCADA records. Which
    papers work on data-to-text generation …?" was refused as "No indexed abstract mentions SCADA": only "we", "we're",
    "we've", "we'll" (and "i", "i'm", "i've") began the writer's own setting, not "we'd" or "I'd", nor a curly apostrophe."""
    from rag.evidence import own_setting_spans

    question = ("We'd like plain-English alerts written automatically from alarm and SCADA event records. Which paper "
                "generates text from structured data records, with triggers guiding the output?")
    assert [question[a:b] for a, b in own_setting_spans(question)] == [
        "We'd like plain-English alerts written automatically from alarm and SCADA event records."]
    for opening in ("I’d like", "I’ll need", "We’re after"):
        assert own_setting_spans(f"{opening} alerts from SCADA records. Which paper generates text from data?"), opening
    answer = assistant.ask(question)
    assert not answer.abstained and answer.citations[0].title.startswith("TrICy"), (answer.evidence, answer.text)


def test_a_name_the_writer_calls_theirs_is_no_name_asked_about(assistant):
    """dev-87: "why does few-shot prompting even work for my NPC bots? which papers …" was refused as "No indexed
    abstract mentions NPC", and "I swap the LLM behind my NPCs …" so too, their papers first. What the writer calls
    "my" or "our" is theirs, not what is asked; the same name written as the subject is still weighed."""
    question = ("Few-shot prompts drive my MMO bots and I honestly can't say why they work. Which paper explains "
                "in-context learning as GPT implicitly running gradient descent?")
    answer = assistant.ask(question)
    assert strong_from(answer, "Why Can GPT Learn In-Context"), (
        answer.evidence, answer.preface, answer.text)
    answer = assistant.ask("Which paper explains in-context learning as GPT implicitly running gradient descent, and "
                           "would it help our MMO quest bots?")
    assert "MMO" not in (answer.preface or "") and not answer.abstained, (answer.evidence, answer.preface)
    subject = "Which paper explains in-context learning in MMO bots as GPT implicitly running gradient descent?"
    assert "MMO" in [name for name, _ in assistant.policy._names(subject)]


def test_an_analogy_that_opens_the_question_names_nothing_asked_about(assistant):
    """dev-99: "like players learning to game the GPS distance target by jogging more: which papers report … a model
    over-optimising the reward it is tuned against …?" was refused as "No indexed abstract mentions GPS". A comparison
    from the writer's trade, before the colon, is not what is asked; a name alone there ("Like ByteTrack: …") is."""
    answer = assistant.ask("like delivery drivers learning to game the GPS mileage target by idling more: which papers "
                           "study a model over-optimising the reward it is tuned against, for example by writing longer outputs?")
    assert not answer.abstained and answer.citations, (answer.evidence, answer.preface)
    assert "GPS" not in (answer.preface or "") + answer.text
    assert "ByteTrack" in [name for name, _ in assistant.policy._names("Like ByteTrack: which papers track players in video?")]


def test_asking_what_a_paper_says_about_a_quantity_asks_for_its_finding_not_a_figure(assistant):
    """dev-87: "… a practical guide … on 3B-7B open models …: what did it say about batch size vs learning rate …?"
    was refused as stating "no number of the kind asked": the guide's finding is in words ("larger batch sizes paired
    with lower learning rates …"). Asking for the batch size itself is still asking for a figure."""
    finding = ("The study of supervised fine-tuning for small-sized LLMs (3B to 7B parameters) across four open-source "
               "pre-trained models: what did it say about batch size and learning rate, and about phased versus stacked training?")
    answer = assistant.ask(finding)
    assert not answer.abstained and "larger batch sizes paired with lower learning rates" in answer.text, (
        answer.evidence, answer.text)
    figure = "For the paper giving a recipe for supervised fine-tuning small 3B to 7B LLMs, what batch size did they use?"
    assert refused_saying(assistant.ask(figure), "states no number of the kind asked")


def test_asking_what_was_found_about_how_many_asks_for_the_finding(assistant):
    """dev-92: "In GECOBench, … what did they find about how many layers get fine-tuned and which layers matter most
    …?" was `weak` (P 0.48) for want of a figure: the abstract's finding is about "the number of fine-tuned layers"."""
    question = ("In GECOBench, what did the authors find about how many layers get fine-tuned, and which layers matter "
                "for explanation quality?")
    signals = assistant.assess(question, assistant.retriever.search(question, k=6)).signals
    assert signals["asks_number"] == 0.0
    assert assistant.ask(question).evidence == "strong"


def test_asking_for_studies_that_measure_how_reliable_something_is_asks_for_no_figure(assistant):
    """dev-110: "… which papers measure how reliable or consistent an LLM or multimodal model's answers are, or how
    uncertain it is" was refused (P 0.14) for want of a figure, with the paper on semantic consistency first."""
    question = ("Before staff trust a chatbot at the bedside I need evidence on its failure modes. Which papers measure how "
                "reliable or consistent an LLM's answers are, or how uncertain it is?")
    signals = assistant.assess(question, assistant.retriever.search(question, k=8)).signals
    assert signals["asks_number"] == 0.0
    answer = assistant.ask(question)
    assert answer.evidence != "none" and any(c.title.startswith("Semantic Consistency for Assuring Reliability")
                                             for c in answer.citations), (answer.evidence, answer.text)


def test_which_encoder_is_answered_by_the_kind_of_encoder_an_abstract_names_in_words(assistant):
    """dev-110: "In Skills Made to Order, how many cooking skills were tested, how many template selection methods, and
    which encoder did best?" was refused as naming "no model of the kind asked": "optical flow encoding significantly
    outperforms video encoders" says which, in words."""
    from rag.evidence import _kind_stated

    assert _kind_stated("which encoder", "features from an optic flow encoder trained on internet data")
    assert not _kind_stated("which encoder", "We fine-tune a pretrained encoder and a decoder.")
    assert not _kind_stated("which LLM", "features from an optic flow encoder trained on internet data")
    answer = assistant.ask("In Skills Made to Order, how many cooking skills were tested, how many template selection "
                           "methods, and which encoder did best?")
    assert answer.evidence != "none" and answer.citations[0].title.startswith("Skills Made to Order"), answer.text


def test_a_count_asked_of_the_thing_the_part_before_names_is_found():
    """dev-92: "where did the real APIs come from and how many were there, who wrote …?": "how many were there" has no
    word of its own to find its sentence by; the part before names what it counts."""
    from types import SimpleNamespace

    from rag.evidence import part_states_number

    sentences = [SimpleNamespace(text=t, score=1.0 - i / 10) for i, t in enumerate((
        "Tool use lets language models act in the world.",
        "We prompt ChatGPT to generate diverse instructions involving the tools.",
        "A depth-first search decision tree finds a valid chain of calls.",
        "The resulting model generalizes to unseen tools.",
        "We first collect 16,464 real-world RESTful APIs from RapidAPI Hub."))]
    question = "Where did the real APIs come from and how many were there, and who wrote the instructions?"
    assert part_states_number(question, sentences, set())


def test_a_detail_asked_of_a_described_paper_is_looked_for_in_its_close_rivals_too(assistant):
    """dev-86: "… a paper where a robot arm keeps practising a new task on its own … how many hours of real-world practice
    did it need?" was refused as "The abstract of CogACT states no number of the kind asked": CogACT was first by
    meaning, the paper described first by words, and its abstract says "3 hours". When both rankers put one paper
    first, a detail its abstract lacks is still refused."""
    described = ("I keep hearing of a robot arm that practises a new task on its own with nobody resetting the scene, "
                 "while a vision-language model decides whether each try worked. What do the authors call such a system, "
                 "what gives the success signal, and how many hours of real-world practice did it need?")
    answer = assistant.ask(described)
    assert not answer.abstained and "3 hours of autonomous real-world experience" in answer.text, (answer.evidence, answer.text)
    assert any(c.title.startswith("Robot Fine-Tuning Made Easy") for c in answer.citations)
    agreed = ("For the recommender that turns each item's picture into a text summary with a multimodal LLM before "
              "recommending, which multimodal model did they build on?")
    assert refused_saying(assistant.ask(agreed), "names no model of the kind asked")


def test_a_setting_named_only_in_the_scene_before_the_question_is_not_asked_for(assistant):
    """dev-87: "Wild modding idea: players fine-tune … each with whatever LoRA rank their GPU can handle … What goes wrong
    with it, and how does FLoRA aggregate the adapters instead?" was `weak`, saying FLoRA's abstract "does not state its
    LoRA rank": the rank is the writer's scenario, not what is asked. Asked for, it is still refused."""
    from rag.evidence import asking_sentences

    scene = ("Idea for a mod: players fine-tune a shared dialogue LLM on their own rigs, each picking whatever LoRA rank their "
             "GPU can handle, and never uploading their saves. FLoRA says the usual way of averaging LoRA adapters is broken. "
             "What goes wrong with it, and how does FLoRA aggregate the heterogeneous adapters instead?")
    assert "LoRA rank" not in asking_sentences(scene)
    answer = assistant.ask(scene)
    assert strong_from(answer, "FLoRA"), (answer.evidence, answer.preface)
    assert "stacking-based aggregation" in answer.text
    assert refused_saying(assistant.ask("Which LoRA rank did each FLoRA client use in their experiments?"),
                          "does not state its LoRA rank")
    assert asking_sentences("Give the learning rate they used. Also, which dataset?") == (
        "Give the learning rate they used. Also, which dataset?")


def test_asking_over_what_model_sizes_a_paper_was_tested_asks_for_no_model(assistant):
    """dev-84: "Emergent MoE says …: does it add parameters, how many models did they actually tune, and over what
    model sizes?" was refused as naming "no model of the kind asked": "what model sizes" read as "which model"."""
    from rag.evidence import ASKS_WHICH_MODEL

    assert not ASKS_WHICH_MODEL.search("and over what model sizes?") and ASKS_WHICH_MODEL.search("and over what models?")
    answer = assistant.ask("Emergent MoE runs a dense pretrained transformer as a mixture of experts when tuning it. "
                           "Does it add parameters, and over what model sizes was it tried?")
    assert not answer.abstained and answer.citations[0].title.startswith("Emergent Mixture-of-Experts"), (answer.evidence, answer.text)


def test_a_name_an_abstract_writes_in_the_plural_is_not_said_to_be_unmentioned(assistant):
    """dev-84: "… a cheaper multi-head attention running over GRU states …" was refused as "No indexed abstract
    mentions GRU": the abstract says "operating on GRUs". Whatever the level, a refusal does not say so."""
    answer = assistant.ask("There's a text-classification paper that swaps transformer self-attention for a cheaper "
                           "multi-head attention running over GRU states. What are the two optimizations that make it "
                           "cheaper, and what kinds of tasks did they evaluate it on?")
    assert "mentions GRU" not in answer.text + (answer.preface or ""), answer.text
    assert any(c.title.startswith("Low Rank Factorization for Compact") for c in answer.citations) or "Low Rank Factorization" in answer.text


def test_a_name_written_before_style_is_still_a_name(assistant):
    """dev-85: "how does Bonawitz-style secure aggregation mask each client's update …?" was `weak` from papers on
    federated tuning: "Bonawitz-style" hid the name no abstract holds."""
    answer = assistant.ask("For federated fine-tuning across our sites, how does Bonawitz-style secure aggregation hide "
                           "each client's update from the server?")
    assert refused_saying(answer, "No indexed abstract mentions Bonawitz"), (answer.evidence, answer.text)


def test_data_named_in_everyday_words_count_as_what_a_paper_is_evaluated_on(assistant):
    """dev-84: which data the table-integration paper evaluates on was refused as "names no benchmark or dataset it is
    evaluated on": its abstract builds benchmarks from "two real-word dataset repositories: Real and Join"."""
    answer = assistant.ask("For the data-lake table integration paper, what did they evaluate on, and which dataset "
                           "repositories did their benchmarks come from?")
    assert not answer.abstained and "Real and Join" in answer.text, (answer.evidence, answer.text)


def test_asking_how_an_unindexed_method_works_beside_an_indexed_paper_answers_about_that_paper(assistant):
    answer = assistant.ask("How does LoftQ initialise its adapters, and how does that differ from LQ-LoRA's decomposition?")
    assert not answer.abstained and answer.citations[0].title.startswith("LQ-LoRA"), (answer.evidence, answer.text)


def test_how_long_is_answered_by_a_duration_in_words(assistant):
    """"… and how long does learning take?" was refused as "states no number of the kind asked": the abstract says
    "learning takes only minutes on a single CPU", a duration without a figure (dev-55)."""
    answer = assistant.ask("In the sparse distributed representation memory paper, which benchmarks did they report "
                           "and how long does learning take?")
    assert not answer.abstained and "learning takes only minutes" in answer.text, (answer.evidence, answer.text)


def test_a_name_the_abstract_writes_as_one_word_or_with_its_size_is_indexed(assistant):
    """The Stack Overflow paper's abstract writes "StackOverflow (SO)" and "SOBertBase … SOBertLarge"; asked as "the
    Stack Overflow paper (SOBert)", the question was refused as "No indexed abstract mentions SOBert, Stack Overflow"."""
    answer = assistant.ask("How big were the two SOBert models pretrained on Stack Overflow data?")
    assert not answer.abstained and answer.citations[0].title.startswith("Stack Over-Flowing"), (answer.evidence, answer.text)
    assert "109M" in answer.text and "762M" in answer.text and "mentions" not in (answer.preface or "")


def test_a_field_word_joined_to_a_name_is_not_said_to_be_unindexed(assistant):
    """"For our finance-LLM project, which papers apply LLMs to finance?": the writer's compound is in no abstract,
    but it names nothing new, and the refusal had said "No indexed abstract mentions finance-LLM"."""
    answer = assistant.ask("For our finance-LLM project: which papers apply LLMs to finance?")
    assert "finance-LLM" not in (answer.preface or "") + answer.text, answer.text


@pytest.mark.parametrize("question", [
    "In Verbalized Machine Learning, which LLM is used as the learner, and which as the optimizer?",
    "In 'Leveraging Training Data in Few-Shot Prompting for Numerical Reasoning', which datasets did they use?",
])
def test_asking_which_model_or_datasets_a_paper_used_when_its_abstract_names_none(assistant, question):
    """VML's abstract speaks of an "LLM-parameterized learner" (a kind, no model), the numerical-reasoning paper of
    "three standard MWP datasets": both questions had been answered `strong` from the papers' closest sentences."""
    answer = assistant.ask(question)
    assert answer.evidence != "strong", (answer.evidence, answer.text)


def test_which_survey_coined_a_term_is_the_one_that_refers_to_things_by_it():
    """"We refer to GPT-3 and its successor OpenAI models … as GPT-3 family large language models (GLLMs)" names what the
    survey introduces, and "Which survey coined …?" asks who introduced it."""
    from rag.ownership import NAMING_CUES, owns
    from rag.text import ASKS_ORIGIN
    from rag.types import Paper

    survey = Paper(paper_id="s", title="A Survey of Model Families", abstract=(
        "Large models are popular. We refer to GPT-3 and its successors as GPT-3 family models (GFMs). We review them."),
        sources=("t.txt",))
    assert owns(survey, "gfms", naming=NAMING_CUES)
    assert ASKS_ORIGIN.search("Which survey coined 'GFMs'?") and _origin_asked_of("Which survey coined 'GFMs'?", "GFMs")


def test_a_paper_name_written_as_a_kind_in_the_asked_papers_abstract_is_no_second_paper(assistant):
    """"mBLIP calls itself the first multilingual Vision-LLM. Into how many languages …?": mBLIP's abstract says "the
    first multilingual Vision-LLM", and VisionLLM's paper had answered beside it, with a sentence about COCO mAP."""
    answer = assistant.ask("mBLIP describes itself as the first multilingual Vision-LLM. Into how many languages did "
                           "they machine-translate their training data?")
    assert {c.title.split(":")[0] for c in answer.citations} == {"mBLIP"}, answer.text
    assert "95 languages" in answer.text


def test_two_papers_named_as_subjects_each_answer(assistant):
    answer = assistant.ask("What do Compacter and VL-Adapter each propose for parameter-efficient fine-tuning?")
    assert {c.title.split(":")[0] for c in answer.citations} >= {"Compacter", "VL-Adapter"}, answer.text


def test_an_answer_to_the_part_a_paper_answers_says_what_the_abstract_lacks_for_the_rest(assistant):
    """"Which LLM plays VML's learner, and how does VML describe a model's parameters?": the abstract names no model,
    and the answer to the second part had only said "the indexed abstracts answer only part of the question"."""
    answer = assistant.ask("In Verbalized Machine Learning (VML), which LLM plays the learner, and how does VML "
                           "describe a model's parameters?")
    assert answer.evidence == "weak" and "names no model" in (answer.preface or ""), (answer.evidence, answer.preface)
    assert answer.citations[0].title.startswith("Verbalized Machine Learning")


def test_a_part_asking_for_a_figure_the_abstract_lacks_is_not_the_part_answered(assistant):
    """"What absolute accuracy did PromptPG reach on TabMWP, and how many in-context examples does it put into each
    prompt?" (dev-53) had been answered `weak` from its second part, which asks a count the abstract does not state
    either, as if that part were covered. Since PromptPG counts as the name its paper brings (the evidence model reads
    the question as asking about an indexed paper: P 0.14 -> 0.57), the whole question was `weak`: partly covered, with
    no part presented as answered. Since both its parts ask a specific detail (a figure, a count), which no part answered
    by the closest sentences can be, it is refused whenever the whole is."""
    answer = assistant.ask("What absolute accuracy did PromptPG reach on TabMWP, and how many in-context examples does "
                           "it put into each prompt?")
    assert answer.evidence != "strong", (answer.evidence, answer.preface)
    from rag.answer import ANSWERED_PART

    assert ANSWERED_PART not in answer.shown_text


def test_a_count_written_with_a_plus_is_a_count():
    """SWIFT's abstract: "With support of over 300+ LLMs and 50+ MLLMs": "how many text LLMs and multimodal LLMs does
    it support" is answered there, and read as uncounted it refused an answerable question."""
    from rag.evidence import asked_counts, count_missing, states_count

    text = "With support of over 300+ LLMs and 50+ MLLMs, SWIFT stands as the most comprehensive framework."
    assert all(states_count(heads, text) for heads in asked_counts("How many text LLMs does it support?"))
    assert not count_missing("Roughly how many LLMs and MLLMs does it support?", text)


def test_a_name_typed_as_code_is_a_name_even_in_lower_case(assistant):
    """"someone suggested `photomaker`": no capitals, so no technical name, and the question was answered `weak` from
    other image-generation papers (dev-63). In backticks it is a name, and none of the abstracts holds it."""
    answer = assistant.ask("for a product-photo feature I was looking at `photomaker`, the one that stacks ID embeddings "
                           "from several face photos to personalize generation quickly. any paper on how photomaker works?")
    assert refused_saying(answer, "No indexed abstract mentions photomaker")
    known = assistant.ask("any idea whether `qlora` works with 4-bit models?")
    assert strong_from(known, "QLoRA")


def test_a_metric_is_no_benchmark_the_paper_is_evaluated_on(assistant):
    """CSP's abstract reports "… on benchmark datasets by an average of 10.9 percentage points on AUC" and names no
    dataset; AUC (and the repository in its web address) read as one, and the question was answered `strong` (dev-62)."""
    answer = assistant.ask("On which benchmark datasets was compositional soft prompting (CSP) evaluated?")
    assert refused_saying(answer, "names no benchmark or dataset it is evaluated on")


def test_the_askers_own_review_does_not_ask_for_survey_papers(assistant):
    """"In preparing our portfolio review of …" read as asking for a review paper: two surveys went first, ahead of
    the Yi paper the question names (its two-letter name no name rule read), and it was refused (dev-62)."""
    answer = assistant.ask("In preparing our portfolio review of openly released foundation models, I would like to know, "
                           "with regard to the Yi model family from 01.AI, how many tokens of pretraining text were assembled "
                           "and in which languages, and to what context length the models were subsequently extended.")
    assert answer.evidence != "none" and answer.citations[0].title.startswith("Yi:")
    assert "3.1 trillion tokens" in answer.text
    survey = assistant.ask("Is there a survey of foundation models?")
    assert "Survey" in survey.citations[0].title


def test_the_count_a_question_asks_is_of_the_plural_before_its_verb(assistant):
    """"how many verifiers vote" counted votes, which the abstract does not, and refused the question as
    stating no number; it says "a majority vote between three independent verifiers" (dev-63)."""
    from rag.evidence import asked_counts

    assert asked_counts("how many verifiers vote, and what dataset did they release?") == [{"verifier"}]
    answer = assistant.ask("In the trustless-network paper on generative AI consensus, how many verifiers vote?")
    assert answer.evidence != "none" and "three independent verifiers" in answer.text


def test_a_question_asking_which_surveys_asks_for_papers_not_one_papers_benchmarks(assistant):
    """"Which surveys of LLMs in healthcare are indexed, and how do they differ in … evaluation metrics …?" was read as
    asking one survey what it is evaluated on, and refused (dev-65)."""
    answer = assistant.ask("Which surveys of LLMs in healthcare are indexed, and how do they differ in what they cover "
                           "(clinical NLP tasks, evaluation metrics, ethics, open resources)?")
    assert answer.evidence != "none" and len(answer.citations) >= 2
    assert "names no benchmark" not in answer.shown_text


def test_a_what_in_the_scene_before_a_question_does_not_ask_what_a_paper_is_evaluated_on(assistant):
    """"… not just what is in them. There's a benchmark testing …" is no question which benchmark a paper is evaluated
    on: the asked scores of II-Bench were refused as "names no benchmark or dataset it is evaluated on" (dev-106)."""
    answer = assistant.ask("Donors react to the deeper meaning of our campaign photos, not just what is in them. There's a "
                           "benchmark testing whether multimodal models grasp what an image implies: what is the best "
                           "model's accuracy, how do humans score on average, and what hint in the prompt helps the models?")
    assert answer.evidence != "none" and "names no benchmark" not in answer.shown_text
    assert "74.8%" in answer.text and "90%" in answer.text


def test_a_figure_asked_in_a_later_part_of_a_question_is_looked_for_where_that_part_points(assistant):
    """The sentences closest to a two-part question are about its first part; the figure the second part asks
    for ("… up to a 22% reduction in hallucinations") sat outside them, the answer read as lacking it and was
    marked as only partly covered."""
    answer = assistant.ask("How does S-VCO make vision-language models look at image details, "
                           "and how much does it reduce hallucination?")
    assert answer.evidence == "strong"
    assert answer.citations[0].title.startswith("Symmetrical Visual Contrastive")
    assert "22%" in answer.text


def test_a_question_of_one_part_reads_its_figure_in_the_closest_sentences_only():
    from types import SimpleNamespace

    from rag.evidence import part_states_number

    sentences = [SimpleNamespace(text="We propose a method that looks at details.", score=0.9),
                 SimpleNamespace(text="It reduces hallucination by 22%.", score=0.2)]
    assert part_states_number("How does it look at details, and how much does it reduce hallucination?", sentences, set())
    assert not part_states_number("How much does it reduce hallucination?", sentences, set())  # one part: the signal's own reading
    assert not part_states_number("How does it look at details, and how much does it cost?", sentences[:1], set())


def test_a_name_only_the_abstract_brings_is_the_papers_own_name(assistant):
    """UnIVAL's title is "Unified Model for Image, Video, Audio and Language Tasks"; its abstract brings the name.
    Read as a title's name only, a question naming it asked about no indexed paper, and was refused with UnIVAL's
    paper first (dev-67)."""
    answer = assistant.ask("UnIVAL: how big is it, and what is it pretrained on?")
    assert answer.evidence != "none"
    assert answer.citations[0].title.startswith("Unified Model for Image, Video, Audio and Language Tasks")
    # (a name many abstracts hold is no paper's own for this, however an abstract introduces it: "we present
    # Adversarial GLUE" does not make the original GLUE benchmark indexed)
    assert assistant.ask("Which paper introduced the original GLUE benchmark with its nine sentence-understanding "
                         "tasks?").evidence != "strong"


def test_a_name_typed_in_lower_case_is_found_where_the_question_writes_it(assistant):
    """Names are read recased ("peft" -> PEFT), and the recased name was looked for in the question as typed: not
    found, it read as the name whose origin is asked, and a question that sets PEFT aside was refused with "the
    indexed abstracts use PEFT, but none of them introduces it" (dev-61, once "comms" was searched as communication)."""
    from rag.evidence import _origin_asked_of

    assert not _origin_asked_of("which paper proposed full-parameter tuning of llms (not peft)?", "PEFT")
    answer = assistant.ask("which paper proposed full-parameter federated tuning of llms (not peft) that uses shared "
                           "randomness and low-dim projections to cut comms?")
    assert answer.evidence != "none" and "introduces it" not in answer.text
    assert answer.citations[0].title.startswith("Ferret: Federated Full-Parameter Tuning")


def test_fitted_exponents_are_figures_the_abstract_must_state(assistant):
    """"What are the exact fitted exponents of its power laws …?" asks for figures; Predictable Scale's abstract says
    the optimal learning rate "follows a power-law relationship" and gives none. Not read as asking a figure, its
    sentences about the power laws were the `strong` answer (dev-66)."""
    from rag.evidence import ASKS_NUMBER

    assert ASKS_NUMBER.search("What are the exact fitted exponents of its power laws?")
    answer = assistant.ask("I gather 'Predictable Scale: Part I' gives scaling rules for language models. What are the "
                           "exact fitted exponents of its power laws for the optimal learning rate and batch size?")
    assert answer.evidence != "strong"


def test_a_paper_named_by_the_name_its_abstract_brings_is_held_to_what_its_abstract_says(assistant):
    """PromptPG is named in its abstract, not its title ("Dynamic Prompt Learning via Policy Gradient …"): the rules
    that check a named paper's abstract for what is asked (here, a release) did not see the question name it, and the
    sentences presenting TabMWP were the `strong` answer to whether it was released."""
    answer = assistant.ask("Did the PromptPG authors release the TabMWP dataset publicly?")
    assert answer.evidence == "none"
    assert "PromptPG" in answer.text and "releasing" in answer.text


def test_a_function_word_in_capitals_is_no_name_the_question_asks_about(assistant):
    """dev-89: "Our IT department wants to know …: for the FSMoE training system, which …?" read "IT" as a name that no
    top paper holds, and the answer was `weak`; written for emphasis ("NOT") or as an everyday acronym, a function word
    names nothing."""
    from rag.names import question_names

    assert [name for name, _ in question_names("Our IT team does NOT want MoE: how fast is FSMoE?")] == ["MoE", "FSMoE"]
    answer = assistant.ask("Our IT group is not convinced. For the FSMoE training system, which existing MoE training "
                           "systems did it beat, and on what hardware was it tested?")
    assert not answer.abstained and answer.citations[0].title.startswith("FSMoE"), (answer.evidence, answer.text)


def test_tasks_an_abstract_lists_in_words_answer_which_tasks_it_reports(assistant):
    """dev-89: "… on which traditionally hard tasks do they report improvements?" was refused as naming no benchmark,
    though the abstract says "traditionally hard tasks (such as parity and addition)". Asked for benchmarks, the same
    abstract still names none."""
    answer = assistant.ask("In the RASP length-generalization study, on which traditionally hard tasks do the authors "
                           "report improvements?")
    assert not answer.abstained and answer.citations[0].title.startswith("What Algorithms can Transformers Learn")
    answer = assistant.ask("On which benchmarks is the RASP-Generalization Conjecture paper evaluated?")
    assert refused_saying(answer, "names no benchmark or dataset it is evaluated on")


def test_a_model_an_abstract_measures_against_is_no_benchmark_it_names(assistant):
    """dev-88: DaSLaM's abstract evaluates "on multiple different reasoning datasets", naming none, and compares with
    "its orders-of-magnitude larger successor, GPT-4": read as a benchmark's name, which datasets it used was `strong`."""
    answer = assistant.ask("On which reasoning datasets did the DaSLaM authors evaluate their decomposer?")
    assert refused_saying(answer, "The abstract of “DaSLaM” names no benchmark or dataset it is evaluated on")


def test_a_figure_asked_against_a_baseline_is_found_where_the_abstract_abbreviates_it(assistant):
    """dev-88: "how much better did the reports get than with plain supervised fine-tuning?" was refused for want of a
    figure: the abstract's "57.4% improvement … compared to the SFT baseline" shares no word with the question until
    SFT is read as the abstract spells it out ("supervised fine-tuning (SFT)")."""
    answer = assistant.ask("In the chest X-ray report work that skipped radiologist feedback and let an LLM act as the "
                           "judge for preference tuning, how much better did the reports get than with plain supervised "
                           "fine-tuning?")
    assert not answer.abstained and answer.citations[0].title.startswith("Preference Fine-Tuning for Factuality")


def test_an_unindexed_method_measured_against_an_indexed_one_is_refused_naming_it(assistant):
    """dev-88: "I was told LoftQ is better than plain QLoRA …. How does LoftQ set the starting values of the LoRA
    adapters …?" asks about LoftQ, which no abstract holds; QLoRA is only its baseline, yet naming an indexed paper kept
    the question from refusal and QLoRA's sentences were the `weak` answer. Asked head to head, both are asked about."""
    answer = assistant.ask("I hear LoftQ works better than plain QLoRA at very low bit widths. How does LoftQ initialise "
                           "the LoRA adapters while it quantizes the weights?")
    assert refused_saying(answer, "No indexed abstract mentions LoftQ"), (answer.evidence, answer.text)
    answer = assistant.ask("Is LoftQ better than QLoRA for fine-tuning at 4 bits?")
    assert not answer.abstained and answer.citations[0].title.startswith("QLoRA")


def test_a_part_that_names_no_paper_is_not_kept_as_the_part_answered(assistant):
    """dev-88: a question refused as a whole keeps a part its named paper answers (`weak`); "… How does LoftQ choose …,
    and how much does that help at two bits?" kept "how much does that help at two bits", which names nothing, as
    answered by QLoRA, the baseline named in the opening sentence."""
    answer = assistant.ask("Someone on our team said LoftQ is better than plain QLoRA once the model is squeezed to very "
                           "few bits. How does LoftQ choose the starting values of its adapters while quantizing, and how "
                           "much does that help at two bits?")
    assert refused_saying(answer, "No indexed abstract mentions LoftQ"), (answer.evidence, answer.text)


def test_a_term_an_abstract_spells_out_is_no_model_it_names(assistant):
    """dev-35 (and dev-90): II-Bench's abstract names no model, but "… towards expert artificial general intelligence
    (AGI)" read AGI as one, so "which model scored best?" was answered `strong` from the sentence giving the score."""
    answer = assistant.ask("II-Bench says the best multimodal model reached 74.8% accuracy against 90% for humans. "
                           "Which model was that?")
    assert refused_saying(answer, "The abstract of “II-Bench” names no model of the kind asked"), (answer.evidence, answer.text)


def test_a_count_written_as_single_answers_how_many(assistant):
    """dev-92: asked how many passes through the vision encoder ADEM-VL needs, its abstract's "requires only a single
    forward pass through the vision encoder" was read as stating no count ("single" was no number, and "pass" was
    stemmed "pas", missing "passes"); the question was refused for want of a number."""
    answer = assistant.ask("How many passes through the vision encoder does ADEM-VL need to get its multiscale visual features?")
    assert strong_from(answer, "ADEM-VL"), (answer.evidence, answer.text)
    assert "single forward pass through the vision encoder" in answer.text, answer.text


def test_a_name_written_against_its_titles_colon_is_indexed(assistant):
    """dev-94: "Only-IF:Revealing the Decisive Effect of Instruction Diversity …" writes its name against the colon, and
    its abstract never repeats it: "No indexed abstract mentions Only-IF" refused a question about it."""
    answer = assistant.ask("What did the Only-IF study find about how diverse instruction-tuning data must be for a model "
                           "to generalise to unseen instructions?")
    assert strong_from(answer, "Only-IF"), (answer.evidence, answer.text)
    assert "Only-IF" not in (answer.preface or ""), answer.preface


def test_what_helped_models_asks_for_no_model(assistant):
    """dev-94: "… and what helped specialist models?" was read as asking which model ("what … models"), and refused as
    "names no model of the kind asked": it asks what helped them."""
    answer = assistant.ask("In the Only-IF study of instruction diversity, is variety inside one narrow domain enough, "
                           "and what helped specialist models?")
    assert strong_from(answer, "Only-IF"), (answer.evidence, answer.text)


@pytest.mark.parametrize("question, title", [
    # dev-95: "what did they find about the module design and about how many …" asks a finding, not a figure
    ("A colleague says that once a language model reaches tens of billions of parameters, it stops mattering which small "
     "tuning module you add. What did they find about the module design and about how many trainable parameters you need?",
     "Arbitrary Few Parameters"),
    # dev-95: "how much faster …?" is answered by "… the same performance with fewer than half of the gradient steps"
    ("LeTI learns from the error messages of failed code. Which benchmark did they train on, and how much faster did "
     "textual feedback reach the same performance than pass/fail feedback?", "LeTI"),
    # dev-110: "how many parameters … compared with usual approaches?" is answered by "only a fraction of the parameters
    # of conventional approaches"
    ("How does I2V-Adapter turn one image into video without changing the text-to-image model, and how many parameters "
     "does it need compared with usual approaches?", "I2V-Adapter"),
])
def test_an_amount_answered_in_words_is_not_refused_for_want_of_a_figure(assistant, question, title):
    answer = assistant.ask(question)
    assert strong_from(answer, title), (answer.evidence, answer.text)


def test_a_choice_among_listed_names_the_abstract_never_mentions_is_refused(assistant):
    """dev-76, dev-90: "which quantization methods does it support, GPTQ, AWQ or bitsandbytes?" was answered from SWIFT's
    "integrates model quantization" sentence, though its abstract names none of the three; asked of a paper that names
    one of them, the question is answered."""
    answer = assistant.ask("Which quantization methods does SWIFT support after fine-tuning: GPTQ, AWQ or bitsandbytes?")
    assert refused_saying(answer, "The abstract of “SWIFT” mentions none of GPTQ, AWQ or bitsandbytes"), (answer.evidence, answer.text)
    answer = assistant.ask("Which quantization data type does QLoRA introduce: NF4, GPTQ or AWQ?")
    assert not answer.abstained and answer.citations[0].title.startswith("QLoRA"), (answer.evidence, answer.text)


def test_things_of_one_described_paper_named_with_those_are_checked_in_it(assistant):
    """dev-91: "… on three 8-GPU platforms. Which GPU models were those platforms?" read "those" as asking about several
    papers, so the described paper's abstract was not checked for a GPU model, and "on three 8-GPU platforms" was quoted
    as a `strong` answer."""
    answer = assistant.ask("A paper benchmarks the runtime of pre-training, fine-tuning and serving 7B to 70B models on "
                           "three 8-GPU platforms. Which GPU models were those platforms?")
    assert refused_saying(answer, "does not state its GPU model"), (answer.evidence, answer.text)
    # (for settings only: "what do they call those regressions, what extra model do they train …?" is about one paper
    # too, whose abstract names its model in words; read so by the model rule, it was refused, dev-87)
    answer = assistant.ask("In the compatible-model-update paper, what do they call those regressions, what extra model do "
                           "they train to reduce them, and how much did it cut them going from Llama 1 to Llama 2?")
    assert not answer.abstained and answer.citations[0].title.startswith("MUSCLE"), (answer.evidence, answer.text)


def test_how_it_works_asked_of_an_unindexed_name_the_sentence_before_gives_is_refused(assistant):
    """dev-95: "I've seen LLM-Pruner mentioned for slimming chatbots down. How does it choose which coupled structures to
    cut …?" asks how LLM-Pruner works, which no abstract mentions: it was `weak` from a gradient-based pruning paper.
    "it" points back at the name when no other name comes between."""
    answer = assistant.ask("I've seen LLM-Pruner mentioned for slimming chatbots down. How does it choose which coupled "
                           "structures to cut out of the model, and how much accuracy does its LoRA recovery step win back?")
    assert refused_saying(answer, "No indexed abstract mentions LLM-Pruner"), (answer.evidence, answer.text)


def test_how_an_unindexed_name_works_is_refused_with_what_it_is_between_commas(assistant):
    """dev-96: "How does Conv-TasNet, the time-domain separator with a learned encoder …, work …?" asks how Conv-TasNet
    works, which no abstract mentions: the words between the name and "work" say what it is, and it was `weak` from the
    one speech-separation paper indexed."""
    answer = assistant.ask("Overlapping voices ruin our transcripts. How does Conv-TasNet, the time-domain speech "
                           "separator with a learned encoder, work, and what does it score on WSJ0 mixtures?")
    assert refused_saying(answer, "No indexed abstract mentions Conv-TasNet"), (answer.evidence, answer.text)


def test_a_ranking_metric_asked_of_a_paper_that_reports_none_is_refused(assistant):
    """dev-94: "… by what nDCG margin over the naive click baseline?" was answered `strong` from the Baidu-ULTR dataset
    paper, whose abstract reports no figure at all: nDCG, MRR and recall@k are metrics the question names, like FID."""
    answer = assistant.ask("What nDCG does the Baidu-ULTR dataset paper report for the best unbiased learning to rank algorithm?")
    assert refused_saying(answer, "reports no figure for nDCG"), (answer.evidence, answer.text)


def test_both_before_a_thing_of_one_paper_does_not_ask_about_several(assistant):
    """dev-101: "in the layer swapping paper that merges a math expert with a language expert, … which pretrained base
    model did both experts start from" was answered `strong`: "both experts" read as a question about several papers,
    so the paper's unnamed base model went unchecked (its abstract says only "the same pretrained model", and MGSM,
    which it names, is "the math benchmark, MGSM"). "Do both papers …" still asks about several."""
    from rag.evidence import _SEVERAL_ASKED, _names_data

    assert not _SEVERAL_ASKED.search("which tokenizer did both encoders share?")
    assert _SEVERAL_ASKED.search("do both papers fine-tune with LoRA?") and _SEVERAL_ASKED.search("how do both handle it?")
    assert _names_data("outperform other merging methods on the math benchmark, MGSM, by 10%", "MGSM")
    assert not _names_data("on our dataset, GPT-4 achieves 80% accuracy", "GPT-4")
    answer = assistant.ask("For the layer swapping work that merges a math expert with a language expert: which "
                           "pretrained base model did both experts start from?")
    assert refused_saying(answer, "names no model of the kind asked"), (answer.evidence, answer.text)


def test_a_task_the_abstract_names_in_words_answers_which_task(assistant):
    """dev-101: "In the study of scaling laws for downstream performance, which task did they fine-tune for, which two
    measures judged translation quality …?" was refused as naming no benchmark: the abstract says the LLMs are
    "finetuned for machine translation tasks", judged by "downstream cross-entropy and BLEU score"."""
    from rag.evidence import _TASKS_IN_WORDS

    assert _TASKS_IN_WORDS.search("LLMs are finetuned for machine translation tasks.")
    assert not _TASKS_IN_WORDS.search("pretrained and then finetuned on a downstream task")
    answer = assistant.ask("In the paper on scaling laws for downstream task performance, which task were the models "
                           "fine-tuned for, and which two metrics measured translation quality?")
    assert not answer.abstained and "BLEU score" in answer.text, (answer.evidence, answer.text)


def test_a_scene_set_before_the_question_does_not_make_an_answered_question_weak(assistant):
    """dev-98: "We'd like to pair X-ray images with manifest text without a big GPU bill. How does ADEM-VL fuse vision
    features into the language model so cheaply …?" was `weak` (P 0.65): the scene's words, in no abstract, pulled the
    whole question away from ADEM-VL's abstract, which answers what is asked. The asking sentences alone find the
    same paper, `strong`. A paper described in everyday words that only the asking sentences find first stays as it was."""
    scene = ("We run a call centre and agents paste long customer emails into the bot. In the LST paper, what is the "
             "ladder side network and how much memory does it save?")
    answer = assistant.ask(scene)
    assert answer.evidence == "strong" and not answer.preface, (answer.evidence, answer.evidence_probability, answer.preface)
    assert answer.citations[0].title.startswith("LST") and "69%" in answer.text, answer.text


def test_a_scene_set_before_the_question_does_not_refuse_an_answered_question(assistant):
    """dev-98: "Our analytics box has modest GPU memory, so re-stowing the whole hold every time we fine-tune is out. In
    Ladder Side-Tuning, what exactly is the side network …?" was refused (P 0.22) with LST's paper first: the scene's
    words pulled the whole question away from the abstract that answers what is asked (P 0.67 without them)."""
    answer = assistant.ask("Our clinic's server has one small graphics card. In Ladder Side-Tuning, what is the side "
                           "network and what does it take as input?")
    assert not answer.abstained and answer.citations[0].title.startswith("LST"), (answer.evidence, answer.text)
    assert "intermediate activations" in answer.text, answer.text


def test_a_limitation_word_in_the_scene_is_not_asked(assistant):
    """dev-100: "Pulling part numbers, systems and failure modes out of maintenance logs is named entity work. For
    UniversalNER, … what kind of distillation was it …?" was refused as "the abstract of UniversalNER states no
    limitation of its own": "failure modes" was the writer's own work, not asked of the paper."""
    answer = assistant.ask("Our wind farm logs list failure modes for every turbine, and we want them tagged "
                           "automatically. For UniversalNER, what kind of distillation was used, and how large a "
                           "benchmark did they assemble to test it?")
    assert not answer.abstained and "targeted distillation" in answer.text.casefold(), (answer.evidence, answer.text)
    assert refused_saying(assistant.ask("What failure modes or limitations does UniversalNER report?"), "states no limitation")


def test_a_multi_paper_answer_lists_the_papers_that_stand_out_among_those_retrieved(assistant):
    """The papers of a multi-paper answer are picked by the list model, fitted on the questions about several papers
    of dev and the validation batches, which weighs how each paper stands out among those retrieved with it. The
    relevance model and its list bar, fitted on questions about one paper, also took a synthetic instruction-data
    paper that never mentions a table."""
    answer = assistant.ask("Our spreadsheets are full of tables. Which papers are mainly about language models working "
                           "with tabular data, reading tables or generating them?")
    cited = [c.title for c in answer.citations]
    assert len(cited) >= 2 and any(t.startswith("Struc-Bench") for t in cited), cited
    abstracts = [assistant.retriever.index.papers[c.paper_id].abstract for c in answer.citations]
    assert all(re.search(r"\btab(?:le|les|ular)\b", a, re.I) for a in abstracts), cited


def test_a_question_about_several_papers_that_several_clearly_answer_is_not_hedged(assistant):
    """The evidence model reads a flat field of close papers as doubt (this was `weak`, "only partly cover", at P 0.79
    with five federated papers cited); two or more papers the list model clearly keeps make it `strong`."""
    answer = assistant.ask("How do the federated LoRA fine-tuning methods differ in the bottleneck they tackle?")
    assert answer.evidence == "strong", (answer.evidence, answer.evidence_probability, answer.text[:300])
    assert len({c.title for c in answer.citations}) >= 2
    assert PARTLY_COVERED not in answer.shown_text and "federated" in answer.text.casefold()


@pytest.mark.parametrize("question", [
    "Any papers on using language models to procedurally generate playable game levels, and checking they can be completed?",
    "Are there papers on translating sign-language videos into text with vision-language models?",
])
def test_a_list_question_on_an_unindexed_topic_stays_hedged(assistant, question):
    """The list model was fitted on answerable questions only, so it also puts a topic's nearest papers high when the
    topic is not indexed: its bar for "clearly answered" (LIST_CLEAR_FROM) sits above where these were `strong`."""
    assert assistant.ask(question).evidence != "strong"


@pytest.mark.parametrize("question, paper", [
    ("How many annotators labelled MM-RLHF's preference pairs, and what did the labelling cost in total?", "MM-RLHF"),
    ("For WISE, the lifelong editing method with a side memory, how many sequential edits did they try at most, and how "
     "many GPU hours did that take?", "WISE"),
])
def test_numbers_a_named_papers_abstract_does_not_state_are_refused_saying_so(assistant, question, paper):
    """Asked only for counts the abstract never gives, the answer had been `weak` ("partly covered") quoting the
    paper's other numbers; the number rule now refuses in the model's `weak` band too, naming the paper."""
    answer = assistant.ask(question)
    assert refused_saying(answer, f"The abstract of “{paper}” states no number of the kind asked"), (answer.evidence, answer.text[:300])


def test_a_question_in_several_parts_about_a_paper_it_names_is_answered_strong_when_its_abstract_answers_them(assistant):
    """It was "partly covered" at P 0.81 while quoting the languages and the embeddings from WECHSEL's abstract: the
    evidence model reads naming a paper as weak evidence (NAMED_STRONG_FROM)."""
    answer = assistant.ask("Which languages did WECHSEL transfer RoBERTa and GPT-2 to, and what kind of embeddings does it rely on?")
    assert answer.evidence == "strong", (answer.evidence, answer.evidence_probability)
    assert answer.citations[0].title.startswith("WECHSEL") and PARTLY_COVERED not in answer.shown_text
    assert "multilingual static word embeddings" in answer.text


@pytest.mark.parametrize("question, title", [
    ("What is NF4 and what does it achieve?", "QLoRA"),
    ("What is LMA3 and what does it achieve?", "Augmenting Autotelic Agents"),
    ("What is xP3 and what does it achieve?", "Crosslingual Generalization through Multitask"),
])
def test_a_name_with_digits_or_hyphens_that_an_abstract_brings_is_that_papers_own(assistant, question, title):
    """A name that is not one alphabetic word is not one word of the lexical index, so how widely it is used was
    never counted and none was ever a paper's own name: asked what NF4 is, the answer was "partly covered"."""
    answer = assistant.ask(question)
    assert answer.evidence == "strong" and PARTLY_COVERED not in answer.shown_text, (answer.evidence, answer.evidence_probability)
    assert answer.citations[0].title.startswith(title)


@pytest.mark.parametrize("question, title", [
    ("How does NesyCD help small models handle hard reasoning, and can they really catch up with much bigger ones?",
     "Neural-Symbolic Collaborative Distillation"),
    ("How does GLA-FR handle clients with different preferences in federated learning?", "FedLoGe"),
])
def test_the_paper_whose_abstract_brings_the_asked_name_is_quoted_first(assistant, question, title):
    """Only the abstracts say "NesyCD" and "GLA-FR": the first answer opened with a paper on explaining hard examples,
    NesyCD's second; the second quoted a federated-learning paper that never mentions GLA-FR, and not FedLoGe's."""
    answer = assistant.ask(question)
    assert answer.citations[0].title.startswith(title), [c.title[:50] for c in answer.citations]


@pytest.mark.parametrize("question, name", [("Which paper proposed DP-SGD?", "DP-SGD"), ("Who introduced Fed-LT?", "Fed-LT")])
def test_a_name_an_abstract_only_works_in_is_not_that_papers_own(assistant, question, name):
    """"… we propose a memory saving technique that allows clipping in DP-SGD to run without …" and "an approach termed
    Federated Local and Generic Model Training in Fed-LT (FedLoGe)" introduce a technique and FedLoGe, not DP-SGD or the
    Fed-LT setting: asked who proposed those, each paper was named as its origin."""
    answer = assistant.ask(question)
    assert refused_saying(answer, f"The indexed abstracts use {name}, but none of them introduces it"), (answer.evidence, answer.text[:200])


def test_an_optimizer_answers_which_optimizer_though_it_is_no_model(assistant):
    """An optimizer ("SGD") is no model a paper builds on, but it is what "what optimizer …" asks for: FedMeZO's
    abstract, whose names are SGD and its own, must not read as naming nothing of the kind asked."""
    answer = assistant.ask("What optimizer does FedMeZO bring into the federated setting, and what happens to GPU memory?")
    assert not answer.abstained and UNSTATED_CHOICE not in (answer.preface or "") + answer.text, (answer.evidence, answer.text[:200])
    assert "Zeroth-Order" in answer.text


def test_a_model_so_widely_used_it_reads_as_vocabulary_is_still_the_model_a_paper_adapts(assistant):
    """dev-113: "… which model did they adapt …?" about the few-shot cross-lingual prompting study was refused as "names
    no model of the kind asked", though its abstract says "the possible methods to adapt LLaMa, a 7B parameter
    open-source PLM": LLaMA is in so many abstracts that it read as the field's vocabulary, like "LLMs"."""
    answer = assistant.ask("In the study of few-shot cross-lingual transfer for prompting in low-resource languages, "
                           "which model did they adapt?")
    assert not answer.abstained and UNSTATED_CHOICE not in (answer.preface or ""), (answer.evidence, answer.text[:200])
    assert "LLaMa" in answer.text and answer.citations[0].title.startswith("Few-Shot Cross-Lingual Transfer")


def test_a_name_only_in_a_sentence_on_when_the_writer_does_something_is_the_writers(assistant):
    """dev-112: "before I pitch cheap fine-tuning to the SIU budget committee I want one overview to hand them. is there
    a critical review of …? what does it say …" was refused as "No indexed abstract mentions SIU": the sentence opens on
    when the writer does something, and the later "it" is the review asked for, not the writer's sentence."""
    from rag.evidence import own_setting_spans

    question = ("before I brief the QRX purchasing board I want one overview to hand them. is there a critical review of "
                "parameter-efficient fine-tuning methods for pretrained language models? what does it say they cut?")
    assert [question[a:b] for a, b in own_setting_spans(question)] == [
        "before I brief the QRX purchasing board I want one overview to hand them."]
    answer = assistant.ask(question)
    assert not answer.abstained and "QRX" not in (answer.preface or "") + answer.text, (answer.evidence, answer.text[:200])
    # an "it" in the very next sentence still points back at the writer's sentence
    assert own_setting_spans("When we deploy QRX on the night shift I worry. How does it scale?") == []


def test_a_name_joined_to_a_word_saying_how_much_of_it_something_has_is_the_name(assistant):
    """dev-113: "Which papers help models read text in images, such as scanned multi-page documents, handwriting and
    scene text, or OCR-heavy training data?" was refused as "No indexed abstract mentions OCR-heavy", though its
    abstracts write "OCR-free": the name is the part before "-heavy", "-free", "-rich", "-only"."""
    from rag.names import question_names

    assert question_names("Is OCR-heavy data or a GPU-only setup better, and what about CLIP-free models?") == [
        ("OCR", "ocr"), ("GPU", "gpu"), ("CLIP", "clip")]
    answer = assistant.ask("Which papers read text in images, from scanned multi-page documents to scene text, with "
                           "OCR-heavy training data?")
    assert not answer.abstained and "OCR-heavy" not in (answer.preface or "") + answer.text, (answer.evidence, answer.text[:200])


def test_a_paper_named_by_its_one_plain_word_is_named(assistant):
    """dev-112: "… someone suggested Yi. How many tokens, in which languages, went into its pretraining, …?" was `weak`
    at P 0.73 with Yi's paper first and its figures quoted: a name of one plain word ("Yi", "Liquid") is no technical
    name, so the question was not read as naming the paper (title_name), whose answers are `strong` from P 0.7."""
    from rag.names import named_by_own_word

    assert named_by_own_word("our IT lead suggested Yi. How many tokens went into it?", "Yi: Open Foundation Models by 01.AI")
    assert not named_by_own_word("Yi said so. How many tokens went into it?", "Yi: Open Foundation Models by 01.AI")
    answer = assistant.ask("IT is vetting open models we could host in-house to read adjusters' notes, and someone suggested "
                           "Yi. How many tokens, in which languages, went into its pretraining, how small was the hand-checked "
                           "instruction set, and how far was the context window stretched?")
    assert strong_from(answer, "Yi:"), (answer.evidence, answer.preface)
    assert "3.1 trillion tokens" in answer.text


def test_a_model_only_measured_against_or_a_kind_of_model_is_no_model_a_paper_builds_on(assistant):
    """dev-11: "Which LLM backbone and which vision encoder is the Dragonfly multi-resolution zoom model built on?" is
    not answered by Dragonfly's abstract, whose only names are "large multimodal models (LMMs)", a dataset and the
    model it is measured against ("compared to 83.3% for Med-Gemini"); it was `weak` from them, and `strong` once
    Dragonfly was read as named. Asked which models it beats, the model measured against is the answer."""
    answer = assistant.ask("Which LLM backbone and which vision encoder is the Dragonfly multi-resolution zoom model built on?")
    assert answer.abstained and UNSTATED_CHOICE in answer.text, (answer.evidence, answer.text[:200])
    answer = assistant.ask("Which models does Dragonfly beat on Path-VQA?")
    assert not answer.abstained and "Med-Gemini" in answer.text, (answer.evidence, answer.text[:200])
    # ... and "what LLMs" in a sentence that sets the scene asks for no model (dev-65: refused once kinds in the plural,
    # "PFMs", no longer counted as models named)
    answer = assistant.ask("Prepping the investor deck, I want to cite something serious on what LLMs still lack. There's "
                           "a survey of foundational principles for getting LLMs to general intelligence. Which foundational "
                           "problems does it say must be addressed?")
    assert not answer.abstained and "embodiment" in answer.text, (answer.evidence, answer.text[:200])


def test_a_casual_question_without_a_question_mark_is_asked_from_the_sentence_that_asks(assistant):
    """dev-114: "our supplier portals eat half my morning, clicking through the same forms … . what did the benchmark on
    conversational website navigation actually collect, how many sites does it cover, …" (lower case, no "?") was
    refused at P 0.23 with WebLINX first: with no question mark the whole text was read as the question, and the
    scene's words pulled it away from every abstract. The sentence that asks, alone, finds WebLINX closer; and "how
    many sites" is answered by "over 150 real-world websites" (a compound of the thing counted)."""
    from rag.evidence import asking_sentences, count_missing

    assert asking_sentences("the night shift keeps asking me the same thing. how does qlora save memory") == (
        "how does qlora save memory")
    assert asking_sentences("explain qlora. what is nf4") == "explain qlora. what is nf4"  # (a bid is asking too)
    assert asking_sentences("Our lab uses LoRA, e.g. for chat") == "Our lab uses LoRA, e.g. for chat"
    assert not count_missing("how many sites does it cover", "The benchmark covers over 150 real-world websites.")
    assert count_missing("how many sites does it cover", "The benchmark covers 150 real-world tasks.")
    answer = assistant.ask("our purchasing clerks lose whole afternoons clicking through vendor portals to file the same "
                           "certificates. what did the benchmark on conversational web navigation collect, how many sites "
                           "does it cover, and did small finetuned models beat big zero-shot ones like GPT-4V")
    assert strong_from(answer, "WebLINX"), (answer.evidence, answer.text)
    assert "150 real-world websites" in answer.text


def test_asking_where_a_papers_data_came_from_does_not_ask_who_introduced_the_model_it_names(assistant):
    """dev-115: "There's an instruction dataset for remote sensing images built with GPT-4V. Where did its data come
    from, and how did they handle fine detail and reasoning?" was refused as "the indexed abstracts use GPT-4V, but none
    of them introduces it" (P 0.96, RS-GPT4V first): "where did … come from" read as asking who introduced GPT-4V.
    Where a name comes from is still asked so."""
    from rag.text import ASKS_ORIGIN, MATERIAL_SOURCE

    assert MATERIAL_SOURCE.search("Where did its training images come from?")
    assert not MATERIAL_SOURCE.search("Where does Self-Instruct come from?")
    assert ASKS_ORIGIN.search("Where does Self-Instruct come from?")
    answer = assistant.ask("A parent who works in surveying asked whether chat models can describe aerial photos. There's "
                           "an instruction dataset for remote sensing images built with GPT-4V. Where did its data come "
                           "from, and how did they handle fine detail and reasoning?")
    assert strong_from(answer, "RS-GPT4V"), (answer.evidence, answer.text)
    assert "produced by GPT-4V and existing datasets" in answer.text


def test_a_tail_after_the_question_that_tells_of_the_writer_is_not_asked(assistant):
    """dev-114: "which paper breaks image-quality grading into simpler sub-tasks with GPT-4o …? we'd use that for judging
    synthetic defect pictures" was `weak` (P 0.79): the unpunctuated tail in lower case was read as part of the question,
    and its words are in no abstract. Without it the question is `strong`. A tail that asks ("… ? and how does it
    compare") is still asked; and "what size labeler model did they use" asks a model's size, not which model."""
    from rag.evidence import ASKS_WHICH_MODEL, asking_sentences

    assert asking_sentences("Which paper picks data by k-means? a colleague building a chatbot asked me") == (
        "Which paper picks data by k-means?")
    assert asking_sentences("What is QLoRA? and how does it compare with LoRA") == "What is QLoRA? and how does it compare with LoRA"
    assert asking_sentences("I remember a small LM with latent attention. which paper is that?") == (
        "I remember a small LM with latent attention. which paper is that?")  # (its "that" is the statement)
    assert not ASKS_WHICH_MODEL.search("what size labeler model did they use")
    answer = assistant.ask("which paper splits judging generated images into simpler sub-tasks with GPT-4o to build a "
                           "training set, so a small open model can do the judging later? we'd use that for scoring "
                           "synthetic scratch photos")
    assert strong_from(answer, "Automatic Evaluation for Text-to-image"), (
        answer.evidence, answer.preface)
    sized = assistant.ask("RLAIF-V, just the numbers: what size labeler model did they use, and by how much does their 7B "
                          "cut object hallucination? deciding if open-source AI feedback is worth the GPU bill.")
    assert sized.evidence == "strong" and "34B model as labeler" in sized.text, (sized.evidence, sized.text)


def test_a_clause_on_what_the_writer_was_doing_is_their_setting_and_a_method_deciding_which_model_asks_for_none(assistant):
    """dev-116: "Watching CCTV of a crew at a burst main, I wondered whether software could guess their next steps. I
    recall a paper where a language model first recognises actions already done in a video, then predicts future actions
    or infers the goal. …" was refused as "no indexed abstract mentions CCTV": a sentence opening on what the writer was
    doing tells of their setting, as one opening "When I …" does. And "how does selective token generation decide which
    model writes each token …?" was refused as naming "no model of the kind asked": what a method decides asks for no
    model's name."""
    from rag.evidence import ASKS_WHICH_MODEL, own_setting_spans

    scene = "Watching dashcam clips of a crew at a flooded culvert, I wondered whether software could guess their next moves."
    assert own_setting_spans(scene + " Which paper does that?") == [(0, len(scene))]
    assert not ASKS_WHICH_MODEL.search("how does it decide which model writes each token")
    assert ASKS_WHICH_MODEL.search("Which model writes each token?")
    answer = assistant.ask(scene + " I recall a paper where a language model first recognises actions already done in a "
                           "video, then predicts future actions or infers the goal. What's the system and how does it plan?")
    assert answer.evidence != "none" and answer.citations[0].title.startswith("AntGPT"), (answer.evidence, answer.text)
    chooser = assistant.ask("we only have a handful of example summaries to train a text generator with. how does selective "
                            "token generation decide which model writes each token, and how is that chooser trained")
    assert not chooser.abstained and "names no model" not in chooser.shown_text, chooser.shown_text


def test_a_lower_case_name_ending_in_a_capital_is_a_name(assistant):
    """dev-117: "Do any papers score translation output with chrF, the character n-gram F-score, …?" was `strong` from
    papers that use BLEU: "chrF" was no name, so nothing said the metric asked about is in no abstract."""
    from rag.names import NAME

    assert NAME.findall("score it with chrF and BLEU") == ["chrF", "BLEU"]
    assert NAME.findall("we use iPhone photos and plain words") == []
    answer = assistant.ask("Our vendor reports one number for its translations of court rulings. Do any papers score "
                           "translation output with chrF, the character n-gram F-score, and compare it with BLEU?")
    assert answer.evidence != "strong" and "chrF" in answer.shown_text, (answer.evidence, answer.shown_text)


def test_a_tool_the_writer_wishes_for_is_their_setting_not_a_request(assistant):
    """dev-115: "I'd like an assistant that books follow-up sessions and pulls reports through our clinic software's
    APIs. For the open framework that teaches LLaMA to use real-world APIs, where did the APIs come from, …?" was `weak`
    (P 0.61): "I'd like …" read as a request, so the sentence was kept as asked and its words pulled the question away
    from ToolLLM's abstract (P 0.71 without it). "I'd like the learning rate." still asks."""
    from rag.evidence import asking_sentences

    assert asking_sentences("I'd like an assistant that files our reports. Which paper does tool use?") == (
        "Which paper does tool use?")
    assert asking_sentences("I'd like the learning rate. Which paper is it?") == "I'd like the learning rate. Which paper is it?"
    answer = assistant.ask("I'd like an assistant that books appointments and pulls reports through our scheduling "
                           "software's APIs. For the open framework that teaches LLaMA to use real-world APIs, where did "
                           "the APIs come from, what was the instruction dataset called, and how did they search for "
                           "solution paths?")
    assert strong_from(answer, "ToolLLM"), (answer.evidence, answer.preface)


def test_a_title_written_in_a_question_does_not_make_the_scene_before_it_a_part_that_asks(assistant):
    """dev-117: "we only have a handful of labelled examples … . in Instruction Tuned Models are Quick Learners, what size
    of Tk-Instruct did they fine-tune, for how many epochs, and what learning rate did they use" asks settings the
    abstract does not state, and the settings rule refused it; but its first part, the scene and the title, was kept as
    a part the abstract answers (the title's "are" read as asking), and the answer was `weak`."""
    answer = assistant.ask("we only have a handful of labelled examples of court terminology errors. in Instruction Tuned "
                           "Models are Quick Learners, what size of Tk-Instruct did they fine-tune, for how many epochs, "
                           "and what learning rate did they use")
    assert refused_saying(answer, "does not state its learning rate"), (answer.evidence, answer.shown_text)


def test_a_question_asked_after_a_phrase_that_says_where_is_read_from_that_sentence(assistant):
    """dev-118: "crews' laptops only sync when they reach a ridge with signal, … . in MoDeST's decentralized sampling, how
    fast does it converge compared with FL, how much does it cut communication costs against DL, …" (no "?") was refused
    at P 0.24 with MoDeST first: its sentence that asks opens on "in …," and was not found, so the whole text was read
    as the question. Alone, that sentence is `strong` (this one, worded otherwise, `weak`: answered, not refused)."""
    from rag.evidence import asking_sentences

    assert asking_sentences("our vans only sync at the depot. in QLoRA, how much memory does it save") == (
        "in QLoRA, how much memory does it save")
    assert asking_sentences("In our lab, we use LoRA. it works") == "In our lab, we use LoRA. it works"  # (asks nothing)
    answer = assistant.ask("our field tablets only sync once a week, and half of them drop off the network for days. in "
                           "MoDeST's decentralized sampling, how fast does it converge against FL, and how much does it "
                           "cut communication costs compared to DL")
    assert answer.evidence != "none" and answer.citations[0].title.startswith("MoDeST"), (answer.evidence, answer.shown_text)
    assert "3x-14x" in answer.text


def test_a_topic_word_in_the_scene_is_not_the_topic_the_question_asks_about(assistant):
    """dev-118: "The hazmat desk asked whether language models can say anything about chemicals in retardant and burning
    structures. Is there an efficient transformer encoder trained on SMILES strings …?" was refused as "No indexed
    abstract mentions “retardant”": the scene's "anything about chemicals in retardant" was read as the topic asked."""
    answer = assistant.ask("The safety office asked whether language models can say anything about chemicals in retardant "
                           "foams. Is there an efficient transformer encoder trained on SMILES strings with linear attention "
                           "whose embeddings capture molecular structure and properties?")
    assert strong_from(answer, "Large-Scale Chemical Language Representations"), (answer.evidence, answer.shown_text)


def test_papers_asked_for_what_they_use_on_a_topic_no_abstract_names_are_refused(assistant):
    """dev-119: "Which papers use language models to predict a patient's triage acuity level from the nurse's triage note
    and vital signs, …?" was `strong` (P 0.87) from a clinical language model: "triage" and "acuity" are in no abstract
    and not in the embedder's vocabulary, but "papers use" was not read as asking for papers on a topic."""
    answer = assistant.ask("Which papers use language models to predict a patient's triage acuity from the triage note?")
    assert refused_saying(answer, "No indexed abstract mentions “triage”"), (answer.evidence, answer.shown_text)


def test_asking_which_models_of_two_kinds_a_paper_started_from_is_refused_when_its_abstract_names_none(assistant):
    """dev-118: "In that drug design study, which protein and chemical language models did they start from, …?" was
    `strong` (P 0.99) from the warm-start paper, whose abstract names no model: "which protein and chemical language
    models" was not read as asking which models, for the "and" between the kinds."""
    from rag.evidence import ASKS_WHICH_MODEL

    assert ASKS_WHICH_MODEL.search("which protein and chemical language models did they start from")
    answer = assistant.ask("For the drug design paper that warm-starts molecule generators from pretrained biochemical "
                           "language models, which protein and chemical language models did they start from?")
    assert refused_saying(answer, "names no model of the kind asked"), (answer.evidence, answer.shown_text)


def test_a_scene_opening_on_when_is_not_asked_and_its_how_many_asks_no_figure(assistant):
    """dev-120: "When a chatbot does sums for me, like how many birds died per shed per day across a flock, I'd rather it
    wrote a little piece of code … . Is there work that picks worked examples …?" was refused as "the abstract of
    “CodeFuse-13B” states no number of the kind asked": the statement opening on "When" read as a question, and its
    "how many" as a figure asked. "When" asks only before a verb that asks ("When did …")."""
    from rag.evidence import asking_sentences

    scene = ("When a chatbot does sums for me, like how many cows calved per barn per week, I'd rather it wrote code. "
             "Is there work that teaches a small model to write programs for math word problems?")
    assert asking_sentences(scene) == "Is there work that teaches a small model to write programs for math word problems?"
    assert asking_sentences("When did QLoRA come out. Which paper?") == "When did QLoRA come out. Which paper?"
    answer = assistant.ask(scene)
    assert "states no number" not in answer.text, (answer.evidence, answer.shown_text)
