"""Every kind of document craftledger signs expands as JSON-LD with no undefined term, offline,
through the pinned contexts only; the contexts are pinned by digest and ours is served."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.credentials.jsonld_contexts import (
    CRAFTLEDGER_CONTEXT_PATH,
    ISSUER_DEPENDENT,
    OB3_CONTEXT_URL,
    PINNED_DIGESTS,
    VC2_CONTEXT_URL,
    VOCABULARY,
    ContextNotPinned,
    UndefinedTerm,
    context_bytes,
    document_loader,
    expand_strictly,
)
from service.ledger import Ledger
from service.points_statements import points_statement_credential
from tests.factories import Issued
from tests.factories.awards import gold_award


def expands(ledger: Ledger, document: dict[str, Any]) -> list[Any]:
    """Expanded strictly; the signature still verifies over the document as signed."""
    base = ledger.credentials.credential_urls.base_url
    assert document["@context"][:2] == [VC2_CONTEXT_URL, OB3_CONTEXT_URL]
    assert document["@context"][2:] == [base + CRAFTLEDGER_CONTEXT_PATH]
    return expand_strictly(document, base)


def iris(node: Any) -> set[str]:
    """Every property IRI in an expanded document."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                found.add(key)
            found |= iris(value)
    return found


def keys(node: Any) -> set[str]:
    """Every property name used in a compact document (below ``@context`` and the proof)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= keys(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "proof"):
                continue
            found.add(key)
            found |= keys(value)
    return found


# -- the documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("disclosure", ["full", "public"])
def test_a_certificate_credential_expands_with_every_term_defined(
    ledger: Ledger, issued: Issued, disclosure: Any
):
    credential = ledger.credentials.certificate_credential(issued.number, disclosure)
    expanded = expands(ledger, credential)
    ours = {iri for iri in iris(expanded) if iri.startswith(VOCABULARY)}
    assert {VOCABULARY + t for t in ("maskedIdNumber", "occupation", "level", "code")} <= ours
    assert {VOCABULARY + "nameZh", VOCABULARY + "nameEn"} <= ours
    assert ledger.credentials.verify_credential(credential).verified


def test_an_award_credential_expands_with_every_term_defined(ledger: Ledger):
    union, document, awarded_at = gold_award(ledger)
    signed = ledger.credentials.sign_credential(union, document, awarded_at)
    assert VOCABULARY + "occupation" in iris(expands(ledger, signed))
    assert ledger.credentials.verify_credential(signed).verified


@pytest.mark.parametrize("purpose", ["message", "revocation", "suspension"])
def test_a_status_list_credential_expands_with_the_vc_context_alone(
    ledger: Ledger, issued: Issued, purpose: str
):
    signed = ledger.credentials.status_list_credential(issued.body_id, purpose).document
    assert signed["@context"] == [VC2_CONTEXT_URL]  # it uses no term of ours
    expand_strictly(signed, ledger.credentials.credential_urls.base_url)


@pytest.mark.parametrize(
    "policy", ["shanghai-residence-points", "beijing-hukou-points", "tianjin-hukou-points"]
)
def test_a_points_statement_expands_with_every_term_defined(
    ledger: Ledger, issued: Issued, policy: str
):
    as_of = ledger.clock().date()
    signed = points_statement_credential(ledger, issued.worker_id, policy=policy, as_of=as_of)
    credential = signed.credential
    expanded = expands(ledger, credential)
    ours = {iri[len(VOCABULARY) :] for iri in iris(expanded) if iri.startswith(VOCABULARY)}
    subject_keys = keys(credential["credentialSubject"]) - {"id", "type", "name", "identifier"}
    subject_keys -= {"identityType", "hashed", "identityHash", "salt"}  # Open Badges' own
    assert subject_keys <= ours, subject_keys - ours
    assert credential["type"][1] == "PointsStatementCredential"
    assert VOCABULARY + "PointsStatementCredential" in expanded[0]["@type"]


def test_a_term_no_context_defines_is_refused(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    base = ledger.credentials.credential_urls.base_url
    for path in (("credentialSubject",), ("credentialSubject", "achievement")):
        changed = copy.deepcopy(credential)
        node = changed
        for step in path:
            node = node[step]
        node["madeUpTerm"] = "x"
        with pytest.raises(UndefinedTerm):
            expand_strictly(changed, base)
    without_ours = copy.deepcopy(credential)
    without_ours["@context"] = without_ours["@context"][:2]
    with pytest.raises(UndefinedTerm):
        expand_strictly(without_ours, base)


def test_the_loader_refuses_every_url_not_pinned():
    load = document_loader("https://ledger.example")
    assert load(VC2_CONTEXT_URL)["document"]["@context"]["@protected"] is True
    assert load("https://ledger.example/contexts/craftledger/v1")["documentUrl"].endswith("/v1")
    for url in (
        "https://www.w3.org/2018/credentials/v1",
        "https://other.example/contexts/craftledger/v1",
        "https://ledger.example/contexts/craftledger/v2",
        "https://w3id.org/security/data-integrity/v2",
    ):
        with pytest.raises(ContextNotPinned):
            load(url)


# -- the files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(PINNED_DIGESTS))
def test_each_context_file_is_the_pinned_one(filename: str):
    data = context_bytes(filename)
    assert hashlib.sha256(data).hexdigest() == PINNED_DIGESTS[filename]
    assert "@context" in json.loads(data)


def test_our_context_defines_terms_only_under_our_vocabulary():
    context = json.loads(context_bytes("craftledger-v1.jsonld"))["@context"]

    def ids(node: Any) -> set[str]:
        found: set[str] = set()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@id":
                    found.add(value)
                found |= ids(value)
        return found

    # the one borrowed term: Open Badges' identifier (IdentityObject), scoped to points subjects
    borrowed = {"https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier"}
    assert ids(context) > borrowed
    assert all(iri.startswith(VOCABULARY) for iri in ids(context) - borrowed)
    assert not any(iri.startswith(ISSUER_DEPENDENT) for iri in ids(context))


def test_the_service_serves_our_context_with_its_digest(client: FlaskClient):
    answer = client.get(CRAFTLEDGER_CONTEXT_PATH)
    assert answer.status_code == 200
    assert answer.mimetype == "application/ld+json"
    assert answer.data == context_bytes("craftledger-v1.jsonld")
    digest = PINNED_DIGESTS["craftledger-v1.jsonld"]
    as_base64 = base64.b64encode(bytes.fromhex(digest)).decode()
    assert answer.headers["Content-Digest"] == f"sha-256=:{as_base64}:"
    assert answer.headers["ETag"] == f'"{digest}"'
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(CRAFTLEDGER_CONTEXT_PATH, headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304
    assert client.get("/contexts/craftledger/v2").status_code == 404
