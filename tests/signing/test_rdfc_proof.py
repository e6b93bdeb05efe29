"""eddsa-rdfc-2022 Data Integrity proofs: the W3C vectors byte for byte, safe mode, the offline
loader, and proof sets beside eddsa-jcs-2022."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.credentials.jsonld_contexts import document_loader
from service.signing import rdfc_proof
from service.signing.data_integrity import (
    CRYPTOSUITES,
    add_proof,
    add_proofs,
    verify_proof,
)
from service.signing.multikey import (
    base58btc_encode,
    decode_private_key,
    decode_public_key,
    did_key_public_multibase,
)
from service.signing.rdfc_proof import JsonLdRefused
from tests.signing.conftest import VECTORS

RDFC = "eddsa-rdfc-2022/"
EXAMPLES_URL = "https://www.w3.org/ns/credentials/examples/v2"
EXAMPLES = document_loader(
    None, {EXAMPLES_URL: json.loads((VECTORS / "examples-context-v2.jsonld").read_text())}
)
"""The pinned contexts plus the W3C examples context the vectors name (tests only)."""


def resolve_did_key(method: str):
    return decode_public_key(did_key_public_multibase(method))


@pytest.fixture
def private_key(vector_json):
    return decode_private_key(vector_json("keyPair.json")["privateKeyMultibase"])


@pytest.fixture
def signed(vector_json) -> dict[str, Any]:
    return vector_json(RDFC + "signedDataInt.json")


# --- the W3C vc-di-eddsa test vectors, byte for byte --------------------------------------


def test_vector_canonical_document_and_its_hash(vector, vector_json):
    canonical = rdfc_proof.canonical_nquads(vector_json("unsigned.json"), EXAMPLES)
    assert canonical == vector(RDFC + "canonDocDataInt.txt")
    digest = rdfc_proof.document_hash(vector_json("unsigned.json"), EXAMPLES)
    assert digest.hex() == vector(RDFC + "docHashDataInt.txt")


def test_vector_canonical_proof_config_and_its_hash(vector, vector_json):
    config = vector_json(RDFC + "proofConfigDataInt.json")
    context = config.pop("@context")
    assert rdfc_proof.proof_configuration(config, context, EXAMPLES) == vector(
        RDFC + "proofCanonDataInt.txt"
    )
    digest = rdfc_proof.config_hash(config, context, EXAMPLES)
    assert digest.hex() == vector(RDFC + "proofHashDataInt.txt")


def test_vector_combined_hash_signature_and_proof_value(vector, vector_json, private_key):
    config = vector_json(RDFC + "proofConfigDataInt.json")
    context = config.pop("@context")
    combined = rdfc_proof.config_hash(config, context, EXAMPLES) + rdfc_proof.document_hash(
        vector_json("unsigned.json"), EXAMPLES
    )
    assert combined.hex() == vector(RDFC + "combinedHashDataInt.txt")
    signature = private_key.sign(combined)
    assert signature.hex() == vector(RDFC + "sigHexDataInt.txt")
    assert base58btc_encode(signature) == vector(RDFC + "sigBTC58DataInt.txt")


def test_add_proof_reproduces_the_signed_vector(vector, vector_json, private_key, signed):
    proof = signed["proof"]
    secured = add_proof(
        vector_json("unsigned.json"),
        private_key,
        proof["verificationMethod"],
        proof["created"],
        cryptosuite="eddsa-rdfc-2022",
        document_loader=EXAMPLES,
    )
    assert secured == signed
    assert json.dumps(secured, indent=2) == vector(RDFC + "signedDataInt.json")


def test_signed_vector_verifies_and_a_tampered_one_does_not(signed):
    result = verify_proof(signed, resolve_did_key, document_loader=EXAMPLES)
    assert result.verified, result.reason
    assert result.proofs[0].to_dict()["cryptosuite"] == "eddsa-rdfc-2022"
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "The School of Forgery"
    result = verify_proof(tampered, resolve_did_key, document_loader=EXAMPLES)
    assert not result.verified
    assert "signature does not match" in (result.reason or "")


def test_json_key_order_and_whitespace_do_not_change_the_rdfc_hash(vector_json):
    """RDFC signs the graph, not the JSON text: reordered keys give the same quads."""
    document = vector_json("unsigned.json")
    reordered = dict(reversed(list(document.items())))
    assert rdfc_proof.document_hash(reordered, EXAMPLES) == rdfc_proof.document_hash(
        document, EXAMPLES
    )


# --- safe mode and the offline loader ------------------------------------------------------


def test_the_service_loader_refuses_an_unpinned_context_by_name(signed, vector_json):
    """Without the test-only pin, the examples context is never fetched: signing fails loudly
    and verifying fails naming the URL."""
    with pytest.raises(JsonLdRefused, match="examples/v2 is not a pinned context"):
        add_proof(
            vector_json("unsigned.json"),
            decode_private_key(vector_json("keyPair.json")["privateKeyMultibase"]),
            signed["proof"]["verificationMethod"],
            cryptosuite="eddsa-rdfc-2022",
        )
    result = verify_proof(signed, resolve_did_key)
    assert not result.verified
    assert "cannot canonicalise" in (result.reason or "")
    assert EXAMPLES_URL in (result.reason or "")


def test_an_undefined_term_refuses_signing_and_fails_verification(issuer_document, private_key):
    """A property no context defines would be dropped from the quads, so unsigned: refused."""
    document = issuer_document | {"undefinedProperty": "not in any context"}
    with pytest.raises(JsonLdRefused, match="drop a property"):
        add_proof(document, private_key, "did:key:z#z", cryptosuite="eddsa-rdfc-2022")
    secured = add_proof(issuer_document, private_key, METHOD, cryptosuite="eddsa-rdfc-2022")
    smuggled = secured | {"undefinedProperty": "added after signing"}
    result = verify_proof(smuggled, resolve_did_key)
    assert not result.verified
    assert "drop a property" in (result.reason or "")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"type": ["VerifiableCredential", "Foo"]}, "'Foo' is a relative IRI"),
        ({"id": "credentials/1"}, "'credentials/1' is a relative IRI"),
    ],
)
def test_a_relative_type_or_id_refuses_signing(issuer_document, private_key, change, named):
    """pyld makes a relative IRI absolute against a made-up base; safe mode refuses it."""
    with pytest.raises(JsonLdRefused, match=named):
        add_proof(issuer_document | change, private_key, METHOD, cryptosuite="eddsa-rdfc-2022")


METHOD = (
    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
)


@pytest.fixture
def issuer_document() -> dict[str, Any]:
    """A credential in the pinned VC 2.0 context alone (every term defined there)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b6e5bb4-3c3f-4a51-8f9b-7b2d4b5a2f10",
        "type": ["VerifiableCredential"],
        "issuer": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Test",
        "credentialSubject": {"id": "did:example:subject"},
    }


# --- proof sets: both cryptosuites, independent ---------------------------------------------


def test_a_proof_set_has_one_independent_proof_per_cryptosuite(issuer_document, private_key):
    secured = add_proofs(issuer_document, private_key, METHOD, "2024-02-01T00:00:00Z")
    proofs = secured["proof"]
    assert [proof["cryptosuite"] for proof in proofs] == list(CRYPTOSUITES)
    assert {proof["created"] for proof in proofs} == {"2024-02-01T00:00:00Z"}
    assert not any("previousProof" in proof for proof in proofs)
    result = verify_proof(secured, resolve_did_key)
    assert result.verified, result.reason
    assert [o.status for o in result.proofs] == ["verified", "verified"]
    # each proof stands alone: either one by itself verifies
    for proof in proofs:
        assert verify_proof(secured | {"proof": proof}, resolve_did_key).verified


def test_one_bad_proof_of_the_set_fails_the_document_and_is_named(issuer_document, private_key):
    secured = add_proofs(issuer_document, private_key, METHOD, "2024-02-01T00:00:00Z")
    jcs, rdfc = secured["proof"]
    forged = rdfc | {"proofValue": jcs["proofValue"]}
    result = verify_proof(secured | {"proof": [jcs, forged]}, resolve_did_key)
    assert not result.verified
    assert [o.status for o in result.proofs] == ["verified", "failed"]
    assert "proof 1 (eddsa-rdfc-2022)" in (result.reason or "")


def test_an_unsupported_cryptosuite_is_reported_and_fails(issuer_document, private_key):
    secured = add_proofs(issuer_document, private_key, METHOD, cryptosuites=["eddsa-jcs-2022"])
    other = secured["proof"] | {"cryptosuite": "ecdsa-rdfc-2019"}
    result = verify_proof(secured | {"proof": [secured["proof"], other]}, resolve_did_key)
    assert not result.verified
    assert [o.status for o in result.proofs] == ["verified", "unsupported"]
    assert "'ecdsa-rdfc-2019' is not supported" in (result.reason or "")


@settings(max_examples=15, deadline=None)
@given(name=st.text(min_size=1, max_size=40), description=st.text(max_size=40))
def test_any_text_round_trips_through_both_suites(name, description):
    """Whatever text a credential holds, both proofs verify, and changing it fails both."""
    key = decode_private_key(
        json.loads((VECTORS / "keyPair.json").read_text())["privateKeyMultibase"]
    )
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "name": name,
        "description": description,
        "credentialSubject": {"id": "did:example:subject"},
    }
    secured = add_proofs(document, key, METHOD, "2024-02-01T00:00:00Z")
    assert verify_proof(secured, resolve_did_key).verified
    changed = verify_proof(secured | {"name": name + "!"}, resolve_did_key)
    assert [o.status for o in changed.proofs] == ["failed", "failed"]


def test_rdfc_hash_of_the_proof_config_is_sha256_of_its_quads(vector_json):
    config = vector_json(RDFC + "proofConfigDataInt.json")
    context = config.pop("@context")
    quads = rdfc_proof.proof_configuration(config, context, EXAMPLES)
    assert (
        rdfc_proof.config_hash(config, context, EXAMPLES) == hashlib.sha256(quads.encode()).digest()
    )


# --- the hash cache -------------------------------------------------------------------------

subjects = st.fixed_dictionaries(
    {"id": st.sampled_from(["did:example:a", "did:example:b"])},
    optional={"name": st.text(max_size=20), "description": st.text(max_size=20)},
)


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(max_size=20),
    subject=subjects,
    valid_from=st.sampled_from(["2024-01-01T00:00:00Z", "2025-06-30T12:00:00Z"]),
)
def test_the_cached_hash_is_always_the_recomputed_hash(name, subject, valid_from):
    """Whatever the document, and however often it is asked for, the remembered hash is the
    hash of its canonical N-Quads computed afresh."""
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "name": name,
        "validFrom": valid_from,
        "credentialSubject": subject,
    }
    fresh = hashlib.sha256(rdfc_proof.canonical_nquads(document).encode()).digest()
    assert rdfc_proof.canonical_hash(document, cached=False) == fresh
    assert rdfc_proof.canonical_hash(document) == fresh  # computed, then remembered
    assert rdfc_proof.canonical_hash(document) == fresh  # remembered
    assert rdfc_proof.canonical_hash(dict(reversed(list(document.items())))) == fresh


def test_a_loader_with_extra_contexts_is_never_cached(vector_json):
    """A hash made with a test-only context is not remembered, so the service's loader still
    refuses that context afterwards."""
    document = vector_json("unsigned.json")
    rdfc_proof.canonical_hash(document, EXAMPLES)
    with pytest.raises(JsonLdRefused, match="not a pinned context"):
        rdfc_proof.canonical_hash(document)


def test_a_refused_document_is_refused_every_time(issuer_document):
    document = issuer_document | {"undefinedProperty": 1}
    for _ in range(2):
        with pytest.raises(JsonLdRefused, match="drop a property"):
            rdfc_proof.canonical_hash(document)


def test_the_cache_keeps_its_newest_entries():
    cache = rdfc_proof._HashCache(2)
    for key in (b"a", b"b", b"c"):
        cache.put(key, key * 2)
    assert (cache.get(b"a"), cache.get(b"b"), cache.get(b"c")) == (None, b"bb", b"cc")


@pytest.mark.parametrize(
    ("url", "served"),
    [
        ("https://ledger.example/contexts/craftledger/v1", True),
        ("http://127.0.0.1:8000/contexts/craftledger/v1", True),
        ("https://other.example/prefix/contexts/craftledger/v1", True),
        ("https://ledger.example/contexts/craftledger/v1?x=1", False),
        ("https://ledger.example/contexts/craftledger/v2", False),
        ("ftp://ledger.example/contexts/craftledger/v1", False),
        ("https://www.w3.org/ns/credentials/examples/v2", False),
    ],
)
def test_the_verifiers_loader_serves_our_v1_from_any_origin_and_nothing_else(url, served):
    """Verifying needs no base URL: v1 is immutable, the same bytes at every deployment."""
    from service.credentials.jsonld_contexts import ContextNotPinned, serves_only_pinned

    load = document_loader(None)
    assert serves_only_pinned(load) and not serves_only_pinned(EXAMPLES)
    if served:
        assert "maskedIdNumber" in load(url)["document"]["@context"]
    else:
        with pytest.raises(ContextNotPinned):
            load(url)
