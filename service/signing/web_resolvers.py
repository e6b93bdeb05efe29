"""Online resolution for verifiers: ``did:web`` controller documents and status lists over HTTP.

``did:web:example.org%3A8443:organisations:42`` resolves, as the did:web method specifies, to
``https://example.org:8443/organisations/42/did.json``. Plain ``http`` is used only for loopback
hosts (a ledger served locally), never for a public host, and a redirect may not lead anywhere
the first URL could not. Every fetch is bounded in time (the whole body, not each read) and
size; any failure is a ``ResolutionError``, which the verifier reports as "unknown" (signature,
issuer binding, status) and so as not verified — never as valid.

A service verifying what anyone posts fetches with a ``WebFetcher(public_only=True, ...)``: it
connects only to globally routable addresses (the address actually connected to is checked, so
a name that resolves, or re-resolves, to 127.0.0.1, 10.x or 169.254.169.254 is refused: no
request forgery against the service's own network), uses no proxy, and gives one verification a
budget of fetches and of total time, each URL fetched once.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from service.signing.canonical_json import JSONValueError, parse_strict
from service.signing.credential_verifier import (
    ControllerResolver,
    ResolutionError,
    StatusListResolver,
)

DID_WEB_PREFIX = "did:web:"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 3


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IP literal) is globally routable unicast."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def did_web_url(did: str) -> str:
    """The HTTPS (or, for loopback hosts, HTTP) URL of a did:web controller document."""
    if not did.startswith(DID_WEB_PREFIX):
        raise ResolutionError(f"{did} is not a did:web identifier")
    parts = did[len(DID_WEB_PREFIX) :].split(":")
    authority = unquote(parts[0])
    if not authority or "/" in authority:
        raise ResolutionError(f"{did} names no host")
    host = urlsplit(f"//{authority}").hostname or ""
    scheme = "http" if is_loopback(host) else "https"
    path = "/".join(unquote(p) for p in parts[1:]) or ".well-known"
    return f"{scheme}://{authority}/{path}/did.json"


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ResolutionError(f"{url}: only http(s) URLs are fetched")
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise ResolutionError(f"{url}: plain http is refused for a non-loopback host")


def _public_only(connection_class: type[http.client.HTTPConnection]) -> Any:
    """``connection_class`` refusing, before a byte is sent, a peer that is not public."""

    class PublicOnly(connection_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            create: Callable[..., socket.socket] = self._create_connection  # type: ignore[has-type]

            def checked(address: tuple[str, int], *rest: Any) -> socket.socket:
                sock = create(address, *rest)
                peer = sock.getpeername()[0]
                if not is_public_address(peer):
                    sock.close()
                    raise ResolutionError(
                        f"{address[0]} is at {peer}, not a public address: refused"
                    )
                return sock

            self._create_connection = checked

    return PublicOnly


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_public_only(http.client.HTTPConnection), req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(
            _public_only(http.client.HTTPSConnection),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str):  # type: ignore[no-untyped-def]
        _check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class WebFetcher:
    """GETs JSON objects for one verification, each bounded in time and size; optionally only
    from public addresses and within a budget of ``max_fetches`` and ``total_seconds``."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        public_only: bool = False,
        max_fetches: int | None = None,
        total_seconds: float | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_fetches = max_fetches
        self.fetched: dict[str, Mapping[str, Any] | ResolutionError] = {}
        self._deadline = time.monotonic() + total_seconds if total_seconds else None
        if public_only:
            self._opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}),
                _PublicHTTPHandler,
                _PublicHTTPSHandler,
                _CheckedRedirects,
            )
        else:
            self._opener = urllib.request.build_opener(_CheckedRedirects)

    def __call__(self, url: str) -> Mapping[str, Any]:
        """The JSON object at ``url`` (fetched once per fetcher); else ``ResolutionError``."""
        if url not in self.fetched:
            try:
                self.fetched[url] = self._fetch(url)
            except ResolutionError as error:
                self.fetched[url] = error
        found = self.fetched[url]
        if isinstance(found, ResolutionError):
            raise found
        return found

    def _fetch(self, url: str) -> Mapping[str, Any]:
        _check_url(url)
        if self.max_fetches is not None and len(self.fetched) >= self.max_fetches:
            raise ResolutionError(f"{url}: not fetched, {self.max_fetches} fetches at most")
        deadline = time.monotonic() + self.timeout
        if self._deadline is not None:
            deadline = min(deadline, self._deadline)
        if deadline <= time.monotonic():
            raise ResolutionError(f"{url}: not fetched, the verification's time is up")
        request = urllib.request.Request(
            url, headers={"Accept": "application/vc, application/json;q=0.9"}
        )
        body = bytearray()
        try:
            with self._opener.open(request, timeout=deadline - time.monotonic()) as response:
                while chunk := response.read1(64 * 1024):
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise ResolutionError(f"{url}: larger than {self.max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise ResolutionError(f"{url}: took longer than {self.timeout:g} s")
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise ResolutionError(f"{url}: could not be fetched ({error})") from None
        try:
            document = parse_strict(bytes(body))
        except JSONValueError as error:
            raise ResolutionError(f"{url}: not a usable JSON document ({error})") from None
        if not isinstance(document, Mapping):
            raise ResolutionError(f"{url}: not a JSON object")
        return document

    def controller(self, identifier: str) -> Mapping[str, Any]:
        """The controller document of a did:web DID (or an https controller URL)."""
        is_did = identifier.startswith(DID_WEB_PREFIX)
        url = did_web_url(identifier) if is_did else identifier
        document = self(url)
        if document.get("id") != identifier:
            raise ResolutionError(f"{url} describes {document.get('id')!r}, not {identifier}")
        return document


def fetch_json(url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Mapping[str, Any]:
    """GET ``url`` and parse it strictly as a JSON object; any failure is a ResolutionError."""
    return WebFetcher(timeout=timeout)(url)


def web_controller_resolver(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> ControllerResolver:
    """Resolve did:web controllers (and plain https controller URLs) over the network."""
    return WebFetcher(timeout=timeout).controller


def web_status_list_resolver(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> StatusListResolver:
    """Fetch status list credentials from their ``statusListCredential`` URLs."""
    return WebFetcher(timeout=timeout)
