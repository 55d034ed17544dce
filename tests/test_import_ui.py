"""Drag a library into the UI: the files are ingested incrementally, a report says what was
imported and skipped, and the next answer can cite the papers just imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINI_PAPERS, listing_text
from rag import pipeline
from rag.config import load_settings
from rag.pipeline import Engine
from test_ui import _free_port, browser, browser_test, open_ui  # noqa: F401  (browser: the shared fixture)
from ui.app import build_app, import_files, style

LIB = Path(__file__).resolve().parent / "fixtures" / "library"
MALFORMED = LIB.parent / "malformed"
TIDAL = "Physics-Informed Neural Operators for Tidal Stream Forecasting in the Pentland Firth & Orkney"
QUESTION = "How much do physics-informed neural operators reduce tidal stream forecast error?"


def _small_engine(root: Path) -> Engine:
    seeds = root / "seeds.txt"
    seeds.write_text(listing_text([MINI_PAPERS["glacier"], MINI_PAPERS["manuscript"]]), encoding="utf-8")
    settings = load_settings(data_dir=root / "data", progress=False)
    pipeline.ingest(settings, [seeds])
    return Engine(settings)


def test_import_files_reports_and_the_engine_answers_from_the_new_papers(tmp_path):
    engine = _small_engine(tmp_path)
    bad = import_files(engine, [str(LIB / "zotero.bib"), str(MALFORMED / "truncated.bib")])
    assert "error:" in bad and "truncated.bib:6" in bad and "Nothing was imported" in bad
    assert engine.index.stats()["papers"] == 2

    report = import_files(engine, [str(LIB / "zotero.bib")])
    assert report.startswith("**Imported** 4 distinct papers") and "vaswani2017attention" in report and "javascript:" in report
    assert engine.index.stats()["papers"] == 6
    answer = engine.assistant.ask(QUESTION)
    assert TIDAL in {c.title for c in answer.citations}
    again = import_files(engine, [str(LIB / "zotero.bib")])
    assert "stored 0 (0 newly embedded)" in again


@pytest.fixture
def library_server(tmp_path):
    engine = _small_engine(tmp_path)
    demo = build_app(engine)
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **style())
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@browser_test
def test_dropping_a_bib_into_the_ui_imports_it_and_answers_cite_it(browser, library_server, request):  # noqa: F811
    from playwright.sync_api import expect

    with open_ui(browser, library_server, request) as ui:
        page = ui.page
        page.get_by_text("Import your library", exact=False).click()
        page.locator("#import_files input[type=file]").set_input_files(str(LIB / "zotero.bib"))
        report = page.locator("#import_report")
        expect(report).to_contain_text("Imported 4 distinct papers", timeout=120_000)
        expect(report).to_contain_text("vaswani2017attention")  # the entry without an abstract, reported
        expect(page.locator("#status")).to_contain_text("index: 6 papers")
        before = ui.bot_count()
        ui.ask(QUESTION)
        ui.wait_answer(before, "Sources")
        expect(page.locator("#sources")).to_contain_text(TIDAL)
