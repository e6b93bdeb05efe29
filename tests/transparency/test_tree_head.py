"""Signed tree heads: the documented message layout, Ed25519 signatures and RFC 6962 JSON."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.transparency.merkle import EMPTY_ROOT, leaf_hash, root_hash
from projections.transparency.proof_json import ProofFormatError
from projections.transparency.tree_head import (
    SignedTreeHead,
    now_ms,
    sign_tree_head,
    tree_head_message,
    verify_tree_head,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ROOT = root_hash([leaf_hash(bytes([i])) for i in range(70)])
TIMESTAMP = 1_716_192_000_123


def test_the_signed_message_is_context_version_size_time_and_root_big_endian() -> None:
    message = tree_head_message(70, TIMESTAMP, ROOT)
    assert len(message) == 70
    assert message[:21] == b"craftledger-tree-head"
    assert message[21] == 1
    assert message[22:30] == (70).to_bytes(8, "big")
    assert message[30:38] == TIMESTAMP.to_bytes(8, "big")
    assert message[38:] == ROOT
    assert struct.unpack(">21sBQQ32s", message) == (
        b"craftledger-tree-head",
        1,
        70,
        TIMESTAMP,
        ROOT,
    )


def test_a_signed_head_verifies_with_the_ledger_key_only() -> None:
    head = sign_tree_head(KEY, 70, ROOT, TIMESTAMP)
    assert verify_tree_head(KEY.public_key(), head)
    KEY.public_key().verify(head.signature, tree_head_message(70, TIMESTAMP, ROOT))
    other = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    assert not verify_tree_head(other, head)


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": 71},
        {"tree_size": 69},
        {"timestamp": TIMESTAMP + 1},
        {"root_hash": root_hash([leaf_hash(b"x")])},
    ],
)
def test_changing_any_signed_field_breaks_the_signature(change: dict[str, object]) -> None:
    head = sign_tree_head(KEY, 70, ROOT, TIMESTAMP)
    fields = {**head.__dict__, **change}
    assert not verify_tree_head(KEY.public_key(), SignedTreeHead(**fields))


def test_a_flipped_signature_bit_fails() -> None:
    head = sign_tree_head(KEY, 70, ROOT, TIMESTAMP)
    signature = bytearray(head.signature)
    signature[10] ^= 0x40
    forged = SignedTreeHead(70, TIMESTAMP, ROOT, bytes(signature))
    assert not verify_tree_head(KEY.public_key(), forged)


def test_an_empty_tree_head_must_carry_the_empty_root() -> None:
    assert verify_tree_head(KEY.public_key(), sign_tree_head(KEY, 0, EMPTY_ROOT, TIMESTAMP))
    assert not verify_tree_head(KEY.public_key(), sign_tree_head(KEY, 0, ROOT, TIMESTAMP))


def test_timestamp_defaults_to_now_in_milliseconds() -> None:
    before = now_ms()
    head = sign_tree_head(KEY, 70, ROOT)
    assert before <= head.timestamp <= now_ms()
    assert head.timestamp > 1_600_000_000_000  # milliseconds, not seconds


def test_json_uses_rfc6962_names_and_round_trips() -> None:
    head = sign_tree_head(KEY, 70, ROOT, TIMESTAMP)
    document = head.to_json()
    assert document == {
        "tree_size": 70,
        "timestamp": TIMESTAMP,
        "sha256_root_hash": base64.b64encode(ROOT).decode(),
        "tree_head_signature": base64.b64encode(head.signature).decode(),
    }
    assert SignedTreeHead.from_json(document) == head
    assert SignedTreeHead.from_json({**document, "extra": "ignored"}) == head


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tree_size", -1),
        ("tree_size", True),
        ("tree_size", 70.0),
        ("tree_size", "70"),
        ("timestamp", 1 << 64),
        ("sha256_root_hash", base64.b64encode(ROOT[:31]).decode()),
        ("sha256_root_hash", ROOT.hex()),
        ("tree_head_signature", "not base64!"),
        ("tree_head_signature", base64.b64encode(b"\x00" * 63).decode()),
        ("tree_head_signature", 12),
    ],
)
def test_malformed_json_is_refused_naming_the_field(field: str, value: object) -> None:
    document = sign_tree_head(KEY, 70, ROOT, TIMESTAMP).to_json()
    with pytest.raises(ProofFormatError, match=field):
        SignedTreeHead.from_json({**document, field: value})


def test_missing_fields_and_non_objects_are_refused() -> None:
    document = sign_tree_head(KEY, 70, ROOT, TIMESTAMP).to_json()
    for field in document:
        with pytest.raises(ProofFormatError, match=f"{field}: missing"):
            SignedTreeHead.from_json({k: v for k, v in document.items() if k != field})
    with pytest.raises(ProofFormatError):
        SignedTreeHead.from_json([document])  # type: ignore[arg-type]


def test_sizes_beyond_64_bits_cannot_be_signed() -> None:
    with pytest.raises(ValueError):
        tree_head_message(1 << 64, TIMESTAMP, ROOT)
    with pytest.raises(ValueError):
        tree_head_message(70, -1, ROOT)
    with pytest.raises(ValueError):
        tree_head_message(70, TIMESTAMP, ROOT[:31])
