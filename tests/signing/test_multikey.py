"""Ed25519 Multikey encoding and did:key resolution."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from service.signing.multikey import (
    MultikeyError,
    base58btc_decode,
    base58btc_encode,
    decode_private_key,
    decode_public_key,
    did_key,
    did_key_public_multibase,
    did_key_verification_method,
    encode_private_key,
    encode_public_key,
    generate_key_pair,
    public_multibase_of,
    resolve_did_key,
)

VECTOR_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_PRIVATE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"


def test_w3c_key_pair_decodes_to_matching_keys(vector_json):
    pair = vector_json("keyPair.json")
    assert (pair["publicKeyMultibase"], pair["privateKeyMultibase"]) == (
        VECTOR_PUBLIC,
        VECTOR_PRIVATE,
    )
    private_key = decode_private_key(VECTOR_PRIVATE)
    assert public_multibase_of(private_key) == VECTOR_PUBLIC
    assert encode_private_key(private_key) == VECTOR_PRIVATE
    assert encode_public_key(decode_public_key(VECTOR_PUBLIC)) == VECTOR_PUBLIC


def test_base58btc_known_value_and_leading_zero_bytes():
    assert base58btc_encode(b"Hello World!") == "z2NEpo7TZRRrLZSi2U"
    assert base58btc_encode(b"\0\0\x01") == "z112"
    assert base58btc_decode("z112") == b"\0\0\x01"
    assert base58btc_decode("z") == b""


@given(st.binary(max_size=80))
def test_base58btc_round_trips_any_bytes(data):
    assert base58btc_decode(base58btc_encode(data)) == data


@pytest.mark.parametrize(
    "value",
    ["6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "z0OIl", "z6Mk é", " z6Mk", "z6Mk\n", 17],
)
def test_base58btc_refuses_malformed_values(value):
    with pytest.raises(MultikeyError):
        base58btc_decode(value)


def test_generated_key_pair_has_multikey_prefixes_and_matches():
    private, public = generate_key_pair()
    assert private.startswith("z3u2") and public.startswith("z6Mk")
    assert public_multibase_of(decode_private_key(private)) == public
    assert generate_key_pair() != (private, public)


def test_public_key_decoding_rejects_other_multicodecs_and_lengths():
    seed = bytes(range(32))
    with pytest.raises(MultikeyError, match="0xed01"):
        decode_public_key(base58btc_encode(b"\xe7\x01" + seed))  # secp256k1
    with pytest.raises(MultikeyError, match="expected 32"):
        decode_public_key(base58btc_encode(b"\xed\x01" + seed[:31]))
    with pytest.raises(MultikeyError):
        decode_public_key(VECTOR_PRIVATE)
    with pytest.raises(MultikeyError):
        decode_private_key(VECTOR_PUBLIC)


def test_decoded_public_keys_are_cached_objects():
    assert decode_public_key(VECTOR_PUBLIC) is decode_public_key(VECTOR_PUBLIC)


def test_did_key_document_has_one_multikey_method_for_every_relationship():
    did = did_key(VECTOR_PUBLIC)
    method_id = did_key_verification_method(VECTOR_PUBLIC)
    assert method_id == f"did:key:{VECTOR_PUBLIC}#{VECTOR_PUBLIC}"
    document = resolve_did_key(method_id)
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": VECTOR_PUBLIC,
        }
    ]
    for relationship in ("authentication", "assertionMethod", "capabilityInvocation"):
        assert document[relationship] == [method_id]
    assert resolve_did_key(did) == document


@pytest.mark.parametrize(
    "identifier",
    [
        "did:web:example.com",
        f"did:key:{VECTOR_PUBLIC}#key-1",
        "did:key:z6MkNotAKey",
        f"did:key:{VECTOR_PRIVATE}",
    ],
)
def test_did_key_resolution_refuses_other_identifiers(identifier):
    with pytest.raises(MultikeyError):
        resolve_did_key(identifier)


def test_did_key_names_the_key_it_was_made_from():
    key = Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)
    public = public_multibase_of(key)
    assert did_key_public_multibase(did_key_verification_method(public)) == public
