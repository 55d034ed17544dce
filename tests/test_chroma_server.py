"""Scale-out: the same ingest / search / ask against a real `chroma run` server on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import MiniCorpus
from rag.errors import IndexError_

# PAPER_RAG_CHROMA_CLI: another `chroma` binary (a test of the CI rule below points it nowhere).
CHROMA = Path(os.environ.get("PAPER_RAG_CHROMA_CLI") or Path(sys.executable).parent / "chroma")


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; under CI (CI=true) a skip would hide that the shared-server
    tests never ran, so it fails instead."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason}; CI is set, so the Chroma server tests must run")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """`chroma run` (the Rust CLI in the chromadb wheel) on a free loopback port; stopped after."""
    if not CHROMA.exists():
        _unavailable(f"the chroma CLI is not installed at {CHROMA}")
    port = _free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("chroma run did not start")
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_without_a_chroma_server_ci_fails_where_a_developer_skips(tmp_path, ci, outcome):
    env = {**os.environ, "CI": ci, "PAPER_RAG_CHROMA_CLI": str(tmp_path / "no-chroma")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", f"{__file__}::test_a_dead_chroma_server_is_a_clear_error", "-q", "-p", "no:cacheprovider"],
        env=env, cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=300,
    )
    assert outcome in run.stdout, run.stdout[-2000:]
    assert (run.returncode != 0) == bool(ci)


def _mini(root: Path, url: str) -> MiniCorpus:
    root.mkdir()
    mini = MiniCorpus(root)
    mini.settings = mini.settings.model_copy(update={"chroma_url": url})
    return mini


def test_ingest_search_and_answer_through_a_chroma_server(tmp_path, chroma_server, no_network):
    url, _ = chroma_server
    mini = _mini(tmp_path / "mini", url)
    seeds = mini.listing("a.txt", ["tidal", "glacier", "bees"])

    _, first = mini.ingest(seeds)
    assert first.embedded == first.chunks > 0
    assert not (mini.settings.data_dir / "chroma").exists()  # the vectors live on the server

    engine = mini.engine()
    assert engine.index.collection.count() == first.chunks
    hits = engine.search("varroa mites in honey bee hives detected from sound", k=2)
    assert hits[0].paper.title == mini.papers["bees"][0]
    answer = engine.assistant.ask("How are varroa mites detected early?")
    assert answer.citations and answer.citations[0].title == mini.papers["bees"][0]

    # A second machine (fresh data dir) pointed at the same server finds every vector there.
    other = _mini(tmp_path / "other", url)
    shutil.copy(seeds, other.files / "a.txt")
    _, shared = other.ingest(other.files / "a.txt")
    assert shared.embedded == 0 and shared.chunks == first.chunks


def test_a_dead_chroma_server_is_a_clear_error(tmp_path, chroma_server):
    url, proc = chroma_server
    mini = _mini(tmp_path / "mini", url)
    mini.ingest(mini.listing("a.txt", ["tidal"]))
    proc.terminate()
    proc.wait(timeout=10)
    with pytest.raises(IndexError_, match="cannot reach the Chroma server"):
        mini.engine()


# ---------------------------------------------------------------- many corpora on one server

A_KEYS = ["tidal", "sourdough", "glacier"]
B_KEYS = ["glacier", "bees", "qec"]  # 'glacier' is in both corpora: the same text, the same content hash


def _dense_ids(engine) -> set[str]:
    """Every chunk the dense search can reach (the corpora here are far smaller than 200 chunks)."""
    vector = engine.embedder.embed_query("a research paper")
    return {cid for cid, _ in engine.index.nearest(vector, 200)}


def _assert_whole(mini: MiniCorpus, keys: list[str]) -> None:
    """This data dir's dense search reaches exactly its own chunks, and finds each paper by its topic."""
    engine = mini.engine()
    assert _dense_ids(engine) == set(engine.index.chunks)
    assert engine.index.collection.count() == len(engine.index.chunks) == sum(mini.chunk_count(k) for k in keys)
    for key in keys:
        title, abstract = mini.papers[key]
        assert engine.search(abstract.split(". ")[0], k=1, mode="dense")[0].paper.title == title, key


def test_data_dirs_sharing_a_server_keep_their_own_vectors(tmp_path, chroma_server, no_network):
    url, _ = chroma_server
    a = _mini(tmp_path / "a", url)
    b = _mini(tmp_path / "b", url)
    a_file = a.listing("a.txt", A_KEYS)
    b_file = b.listing("b.txt", B_KEYS)

    a.ingest(a_file)
    _, b_first = b.ingest(b_file)
    assert b_first.deleted == 0
    _assert_whole(a, A_KEYS)  # B's ingest deleted none of A's vectors
    _assert_whole(b, B_KEYS)

    b.ingest(b_file, rebuild=True)
    _assert_whole(a, A_KEYS)
    a.ingest(a_file, rebuild=True)
    _assert_whole(b, B_KEYS)
    _, again = a.ingest(a_file)
    assert again.embedded == again.deleted == 0
    _assert_whole(a, A_KEYS)
    _assert_whole(b, B_KEYS)

    # 'glacier' leaves A: B's copy of the same text stays searchable.
    a.listing("a.txt", ["tidal", "sourdough"])
    _, dropped = a.ingest(a_file)
    assert dropped.deleted == a.chunk_count("glacier")
    _assert_whole(a, ["tidal", "sourdough"])
    _assert_whole(b, B_KEYS)

    # A third data dir with B's file embeds nothing: its vectors come from the server, not the model.
    c = _mini(tmp_path / "c", url)
    shutil.copy(b_file, c.files / "b.txt")
    _, third = c.ingest(c.files / "b.txt")
    assert third.embedded == 0 and third.stored == third.chunks > 0
    _assert_whole(c, B_KEYS)
    _assert_whole(b, B_KEYS)


def test_a_server_collection_from_before_corpus_ids_stays_for_the_machines_still_using_it(tmp_path, chroma_server, no_network):
    from test_index import as_written_before_corpus_ids

    url, _ = chroma_server
    a = _mini(tmp_path / "a", url)
    a_file = a.listing("a.txt", A_KEYS)
    a.ingest(a_file)
    as_written_before_corpus_ids(a.settings)
    # A second machine with the same old index, reading the same old shared collection.
    b = _mini(tmp_path / "b", url)
    shutil.copytree(a.settings.data_dir, b.settings.data_dir)
    old_count = b.engine().index.collection.count()

    _, moved = a.ingest(a_file)

    assert moved.embedded == 0 and moved.corpus
    _assert_whole(a, A_KEYS)
    old = b.engine()
    assert old.index.corpus is None and old.index.collection.count() == old_count
    assert _dense_ids(old) == set(old.index.chunks)  # B's index still whole until B ingests too
    shutil.copy(a_file, b.files / "a.txt")
    _, b_moved = b.ingest(b.files / "a.txt")
    assert b_moved.embedded == 0 and b_moved.corpus != moved.corpus
    _assert_whole(b, A_KEYS)
    _assert_whole(a, A_KEYS)
