"""The ONNX MiniLM embedder: unit vectors of the right size that put meaning together."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from rag.embed import (
    DIMENSION,
    MODEL_SHA256,
    QUANTIZED_SHA256,
    TOKENIZER_SHA256,
    _check_sha256,
    default_embedder,
    model_files,
    quantized_model,
)
from rag.errors import EmbedderError

TEXTS = [
    "A cat is sitting on the mat.",
    "There is a cat sitting on a rug.",
    "Quarterly tax filings are due in April.",
    "We fine-tune a huge language model on a single GPU by quantizing the frozen weights to four bits.",
    "Efficient finetuning of quantized LLMs: 4-bit quantization plus LoRA makes 65B models trainable on one GPU.",
    "Glaciers in Greenland are retreating as the ocean warms.",
]


@pytest.fixture(scope="module")
def embedder():
    return default_embedder()


def test_vectors_are_unit_length_and_384_wide(embedder):
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), DIMENSION) == (6, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_query("a question about quantization")
    assert len(query) == 384
    assert abs(np.linalg.norm(query) - 1.0) < 1e-4


def test_paraphrases_are_closer_than_unrelated_texts(embedder):
    v = embedder.embed(TEXTS)
    cat_cat, cat_tax = float(v[0] @ v[1]), float(v[0] @ v[2])
    qlora_qlora, qlora_glacier = float(v[3] @ v[4]), float(v[3] @ v[5])
    assert cat_cat > cat_tax + 0.3
    assert qlora_qlora > qlora_glacier + 0.3


def test_a_texts_vector_does_not_depend_on_its_batch(embedder):
    """Length-sorted batching and padding must not change what a text embeds to."""
    batch = embedder.embed(TEXTS)
    for i, text in enumerate(TEXTS):
        alone = embedder.embed([text])[0]
        assert float(alone @ batch[i]) > 0.999
    query = np.array(embedder.embed_query(TEXTS[3]))
    assert float(query @ batch[3]) > 0.999


def test_empty_input_gives_empty_matrix(embedder):
    assert embedder.embed([]).shape == (0, DIMENSION)


def test_long_text_is_truncated_not_rejected(embedder):
    vector = embedder.embed(["word " * 2000])[0]
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-4


def test_installed_model_files_match_pinned_checksums():
    model, tokenizer = model_files()
    assert hashlib.sha256(model.read_bytes()).hexdigest() == MODEL_SHA256
    assert hashlib.sha256(tokenizer.read_bytes()).hexdigest() == TOKENIZER_SHA256


def test_checksum_mismatch_raises_embedder_error(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"not the model you are looking for")
    _check_sha256(path, hashlib.sha256(path.read_bytes()).hexdigest())  # the right digest passes
    with pytest.raises(EmbedderError) as info:
        _check_sha256(path, MODEL_SHA256)
    assert str(path) in str(info.value)
    assert info.value.hint


def test_missing_model_file_raises_embedder_error(tmp_path):
    with pytest.raises(EmbedderError):
        _check_sha256(tmp_path / "absent.onnx", MODEL_SHA256)


def test_a_bulk_call_gives_each_text_the_vector_it_gets_alone(embedder):
    """Ingest embeds thousands of texts on parallel sessions; a query is embedded alone.
    Both must land on the same vector, or a chunk would not match its own text."""
    texts = [f"{TEXTS[i % len(TEXTS)]} Variant {i} adds " + "more words " * (20 + i % 40) for i in range(120)]
    assert sum(len(e.ids) for e in embedder._tokenizer.encode_batch(texts)) > embedder._BULK_MIN_TOKENS
    bulk = embedder.embed(texts)  # over the bulk threshold: parallel sessions
    assert embedder._bulk_sessions, "the bulk path was not taken"
    for i in (0, 7, 59, 119):
        alone = embedder.embed([texts[i]])[0]
        assert float(alone @ bulk[i]) > 0.9999


def test_the_derived_model_matches_its_pinned_digest():
    assert hashlib.sha256(quantized_model().read_bytes()).hexdigest() == QUANTIZED_SHA256


def test_the_int8_model_agrees_with_the_float_graph_it_was_derived_from(tmp_path, embedder):
    """Quantizing must not change what a text means: on any CPU (the 7-bit weights cannot saturate
    the int8 products of CPUs without VNNI), every vector stays close to the float graph's."""
    from rag.embed import MAX_TOKENS, MiniLMEmbedder, OnnxSentenceEmbedder, derive_float_model

    source, tokenizer = model_files()
    float_graph = MiniLMEmbedder.__new__(MiniLMEmbedder)
    OnnxSentenceEmbedder.__init__(float_graph, derive_float_model(source, tmp_path), tokenizer, MAX_TOKENS, 1)
    texts = TEXTS + [" ".join(TEXTS) * 3]  # the last one is truncated at MAX_TOKENS
    cosines = np.sum(float_graph.embed(texts) * embedder.embed(texts), axis=1)
    assert cosines.min() >= 0.98 and cosines.mean() >= 0.99, cosines


def test_a_damaged_derived_model_is_derived_again(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_MODEL_CACHE", str(tmp_path))
    first = quantized_model()
    assert first.parent == tmp_path
    first.write_bytes(b"half a model")
    again = quantized_model()
    assert again == first
    assert hashlib.sha256(again.read_bytes()).hexdigest() == QUANTIZED_SHA256
    assert [p.name for p in tmp_path.iterdir()] == [first.name], "no temporary files left behind"


def test_an_unwritable_model_cache_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RAG_MODEL_CACHE", str(blocker / "cache"))
    with pytest.raises(EmbedderError) as info:
        quantized_model()
    assert str(blocker / "cache") in str(info.value)
    assert "RAG_MODEL_CACHE" in info.value.hint


def test_a_model_cache_set_in_code_wins_over_the_environment(tmp_path, monkeypatch, mini):
    """A Settings made in code decides where the derived model goes, for ingest and for search."""
    from rag import pipeline
    from rag.config import load_settings

    from_env, from_code = tmp_path / "env-cache", tmp_path / "code-cache"
    monkeypatch.setenv("RAG_MODEL_CACHE", str(from_env))
    settings = load_settings(data_dir=tmp_path / "data", model_cache=from_code, progress=False)
    assert settings.model_cache == from_code
    pipeline.ingest(settings, [mini.listing("a.txt", ["tidal", "bees"])])
    engine = pipeline.Engine(settings)
    assert engine.search("honeybee colonies", k=1)
    derived = [p.name for p in from_code.iterdir()]
    assert len(derived) == 1 and derived[0].endswith(".onnx")
    assert hashlib.sha256((from_code / derived[0]).read_bytes()).hexdigest() == QUANTIZED_SHA256
    assert not from_env.exists()
