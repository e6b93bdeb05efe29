"""eddsa-jcs-2022 Data Integrity proofs: the W3C vectors, tampering, proof sets and chains."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from service.signing.canonical_json import MAX_SAFE_INTEGER, JSONValueError
from service.signing.data_integrity import (
    KeyResolutionError,
    ProofError,
    add_proof,
    hash_data,
    parse_date_time_stamp,
    proof_configuration,
    transform,
    verify_proof,
)
from service.signing.multikey import (
    base58btc_encode,
    decode_private_key,
    decode_public_key,
    did_key_public_multibase,
    did_key_verification_method,
    public_multibase_of,
)

JCS = "eddsa-jcs-2022/"


def resolve_did_key(method: str):
    return decode_public_key(did_key_public_multibase(method))


@pytest.fixture
def signed(vector_json):
    return vector_json(JCS + "signedJCS.json")


@pytest.fixture
def private_key(vector_json):
    return decode_private_key(vector_json("keyPair.json")["privateKeyMultibase"])


# --- the W3C vc-di-eddsa test vectors, byte for byte --------------------------------------


def test_vector_canonical_document_and_its_hash(vector, vector_json):
    canonical = transform(vector_json("unsigned.json"))
    assert canonical == vector(JCS + "canonDocJCS.txt").encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == vector(JCS + "docHashJCS.txt")


def test_vector_canonical_proof_config_and_its_hash(vector, vector_json):
    canonical = proof_configuration(vector_json(JCS + "proofConfigJCS.json"))
    assert canonical == vector(JCS + "proofCanonJCS.txt").encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == vector(JCS + "proofHashJCS.txt")


def test_vector_combined_hash_signature_and_proof_value(vector, vector_json, private_key):
    combined = hash_data(
        transform(vector_json("unsigned.json")),
        proof_configuration(vector_json(JCS + "proofConfigJCS.json")),
    )
    assert combined.hex() == vector(JCS + "combinedHashJCS.txt")
    signature = private_key.sign(combined)
    assert signature.hex() == vector(JCS + "sigHexJCS.txt")
    assert base58btc_encode(signature) == vector(JCS + "sigBTC58JCS.txt")


def test_add_proof_reproduces_the_signed_vector(vector_json, private_key, signed):
    proof = signed["proof"]
    secured = add_proof(
        vector_json("unsigned.json"), private_key, proof["verificationMethod"], proof["created"]
    )
    assert secured == signed
    assert list(secured["proof"]) == list(proof)  # same property order as the specification


def test_the_proof_keeps_its_own_copy_of_the_context(vector_json, private_key, signed):
    secured = add_proof(
        vector_json("unsigned.json"), private_key, signed["proof"]["verificationMethod"]
    )
    secured["@context"].append("https://example.org/appended/v1")
    assert secured["proof"]["@context"] == vector_json("unsigned.json")["@context"]


def test_signed_vector_verifies_with_did_key(signed):
    result = verify_proof(signed, resolve_did_key)
    assert result.verified, result.reason
    assert [outcome.status for outcome in result.proofs] == ["verified"]


# --- tampering --------------------------------------------------------------------------


def leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*path, index))
    else:
        yield path


def key_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from key_paths(item, (*path, key))


def parent(document, path):
    for step in path[:-1]:
        document = document[step]
    return document


_SIGNED = json.loads((Path(__file__).parent / "vectors" / JCS / "signedJCS.json").read_text())


@pytest.mark.parametrize("path", list(leaf_paths(_SIGNED)), ids=str)
def test_changing_any_value_breaks_verification(signed, path):
    tampered = copy.deepcopy(signed)
    parent(tampered, path)[path[-1]] += "x"
    result = verify_proof(tampered, resolve_did_key)
    assert not result.verified
    assert result.reason


@pytest.mark.parametrize("path", list(key_paths(_SIGNED)), ids=str)
def test_removing_any_property_breaks_verification(signed, path):
    tampered = copy.deepcopy(signed)
    del parent(tampered, path)[path[-1]]
    assert not verify_proof(tampered, resolve_did_key).verified


@pytest.mark.parametrize("where", [(), ("credentialSubject",), ("proof",)], ids=str)
def test_adding_a_property_breaks_verification(signed, where):
    tampered = copy.deepcopy(signed)
    target = tampered
    for step in where:
        target = target[step]
    target["degree"] = "Doctor of Examples"
    assert not verify_proof(tampered, resolve_did_key).verified


def test_reordering_contexts_breaks_verification(signed):
    tampered = copy.deepcopy(signed)
    tampered["@context"].reverse()
    result = verify_proof(tampered, resolve_did_key)
    assert not result.verified
    assert "@context" in result.reason


def test_appending_a_context_is_allowed_as_the_specification_says(signed):
    """vc-di-eddsa Verify Proof step 4: the document's @context must *start with* the proof's,
    and the proof's @context is what gets hashed; later proofs in a chain may add contexts."""
    extended = copy.deepcopy(signed)
    extended["@context"].append("https://www.w3.org/ns/credentials/undefined-terms/v2")
    assert verify_proof(extended, resolve_did_key).verified


def test_another_key_does_not_verify(signed):
    other = Ed25519PrivateKey.from_private_bytes(bytes([9]) * 32).public_key()
    result = verify_proof(signed, lambda method: other)
    assert not result.verified
    assert "signature does not match" in result.reason


def test_swapping_in_another_did_key_does_not_verify(signed):
    other = public_multibase_of(Ed25519PrivateKey.from_private_bytes(bytes([9]) * 32))
    tampered = copy.deepcopy(signed)
    tampered["proof"]["verificationMethod"] = did_key_verification_method(other)
    assert not verify_proof(tampered, resolve_did_key).verified


def test_wrong_proof_purpose_is_refused(signed):
    result = verify_proof(signed, resolve_did_key, expected_proof_purpose="authentication")
    assert not result.verified
    assert "proofPurpose" in result.reason


def test_resolver_failure_is_a_reason_not_an_exception(signed):
    def unreachable(method):
        raise KeyResolutionError("controller document unreachable")

    result = verify_proof(signed, unreachable)
    assert not result.verified
    assert "controller document unreachable" in result.reason


@pytest.mark.parametrize(
    "document", [{}, {"proof": None}, {"proof": []}, {"proof": "z123"}, ["not", "an", "object"]]
)
def test_missing_or_malformed_proofs_are_reported(document):
    result = verify_proof(document, resolve_did_key)
    assert not result.verified
    assert result.reason


# --- refusing what cannot be signed ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("score", 87.5, "$.score"),
        ("score", float("nan"), "$.score"),
        ("scores", [1, float("inf")], "$.scores[1]"),
        ("name", "bad \ud800 text", "$.name"),
        ("count", MAX_SAFE_INTEGER + 1, "$.count"),
    ],
)
def test_documents_with_non_json_values_are_refused_before_signing(private_key, field, value, path):
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], field: value}
    with pytest.raises(JSONValueError) as refused:
        add_proof(document, private_key, "did:example:1#key-1")
    assert refused.value.path == path


def test_malformed_created_is_refused(private_key):
    with pytest.raises(ProofError, match="created"):
        add_proof({"a": "b"}, private_key, "did:example:1#key-1", created="yesterday")


def test_created_defaults_to_now_in_utc_seconds(private_key):
    secured = add_proof({"a": "b"}, private_key, "did:example:1#key-1")
    created = parse_date_time_stamp(secured["proof"]["created"])
    assert secured["proof"]["created"].endswith("Z")
    assert abs(datetime.now(UTC) - created) < timedelta(seconds=5)


def test_expired_proof_fails(private_key, vector_json):
    method = did_key_verification_method(public_multibase_of(private_key))
    document = vector_json("unsigned.json")
    signed = add_proof(document, private_key, method, "2023-02-24T23:36:38Z")
    proof = {key: value for key, value in signed["proof"].items() if key != "proofValue"}
    proof["expires"] = "2024-01-01T00:00:00Z"
    signature = private_key.sign(hash_data(transform(document), proof_configuration(proof)))
    signed["proof"] = proof | {"proofValue": base58btc_encode(signature)}
    before = datetime(2023, 12, 31, tzinfo=UTC)
    assert verify_proof(signed, resolve_did_key, now=before).verified
    result = verify_proof(signed, resolve_did_key, now=datetime(2024, 2, 1, tzinfo=UTC))
    assert not result.verified
    assert "expired" in result.reason


# --- proof sets, chains and other cryptosuites ---------------------------------------------


@pytest.fixture
def two_keys():
    keys = [Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32) for n in (3, 4)]
    return [(key, did_key_verification_method(public_multibase_of(key))) for key in keys]


def test_proof_set_verifies_each_proof_independently(two_keys, vector_json):
    (first, first_method), (second, second_method) = two_keys
    document = add_proof(vector_json("unsigned.json"), first, first_method)
    document = add_proof(document, second, second_method)
    assert [proof["verificationMethod"] for proof in document["proof"]] == [
        first_method,
        second_method,
    ]
    assert verify_proof(document, resolve_did_key).verified
    document["proof"][1]["proofValue"] = document["proof"][0]["proofValue"]
    result = verify_proof(document, resolve_did_key)
    assert not result.verified
    assert result.reason.startswith("proof 1 (eddsa-jcs-2022): ")
    assert [outcome.status for outcome in result.proofs] == ["verified", "failed"]


def test_proof_chain_binds_the_previous_proof(two_keys, vector_json):
    (first, first_method), (second, second_method) = two_keys
    document = add_proof(vector_json("unsigned.json"), first, first_method, proof_id="urn:p1")
    document = add_proof(document, second, second_method, previous_proof="urn:p1")
    assert document["proof"][1]["previousProof"] == "urn:p1"
    assert verify_proof(document, resolve_did_key).verified

    dropped = copy.deepcopy(document)
    del dropped["proof"][0]
    assert "names no proof" in verify_proof(dropped, resolve_did_key).reason

    altered = copy.deepcopy(document)
    altered["proof"][0]["created"] = "2020-01-01T00:00:00Z"
    assert [o.status for o in verify_proof(altered, resolve_did_key).proofs] == ["failed"] * 2


def test_chaining_to_a_missing_proof_is_refused(two_keys, vector_json):
    key, method = two_keys[0]
    with pytest.raises(ProofError, match="names no proof"):
        add_proof(vector_json("unsigned.json"), key, method, previous_proof="urn:none")


RDFC_KEY = "z6MktgKTsu1QhX6QPbyqG6geXdw6FQCZBPq7uQpieWbiQiG7"
UNSUPPORTED_PROOF = {  # a cryptosuite this module does not implement
    "type": "DataIntegrityProof",
    "cryptosuite": "ecdsa-rdfc-2019",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": f"did:key:{RDFC_KEY}#{RDFC_KEY}",
    "proofPurpose": "assertionMethod",
    "proofValue": "z66vWyqwAghu52WbpRkCwFRTu6Msn92ArtjpJ3gGMSVoU5RADwBfszoDt1QW"
    "Y8owqLPz4nTj7hAwV7xFti1p93zdr",
}


def test_unknown_cryptosuite_alone_is_reported_not_verified(vector_json):
    document = vector_json("unsigned.json") | {"proof": UNSUPPORTED_PROOF}
    result = verify_proof(document, resolve_did_key)
    assert not result.verified
    assert "'ecdsa-rdfc-2019' is not supported" in result.reason
    assert result.proofs[0].status == "unsupported"


def test_unknown_cryptosuite_beside_a_valid_proof_is_reported_and_not_passed(signed):
    """Nothing on a credential passes unchecked: a proof nobody here can check fails it."""
    document = signed | {"proof": [signed["proof"], UNSUPPORTED_PROOF]}
    result = verify_proof(document, resolve_did_key)
    assert not result.verified
    assert [outcome.status for outcome in result.proofs] == ["verified", "unsupported"]
    assert result.reason.startswith("proof 1 (ecdsa-rdfc-2019): ")


def test_chain_to_an_unsupported_proof_is_not_verified(two_keys, vector_json):
    key, method = two_keys[0]
    document = vector_json("unsigned.json") | {"proof": [UNSUPPORTED_PROOF | {"id": "urn:rdfc"}]}
    document = add_proof(document, key, method, previous_proof="urn:rdfc")
    result = verify_proof(document, resolve_did_key)
    assert not result.verified
    assert "urn:rdfc is not verified" in result.reason


# --- round trip ----------------------------------------------------------------------------

json_text = st.text(max_size=12)  # Hypothesis text never holds lone surrogates
json_trees = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | json_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4)
    ),
    max_leaves=25,
)
ROUND_TRIP_KEY = Ed25519PrivateKey.from_private_bytes(bytes([5]) * 32)
ROUND_TRIP_METHOD = did_key_verification_method(public_multibase_of(ROUND_TRIP_KEY))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(json_text.filter(lambda key: key != "proof"), json_trees, max_size=6))
def test_sign_then_verify_round_trips_and_any_addition_breaks_it(document):
    secured = add_proof(document, ROUND_TRIP_KEY, ROUND_TRIP_METHOD, "2024-06-01T00:00:00Z")
    assert verify_proof(secured, resolve_did_key).verified
    added = "added"
    while added in secured:
        added += "+"
    assert not verify_proof(secured | {added: 0}, resolve_did_key).verified
