"""Faults a user will eventually cause: Ctrl-C / SIGKILL mid-ingest, two ingests at once,
a corrupted index, an unwritable data dir, hostile question text. Each ends in a clear
message or a correct index — never a traceback, never a silently wrong index."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import F000, F001, SEEDS, rag_command
from rag.chunk import chunk_papers
from rag.config import load_settings
from rag.embed import EMBEDDER_ID
from rag.ingest import load_corpus
from rag import pipeline
from rag.pipeline import Engine


def _seed_subset(tmp_path: Path) -> Path:
    """Two seed files: ~150 papers, a few hundred chunks (an ingest of several seconds)."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in (F000, F001):
        shutil.copy(SEEDS / name, folder / name)
    return folder


def _rag(data_dir: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*rag_command(), "--data-dir", str(data_dir), *args], capture_output=True, text=True, timeout=300, **kw)


def _expected(folder: Path, settings) -> tuple[int, set[str]]:
    papers = load_corpus([folder]).papers
    chunks = chunk_papers(papers, settings.chunk_tokens, settings.chunk_overlap, salt=EMBEDDER_ID)
    return len(papers), {c.chunk_id for c in chunks}


@pytest.fixture(scope="module")
def one_seed_index(tmp_path_factory) -> tuple[Path, Path]:
    """One seed file ingested once (in-process); each damage test below damages its own copy."""
    folder = tmp_path_factory.mktemp("one-seed") / "seeds"
    folder.mkdir()
    shutil.copy(SEEDS / F000, folder / F000)
    data_dir = folder.parent / "data"
    pipeline.ingest(load_settings(data_dir=data_dir, progress=False), [folder])
    return folder, data_dir


def _copy_of(index: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    folder, data_dir = index
    shutil.copytree(data_dir, tmp_path / "data")
    return folder, tmp_path / "data"


def _rebuild_restores_search(rag_cli, folder: Path, data_dir: Path) -> None:
    """The hint works: a rebuild from the same files restores a searchable index (run in-process: the
    damage itself is found by a fresh `rag` process above, as a user meets it)."""
    rebuilt = rag_cli("--data-dir", data_dir, "ingest", "--rebuild", folder)
    assert rebuilt.exit_code == 0, rebuilt.stderr
    found = rag_cli("--data-dir", data_dir, "search", "-k", "1", "adapting driving to local traffic laws")
    assert "Driving Everywhere" in found.stdout


@pytest.mark.parametrize("attempt", [1, 3])  # early and late in the embedding (a middle kill cost CI 20 s and found nothing more)
def test_ingest_killed_midway_then_rerun_ends_with_exactly_the_right_index(tmp_path, attempt):
    folder = _seed_subset(tmp_path)
    data_dir = tmp_path / "data"
    proc = subprocess.Popen([*rag_command(), "--data-dir", str(data_dir), "ingest", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Kill it once it has started writing vectors (the embedding cache appears), at a
    # different moment each attempt.
    deadline = time.monotonic() + 120
    while not (data_dir / "embeddings.sqlite").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.4 * attempt)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed; use a bigger corpus"

    rerun = _rag(data_dir, "ingest", str(folder))
    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr

    settings = load_settings(data_dir=data_dir)
    n_papers, chunk_ids = _expected(folder, settings)
    engine = Engine(settings)
    assert len(engine.index.papers) == n_papers
    assert set(engine.index.chunks) == chunk_ids
    stored = engine.index.collection.get(include=[])["ids"]
    assert len(stored) == len(set(stored)) == len(chunk_ids)  # no duplicates, none missing
    assert set(stored) == chunk_ids
    assert engine.search("taxonomy of mixture of experts", k=1)[0].paper.title == "A Survey on Mixture of Experts"


def test_a_second_ingest_while_one_runs_is_refused_and_the_index_stays_consistent(tmp_path):
    folder = _seed_subset(tmp_path)
    data_dir = tmp_path / "data"
    first = subprocess.Popen([*rag_command(), "--data-dir", str(data_dir), "ingest", str(folder)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (data_dir / "ingest.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    second = _rag(data_dir, "ingest", str(folder))
    first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 2
    assert "another ingest is writing" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    settings = load_settings(data_dir=data_dir)
    n_papers, chunk_ids = _expected(folder, settings)
    engine = Engine(settings)
    assert len(engine.index.papers) == n_papers and set(engine.index.chunks) == chunk_ids
    # ...and with --wait the second one queues behind the first instead.
    assert _rag(data_dir, "ingest", "--wait", "60", str(folder)).returncode == 0


def test_a_corrupted_chroma_store_is_reported_with_the_rebuild_command(one_seed_index, tmp_path, rag_cli):
    folder, data_dir = _copy_of(one_seed_index, tmp_path)
    for f in (data_dir / "chroma").rglob("*"):
        if f.is_file():
            f.write_bytes(b"\x00garbage" * 64)
    result = _rag(data_dir, "search", "driving rules")
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ")
    assert "ingest --rebuild" in result.stderr
    assert "Traceback" not in result.stderr
    shutil.rmtree(data_dir / "chroma")
    _rebuild_restores_search(rag_cli, folder, data_dir)


@pytest.mark.parametrize("damage", ["truncated line", "garbage line"])
def test_a_damaged_chunk_file_is_reported_with_the_rebuild_command(one_seed_index, tmp_path, rag_cli, damage):
    # Chunk texts are read on demand: damage found at query time must still be a clear error.
    folder, data_dir = _copy_of(one_seed_index, tmp_path)
    path = data_dir / "bm25" / "chunks.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    if damage == "truncated line":
        lines = [line[: len(line) // 2] + b"\n" for line in lines]  # the id survives, the text does not
    else:
        lines = [b"\x00garbage\n"] + lines
    path.write_bytes(b"".join(lines))
    result = _rag(data_dir, "search", "driving rules")
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ") and "ingest --rebuild" in result.stderr
    assert "Traceback" not in result.stderr
    _rebuild_restores_search(rag_cli, folder, data_dir)


@pytest.mark.parametrize("damage", ["truncated line", "garbage line", "missing line", "missing file"])
def test_a_damaged_paper_file_is_reported_with_the_rebuild_command(one_seed_index, tmp_path, rag_cli, damage):
    # Paper records are read on demand from papers.jsonl: damage must be a clear error, at
    # open time (briefs) or query time (the full record), never a traceback or a wrong paper.
    folder, data_dir = _copy_of(one_seed_index, tmp_path)
    path = data_dir / "papers.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    if damage == "truncated line":
        path.write_bytes(b"".join(line[: len(line) // 2] + b"\n" for line in lines))
    elif damage == "garbage line":
        path.write_bytes(b"".join([b"\x00garbage\n", *lines]))
    elif damage == "missing line":
        path.write_bytes(b"".join(lines[1:]))
    else:
        path.unlink()
    for command in (["search", "driving rules"], ["papers"]):
        result = _rag(data_dir, *command)
        assert result.returncode == 2, result.stdout
        assert result.stderr.startswith("error: ") and "ingest --rebuild" in result.stderr
        assert "papers.jsonl" in result.stderr
        assert "Traceback" not in result.stderr
    _rebuild_restores_search(rag_cli, folder, data_dir)


def test_a_data_dir_that_cannot_be_written_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    result = _rag(blocker / "data", "ingest", str(SEEDS / F000))
    assert result.returncode == 2
    assert "cannot write to the data directory" in result.stderr
    assert "RAG_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "question, message",
    [
        ("x " * 60_000, "tokens"),  # a 120 KB paste
        ("   \t  ", "empty"),
        ("\x00\x07\x1b", "empty"),  # control characters only
    ],
)
def test_hostile_questions_get_a_specific_message_and_change_nothing(seed_index, rag_cli, question, message):
    manifest = (seed_index.data_dir / "manifest.json").read_bytes()
    for command in ("ask", "search", "cite"):
        result = rag_cli("--data-dir", seed_index.data_dir, command, question)
        assert result.exit_code == 2, (command, result.output[:200])
        assert message in result.stderr
        if message == "tokens":
            assert "1,000 tokens" in result.stderr  # says the limit
    assert (seed_index.data_dir / "manifest.json").read_bytes() == manifest


def test_a_question_that_is_not_utf8_is_refused(seed_index):
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    result = subprocess.run([*rag_command(), "--data-dir", str(seed_index.data_dir), "ask", b"caf\xe9 au lait?"],
                            capture_output=True, env=env, timeout=120)
    assert result.returncode == 2
    assert b"not valid UTF-8" in result.stderr
    assert b"Traceback" not in result.stderr


def test_control_characters_inside_a_question_are_ignored(seed_engine):
    clean = seed_engine.search("survey of mixture of experts", k=3)
    dirty = seed_engine.search("survey\x00 of\x07 mixture\x1b of experts", k=3)
    assert [h.paper.title for h in dirty] == [h.paper.title for h in clean]


def test_a_question_in_another_language_is_answered_or_declined_cleanly(seed_engine):
    answer = seed_engine.assistant.ask("¿Qué artículo presenta una encuesta sobre la mezcla de expertos?")
    assert answer.abstained or answer.citations
    if answer.citations:
        assert all(c.title in {h.paper.title for h in answer.hits} for c in answer.citations)
