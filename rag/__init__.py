"""paper-rag: cited answers over research-paper abstracts, offline by default.

Importing `rag` sets the offline-safe environment defaults once, before any
library that might reach for the network is imported (see `rag.offline`).
"""

from rag import offline as _offline

_offline.apply_defaults()

__version__ = "0.1.0"
