"""Online verification: did:web controllers and status lists fetched from a real loopback server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from click.testing import CliRunner

from service.cli import main
from service.signing.credential_verifier import ResolutionError
from service.signing.data_integrity import add_proof
from service.signing.multikey import generate_key_pair
from service.signing.web_resolvers import WebFetcher, did_web_url, fetch_json, is_public_address


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.org", "https://example.org/.well-known/did.json"),
        ("did:web:example.org:organisations:42", "https://example.org/organisations/42/did.json"),
        (
            "did:web:127.0.0.1%3A8000:organisations:a",
            "http://127.0.0.1:8000/organisations/a/did.json",
        ),
        ("did:web:localhost%3A8443:x", "http://localhost:8443/x/did.json"),
    ],
)
def test_did_web_maps_to_https_and_to_http_only_for_loopback(did, url):
    assert did_web_url(did) == url


def test_plain_http_to_a_public_host_is_refused():
    with pytest.raises(ResolutionError, match="plain http"):
        fetch_json("http://example.org/did.json")


class Documents(BaseHTTPRequestHandler):
    documents: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.documents.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body or b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Documents)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def signed_by_did_web(port: int, tmp_path) -> tuple[str, dict]:
    private, public = generate_key_pair()
    did = f"did:web:127.0.0.1%3A{port}:organisations:demo"
    method = f"{did}#{public}"
    Documents.documents = {
        "/organisations/demo/did.json": json.dumps(
            {
                "@context": [
                    "https://www.w3.org/ns/did/v1",
                    "https://w3id.org/security/multikey/v1",
                ],
                "id": did,
                "verificationMethod": [
                    {
                        "id": method,
                        "type": "Multikey",
                        "controller": did,
                        "publicKeyMultibase": public,
                    }
                ],
                "assertionMethod": [method],
            }
        ).encode()
    }
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"name": "张*"},
    }
    signed = add_proof(credential, private, method)
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(signed), encoding="utf-8")
    return str(path), signed


def test_vc_verify_fetches_the_did_web_controller_online(server, tmp_path):
    path, _ = signed_by_did_web(server.server_address[1], tmp_path)
    result = CliRunner().invoke(main, ["vc", "verify", path])
    assert result.exit_code == 0, result.output
    assert "credential verified" in result.output


def test_an_unreachable_controller_never_verifies(server, tmp_path):
    path, _ = signed_by_did_web(server.server_address[1], tmp_path)
    Documents.documents = {}
    result = CliRunner().invoke(main, ["vc", "verify", "--timeout", "2", path])
    assert result.exit_code == 1
    assert "could not be fetched" in result.output or "cannot resolve" in result.output


def test_offline_mode_never_touches_the_network(server, tmp_path):
    path, _ = signed_by_did_web(server.server_address[1], tmp_path)
    result = CliRunner().invoke(main, ["vc", "verify", "--offline", path])
    assert result.exit_code == 1
    assert "no controller document" in result.output


def test_a_public_only_fetcher_refuses_loopback_and_private_addresses(served):
    served.documents["/x"] = {"id": "x"}
    assert WebFetcher()(f"{served.base}/x") == {"id": "x"}
    with pytest.raises(ResolutionError, match="not a public address: refused"):
        WebFetcher(public_only=True)(f"{served.base}/x")
    for address in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:192.168.0.1"):
        assert not is_public_address(address), address
    assert is_public_address("93.184.215.14")


def test_a_fetcher_keeps_to_its_budget_and_size_and_asks_each_url_once(served):
    served.documents = {f"/{n}": {"n": n} for n in range(3)}
    fetcher = WebFetcher(max_fetches=2)
    assert fetcher(f"{served.base}/0") == fetcher(f"{served.base}/0") == {"n": 0}
    fetcher(f"{served.base}/1")
    with pytest.raises(ResolutionError, match="2 fetches at most"):
        fetcher(f"{served.base}/2")
    served.documents["/big"] = {"padding": "x" * 2000}
    with pytest.raises(ResolutionError, match="larger than 1000 bytes"):
        WebFetcher(max_bytes=1000)(f"{served.base}/big")


def test_a_server_that_never_answers_costs_the_timeout_and_no_more():
    with socket.socket() as silent:  # listens (the kernel completes the handshake), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/did.json"
        started = time.monotonic()
        with pytest.raises(ResolutionError, match="could not be fetched"):
            WebFetcher(timeout=0.5)(url)
        assert time.monotonic() - started < 2
        fetcher = WebFetcher(timeout=5, total_seconds=0.5)
        started = time.monotonic()
        with pytest.raises(ResolutionError):
            fetcher(url)
        with pytest.raises(ResolutionError, match="time is up"):
            fetcher(url + "?again")
        assert time.monotonic() - started < 2
