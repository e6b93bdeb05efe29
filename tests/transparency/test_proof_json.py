"""Proof JSON with RFC 6962's API names: exact shapes, strict parsing, verification."""

from __future__ import annotations

import base64

import pytest

from projections.transparency.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
)
from projections.transparency.proof_json import (
    ConsistencyProof,
    InclusionProof,
    ProofFormatError,
    decode_hash,
    encode_hash,
)

LEAVES = [leaf_hash(f"event {i}".encode()) for i in range(21)]


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def test_inclusion_json_has_exactly_the_rfc6962_fields() -> None:
    path = inclusion_proof(LEAVES, 13)
    proof = InclusionProof(13, 21, LEAVES[13], path)
    assert proof.to_json() == {
        "leaf_index": 13,
        "tree_size": 21,
        "leaf_hash": b64(LEAVES[13]),
        "audit_path": [b64(h) for h in path],
    }
    assert InclusionProof.from_json(proof.to_json()) == InclusionProof(13, 21, LEAVES[13], path)
    assert proof.verify(root_hash(LEAVES))
    assert not proof.verify(root_hash(LEAVES[:20]))


def test_consistency_json_has_exactly_the_rfc6962_fields() -> None:
    path = consistency_proof(LEAVES, 6)
    proof = ConsistencyProof(6, 21, path)
    assert proof.to_json() == {"first": 6, "second": 21, "consistency": [b64(h) for h in path]}
    assert ConsistencyProof.from_json(proof.to_json()) == proof
    assert proof.verify(root_hash(LEAVES[:6]), root_hash(LEAVES))
    assert not proof.verify(root_hash(LEAVES[:5]), root_hash(LEAVES))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("leaf_index", -3),
        ("leaf_index", False),
        ("tree_size", 21.5),
        ("leaf_hash", None),
        ("leaf_hash", "%%%"),
        ("leaf_hash", b64(b"\x01" * 33)),
        ("audit_path", "AAAA"),
        ("audit_path", [b64(b"\x01" * 31)]),
        ("audit_path", [b64(b"\x01" * 32)] * 129),
    ],
)
def test_malformed_inclusion_json_is_refused(field: str, value: object) -> None:
    document = InclusionProof(13, 21, LEAVES[13], inclusion_proof(LEAVES, 13)).to_json()
    with pytest.raises(ProofFormatError, match=field):
        InclusionProof.from_json({**document, field: value})


@pytest.mark.parametrize(
    ("field", "value"), [("first", "6"), ("second", None), ("consistency", {"0": "x"})]
)
def test_malformed_consistency_json_is_refused(field: str, value: object) -> None:
    document = ConsistencyProof(6, 21, consistency_proof(LEAVES, 6)).to_json()
    with pytest.raises(ProofFormatError, match=field):
        ConsistencyProof.from_json({**document, field: value})


def test_hashes_must_be_canonical_standard_base64() -> None:
    value = LEAVES[0]
    assert decode_hash(encode_hash(value), "h") == value
    text = encode_hash(value)
    # Same bytes with non-zero padding bits: a second spelling of one hash is refused.
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    other = text[:-2] + last[last.index(text[-2]) ^ 1] + "="
    assert base64.b64decode(other) == value
    with pytest.raises(ProofFormatError, match="canonical"):
        decode_hash(other, "h")
    with pytest.raises(ProofFormatError):
        decode_hash(base64.urlsafe_b64encode(b"\xff" * 32).decode(), "h")
    with pytest.raises(ProofFormatError):
        decode_hash(text.rstrip("="), "h")
