"""Nothing reaches for the network: ingest and search open no non-loopback socket."""

from __future__ import annotations

import socket

from rag.chunk import count_tokens


def test_guard_sees_outside_connections_and_lookups(net_recorder):
    """The guard itself works: a connection attempt to a TEST-NET address is recorded, loopback is not."""
    with net_recorder:
        for address in [("192.0.2.1", 9), ("127.0.0.1", 9)]:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect_ex(address)  # the audit event fires before the kernel is asked
            finally:
                s.close()
        try:
            socket.getaddrinfo("192.0.2.1", 80, type=socket.SOCK_STREAM)  # numeric: no DNS query is sent
        except OSError:
            pass
        socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM)
        seen = list(net_recorder.seen)
    assert ("socket.connect", ("192.0.2.1", 9)) in seen
    assert ("socket.getaddrinfo", "192.0.2.1") in seen
    assert len(seen) == 2, seen


def test_ingest_and_search_stay_offline(mini, no_network, rag_cli):
    a = mini.listing("a.txt", ["tidal", "sourdough", "glacier"])
    b = mini.markdown("b.md", ["bees", "qec"])
    _, result = mini.ingest(a, b)
    assert result.embedded == result.chunks > 0
    count_tokens("tiktoken must read its bundled BPE file, not download it")
    engine = mini.engine()
    for mode in ("hybrid", "dense", "lexical"):
        assert engine.search("varroa mites in bee hives", k=1, mode=mode)[0].paper.title == mini.papers["bees"][0]
    cli = rag_cli("--data-dir", mini.settings.data_dir, "search", "--json", "-k", "2", "glacier calving fronts")
    assert cli.exit_code == 0
    assert cli.json_lines()[0]["hits"][0]["title"] == mini.papers["glacier"][0]
    assert no_network.seen == []
