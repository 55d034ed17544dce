"""The index on disk: a Chroma collection of chunk vectors (through llama-index), a BM25
index beside it, and a manifest of papers. The only module that touches chromadb.

Layout under `data_dir`:
    chroma/          Chroma's PersistentClient directory (absent in server mode)
    corpus_id        this data dir's corpus id, made by its first ingest (see "Ownership")
    bm25/            the lexical index (rebuilt at the end of each ingest that changes chunks),
                     with chunks.jsonl: every chunk's text and ids, in BM25 row order
    papers.jsonl     every paper record, one per line (read on demand, see PaperStore)
    manifest.json    the embedder, the chunk set and the paper count; written last, atomically
    ingest.lock      held while an ingest writes
    embeddings.sqlite  vectors by content hash (chunks', and every abstract sentence's for the
                     answerer: rag.sentence_vectors); survives --rebuild so nothing is embedded twice
    tables/          tables the answerer reads off the whole corpus (names, terms, word counts),
                     written by the first process that needs them, keyed by the corpus' digest

Ingest is a sync against the manifest: re-ingesting a file replaces that file's
contribution, content hashes decide what gets (re)embedded, and what Chroma already
holds is read back from Chroma itself, so a run interrupted at any point is repaired
by the next one without re-embedding what was already stored.

Ownership: one Chroma server may serve many data dirs (a team), so each data dir is a corpus
with its own collection, `<collection>-<corpus id>`. Every read, count and delete goes to that
collection alone, so no ingest, --rebuild or search can touch another corpus's records, and a
stock llama-index retriever opened on it sees this corpus only. A text another corpus already
stored (same content hash) is not embedded again: its vector is read from that corpus's
collection and stored in ours. Rejected: one shared record per text with a set of owner ids
in its metadata; the set is a read-modify-write on the server with no transaction, so two
machines ingesting at once can drop each other's claim and delete a record still in use. The
cost of ours is one more vector (1.5 KB plus its HNSW links) per corpus holding a text.
Indexes written before corpus ids (collection `<collection>`, no id) are still read; their
next ingest moves them to a corpus collection, from the vectors already stored.

Second embedder (setting `embedder = minilm+mpnet`, recorded in the manifest): every chunk also
has an mpnet vector in `<collection>-<corpus id>-mpnet` (Chroma keeps one dimension per
collection), synced, cached and copied between corpora exactly like the MiniLM one.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Iterator, NamedTuple

from rag.chunk import abstract_id, abstract_records, chunk_papers
from rag.config import Settings
from rag.errors import IndexError_
from rag.ingest import CorpusReport
from rag.types import Chunk, Paper

log = logging.getLogger(__name__)

MANIFEST_VERSION = 2  # 2: papers moved from the manifest to papers.jsonl
_UPSERT_BATCH = 256


@dataclass
class SyncReport:
    """What one ingest changed; shown to the user and asserted by tests."""

    papers: int = 0
    chunks: int = 0
    embedded: int = 0
    deleted: int = 0
    added_papers: int = 0
    removed_papers: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    stored: int = 0
    skipped: list[str] = field(default_factory=list)
    corpus: str = ""
    embedders: str = "minilm"
    second_stored: int = 0  # mpnet vectors, with the minilm+mpnet setting
    second_embedded: int = 0
    abstracts_stored: int = 0  # ... and whole-abstract mpnet vectors (one per paper)
    abstracts_embedded: int = 0
    sentences_embedded: int = 0  # abstract sentences, for the answerer (rag.sentence_vectors)

    def summary(self) -> str:
        return (
            f"index holds {self.papers} papers in {self.chunks} chunks; "
            f"stored {self.stored} ({self.embedded} newly embedded), deleted {self.deleted} chunks "
            f"({self.added_papers} papers added, {self.removed_papers} removed) in {self.seconds:.1f}s"
            + (f"; mpnet vectors: stored {self.second_stored} ({self.second_embedded} newly embedded), whole abstracts "
               f"{self.abstracts_stored} ({self.abstracts_embedded} newly embedded)" if self.embedders != "minilm" else "")
            + (f"; {self.sentences_embedded} abstract sentences newly embedded" if self.sentences_embedded else "")
            + (f"; corpus {self.corpus}" if self.corpus else "")
        )


# ---------------------------------------------------------------- files on disk


def rebuild_hint(data_dir: Path) -> str:
    return f"rebuild it: rag --data-dir {data_dir} ingest --rebuild"


PAPERS_FILE = "papers.jsonl"


def _write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Replace `path` with `text` (or its parts, written one by one) all at once."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        if isinstance(text, str):
            fh.write(text)
        else:
            fh.writelines(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _ensure_writable(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise IndexError_(
            f"cannot write to the data directory {data_dir} ({exc.strerror or exc})",
            hint="set RAG_DATA_DIR or --data-dir to a writable directory",
        ) from None


@contextmanager
def ingest_lock(data_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """One writer at a time per data dir; a second ingest waits up to `wait_seconds`, then refuses."""
    _ensure_writable(data_dir)
    fh = open(data_dir / "ingest.lock", "a+")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexError_(
                        f"another ingest is writing to {data_dir}",
                        hint="wait for it to finish (or pass --wait SECONDS) and run the command again",
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        fh.close()


CORPUS_FILE = "corpus_id"
_CORPUS_ID = re.compile(r"[0-9a-f]{16}")


def corpus_id(data_dir: Path) -> str:
    """This data dir's corpus id, made once and kept in its own file (and in the manifest).

    Written before anything reaches Chroma: were it only in the manifest (written last), an
    ingest interrupted the first time would come back under a new id and orphan its records."""
    path = data_dir / CORPUS_FILE
    try:
        found = path.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        found = ""
    if _CORPUS_ID.fullmatch(found):
        return found
    found = str((_read_manifest_or_none(data_dir) or {}).get("corpus") or "")
    if not _CORPUS_ID.fullmatch(found):
        if path.exists():
            log.warning("%s is damaged; this data dir gets a new corpus id", path)
        found = uuid.uuid4().hex[:16]
    _write_atomic(path, found + "\n")
    return found


def corpus_collection(base: str, corpus: str) -> str:
    """The Chroma collection that holds one corpus's records (and only them)."""
    return f"{base}-{corpus}"


SECOND_SUFFIX = "-mpnet"  # the corpus's mpnet vectors: Chroma keeps one dimension per collection
ABSTRACT_SUFFIX = "-mpnet-abstracts"  # ... and one mpnet vector per whole abstract (see abstract_records)


def index_embedders(manifest: Mapping[str, Any] | None) -> str:
    """The `embedder` setting an index was built with (indexes from before the setting: minilm)."""
    return str((manifest or {}).get("embedders") or "minilm")


def chosen_embedders(settings: Settings, manifest: Mapping[str, Any] | None) -> str:
    """The embedders an ingest uses: the setting when given (RAG_EMBEDDER or --embedder), else
    the ones the index was built with, so a plain `rag ingest` never drops the mpnet vectors."""
    if "embedder" in settings.model_fields_set or manifest is None:
        return settings.embedder
    return index_embedders(manifest)


def check_embedders(settings: Settings, manifest: Mapping[str, Any]) -> str:
    """The index's embedders, or a clear refusal when the setting asks for others: the
    question would be embedded by models whose vectors the index does not hold."""
    built = index_embedders(manifest)
    if "embedder" in settings.model_fields_set and settings.embedder != built:
        raise IndexError_(
            f"the index in {settings.data_dir} was built with embedder {built}, the setting asks for {settings.embedder}",
            hint=f"rebuild it: rag --data-dir {settings.data_dir} ingest --embedder {settings.embedder} "
            f"(only the missing vectors are embedded), or unset RAG_EMBEDDER to use it as built",
        )
    return built


def read_manifest(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / "manifest.json"
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("version") != MANIFEST_VERSION:
            raise ValueError(f"version {manifest.get('version')!r}")
        return manifest
    except (ValueError, OSError) as exc:
        raise IndexError_(
            f"the index manifest {path} is unreadable ({exc})",
            hint=rebuild_hint(data_dir),
        ) from None


# ---------------------------------------------------------------- Chroma


def _chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}")
        if not url.hostname or not url.port:
            raise IndexError_(f"bad Chroma URL {settings.chroma_url!r}", hint="use http://HOST:PORT")
        try:
            client = chromadb.HttpClient(host=url.hostname, port=url.port, ssl=url.scheme == "https", settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:
            raise IndexError_(
                f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__})",
                hint="start it with `chroma run --path DIR --host 127.0.0.1 --port PORT` or unset RAG_CHROMA_URL",
            ) from None
        return client
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        raise IndexError_(
            f"cannot open the Chroma store in {settings.chroma_dir} ({type(exc).__name__}: {str(exc)[:120]})",
            hint="if it is corrupt, " + rebuild_hint(settings.data_dir),
        ) from None


# How many candidates Chroma's HNSW search keeps. Chroma's default (100) is too few for the
# 50 candidates we ask for: measured recall@50 against exact search was 0.988 on the seeds
# (the best chunk of "Driving Everywhere…" was missed in 2 of 10 processes, each of which
# rebuilds the graph differently) and 0.76 at 100k chunks (top-1 right for 87 of 103
# questions). 400: 1.000 on the seeds, 0.93 at 100k (top-1 100/103), +0.4 / +1.4 ms a query.
HNSW_EF_SEARCH = 400


def _collection(client, name: str, create: bool):
    # embedding_function=None on both calls: otherwise Chroma attaches its own
    # default embedder, which downloads a model.
    try:
        if create:
            collection = client.get_or_create_collection(
                name=name, embedding_function=None, configuration={"hnsw": {"space": "cosine", "ef_search": HNSW_EF_SEARCH}}
            )
            if (collection.configuration.get("hnsw") or {}).get("ef_search") != HNSW_EF_SEARCH:
                collection.modify(configuration={"hnsw": {"ef_search": HNSW_EF_SEARCH}})  # made by an older version
            return collection
        return client.get_collection(name=name, embedding_function=None)
    except Exception as exc:
        raise IndexError_(
            f"cannot open the Chroma collection {name!r} ({type(exc).__name__}: {str(exc)[:120]})",
            hint="run `rag ingest` to build the index",
        ) from None


def _drop_collection(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:
        pass  # not there: nothing to drop


class _StoredVectors:
    """Vectors already on the Chroma store by content hash: in other corpora's collections and
    in a collection written before corpus ids. Read only; their owners' records are untouched."""

    def __init__(self, client, base: str, own: str, dimension: int, suffix: str = ""):
        self._client = client
        self._dimension = dimension
        # suffix "": MiniLM collections (and the one from before corpus ids); "-mpnet": the second embedder's
        self.names = sorted(
            name
            for name in (getattr(c, "name", c) for c in client.list_collections())
            if name != own
            and (
                (name == base and not suffix)
                or (name.startswith(base + "-") and name.endswith(suffix) and _CORPUS_ID.fullmatch(name[len(base) + 1 : len(name) - len(suffix)]))
            )
        )

    def __call__(self, hashes: list[str]) -> dict[str, Any]:
        import numpy as np

        found: dict[str, Any] = {}
        for name in self.names:
            wanted = {h for h in hashes if h not in found}
            if not wanted:
                break
            try:
                got = self._client.get_collection(name, embedding_function=None).get(
                    where={"content_hash": {"$in": sorted(wanted)}}, include=["embeddings", "metadatas"]
                )
            except Exception:
                continue  # dropped by its owner meanwhile: embed instead
            for meta, vector in zip(got["metadatas"], got["embeddings"]):
                if meta and meta.get("content_hash") in wanted and len(vector) == self._dimension:
                    found[meta["content_hash"]] = np.asarray(vector, dtype=np.float32)
        return found


def _chunk_metadata(chunk: Chunk, paper: Paper, embedder_id: str, corpus: str) -> dict[str, Any]:
    """Flat metadata, as Chroma requires: lists joined, missing year as -1."""
    return {
        "corpus": corpus,
        "paper_id": chunk.paper_id,
        "title": chunk.title,
        "position": chunk.position,
        "content_hash": chunk.content_hash,
        "sources": "|".join(paper.sources),
        "year": paper.year or -1,
        "embedder": embedder_id,
    }


_SYNC_FIELDS = ("content_hash", "sources", "year", "title")
_SCAN_PAGE = 1000  # 5000 per page: 3.8 s quicker at 100k chunks, 210 MB more peak memory


def _existing_metadata(collection) -> dict[str, dict[str, Any]]:
    """Every stored chunk's sync fields, read back from Chroma itself (the ground truth):
    `collection` is this corpus's own, so nothing another corpus stored is ever taken as stale.

    Only the fields sync compares are kept: llama-index also stores each node's whole JSON
    (text included) as metadata; those are read page by page and not kept."""
    out: dict[str, dict[str, Any]] = {}
    total = collection.count()
    offset = 0
    while offset < total:
        got = collection.get(include=["metadatas"], limit=_SCAN_PAGE, offset=offset)
        for cid, meta in zip(got["ids"], got["metadatas"]):
            out[cid] = {key: meta[key] for key in _SYNC_FIELDS if key in meta} if meta else {}
        if not got["ids"]:
            break
        offset += len(got["ids"])
    return out


# ---------------------------------------------------------------- sync


def _merge_registry(old: list[Paper], report: CorpusReport) -> list[Paper]:
    """Papers after re-syncing the report's files: their old contributions are replaced, and a
    paper already indexed from another file (same DOI, arXiv id or title) keeps its id (rag.ingest)."""
    from rag.ingest import merge_registry

    return merge_registry(old, report)


def sync(
    report: CorpusReport,
    settings: Settings,
    embedder=None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    lock_wait: float = 0.0,
    second_embedder=None,
) -> SyncReport:
    """Bring the index in line with `report`'s files; embed only chunks whose content changed.

    `embedder` defaults to the shared MiniLM one, loaded only if something needs embedding;
    with the `minilm+mpnet` setting every chunk also gets an mpnet vector (`second_embedder`,
    default the shared one) in a second collection, synced the same way.
    Reads, deletes and --rebuild touch this data dir's corpus collection only (see the module
    docstring); a text already on the store under another corpus is copied, not embedded.
    """
    from rag.embed import EMBEDDER_ID, default_embedder

    embedder_id = embedder.id if embedder is not None else EMBEDDER_ID
    started = time.perf_counter()
    data_dir = settings.data_dir
    with ingest_lock(data_dir, wait_seconds=lock_wait):
        previous = _read_manifest_or_none(data_dir)
        manifest = None if rebuild else previous
        embedders = chosen_embedders(settings, previous)
        if embedders == "minilm+mpnet":
            from rag.embed_mpnet import check_available

            check_available(settings)  # before anything is written: a missing model fails at once
        old_papers = _read_old_papers(data_dir) if manifest else []
        papers = _merge_registry(old_papers, report)
        chunks = chunk_papers(papers, settings.chunk_tokens, settings.chunk_overlap, salt=embedder_id)
        by_paper = {p.paper_id: p for p in papers}

        client = _chroma_client(settings)
        corpus = corpus_id(data_dir)
        name = corpus_collection(settings.collection, corpus)
        second_name = name + SECOND_SUFFIX
        second = ((previous or {}).get("second") or {}).get("embedder")
        if rebuild:
            _drop_collection(client, name)
        abstract_name = name + ABSTRACT_SUFFIX
        if rebuild or embedders == "minilm" or (second and second != _second_id()):
            _drop_collection(client, second_name)  # not wanted, or made by another mpnet model
            _drop_collection(client, abstract_name)

        result = SyncReport(skipped=[f"{s.source}:{s.line}: {s.reason}" for s in report.skipped], corpus=corpus, embedders=embedders)
        first = _CollectionSync(_collection(client, name, create=True), chunks, by_paper)
        plans = [first]
        if embedders == "minilm+mpnet":
            plans.append(_CollectionSync(_collection(client, second_name, create=True), chunks, by_paper))
            plans.append(_CollectionSync(_collection(client, abstract_name, create=True), abstract_records(papers, embedder_id), by_paper))
        total = sum(len(plan.todo) for plan in plans)
        result.deleted = first.delete_stale()
        if first.todo:
            embedder = embedder or default_embedder(settings)
            result.stored = len(first.todo)
            result.embedded, result.embed_seconds = first.store(
                embedder, _offset(progress, 0, total), data_dir / "embeddings.sqlite", "vectors",
                _StoredVectors(client, settings.collection, name, embedder.dimension), corpus,
            )
        done = len(first.todo)
        for plan, collection_name, suffix in zip(plans[1:], (second_name, abstract_name), (SECOND_SUFFIX, ABSTRACT_SUFFIX)):
            from rag.embed_mpnet import default_mpnet

            plan.delete_stale()
            if plan.todo:
                mpnet = second_embedder or default_mpnet(settings)
                embedded, seconds = plan.store(
                    mpnet, _offset(progress, done, total), data_dir / "embeddings.sqlite", _cache_table(mpnet.id),
                    _StoredVectors(client, settings.collection, collection_name, mpnet.dimension, suffix), corpus,
                )
                if suffix == SECOND_SUFFIX:
                    result.second_stored, result.second_embedded = len(plan.todo), embedded
                else:
                    result.abstracts_stored, result.abstracts_embedded = len(plan.todo), embedded
                result.embed_seconds += seconds
                done += len(plan.todo)

        # Every abstract sentence's vector, for the answer (the answerer embedded them per question before).
        from rag.embed import DIMENSION
        from rag.sentence_vectors import store_sentence_vectors

        result.sentences_embedded, seconds = store_sentence_vectors(
            (p.abstract for p in papers), embedder_id, embedder.dimension if embedder is not None else DIMENSION,
            lambda: embedder or default_embedder(settings), data_dir / "embeddings.sqlite",
            (lambda n, of: progress(total + n, total + of)) if progress is not None else None,
        )
        result.embed_seconds += seconds

        chunks_changed = manifest is None or manifest.get("chunk_set") != _chunk_set_key(chunks)
        if chunks_changed or not (data_dir / "bm25" / "chunk_ids.json").exists():
            _write_lexical(data_dir, chunks)
        old_ids = {p.paper_id for p in old_papers}
        result.added_papers = len([p for p in papers if p.paper_id not in old_ids])
        result.removed_papers = len(old_ids - set(by_paper))
        _write_atomic(data_dir / PAPERS_FILE, (p.model_dump_json() + "\n" for p in papers))
        _write_atomic(
            data_dir / "manifest.json",
            json.dumps(
                {
                    "version": MANIFEST_VERSION,
                    "embedder": embedder_id,
                    "embedders": embedders,
                    **({"second": {"embedder": _second_id(), "collection": second_name, "abstracts": abstract_name}}
                       if len(plans) > 1 else {}),
                    "corpus": corpus,
                    "collection": name,
                    "chunking": {"tokens": settings.chunk_tokens, "overlap": settings.chunk_overlap},
                    "chunk_set": _chunk_set_key(chunks),
                    "papers": len(papers),
                },
                ensure_ascii=False,
            ),
        )
        if not settings.chroma_url and settings.collection != name:
            # The embedded store is this data dir's alone: the collection written before corpus
            # ids (if any) was copied above and is dropped now that the manifest names ours. On a
            # server it may still be another machine's index; it stays.
            _drop_collection(client, settings.collection)
        result.papers = len(papers)
        result.chunks = len(chunks)
        result.seconds = time.perf_counter() - started
        return result


def _second_id() -> str:
    from rag.embed_mpnet import EMBEDDER_ID as MPNET_ID

    return MPNET_ID


def _cache_table(embedder_id: str) -> str:
    """The embedding-cache table of a second embedder: its id, so a new model starts empty."""
    return "vectors_" + re.sub(r"[^A-Za-z0-9]", "_", embedder_id)


def _offset(progress: Callable[[int, int], None] | None, before: int, total: int) -> Callable[[int, int], None] | None:
    """One progress bar over both collections' work."""
    if progress is None:
        return None
    return lambda done, _: progress(before + done, total)


class _CollectionSync:
    """What one collection lacks (`todo`) and holds in excess (`stale`), read from Chroma itself."""

    def __init__(self, collection, chunks: list[Chunk], by_paper: dict[str, Paper]):
        self.collection = collection
        self.by_paper = by_paper
        existing = _existing_metadata(collection)
        self.wanted = {c.chunk_id: c for c in chunks}
        self.stale = [cid for cid, m in existing.items() if cid not in self.wanted or self.wanted[cid].content_hash != m.get("content_hash")]
        self.todo = [c for c in chunks if existing.get(c.chunk_id, {}).get("content_hash") != c.content_hash]
        todo_ids = {t.chunk_id for t in self.todo}
        _refresh_paper_metadata(collection, [c for c in chunks if c.chunk_id not in todo_ids], existing, by_paper)

    def delete_stale(self) -> int:
        """Drop stale records; the count of chunks that are gone (not merely changed)."""
        for i in range(0, len(self.stale), 5000):
            self.collection.delete(ids=self.stale[i : i + 5000])
        return len([cid for cid in self.stale if cid not in self.wanted])

    def store(self, embedder, progress, cache_path: Path, cache_table: str, stored, corpus: str) -> tuple[int, float]:
        return _embed_and_store(self.collection, self.todo, self.by_paper, embedder, progress, cache_path, stored, corpus, cache_table)


def _refresh_paper_metadata(collection, kept: list[Chunk], existing: dict[str, dict[str, Any]], by_paper: dict[str, Paper]) -> None:
    """A paper that gained or lost a source file keeps its vectors; only its flat metadata changes."""
    ids, metas = [], []
    for chunk in kept:
        paper = by_paper[chunk.paper_id]
        fresh = {"sources": "|".join(paper.sources), "year": paper.year or -1, "title": paper.title}
        old = existing.get(chunk.chunk_id, {})
        if any(old.get(k) != v for k, v in fresh.items()):
            ids.append(chunk.chunk_id)
            metas.append(fresh)
    for i in range(0, len(ids), 5000):
        collection.update(ids=ids[i : i + 5000], metadatas=metas[i : i + 5000])


def _read_old_papers(data_dir: Path) -> list[Paper]:
    """The papers of the last finished ingest (a damaged file: start from this run's files)."""
    try:
        return list(PaperStore(data_dir).values())
    except IndexError_:
        log.warning("papers.jsonl unreadable; keeping only the papers of the files ingested now")
        return []


def _read_manifest_or_none(data_dir: Path) -> dict[str, Any] | None:
    try:
        return read_manifest(data_dir)
    except IndexError_:
        log.warning("manifest unreadable; re-syncing from scratch (Chroma's stored vectors are reused)")
        return None


def _chunk_set_key(chunks: list[Chunk]) -> str:
    import hashlib

    h = hashlib.sha1()
    for c in chunks:
        h.update(f"{c.chunk_id}={c.content_hash};".encode())
    return h.hexdigest()


def _embed_and_store(
    collection, todo: list[Chunk], by_paper: dict[str, Paper], embedder, progress, cache_path: Path,
    stored: Callable[[list[str]], dict[str, Any]], corpus: str, cache_table: str = "vectors",
) -> tuple[int, float]:
    """Embed in batches (vectors in the cache, or `stored` elsewhere on the Chroma store, are
    reused) and add each batch to Chroma as soon as it is ready, so an interrupted ingest keeps
    what it stored. Returns (chunks actually embedded, seconds spent embedding).

    Batches reach Chroma in order through one writer thread, so the next batch is being
    embedded while the last one is written (and while llama-index is first imported)."""
    from concurrent.futures import ThreadPoolExecutor

    from rag.embed_cache import EmbeddingCache

    cache = EmbeddingCache(cache_path, embedder.dimension, cache_table)
    embed_seconds = 0.0
    embedded = 0
    done = 0
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer")
    pending = None
    try:
        for i in range(0, len(todo), _UPSERT_BATCH):
            batch = todo[i : i + _UPSERT_BATCH]
            known = cache.get_many([c.content_hash for c in batch])
            if len(known) < len(batch):
                found = stored(sorted({c.content_hash for c in batch if c.content_hash not in known}))
                if found:
                    cache.put_many(found)
                    known.update(found)
            missing = [c for c in batch if c.content_hash not in known]
            if missing:
                t0 = time.perf_counter()
                fresh = embedder.embed([c.embed_text for c in missing])
                embed_seconds += time.perf_counter() - t0
                embedded += len(missing)
                new = {c.content_hash: fresh[j] for j, c in enumerate(missing)}
                cache.put_many(new)
                known.update(new)
            if pending is not None:
                pending.result()  # at most one batch in flight; its errors surface here
                done += _UPSERT_BATCH
                if progress is not None:
                    progress(min(done, len(todo)), len(todo))
            pending = writer.submit(_store_batch, collection, batch, [known[c.content_hash] for c in batch], by_paper, embedder.id, corpus)
        if pending is not None:
            pending.result()
            if progress is not None:
                progress(len(todo), len(todo))
    finally:
        writer.shutdown(wait=True)
        cache.close()
    return embedded, embed_seconds


def _store_batch(collection, batch: list[Chunk], vectors: list, by_paper: dict[str, Paper], embedder_id: str, corpus: str) -> None:
    """Write one batch through llama-index's ChromaVectorStore (its node format, so the
    collection stays readable by any llama-index VectorStoreIndex)."""
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    nodes = [
        TextNode(
            id_=c.chunk_id,
            text=c.text,
            embedding=vectors[j].tolist(),
            metadata=_chunk_metadata(c, by_paper[c.paper_id], embedder_id, corpus),
            excluded_embed_metadata_keys=["corpus", "content_hash", "sources", "year", "embedder", "position"],
        )
        for j, c in enumerate(batch)
    ]
    ChromaVectorStore(chroma_collection=collection).add(nodes)


def _write_lexical(data_dir: Path, chunks: list[Chunk]) -> None:
    from rag.lexical import LexicalIndex

    lexical = LexicalIndex.build([c.chunk_id for c in chunks], [c.embed_text for c in chunks])
    tmp = data_dir / "bm25.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    lexical.save(tmp)
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(c.model_dump(mode="json"), ensure_ascii=False) + "\n")
    final = data_dir / "bm25"
    old = data_dir / "bm25.old"
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)


# ---------------------------------------------------------------- reading


_STREAM_BLOCK = 1 << 20  # bytes per pread when a store streams every record


class _JsonlRecords:
    """Records of one JSONL file, parsed on demand: only byte offsets (and what every query
    needs) stay in memory. pread, not seek+read, so UI threads can share the descriptor; an
    ingest replaces the file by rename, so an open store keeps reading the version it opened."""

    kind = "record"

    def __init__(self, path: Path, data_dir: Path):
        self.path = path
        self._data_dir = data_dir
        self._fd: int | None = None

    def _open(self) -> None:
        self._fd = os.open(self.path, os.O_RDONLY)

    def _damaged(self, key: str, exc: Exception) -> IndexError_:
        return IndexError_(
            f"{self.kind} {key} in {self.path} is unreadable ({type(exc).__name__})",
            hint=rebuild_hint(self._data_dir),
        )

    def _load(self, key: str, offset: int, size: int, model: type) -> Any:
        try:
            return model(**json.loads(os.pread(self._fd, size, offset)))
        except (OSError, ValueError, TypeError) as exc:
            raise self._damaged(key, exc) from None

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass


class ChunkStore(_JsonlRecords):
    """chunk_id → Chunk, read on demand from `chunks.jsonl`.

    Why: at 100k chunks, parsed Chunk objects took ~200 MB of a serving process for text that a
    query reads 15 of. `paper_of` answers the question retrieval asks of every candidate from
    the id alone ('<paper_id>:<n>')."""

    kind = "chunk"
    _ID = re.compile(rb'^\{"chunk_id": "([^"\\]+)"')

    def __init__(self, path: Path):
        super().__init__(path, path.parent.parent)
        self._offsets: dict[str, tuple[int, int]] = {}
        with open(path, "rb") as fh:
            position = 0
            for line in fh:
                match = self._ID.match(line)
                chunk_id = match.group(1).decode("utf-8") if match else json.loads(line)["chunk_id"]
                self._offsets[chunk_id] = (position, len(line))
                position += len(line)
        self._by_paper: dict[str, tuple[str, ...]] | None = None
        self._open()

    @staticmethod
    def paper_of(chunk_id: str) -> str:
        return chunk_id.rsplit(":", 1)[0]

    def __getitem__(self, chunk_id: str) -> Chunk:
        offset, size = self._offsets[chunk_id]
        return self._load(chunk_id, offset, size, Chunk)

    def get(self, chunk_id: str, default: Chunk | None = None) -> Chunk | None:
        return self[chunk_id] if chunk_id in self._offsets else default

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[str]:
        return iter(self._offsets)

    def values(self) -> Iterator[Chunk]:
        """Every chunk, read one by one (for tools and checks; queries never need all)."""
        return (self[cid] for cid in self._offsets)

    def ids_of_papers(self, paper_ids: set[str]) -> set[str]:
        return {cid for pid in paper_ids for cid in self.of_paper(pid)}

    def of_paper(self, paper_id: str) -> tuple[str, ...]:
        """The ids of a paper's chunks, in the store's order (a map built on first use)."""
        if self._by_paper is None:
            by_paper: dict[str, list[str]] = {}
            for cid in self._offsets:
                by_paper.setdefault(self.paper_of(cid), []).append(cid)
            self._by_paper = {pid: tuple(ids) for pid, ids in by_paper.items()}
        return self._by_paper.get(paper_id, ())


class PaperBrief(NamedTuple):
    """What filters, listings and name checks need of every paper; kept in memory."""

    paper_id: str
    title: str
    year: int | None
    sources: tuple[str, ...]


class PaperStore(_JsonlRecords, Mapping[str, Paper]):
    """paper_id → Paper, read on demand from `papers.jsonl`; briefs of all papers in memory.

    Why: at 43k papers the parsed records (abstracts, authors) took ~120 MB of a serving
    process, and parsing them from one big manifest briefly needed twice that; a query
    reads the 5 it returns. Filters run over the briefs."""

    kind = "paper"

    def __init__(self, data_dir: Path, expected: int | None = None):
        super().__init__(data_dir / PAPERS_FILE, data_dir)
        self._rows: dict[str, tuple[int, int, PaperBrief]] = {}
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # most papers share a few source lists
        try:
            with open(self.path, "rb") as fh:
                position = 0
                for line in fh:
                    try:
                        raw = json.loads(line)
                        published = raw.get("published")
                        sources = tuple(raw["sources"])
                        brief = PaperBrief(raw["paper_id"], raw["title"], int(published[:4]) if published else None, shared.setdefault(sources, sources))
                    except (ValueError, KeyError, TypeError) as exc:
                        raise self._damaged(f"at byte {position}", exc) from None
                    self._rows[brief.paper_id] = (position, len(line), brief)
                    position += len(line)
        except OSError as exc:
            raise IndexError_(f"cannot read {self.path}: {exc.strerror or exc}", hint=rebuild_hint(data_dir)) from None
        if expected is not None and len(self._rows) != expected:
            raise IndexError_(
                f"{self.path} holds {len(self._rows)} papers, the manifest says {expected}",
                hint=rebuild_hint(data_dir),
            )
        self._open()

    def __getitem__(self, paper_id: str) -> Paper:
        offset, size, _ = self._rows[paper_id]
        return self._load(paper_id, offset, size, Paper)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def brief(self, paper_id: str) -> PaperBrief:
        return self._rows[paper_id][2]

    def briefs(self) -> Iterator[PaperBrief]:
        return (row[2] for row in self._rows.values())

    def _raw(self) -> Iterator[dict]:
        """Every paper's stored fields, streamed from the opened file (no records built), the version this
        store opened even if replaced since. Read by pread at this stream's own offset: a dup'd descriptor
        shares one offset, so two streams at once (one started while another was read, or UI threads)
        read each other's bytes and failed on a torn JSON line."""
        offset, pending = 0, b""
        while block := os.pread(self._fd, _STREAM_BLOCK, offset):
            offset += len(block)
            *lines, pending = (pending + block).split(b"\n")
            yield from (json.loads(line) for line in lines if line.strip())
        if pending.strip():
            yield json.loads(pending)

    def author_lists(self) -> Iterator[tuple[str, list[str]]]:
        """(paper_id, authors) of every paper."""
        return ((raw["paper_id"], raw.get("authors") or []) for raw in self._raw())

    def texts(self) -> Iterator[str]:
        """Every title and abstract."""
        return (text for raw in self._raw() for text in (raw["title"], raw["abstract"]))

    def titles_and_abstracts(self) -> Iterator[tuple[str, str, str]]:
        """(paper_id, title, abstract) of every paper, streamed in one pass."""
        return ((raw["paper_id"], raw["title"], raw["abstract"]) for raw in self._raw())

    def texts_by_paper(self) -> Iterator[tuple[str, str]]:
        """(paper_id, title and abstract) of every paper."""
        return ((raw["paper_id"], f"{raw['title']}\n{raw['abstract']}") for raw in self._raw())


class StoredIndex:
    """An opened index: papers, chunks, the BM25 index and this corpus's Chroma collection
    (`corpus` None: an index written before corpus ids, read from its old collection)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        manifest = read_manifest(settings.data_dir)
        if manifest is None:
            raise IndexError_(
                f"no index in {settings.data_dir}",
                hint="build it first: rag ingest (or set RAG_DATA_DIR to where you built it)",
            )
        self.embedder_id: str = manifest["embedder"]
        self.corpus: str | None = manifest.get("corpus")
        self.tables_dir = settings.data_dir / "tables"  # corpus tables the answerer builds once (rag.names.per_corpus)
        self.papers = PaperStore(settings.data_dir, expected=manifest["papers"])
        from rag.lexical import LexicalIndex

        bm25_dir = settings.data_dir / "bm25"
        try:
            self.lexical = LexicalIndex.load(bm25_dir)
            self.chunks = ChunkStore(bm25_dir / "chunks.jsonl")
        except (OSError, ValueError, KeyError) as exc:
            raise IndexError_(
                f"the lexical index in {bm25_dir} is missing or corrupt ({type(exc).__name__})",
                hint=rebuild_hint(settings.data_dir),
            ) from None
        self.embedders = check_embedders(settings, manifest)
        client = _chroma_client(settings)
        self.collection = _collection(client, manifest.get("collection") or settings.collection, create=False)
        second = manifest.get("second") or {}
        self.second_embedder_id: str | None = second.get("embedder")
        self.second_collection = _collection(client, second["collection"], create=False) if second else None
        # Indexes built before whole-abstract vectors have none until their next ingest adds them.
        self.abstract_collection = _collection(client, second["abstracts"], create=False) if second.get("abstracts") else None

    def nearest(self, vector: list[float], n: int, paper_ids: set[str] | None = None, second: bool = False) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the `n` nearest chunks of this corpus, best first
        (its collection holds nothing else: no `where` needed to keep other corpora out);
        `second`: by the mpnet vectors (minilm+mpnet indexes).

        Asks Chroma for ids and distances only. llama-index's ChromaVectorStore.query also
        fetches every hit's document and metadata from SQLite and rebuilds nodes from them:
        measured on the seeds, that was 2/3 of a 50-candidate query, and the chunk texts are
        already in `self.chunks`."""
        where = None
        if paper_ids is not None:
            if not paper_ids:
                return []
            where = {"paper_id": {"$in": sorted(paper_ids)}}
        with self._answering():
            result = self._chosen(second).query(
                query_embeddings=[list(vector)], n_results=max(1, n), where=where, include=["distances"]
            )
        # Cosine space: distance = 1 - cosine similarity.
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def similarities(self, vector, chunk_ids: list[str], second: bool = False) -> dict[str, float]:
        """Cosine similarity of `vector` to each stored chunk in `chunk_ids` (the candidates one
        collection found and the other did not rank; stored vectors are unit length)."""
        return self._cosines(self._chosen(second), vector, chunk_ids)

    def abstract_similarities(self, vector, paper_ids) -> dict[str, float]:
        """Cosine of `vector` (an mpnet query vector) to each paper's whole-abstract vector, by paper
        id; empty for an index without them."""
        if self.abstract_collection is None:
            return {}
        cosines = self._cosines(self.abstract_collection, vector, [abstract_id(pid) for pid in paper_ids])
        return {ChunkStore.paper_of(rid): x for rid, x in cosines.items()}

    def _cosines(self, collection, vector, ids: list[str]) -> dict[str, float]:
        """id -> cosine of `vector` to that stored (unit-length) vector of `collection`."""
        import numpy as np

        if not ids:
            return {}
        with self._answering():
            got = collection.get(ids=list(ids), include=["embeddings"])
        if not len(got["ids"]):
            return {}
        scores = np.asarray(got["embeddings"], dtype=np.float32) @ np.asarray(vector, dtype=np.float32)
        return {rid: float(x) for rid, x in zip(got["ids"], scores)}

    def _chosen(self, second: bool):
        if not second:
            return self.collection
        if self.second_collection is None:
            raise IndexError_(
                f"the index in {self.settings.data_dir} holds no mpnet vectors",
                hint=f"rebuild it: rag --data-dir {self.settings.data_dir} ingest --embedder minilm+mpnet",
            )
        return self.second_collection

    @contextmanager
    def _answering(self) -> Iterator[None]:
        try:
            yield
        except IndexError_:
            raise
        except Exception as exc:
            raise IndexError_(
                f"the Chroma store could not answer a query ({type(exc).__name__}: {str(exc)[:120]})",
                hint="if it is corrupt, " + rebuild_hint(self.settings.data_dir),
            ) from None

    def stats(self) -> dict[str, Any]:
        """Counts of this corpus alone (the Chroma server may hold many)."""
        return {"papers": len(self.papers), "chunks": len(self.chunks), "corpus": self.corpus, "embedder": self.embedders}
