"""`rag serve`: registered as a plugin command (entry point group `paper_rag.commands`), so
`rag` never imports `ui`. Gradio is imported only when the command runs."""

from __future__ import annotations

import ipaddress
import os
import sys

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


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("--auth must be USER:PASS", hint="for example --auth alice:a-long-passphrase (or RAG_AUTH)")
    return user, password


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; anything but loopback requires --auth.")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True)
@click.option("--auth", default=None, help="USER:PASS required to open the UI [env RAG_AUTH].")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, auth: str | None) -> None:
    """Build or load the index, then serve the chat UI (default http://127.0.0.1:7860)."""
    from rag import pipeline
    from rag.index import read_manifest

    settings = ctx.obj["settings"]
    credentials = parse_auth(auth or os.environ.get("RAG_AUTH"))
    if not _is_loopback(host) and credentials is None:
        raise ConfigError(
            f"refusing to serve on {host} without a password: anyone on the network could use it",
            hint="add --auth USER:PASS (or set RAG_AUTH), or bind 127.0.0.1",
        )
    if read_manifest(settings.data_dir) is None:
        click.echo("No index yet: building it from the shipped seeds…", err=True)
        report, result = pipeline.ingest(settings)
        click.echo(f"{report.summary()}; {result.summary()}", err=True)
    engine = pipeline.Engine(settings)
    from ui.app import serve as serve_app

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"paper-rag UI on http://{shown}:{port}  (Ctrl-C stops it)", err=True)
    if credentials:
        click.echo("login required (--auth)", err=True)
    sys.stdout.flush()
    serve_app(engine, host=host, port=port, auth=credentials, block=True)
