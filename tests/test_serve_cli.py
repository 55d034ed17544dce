"""`rag serve` refuses to expose the UI to the network without a password, rejects a
malformed --auth and a port in use, before it loads anything (exit code 2, a message, no
traceback); a password is best given where `ps` cannot show it (RAG_AUTH, --auth-file)."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from conftest import rag_command

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


# ---------------------------------------------------------------- a busy port, the password's source


@pytest.fixture
def busy_port():
    """A port something is already listening on (127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield s.getsockname()[1]


def _serve(data_dir, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real `rag serve` as a user runs it; it must exit by itself."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, **(env or {})}
    return subprocess.run(rag_command() + ["--data-dir", str(data_dir), "serve", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_a_busy_port_is_a_two_line_error_with_exit_code_2(seed_index, busy_port):
    proc = _serve(seed_index.data_dir, "--port", str(busy_port))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: port {busy_port} is in use",
        "hint: pick another with --port N (or stop what is listening there)",
    ]


def test_the_app_reports_a_port_taken_after_the_cli_checked_it(seed_engine, busy_port):
    """The race the CLI's check cannot close: gradio's own bind fails."""
    from rag.errors import ConfigError
    from ui.app import serve

    with pytest.raises(ConfigError, match=f"port {busy_port} is in use"):
        serve(seed_engine, port=busy_port, block=False)


def test_auth_on_the_command_line_warns_that_ps_shows_it(rag_cli, seed_index, busy_port):
    result = rag_cli("--data-dir", seed_index.data_dir, "serve", "--port", busy_port, "--auth", "alice:secret-words")
    assert result.stderr.startswith("warning: --auth is visible to other users"), result.stderr
    assert "RAG_AUTH" in result.stderr and "--auth-file" in result.stderr
    assert f"port {busy_port} is in use" in result.stderr  # it still works: the password was taken


def test_help_says_where_a_password_should_come_from(rag_cli):
    text = " ".join(rag_cli("serve", "--help").stdout.split())
    assert "--auth-file" in text and "RAG_AUTH" in text
    assert "Visible to other users in `ps`" in text


@pytest.mark.parametrize("source", ["auth file", "RAG_AUTH"])
def test_a_password_from_a_file_or_the_environment_opens_a_network_host(rag_cli, seed_index, busy_port, tmp_path, source):
    """Without a password 0.0.0.0 is refused; with one from --auth-file or RAG_AUTH (neither
    visible in `ps`) serve goes on to bind, here to a port in use, and no warning is printed."""
    refused = rag_cli("--data-dir", seed_index.data_dir, "serve", "--host", "0.0.0.0", "--port", busy_port)
    assert "without a password" in refused.stderr
    if source == "auth file":
        secret = tmp_path / "ui-password"
        secret.write_text("alice:secret-words\n", encoding="utf-8")
        secret.chmod(0o600)
        result = rag_cli("--data-dir", seed_index.data_dir, "serve", "--host", "0.0.0.0", "--port", busy_port, "--auth-file", secret)
    else:
        result = rag_cli("--data-dir", seed_index.data_dir, "serve", "--host", "0.0.0.0", "--port", busy_port,
                         env={"RAG_AUTH": "alice:secret-words"})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: port {busy_port} is in use"), result.stderr
    assert "warning" not in result.stderr


def test_an_auth_file_others_can_read_gets_a_warning_and_an_empty_one_an_error(rag_cli, seed_index, busy_port, tmp_path):
    secret = tmp_path / "ui-password"
    secret.write_text("alice:secret-words\n", encoding="utf-8")
    secret.chmod(0o644)
    result = rag_cli("--data-dir", seed_index.data_dir, "serve", "--port", busy_port, "--auth-file", secret)
    assert f"warning: other users may read {secret}; chmod 600 {secret}" in result.stderr
    secret.write_text("", encoding="utf-8")
    result = rag_cli("--data-dir", seed_index.data_dir, "serve", "--port", busy_port, "--auth-file", secret)
    assert result.exit_code == 2 and f"error: {secret} is empty" in result.stderr
