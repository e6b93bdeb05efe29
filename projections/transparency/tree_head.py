"""Signed tree heads: the ledger's Ed25519 signature over a tree size, a time and a root hash.

JSON, with RFC 6962's names (§4.3 ``get-sth``)::

    {"tree_size": 70, "timestamp": 1716192000000,
     "sha256_root_hash": "<base64 of 32 bytes>", "tree_head_signature": "<base64 of 64 bytes>"}

``timestamp`` is milliseconds since the Unix epoch (UTC). The signature is Ed25519 (RFC 8032, no
pre-hashing) over this 70-byte message, every integer big-endian and unsigned::

    offset  size  field
         0    21  context: the ASCII bytes "craftledger-tree-head" (domain separation, so that
                  no other message the ledger key signs can be taken for a tree head)
        21     1  version: 1
        22     8  tree_size
        30     8  timestamp
        38    32  sha256_root_hash (raw bytes)

All fields have fixed lengths, so the message is unambiguous; a change of layout changes
``version``.
"""

from __future__ import annotations

import base64
import binascii
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from projections.transparency.merkle import EMPTY_ROOT, HASH_SIZE
from projections.transparency.proof_json import (
    ProofFormatError,
    decode_hash,
    decode_size,
    encode_hash,
    json_field,
)

TREE_HEAD_CONTEXT = b"craftledger-tree-head"
TREE_HEAD_VERSION = 1
SIGNATURE_SIZE = 64
_LAYOUT = struct.Struct(f">{len(TREE_HEAD_CONTEXT)}sBQQ{HASH_SIZE}s")
_UINT64_LIMIT = 1 << 64


def tree_head_message(tree_size: int, timestamp: int, root_hash: bytes) -> bytes:
    """The bytes a tree head signature covers (see the module docstring)."""
    if not 0 <= tree_size < _UINT64_LIMIT or not 0 <= timestamp < _UINT64_LIMIT:
        raise ValueError("tree size and timestamp must fit an unsigned 64-bit integer")
    if len(root_hash) != HASH_SIZE:
        raise ValueError(f"a root hash is {HASH_SIZE} bytes")
    return _LAYOUT.pack(TREE_HEAD_CONTEXT, TREE_HEAD_VERSION, tree_size, timestamp, root_hash)


def now_ms() -> int:
    """The current time in milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class SignedTreeHead:
    """A tree size and root hash, as the ledger signed them at ``timestamp``."""

    tree_size: int
    timestamp: int
    root_hash: bytes
    signature: bytes

    def message(self) -> bytes:
        """The signed bytes."""
        return tree_head_message(self.tree_size, self.timestamp, self.root_hash)

    def to_json(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "timestamp": self.timestamp,
            "sha256_root_hash": encode_hash(self.root_hash),
            "tree_head_signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> SignedTreeHead:
        """Parse a tree head; ``ProofFormatError`` names the first bad field."""
        tree_size = decode_size(document, "tree_size")
        timestamp = decode_size(document, "timestamp")
        if tree_size >= _UINT64_LIMIT or timestamp >= _UINT64_LIMIT:
            raise ProofFormatError("tree_size and timestamp must fit 64 bits")
        root_hash = decode_hash(json_field(document, "sha256_root_hash"), "sha256_root_hash")
        text = json_field(document, "tree_head_signature")
        try:
            if not isinstance(text, str):
                raise ValueError
            signature = base64.b64decode(text.encode("ascii"), validate=True)
        except (ValueError, binascii.Error) as error:
            raise ProofFormatError("tree_head_signature: expected base64") from error
        if len(signature) != SIGNATURE_SIZE:
            raise ProofFormatError(f"tree_head_signature: expected {SIGNATURE_SIZE} bytes")
        return cls(tree_size, timestamp, root_hash, signature)


def sign_tree_head(
    private_key: Ed25519PrivateKey,
    tree_size: int,
    root_hash: bytes,
    timestamp: int | None = None,
) -> SignedTreeHead:
    """Sign a tree head; ``timestamp`` defaults to now."""
    if timestamp is None:
        timestamp = now_ms()
    signature = private_key.sign(tree_head_message(tree_size, timestamp, root_hash))
    return SignedTreeHead(tree_size, timestamp, root_hash, signature)


def verify_tree_head(public_key: Ed25519PublicKey, head: SignedTreeHead) -> bool:
    """Whether ``head`` carries a valid signature of ``public_key`` (and, when the tree is
    empty, the empty tree's root)."""
    if head.tree_size == 0 and head.root_hash != EMPTY_ROOT:
        return False
    try:
        public_key.verify(head.signature, head.message())
    except (InvalidSignature, ValueError):
        return False
    return True
