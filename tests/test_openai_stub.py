"""The OpenAI stand-in (tests/openai_stub.py) against the REAL openai client.

These pin down both the stub (it speaks the protocol well enough for the real
client's parsing, streaming and error mapping) and the installed client's own
behaviour that the app has to cope with: which exception each failure becomes.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager

import openai
import pytest
from openai import OpenAI

from openai_stub import RecordedRequest, Reply, StubOpenAI, split_chars, split_words

# Every test here must stay on loopback (the conftest guard fails it otherwise).
pytestmark = pytest.mark.usefixtures("no_network")

SYSTEM = "You answer only from the sources. Cite them as [1], [2]."
SOURCES = "[1] Tidal Turbine Blade Fatigue ... [2] Glacier Calving Front Detection ..."
QUESTION = "Which paper predicts blade fatigue?"
MESSAGES = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": SOURCES},
    {"role": "user", "content": QUESTION},
]


@contextmanager
def client(stub: StubOpenAI, *, api_key: str = "k", timeout: float = 2.0, max_retries: int = 0, **kw):
    c = OpenAI(base_url=stub.base_url, api_key=api_key, timeout=timeout, max_retries=max_retries, **kw)
    try:
        yield c
    finally:
        c.close()


def ask(c: OpenAI, **kw):
    return c.chat.completions.create(model="gpt-test", messages=MESSAGES, **kw)


# ---------------------------------------------------------------- happy paths


def test_non_streamed_completion_returns_the_scripted_text():
    with StubOpenAI(script=Reply(text="Blade fatigue is predicted by [1].")) as stub, client(stub) as c:
        completion = ask(c)
    assert isinstance(completion, openai.types.chat.ChatCompletion)
    assert completion.choices[0].message.content == "Blade fatigue is predicted by [1]."
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-test"
    assert completion.object == "chat.completion"
    assert completion.usage is not None and completion.usage.completion_tokens == 6


def test_streamed_completion_arrives_in_several_chunks():
    text = "Blade fatigue is predicted by the graph network paper [1]."
    with StubOpenAI(script=Reply(text=text)) as stub, client(stub) as c:
        chunks = list(ask(c, stream=True))
    assert all(isinstance(ch, openai.types.chat.ChatCompletionChunk) for ch in chunks)
    pieces = [ch.choices[0].delta.content for ch in chunks if ch.choices[0].delta.content]
    assert len(pieces) == len(text.split()) > 1
    assert "".join(pieces) == text
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [ch.choices[0].finish_reason for ch in chunks][-1] == "stop"
    assert all(ch.choices[0].finish_reason is None for ch in chunks[:-1])
    assert len({ch.id for ch in chunks}) == 1 and chunks[0].model == "gpt-test"


def test_streamed_usage_chunk_when_asked_for():
    with StubOpenAI(script="two words") as stub, client(stub) as c:
        chunks = list(ask(c, stream=True, stream_options={"include_usage": True}))
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 2
    assert all(ch.usage is None for ch in chunks[:-1])


def test_split_words_rejoins_exactly():
    for text in ["a b  c ", " lead", "one", "", "x\ny z"]:
        assert "".join(split_words(text)) == text


@pytest.mark.parametrize("size", [1, 7, 10_000])
def test_chunk_size_streams_pieces_of_that_many_characters(size):
    """Servers differ: token by token, a few large pieces, or the whole answer at once."""
    text = "Blade fatigue is predicted by the graph network paper [1]. It uses strain gauges."
    with StubOpenAI(script=Reply(text=text, chunk_size=size)) as stub, client(stub) as c:
        pieces = [ch.choices[0].delta.content for ch in ask(c, stream=True) if ch.choices[0].delta.content]
    assert "".join(pieces) == text
    assert pieces == split_chars(text, size)
    assert len(pieces) == (1 if size >= len(text) else -(-len(text) // size))


def test_split_chars_rejoins_exactly():
    for text in ["a b  c ", "", "x\ny z", "ü" * 9]:
        for size in (1, 2, 4, 100):
            pieces = split_chars(text, size)
            assert "".join(pieces) == text and all(len(p) <= size for p in pieces)


def test_echo_replies_with_what_the_model_saw():
    with StubOpenAI(script=Reply(echo=True)) as stub, client(stub) as c:
        plain = ask(c).choices[0].message.content
        streamed = "".join(ch.choices[0].delta.content or "" for ch in ask(c, stream=True))
    assert plain == streamed == "\n\n".join([SYSTEM, SOURCES, QUESTION])


def test_requests_are_recorded_exactly():
    with StubOpenAI(script=Reply(text="ok")) as stub, client(stub, api_key="sk-secret") as c:
        ask(c, temperature=0)
    [req] = stub.requests
    assert isinstance(req, RecordedRequest)
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.headers["Authorization"] == "Bearer sk-secret"  # case-insensitive lookup
    assert req.headers["authorization"] == req.authorization == "Bearer sk-secret"
    assert req.headers["content-type"] == "application/json"
    assert req.body["model"] == "gpt-test" and req.body["temperature"] == 0
    assert req.messages == MESSAGES  # system prompt and sources as separate messages
    assert json.loads(req.raw) == req.body
    assert stub.chat_requests == [req] and stub.last is req


def test_models_endpoint_lists_the_configured_model():
    with StubOpenAI(model="stub-llm") as stub, client(stub) as c:
        assert [m.id for m in c.models.list()] == ["stub-llm"]
        assert c.models.retrieve("stub-llm").id == "stub-llm"
        with pytest.raises(openai.NotFoundError):
            c.models.retrieve("nope")
    assert [r.path for r in stub.requests] == ["/v1/models", "/v1/models/stub-llm", "/v1/models/nope"]


def test_unknown_endpoint_is_a_404():
    with StubOpenAI() as stub, client(stub) as c:
        with pytest.raises(openai.NotFoundError):
            c.embeddings.create(model="e", input="x")


# ---------------------------------------------------------------- scripts


def test_list_script_is_consumed_in_order_and_the_last_repeats():
    with StubOpenAI(script=["first", Reply(text="second"), Reply(status=500)]) as stub, client(stub) as c:
        assert ask(c).choices[0].message.content == "first"
        assert ask(c).choices[0].message.content == "second"
        for _ in range(2):
            with pytest.raises(openai.InternalServerError):
                ask(c)
        stub.script = ["new list"]  # a new script starts from its first reply
        assert ask(c).choices[0].message.content == "new list"


def test_callable_script_sees_the_request_body():
    def script(body: dict) -> Reply:
        return Reply(text=f"{len(body['messages'])} messages, stream={body.get('stream', False)}")

    with StubOpenAI(script=script) as stub, client(stub) as c:
        assert ask(c).choices[0].message.content == "3 messages, stream=False"
        assert "".join(ch.choices[0].delta.content or "" for ch in ask(c, stream=True)) == "3 messages, stream=True"


# ---------------------------------------------------------------- errors


def test_500_raises_internal_server_error():
    with StubOpenAI(script=Reply(status=500)) as stub, client(stub) as c:
        with pytest.raises(openai.InternalServerError) as err:
            ask(c)
        with pytest.raises(openai.InternalServerError):
            ask(c, stream=True)  # the status is checked before any streaming starts
    assert err.value.status_code == 500
    assert err.value.body["type"] == "server_error"  # .body is the inner "error" object
    assert err.value.request_id == "req_stub_000001"


def test_429_raises_rate_limit_error_with_code():
    with StubOpenAI(script=Reply(status=429)) as stub, client(stub) as c:
        with pytest.raises(openai.RateLimitError) as err:
            ask(c)
    assert err.value.code == "rate_limit_exceeded"


def test_wrong_key_raises_authentication_error():
    with StubOpenAI(script="fine", require_key="sk-right") as stub:
        with client(stub, api_key="sk-wrong") as c:
            with pytest.raises(openai.AuthenticationError) as err:
                ask(c)
            with pytest.raises(openai.AuthenticationError):
                c.models.list()
        with client(stub, api_key="sk-right") as c:
            assert ask(c).choices[0].message.content == "fine"
    assert err.value.status_code == 401 and err.value.code == "invalid_api_key"
    assert [r.authorization for r in stub.requests] == ["Bearer sk-wrong", "Bearer sk-wrong", "Bearer sk-right"]


def test_client_retries_500_unless_max_retries_is_zero():
    # retry-after-ms keeps the client's back-off short (its default is ~0.5 s, then 1 s, ...).
    script = [Reply(status=500, headers={"retry-after-ms": "10"}), Reply(text="recovered")]
    with StubOpenAI(script=script) as stub, client(stub, max_retries=2) as c:
        assert ask(c).choices[0].message.content == "recovered"
    assert [r.headers["x-stainless-retry-count"] for r in stub.requests] == ["0", "1"]
    assert stub.requests[0].body == stub.requests[1].body


def test_delay_beyond_the_client_timeout_raises_api_timeout_error():
    with StubOpenAI(script=Reply(delay_s=5)) as stub, client(stub, timeout=0.2) as c:
        start = time.monotonic()
        with pytest.raises(openai.APITimeoutError) as err:
            ask(c)
        assert time.monotonic() - start < 1.5
    assert isinstance(err.value, openai.APIConnectionError)  # APITimeoutError subclasses it
    assert len(stub.requests) == 1


def test_stall_mid_stream_raises_api_timeout_error_while_iterating():
    with StubOpenAI(script=Reply(text="one two three four", stall_after_chunks=2)) as stub, client(stub, timeout=0.2) as c:
        stream = ask(c, stream=True)  # headers and first chunks arrive: no error yet
        got = []
        with pytest.raises(openai.APITimeoutError):
            for ch in stream:
                got.append(ch.choices[0].delta.content)
    assert "".join(filter(None, got)) == "one two "


def test_connection_dropped_mid_stream_raises_api_connection_error():
    with StubOpenAI(script=Reply(text="one two three four", drop_after_chunks=1)) as stub, client(stub) as c:
        got = []
        with pytest.raises(openai.APIConnectionError) as err:
            for ch in ask(c, stream=True):
                got.append(ch.choices[0].delta.content)
    assert not isinstance(err.value, openai.APITimeoutError)
    assert "".join(filter(None, got)) == "one "


def test_error_event_mid_stream_raises_api_error():
    script = Reply(text="one two three", error_after_chunks=1, error_message="overloaded mid-stream")
    with StubOpenAI(script=script) as stub, client(stub) as c:
        with pytest.raises(openai.APIError) as err:
            list(ask(c, stream=True))
    assert type(err.value) is openai.APIError  # the plain base class, no status subclass
    assert "overloaded mid-stream" in str(err.value)


def test_garbage_with_json_content_type_raises_plain_json_decode_error():
    # Surprise: NOT an openai.APIError. The client calls response.json() unguarded.
    with StubOpenAI(script=Reply(garbage=True)) as stub, client(stub) as c:
        with pytest.raises(json.JSONDecodeError) as err:
            ask(c)
    assert not isinstance(err.value, openai.OpenAIError)


def test_garbage_with_other_content_type_is_returned_as_a_str():
    # Surprise: no exception at all by default; create() returns the body text.
    # Only _strict_response_validation=True turns it into APIResponseValidationError.
    reply = Reply(garbage=True, garbage_content_type="text/html", garbage_body=b"<html>proxy error</html>")
    with StubOpenAI(script=reply) as stub:
        with client(stub) as c:
            assert ask(c) == "<html>proxy error</html>"
        with client(stub, _strict_response_validation=True) as c:
            with pytest.raises(openai.APIResponseValidationError):
                ask(c)


def test_garbage_in_a_stream_raises_json_decode_error_while_iterating():
    with StubOpenAI(script=Reply(garbage=True, garbage_body=b"not json")) as stub, client(stub) as c:
        stream = ask(c, stream=True)
        with pytest.raises(json.JSONDecodeError):
            list(stream)


@pytest.mark.parametrize(
    "reply",
    [Reply(text="a full answer", ignore_stream=True), Reply(garbage=True, garbage_content_type="text/html", ignore_stream=True)],
    ids=["completion-json", "html-page"],
)
def test_non_sse_answer_to_a_stream_request_is_a_silent_empty_stream(reply):
    # Surprise: no exception. The SSE decoder ignores lines that are not "field: value"
    # events, so the stream just ends with no chunks; callers must treat "no content" as an error.
    with StubOpenAI(script=reply) as stub, client(stub) as c:
        assert list(ask(c, stream=True)) == []
    assert stub.last.body["stream"] is True


# ---------------------------------------------------------------- lifecycle


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_port_is_closed_after_the_with_block():
    with StubOpenAI() as stub, client(stub) as c:
        assert stub.base_url == f"http://127.0.0.1:{stub.port}/v1"
        ask(c)  # leaves a kept-alive connection open in the client's pool
        port = stub.port
        assert not _refused(port)
    assert _refused(port)
    assert not stub.running
    with client(stub) as c, pytest.raises(openai.APIConnectionError):
        ask(c)


def test_exit_is_fast_with_a_stalled_stream_and_a_delayed_request_open():
    stub = StubOpenAI(script=[Reply(text="a b c", stall_after_chunks=1), Reply(delay_s=60)])
    with stub, client(stub, timeout=30) as c:
        stream = ask(c, stream=True)
        next(iter(stream))
        errors = []
        waiter = threading.Thread(target=lambda: errors.append(pytest.raises(openai.APIError, ask, c)))
        waiter.start()
        while len(stub.requests) < 2:
            time.sleep(0.01)
        start = time.monotonic()
    assert time.monotonic() - start < 1.0
    waiter.join(timeout=5)
    assert not waiter.is_alive() and errors  # the delayed request failed instead of hanging
    stream.close()


def test_server_stops_by_itself_after_max_lifetime():
    stub = StubOpenAI(max_lifetime_s=0.2).start()
    port = stub.port
    deadline = time.monotonic() + 3
    while stub.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not stub.running and _refused(port)
    stub.stop()  # idempotent
