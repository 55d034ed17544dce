"""`rag serve`: registered as a plugin command (entry point group `paper_rag.commands`), so
`rag` never imports `ui`. Gradio is imported only when the command runs."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys
from pathlib import Path

import click

from rag.errors import ConfigError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(value: str | None, where: str = "--auth") -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError(f"{where} must be USER:PASS", hint="for example RAG_AUTH=alice:a-long-passphrase, or that line in --auth-file")
    return user, password


def read_auth_file(path: Path) -> tuple[str, str]:
    """USER:PASS from the file's first line; a file others may read gets a warning."""
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read --auth-file {path} ({getattr(exc, 'strerror', None) or exc})", hint="a text file holding USER:PASS") from None
    if mode & 0o077:
        click.echo(f"warning: other users may read {path}; chmod 600 {path}", err=True)
    credentials = parse_auth(text.split("\n", 1)[0].rstrip("\r"), where=f"the first line of {path}")
    if credentials is None:
        raise ConfigError(f"{path} is empty", hint="write USER:PASS on its first line")
    return credentials


def port_in_use(port: int) -> ConfigError:
    """The error for a taken port (here, not in ui.app: the check must not import gradio, ~10 s on 2 cores)."""
    return ConfigError(f"port {port} is in use", hint="pick another with --port N (or stop what is listening there)")


def check_port_free(host: str, port: int) -> None:
    """Fail fast with a one-line error when the port is taken (gradio would print a
    38-line traceback, after the index is loaded)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise port_in_use(port) from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise ConfigError(f"not allowed to listen on port {port}", hint="ports below 1024 need root: use --port 7860") from None
            raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc})", hint="check --host: an address of this machine, or 127.0.0.1") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; anything but loopback requires a password.")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True)
@click.option("--auth-file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File whose first line is USER:PASS required to open the UI (chmod 600 it).")
@click.option("--auth", default=None,
              help="USER:PASS required to open the UI. Visible to other users in `ps`: prefer RAG_AUTH=USER:PASS or --auth-file.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, auth_file: Path | None, auth: str | None) -> None:
    """Build or load the index, then serve the chat UI (default http://127.0.0.1:7860).

    A password (needed for any --host but loopback) comes from RAG_AUTH=USER:PASS or
    --auth-file PATH; --auth USER:PASS works too, but anyone on the machine can read it in `ps`.
    """
    from rag import pipeline
    from rag.index import read_manifest

    settings = ctx.obj["settings"]
    if auth:
        click.echo("warning: --auth is visible to other users of this machine (ps); prefer RAG_AUTH or --auth-file", err=True)
        credentials = parse_auth(auth)
    elif auth_file:
        credentials = read_auth_file(auth_file)
    else:
        credentials = parse_auth(os.environ.get("RAG_AUTH"), where="RAG_AUTH")
    if not _is_loopback(host) and credentials is None:
        raise ConfigError(
            f"refusing to serve on {host} without a password: anyone on the network could use it",
            hint="set RAG_AUTH=USER:PASS or add --auth-file PATH, or bind 127.0.0.1",
        )
    check_port_free(host, port)
    if read_manifest(settings.data_dir) is None:
        click.echo("No index yet: building it from the shipped seeds…", err=True)
        report, result = pipeline.ingest(settings)
        click.echo(f"{report.summary()}; {result.summary()}", err=True)
    engine = pipeline.Engine(settings)
    from ui.app import serve as serve_app

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"paper-rag UI on http://{shown}:{port}  (Ctrl-C stops it)", err=True)
    if credentials:
        click.echo("login required", err=True)
    sys.stdout.flush()
    serve_app(engine, host=host, port=port, auth=credentials, block=True)
