"""Parsing the shipped seeds and small hand-written files in both formats."""

from __future__ import annotations

import re

import pytest

from conftest import F000, F001, F002, F003, F004, SEED_LISTINGS, SEED_PAPERS, SEEDS, listing_text, markdown_text
from rag.ingest import load_corpus, normalize_title

# ---------------------------------------------------------------- the shipped seeds


def test_seeds_give_429_distinct_papers_from_452_listings(seed_corpus):
    assert seed_corpus.listings == SEED_LISTINGS
    assert len(seed_corpus.papers) == SEED_PAPERS
    assert seed_corpus.skipped == []
    assert sorted(seed_corpus.files) == [F000, F001, F002, F003, F004]
    # Every listing is accounted for as one source of one paper.
    assert sum(len(p.sources) for p in seed_corpus.papers) == SEED_LISTINGS
    assert len({p.paper_id for p in seed_corpus.papers}) == SEED_PAPERS
    assert len({normalize_title(p.title) for p in seed_corpus.papers}) == SEED_PAPERS


def test_every_listing_title_in_the_seeds_became_a_paper(seed_papers):
    """Independently of the parser: in a listing file, the line before each abstract is a title."""
    titles = set(seed_papers)
    for name in (F001, F002, F003, F004):
        lines = [line.strip() for line in (SEEDS / name).read_text(encoding="utf-8").splitlines()]
        nonblank = [line for line in lines if line]
        # An abstract is a long paragraph; the non-blank line just before it is its title.
        for before, line in zip(nonblank, nonblank[1:]):
            if len(line) > 300:
                assert before in titles, f"{name}: title {before!r} missing from the parse"


@pytest.mark.parametrize("chrome", ["new", "Subscribe", "Daily Papers", "May 7", "Mar 11", "Mar 14",
                                    "Get trending papers in your email inbox!", "byAK and the research community",
                                    "by AK and the research community"])
def test_page_chrome_never_becomes_a_paper(seed_papers, chrome):
    assert chrome not in seed_papers
    assert not any(normalize_title(t) == normalize_title(chrome) for t in seed_papers)


def test_no_title_looks_like_page_chrome_or_an_abstract(seed_papers):
    for title in seed_papers:
        assert not re.fullmatch(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}", title)
        assert len(title) < 300
        assert "\n" not in title and title == title.strip()


def test_arxiv_markdown_fields(seed_papers):
    paper = seed_papers["SPHINX-X: Scaling Data and Parameters for a Family of Multi-modal Large Language Models"]
    assert paper.sources == (F000,)
    assert paper.published == "2024-02-08"
    assert paper.year == 2024
    assert paper.url == "http://arxiv.org/abs/2402.05935v1"
    assert len(paper.authors) == 19
    assert paper.authors[0] == "Peng Gao" and paper.authors[-1] == "Yu Qiao"
    assert paper.code_url == "https://github.com/Alpha-VLLM/LLaMA2-Accessory"


def test_markdown_abstracts_are_whole_and_unwrapped(seed_corpus):
    """Each summary, read straight from the file, equals the paper's abstract with the line breaks gone."""
    text = (SEEDS / F000).read_text(encoding="utf-8")
    sections = re.split(r"^# ", text, flags=re.M)[1:]
    by_title = {p.title: p for p in seed_corpus.papers}
    assert len(sections) == 5
    for section in sections:
        title = section.splitlines()[0].strip()
        summary = section.split("## Summary", 1)[1]
        expected = " ".join(summary.split())
        paper = by_title[title]
        assert paper.abstract == expected
        assert "\n" not in paper.abstract
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", paper.published)
    driving = by_title["Driving Everywhere with Large Language Model Policy Adaptation"]
    assert driving.abstract.startswith("Adapting driving behavior to new environments")
    assert driving.abstract.endswith("https://boyiliee.github.io/llada.")


def test_listing_abstract_is_the_paragraph_under_the_title(seed_papers):
    lines = (SEEDS / F001).read_text(encoding="utf-8").splitlines()
    idx = lines.index("Flag Aggregator: Scalable Distributed Training under Failures and Augmented Losses using Convex Optimization")
    paper = seed_papers[lines[idx]]
    assert paper.abstract == lines[idx + 2].strip()
    assert paper.published is None and paper.url is None and paper.authors == ()
    assert paper.code_url == "https://github.com/hamidralmasi/FlagAggregator"


def test_duplicate_across_files_is_one_paper_with_every_source(seed_papers):
    paper = seed_papers["Matryoshka Representation Learning"]
    assert paper.sources == (F001, F002)
    multi = [p for p in seed_papers.values() if len(p.sources) > 1]
    assert len(multi) == SEED_LISTINGS - SEED_PAPERS
    for p in multi:
        assert list(p.sources) == sorted(set(p.sources))


def test_code_url_is_extracted_without_trailing_period(seed_papers):
    # The abstract says "...A-Survey-on-Mixture-of-Experts." — the period ends the sentence.
    paper = seed_papers["A Survey on Mixture of Experts"]
    assert "https://github.com/withinmiaov/A-Survey-on-Mixture-of-Experts." in paper.abstract
    assert paper.code_url == "https://github.com/withinmiaov/A-Survey-on-Mixture-of-Experts"


def test_code_urls_are_clean_links(seed_papers):
    urls = [p.code_url for p in seed_papers.values() if p.code_url]
    assert len(urls) > 50
    for url in urls:
        assert re.fullmatch(r"https?://[^\s]+", url)
        assert url[-1] not in ".,;:!?)]}'\""
    # A paper that links only to a project page has no code_url.
    assert seed_papers["Driving Everywhere with Large Language Model Policy Adaptation"].code_url is None


@pytest.mark.parametrize(
    "title, source",
    [
        ('COCO is "ALL\'\' You Need for Visual Instruction Fine-tuning', F003),
        ("PanGu-$α$: Large-scale Autoregressive Pretrained Chinese Language Models with Auto-parallel Computation", F004),
        ("Distilling Step-by-Step! Outperforming Larger Language Models with Less Training Data and Smaller Model Sizes", F003),
        ("What does CLIP know about peeling a banana?", F004),
        ("M$^{2}$UGen: Multi-modal Music Understanding and Generation with the Power of Large Language Models", F004),
    ],
)
def test_tricky_titles_survive_exactly(seed_papers, title, source):
    # The exact line is in the file ...
    assert title in (SEEDS / source).read_text(encoding="utf-8").splitlines()
    # ... and the parse keeps it character for character, with an abstract.
    assert title in seed_papers
    assert source in seed_papers[title].sources
    assert len(seed_papers[title].abstract) > 200


# ---------------------------------------------------------------- small files, both formats


def test_markdown_and_listing_files_parse_together(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.md"
    a.write_text(listing_text([("Paper One About Tidal Energy", "x" * 20 + " tidal energy " * 10),
                               ("Paper Two About Bread", "Sourdough " * 15)]), encoding="utf-8")
    b.write_text(markdown_text([("paper one about tidal energy!", "A longer abstract about tidal energy. " * 5)]), encoding="utf-8")
    report = load_corpus([a, b])
    assert report.listings == 3
    assert len(report.papers) == 2
    one = next(p for p in report.papers if "Tidal" in p.title or "tidal" in p.title)
    # Same paper under a different case and punctuation: one paper, both sources, the fullest fields kept.
    assert one.sources == ("a.txt", "b.md")
    assert one.title == "Paper One About Tidal Energy"
    assert one.published == "2023-05-01"
    assert one.url == "http://arxiv.org/abs/2305.00001v1"
    assert one.abstract.startswith("A longer abstract about tidal energy.")


def test_listing_without_page_chrome_is_still_a_listing(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(listing_text([("A Plain Title", "An abstract that is long enough to be a paragraph, " * 3)], chrome=False), encoding="utf-8")
    report = load_corpus([path])
    assert [p.title for p in report.papers] == ["A Plain Title"]


def test_directory_is_expanded_to_its_seed_files(tmp_path):
    (tmp_path / "one.txt").write_text(listing_text([("First Title", "First abstract, long enough to count as one. " * 3)]), encoding="utf-8")
    (tmp_path / "two.md").write_text(markdown_text([("Second Title", "Second abstract, long enough to count as one. " * 3)]), encoding="utf-8")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG\r\n")  # no importer reads it: reported, not ingested
    report = load_corpus([tmp_path])
    assert report.files == ["one.txt", "two.md"]
    assert [(s.source, "not a format" in s.reason) for s in report.skipped] == [("figure.png", True)]
    assert sorted(p.title for p in report.papers) == ["First Title", "Second Title"]


def test_windows_line_endings_and_byte_order_mark_parse_the_same(tmp_path):
    entries = [("A Title About Rivers", "Rivers carry sediment to the sea, and this abstract is long enough to count. " * 2)]
    unix_l, unix_m = tmp_path / "unix.txt", tmp_path / "unix.md"
    unix_l.write_text(listing_text(entries), encoding="utf-8")
    unix_m.write_text(markdown_text(entries), encoding="utf-8")
    dos_l, bom_m = tmp_path / "dos.txt", tmp_path / "bom.md"
    dos_l.write_bytes(listing_text(entries).replace("\n", "\r\n").encode("utf-8"))
    bom_m.write_bytes(b"\xef\xbb\xbf" + markdown_text(entries).replace("\n", "\r\n").encode("utf-8"))
    for plain, odd in ((unix_l, dos_l), (unix_m, bom_m)):
        a, b = load_corpus([plain]).papers, load_corpus([odd]).papers
        assert [(p.title, p.abstract, p.published, p.authors) for p in a] == [(p.title, p.abstract, p.published, p.authors) for p in b]
    assert load_corpus([bom_m]).papers[0].title == "A Title About Rivers"


# ---------------------------------------------------------------- links are untrusted text


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
                                  "vbscript:msgbox", "//evil.example/x", "file:///etc/passwd", "http://"])
def test_a_link_that_is_not_http_is_dropped_and_reported(tmp_path, link):
    """A seed file's `[Link to the paper](javascript:...)` must never become a clickable href:
    only http(s) links are kept, and the dropped one is reported with file, line and reason."""
    path = tmp_path / "evil.md"
    good = markdown_text([("A Paper With A Good Link", "An abstract that is long enough to be a paragraph. " * 3)])
    bad = markdown_text([("A Paper With A Bad Link", "Another abstract that is long enough to be a paragraph. " * 3)])
    bad = bad.replace("http://arxiv.org/abs/2305.00001v1", link)
    path.write_text(good + "\n\n" + bad, encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index(f"[Link to the paper]({link})") + 1

    report = load_corpus([path])

    papers = {p.title: p for p in report.papers}
    assert papers["A Paper With A Bad Link"].url is None  # the paper is kept, without the link
    assert papers["A Paper With A Good Link"].url == "http://arxiv.org/abs/2305.00001v1"
    assert [(d.source, d.line) for d in report.dropped_links] == [("evil.md", line)]
    assert link[:20] in report.dropped_links[0].reason and "http" in report.dropped_links[0].reason
    assert "1 links dropped" in report.summary()
    assert report.skipped == []

