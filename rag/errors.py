"""Errors a user can act on. Library code raises these; the CLI and UI turn
them into one readable line (exit code 2), never a traceback.

    RagError
     ├── ConfigError        a setting has a bad value
     ├── CorpusError        a seed file is missing, unreadable or in an unknown format
     ├── IndexError_        the index is missing, corrupt, locked or not writable
     ├── EmbedderError      the embedding model is missing or not the expected file
     ├── QueryError         a question is empty or too long
     └── LLMError           the LLM server is down, slow, rejects the key or sends garbage
"""

from __future__ import annotations


class RagError(Exception):
    """Base of every error meant for the user. `hint` says how to fix it."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(RagError):
    pass


class CorpusError(RagError):
    pass


class IndexError_(RagError):
    pass


class EmbedderError(RagError):
    pass


class QueryError(RagError):
    pass


class LLMError(RagError):
    pass
