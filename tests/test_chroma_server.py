"""Scale-out: the same ingest / search / ask against a real `chroma run` server on loopback."""

from __future__ import annotations

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

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """`chroma run` (the Rust CLI in the chromadb wheel) on a free loopback port; stopped after."""
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed beside this interpreter")
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
