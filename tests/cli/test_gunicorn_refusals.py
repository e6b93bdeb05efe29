"""What gunicorn refuses before the app sees it is answered as problem+json too (a real
``craftledger serve`` process, raw requests over the loopback)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

from tests.factories import id_number
from tests.support.server import base_env, serving

RAW_ID = id_number(1).reveal()


def raw_request(url: str, data: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send ``data`` as it is and read the whole answer (bounded in time)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status_line, headers, body


def test_refusals_before_the_app_are_problems_that_never_echo_an_id_number(tmp_path: Path):
    with serving(base_env(tmp_path / "var"), log=tmp_path / "serve.log") as (url, _):
        too_long = b"GET /api/v1/certificates?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        status, headers, body = raw_request(url, too_long)
        assert status.startswith("HTTP/1.1 414"), status
        assert headers["content-type"] == "application/problem+json"
        assert headers["x-content-type-options"] == "nosniff"
        problem = json.loads(body)
        assert problem["status"] == 414 and problem["type"].startswith("urn:craftledger:problem:")

        malformed = f"GET /c/{RAW_ID} HTTP/9.9x\r\nHost: x\r\n\r\n".encode()
        status, headers, body = raw_request(url, malformed)
        assert status.startswith("HTTP/1.1 400"), status
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["status"] == 400
        assert RAW_ID.encode() not in body

        headers_flood = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 200 + b"\r\n"
        status, headers, body = raw_request(url, headers_flood)
        assert status.startswith("HTTP/1.1 431"), status
        assert json.loads(body)["status"] == 431
    assert RAW_ID not in (tmp_path / "serve.log").read_text(encoding="utf-8")
