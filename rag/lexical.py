"""BM25 over chunks (bm25s), with the tokenizer both indexing and querying share.

Persisted as a directory (bm25s's arrays + our chunk-id order) and loaded once
per process, never rebuilt per query.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.text import space_unspaced_scripts

_WORD = re.compile(r"(?u)\b\w\w+\b")


@lru_cache(maxsize=1)
def _bm25s():
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG on import
    return bm25s


# How people phrase a question, not what they ask about. bm25s's list (33 words) keeps
# them, and a query word the corpus lacks counts as the rarest word in `coverage`: "What
# does QLoRA do?" covered 0.3 of its own title's chunk and was abstained on.
QUESTION_WORDS = frozenset(
    """what which who whom whose when where why how does do did doing done is are was were be
    been being am can could would should shall may might must has have had having i me my we
    our you your us any some something anything please tell explain describe show give list
    about from than so very also just its it's there's what's""".split()
)
# ... and how people chat around it ("hey, I was wondering if anyone …", "any idea whether the authors …",
# and a chat's shorthand: "tho", "rn", "imo", "idk", "lmk", none of them in an abstract).
# No abstract says them, so each counted as the rarest word: "I was wondering if there's a paper that does
# federated fine-tuning of llms" covered half of what "is there a paper that …" did and was answered `weak`.
CONVERSATION_WORDS = frozenset(
    """someone somebody anyone anybody nobody want wants wanted wondering wonder wondered curious authors
    author cite citing hello hi hey ok okay sorry um uh whats whatever folks guys colleague colleagues
    sure basically actually really pls plz thanks thank tbh btw kindly maybe perhaps hmm lol idea
    thx ty tho rn imo imho fwiw afaik iirc idk ngl lmk asap cuz yeah yep gonna wanna kinda sorta anyway anyways""".split()
)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | QUESTION_WORDS


@lru_cache(maxsize=1)
def _query_stopwords() -> frozenset[str]:
    return _stopwords() | CONVERSATION_WORDS


_PER_THREAD = threading.local()


def _stemmer():
    """One Snowball stemmer per thread: PyStemmer's objects are not thread-safe, and BM25 runs
    on its own thread while UI requests tokenize on theirs."""
    stemmer = getattr(_PER_THREAD, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _PER_THREAD.stemmer = Stemmer.Stemmer("english")
    return stemmer


def tokenize(text: str, indexing: bool = False) -> list[str]:
    """Lower-cased, stop words dropped, Snowball-stemmed word tokens. `indexing`: for the BM25
    index, which keeps the chat words (an index built before they were dropped stays the same)."""
    stop = _stopwords() if indexing else _query_stopwords()
    words = [w for w in _WORD.findall(space_unspaced_scripts(text.lower())) if w not in stop]
    return _stemmer().stemWords(words)


class LexicalIndex:
    """A BM25 index whose rows are chunk ids, in a fixed order."""

    def __init__(self, model, chunk_ids: list[str]):
        self._model = model
        self.chunk_ids = chunk_ids
        self._row = {cid: i for i, cid in enumerate(chunk_ids)}
        self._vocab = set(model.vocab_dict) if getattr(model, "vocab_dict", None) else set()

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> "LexicalIndex":
        model = _bm25s().BM25()
        if texts:
            # Each text becomes term ids as soon as it is tokenized: a list of ids shares the
            # vocabulary's int objects, where lists of stemmed words held a new str per token
            # (75 MB less at the build's peak at 100k chunks).
            vocab: dict[str, int] = {}
            ids = [[vocab.setdefault(w, len(vocab)) for w in tokenize(t, indexing=True) or ["\x00empty"]] for t in texts]
            model.index((ids, vocab), show_progress=False)
        return cls(model, list(chunk_ids))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.chunk_ids:
            self._model.save(str(directory), show_progress=False)
        (directory / "chunk_ids.json").write_text(json.dumps(self.chunk_ids))

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        bm25s = _bm25s()
        chunk_ids = json.loads((directory / "chunk_ids.json").read_text())
        # Memory-mapped: a query reads only its terms' posting lists, so a serving process
        # holds those pages, not the whole matrix (~50 MB at 100k chunks).
        model = bm25s.BM25.load(str(directory), mmap=True, show_progress=False) if chunk_ids else bm25s.BM25()
        for name in ("data", "indices", "indptr"):
            if chunk_ids and isinstance(model.scores.get(name), np.memmap):
                # Plain views of the same mapped pages: slicing an np.memmap builds a subclass
                # object each time, which was ~15% of a query.
                model.scores[name] = np.asarray(model.scores[name])
        return cls(model, chunk_ids)

    def search(self, query: str, n: int, allowed_rows: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top `n` (chunk_id, bm25 score) with score > 0; `allowed_rows` is a 0/1 mask over rows."""
        return self.search_with_strength(query, n, allowed_rows)[0]

    def search_with_strength(
        self, query: str, n: int, allowed_rows: np.ndarray | None = None
    ) -> tuple[list[tuple[str, float]], float]:
        """Like `search`, plus how specifically the best chunk matches the query, in [0, 1].

        Strength is the share of the query's IDF mass (words unknown to the corpus
        count as the rarest) that the best-scoring chunk contains. A question that
        reuses a paper's distinctive words scores near 1; a paraphrase that only
        shares generic words scores low, so fusion can stop trusting the list.
        """
        all_tokens = tokenize(query)
        tokens = [t for t in all_tokens if t in self._vocab]
        if not tokens or not self.chunk_ids:
            return [], 0.0
        scores = self._model.get_scores(tokens)
        if allowed_rows is not None:
            scores = scores * allowed_rows
        matched = np.flatnonzero(scores)  # only chunks holding a query word can rank
        if len(matched) > n:
            matched = matched[np.argpartition(-scores[matched], n - 1)[:n]]
        top = matched[np.argsort(-scores[matched], kind="stable")]
        hits = [(self.chunk_ids[i], float(scores[i])) for i in top]
        if not hits:
            return [], 0.0
        return hits, self._strength(all_tokens, int(top[0]))

    def idf(self, token: str) -> float:
        """Inverse document frequency of a (tokenized) term; unknown terms count as the rarest."""
        if token not in self._vocab:
            n_docs = self._model.scores["num_docs"] if self.chunk_ids else 1
            return float(np.log(1 + (n_docs - 0.5) / 1.5))
        return self._idf_and_rows(token)[0]

    def chunks_holding(self, word: str) -> tuple[int, int] | None:
        """(chunks that hold the word, chunks indexed): how widely it is used; None for text that
        is not one alphabetic word ("GPT-4": each part says little about the whole)."""
        tokens = tokenize(word)
        if not word.isalpha() or len(tokens) != 1 or not self.chunk_ids:
            return None
        n_docs = int(self._model.scores["num_docs"])
        return (len(self._idf_and_rows(tokens[0])[1]) if tokens[0] in self._vocab else 0), n_docs

    def chunks_with_all(self, text: str) -> list[str]:
        """The chunks that hold every word of `text` (stemmed, stop words aside), in index order."""
        tokens = tokenize(text)
        if not tokens or not self.chunk_ids or any(t not in self._vocab for t in tokens):
            return []
        rows = self._idf_and_rows(tokens[0])[1]
        for token in tokens[1:]:
            rows = np.intersect1d(rows, self._idf_and_rows(token)[1])
        return [self.chunk_ids[int(r)] for r in rows]

    def _idf_and_rows(self, token: str) -> tuple[float, np.ndarray]:
        tid = self._model.vocab_dict[token]
        indptr = self._model.scores["indptr"]
        rows = self._model.scores["indices"][indptr[tid] : indptr[tid + 1]]
        n_docs = self._model.scores["num_docs"]
        return float(np.log(1 + (n_docs - len(rows) + 0.5) / (len(rows) + 0.5))), rows

    def coverage(self, query: str, chunk_id: str) -> float:
        """Share of the query's IDF mass that one chunk contains (see search_with_strength)."""
        row = self._row.get(chunk_id)
        return self._strength(tokenize(query), row) if row is not None else 0.0

    def _strength(self, tokens: list[str], row: int) -> float:
        n_docs = self._model.scores["num_docs"]
        rarest = float(np.log(1 + (n_docs - 0.5) / 1.5))
        total = matched = 0.0
        for token in set(tokens):
            if token not in self._vocab:
                total += rarest
                continue
            idf, rows = self._idf_and_rows(token)
            total += idf
            at = int(np.searchsorted(rows, row))  # posting lists are sorted row numbers
            if at < len(rows) and rows[at] == row:
                matched += idf
        return matched / total if total else 0.0

    def rows_for(self, chunk_ids: set[str]) -> np.ndarray:
        mask = np.zeros(len(self.chunk_ids), dtype=np.float32)
        for cid in chunk_ids:
            row = self._row.get(cid)
            if row is not None:
                mask[row] = 1.0
        return mask
