"""Online resolution for verifiers: ``did:web`` controller documents and status lists over HTTP.

``did:web:example.org%3A8443:organisations:42`` resolves, as the did:web method specifies, to
``https://example.org:8443/organisations/42/did.json``. Plain ``http`` is used only for loopback
hosts (a ledger served locally), never for a public host. Every fetch is bounded in time and
size; any failure is a ``ResolutionError``, which the verifier reports as "unknown" (signature,
issuer binding, status) and so as not verified — never as valid.
"""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request
from collections.abc import Mapping
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


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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


def fetch_json(url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Mapping[str, Any]:
    """GET ``url`` and parse it strictly as a JSON object; any failure is a ResolutionError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ResolutionError(f"{url}: only http(s) URLs are fetched")
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise ResolutionError(f"{url}: plain http is refused for a non-loopback host")
    request = urllib.request.Request(
        url, headers={"Accept": "application/vc, application/json;q=0.9"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ResolutionError(f"{url}: could not be fetched ({error})") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ResolutionError(f"{url}: larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = parse_strict(body)
    except JSONValueError as error:
        raise ResolutionError(f"{url}: not a usable JSON document ({error})") from None
    if not isinstance(document, Mapping):
        raise ResolutionError(f"{url}: not a JSON object")
    return document


def web_controller_resolver(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> ControllerResolver:
    """Resolve did:web controllers (and plain https controller URLs) over the network."""

    def resolve(identifier: str) -> Mapping[str, Any]:
        url = did_web_url(identifier) if identifier.startswith(DID_WEB_PREFIX) else identifier
        document = fetch_json(url, timeout)
        if document.get("id") != identifier:
            raise ResolutionError(f"{url} describes {document.get('id')!r}, not {identifier}")
        return document

    return resolve


def web_status_list_resolver(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> StatusListResolver:
    """Fetch status list credentials from their ``statusListCredential`` URLs."""

    def resolve(url: str) -> Mapping[str, Any]:
        return fetch_json(url, timeout)

    return resolve
