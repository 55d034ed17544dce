"""The records that flow through the pipeline: Paper → Chunk → Hit.

Frozen pydantic models so a record read from one stage cannot be changed
behind the next stage's back. This module imports nothing of `rag`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Paper(_Record):
    """One distinct paper; the same paper seen in several files is one Paper."""

    paper_id: str = Field(description="Stable id: a hash of the normalized title of the first listing seen.")
    title: str = Field(description="The exact title as written in the first file that lists it.")
    abstract: str = Field(description="The whole abstract, unwrapped to one paragraph.")
    sources: tuple[str, ...] = Field(description="File names (not paths) that list this paper, sorted.")
    url: str | None = Field(default=None, description="Link to the paper, where the format has one.")
    code_url: str | None = Field(default=None, description="First code repository link in the abstract.")
    published: str | None = Field(default=None, description="ISO date (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known).")
    authors: tuple[str, ...] = Field(default=(), description="Author names ('Given Family'), where the format has them.")
    doi: str | None = Field(default=None, description="DOI, lower-case, without a resolver prefix ('10.1234/abc').")
    arxiv_id: str | None = Field(default=None, description="arXiv id without its version ('2305.14314').")
    venue: str | None = Field(default=None, description="Journal or proceedings title, where the format has one.")

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
    lexical_coverage: float | None = Field(
        default=None, description="Share of the query's IDF-weighted words found in the paper's best BM25 chunk."
    )

    @property
    def snippet(self) -> str:
        text = self.chunks[0].text if self.chunks else self.paper.abstract
        return text if len(text) <= 300 else text[:297].rsplit(" ", 1)[0] + "..."


class Source(_Record):
    """A retrieved paper as the answerer sees it: a number, a title, the evidence text."""

    n: int = Field(description="1-based number the answer cites as [n].")
    paper: Paper
    score: float = Field(default=0.0, description="Retrieval score of the paper.")


class Citation(_Record):
    """One numbered source an answer cites, with how well the text supports it."""

    n: int
    paper_id: str
    title: str
    url: str | None = None
    code_url: str | None = None
    supported: bool = Field(description="Every sentence citing it cleared the support bar.")
    support: float = Field(description="Lowest support score over the sentences citing it, in [0, 1].")
    evidence: tuple[str, ...] = Field(default=(), description="Abstract sentences that best support the citing text.")


class Answer(_Record):
    """A finished answer: text with [n] markers, the citations they map to, and provenance."""

    question: str
    text: str = Field(description="Answer text; [n] markers refer to `citations`.")
    answerer: str = Field(description="openai | local | extractive")
    model: str | None = None
    abstained: bool = False
    evidence: Literal["strong", "weak", "none"] = Field(
        default="strong",
        description="How well the indexed abstracts cover the question: 'strong' answers as usual, 'weak' "
        "answers from the closest evidence and says so, 'none' (= abstained) means the corpus lacks it.",
    )
    evidence_probability: float | None = Field(
        default=None, description="Calibrated probability that the abstracts answer the question (rag.evidence)."
    )
    preface: str | None = Field(
        default=None,
        description="Lines shown before the answer text and not claims: weak evidence, question names no abstract contains.",
    )
    searched_question: str | None = Field(
        default=None, description="The question found inside a long paste and searched for, when it differs."
    )
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    dropped_citations: tuple[int, ...] = Field(default=(), description="Numbers the model cited that matched no source.")
    notes: tuple[str, ...] = Field(default=(), description="What the user should know: fallbacks, flagged citations.")
    rewritten_question: str | None = Field(default=None, description="The follow-up as rewritten for retrieval.")
    timings_ms: dict[str, float] = Field(default_factory=dict)

    @property
    def shown_text(self) -> str:
        """What a reader sees, in order: the preface (if any), then the answer text."""
        return f"{self.preface}\n\n{self.text}" if self.preface else self.text


class Lookup(_Record):
    """Answer to 'which paper proposed X?'."""

    question: str
    paper: Paper | None
    confidence: float = Field(description="0..1; how clearly the best paper beats the others.")
    evidence: str | None = Field(default=None, description="The abstract sentence that states the contribution.")
    runner_ups: tuple[tuple[Paper, float], ...] = ()
    abstained: bool = False
    reason: str | None = Field(default=None, description="Why nothing was found, in words a user understands.")
    notes: tuple[str, ...] = Field(default=(), description="What the reader should know: a typo read as a corpus word.")
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ComparisonCell(_Record):
    text: str
    citation: int | None = Field(default=None, description="[n] of the paper the text comes from; None if not stated.")


class ComparisonRow(_Record):
    paper: Paper
    n: int
    cells: dict[str, ComparisonCell]


class Comparison(_Record):
    """Several papers side by side; each cell quoted from that paper's abstract or 'not stated'."""

    topic: str
    columns: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    not_found: tuple[str, ...] = Field(default=(), description="Titles the user named that no indexed paper matches.")
    notes: tuple[str, ...] = Field(default=(), description="What the user should know about this comparison.")
    timings_ms: dict[str, float] = Field(default_factory=dict)
