"""One abstention sentence: what the model is told to say, what the extractive path says and
what a reader sees are the same words; a model's abstention is recognised in either wording.
The LLM is the real openai client against the loopback stub server (tests/openai_stub.py)."""

from __future__ import annotations

import re

import pytest

from openai_stub import StubOpenAI
from rag.answer import Assistant
from rag.llm import ABSTAIN_SENTENCE, SYSTEM_PROMPT

pytestmark = pytest.mark.usefixtures("no_network")

QUESTION = "How can a huge model be fine-tuned on one GPU by quantizing its frozen weights?"
TOLD = re.search(r'reply exactly: "([^"]+)"', SYSTEM_PROMPT).group(1)


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def stub():
    with StubOpenAI() as server:
        yield server


def _assistant(engine, base_url: str | None, answerer: str = "auto") -> Assistant:
    settings = engine.settings.model_copy(
        update={"answerer": answerer, "openai_base_url": base_url, "openai_api_key": None,
                "llm_model": "stub-model", "llm_timeout": 5.0, "llm_max_retries": 0}
    )
    return Assistant(engine.retriever, settings)


def test_a_streaming_reader_and_the_final_answer_say_the_same_abstention(seed_engine, stub):
    """The model says what it was told; the text streamed to the reader and the answer kept
    afterwards (the chat history, the CLI's --json) must not read differently."""
    assert TOLD == ABSTAIN_SENTENCE
    stub.script = TOLD
    deltas: list[str] = []
    answer = _assistant(seed_engine, stub.base_url).ask(QUESTION, on_delta=deltas.append)
    assert answer.abstained
    assert "".join(deltas).strip() == answer.shown_text  # a weak-evidence preface may come first


@pytest.mark.parametrize(
    "reply",
    [
        "The indexed abstracts do not answer this.",
        "The indexed abstracts don't answer this.",
        "The indexed abstracts don’t answer this.",
        '"The indexed abstracts don\'t answer this."',
        "**The indexed abstracts do not answer this.**",
    ],
)
def test_the_models_abstention_is_recognised_in_either_wording(seed_engine, stub, reply):
    stub.script = reply
    answer = _assistant(seed_engine, stub.base_url).ask(QUESTION)
    assert answer.abstained and answer.citations == ()
    assert answer.text.startswith(ABSTAIN_SENTENCE)


def test_the_extractive_abstention_uses_the_sentence_the_model_is_told(seed_engine):
    answer = _assistant(seed_engine, None, answerer="extractive").ask("Which paper introduced the FooBarNet-9000 architecture?")
    assert answer.abstained
    assert answer.text.startswith(TOLD)
