"""JSON shapes of transparency-log proofs, with the names of RFC 6962's API (§4.5, §4.4).

Hashes travel as standard base64 with padding (RFC 4648 §4), as in RFC 6962:

- inclusion: ``{"leaf_index": int, "tree_size": int, "leaf_hash": b64, "audit_path": [b64...]}``
- consistency: ``{"first": int, "second": int, "consistency": [b64...]}``

Parsing is strict (``ProofFormatError``): hashes are canonical base64 of exactly 32 bytes, sizes
are non-negative integers (not booleans, not floats), paths are at most 128 hashes long. Unknown
fields are ignored, so servers may add fields without breaking older verifiers.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.transparency.merkle import (
    HASH_SIZE,
    MAX_PROOF_LENGTH,
    verify_consistency,
    verify_inclusion,
)


class ProofFormatError(ValueError):
    """A JSON document is not a well-formed proof or tree head."""


def encode_hash(value: bytes) -> str:
    """A hash as standard base64."""
    return base64.b64encode(value).decode("ascii")


def decode_hash(text: object, field: str) -> bytes:
    """A 32-byte hash from standard base64; ``ProofFormatError`` names ``field`` otherwise."""
    if not isinstance(text, str):
        raise ProofFormatError(f"{field}: expected a base64 string")
    try:
        value = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ProofFormatError(f"{field}: not standard base64") from error
    if len(value) != HASH_SIZE:
        raise ProofFormatError(f"{field}: expected {HASH_SIZE} bytes, got {len(value)}")
    if encode_hash(value) != text:
        raise ProofFormatError(f"{field}: not canonical base64")
    return value


def decode_size(document: Mapping[str, Any], field: str) -> int:
    """A non-negative integer field of ``document``."""
    value = json_field(document, field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofFormatError(f"{field}: expected a non-negative integer")
    return value


def json_field(document: Mapping[str, Any], field: str) -> Any:
    """The value of ``field``; ``ProofFormatError`` if the document is no object or lacks it."""
    if not isinstance(document, Mapping):
        raise ProofFormatError("expected a JSON object")
    if field not in document:
        raise ProofFormatError(f"{field}: missing")
    return document[field]


def _decode_path(document: Mapping[str, Any], field: str) -> list[bytes]:
    values = json_field(document, field)
    if not isinstance(values, list):
        raise ProofFormatError(f"{field}: expected a list of base64 hashes")
    if len(values) > MAX_PROOF_LENGTH:
        raise ProofFormatError(f"{field}: longer than {MAX_PROOF_LENGTH} hashes")
    return [decode_hash(value, f"{field}[{position}]") for position, value in enumerate(values)]


@dataclass(frozen=True)
class InclusionProof:
    """The leaf with hash ``leaf_hash`` is at ``leaf_index`` in the tree of ``tree_size``."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    audit_path: Sequence[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": encode_hash(self.leaf_hash),
            "audit_path": [encode_hash(value) for value in self.audit_path],
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> InclusionProof:
        return cls(
            leaf_index=decode_size(document, "leaf_index"),
            tree_size=decode_size(document, "tree_size"),
            leaf_hash=decode_hash(json_field(document, "leaf_hash"), "leaf_hash"),
            audit_path=_decode_path(document, "audit_path"),
        )

    def verify(self, root_hash: bytes) -> bool:
        """Whether the proof holds for a tree of ``tree_size`` leaves with ``root_hash``."""
        return verify_inclusion(
            self.leaf_hash, self.leaf_index, self.tree_size, self.audit_path, root_hash
        )


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of ``first`` leaves is a prefix of the tree of ``second`` leaves."""

    first: int
    second: int
    consistency: Sequence[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "consistency": [encode_hash(value) for value in self.consistency],
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> ConsistencyProof:
        return cls(
            first=decode_size(document, "first"),
            second=decode_size(document, "second"),
            consistency=_decode_path(document, "consistency"),
        )

    def verify(self, first_root: bytes, second_root: bytes) -> bool:
        """Whether the proof holds between trees with these root hashes."""
        return verify_consistency(
            self.first, self.second, first_root, second_root, self.consistency
        )
