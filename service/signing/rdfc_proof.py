"""The ``eddsa-rdfc-2022`` cryptosuite's transformation and hashing (W3C vc-di-eddsa §3.3).

The unsecured document and the proof configuration (the proof options with the document's
``@context``) are each turned into RDF and canonicalised with RDF Dataset Canonicalization
(RDFC-1.0, pyld's ``URDNA2015``) as N-Quads; ``SHA-256(config) ‖ SHA-256(document)`` is what
Ed25519 signs (``data_integrity.add_proof`` with ``cryptosuite="eddsa-rdfc-2022"``).

JSON-LD is processed in safe mode, offline: a context is only ever read from the pinned copies
(``service.credentials.jsonld_contexts.document_loader``; any other URL is refused, never
fetched), and expansion that would drop a property or leave a term undefined raises
``JsonLdRefused`` (``expand_strictly``): a signature over quads that silently lost a property
would not sign what the document says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

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


def canonical_nquads(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> str:
    """``document``'s RDFC-1.0 canonical N-Quads, after strict (safe-mode) expansion."""
    from pyld import jsonld  # imported late, as in jsonld_contexts, so the service starts fast

    from service.credentials.jsonld_contexts import ContextNotPinned, UndefinedTerm, expand_strictly

    loader = loader or pinned_loader()
    try:
        expanded = expand_strictly(dict(document), None, loader=loader)
        canonical: str = jsonld.normalize(
            expanded,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": loader,
            },
        )
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


def document_hash(unsecured: Mapping[str, Any], loader: DocumentLoader | None = None) -> bytes:
    """``SHA-256`` of the transformed (canonical N-Quads) unsecured document."""
    return hashlib.sha256(canonical_nquads(unsecured, loader).encode("utf-8")).digest()


def proof_configuration(
    options: Mapping[str, Any], context: Any, loader: DocumentLoader | None = None
) -> str:
    """The canonical proof configuration: ``options`` (no ``proofValue``) with ``@context``."""
    config = {key: value for key, value in options.items() if key != "proofValue"}
    config["@context"] = context
    return canonical_nquads(config, loader)


def config_hash(
    options: Mapping[str, Any], context: Any, loader: DocumentLoader | None = None
) -> bytes:
    """``SHA-256`` of ``proof_configuration``."""
    return hashlib.sha256(proof_configuration(options, context, loader).encode("utf-8")).digest()
