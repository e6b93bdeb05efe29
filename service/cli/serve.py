"""``craftledger serve``: the HTTP API under gunicorn (programmatic ``BaseApplication``).

Threads serve requests (``gthread`` workers: ``--threads`` for requests plus ``--streams`` for
live boards' Server-Sent Events, each of which holds a thread while open); each worker process
makes one app with one ``Ledger`` shared by its threads, created after the fork. On SQLite (the
default) there is one worker process -- a single writer -- whatever ``--workers`` says; on
PostgreSQL ``--workers`` processes share the database.

The public base URL (credential ids, issuer DIDs, QR codes, share links) is
``CRAFTLEDGER_BASE_URL``, or else the address served: ``http://HOST:PORT``, with a wildcard
``--host`` (``0.0.0.0``, ``::``) named ``127.0.0.1``. It is exported to the workers, and the
start-up message says which it is and where it came from.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import click
from gunicorn.app.base import BaseApplication

from service.config import BASE_URL_VARIABLE, DEMO_VARIABLE, LIVE_STREAMS_VARIABLE, Settings

#: Live-board streams a worker holds unless ``--streams`` says (each is a thread).
DEFAULT_STREAMS = 64
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "[::]"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class CraftledgerServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from a dict, loading ``create_app()`` in each worker."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self) -> Any:
        from service.app import create_app

        return create_app()


def _close_app(worker: Any) -> None:
    app = getattr(worker, "wsgi", None)
    shared = getattr(app, "extensions", {}).get("craftledger")
    if shared is not None:
        shared.close()


def url_host(host: str) -> str:
    """``host`` as a URL names it: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def served_base_url(host: str, port: int) -> str:
    """The URL this machine reaches a server listening on ``host``:``port`` at; a wildcard
    address, which is not one a client can use, becomes ``127.0.0.1``."""
    name = "127.0.0.1" if host in WILDCARD_HOSTS else url_host(host)
    return f"http://{name}" + ("" if port == 80 else f":{port}")


def public_base_url(settings: Settings, host: str, port: int) -> tuple[str, str]:
    """The base URL to serve under and a note on where it came from (for the start-up line)."""
    if settings.base_url:
        parts = urlsplit(settings.base_url)
        named = parts.port or (443 if parts.scheme == "https" else 80)
        note = f"from {BASE_URL_VARIABLE}"
        if parts.hostname in LOOPBACK_HOSTS and named != port:
            note += f"; note it names port {named} and this server listens on {port}"
        return settings.base_url, note
    url = served_base_url(host, port)
    if host in WILDCARD_HOSTS:
        return url, (
            f"from --port; --host {host} is every interface, but only this machine reaches "
            f"127.0.0.1: set {BASE_URL_VARIABLE} to the address others use"
        )
    return url, f"from --host/--port; set {BASE_URL_VARIABLE} for a public address"


def server_options(
    host: str, port: int, workers: int, threads: int, log_level: str, streams: int = 0
) -> dict[str, Any]:
    """gunicorn's settings: ``threads`` for requests plus ``streams`` for live boards (each open
    stream holds a thread; ``docs/competitions-live.md``)."""
    return {
        "bind": f"{url_host(host)}:{port}",
        "workers": workers,
        "threads": threads + streams,
        "worker_connections": max(1000, 2 * (threads + streams)),
        "worker_class": "service.gunicorn_worker.ProblemThreadWorker",  # refusals: problems
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": "-",
        "logger_class": "service.log_masking.MaskingAccessLogger",  # ID numbers masked
        "errorlog": "-",
        "loglevel": log_level,
        "proc_name": "craftledger",
        "preload_app": False,
        "control_socket_disable": True,  # one shared ~/.gunicorn/gunicorn.ctl would collide
        "worker_exit": lambda server, worker: _close_app(worker),
    }


def seed_the_demo(settings: Settings) -> None:
    """Seed (or complete) the demo history and print how to try it."""
    from service.cli.ledger_commands import demo_report_lines
    from service.demo import seed_demo
    from service.ledger import Ledger

    ledger = Ledger(settings)
    started = time.monotonic()
    try:
        report = seed_demo(ledger, progress=lambda line: click.echo(f"  {line}", err=True))
        publish_the_log(ledger)
    finally:
        ledger.close()
    assert settings.base_url is not None
    for line in demo_report_lines(report, settings.base_url, time.monotonic() - started):
        click.echo(line, err=True)


def publish_the_log(ledger: Any) -> None:
    """Log the seeded history and sign a tree head of it before serving (``audit publish``), so
    the demo's certificates show their inclusion at once: requests never sign heads, and the
    runner signs the next one when the policy says it is due."""
    from projections.store import ProjectionStore
    from service.audit import Audit

    store = ProjectionStore.from_settings(ledger.settings)
    try:
        audit = Audit(ledger, store)
        audit.catch_up()
        audit.publish(force=True)
    finally:
        store.close()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port"
)
@click.option("--demo", is_flag=True, help="seed the demo data set first (idempotent)")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="worker processes (PostgreSQL only; SQLite always uses one)",
)
@click.option(
    "--threads", type=click.IntRange(1, 256), default=8, show_default=True, help="per worker"
)
@click.option(
    "--streams",
    type=click.IntRange(0, 4096),
    default=DEFAULT_STREAMS,
    show_default=True,
    help="live-board streams (Server-Sent Events) per worker, each with a thread of its own",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    demo: bool,
    workers: int | None,
    threads: int,
    streams: int,
    log_level: str,
) -> None:
    """Serve the API (data in $CRAFTLEDGER_DATA_DIR, SQLite unless DATABASE_URL is set).

    Public URLs are built on $CRAFTLEDGER_BASE_URL, or else on http://HOST:PORT."""
    settings = Settings.from_env()
    base_url, source = public_base_url(settings, host, port)
    settings = replace(settings, base_url=base_url)
    os.environ[BASE_URL_VARIABLE] = base_url  # the workers' Settings.from_env() reads it
    os.environ[LIVE_STREAMS_VARIABLE] = str(streams)  # the workers' live boards allow as many
    if settings.uses_postgres:
        workers = workers or 2
    else:
        if workers not in (None, 1):
            click.echo("SQLite has a single writer: serving with one worker process", err=True)
        workers = 1
    if demo:
        settings = replace(settings, demo=True)
        seed_the_demo(settings)
        os.environ[DEMO_VARIABLE] = "1"  # the workers' home page shows the access sheet
    click.echo(
        f"craftledger on http://{url_host(host)}:{port} ({settings.store_description}; "
        f"{workers} worker{'s' if workers > 1 else ''} x {threads} threads"
        f" + {streams} live-board streams)",
        err=True,
    )
    click.echo(f"public base URL {base_url} ({source})", err=True)
    CraftledgerServer(server_options(host, port, workers, threads, log_level, streams)).run()
