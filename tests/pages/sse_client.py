"""A small Server-Sent Events reader over real HTTP (``requests``, streamed) for the live-board
tests, and the app served by werkzeug's threaded server on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server


@contextlib.contextmanager
def served(app: Flask) -> Iterator[str]:
    """``app`` on werkzeug's threaded server (a thread per connection); yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


@dataclass
class Event:
    name: str
    id: str | None
    data: str

    @property
    def board(self) -> dict[str, Any]:
        return json.loads(self.data)  # type: ignore[no-any-return]


@dataclass
class Stream:
    """An open ``text/event-stream`` read by a thread into ``events`` (comments counted)."""

    response: requests.Response
    events: queue.Queue[Event] = field(default_factory=queue.Queue)
    comments: int = 0

    def read(self) -> None:
        name: str = "message"
        ident: str | None = None
        data: list[str] = []
        try:
            for raw in self.response.iter_lines(chunk_size=1, decode_unicode=True):
                line = str(raw or "")
                if not line:
                    if data:
                        self.events.put(Event(name, ident, "\n".join(data)))
                    name, ident, data = "message", None, []
                elif line.startswith(":"):
                    self.comments += 1
                else:
                    key, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if key == "event":
                        name = value
                    elif key == "id":
                        ident = value
                    elif key == "data":
                        data.append(value)
        except (requests.RequestException, AttributeError, ValueError):
            pass  # closed by the test

    def next(self, name: str = "board", within: float = 5.0) -> Event | None:
        """The next event called ``name`` within ``within`` seconds (others skipped), or None."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if event.name == name:
                return event
        return None

    def close(self) -> None:
        self.response.close()


@contextlib.contextmanager
def stream(
    url: str, session: requests.Session | None = None, last_event_id: str | None = None
) -> Iterator[Stream]:
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    response = (session or requests).get(url, headers=headers, stream=True, timeout=(5, 30))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/event-stream")
    opened = Stream(response)
    reader = threading.Thread(target=opened.read, daemon=True)
    reader.start()
    try:
        yield opened
    finally:
        opened.close()
