"""The records that flow through the pipeline: Paper → Chunk → Hit.

Frozen pydantic models so a record read from one stage cannot be changed
behind the next stage's back. This module imports nothing of `rag`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Paper(_Record):
    """One distinct paper; the same paper seen in several files is one Paper."""

    paper_id: str = Field(description="Stable id: a hash of the normalized title.")
    title: str = Field(description="The exact title as written in the first file that lists it.")
    abstract: str = Field(description="The whole abstract, unwrapped to one paragraph.")
    sources: tuple[str, ...] = Field(description="File names (not paths) that list this paper, sorted.")
    url: str | None = Field(default=None, description="Link to the paper, where the format has one.")
    code_url: str | None = Field(default=None, description="First code repository link in the abstract.")
    published: str | None = Field(default=None, description="ISO date (YYYY-MM-DD), where the format has one.")
    authors: tuple[str, ...] = Field(default=(), description="Author names, where the format has them.")

    @property
    def year(self) -> int | None:
        return int(self.published[:4]) if self.published else None


class Chunk(_Record):
    """A piece of one paper's abstract, sized in tokens, with its paper's title."""

    chunk_id: str = Field(description="'<paper_id>:<n>'; stable while the paper's text is.")
    paper_id: str
    title: str
    text: str = Field(description="The abstract text of this chunk (without the title).")
    position: int = Field(description="0-based index of the chunk within its paper.")
    content_hash: str = Field(description="Hash of what gets embedded; decides re-embedding.")

    @property
    def embed_text(self) -> str:
        """What the embedder and BM25 see: the title keeps every chunk on topic."""
        return f"{self.title}\n\n{self.text}"


class SkippedBlock(_Record):
    """A block of a seed file that was not turned into a Paper, and why."""

    source: str
    line: int
    reason: str


class Hit(_Record):
    """One paper found by retrieval, with the chunks that matched best."""

    paper: Paper
    score: float = Field(description="Fused score; higher is better; comparable within one query.")
    rank: int = Field(description="1-based rank in the result list.")
    chunks: tuple[Chunk, ...] = Field(default=(), description="Best-matching chunks, best first.")
    dense_rank: int | None = Field(default=None, description="Rank of the paper in the dense list.")
    lexical_rank: int | None = Field(default=None, description="Rank of the paper in the BM25 list.")
    dense_score: float | None = Field(default=None, description="Best cosine similarity of the paper.")

    @property
    def snippet(self) -> str:
        text = self.chunks[0].text if self.chunks else self.paper.abstract
        return text if len(text) <= 300 else text[:297].rsplit(" ", 1)[0] + "..."
