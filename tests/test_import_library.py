"""One paper, many sources: a paper in the seeds, a .bib and a .ris is one paper with its DOI and
arXiv id, under the id (and vectors) it already had; importing an unchanged file embeds nothing;
and end to end: import a .bib beside seed files, ask, get an answer citing an imported paper,
export it as BibTeX that re-imports to the same paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import F000, F003, MINI_PAPERS, SEEDS, listing_text
from rag import pipeline
from rag.config import load_settings
from rag.index import PaperStore
from rag.ingest import load_corpus, paper_id_for

LIB = Path(__file__).resolve().parent / "fixtures" / "library"
QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"
TIDAL = "Physics-Informed Neural Operators for Tidal Stream Forecasting in the Pentland Firth & Orkney"


def test_one_paper_from_seeds_bib_ris_and_atom_keeps_the_seed_id_and_every_source(seed_papers):
    report = load_corpus([SEEDS, LIB / "zotero.bib", LIB / "mendeley.ris", LIB / "arxiv-query.xml", LIB / "better-csl.json"])
    by_id = {p.paper_id: p for p in report.papers}
    # by title (and arXiv id, DOI) across three formats
    qlora = by_id[seed_papers[QLORA].paper_id]
    assert qlora.sources == (F003, "mendeley.ris", "zotero.bib")
    assert (qlora.arxiv_id, qlora.doi) == ("2305.14314", "10.48550/arxiv.2305.14314")
    assert qlora.abstract == seed_papers[QLORA].abstract  # the richest abstract: the seed's whole one
    assert qlora.venue == "Advances in Neural Information Processing Systems"  # a venue over "arXiv preprint"
    # by arXiv id alone: the .bib spells the title differently, its eprint carries a version
    sphinx = by_id[seed_papers["SPHINX-X: Scaling Data and Parameters for a Family of Multi-modal Large Language Models"].paper_id]
    assert sphinx.sources == (F000, "zotero.bib")
    driving = by_id[seed_papers["Driving Everywhere with Large Language Model Policy Adaptation"].paper_id]
    assert driving.sources == (F000, "arxiv-query.xml")
    # by DOI, whatever its case or resolver prefix; Title Case preferred over sentence case
    titles = [p.title for p in report.papers]
    assert titles.count(TIDAL) == 1 and not any(t.lower() == TIDAL.lower() and t != TIDAL for t in titles)
    hive = next(p for p in report.papers if p.doi == "10.1016/j.compag.2022.107045")
    assert hive.sources == ("better-csl.json", "zotero.bib") and hive.title.startswith("Listening to the Hive")
    assert len(report.papers) == 429 + 2 + 1 + 1 + 1  # tidal, hive; glacier melt; cyclists; sourdough


def test_importing_a_library_beside_an_indexed_seed_paper_merges_without_reembedding_it(tmp_path, seed_papers):
    seed = seed_papers[QLORA]
    listing = tmp_path / "reading.txt"
    listing.write_text(listing_text([(seed.title, seed.abstract), MINI_PAPERS["glacier"]]), encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", chunk_tokens=64, chunk_overlap=16, progress=False)
    pipeline.ingest(settings, [listing])
    before = {p.paper_id: p for p in PaperStore(settings.data_dir).values()}

    _, result = pipeline.ingest(settings, [LIB / "zotero.bib"])

    after = {p.paper_id: p for p in PaperStore(settings.data_dir).values()}
    qlora = after[seed.paper_id]
    assert qlora.sources == ("reading.txt", "zotero.bib") and qlora.arxiv_id == "2305.14314"
    assert qlora.abstract == seed.abstract and qlora.title == seed.title
    assert result.added_papers == 3 and result.papers == 5  # SPHINX-X, tidal, hive are new; QLoRA is not
    from rag.chunk import chunk_papers
    from rag.embed import EMBEDDER_ID

    new = [p for pid, p in after.items() if pid not in before]
    assert result.stored == len(chunk_papers(new, 64, 16, salt=EMBEDDER_ID))  # only the new papers' chunks

    _, again = pipeline.ingest(settings, [LIB / "zotero.bib"])  # unchanged file: nothing to embed
    assert (again.stored, again.embedded, again.deleted, again.added_papers) == (0, 0, 0, 0)
    assert {p.paper_id: p for p in PaperStore(settings.data_dir).values()} == after


@pytest.fixture(scope="module")
def library_index(tmp_path_factory):
    """Two seed files and the imported Zotero library, through the CLI."""
    root = tmp_path_factory.mktemp("library")
    for name, keys in (("001_listing.txt", ["glacier", "qec"]), ("002_listing.txt", ["manuscript", "sourdough"])):
        (root / name).write_text(listing_text([MINI_PAPERS[k] for k in keys]), encoding="utf-8")
    return root


def test_end_to_end_import_ask_and_export_bibtex(library_index, rag_cli, tmp_path):
    data = library_index / "data"
    first = rag_cli("--data-dir", data, "ingest", library_index / "001_listing.txt", library_index / "002_listing.txt", LIB / "zotero.bib")
    assert first.exit_code == 0, first.output
    assert "vaswani2017attention" in first.stderr  # the entry without an abstract is reported
    rows = {r["title"]: r for r in rag_cli("--data-dir", data, "papers", "--json").json_lines()}
    assert rows[TIDAL]["doi"] == "10.1016/j.oceaneng.2024.117001" and rows[TIDAL]["venue"] == "Ocean Engineering"
    assert rows[QLORA]["arxiv_id"] == "2305.14314" and rows[QLORA]["authors"][0] == "Tim Dettmers"

    question = "How much do physics-informed neural operators reduce tidal stream forecast error?"
    md = rag_cli("--data-dir", data, "ask", "--format", "md", question)
    assert md.exit_code == 0, md.output
    assert "[1]" in md.stdout and "## References" in md.stdout
    assert f"[1] [{TIDAL}](https://doi.org/10.1016/j.oceaneng.2024.117001) — Jörg Müller, Siobhán Ní Bhriain, Pieter van der Berg (2024)" in md.stdout

    bib = rag_cli("--data-dir", data, "ask", "--format", "bibtex", question)
    assert bib.exit_code == 0, bib.output
    assert "@article{muller2024physics," in bib.stdout
    exported = tmp_path / "answer.bib"
    exported.write_text(bib.stdout, encoding="utf-8")
    (again,) = [p for p in load_corpus([exported]).papers if p.title == TIDAL]
    stored = next(p for p in PaperStore(data).values() if p.title == TIDAL)
    assert again.model_dump(exclude={"sources"}) == stored.model_dump(exclude={"sources"})
    assert again.paper_id == paper_id_for(TIDAL)

    ris = rag_cli("--data-dir", data, "ask", "--format", "ris", question)
    assert ris.stdout.startswith("TY  - JOUR") and "DO  - 10.1016/j.oceaneng.2024.117001" in ris.stdout


def test_cli_reimport_of_an_unchanged_library_embeds_nothing(library_index, rag_cli):
    data = library_index / "data"
    assert rag_cli("--data-dir", data, "ingest", library_index / "001_listing.txt", LIB / "zotero.bib").exit_code == 0
    again = rag_cli("--data-dir", data, "ingest", LIB / "zotero.bib")
    assert again.exit_code == 0
    assert "stored 0 (0 newly embedded), deleted 0 chunks (0 papers added, 0 removed)" in again.stdout


def test_json_and_format_together_is_a_usage_error(library_index, rag_cli):
    result = rag_cli("--data-dir", library_index / "data", "papers", "--json", "--format", "bibtex")
    assert result.exit_code == 2 and "--json and --format" in result.stderr


def test_ui_source_cards_show_an_imported_papers_venue_and_ids_as_text():
    from ui.app import _paper_card

    paper = next(p for p in load_corpus([LIB / "zotero.bib"]).papers if p.title == QLORA)
    card = _paper_card(1, paper.model_copy(update={"venue": "NeurIPS <script>alert(1)</script>"}))
    assert "NeurIPS &lt;script&gt;" in card and "<script>" not in card
    assert "arXiv 2305.14314" in card
    tidal = next(p for p in load_corpus([LIB / "zotero.bib"]).papers if p.title == TIDAL)
    assert "Ocean Engineering" in _paper_card(2, tidal) and "doi 10.1016/j.oceaneng.2024.117001" in _paper_card(2, tidal)
