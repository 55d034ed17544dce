"""Environment defaults that keep every library off the network.

tiktoken downloads its BPE files on first use unless TIKTOKEN_CACHE_DIR points
at a directory that already holds them: llama-index-core ships one. Chroma and
gradio send telemetry unless told not to; Hugging Face libraries look for
updates unless told they are offline. Only unset variables are filled in, so a
user can still override each one.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path


def _llama_index_static_dir() -> Path | None:
    spec = importlib.util.find_spec("llama_index")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        static = Path(base) / "core" / "_static"
        if static.is_dir():
            return static
    return None


def apply_defaults() -> None:
    static = _llama_index_static_dir()
    if static is not None:
        tiktoken_dir = static / "tiktoken_cache"
        if tiktoken_dir.is_dir() and any(tiktoken_dir.iterdir()):
            os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(tiktoken_dir))
        nltk_dir = static / "nltk_cache"
        if nltk_dir.is_dir():
            os.environ.setdefault("NLTK_DATA", str(nltk_dir))
    for name, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }.items():
        os.environ.setdefault(name, value)
