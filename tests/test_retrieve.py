"""Retrieval over the whole seed index: the right paper first, one hit per paper, filters obeyed."""

from __future__ import annotations

import re

import pytest

from conftest import F000, F001, F002, SEED_PAPERS
from rag.errors import QueryError
from rag.retrieve import MAX_QUERY_CHARS, Filters

MODES = ["hybrid", "dense", "lexical"]

DISTINCTIVE = [
    ("survey of mixture of experts taxonomy", "A Survey on Mixture of Experts"),
    ("what does CLIP know about peeling a banana", "What does CLIP know about peeling a banana?"),
    ("multi-modal music understanding and generation with large language models",
     "M$^{2}$UGen: Multi-modal Music Understanding and Generation with the Power of Large Language Models"),
    ("Chinese autoregressive pretrained language model with 200 billion parameters auto-parallel",
     "PanGu-$α$: Large-scale Autoregressive Pretrained Chinese Language Models with Auto-parallel Computation"),
    ("byzantine robust gradient aggregation in distributed training",
     "Flag Aggregator: Scalable Distributed Training under Failures and Augmented Losses using Convex Optimization"),
]


def test_seed_index_holds_every_paper(seed_index, seed_engine):
    assert seed_index.sync.papers == SEED_PAPERS
    assert seed_index.sync.embedded == seed_index.sync.chunks
    assert seed_engine.index.stats()["papers"] == SEED_PAPERS
    assert {c.paper_id for c in seed_engine.index.chunks.values()} == set(seed_engine.index.papers)


@pytest.mark.parametrize("query, title", DISTINCTIVE)
def test_distinctive_query_finds_the_paper_first(seed_engine, query, title):
    hits = seed_engine.search(query, k=5)
    assert hits[0].paper.title == title
    assert hits[0].rank == 1


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_finds_the_moe_survey(seed_engine, mode):
    hits = seed_engine.search("survey of mixture of experts taxonomy", k=5, mode=mode)
    assert len(hits) == 5
    assert hits[0].paper.title == "A Survey on Mixture of Experts"
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("k", [1, 10, 40])
def test_each_paper_appears_at_most_once(seed_engine, mode, k):
    hits = seed_engine.search("large language models for vision tasks", k=k, mode=mode)
    assert len(hits) == k
    ids = [h.paper.paper_id for h in hits]
    assert len(ids) == len(set(ids))


def test_large_k_returns_that_many_distinct_papers(seed_engine):
    hits = seed_engine.search("efficient training of neural networks", k=100)
    assert len({h.paper.paper_id for h in hits}) == len(hits) == 100


def test_hits_carry_their_own_papers_chunks_and_a_short_snippet(seed_engine):
    for hit in seed_engine.search("parameter-efficient fine-tuning with low-rank adapters", k=10):
        assert hit.chunks, hit.paper.title
        assert all(c.paper_id == hit.paper.paper_id for c in hit.chunks)
        assert 0 < len(hit.snippet) <= 300
        words = hit.snippet.removesuffix("...").split()
        assert " ".join(words[:5]) in hit.paper.abstract


def test_source_filter_returns_only_papers_from_that_file(seed_engine):
    hits = seed_engine.search("language models", k=20, filters=Filters(sources=(F001,)))
    assert len(hits) == 20
    assert all(F001 in h.paper.sources for h in hits)


def test_source_filter_includes_papers_listed_in_several_files(seed_engine):
    for source in (F001, F002):
        hits = seed_engine.search("matryoshka nested representation learning", k=3, filters=Filters(sources=(source,)))
        assert hits[0].paper.title == "Matryoshka Representation Learning"


def test_source_filter_excludes_the_best_match_from_another_file(seed_engine):
    # The MoE survey is only in 001; restricted to 000 it must not appear.
    hits = seed_engine.search("survey of mixture of experts taxonomy", k=5, filters=Filters(sources=(F000,)))
    assert hits
    assert all(h.paper.sources == (F000,) for h in hits)


def test_year_filter_returns_only_dated_papers(seed_engine, seed_papers):
    dated = {t for t, p in seed_papers.items() if p.published}
    assert len(dated) == 5
    hits = seed_engine.search("large language models", k=10, filters=Filters(year_min=2024))
    assert {h.paper.title for h in hits} == dated  # every dated paper is reachable, nothing else
    assert all(h.paper.year >= 2024 and h.paper.sources == (F000,) for h in hits)
    assert seed_engine.search("large language models", k=10, filters=Filters(year_max=2023)) == []
    assert seed_engine.search("large language models", k=10, filters=Filters(year_min=2025)) == []
    both = seed_engine.search("large language models", k=10, filters=Filters(year_min=2024, year_max=2024))
    assert {h.paper.title for h in both} == dated


def test_title_filter_is_a_case_insensitive_substring(seed_engine, seed_papers):
    matching = {t for t in seed_papers if "diffusion" in t.casefold()}
    assert 3 <= len(matching) < 20
    hits = seed_engine.search("image generation", k=20, filters=Filters(title_contains="DIFFUSION"))
    assert {h.paper.title for h in hits} == matching


def test_a_title_word_leaves_out_the_papers_whose_titles_have_it_as_a_whole_word(seed_engine, seed_papers):
    """What a question sets aside ("Other than LoRA, which papers …?") leaves out the papers titled by it; QLoRA's
    title has "LoRA" only inside a longer word, and stays."""
    whole_word = {t for t in seed_papers if re.search(r"(?<!\w)lora(?!\w)", t, re.I)}
    assert len(whole_word) >= 3
    hits = seed_engine.search("low-rank adapters for finetuning quantized LLMs", k=30, filters=Filters(title_excludes=("LoRA",)))
    titles = {h.paper.title for h in hits}
    assert titles and not titles & whole_word
    assert any(t.startswith("QLoRA") for t in titles)


def test_filters_combine(seed_engine):
    hits = seed_engine.search("language model", k=20, filters=Filters(sources=(F002,), title_contains="video"))
    assert hits
    assert all(F002 in h.paper.sources and "video" in h.paper.title.casefold() for h in hits)


def test_filter_that_matches_nothing_gives_no_hits(seed_engine):
    assert seed_engine.search("language models", filters=Filters(sources=("no-such-file.txt",))) == []
    assert seed_engine.search("language models", filters=Filters(title_contains="zzz-no-title-has-this")) == []


def test_lexical_mode_with_only_stop_words_finds_nothing_but_hybrid_still_answers(seed_engine):
    assert seed_engine.search("the of and", k=3, mode="lexical") == []
    assert len(seed_engine.search("the of and", k=3, mode="hybrid")) == 3


def test_hybrid_ranks_come_from_both_retrievers(seed_engine):
    hit = seed_engine.search("survey of mixture of experts taxonomy", k=1)[0]
    assert hit.dense_rank == 1 and hit.lexical_rank == 1
    assert hit.dense_score is not None and 0.3 < hit.dense_score <= 1.0


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_a_query_error(seed_engine, query):
    with pytest.raises(QueryError):
        seed_engine.search(query)


def test_overlong_query_is_a_query_error(seed_engine):
    with pytest.raises(QueryError, match="limit"):
        seed_engine.search("word " * (MAX_QUERY_CHARS // 4))


def test_dense_candidates_are_the_exact_nearest_chunks(seed_engine):
    """Chroma's HNSW search is approximate; with its default breadth it missed the best chunk
    of the paper a question was about in some processes (a follow-up then lost its paper).
    Our 50 dense candidates must be the true 50 nearest chunks on a corpus this size."""
    import json

    import numpy as np

    from conftest import REPO

    index = seed_engine.index
    stored = index.collection.get(include=["embeddings"])
    ids, matrix = np.array(stored["ids"]), np.array(stored["embeddings"], dtype=np.float32)
    questions = [json.loads(line)["question"] for name in ("plain", "paraphrase")
                 for line in (REPO / "eval" / "data" / f"{name}.jsonl").read_text().splitlines()]
    found = total = 0
    for question in questions:
        vector = seed_engine.embedder.embed_query(question)
        exact = set(ids[np.argsort(-(matrix @ np.asarray(vector, dtype=np.float32)))[:50]])
        found += len(exact & {cid for cid, _ in index.nearest(vector, 50)})
        total += 50
    assert found / total >= 0.999, f"recall@50 {found / total:.4f} against exact search"


def test_rrf_weights_each_ranking_and_keeps_first_seen_order():
    """A BM25 list with weight 0 (the gate closed) cannot reorder the dense ranking."""
    from rag.retrieve import rrf_scores

    scores = rrf_scores([(1.0, [("a", 1), ("b", 2)]), (0.0, [("b", 1), ("c", 2)])], rrf_k=60)
    assert scores == {"a": 1 / 61, "b": 1 / 62, "c": 0.0}
    assert list(scores) == ["a", "b", "c"]


def test_a_tie_between_the_two_lists_goes_to_the_closer_match(seed_engine):
    """"Which paper introduced NF4?": MiniLM does not know the name (its first hit is at cosine
    ~0.2), BM25's only match is QLoRA, which dense does not have in its top 50. Both firsts
    score the same in RRF; the tie must go to the match that holds the asked-for word, not to
    whichever paper id sorts first."""
    hits = seed_engine.search("Which paper introduced NF4?", k=3)
    assert hits[0].paper.title == "QLoRA: Efficient Finetuning of Quantized LLMs"
    assert hits[0].lexical_rank == 1 and hits[0].dense_rank is None
    assert hits[1].score == hits[0].score  # it was a tie


GENOME = "GENOME: GenerativE Neuro-symbOlic visual reasoning by growing and reusing ModulEs"


def test_a_bare_name_finds_the_paper_it_names_over_a_homonym(seed_engine):
    """'genome' is frequent in the genomics abstracts and MiniLM reads it as biology; the paper
    whose own name it is ranks first because the question names it."""
    assert seed_engine.search("Which paper introduced GENOME?", k=5)[0].paper.title == GENOME


def test_only_a_papers_own_name_counts_not_a_part_of_another(seed_engine):
    """'MoE' in a question is not a lookup of 'Uni-MoE: ...'; a name several papers go by is none's."""
    retriever = seed_engine.retriever
    assert retriever.title_names("Which survey gives a taxonomy of MoE designs?") == []
    assert [seed_engine.index.papers[p].title for p in retriever.title_names("How does GENOME reuse modules?")] == [GENOME]


SCORE = "Training Language Models to Self-Correct via Reinforcement Learning"


def test_a_name_spelled_like_a_common_word_finds_the_paper_that_introduces_it(seed_engine):
    """"SCoRe" is "score" to BM25 (55 of the seeds' chunks) and to MiniLM: "SCoRe vs RAIN: …?" found
    RAIN's paper and not SCoRe's, which only its abstract names. Typed in lower case it is the word; and a
    paper that only uses such a name is not found for it (Mug-STAN adapts CoCa)."""
    assert SCORE in [h.paper.title for h in seed_engine.search("What is SCoRe?", k=5)]
    assert [c.title for c in seed_engine.assistant.ask("What is SCoRe?").citations] == [SCORE]
    assert SCORE not in [h.paper.title for h in seed_engine.search("what is a good score?", k=5)]
    assert seed_engine.retriever.named_owners("Which paper proposed CoCa, the image-text model?") == []
    answer = seed_engine.assistant.ask("SCoRe vs RAIN: which one needs extra training, and how does each use the "
                                       "model's own judgment of its outputs?")
    cited = [c.title for c in answer.citations]
    assert SCORE in cited and any(t.startswith("RAIN:") for t in cited)


COOP = "Learning to Prompt for Vision-Language Models"


@pytest.mark.parametrize("quote", ['"{}"', "\u201c{}\u201d", "'{}'"])
def test_a_quoted_title_finds_that_paper(seed_engine, quote):
    """The same words in another order find "Mixture of Prompt Learning for Vision Language Models" first;
    the title, quoted or written out, finds its own paper."""
    assert seed_engine.search("What does the paper on prompt learning for vision-language models propose?", k=1)[0].paper.title != COOP
    assert seed_engine.search(f"What does the paper {quote.format(COOP.lower())} propose?", k=1)[0].paper.title == COOP
    assert seed_engine.search(f"What does the paper {COOP} propose?", k=1)[0].paper.title == COOP


def test_a_title_written_out_without_quotes_names_its_paper(seed_engine):
    """Whole, or its part after the colon, in five words or more; fewer words are a topic as often."""
    retriever = seed_engine.retriever
    titles = lambda q: [seed_engine.index.papers[p].title for p in retriever.titles_written_in(q)]  # noqa: E731
    assert titles("tl;dr of scaling data and parameters for a family of multi-modal large language models") == [
        "SPHINX-X: Scaling Data and Parameters for a Family of Multi-modal Large Language Models"]
    assert titles("What does Efficient Finetuning of Quantized LLMs show?") == ["QLoRA: Efficient Finetuning of Quantized LLMs"]
    assert titles("Which paper scales data and parameters for multimodal LLMs?") == []


def test_a_titles_first_words_in_quotes_name_that_paper(seed_engine):
    """"In 'Stack Over-Flowing with Results', which model …?" was answered from "Stacking Your Transformers: …",
    ranked first; the quoted words open one title only. Two quoted words are a term as often ('attention sinks')."""
    top = seed_engine.search("In 'Stack Over-Flowing with Results', which model did they pretrain?", k=1)[0].paper.title
    assert top.startswith("Stack Over-Flowing with Results:")
    answer = seed_engine.assistant.ask("What does 'The Ultimate Guide to Fine-Tuning LLMs' say about the stages of fine-tuning?")
    assert answer.citations[0].title.startswith("The Ultimate Guide to Fine-Tuning LLMs")
    assert seed_engine.retriever.titles_written_in("What does 'Scaling Sparse Fine-Tuning' propose?") == [
        seed_engine.retriever.paper_titled("Scaling Sparse Fine-Tuning to Large Language Models").paper_id]


def test_quoted_text_that_is_no_title_names_no_paper(seed_engine):
    assert seed_engine.retriever.title_names('Which paper uses "prompt learning for vision"?') == []


def test_a_paper_only_bm25_found_reports_its_real_closeness(seed_engine):
    """"Which paper introduced NF4?": MiniLM does not know the name, so QLoRA is in no dense list and
    comes first from BM25 alone. Its closeness to the question was reported as unknown and read as 0,
    so the relevance model gave such papers P 0.000; it is the cosine of its best chunk."""
    import numpy as np

    from rag.retrieve import dense_query_text

    question = "Which paper introduced NF4?"
    hits = seed_engine.search(question, k=10)
    only_bm25 = [h for h in hits if h.dense_rank is None]
    assert only_bm25 and only_bm25[0].paper.title.startswith("QLoRA")
    index = seed_engine.index
    stored = index.collection.get(include=["embeddings"])
    vectors = dict(zip(stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)))
    query = np.asarray(seed_engine.embedder.embed_query(dense_query_text(question)), dtype=np.float32)
    for hit in only_bm25:
        best = max(float(vectors[c] @ query) for c in index.chunks.of_paper(hit.paper.paper_id))
        assert hit.dense_score == pytest.approx(best, abs=1e-3)
    assert all(h.dense_score is not None for h in hits)


# Everyday words for the field's terms (rag.lay_terms): without the rewrite neither question has its paper in the top 3
# (the first found "SortedNet" and two audio papers, the second papers that mention chatbots, not hallucination).
@pytest.mark.parametrize("query, wanted", [
    ("Which paper builds one network that handles pictures, clips and sound together?",
     lambda title: title == "Unified Model for Image, Video, Audio and Language Tasks"),
    ("How do you stop a chatbot from making things up?", lambda title: "hallucina" in title.casefold()),
])
def test_a_question_in_everyday_words_finds_papers_written_in_the_fields_terms(seed_engine, query, wanted):
    titles = [h.paper.title for h in seed_engine.search(query, k=3)]
    assert wanted(titles[0]), titles


@pytest.mark.parametrize("query", [
    "Which paper proposed QLoRA, and how does it fine-tune a 65B model on one GPU?",
    "What does CLIP know about peeling a banana?",
    "Is there an LLM benchmark built from official exam questions in Polish?",
    "What future research directions does the survey of supervised fine-tuning list?",
    "Do the generated videos come with sound?",  # "sound" here is no list of media
    "How does SciRIFF improve Instruction-Following over scientific literature?",  # the term itself, capitalised
    "How does PromptPG pick which examples to put in the prompt?",  # in-context examples, not training data
])
def test_a_question_in_the_fields_own_words_is_searched_as_written(query):
    from rag.lay_terms import in_field_terms

    assert in_field_terms(query) == query


def test_everyday_words_become_the_fields_terms_in_number():
    from rag.lay_terms import in_field_terms

    assert in_field_terms("Why do picture-capable chatbots ignore user directions more than a chatbot?") == (
        "Why do vision-language large language models ignore instructions more than a large language model?")
    assert in_field_terms("neural nets for pictures, sound and clips") == "neural networks for images, audio and videos"
    assert in_field_terms("optimised tokenisation") == "optimized tokenization"
    assert in_field_terms("which peft algos, how many params, comms cost? lms on clinical notes?") == (
        "which peft algorithms, how many parameters, communication cost? language models on clinical notes?")
    assert in_field_terms("COMM vs comm") == "COMM vs comm"  # a method's name, and a word no shorthand of one
    assert in_field_terms("tuning LLMs across hospitals without pooling their data") == (
        "tuning LLMs across hospitals federated learning")
    assert in_field_terms("phones where raw records never leave the device") == "phones where federated learning the device"


# ... and the words for the hardware, the model taught and the one teaching it (fiftieth session: dev-112/113's
# paraphrases; without the rewrite neither paper is in the top 3)
@pytest.mark.parametrize("query, title", [
    ("Our volunteer hopes to spread a huge chatbot over several graphics cards. Is there a slim kit that works out by "
     "itself how to split it up, so he needn't write piles of fiddly setup?", "Redco"),
    ("How can a small pupil network soak up know-how from a giant mentor that was schooled on other tag sets?",
     "Prototype-guided Cross-task Knowledge Distillation"),
])
def test_a_question_about_cards_mentors_and_pupils_finds_papers_on_gpus_teachers_and_students(seed_engine, query, title):
    titles = [h.paper.title for h in seed_engine.search(query, k=3)]
    assert any(t.startswith(title) for t in titles), titles


def test_teaching_a_model_is_training_it_but_teaching_people_is_not():
    from rag.lay_terms import in_field_terms

    assert in_field_terms("Can a picture-and-words matcher teach a cheap quick pupil on two graphics cards?") == (
        "Can a vision-language matcher train a cheap quick student model on two GPUs?")
    assert in_field_terms("a net schooled on other tag sets, taught by a giant mentor") == (
        "a net trained on other tag sets, trained by a giant teacher model")
    for people in ("Which tools help teaching students to read?", "How do we teach our nurses to triage?",
                   "apps that help pupils who struggle with reading"):
        assert in_field_terms(people) == people


def test_everyday_words_are_searched_as_written_when_the_setting_is_off(seed_index, seed_engine):
    """RAG_FIELD_TERMS=off: a collection whose papers say "chatbot" themselves can search it as written."""
    from rag.config import load_settings
    from rag.pipeline import Engine

    question = "How do you stop a chatbot from making things up?"
    off = Engine(load_settings(data_dir=seed_index.data_dir, progress=False, field_terms="off"))
    assert "hallucina" in seed_engine.search(question, k=1)[0].paper.title.casefold()
    assert not any("hallucina" in h.paper.title.casefold() for h in off.search(question, k=3))
    answer = off.assistant.ask(question)
    assert not any("the words abstracts use" in note for note in answer.notes)


def test_searching_in_the_fields_terms_twice_changes_nothing_more():
    """Every question of eval/data and the validation batches: the rewritten question has no everyday word left (the
    terms are not themselves rewritten), so a rewritten follow-up or paste is searched as it was shown."""
    import json
    from pathlib import Path

    from rag.lay_terms import field_terms, in_field_terms

    root = Path(__file__).resolve().parents[1] / "eval"
    questions = [json.loads(line).get("question") or "" for path in [*root.glob("data/*.jsonl"), *root.glob("validation/*/*.jsonl")]
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(questions) > 2000
    rewritten = [in_field_terms(q) for q in questions]
    assert sum(r != q for r, q in zip(rewritten, questions)) > 100  # the table does rewrite
    assert all(in_field_terms(r) == r and not field_terms(r) for r in rewritten)


def test_a_paper_named_by_title_words_before_paper_comes_first(seed_engine):
    """dev-95: "The Adaptive Prompting paper says …" names "Think Beyond Size: Adaptive Prompting for …" by the words of
    its title, yet dense retrieval put two other prompting papers ahead of it, and the answer opened with one of them."""
    query = ("We tried a chatbot for checking section-loss arithmetic in our steel girder reports and it drifts off "
             "halfway through the steps. The Adaptive Prompting paper says it adjusts the prompt structure on the fly "
             "instead of using a fixed template. What are the actual pieces of that loop, and does it need training data?")
    assert seed_engine.search(query, k=5)[0].paper.title.startswith("Think Beyond Size: Adaptive Prompting")
    # words many titles hold name none of them
    assert seed_engine.assistant.retriever._phrase_named("What does the Large Language Models paper say?") == []


def test_a_title_name_that_opens_the_question_names_that_paper(seed_engine):
    """dev-97: "Liger converts a pretrained transformer LLM into a gated recurrent model … What does it reuse …, and what
    model sizes did they test?" was read as naming no paper, a capitalised first word being no sign of a name: the `weak`
    answer took a sentence of another paper and missed the sizes Liger's abstract gives."""
    answer = seed_engine.assistant.ask(
        "Liger turns a pretrained LLM into a gated recurrent model, a bit like swapping a reverb for a delay line. What does "
        "it reuse to build the gates, how is quality restored, and on what model sizes was it validated?")
    assert [c.title.split(":")[0] for c in answer.citations] == ["Liger"], answer.text
    assert "1B to 8B parameters" in answer.text
    # a sentence's first word is a name only as its subject, before a verb or a colon: "Liquid cooling is costly"
    retriever = seed_engine.assistant.retriever
    assert retriever.title_names("Titans: how many parameters?") and not retriever.title_names("Liquid cooling is costly. Which paper?")

def test_a_paper_named_by_its_title_words_in_lower_case_comes_first(seed_engine):
    """dev-96: "The adaptive computation module paper says …" names "Adaptive Computation Modules: Granular Conditional
    Computation …" in lower case and in the singular; another adaptive-computation paper came first and answered."""
    query = ("Alert latency matters more to us than accuracy. The adaptive computation module paper says each token can "
             "get its own amount of compute. What decides how much of a module a token uses?")
    assert seed_engine.search(query, k=5)[0].paper.title.startswith("Adaptive Computation Modules:")
    # a phrase that ends in a joining word names nothing ("between the human and model distributions")
    assert seed_engine.assistant.retriever._lower_phrase_named("the distance between the human and model distributions") == []


def test_a_model_keeping_its_own_abilities_is_not_federated_learning():
    """dev-100: "building vision-language models so the underlying language model keeps its own text abilities" was
    searched as "federated learning", and the comparison's first rows were federated fine-tuning papers. Data kept
    where it is still reads so."""
    from rag.lay_terms import field_terms

    assert field_terms("multimodal models whose language model keeps its own text skills after image training") == []
    assert field_terms("each hospital keeps its own records on site") == [("keeps its own records on site", "federated learning")]
    assert field_terms("clinics keep their data, and a server averages their updates") == [("keep their data", "federated learning")]


def test_a_hyphenated_kind_of_model_is_not_the_paper_whose_name_joins_it(assistant):
    """dev-100: "is there a multilingual vision-LLM built cheaply … by re-aligning an image encoder to a multilingual LLM?"
    put VisionLLM's paper first, as if "vision-LLM" named it; the question describes mBLIP's "Multilingual Vision-LLMs"."""
    hits = assistant.retriever.search("Which multilingual vision-LLM was bootstrapped cheaply on consumer hardware?", k=3)
    assert hits[0].paper.title.startswith("mBLIP"), [h.paper.title for h in hits]
    named = assistant.retriever.search("How does VisionLLM use a language model as the decoder?", k=3)
    assert named[0].paper.title.startswith("VisionLLM"), [h.paper.title for h in named]
