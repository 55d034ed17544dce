"""The index as a sync: re-ingest embeds only what changed, removals disappear, --rebuild starts over."""

from __future__ import annotations

import pytest

A_KEYS = ["tidal", "sourdough", "glacier"]
B_KEYS = ["glacier", "bees", "qec"]  # 'glacier' is in both files


def _titles(hits):
    return [h.paper.title for h in hits]


def _chroma_ids(engine) -> set[str]:
    return set(engine.index.collection.get(include=[])["ids"])


def _all_modes(engine, query, k=6):
    return {mode: _titles(engine.search(query, k=k, mode=mode)) for mode in ("hybrid", "dense", "lexical")}


def test_first_ingest_embeds_every_chunk(mini):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    report, result = mini.ingest(a, b)
    assert result.papers == 5
    assert result.chunks == sum(mini.chunk_count(k) for k in ["tidal", "sourdough", "glacier", "bees", "qec"])
    assert result.embedded == result.chunks
    assert result.added_papers == 5 and result.removed_papers == 0
    engine = mini.engine()
    assert _chroma_ids(engine) == set(engine.index.chunks)
    assert len(engine.index.chunks) == result.chunks


def test_reingesting_the_same_files_embeds_nothing(mini):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    _, first = mini.ingest(a, b)
    before = _all_modes(mini.engine(), "honey bee colonies infested by mites")

    _, second = mini.ingest(a, b)

    assert second.embedded == 0
    assert second.deleted == 0
    assert second.added_papers == 0 and second.removed_papers == 0
    assert (second.papers, second.chunks) == (first.papers, first.chunks)
    engine = mini.engine()
    assert len(_chroma_ids(engine)) == first.chunks
    assert _all_modes(engine, "honey bee colonies infested by mites") == before


def test_adding_a_file_embeds_only_its_new_papers(mini):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    _, first = mini.ingest(a)
    assert first.papers == 3

    _, second = mini.ingest(a, b)

    # 'glacier' was already indexed from a.txt: only bees and qec are new.
    assert second.embedded == mini.chunk_count("bees") + mini.chunk_count("qec")
    assert second.added_papers == 2
    assert second.papers == 5
    engine = mini.engine()
    assert engine.index.papers[mini.pid("glacier")].sources == ("a.txt", "b.md")
    assert _titles(engine.search("varroa mites in honey bee hives", k=1)) == [mini.papers["bees"][0]]


def test_ingesting_a_new_file_alone_keeps_the_papers_already_indexed(mini):
    a = mini.listing("a.txt", A_KEYS)
    c = mini.listing("c.txt", ["manuscript"], chrome=False)
    mini.ingest(a)

    _, result = mini.ingest(c)

    assert result.embedded == mini.chunk_count("manuscript")
    assert result.papers == 4
    engine = mini.engine()
    assert _titles(engine.search("sourdough starter yeast fermentation", k=1)) == [mini.papers["sourdough"][0]]
    assert _titles(engine.search("handwriting recognition of medieval scribes", k=1)) == [mini.papers["manuscript"][0]]


@pytest.mark.parametrize("edit", ["append", "prepend"])
def test_changed_abstract_reembeds_only_that_papers_changed_chunks(mini, edit):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    mini.ingest(a, b)
    old_chunks = {(c.chunk_id, c.content_hash) for c in mini.chunks("sourdough")}
    title, abstract = mini.papers["sourdough"]
    extra = "We also measure rye starter acidity with a zirconium electrode probe."
    mini.papers["sourdough"] = (title, f"{abstract} {extra}" if edit == "append" else f"{extra} {abstract}")
    mini.listing("a.txt", A_KEYS)
    new_chunks = {(c.chunk_id, c.content_hash) for c in mini.chunks("sourdough")}
    changed = len(new_chunks - old_chunks)
    assert changed >= 1

    _, result = mini.ingest(a)

    # Only the sourdough chunks whose text changed are embedded again; the other four papers are untouched.
    assert result.embedded == changed
    assert result.embedded <= mini.chunk_count("sourdough") < result.chunks
    assert result.papers == 5 and result.added_papers == 0 and result.removed_papers == 0
    engine = mini.engine()
    assert "zirconium" in engine.index.papers[mini.pid("sourdough")].abstract
    assert _titles(engine.search("zirconium electrode", k=1, mode="lexical")) == [title]
    assert _titles(engine.search("rye starter acidity zirconium electrode probe", k=1, mode="dense")) == [title]
    assert _chroma_ids(engine) == set(engine.index.chunks)
    stored = engine.index.collection.get(ids=sorted(c for c, _ in new_chunks), include=["metadatas"])
    assert {(i, m["content_hash"]) for i, m in zip(stored["ids"], stored["metadatas"])} == new_chunks


def test_a_sync_that_reads_chroma_over_many_pages_still_reembeds_only_what_changed(mini, monkeypatch):
    """A real index holds far more chunks than one page of the sync's read-back of Chroma: every
    page must count, or unchanged chunks are embedded again and stale ones linger."""
    import rag.index

    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    _, first = mini.ingest(a, b)
    monkeypatch.setattr(rag.index, "_SCAN_PAGE", 2)
    assert first.chunks > 4 * rag.index._SCAN_PAGE

    _, unchanged = mini.ingest(a, b)
    mini.listing("a.txt", ["sourdough", "glacier"])  # tidal leaves the corpus
    _, removed = mini.ingest(a, b)

    assert unchanged.embedded == 0 and unchanged.deleted == 0
    assert removed.embedded == 0 and removed.deleted == mini.chunk_count("tidal")
    engine = mini.engine()
    assert _chroma_ids(engine) == set(engine.index.chunks)
    assert mini.papers["tidal"][0] not in _titles(engine.search("tidal turbine blade fatigue", k=6))


def test_paper_removed_from_its_file_disappears_from_search(mini):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    mini.ingest(a, b)
    tidal = mini.papers["tidal"][0]
    assert tidal in _all_modes(mini.engine(), "tidal turbine blade fatigue")["hybrid"]

    mini.listing("a.txt", ["sourdough", "glacier"])
    _, result = mini.ingest(a)

    assert result.removed_papers == 1
    assert result.papers == 4
    assert result.embedded == 0
    assert result.deleted == mini.chunk_count("tidal")
    engine = mini.engine()
    assert mini.pid("tidal") not in engine.index.papers
    for mode, titles in _all_modes(engine, "tidal turbine blade fatigue").items():
        assert tidal not in titles, mode
    assert not any(cid.startswith(mini.pid("tidal") + ":") for cid in _chroma_ids(engine))


def test_paper_removed_from_one_file_stays_while_another_lists_it(mini):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    mini.ingest(a, b)

    mini.listing("a.txt", ["tidal", "sourdough"])
    _, result = mini.ingest(a)

    assert result.removed_papers == 0
    engine = mini.engine()
    glacier = engine.index.papers[mini.pid("glacier")]
    assert glacier.sources == ("b.md",)
    assert _titles(engine.search("calving front of glaciers in radar images", k=1)) == [glacier.title]


@pytest.mark.parametrize("order", ["a then b", "b then a"])
def test_same_paper_ingested_from_two_files_separately_keeps_both_sources(mini, order):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    first, second = (a, b) if order == "a then b" else (b, a)
    mini.ingest(first)
    _, result = mini.ingest(second)
    assert result.papers == 5
    assert result.embedded == sum(mini.chunk_count(k) for k in ({"a then b": B_KEYS, "b then a": A_KEYS}[order]) if k != "glacier")
    engine = mini.engine()
    assert engine.index.papers[mini.pid("glacier")].sources == ("a.txt", "b.md")
    # Re-syncing one of the two files changes nothing about the other's claim.
    mini.ingest(first)
    assert mini.engine().index.papers[mini.pid("glacier")].sources == ("a.txt", "b.md")


def test_same_paper_in_two_files_keeps_both_sources(mini, rag_cli):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    mini.ingest(a, b)
    rows = rag_cli("--data-dir", mini.settings.data_dir, "papers", "--json").json_lines()
    glacier = next(r for r in rows if r["title"] == mini.papers["glacier"][0])
    assert glacier["sources"] == ["a.txt", "b.md"]
    # The markdown file supplies the date and link the listing lacks.
    assert glacier["published"] == "2023-05-01"
    assert glacier["url"] == "http://arxiv.org/abs/2305.00001v1"
    tidal = next(r for r in rows if r["title"] == mini.papers["tidal"][0])
    assert tidal["sources"] == ["a.txt"]
    assert tidal["code_url"] == "https://github.com/example-lab/tidal-fatigue"


def test_rebuild_drops_everything_not_in_the_given_files(mini, rag_cli):
    a = mini.listing("a.txt", A_KEYS)
    b = mini.markdown("b.md", B_KEYS)
    mini.ingest(a, b)

    result = rag_cli("--data-dir", mini.settings.data_dir, "ingest", "--rebuild", a,
                     env={"RAG_CHUNK_TOKENS": "64", "RAG_CHUNK_OVERLAP": "16"})

    assert result.exit_code == 0, result.output
    assert "index holds 3 papers" in result.stdout
    engine = mini.engine()
    assert sorted(p.title for p in engine.index.papers.values()) == sorted(mini.papers[k][0] for k in A_KEYS)
    assert engine.index.papers[mini.pid("glacier")].sources == ("a.txt",)
    assert _chroma_ids(engine) == set(engine.index.chunks)
    expected_chunks = sum(mini.chunk_count(k) for k in A_KEYS)
    assert len(engine.index.chunks) == expected_chunks
    # --rebuild stores every chunk again; texts seen before come from the embedding cache.
    assert f"stored {expected_chunks} (" in result.stdout
    for mode, titles in _all_modes(engine, "varroa mites honey bee hive acoustics").items():
        assert mini.papers["bees"][0] not in titles, mode


def test_rebuild_restores_every_chunk_without_embedding_known_text(mini):
    a = mini.listing("a.txt", A_KEYS)
    _, first = mini.ingest(a)
    _, again = mini.ingest(a, rebuild=True)
    assert first.embedded == first.chunks
    assert again.stored == again.chunks == first.chunks  # all back in a fresh Chroma collection
    assert again.embedded == 0  # ...from the content-hash cache, not the model
    assert again.papers == 3
    engine = mini.engine()
    assert _chroma_ids(engine) == set(engine.index.chunks)


def test_a_lost_embedding_cache_only_costs_time(mini):
    a = mini.listing("a.txt", A_KEYS)
    mini.ingest(a)
    (mini.settings.data_dir / "embeddings.sqlite").unlink()
    _, again = mini.ingest(a, rebuild=True)
    assert again.embedded == again.chunks


def test_search_needs_an_index(mini):
    from rag.errors import IndexError_

    with pytest.raises(IndexError_, match="rag ingest"):
        mini.engine()


def test_unreadable_manifest_is_a_clear_error_and_reingest_repairs_it_without_reembedding(mini, rag_cli):
    a = mini.listing("a.txt", A_KEYS)
    _, first = mini.ingest(a)
    (mini.settings.data_dir / "manifest.json").write_text("{not json", encoding="utf-8")

    result = rag_cli("--data-dir", mini.settings.data_dir, "papers")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "manifest" in result.stderr
    assert "--rebuild" in result.stderr
    assert "Traceback" not in result.output

    _, repaired = mini.ingest(a)
    assert repaired.embedded == 0  # the vectors already in Chroma are reused
    assert repaired.papers == first.papers and repaired.chunks == first.chunks
    assert _titles(mini.engine().search("sourdough starter yeast", k=1)) == [mini.papers["sourdough"][0]]


def test_second_concurrent_ingest_is_refused_with_a_message(mini, rag_cli):
    from rag.index import ingest_lock

    a = mini.listing("a.txt", A_KEYS)
    mini.ingest(a)
    before = (mini.settings.data_dir / "manifest.json").read_bytes()
    with ingest_lock(mini.settings.data_dir):
        result = rag_cli("--data-dir", mini.settings.data_dir, "ingest", a)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "another ingest" in result.stderr
    assert (mini.settings.data_dir / "manifest.json").read_bytes() == before


def test_index_built_by_another_embedder_is_refused_with_a_rebuild_hint(mini, rag_cli):
    import json

    a = mini.listing("a.txt", A_KEYS)
    mini.ingest(a)
    path = mini.settings.data_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["embedder"] = "some-other-model@000000000000"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    result = rag_cli("--data-dir", mini.settings.data_dir, "search", "tidal turbines")
    assert result.exit_code == 2
    assert "some-other-model" in result.stderr and "--rebuild" in result.stderr
    assert "Traceback" not in result.output


def test_chroma_metadata_follows_a_paper_that_gains_a_source(mini):
    a = mini.listing("a.txt", ["tidal", "glacier"])
    b = mini.markdown("b.md", ["glacier", "bees"])
    mini.ingest(a)
    mini.ingest(b)
    engine = mini.engine()
    paper = engine.index.papers[mini.pid("glacier")]
    assert paper.sources == ("a.txt", "b.md") and paper.year == 2023
    stored = engine.index.collection.get(where={"paper_id": paper.paper_id}, include=["metadatas"])
    assert stored["ids"]
    for meta in stored["metadatas"]:
        assert meta["sources"] == "a.txt|b.md"
        assert meta["year"] == 2023


def test_the_collection_opens_in_a_stock_llama_index_retriever(seed_engine):
    # Writes go through llama-index's ChromaVectorStore, reads go straight to Chroma: a user's
    # own LlamaIndex code must still read the collection, and agree with our dense ranking.
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from rag.embed import as_llama_index

    index = VectorStoreIndex.from_vector_store(
        ChromaVectorStore(chroma_collection=seed_engine.index.collection), embed_model=as_llama_index(seed_engine.embedder)
    )
    query = "fine-tuning quantized language models with low-rank adapters on one GPU"
    theirs = index.as_retriever(similarity_top_k=5).retrieve(query)
    ours = seed_engine.index.nearest(seed_engine.embedder.embed_query(query), 5)
    assert [n.node.node_id for n in theirs] == [cid for cid, _ in ours]
    chunk = seed_engine.index.chunks[ours[0][0]]
    assert theirs[0].node.get_content() == chunk.text
    assert theirs[0].node.metadata["title"] == chunk.title


# ---------------------------------------------------------------- indexes written before corpus ids


def as_written_before_corpus_ids(settings) -> None:
    """Turn a fresh index into the layout earlier versions wrote: every record in the collection
    `settings.collection` with no corpus in its metadata, no corpus id in the manifest or beside it."""
    import json

    from rag.index import CORPUS_FILE, _chroma_client

    manifest_path = settings.data_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    collection = _chroma_client(settings).get_collection(manifest.pop("collection"), embedding_function=None)
    manifest.pop("corpus")
    manifest["collection"] = settings.collection
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (settings.data_dir / CORPUS_FILE).unlink()
    ids = collection.get(include=[])["ids"]
    collection.update(ids=ids, metadatas=[{"corpus": None}] * len(ids))
    collection.modify(name=settings.collection)


def test_an_index_from_before_corpus_ids_is_searched_then_moved_without_embedding(mini):
    from rag.index import _chroma_client

    a = mini.listing("a.txt", A_KEYS)
    _, first = mini.ingest(a)
    as_written_before_corpus_ids(mini.settings)
    (mini.settings.data_dir / "embeddings.sqlite").unlink()  # the old collection is the only copy of the vectors

    old = mini.engine()
    assert old.index.stats()["corpus"] is None
    assert _titles(old.search("sourdough starter yeast fermentation", k=1, mode="dense")) == [mini.papers["sourdough"][0]]

    _, moved = mini.ingest(a)

    assert moved.embedded == 0 and moved.stored == first.chunks  # copied from the old collection
    assert moved.corpus and f"corpus {moved.corpus}" in moved.summary()
    assert mini.manifest()["corpus"] == moved.corpus
    engine = mini.engine()
    assert engine.index.stats()["corpus"] == moved.corpus
    assert _chroma_ids(engine) == set(engine.index.chunks)
    assert {m["corpus"] for m in engine.index.collection.get(include=["metadatas"])["metadatas"]} == {moved.corpus}
    assert _titles(engine.search("sourdough starter yeast fermentation", k=1, mode="dense")) == [mini.papers["sourdough"][0]]
    # The embedded store is this data dir's own: the old collection is gone, not left to grow stale.
    assert [c.name for c in _chroma_client(mini.settings).list_collections()] == [engine.index.collection.name]


def test_the_corpus_id_survives_rebuild_and_a_lost_id_file(mini):
    a = mini.listing("a.txt", A_KEYS)
    _, first = mini.ingest(a)
    _, rebuilt = mini.ingest(a, rebuild=True)
    (mini.settings.data_dir / "corpus_id").unlink()
    _, again = mini.ingest(a)  # the manifest still names it
    assert first.corpus == rebuilt.corpus == again.corpus
    assert again.stored == again.deleted == again.embedded == 0


def test_an_engine_opened_after_an_abstract_changed_quotes_the_new_text(mini):
    """Sentence vectors and the corpus' name tables are kept per process, across engines: one opened
    after a re-ingest that changed an abstract answers from the new abstract, names included."""
    a = mini.listing("a.txt", A_KEYS)
    mini.ingest(a)
    question = "What mean front distance error does the boundary-aware loss reach?"
    before = mini.engine().assistant.ask(question, answerer="extractive")
    assert "86 meters" in before.text

    title, abstract = mini.papers["glacier"]
    mini.papers["glacier"] = (title, abstract.replace("86 meters", "41 meters with the GlacierNetV2 decoder"))
    mini.listing("a.txt", A_KEYS)
    mini.ingest(a)
    after = mini.engine().assistant.ask(question, answerer="extractive")
    assert "41 meters" in after.text and "86 meters" not in after.text
    assert mini.engine().retriever.name_casing.get("glaciernetv2") == "GlacierNetV2"


def test_ingest_embeds_each_abstract_sentence_once_and_the_answerer_reads_it_back(mini):
    """Ingest stores every abstract sentence's vector beside the index (a fresh `rag ask` process
    quoted a paper only after embedding its sentences, most of an ask's time); a re-ingest embeds
    only the sentences a changed abstract adds, and what is read back is the model's own vector."""
    import numpy as np

    from rag.text import split_sentences

    a = mini.listing("a.txt", A_KEYS)
    sentences = {s for k in A_KEYS for s in split_sentences(mini.papers[k][1])}
    _, first = mini.ingest(a)
    assert first.sentences_embedded == len(sentences) and "abstract sentences newly embedded" in first.summary()
    _, again = mini.ingest(a)
    assert again.sentences_embedded == 0

    title, abstract = mini.papers["glacier"]
    added = "The decoder also runs on a laptop in real time."
    mini.papers["glacier"] = (title, f"{abstract} {added}")
    mini.listing("a.txt", A_KEYS)
    _, changed = mini.ingest(a)
    assert changed.sentences_embedded == 1

    engine = mini.engine()
    read = engine.assistant.scorer.stored(sorted(sentences | {added}))
    assert set(read) == sentences | {added}
    texts = list(read)
    fresh = engine.embedder.embed(texts)
    assert min(float(np.dot(read[t], v)) for t, v in zip(texts, fresh)) > 0.9999


def test_an_index_without_stored_sentence_vectors_answers_the_same(mini):
    """An index built before sentence vectors were stored (or whose vector cache is gone or damaged)
    still answers, embedding the sentences itself, with the same answer."""
    import sqlite3

    from rag import extractive

    a = mini.listing("a.txt", A_KEYS)
    mini.ingest(a)
    question = "What mean front distance error does the boundary-aware loss reach?"
    extractive._SENTENCE_VECTORS.clear()
    stored = mini.engine().assistant.ask(question, answerer="extractive")
    assert "86 meters" in stored.text

    cache = mini.settings.data_dir / "embeddings.sqlite"
    with sqlite3.connect(cache) as db:
        db.execute("DROP TABLE sentences")
    extractive._SENTENCE_VECTORS.clear()
    assert mini.engine().assistant.ask(question, answerer="extractive").text == stored.text

    cache.write_bytes(b"not a database" * 100)
    extractive._SENTENCE_VECTORS.clear()
    assert mini.engine().assistant.ask(question, answerer="extractive").text == stored.text


def test_corpus_tables_are_kept_beside_the_index_for_the_next_process(mini):
    """The corpus' name casing, terms and word counts are read off every abstract on a process's first question
    (seconds for a large library, at every one-shot `rag ask`); the first process writes them to the index's
    tables/ folder and the next reads them back: the same tables, the same answer, and a damaged file is rebuilt."""
    import json

    from rag import names

    a = mini.listing("a.txt", A_KEYS)
    mini.ingest(a)
    question = "What mean front distance error does the boundary-aware loss reach?"
    names._CORPUS_TABLES.clear()
    engine = mini.engine()
    first = engine.assistant.ask(question, answerer="extractive")
    built = (dict(engine.retriever.name_casing), set(engine.assistant.terms), dict(engine.assistant.speller._counts()))
    stored = sorted(p.name.split("-")[0] for p in (mini.settings.data_dir / "tables").glob("*.json"))
    assert stored == ["name_casing", "terms", "word_papers"]

    names._CORPUS_TABLES.clear()  # a new process
    engine = mini.engine()
    again = engine.assistant.ask(question, answerer="extractive")
    assert again.text == first.text
    assert (dict(engine.retriever.name_casing), set(engine.assistant.terms), dict(engine.assistant.speller._counts())) == built

    for path in (mini.settings.data_dir / "tables").glob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    names._CORPUS_TABLES.clear()
    engine = mini.engine()
    assert engine.assistant.ask(question, answerer="extractive").text == first.text
    assert dict(engine.retriever.name_casing) == built[0]
    casing = next((mini.settings.data_dir / "tables").glob("name_casing-*.json"))
    assert json.loads(casing.read_text(encoding="utf-8"))["table"] == built[0]  # rewritten



def test_two_readers_streaming_the_papers_at_once_each_get_every_paper(tmp_path):
    """The UI's threads, or a name table built on first use while another reading is under way, stream
    the paper store at the same time: each must read whole records (they shared one file offset, and
    past the first buffer one failed on a torn JSON line), and an open store keeps reading the version
    it opened when an ingest replaces the file."""
    from rag.index import PAPERS_FILE, PaperStore
    from rag.types import Paper

    def write(path, note):
        lines = [Paper(paper_id=f"p{i:04d}", title=f"Paper {i}", abstract=f"{note} " + "word " * 150, sources=("x",)).model_dump_json()
                 for i in range(400)]  # ~400 kB: more than one read buffer
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    write(tmp_path / PAPERS_FILE, "first version")
    papers = PaperStore(tmp_path)
    outer = papers.titles_and_abstracts()
    first = next(outer)
    inner = [title for _, title, _ in papers.titles_and_abstracts()]
    rest = [title for _, title, _ in outer]
    assert len(inner) == 400 and [first[1], *rest] == inner

    write(tmp_path / "new.jsonl", "second version")
    (tmp_path / "new.jsonl").replace(tmp_path / PAPERS_FILE)
    assert {text.split(" word")[0] for _, _, text in papers.titles_and_abstracts()} == {"first version"}
