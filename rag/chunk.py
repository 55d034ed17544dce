"""Paper → Chunk[]: sentence-aligned pieces of at most `chunk_tokens` tiktoken tokens.

Sizes are counted with tiktoken (cl100k_base, read from the offline cache that
`rag.offline` points at). The title is not part of `Chunk.text` but goes into
what is embedded and indexed (`Chunk.embed_text`), so every chunk stays
attributable to its paper. Neighbouring chunks share up to `overlap` tokens of
whole sentences so that a statement cut by a boundary is whole in one of them.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rag.errors import ConfigError
from rag.text import split_sentences
from rag.types import Chunk, Paper

ENCODING = "cl100k_base"


@lru_cache(maxsize=1)
def _encoding():
    import tiktoken

    try:
        return tiktoken.get_encoding(ENCODING)
    except Exception as exc:  # tiktoken raises plain exceptions when it would download
        raise ConfigError(
            f"cannot load the {ENCODING} tokenizer offline ({type(exc).__name__})",
            hint="TIKTOKEN_CACHE_DIR must point at a directory holding its BPE file; unset it to use the one bundled with llama-index-core",
        ) from None


def count_tokens(text: str) -> int:
    return len(_encoding().encode_ordinary(text))


def content_hash(text: str, salt: str = "") -> str:
    return hashlib.sha1(f"{salt}\x00{text}".encode("utf-8")).hexdigest()


def _split_long(sentence: str, limit: int) -> list[str]:
    """Cut a sentence longer than `limit` tokens between words (between characters for a
    'word' that alone is too long, such as unspaced CJK text), never inside a character."""
    pieces: list[str] = []
    current = ""
    for word in sentence.split(" "):
        candidate = f"{current} {word}" if current else word
        if count_tokens(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if count_tokens(word) <= limit:
            current = word
            continue
        current = ""
        for char in word:
            if current and count_tokens(current + char) > limit:
                pieces.append(current)
                current = ""
            current += char
    if current:
        pieces.append(current)
    return pieces


def chunk_paper(paper: Paper, chunk_tokens: int = 200, overlap: int = 32, salt: str = "") -> list[Chunk]:
    """Split one paper's abstract; `salt` (the embedder id) goes into each content hash."""
    budget = max(16, chunk_tokens - count_tokens(paper.title) - 2)
    pieces: list[tuple[str, int]] = []
    for sentence in split_sentences(paper.abstract):
        n = count_tokens(sentence)
        if n <= budget:
            pieces.append((sentence, n))
        else:
            pieces.extend((part, count_tokens(part)) for part in _split_long(sentence, budget))
    groups: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    size = 0
    for piece in pieces:
        if current and size + piece[1] > budget:
            groups.append(current)
            # Carry whole trailing sentences up to `overlap` tokens into the next chunk.
            carried: list[tuple[str, int]] = []
            carried_size = 0
            for prev in reversed(current):
                if carried_size + prev[1] > overlap or carried_size + prev[1] + piece[1] > budget:
                    break
                carried.insert(0, prev)
                carried_size += prev[1]
            current, size = carried, carried_size
        current.append(piece)
        size += piece[1]
    if current:
        groups.append(current)
    chunks = []
    for position, group in enumerate(groups):
        text = " ".join(s for s, _ in group)
        chunk = Chunk(
            chunk_id=f"{paper.paper_id}:{position}",
            paper_id=paper.paper_id,
            title=paper.title,
            text=text,
            position=position,
            content_hash="",
        )
        chunks.append(chunk.model_copy(update={"content_hash": content_hash(chunk.embed_text, salt)}))
    return chunks


def chunk_papers(papers: list[Paper], chunk_tokens: int = 200, overlap: int = 32, salt: str = "") -> list[Chunk]:
    return [c for p in papers for c in chunk_paper(p, chunk_tokens, overlap, salt)]


def abstract_id(paper_id: str) -> str:
    """The id of a paper's whole-abstract record ('<paper_id>:abstract': ChunkStore.paper_of reads it)."""
    return f"{paper_id}:abstract"


# How much of a paper the whole-abstract record holds, in tiktoken tokens with its title: about the
# 256 wordpieces mpnet reads quickly. Measured on the seeds (dev split, fusion_sweep): the full 384
# wordpieces gave the same recall and took 55 s to embed instead of 39 s.
ABSTRACT_TOKENS = 224


def abstract_records(papers: list[Paper], salt: str = "") -> list[Chunk]:
    """One record per paper holding its title and its abstract as a whole (the sentences that fit
    in ABSTRACT_TOKENS; position -1), for the second embedder's whole-abstract vectors: a question
    in the reader's own words often echoes an abstract better than any chunk of it (docs/retrieval-quality.md, "A
    second embedder"). Not chunks: never in BM25 or the chunk store."""
    out = []
    for paper in papers:
        budget = ABSTRACT_TOKENS - count_tokens(paper.title) - 2
        kept: list[str] = []
        for sentence in split_sentences(paper.abstract):
            budget -= count_tokens(sentence)
            if kept and budget < 0:
                break
            kept.append(sentence)
        record = Chunk(chunk_id=abstract_id(paper.paper_id), paper_id=paper.paper_id, title=paper.title,
                       text=" ".join(kept), position=-1, content_hash="")
        out.append(record.model_copy(update={"content_hash": content_hash(record.embed_text, salt)}))
    return out
