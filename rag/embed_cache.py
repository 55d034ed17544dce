"""Vectors keyed by content hash, kept beside the index (SQLite), so that a rebuild, a
renamed paper or a re-chunk that reproduces a known text never pays for embedding again.

The hash already includes the embedder id (see rag.chunk.content_hash), so vectors of
different models never mix.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np


class EmbeddingCache:
    """One table per embedder: `table` names it ("vectors" is MiniLM's; a second embedder's
    table carries its id, so a changed model never reuses the old one's vectors)."""

    def __init__(self, path: Path, dimension: int, table: str = "vectors", readonly: bool = False):
        """`readonly`: for a reader beside a running ingest (the answerer): never creates or writes,
        may be shared by threads (callers serialise), and a missing table raises sqlite3.Error on read."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table):
            raise ValueError(f"bad table name {table!r}")
        self.path = path
        self.dimension = dimension
        self.table = table
        if readonly:
            self._db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=2, check_same_thread=False)
            return
        self._db = sqlite3.connect(str(path), timeout=30)
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} (hash TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()

    def get_many(self, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            part = hashes[i : i + 500]
            rows = self._db.execute(
                f"SELECT hash, vector FROM {self.table} WHERE hash IN ({','.join('?' * len(part))})", part
            ).fetchall()
            for h, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (self.dimension,):
                    out[h] = vec
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            f"INSERT OR REPLACE INTO {self.table} (hash, vector) VALUES (?, ?)",
            [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
        )
        self._db.commit()

    def __len__(self) -> int:
        return self._db.execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()[0]

    def close(self) -> None:
        self._db.close()
