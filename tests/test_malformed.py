"""Bad seed files: a clear CorpusError naming file and line, nothing silently dropped,
and through the CLI exit code 2, one 'error:' line, no traceback, the index untouched."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import CHROME, listing_text, markdown_text, rag_command
from rag.errors import CorpusError
from rag.ingest import load_corpus

GOOD_ABSTRACT = "This abstract is long enough to be a paragraph and says what the paper does in detail. " * 2


def _bad_files(tmp_path):
    """name → (path, the line number the error must name, or None)."""
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("\n\n<html><body>\n<p>not a seed file</p>\n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"A Title\n\nAn abstract\nwith a \x00 NUL byte on line four\n")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("A Title\n\n".encode() + "Caf\u00e9 abstract written in Latin-1".encode("latin-1") + b"\n")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n   \n\t\n", encoding="utf-8")
    chrome_only = tmp_path / "chrome_only.txt"
    chrome_only.write_text("\n\n".join(CHROME) + "\n", encoding="utf-8")
    return {
        "unknown format": (unknown, 3),
        "NUL byte": (binary, 4),
        "not UTF-8": (latin1, 3),
        "empty": (empty, None),
        "whitespace only": (blank, None),
        "page chrome only": (chrome_only, None),
    }


BAD_KINDS = ["unknown format", "NUL byte", "not UTF-8", "empty", "whitespace only", "page chrome only"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_file_raises_corpus_error_naming_file_and_line(tmp_path, kind):
    path, line = _bad_files(tmp_path)[kind]
    with pytest.raises(CorpusError) as info:
        load_corpus([path])
    message = str(info.value)
    assert path.name in message
    if line is not None:
        assert f"{path.name}:{line}" in message, message


def test_nonexistent_path_raises_corpus_error(tmp_path):
    missing = tmp_path / "no-such-file.txt"
    with pytest.raises(CorpusError, match="no-such-file.txt"):
        load_corpus([missing])


def test_directory_without_seed_files_raises_corpus_error(tmp_path):
    (tmp_path / "readme.json").write_text("{}", encoding="utf-8")
    with pytest.raises(CorpusError):
        load_corpus([tmp_path])


def test_one_bad_file_fails_the_whole_parse(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(listing_text([("Good Title", GOOD_ABSTRACT)]), encoding="utf-8")
    bad = tmp_path / "zz_bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CorpusError, match="zz_bad.txt"):
        load_corpus([tmp_path])


def test_truncated_listing_keeps_good_papers_and_reports_the_broken_block(tmp_path):
    path = tmp_path / "truncated.txt"
    text = listing_text([("First Good Paper", GOOD_ABSTRACT), ("Second Good Paper", GOOD_ABSTRACT)])
    text += "\nA Title Whose Abstract Was Cut Off\n"
    path.write_text(text, encoding="utf-8")
    broken_line = text.splitlines().index("A Title Whose Abstract Was Cut Off") + 1

    report = load_corpus([path])

    assert sorted(p.title for p in report.papers) == ["First Good Paper", "Second Good Paper"]
    assert len(report.skipped) == 1
    skip = report.skipped[0]
    assert skip.source == "truncated.txt"
    assert skip.line == broken_line
    assert "abstract" in skip.reason
    assert "skipped" in report.summary()


def test_title_missing_its_abstract_mid_file_is_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "gap.txt"
    blocks = CHROME + ["Paper Before", GOOD_ABSTRACT, "Orphan Title With No Abstract", "Paper After", GOOD_ABSTRACT]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    orphan_line = (path.read_text().splitlines()).index("Orphan Title With No Abstract") + 1

    report = load_corpus([path])

    assert sorted(p.title for p in report.papers) == ["Paper After", "Paper Before"]
    assert [(s.source, s.line) for s in report.skipped] == [("gap.txt", orphan_line)]
    assert "Orphan Title" in report.skipped[0].reason


def test_markdown_paper_without_summary_is_reported(tmp_path):
    path = tmp_path / "md.md"
    good = markdown_text([("Complete Paper", GOOD_ABSTRACT)])
    broken = "# Paper Without Summary\n\nPublished: 2023-01-01T00:00:00Z\n\n## Authors\n\n- Someone\n"
    path.write_text(good + "\n\n" + broken, encoding="utf-8")
    line = path.read_text().splitlines().index("# Paper Without Summary") + 1

    report = load_corpus([path])

    assert [p.title for p in report.papers] == ["Complete Paper"]
    assert [(s.source, s.line) for s in report.skipped] == [("md.md", line)]


# ---------------------------------------------------------------- through the CLI


@pytest.fixture
def small_index(mini):
    """A small real index to prove a failed ingest leaves it alone."""
    path = mini.listing("good.txt", ["tidal", "sourdough"])
    mini.ingest(path)
    return mini


def _error_lines(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines


@pytest.mark.parametrize("kind", BAD_KINDS + ["missing", "directory without seed files"])
def test_cli_ingest_of_bad_file_exits_2_and_leaves_index_unchanged(small_index, rag_cli, tmp_path, kind):
    data = small_index.settings.data_dir
    if kind == "missing":
        path, line = tmp_path / "missing.txt", None
    elif kind == "directory without seed files":
        path, line = tmp_path / "notes", None
        path.mkdir()
        (path / "readme.json").write_text("{}", encoding="utf-8")
    else:
        path, line = _bad_files(tmp_path)[kind]
    manifest_before = (data / "manifest.json").read_bytes()
    papers_before = rag_cli("--data-dir", data, "papers", "--json").json_lines()
    assert len(papers_before) == 2

    result = rag_cli("--data-dir", data, "ingest", path)

    assert result.exit_code == 2
    lines = _error_lines(result.stderr)
    assert len(lines) == 2, lines  # one error line and one hint: every error says how to fix it
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: "), lines
    assert path.name in lines[0]
    if line is not None:
        assert f"{path.name}:{line}" in lines[0]
    assert "Traceback" not in result.output
    assert (data / "manifest.json").read_bytes() == manifest_before
    assert rag_cli("--data-dir", data, "papers", "--json").json_lines() == papers_before


def test_cli_ingest_stops_before_indexing_when_any_file_is_bad(small_index, rag_cli):
    """Good new papers beside a bad file are not half-ingested."""
    data = small_index.settings.data_dir
    new = small_index.listing("new.txt", ["bees"])
    bad = small_index.files / "zz_bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    result = rag_cli("--data-dir", data, "ingest", small_index.files)
    assert result.exit_code == 2
    assert "zz_bad.txt" in result.stderr
    titles = [p["title"] for p in rag_cli("--data-dir", data, "papers", "--json").json_lines()]
    assert small_index.papers["bees"][0] not in titles
    assert len(titles) == 2
    assert new.exists()


def test_console_script_reports_bad_file_without_traceback(small_index, tmp_path):
    """The real `rag` executable, as a user runs it."""
    data = small_index.settings.data_dir
    path, _ = _bad_files(tmp_path)["NUL byte"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    before = (data / "manifest.json").read_bytes()
    proc = subprocess.run(rag_command() + ["--data-dir", str(data), "ingest", str(path)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    first = proc.stderr.strip().splitlines()[0]
    assert first.startswith("error: ") and "binary.txt:4" in first
    assert (data / "manifest.json").read_bytes() == before
    count = subprocess.run(rag_command() + ["--data-dir", str(data), "papers", "--json"],
                           capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert count.returncode == 0
    assert [json.loads(x)["title"] for x in count.stdout.splitlines()] == [
        small_index.papers["tidal"][0], small_index.papers["sourdough"][0]]
