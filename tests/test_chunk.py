"""Chunking: sized in tiktoken tokens, attributable to its paper, nothing of the abstract lost."""

from __future__ import annotations

import pytest

from rag.chunk import chunk_paper, chunk_papers, count_tokens
from rag.text import split_sentences

SIZES = [(200, 32), (96, 24), (64, 16)]


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("size, overlap", SIZES)
def test_every_chunk_carries_its_papers_title_and_id(seed_corpus, size, overlap):
    for paper in seed_corpus.papers:
        chunks = chunk_paper(paper, size, overlap)
        assert chunks, paper.title
        assert [c.position for c in chunks] == list(range(len(chunks)))
        for c in chunks:
            assert c.paper_id == paper.paper_id
            assert c.title == paper.title
            assert c.chunk_id == f"{paper.paper_id}:{c.position}"
            assert c.embed_text.startswith(paper.title)
            assert c.text.strip(), "empty chunk"


@pytest.mark.parametrize("size, overlap", SIZES)
def test_chunk_text_fits_the_token_budget(seed_corpus, size, overlap):
    for paper in seed_corpus.papers:
        for c in chunk_paper(paper, size, overlap):
            assert count_tokens(c.text) <= size, (paper.title, c.position)


def test_embedded_text_with_title_fits_the_default_chunk_size(seed_corpus):
    for paper in seed_corpus.papers:
        for c in chunk_paper(paper, 200, 32):
            assert count_tokens(c.embed_text) <= 200, (paper.title, c.position)


def test_embedded_text_with_title_fits_a_small_chunk_size(seed_corpus):
    for paper in seed_corpus.papers:
        for c in chunk_paper(paper, 64, 16):
            assert count_tokens(c.embed_text) <= 64, (paper.title, c.position, count_tokens(c.embed_text))


@pytest.mark.parametrize("size, overlap", SIZES)
def test_chunks_cover_every_sentence_of_the_abstract(seed_corpus, size, overlap):
    for paper in seed_corpus.papers:
        chunks = chunk_paper(paper, size, overlap)
        joined = _squash(" ".join(c.text for c in chunks))
        for sentence in split_sentences(paper.abstract):
            # A sentence is whole in one chunk, or (too long for one) continues across consecutive chunks.
            whole = any(sentence in c.text for c in chunks)
            assert whole or _squash(sentence) in joined, (paper.title, sentence)


def test_default_chunks_keep_sentences_whole(seed_corpus):
    """At the default size no sentence of the seeds is cut in two."""
    for paper in seed_corpus.papers:
        chunks = chunk_paper(paper, 200, 32)
        for sentence in split_sentences(paper.abstract):
            assert any(sentence in c.text for c in chunks), (paper.title, sentence)


def test_neighbouring_chunks_share_whole_sentences_up_to_the_overlap():
    from rag.types import Paper

    sentences = [f"Finding number {n} holds for the {w} model." for n, w in enumerate(
        ["small", "large", "sparse", "dense", "tiny", "huge", "deep", "wide", "shallow", "narrow", "fast", "slow"])]
    paper = Paper(paper_id="p1", title="Short Sentences", abstract=" ".join(sentences), sources=("x.txt",))
    chunks = chunk_paper(paper, 64, 16)
    assert len(chunks) >= 3
    for a, b in zip(chunks, chunks[1:]):
        a_sents, b_sents = split_sentences(a.text), split_sentences(b.text)
        shared = next(k for k in range(len(a_sents), -1, -1) if a_sents[len(a_sents) - k:] == b_sents[:k])
        carried = " ".join(b_sents[:shared])
        assert shared >= 1, (a.text, b.text)
        assert count_tokens(carried) <= 16
        assert b_sents[shared:], "a chunk must add something new"


def test_chunking_is_deterministic_and_hash_tracks_content(seed_corpus):
    paper = seed_corpus.papers[0]
    first = chunk_paper(paper, 200, 32, salt="model-a")
    assert chunk_paper(paper, 200, 32, salt="model-a") == first
    # Another embedder means different vectors: the hash must change so the chunk is re-embedded.
    other = chunk_paper(paper, 200, 32, salt="model-b")
    assert [c.content_hash for c in other] != [c.content_hash for c in first]
    edited = paper.model_copy(update={"abstract": paper.abstract + " One more sentence."})
    assert chunk_paper(edited, 200, 32, salt="model-a")[-1].content_hash != first[-1].content_hash


def test_chunk_papers_covers_all_papers(seed_corpus):
    chunks = chunk_papers(seed_corpus.papers, 200, 32)
    assert {c.paper_id for c in chunks} == {p.paper_id for p in seed_corpus.papers}
    assert len({c.chunk_id for c in chunks}) == len(chunks)


# ---------------------------------------------------------------- what Chroma stores


def test_chroma_holds_one_vector_per_chunk_with_flat_metadata(seed_engine, seed_index):
    index = seed_engine.index
    got = index.collection.get(include=["metadatas"])
    assert set(got["ids"]) == set(index.chunks)
    assert len(got["ids"]) == seed_index.sync.chunks
    for cid, meta in zip(got["ids"], got["metadatas"]):
        for key, value in meta.items():
            assert isinstance(value, (str, int, float, bool)), (cid, key, type(value))
        chunk = index.chunks[cid]
        paper = index.papers[meta["paper_id"]]
        assert meta["paper_id"] == chunk.paper_id
        assert meta["title"] == paper.title == chunk.title
        assert isinstance(meta["year"], int)
        assert meta["year"] == (paper.year or -1)


def test_a_long_non_ascii_sentence_is_split_without_mangling_characters():
    from rag.types import Paper

    abstract = "我们提出了一种新的方法来训练大型语言模型并在多个基准上取得了最好的结果" * 6 + " 😀🚀🎉" * 30
    paper = Paper(paper_id="cjk", title="A Long Unpunctuated Sentence", abstract=abstract, sources=("x.txt",))
    chunks = chunk_paper(paper, 64, 16)
    assert len(chunks) > 1
    assert not any("\ufffd" in c.text for c in chunks)
    assert "".join("".join(c.text.split()) for c in chunks) == "".join(abstract.split())
