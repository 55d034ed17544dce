"""A link for every paper and a readable name for every seed file (rag/links.py), as the UI,
the CLI's Sources block and the Markdown export show them. Issue 17: only 5 of 429 papers
carry a URL, and the files are named like `003_2632c3ae63e9962d.txt`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import F000, F001, F002, F003, F004, SEEDS
from rag.links import PaperLink, link_for, paper_link, source_label
from rag.render import comparison_markdown, sources_block
from rag.types import Answer, Citation, Comparison, ComparisonCell, ComparisonRow, Paper

TITLE = 'What does CLIP know about peeling a banana? "Affordance" & 50% less: a test'


def test_a_paper_with_its_own_link_keeps_it():
    link = paper_link(TITLE, "http://arxiv.org/abs/2402.05935v1")
    assert (link.url, link.is_search) == ("http://arxiv.org/abs/2402.05935v1", False)


@pytest.mark.parametrize("url", [None, "", "javascript:alert(1)", "arxiv.org/abs/1"])
def test_a_paper_without_a_usable_link_gets_an_arxiv_search_for_its_exact_title(url):
    link = paper_link(TITLE, url)
    assert link.is_search and "search" in link.label
    parts = urlsplit(link.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "arxiv.org", "/search/")
    assert parse_qs(parts.query) == {"query": [TITLE], "searchtype": ["title"]}  # the exact title, quotes and all


def test_an_imported_paper_links_to_its_arxiv_id_or_doi_before_any_search():
    paper = Paper(paper_id="p", title=TITLE, abstract="x", sources=("lib.bib",), arxiv_id="2305.14314", doi="10.1234/ab(c)")
    assert link_for(paper) == PaperLink("https://arxiv.org/abs/2305.14314", False)
    assert link_for(paper.model_copy(update={"arxiv_id": None})) == PaperLink("https://doi.org/10.1234/ab(c)", False)
    assert link_for(paper.model_copy(update={"arxiv_id": "javascript:x", "doi": "not a doi"})).is_search


def test_every_cited_paper_has_a_link_in_the_cli_sources_and_the_markdown_export():
    paper = Paper(paper_id="p", title=TITLE, abstract="We peel bananas.", sources=(F003,))
    answer = Answer(question="q", text="Bananas [1].", answerer="extractive",
                    citations=(Citation(n=1, paper_id="p", title=TITLE, supported=True, support=1.0),))
    assert "https://arxiv.org/search/?query=" in sources_block(answer)
    row = ComparisonRow(paper=paper, n=1, cells={"method": ComparisonCell(text="We peel bananas.", citation=1)})
    export = comparison_markdown(Comparison(topic="bananas", columns=("method",), rows=(row,)))
    assert f"[1] {TITLE} — https://arxiv.org/search/?query=" in export


def test_seed_files_get_readable_labels_from_their_first_lines():
    head = lambda name: (SEEDS / name).read_text(encoding="utf-8")[:4096]  # noqa: E731
    assert source_label(F003, head(F003)) == "Daily papers, Mar 11"
    assert source_label(F001, head(F001)) == "Daily papers, May 7"
    assert source_label(F004, head(F004)) == "Daily papers, Mar 14"
    assert source_label(F002, head(F002)) == "Daily papers listing"  # no date in its page chrome
    label = source_label(F000, head(F000), papers=5)
    assert label.startswith("SPHINX-X: Scaling Data") and label.endswith("+ 4 more") and len(label) < 70, label
    assert source_label("notes.txt", "Some paper title\n\nIts abstract.") == "notes.txt"


def test_the_ui_labels_are_unique_and_fall_back_to_the_file_name(tmp_path):
    pytest.importorskip("gradio")
    from ui.app import source_labels

    (tmp_path / "a_1.txt").write_text("new\n\nDaily Papers\n\nTitle\n\nAbstract.\n", encoding="utf-8")
    (tmp_path / "b_2.txt").write_text("new\n\nDaily Papers\n\nTitle\n\nAbstract.\n", encoding="utf-8")
    labels = source_labels(["a_1.txt", "b_2.txt", "gone.txt"], {}, dirs=[tmp_path])
    assert labels == {"a_1.txt": "Daily papers listing (a)", "b_2.txt": "Daily papers listing (b)", "gone.txt": "gone.txt"}
    seeds = source_labels([F000, F001, F002, F003, F004], {F000: 5}, dirs=[SEEDS])
    assert len(set(seeds.values())) == 5 and not any(label.endswith(".txt") for label in seeds.values()), seeds
