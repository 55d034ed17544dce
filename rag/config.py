"""One Settings object for the whole app: defaults < env vars (RAG_*) < CLI flags.

This module is a leaf: it imports nothing of `rag` but the errors.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError

_REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "paper-rag"


def default_model_cache() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "paper-rag"


def default_seed_paths() -> list[Path]:
    """`./seeds` when run from a checkout, else the seeds shipped beside the package."""
    local = Path("seeds")
    return [local if local.is_dir() else _REPO_SEEDS]


class Settings(BaseSettings):
    """Everything a user can configure. `rag config` prints it, secrets masked."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore", validate_assignment=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the index lives.")
    model_cache: Path = Field(
        default_factory=default_model_cache, description="Where the embedding models derived on first use are kept (~23 MB; +267 MB with mpnet)."
    )
    chroma_url: str | None = Field(
        default=None, description="http://HOST:PORT of a `chroma run` server; unset = embedded store."
    )
    collection: str = Field(default="papers", min_length=3, description="Chroma collection name.")
    embedder: str = Field(
        default="minilm",
        pattern=r"^(minilm|minilm\+mpnet)$",
        description="minilm | minilm+mpnet: also embed with all-mpnet-base-v2 (`make mpnet`) and sum the two cosines; finds more questions put in your own words; ~9x the ingest CPU, ~8.5x the query CPU. Chosen at ingest; the index records it.",
    )
    chunk_tokens: int = Field(default=200, ge=64, le=2048, description="Max tokens per chunk, title included (tiktoken).")
    chunk_overlap: int = Field(default=32, ge=0, le=512, description="Tokens shared by neighbouring chunks.")
    top_k: int = Field(default=5, ge=1, le=100, description="Papers returned by a search.")
    candidates: int = Field(default=50, ge=5, le=1000, description="Candidates each retriever contributes.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    progress: bool = Field(default=True, description="Show progress bars on a terminal.")

    # Answering
    answerer: str = Field(default="auto", pattern="^(auto|openai|local|extractive)$", description="auto | openai | local | extractive")
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "RAG_OPENAI_API_KEY", "openai_api_key"), description="Key for OpenAI or a compatible server."
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "RAG_OPENAI_BASE_URL", "openai_base_url"), description="OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, ...)."
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the OpenAI-compatible server.")
    llm_timeout: float = Field(default=60.0, gt=0, le=600, description="Seconds before an LLM request is abandoned.")
    llm_max_retries: int = Field(default=2, ge=0, le=10, description="Retries on connection errors, 429 and 5xx.")
    query_rewrite: str = Field(
        default="off",
        pattern="^(on|off)$",
        description="on: with an LLM answerer, also search the LLM's rewrites of the question in an abstract's vocabulary (one extra LLM call per question).",
    )
    field_terms: str = Field(
        default="on",
        pattern="^(on|off)$",
        description="on: search everyday words as the field's terms ('chatbots' as 'large language models', rag/lay_terms.py); the answer says what was rewritten. off: search every question exactly as written.",
    )
    local_gguf: Path | None = Field(default=None, description="A GGUF model file for the in-process local answerer.")
    answer_sources: int = Field(default=5, ge=1, le=20, description="Papers given to the answerer as numbered sources.")

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, v: int, info) -> int:
        size = info.data.get("chunk_tokens", 256)
        if v >= size:
            raise ValueError(f"must be smaller than chunk_tokens ({size})")
        return v

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    def masked(self) -> dict[str, object]:
        """The effective settings as plain values, safe to print."""
        out: dict[str, object] = {}
        for key, value in self.model_dump().items():
            if isinstance(value, SecretStr) or key == "openai_api_key":
                value = "***" if value else None
            out[key] = str(value) if isinstance(value, Path) else value
        return out


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with CLI overrides (None means 'not given')."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "settings"
        raise ConfigError(
            f"bad setting {field}: {err['msg']}",
            hint=f"check RAG_{field.upper()} or the matching command-line flag",
        ) from None
