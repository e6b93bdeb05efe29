"""``craftledger serve``: the HTTP API under gunicorn (programmatic ``BaseApplication``).

Threads serve requests (``gthread`` workers); each worker process makes one app with one
``Ledger`` shared by its threads, created after the fork. On SQLite (the default) there is one
worker process -- a single writer -- whatever ``--workers`` says; on PostgreSQL ``--workers``
processes share the database.
"""

from __future__ import annotations

from typing import Any

import click
from gunicorn.app.base import BaseApplication

from service.config import ConfigurationError, Settings


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


def server_options(
    host: str, port: int, workers: int, threads: int, log_level: str
) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": log_level,
        "proc_name": "craftledger",
        "preload_app": False,
        "control_socket_disable": True,  # one shared ~/.gunicorn/gunicorn.ctl would collide
        "worker_exit": lambda server, worker: _close_app(worker),
    }


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
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve(
    host: str, port: int, demo: bool, workers: int | None, threads: int, log_level: str
) -> None:
    """Serve the API (data in $CRAFTLEDGER_DATA_DIR, SQLite unless DATABASE_URL is set)."""
    try:
        settings = Settings.from_env()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    if settings.uses_postgres:
        workers = workers or 2
    else:
        if workers not in (None, 1):
            click.echo("SQLite has a single writer: serving with one worker process", err=True)
        workers = 1
    if demo:
        from service.demo import seed_demo
        from service.ledger import Ledger

        ledger = Ledger(settings)
        try:
            report = seed_demo(ledger, progress=lambda line: click.echo(f"  {line}", err=True))
        finally:
            ledger.close()
        click.echo(f"demo data ready: log at position {report['events_after']}", err=True)
    click.echo(
        f"craftledger on http://{host}:{port} ({settings.store_description}; "
        f"{workers} worker{'s' if workers > 1 else ''} x {threads} threads)",
        err=True,
    )
    CraftledgerServer(server_options(host, port, workers, threads, log_level)).run()
