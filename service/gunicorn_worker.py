"""The gunicorn worker craftledger serves with: gthread, answering gunicorn's own refusals as
problem+json.

gunicorn refuses some requests before the app sees them (a request line over
``limit_request_line``: 414; a malformed request line or header: 400; too many or too large
headers: 431) and answers those with a small HTML page. Every answer of the service is RFC 9457
problem+json, so this worker lets gunicorn decide the status as it always does, catches the
HTML it would write, and writes the same status as a problem instead, its detail with ID
numbers masked (a refused request line may quote one).
"""

from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from domain.free_text import mask_id_numbers

PROBLEM_TYPE = "urn:craftledger:problem:"


class _Written:
    """Stands in for the client socket while gunicorn writes its HTML refusal."""

    def __init__(self, client: socket.socket) -> None:
        self.client = client
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data

    def gettimeout(self) -> float:
        return 0.0  # gunicorn then writes at once, without changing the real socket

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def problem_answer(status: int, reason: str, detail: str) -> bytes:
    """A complete HTTP/1.1 answer carrying the refusal as problem+json."""
    body = json.dumps(
        {
            "type": PROBLEM_TYPE + reason.lower().replace(" ", "-"),
            "title": reason,
            "status": status,
            "detail": mask_id_numbers(detail),
        },
        ensure_ascii=False,
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ProblemThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker, whose refusals are problem+json (see the module), and which
    ends its live boards' streams as soon as it is told to stop: it would otherwise wait its
    ``graceful_timeout`` for answers that last minutes (the browsers reconnect elsewhere)."""

    def handle_exit(self, sig: Any, frame: Any) -> None:
        super().handle_exit(sig, frame)
        shared = getattr(getattr(self, "wsgi", None), "extensions", {}).get("craftledger")
        hub = getattr(shared, "live_boards", None)
        if hub is not None:
            hub.end_streams()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        written = _Written(client)
        super().handle_error(req, written, addr, exc)
        status_line = written.data.split(b"\r\n", 1)[0].decode("latin-1")
        _, code, reason = [*status_line.split(" ", 2), "", ""][:3]
        if not code.isdigit():  # gunicorn wrote nothing we understand: leave it as it was
            util.write_nonblock(client, written.data)
            return
        detail = f"the server refused the request before reading it: {exc}"
        if int(code) >= 500:
            detail = "the server could not answer this request"
        try:
            util.write_nonblock(client, problem_answer(int(code), reason, detail))
        except OSError:
            self.log.debug("Failed to send error message.")
