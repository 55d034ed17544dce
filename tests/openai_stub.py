"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat protocol, for tests.

The only thing tests may stand in for is the paid remote LLM API. This module
stands in for it with an actual socket server, so the real ``openai`` client
(httpx transport, retries, SSE decoding, error mapping) runs unchanged: point
it at ``stub.base_url``.

    with StubOpenAI(script=[Reply(text="hello there"), Reply(status=500)]) as stub:
        client = OpenAI(base_url=stub.base_url, api_key="k", max_retries=0, timeout=2)
        client.chat.completions.create(model="m", messages=[...])   # -> "hello there"
        client.chat.completions.create(model="m", messages=[...])   # -> InternalServerError
        stub.requests[0].body["messages"]                            # what was sent

Endpoints:
    POST /v1/chat/completions   stream=false: a ChatCompletion JSON
                                stream=true:  SSE ``data: {chunk}\\n\\n`` ... ``data: [DONE]\\n\\n``
                                (chunked transfer encoding, as OpenAI sends it)
    GET  /v1/models             a list holding the configured model name
    anything else               404 with an OpenAI-style error body

Stdlib only. Every wait inside the server (``delay_s``, a stall) ends early when
the client disconnects or the stub stops, so leaving the ``with`` block is fast.
"""

from __future__ import annotations

import json
import re
import select
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Union

__all__ = ["Reply", "RecordedRequest", "StubOpenAI", "Script", "split_chars", "split_words"]

DEFAULT_MODEL = "stub-model"
DEFAULT_TEXT = "This is a stub answer."

# Default OpenAI-style error (type, code, message) per status.
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Bad request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Forbidden."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."),
    408: ("server_error", "timeout", "Request timed out."),
    409: ("invalid_request_error", "conflict", "Conflict."),
    422: ("invalid_request_error", None, "Unprocessable entity."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


@dataclass
class Reply:
    """How the stub answers one chat-completion request.

    text                 the completion. Streamed as one chunk per space-separated
                         word (the chunks concatenate back to exactly ``text``).
    chunk_size           streaming only: send ``text`` in pieces of this many
                         characters instead of one per word; a size >= len(text) sends
                         it all in one chunk, as some servers do.
    echo                 answer with the contents of all request messages joined by
                         "\\n\\n" (string contents, or the text parts of list contents):
                         proves what the model saw. Overrides ``text``.
    status               HTTP status; anything but 200 sends an OpenAI-style error
                         JSON ``{"error": {"message", "type", "param", "code"}}``
                         (defaults per status; override with error_message/type/code).
    delay_s              wait before answering (to trigger client timeouts). Ends
                         early if the client hangs up.
    stall_after_chunks   streaming only: send the role chunk and this many content
                         chunks, then hang (until the client disconnects, the stub
                         stops, or ``stall_max_s``) without finishing the stream.
    drop_after_chunks    streaming only: after this many content chunks, close the
                         socket abruptly (a truncated chunked body).
    error_after_chunks   streaming only: after this many content chunks, send an SSE
                         event ``data: {"error": {...}}`` (how OpenAI reports a
                         failure mid-stream) and end the stream.
    garbage              answer 200 with a body that is not JSON (for a stream: an
                         SSE event whose data is not JSON).
    ignore_stream        answer a stream=true request as if it were stream=false (a
                         plain ChatCompletion JSON, or the garbage body): what a
                         server that ignores "stream" or a proxy error page sends.
    garbage_body         the bytes sent when ``garbage``.
    garbage_content_type the Content-Type sent with ``garbage``.
    finish_reason        finish_reason of the (last) choice.
    headers              extra response headers, e.g. {"retry-after-ms": "10"} to make
                         the client's retry immediate, or {"x-should-retry": "false"}.
    """

    text: str = DEFAULT_TEXT
    chunk_size: int | None = None
    echo: bool = False
    status: int = 200
    error_message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    delay_s: float = 0.0
    stall_after_chunks: int | None = None
    stall_max_s: float = 30.0
    drop_after_chunks: int | None = None
    error_after_chunks: int | None = None
    garbage: bool = False
    ignore_stream: bool = False
    garbage_body: bytes = b"<html><body>502 Bad Gateway (not JSON)</body></html>"
    garbage_content_type: str = "application/json"
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)

    def error_body(self) -> dict[str, Any]:
        etype, code, message = _ERRORS.get(self.status, ("server_error" if self.status >= 500 else "invalid_request_error", None, f"HTTP {self.status}"))
        return {
            "error": {
                "message": self.error_message if self.error_message is not None else message,
                "type": self.error_type if self.error_type is not None else etype,
                "param": None,
                "code": self.error_code if self.error_code is not None else code,
            }
        }


# A script: one Reply (or str) for every request, a list consumed in order (the
# last one repeats), or a callable body -> Reply (or str).
Script = Union[Reply, str, Iterable[Union[Reply, str]], Callable[[dict], Union[Reply, str]], None]


class Headers(dict):
    """A plain dict of request headers with lower-case keys, looked up case-insensitively."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()):
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.lower() if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass
class RecordedRequest:
    """One request as the server received it (recorded before it is answered)."""

    method: str
    path: str
    headers: Headers
    body: Any  # the parsed JSON body; None when there was no body or it was not JSON
    raw: bytes = b""

    @property
    def messages(self) -> list[dict]:
        return list((self.body or {}).get("messages") or []) if isinstance(self.body, dict) else []

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


def message_text(message: dict) -> str:
    """The text of one chat message (string content, or the text parts of a list)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def split_words(text: str) -> list[str]:
    """Pieces split after each space; "".join(pieces) == text."""
    return [p for p in re.split(r"(?<= )", text) if p] or [""]


def split_chars(text: str, size: int) -> list[str]:
    """Pieces of `size` characters (the last may be shorter); "".join(pieces) == text."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: "StubOpenAI"

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request, client_address) -> None:
        # Registered here, in the serving thread, so stop() sees every connection.
        self.stub._track(request)
        super().process_request(request, client_address)

    def handle_error(self, request, client_address) -> None:
        pass  # a client hanging up mid-answer is a normal event for this server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms delayed-ACK stalls
    server: _Server
    server_version = "openai-stub/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.stub._untrack(self.connection)

    # ---------------------------------------------------------------- plumbing

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, payload: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", self._request_id)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _send_json(self, status: int, obj: Any, extra: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode("utf-8"), "application/json", extra)

    def _send_error_reply(self, reply: Reply) -> None:
        self._send_json(reply.status, reply.error_body(), reply.headers)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; False (stop waiting) once the client hung up or the stub stops."""
        deadline = time.monotonic() + seconds
        stop = self.server.stub._stopping
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            if stop.wait(min(left, 0.02)) or self._client_gone():
                return False

    # ---------------------------------------------------------------- routing

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        stub = self.server.stub
        raw = self._read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = self.path.split("?", 1)[0]
        number = stub._record(RecordedRequest(method, path, Headers(self.headers.items()), body, raw))
        self._request_id = f"req_stub_{number:06d}"

        if stub.require_key is not None:
            auth = self.headers.get("Authorization")
            if auth != f"Bearer {stub.require_key}":
                message = (
                    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                    if not auth
                    else "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
                )
                code = None if not auth else "invalid_api_key"
                self._send_error_reply(Reply(status=401, error_message=message, error_code=code))
                return

        prefix = stub.path_prefix
        if method == "POST" and path == f"{prefix}/chat/completions":
            if not isinstance(body, dict):
                self._send_error_reply(Reply(status=400, error_message="We could not parse the JSON body of your request."))
                return
            self._chat(body, number)
        elif method == "GET" and path == f"{prefix}/models":
            self._send_json(200, {"object": "list", "data": [stub._model_card(m) for m in stub.models]})
        elif method == "GET" and path.startswith(f"{prefix}/models/"):
            name = path[len(f"{prefix}/models/"):]
            if name in stub.models:
                self._send_json(200, stub._model_card(name))
            else:
                self._send_error_reply(Reply(status=404, error_message=f"The model '{name}' does not exist"))
        else:
            self._send_error_reply(Reply(status=404, error_message=f"Invalid URL ({method} {path})", error_code=None))

    # ---------------------------------------------------------------- chat

    def _chat(self, body: dict, number: int) -> None:
        stub = self.server.stub
        reply = stub._next_reply(body)
        if reply.delay_s > 0 and not self._wait(reply.delay_s):
            self.close_connection = True
            return
        if reply.status != 200:
            self._send_error_reply(reply)
            return

        model = body.get("model") or stub.model
        stream = bool(body.get("stream")) and not reply.ignore_stream
        if reply.garbage and not stream:
            self._send(200, reply.garbage_body, reply.garbage_content_type, reply.headers)
            return

        messages = body.get("messages") if isinstance(body.get("messages"), list) else []
        text = "\n\n".join(message_text(m) for m in messages if isinstance(m, dict)) if reply.echo else reply.text
        prompt_tokens = sum(len(message_text(m).split()) for m in messages if isinstance(m, dict))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(text.split()),
            "total_tokens": prompt_tokens + len(text.split()),
        }
        cid = f"chatcmpl-stub{number:06d}"
        created = int(time.time())

        if not stream:
            self._send_json(
                200,
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "fp_stub",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text, "refusal": None},
                            "logprobs": None,
                            "finish_reason": reply.finish_reason,
                        }
                    ],
                    "usage": usage,
                },
                reply.headers,
            )
            return
        self._stream(reply, text, cid, created, model, usage, body)

    def _stream(self, reply: Reply, text: str, cid: str, created: int, model: str, usage: dict, body: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-request-id", self._request_id)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict, finish: str | None) -> dict:
            obj = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_stub",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            if include_usage:
                obj["usage"] = None
            return obj

        def event(obj: Any) -> None:
            data = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
            if isinstance(data, str):
                data = data.encode("utf-8")
            self._write_chunk(b"data: " + data + b"\n\n")

        try:
            if reply.garbage:
                event(reply.garbage_body)
                event(b"[DONE]")
                self._write_chunk(b"")
                return
            event(chunk({"role": "assistant", "content": "", "refusal": None}, None))
            pieces = split_chars(text, reply.chunk_size) if reply.chunk_size else split_words(text)
            for n, piece in enumerate(pieces):
                if reply.stall_after_chunks is not None and n >= reply.stall_after_chunks:
                    self._wait(reply.stall_max_s)
                    self.close_connection = True
                    return
                if reply.drop_after_chunks is not None and n >= reply.drop_after_chunks:
                    self._drop()
                    return
                if reply.error_after_chunks is not None and n >= reply.error_after_chunks:
                    event(Reply(status=500, error_message=reply.error_message or "The server had an error while streaming.").error_body())
                    event(b"[DONE]")
                    self._write_chunk(b"")
                    return
                event(chunk({"content": piece}, None))
            event(chunk({}, reply.finish_reason))
            if include_usage:
                event({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                       "system_fingerprint": "fp_stub", "choices": [], "usage": usage})
            event(b"[DONE]")
            self._write_chunk(b"")  # end of the chunked body
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class StubOpenAI:
    """A local OpenAI-compatible server: ``with StubOpenAI(script=...) as stub: ... stub.base_url``.

    script          what to answer each chat completion (see ``Script``); default Reply().
                    May be replaced while running: ``stub.script = ...``.
    model           the model name listed by /v1/models and reported when a request names none.
    require_key     if set, every request must carry ``Authorization: Bearer <key>``, else 401.
    max_lifetime_s  the server stops itself after this long even if never exited.
    host            where to listen (loopback); the port is chosen by the OS.

    stub.requests   every request received, in order (a live list of RecordedRequest).
    stub.base_url   "http://127.0.0.1:PORT/v1".
    """

    def __init__(
        self,
        script: Script = None,
        *,
        model: str = DEFAULT_MODEL,
        models: Iterable[str] | None = None,
        require_key: str | None = None,
        max_lifetime_s: float = 120.0,
        host: str = "127.0.0.1",
        path_prefix: str = "/v1",
    ) -> None:
        self.script = script
        self.model = model
        self.models = list(models) if models is not None else [model]
        self.require_key = require_key
        self.max_lifetime_s = max_lifetime_s
        self.host = host
        self.path_prefix = path_prefix.rstrip("/")
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._list_pos = 0
        self._script_seen: Any = object()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self.port: int | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> "StubOpenAI":
        if self._server is not None:
            raise RuntimeError("StubOpenAI already started")
        self._stopping.clear()
        server = _Server((self.host, 0), _Handler)
        server.stub = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"openai-stub:{self.port}", daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.max_lifetime_s, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, close the port, join the threads.

        Idempotent and safe to call from any thread except a request handler; a
        second caller (the lifetime timer racing ``__exit__``) waits for the first.
        """
        with self._stop_lock:
            server, timer = self._server, self._timer
            if server is None:
                return
            self._stopping.set()
            if timer is not None and timer is not threading.current_thread():
                timer.cancel()
            server.shutdown()  # serve_forever returns; no more accepts
            with self._lock:
                conns = list(self._connections)
            for conn in conns:  # wake handlers blocked reading a kept-alive connection
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            server.server_close()  # closes the listening socket, joins handler threads
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._timer = None

    @property
    def running(self) -> bool:
        """True from start() until stop() has closed the port."""
        return self._server is not None

    def __enter__(self) -> "StubOpenAI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---------------------------------------------------------------- public helpers

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("StubOpenAI not started")
        return f"http://{self.host}:{self.port}{self.path_prefix}"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded POST .../chat/completions requests."""
        return [r for r in list(self.requests) if r.method == "POST" and r.path.endswith("/chat/completions")]

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]

    def clear(self) -> None:
        """Forget recorded requests and restart a list script from its first reply."""
        with self._lock:
            self.requests.clear()
            self._list_pos = 0

    # ---------------------------------------------------------------- server side

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            return len(self.requests)

    def _model_card(self, name: str) -> dict:
        return {"id": name, "object": "model", "created": 1700000000, "owned_by": "openai-stub"}

    def _next_reply(self, body: dict) -> Reply:
        script = self.script
        if script is None:
            reply: Any = Reply()
        elif isinstance(script, (Reply, str)):
            reply = script
        elif callable(script):
            reply = script(body)
        else:
            with self._lock:
                if script is not self._script_seen:  # a new list: start from its first reply
                    self._script_seen = script if isinstance(script, list) else list(script)
                    if not isinstance(script, list):
                        self.script = script = self._script_seen
                    self._list_pos = 0
                items = self._script_seen
                if not items:
                    reply = Reply()
                else:
                    reply = items[min(self._list_pos, len(items) - 1)]
                    self._list_pos += 1
        if isinstance(reply, str):
            reply = Reply(text=reply)
        if not isinstance(reply, Reply):
            raise TypeError(f"script must produce a Reply or str, got {type(reply).__name__}")
        return reply
