"""The demo served in this process on a clock the test moves: ``werkzeug``'s threaded server
around ``create_app`` with a ``Ledger`` on a :class:`~tests.support.clocks.ShiftedClock`, over a
fresh SQLite data directory seeded with the demo. Real HTTP through the real app; only the
clock is the test's, so a journey can step past a 公示 window and confirm the results."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from service.app import create_app
from service.cli.serve import publish_the_log
from service.config import Settings
from service.demo import seed_demo
from service.ledger import Ledger
from tests.support.clocks import ShiftedClock
from tests.support.server import base_env, free_port


class QuietHandler(WSGIRequestHandler):
    """No access log line per request (the test's output stays readable)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class ClockedServer:
    url: str
    data_dir: Path
    ledger: Ledger
    clock: ShiftedClock
    demo: dict[str, Any]


@contextmanager
def clocked_demo_server(data_dir: Path) -> Iterator[ClockedServer]:
    """Seed the demo into ``data_dir`` and serve it on a free loopback port until exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = base_env(data_dir) | {"CRAFTLEDGER_BASE_URL": url}
    clock = ShiftedClock()
    ledger = Ledger(Settings.from_env(env), clock=clock)
    try:
        demo = seed_demo(ledger)
        publish_the_log(ledger)
        app = create_app({"TESTING": False}, ledger=ledger)
        server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="clocked-server", daemon=True)
        thread.start()
        try:
            yield ClockedServer(url, data_dir, ledger, clock, demo)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            app.extensions["craftledger"].close()  # its read-model runners, before the ledger
    finally:
        ledger.close()
