"""Each library format read from a realistic export (tests/fixtures/library, tests/fixtures/pdfs):
the fields a user would check, LaTeX decoded, entries without an abstract reported with file,
line and key, and malformed files refused with file:line, `error:` + `hint:`, exit 2, the index untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.ingest import detect_format, load_corpus

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LIB = FIXTURES / "library"
PDFS = FIXTURES / "pdfs"
MALFORMED = FIXTURES / "malformed"


def _by_title(report) -> dict:
    return {p.title: p for p in report.papers}


def test_bibtex_from_zotero_and_jabref_decodes_latex_and_resolves_string_macros():
    report = load_corpus([LIB / "zotero.bib"])
    papers = _by_title(report)
    # `{QLoRA}`/`{LLMs}` braces gone; `\&` decoded; `@string` venues resolved; `{\"u}` → ü
    qlora = papers["QLoRA: Efficient Finetuning of Quantized LLMs"]
    assert qlora.venue == "Advances in Neural Information Processing Systems"
    assert qlora.arxiv_id == "2305.14314" and qlora.published == "2023"
    assert qlora.authors[:2] == ("Tim Dettmers", "Artidoro Pagnoni")
    assert "65B parameter model on a single 48GB GPU" in qlora.abstract and "\n" not in qlora.abstract
    tidal = papers["Physics-Informed Neural Operators for Tidal Stream Forecasting in the Pentland Firth & Orkney"]
    assert tidal.authors == ("Jörg Müller", "Siobhán Ní Bhriain", "Pieter van der Berg")
    assert tidal.venue == "Ocean Engineering" and tidal.doi == "10.1016/j.oceaneng.2024.117001"
    assert "by 38% relative to harmonic analysis" in tidal.abstract
    assert "spring–neap" in tidal.abstract and "café-sized" in tidal.abstract
    # BibLaTeX: journaltitle and date
    hive = papers["Listening to the Hive: Acoustic Detection of Varroa Infestation with CNNs"]
    assert hive.venue == "Computers and Electronics in Agriculture" and hive.published == "2022-06-14"
    # arXiv eprint with a version: the version is stripped
    assert papers["SPHINX-X: Scaling Data and Parameters for a Family of Multimodal LLMs"].arxiv_id == "2402.05935"


def test_bibtex_entry_without_abstract_is_reported_with_its_key_and_line_and_bad_links_dropped():
    report = load_corpus([LIB / "zotero.bib"])
    assert [(s.source, s.line) for s in report.skipped] == [("zotero.bib", 60)]
    assert "vaswani2017attention" in report.skipped[0].reason and "no abstract" in report.skipped[0].reason
    assert "Attention is all you need" not in {p.title for p in report.papers}
    hive = _by_title(report)["Listening to the Hive: Acoustic Detection of Varroa Infestation with CNNs"]
    assert hive.url is None  # javascript: never becomes a link
    assert [(d.source, "javascript:" in d.reason) for d in report.dropped_links] == [("zotero.bib", True)]


def test_ris_with_bom_windows_line_ends_and_multiline_fields(tmp_path):
    report = load_corpus([LIB / "mendeley.ris"])
    papers = _by_title(report)
    qlora = papers["QLoRA: efficient finetuning of quantized LLMs"]  # T1, A1, Y1, N2 variants of the tags
    assert qlora.authors[0] == "Tim Dettmers" and qlora.published == "2023-05-23"
    assert qlora.abstract == ("We present QLoRA, an efficient finetuning approach that reduces memory usage enough to "
                              "finetune a 65B parameter model on a single 48GB GPU.")
    assert qlora.doi == "10.48550/arxiv.2305.14314" and qlora.arxiv_id == "2305.14314"
    glacier = papers["Glacier Surface Melt Mapping from Sentinel-1 Backscatter Time Series"]
    assert glacier.venue.startswith("IGARSS 2023") and "94 percent agreement" in glacier.abstract
    tidal = papers["Physics-informed neural operators for tidal stream forecasting in the Pentland Firth & Orkney"]
    assert tidal.doi == "10.1016/j.oceaneng.2024.117001"  # resolver prefix and case normalized
    assert [(s.line, "no abstract" in s.reason) for s in report.skipped] == [(40, True)]
    # The same file with plain line ends and no BOM reads the same
    plain = tmp_path / "plain.ris"
    plain.write_bytes((LIB / "mendeley.ris").read_bytes()[3:].replace(b"\r\n", b"\n"))
    assert [p.model_dump(exclude={"sources"}) for p in load_corpus([plain]).papers] == [p.model_dump(exclude={"sources"}) for p in report.papers]


def test_csl_json_better_csl_string_date_parts_and_literal_authors():
    report = load_corpus([LIB / "better-csl.json"])
    sourdough = _by_title(report)["Sourdough Starter Microbiomes Predict Bread Acidity"]
    assert sourdough.authors == ("Leila Haddad", "Mateo de la Cruz", "Bakers' Consortium")
    assert sourdough.published == "2023-11-02" and sourdough.venue == "Food Microbiology"
    assert sourdough.doi == "10.1016/j.fm.2023.104391"
    assert [(s.line, "noabstract2020" in s.reason) for s in report.skipped] == [(28, True)]


def test_openalex_abstract_is_rebuilt_from_its_inverted_index():
    report = load_corpus([LIB / "openalex-works.json"])
    (paper,) = report.papers
    assert paper.abstract == ("Seismic phase pickers trained on one region miss arrivals elsewhere. We pretrain a picker with "
                              "self-supervision only on unlabeled waveforms from six continents and halve the missed S-wave "
                              "picks in regions it never saw.")
    assert paper.authors == ("Keiko Tanaka", "Rafael Oliveira") and paper.venue == "Nature"
    assert paper.doi == "10.1038/s41586-023-06291-2" and paper.published == "2023-07-12"
    assert "W2000000001" in report.skipped[0].reason


def test_arxiv_atom_feed():
    papers = _by_title(load_corpus([LIB / "arxiv-query.xml"]))
    cyclists = papers["Occupancy Forecasting for Cyclists at Unsignalised Intersections"]
    assert cyclists.arxiv_id == "2311.01234" and cyclists.doi == "10.1109/itsc57777.2023.10422010"
    assert cyclists.venue == "IEEE ITSC 2023" and cyclists.published == "2023-11-02"
    assert cyclists.authors == ("Sofie Dahl", "Pieter van der Berg")
    assert "Copenhagen & Utrecht" in cyclists.abstract and "\n" not in cyclists.abstract
    assert papers["Driving Everywhere with Large Language Model Policy Adaptation"].arxiv_id == "2402.05932"


def test_jsonl_and_csv_with_title_and_abstract_columns():
    jsonl = load_corpus([LIB / "reading-list.jsonl"])
    assert [p.title for p in jsonl.papers] == ["Few-Shot Transcription of Medieval Charters with Transformers"]
    assert jsonl.papers[0].authors == ("Elena Costa", "Hugo Martin") and jsonl.papers[0].published == "2022"
    assert [(s.line, "no abstract" in s.reason) for s in jsonl.skipped] == [(2, True)]
    csv = load_corpus([LIB / "reading-list.csv"])
    (paper,) = csv.papers
    assert paper.title == "Heavy-Hexagon Subsystem Codes, Revisited"  # a quoted comma
    assert paper.abstract.endswith("reach a 0.45% threshold under circuit noise.")  # a quoted line break
    assert paper.authors == ("Wen Li", "Ana Ruiz") and paper.doi == "10.1103/physrevx.13.041001"
    assert [(s.line, "no abstract" in s.reason) for s in csv.skipped] == [(4, True)]


# ---------------------------------------------------------------- PDFs

TWO_COLUMN_ABSTRACT = (
    "Marine-terminating glaciers lose ice where their calving fronts meet the ocean. We track the front through time with "
    "a segmentation transformer that attends over a sequence of radar scenes rather than a single image. On 2,400 scenes of "
    "25 Greenland glaciers the temporal model reduces the mean front distance error from 310 to 190 meters and stays "
    "stable through winter darkness."
)


def test_pdf_folder_gives_title_and_abstract_and_reports_the_scan():
    report = load_corpus([PDFS])
    papers = _by_title(report)
    assert set(papers) == {
        "Learning to Forecast River Ice Breakup from Satellite Time Series",
        "Sparse Mixture of Adapters for Low-Resource Speech Recognition",
        "Calving Front Tracking with Temporal Segmentation Transformers",
    }
    # Two columns drawn row by row across the page: the abstract is the left column's text only
    assert papers["Calving Front Tracking with Temporal Segmentation Transformers"].abstract == TWO_COLUMN_ABSTRACT
    # "Abstract." inline on a one-column page, up to "1. Introduction"
    ice = papers["Learning to Forecast River Ice Breakup from Satellite Time Series"]
    assert ice.abstract.startswith("River ice breakup floods") and ice.abstract.endswith("flags ice jams a week in advance.")
    # the scan has no text layer: reported, not guessed
    assert [(s.source, "no extractable text" in s.reason) for s in report.skipped] == [("scanned-page.pdf", True)]


def test_a_scanned_pdf_alone_is_an_error_not_an_empty_ingest():
    with pytest.raises(CorpusError, match="scanned-page.pdf.*no extractable text"):
        load_corpus([PDFS / "scanned-page.pdf"])


# ---------------------------------------------------------------- detection


def test_format_is_detected_by_content_when_the_extension_says_nothing(tmp_path):
    bib = tmp_path / "library.txt"
    bib.write_bytes((LIB / "zotero.bib").read_bytes())
    assert detect_format(bib) == "bibtex"
    assert len(load_corpus([bib]).papers) == 4
    ris = tmp_path / "export"
    ris.write_bytes((LIB / "mendeley.ris").read_bytes())
    assert detect_format(ris) == "ris"
    forced = tmp_path / "works.dat"
    forced.write_bytes((LIB / "better-csl.json").read_bytes())
    assert len(load_corpus([forced], fmt="csl-json").papers) == 2


# ---------------------------------------------------------------- malformed files

MALFORMED_CASES = {
    "truncated BibTeX": ("truncated.bib", 6),
    "RIS without ER": ("no-end.ris", 6),
    "invalid JSON": ("invalid.json", 3),
    "CSV without an abstract column": ("wrong-columns.csv", 1),
}


@pytest.mark.parametrize("kind", list(MALFORMED_CASES))
def test_malformed_file_names_file_and_line(kind):
    name, line = MALFORMED_CASES[kind]
    with pytest.raises(CorpusError) as info:
        load_corpus([MALFORMED / name])
    assert f"{name}:{line}:" in info.value.message
    assert info.value.hint


@pytest.fixture(scope="module")
def small_library_index(tmp_path_factory):
    from conftest import MINI_PAPERS, listing_text
    from rag import pipeline
    from rag.config import load_settings

    root = tmp_path_factory.mktemp("import-malformed")
    seeds = root / "seeds.txt"
    seeds.write_text(listing_text([MINI_PAPERS["glacier"], MINI_PAPERS["qec"]]), encoding="utf-8")
    settings = load_settings(data_dir=root / "data", progress=False)
    pipeline.ingest(settings, [seeds])
    return settings.data_dir


@pytest.mark.parametrize("kind", list(MALFORMED_CASES))
def test_cli_refuses_a_malformed_file_beside_good_ones_and_indexes_nothing(small_library_index, rag_cli, kind):
    name, line = MALFORMED_CASES[kind]
    data = small_library_index
    before = (data / "manifest.json").read_bytes(), (data / "papers.jsonl").read_bytes()
    result = rag_cli("--data-dir", data, "ingest", LIB / "zotero.bib", MALFORMED / name)
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: "), lines
    assert f"{name}:{line}:" in lines[0]
    assert ((data / "manifest.json").read_bytes(), (data / "papers.jsonl").read_bytes()) == before  # zotero.bib not half-indexed


def test_bibtex_bare_percent_is_a_percent_sign_and_urls_stay_as_written():
    """Google Scholar writes `50%` unescaped; in LaTeX `%` would start a comment eating the rest of
    the line. URL fields are raw in every exporter: `~`, `_` and `%20` must survive."""
    from rag.importers.bibtex import parse_text

    text = ("@article{k,\n  title = {{\\em Sparse} {Adapters} for {\\\"U}ber-Low Resource Speech},\n"
            "  abstract = {We improve accuracy by 50% over\n  the baseline and 3\\% over {\\em prior work}.},\n"
            "  url = {https://example.org/~lab/paper_v2%20final.pdf},\n}\n")
    (listing,), skipped = parse_text(text, "scholar.bib", "scholar.bib")
    assert listing.title == "Sparse Adapters for Über-Low Resource Speech"
    assert listing.abstract == "We improve accuracy by 50% over the baseline and 3% over prior work."
    assert listing.url == "https://example.org/~lab/paper_v2%20final.pdf"


def test_a_bib_without_any_abstract_says_where_to_get_one(tmp_path, rag_cli):
    scholar = tmp_path / "scholar.bib"
    scholar.write_text("@article{vaswani2017attention,\n  title={Attention is all you need},\n  author={Vaswani, Ashish},\n"
                       "  year={2017}\n}\n", encoding="utf-8")
    result = rag_cli("--data-dir", tmp_path / "data", "ingest", scholar)
    assert result.exit_code == 2
    error, hint = [x for x in result.stderr.splitlines() if x.strip()]
    assert error.startswith("error: no papers found in") and "scholar.bib:1" in error and "vaswani2017attention" in error
    assert hint.startswith("hint: ") and "Google Scholar" in hint
    assert not (tmp_path / "data" / "manifest.json").exists()
