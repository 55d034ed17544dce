"""Export for reference managers: what `rag papers --format` / `rag ask --format` write re-imports
to the same papers (every field, LaTeX-looking text included), with stable citation keys."""

from __future__ import annotations

import json

import pytest

from rag.export import answer_markdown, cite_key, cite_keys, export_papers, tex_escape
from rag.importers.bibtex import parse_text
from rag.ingest import load_corpus
from rag.types import Answer, Citation, Hit, Paper

FIELDS = ("paper_id", "title", "abstract", "authors", "published", "doi", "arxiv_id", "venue", "url", "code_url")
SUFFIX = {"bibtex": ".bib", "ris": ".ris", "csl-json": ".json"}


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_the_whole_seed_library_round_trips(seed_corpus, tmp_path, fmt):
    path = tmp_path / f"library{SUFFIX[fmt]}"
    path.write_text(export_papers(seed_corpus.papers, fmt), encoding="utf-8")
    back = load_corpus([path])
    assert back.skipped == [] and len(back.papers) == len(seed_corpus.papers) == 429

    def view(papers):
        return {p.paper_id: tuple(getattr(p, f) for f in FIELDS) for p in papers}

    assert view(back.papers) == view(seed_corpus.papers)


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_imported_metadata_round_trips(tmp_path, fmt):
    from pathlib import Path

    lib = Path(__file__).resolve().parent / "fixtures" / "library"
    original = load_corpus([lib / "zotero.bib", lib / "better-csl.json", lib / "arxiv-query.xml"]).papers
    path = tmp_path / f"out{SUFFIX[fmt]}"
    path.write_text(export_papers(original, fmt), encoding="utf-8")
    back = {p.paper_id: p for p in load_corpus([path]).papers}
    for paper in original:
        assert tuple(getattr(back[paper.paper_id], f) for f in FIELDS) == tuple(getattr(paper, f) for f in FIELDS), paper.title


@pytest.mark.parametrize("text", [
    r"50% of $\alpha$ & {BERT} use \% and C:\path_to\file #1",
    "em---dash -- en, ``quoted'' ?` !` ~tilde^caret",
    "Ünïcödé “quotes” — and – dashes, 日本語",
])
def test_bibtex_escaping_is_undone_exactly_by_the_importer(text):
    listings, _ = parse_text("@misc{k,\n title = {" + tex_escape(text) + "},\n abstract = {" + tex_escape(text) + "}\n}\n", "x.bib", "x.bib")
    assert (listings[0].title, listings[0].abstract) == (" ".join(text.split()),) * 2


def _paper(title, authors=(), published=None, **kw) -> Paper:
    from rag.ingest import paper_id_for

    return Paper(paper_id=paper_id_for(title), title=title, abstract="An abstract.", sources=("x",), authors=authors, published=published, **kw)


def test_citation_keys_author_year_word_else_title_and_unique():
    qlora = _paper("QLoRA: Efficient Finetuning of Quantized LLMs", ("Tim Dettmers", "Artidoro Pagnoni"), "2023-05-23")
    assert cite_key(qlora) == "dettmers2023qlora"
    assert cite_key(_paper("On the Müller Effect", ("Jörg Müller",), "2024")) == "muller2024muller"
    assert cite_key(_paper("The Art of Sourdough Starters")) == "art_sourdough_starters"
    twin = _paper("QLoRA Revisited", ("Tim Dettmers",), "2023")
    keys = cite_keys([qlora, twin])
    assert keys == {qlora.paper_id: "dettmers2023qlora", twin.paper_id: "dettmers2023qlorab"}


def test_answer_markdown_has_markers_and_a_linked_reference_list():
    paper = _paper("QLoRA: Efficient Finetuning of Quantized LLMs", ("Tim Dettmers",), "2023", arxiv_id="2305.14314",
                   url="http://arxiv.org/abs/2305.14314")
    bad = _paper("A [bracketed] *title*", url="javascript:alert(1)")
    answer = Answer(
        question="How does QLoRA fit 65B on one GPU?", text="It quantizes the frozen model to 4 bits [1]; see also [2].", answerer="extractive",
        citations=(Citation(n=1, paper_id=paper.paper_id, title=paper.title, url=paper.url, supported=True, support=0.9),
                   Citation(n=2, paper_id=bad.paper_id, title=bad.title, url=bad.url, supported=False, support=0.1)),
        hits=(Hit(paper=paper, score=1.0, rank=1), Hit(paper=bad, score=0.5, rank=2)),
    )
    md = answer_markdown(answer)
    assert "It quantizes the frozen model to 4 bits [1]; see also [2]." in md
    assert "[1] [QLoRA: Efficient Finetuning of Quantized LLMs](http://arxiv.org/abs/2305.14314) — Tim Dettmers (2023)" in md
    assert "arXiv:[2305.14314](https://arxiv.org/abs/2305.14314)" in md
    assert r"[2] A \[bracketed\] \*title\*" in md and "javascript:" not in md and "not clearly supported" in md


def test_csl_json_is_a_list_of_items_with_ids():
    items = json.loads(export_papers([_paper("QLoRA", ("Tim Dettmers",), "2023-05", doi="10.1/x")], "csl-json"))
    assert items == [{"id": "dettmers2023qlora", "type": "article", "title": "QLoRA",
                      "author": [{"family": "Dettmers", "given": "Tim"}], "issued": {"date-parts": [[2023, 5]]},
                      "DOI": "10.1/x", "abstract": "An abstract."}]
