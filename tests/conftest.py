"""Shared fixtures: the seed index (built once per session), small throw-away corpora,
a CLI runner that refuses tracebacks, and a network guard built on audit hooks.

Everything here uses the real components: the ONNX MiniLM embedder, a Chroma
PersistentClient in a temp dir, bm25s. Nothing is mocked.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import rag  # noqa: F401  (applies the offline environment defaults first)
from rag import pipeline
from rag.chunk import chunk_paper
from rag.cli import cli
from rag.config import load_settings
from rag.embed import EMBEDDER_ID
from rag.ingest import load_corpus, paper_id_for

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_PAPERS = 429
SEED_LISTINGS = 452
F000 = "000_fc0ee4138f0afafc.txt"
F001 = "001_3459155a8cff6a34.txt"
F002 = "002_d379d1f909512d36.txt"
F003 = "003_2632c3ae63e9962d.txt"
F004 = "004_752272cbd5988517.txt"


# ---------------------------------------------------------------- environment


@pytest.fixture(scope="session", autouse=True)
def _clean_environment(tmp_path_factory):
    """No RAG_* setting from the developer's shell leaks in; the default data dir is a temp dir."""
    mp = pytest.MonkeyPatch()
    for name in list(os.environ):
        if name.startswith("RAG_"):
            mp.delenv(name)
    mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    yield
    mp.undo()


# ---------------------------------------------------------------- network guard
#
# sys.addaudithook cannot be removed, so one hook is installed for the whole
# process; it records only while a recorder is active.


def _host_is_loopback(host) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local wildcard, no lookup
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _address_is_local(address) -> bool:
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX socket path: not a network peer
    if isinstance(address, tuple) and address:
        return _host_is_loopback(address[0])
    return False


@dataclass
class NetRecorder:
    """Non-loopback socket activity seen while `active`."""

    active: bool = False
    seen: list[tuple[str, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> "NetRecorder":
        with self.lock:
            self.seen.clear()
            self.active = True
        return self

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.active = False


NET = NetRecorder()


def _audit(event: str, args: tuple) -> None:
    if not NET.active or not event.startswith("socket."):
        return
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if not _address_is_local(address):
            NET.seen.append((event, address))
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        host = args[0] if args else None
        if not _host_is_loopback(host):
            NET.seen.append((event, host))


if not getattr(sys, "_paper_rag_audit_installed", False):
    sys.addaudithook(_audit)
    sys._paper_rag_audit_installed = True  # type: ignore[attr-defined]


@pytest.fixture
def net_recorder():
    """The process-wide recorder (for tests of the guard itself)."""
    return NET


@pytest.fixture
def no_network():
    """Fails the test if anything opened a non-loopback connection or looked up a name."""
    with NET:
        yield NET
    if NET.seen:
        pytest.fail(f"non-loopback network activity during the test: {NET.seen[:10]}")


# ---------------------------------------------------------------- the seed corpus and index


@pytest.fixture(scope="session")
def seed_corpus():
    """The parsed shipped corpus (parsing only, no index)."""
    return load_corpus([SEEDS])


@pytest.fixture(scope="session")
def seed_papers(seed_corpus):
    """title → Paper for the shipped corpus."""
    return {p.title: p for p in seed_corpus.papers}


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """The whole seed corpus ingested once into a temp data dir (about 20-40 s on 2 cores)."""
    data_dir = tmp_path_factory.mktemp("seed-index")
    settings = load_settings(data_dir=data_dir, progress=False)
    report, result = pipeline.ingest(settings, [SEEDS])
    return SimpleNamespace(settings=settings, data_dir=data_dir, report=report, sync=result)


@pytest.fixture(scope="session")
def seed_engine(seed_index):
    return pipeline.Engine(seed_index.settings)


@pytest.fixture(scope="module")
def assistant(seed_engine, seed_index):
    """An Assistant over the seed index with its default settings and no key, base URL or GGUF
    configured: the extractive answerer a new user gets."""
    from rag.answer import Assistant

    settings = seed_index.settings.model_copy(
        update={"answerer": "auto", "openai_api_key": None, "openai_base_url": None, "local_gguf": None}
    )
    return Assistant(seed_engine.retriever, settings)


# ---------------------------------------------------------------- the CLI


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


@pytest.fixture
def rag_cli():
    """Run `rag ARGS...` in-process. An exception escaping the CLI (a traceback for a
    user) fails the test; otherwise returns exit code, stdout and stderr."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> CliResult:
        runner = CliRunner()
        result = runner.invoke(cli, [str(a) for a in args], input=input, env=env, prog_name="rag", catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            tb = "".join(traceback.format_exception(*result.exc_info))
            pytest.fail(f"`rag {' '.join(map(str, args))}` raised instead of reporting an error:\n{tb}")
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


def rag_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m rag.cli`."""
    script = Path(sys.executable).parent / "rag"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]


# ---------------------------------------------------------------- small corpora

CHROME = ["new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the research community", "May 7"]

MINI_PAPERS: dict[str, tuple[str, str]] = {
    "tidal": (
        "Tidal Turbine Blade Fatigue Prediction with Graph Neural Networks",
        "Tidal stream turbines suffer blade fatigue from cyclic loading by ocean currents. "
        "We model each blade as a graph of strain gauges and train a graph neural network to predict remaining fatigue life. "
        "On three years of sensor logs from a turbine array in the Pentland Firth, the model halves the error of rainflow counting baselines. "
        "We further show that predictions transfer to a second site with different flow regimes. "
        "Code is available at https://github.com/example-lab/tidal-fatigue.",
    ),
    "sourdough": (
        "Sourdough Fermentation Kinetics Modeled by Stochastic Differential Equations",
        "Sourdough starters are symbiotic cultures of wild yeast and lactic acid bacteria whose growth is hard to predict. "
        "We describe leavening with a system of stochastic differential equations that couples yeast and bacterial populations to dough acidity. "
        "The parameters are fitted to time-lapse measurements of dough height from forty bakeries. "
        "The fitted model forecasts peak rise time within twelve minutes and explains why cold retardation slows souring more than rising.",
    ),
    "glacier": (
        "Glacier Calving Front Detection in Synthetic Aperture Radar Imagery",
        "Calving fronts mark where marine-terminating glaciers lose ice to the ocean. "
        "Tracking them by hand in satellite images is slow and subjective. "
        "We train a segmentation network on synthetic aperture radar scenes of Greenland outlet glaciers to delineate the calving front automatically. "
        "A boundary-aware loss reduces the mean front distance error to 86 meters. "
        "We release a benchmark of 2,000 annotated radar scenes.",
    ),
    "bees": (
        "Beekeeping Hive Acoustics for Early Varroa Mite Detection",
        "Varroa mites are the main threat to honey bee colonies, yet infestations are usually noticed too late. "
        "We record the hum of hives with cheap microphones and learn spectral signatures of infested colonies. "
        "A small convolutional classifier detects varroa infestation two weeks before visual inspection does. "
        "The system runs on a solar-powered microcontroller at the apiary.",
    ),
    "qec": (
        "Quantum Error Correction Codes on Heavy-Hexagon Lattices",
        "Superconducting quantum processors with heavy-hexagon connectivity cannot run the standard surface code directly. "
        "We construct subsystem codes tailored to the heavy-hexagon lattice and derive their decoding graphs. "
        "Simulations under circuit-level noise give a threshold of 0.45 percent. "
        "Logical error rates fall exponentially with code distance on hardware with 127 qubits.",
    ),
    "manuscript": (
        "Medieval Manuscript Handwriting Recognition with Few-Shot Transformers",
        "Medieval scribes used abbreviations and letter forms that modern handwriting recognizers have never seen. "
        "We adapt a transformer recognizer to a new scribe's hand from only ten annotated lines. "
        "Pretraining on synthetic pages rendered with historical fonts is the key ingredient. "
        "Character error rates drop from 19 to 6 percent on a collection of twelfth-century Latin charters.",
    ),
}


def listing_text(entries: list[tuple[str, str]], chrome: bool = True) -> str:
    """A daily-paper listing page: chrome, then title / abstract paragraphs."""
    blocks = list(CHROME) if chrome else []
    for title, abstract in entries:
        blocks += [title, abstract]
    return "\n\n".join(blocks) + "\n"


def markdown_text(entries: list[tuple[str, str]]) -> str:
    """arXiv-style markdown with a hard-wrapped summary."""
    parts = []
    for n, (title, abstract) in enumerate(entries, start=1):
        wrapped = textwrap.wrap(abstract, width=78)
        parts.append(
            f"# {title}\n\n"
            f"Published: 2023-05-{n:02d}T12:00:00Z\n"
            f"[Link to the paper](http://arxiv.org/abs/2305.{n:05d}v1)\n\n"
            "## Authors\n\n- Ada Lovelace\n- Alan Turing\n"
            "## Summary\n  " + "\n".join(wrapped) + "\n"
        )
    return "\n\n\n".join(parts)


class MiniCorpus:
    """Seed files written into a temp dir, and a data dir to index them into.

    Small chunks (64 tokens) so each paper spans several chunks and "only this
    paper was re-embedded" is a meaningful count.
    """

    def __init__(self, root: Path):
        self.root = root
        self.files = root / "seeds"
        self.files.mkdir()
        self.settings = load_settings(data_dir=root / "data", chunk_tokens=64, chunk_overlap=16, progress=False)
        self.papers = dict(MINI_PAPERS)

    def entries(self, keys: list[str]) -> list[tuple[str, str]]:
        return [self.papers[k] for k in keys]

    def listing(self, name: str, keys: list[str], chrome: bool = True) -> Path:
        path = self.files / name
        path.write_text(listing_text(self.entries(keys), chrome=chrome), encoding="utf-8")
        return path

    def markdown(self, name: str, keys: list[str]) -> Path:
        path = self.files / name
        path.write_text(markdown_text(self.entries(keys)), encoding="utf-8")
        return path

    def ingest(self, *paths: Path, rebuild: bool = False):
        return pipeline.ingest(self.settings, list(paths), rebuild=rebuild)

    def engine(self) -> pipeline.Engine:
        return pipeline.Engine(self.settings)

    def pid(self, key: str) -> str:
        return paper_id_for(self.papers[key][0])

    def chunks(self, key: str):
        """The chunks the index should hold for this paper (parsed the way ingest parses it)."""
        from rag.types import Paper

        title, abstract = self.papers[key]
        paper = Paper(paper_id=self.pid(key), title=title, abstract=" ".join(abstract.split()), sources=("x",))
        return chunk_paper(paper, self.settings.chunk_tokens, self.settings.chunk_overlap, salt=EMBEDDER_ID)

    def chunk_count(self, key: str) -> int:
        return len(self.chunks(key))

    def manifest(self) -> dict:
        return json.loads((self.settings.data_dir / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def mini(tmp_path) -> MiniCorpus:
    return MiniCorpus(tmp_path)
