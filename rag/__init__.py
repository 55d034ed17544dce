"""paper-rag: cited answers over research-paper abstracts, offline by default.

    import rag
    lib = rag.open()                                   # the index in RAG_DATA_DIR (or data_dir=...)
    lib.search("KV cache compression", k=5)            # [Hit(paper, score, snippet), ...]
    lib.ask("How does QLoRA fine-tune a 65B model on a single GPU?")   # Answer: text, citations, evidence

The public API is exactly the names in `__all__` (tests/test_api.py pins them); every
module of the package (`rag.pipeline`, `rag.index`, ...) is internal and may change.
Errors are one tree rooted at `rag.RagError`, each with a `hint` that says how to fix it.

Importing `rag` sets the offline-safe environment defaults once, before any library that
might reach for the network is imported (see `rag.offline`), and nothing heavier: the
names below load on first use, so `import rag` (and the `rag` command) stays fast.
"""

from rag import offline as _offline

_offline.apply_defaults()

__version__ = "0.1.0"

# public name -> the internal module that defines it (loaded on first access)
_EXPORTS = {
    "open": ("rag.library", "open_library"),
    "Library": ("rag.library", "Library"),
    "AnswerStream": ("rag.library", "AnswerStream"),
    "IngestReport": ("rag.library", "IngestReport"),
    "Paper": ("rag.types", "Paper"),
    "Hit": ("rag.types", "Hit"),
    "Answer": ("rag.types", "Answer"),
    "Citation": ("rag.types", "Citation"),
    "Lookup": ("rag.types", "Lookup"),
    "Comparison": ("rag.types", "Comparison"),
    "ComparisonRow": ("rag.types", "ComparisonRow"),
    "ComparisonCell": ("rag.types", "ComparisonCell"),
    "RagError": ("rag.errors", "RagError"),
    "ConfigError": ("rag.errors", "ConfigError"),
    "CorpusError": ("rag.errors", "CorpusError"),
    "IndexError_": ("rag.errors", "IndexError_"),
    "EmbedderError": ("rag.errors", "EmbedderError"),
    "QueryError": ("rag.errors", "QueryError"),
    "LLMError": ("rag.errors", "LLMError"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        from importlib import import_module

        module, attr = _EXPORTS[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
