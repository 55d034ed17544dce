"""`rag serve` refuses to expose the UI to the network without a password, and rejects a
malformed --auth, before it loads anything (exit code 2, a message, no traceback)."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")


def test_non_loopback_host_without_auth_is_refused(rag_cli, seed_index):
    result = rag_cli("--data-dir", seed_index.data_dir, "serve", "--host", "0.0.0.0")
    assert result.exit_code == 2, result.output
    assert "--auth" in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_auth_without_a_colon_is_refused(rag_cli, seed_index, host):
    result = rag_cli("--data-dir", seed_index.data_dir, "serve", "--host", host, "--auth", "bad")
    assert result.exit_code == 2, result.output
    assert "USER:PASS" in result.output, result.output
    assert "Traceback" not in result.output
