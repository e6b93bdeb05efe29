"""The ``eddsa-rdfc-2022`` cryptosuite's transformation and hashing (W3C vc-di-eddsa §3.3).

The unsecured document and the proof configuration (the proof options with the document's
``@context``) are each turned into RDF and canonicalised with RDF Dataset Canonicalization
(RDFC-1.0, pyld's ``URDNA2015``) as N-Quads; ``SHA-256(config) ‖ SHA-256(document)`` is what
Ed25519 signs (``data_integrity.add_proof`` with ``cryptosuite="eddsa-rdfc-2022"``).

JSON-LD is processed in safe mode, offline: a context is only ever read from the pinned copies
(``service.credentials.jsonld_contexts.document_loader``; any other URL is refused, never
fetched), and expansion that would drop a property or leave a term undefined raises
``JsonLdRefused`` (``jsonld_contexts.refuse_dropped`` and ``refuse_undefined``): a signature over
quads that silently lost a property would not sign what the document says.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from service.signing.canonical_json import JSONValueError, canonicalize

CRYPTOSUITE = "eddsa-rdfc-2022"

DocumentLoader = Callable[..., dict[str, Any]]


class JsonLdRefused(ValueError):
    """The document cannot be canonicalised as JSON-LD in safe mode: an undefined term, a
    property expansion would drop, a context that is not pinned, or invalid JSON-LD."""


def pinned_loader(base_url: str | None = None) -> DocumentLoader:
    """The offline loader of the pinned contexts (ours under ``base_url``, or any origin's)."""
    # imported here: service.credentials' package imports service.signing at start-up
    from service.credentials.jsonld_contexts import document_loader

    return document_loader(base_url)


_PYLD = threading.Lock()
"""pyld keeps processed contexts in a process-wide LRU that is not thread-safe; RDFC is pure
Python under the GIL, so serialising it costs no throughput."""


def canonical_nquads(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> str:
    """``document``'s RDFC-1.0 canonical N-Quads, in safe mode: expanding it would drop no
    property (pyld's ``on_property_dropped`` hook refuses, in the one expansion ``normalize``
    makes) and no property or type is left to VC 2.0's issuer-dependent ``@vocab``
    (``jsonld_contexts.refuse_undefined`` reads the quads: one rule for signing, verifying
    and the tests' ``expand_strictly``). Expanding once, rather than strictly first and
    again inside ``normalize``, measured 7.3 → 5.2 ms a certificate credential
    (``benchmarks/bench_credentials.py``, ``sign rdfc``); the test vectors and
    the refusal tests pin the same output and refusals."""
    from pyld import jsonld  # imported late, as in jsonld_contexts, so the service starts fast

    from service.credentials.jsonld_contexts import (
        ContextNotPinned,
        UndefinedTerm,
        refuse_dropped,
        refuse_undefined,
    )

    loader = loader or pinned_loader()
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    try:
        with _PYLD:
            processor = jsonld.JsonLdProcessor(on_property_dropped=refuse_dropped)
            canonical: str = processor.normalize(dict(document), options)
        refuse_undefined(canonical)
    except (UndefinedTerm, ContextNotPinned) as error:
        raise JsonLdRefused(str(error)) from None
    except jsonld.JsonLdError as error:
        raise JsonLdRefused(_jsonld_reason(error)) from None
    return canonical


def _jsonld_reason(error: BaseException) -> str:
    """The innermost cause pyld wrapped (a refused context URL, an undefined term), else its
    error code and message."""
    cause: BaseException = error
    while cause.__cause__ is not None:
        cause = cause.__cause__
    if cause is not error:
        return str(cause)
    code = getattr(error, "code", None)
    message = str(error.args[0]) if error.args else type(error).__name__
    return f"{code}: {message}" if code else message


class _HashCache:
    """A bounded, thread-safe map from the RFC 8785 digest of a JSON-LD document to the SHA-256
    of its canonical N-Quads.

    Credentials are built from events on every fetch, so the same unsigned document (and proof
    configuration) is canonicalised again and again; RDFC-1.0 in pure Python costs milliseconds
    where JCS costs microseconds. The digest determines the JSON value, and with the pinned
    (immutable) contexts the value determines the quads, so a remembered hash is always the hash
    recomputed (``tests/signing/test_rdfc_proof.py`` checks this property). Only documents
    canonicalised with a pinned-only loader are remembered (a loader given extra contexts, as in
    ``vc sign --context``, is never cached); a refused document is never remembered, so it is
    refused every time. Measured (``benchmarks/bench_credentials.py``, CPU time): a certificate's
    credential from events with both proofs, 8.4 ms uncached against 1.1 ms JCS alone (7.5x);
    re-fetched with the cache, within 1.3x of JCS alone.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._hashes: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            found = self._hashes.get(key)
            if found is not None:
                self._hashes.move_to_end(key)
            return found

    def put(self, key: bytes, value: bytes) -> None:
        with self._lock:
            self._hashes[key] = value
            self._hashes.move_to_end(key)
            while len(self._hashes) > self._size:
                self._hashes.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._hashes.clear()


HASHES = _HashCache(2048)
"""The remembered RDFC hashes (64 bytes each, with their keys: about 200 KB when full)."""


def canonical_hash(
    document: Mapping[str, Any], loader: DocumentLoader | None = None, *, cached: bool = True
) -> bytes:
    """``SHA-256`` of ``document``'s canonical N-Quads, remembered (``HASHES``) by the RFC 8785
    digest of the document when ``loader`` serves only pinned contexts and ``cached``."""
    from service.credentials.jsonld_contexts import serves_only_pinned

    key = None
    if cached and (loader is None or serves_only_pinned(loader)):
        try:
            key = hashlib.sha256(canonicalize(document)).digest()
        except JSONValueError:
            key = None  # not plain JSON (a float): canonicalised each time
        found = HASHES.get(key) if key is not None else None
        if found is not None:
            return found
    digest = hashlib.sha256(canonical_nquads(document, loader).encode("utf-8")).digest()
    if key is not None:
        HASHES.put(key, digest)
    return digest


def document_hash(unsecured: Mapping[str, Any], loader: DocumentLoader | None = None) -> bytes:
    """``SHA-256`` of the transformed (canonical N-Quads) unsecured document."""
    return canonical_hash(unsecured, loader)


def proof_configuration(
    options: Mapping[str, Any], context: Any, loader: DocumentLoader | None = None
) -> str:
    """The canonical proof configuration: ``options`` (no ``proofValue``) with ``@context``."""
    return canonical_nquads(_configuration(options, context), loader)


def _configuration(options: Mapping[str, Any], context: Any) -> dict[str, Any]:
    config = {key: value for key, value in options.items() if key != "proofValue"}
    config["@context"] = context
    return config


def config_hash(
    options: Mapping[str, Any], context: Any, loader: DocumentLoader | None = None
) -> bytes:
    """``SHA-256`` of ``proof_configuration``."""
    return canonical_hash(_configuration(options, context), loader)
