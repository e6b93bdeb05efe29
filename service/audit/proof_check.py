"""Checking a transparency-log proof from documents alone (no server, no store): the signed tree
head(s) the ledger published, an inclusion or consistency proof in RFC 6962 JSON and, optionally,
the ledger's Ed25519 public key and the leaf's bytes. Each check is reported separately.

Used by ``craftledger audit check-proof`` (offline) and the ``/audit`` page's no-JavaScript proof
checker. An inclusion proof needs the head of its ``tree_size``; a consistency proof the heads of
``first`` and ``second``. Heads are matched to proofs by ``tree_size``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import IO, Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from projections.transparency.merkle import InvalidProofError, check_consistency, leaf_hash
from projections.transparency.merkle import check_inclusion as check_inclusion_path
from projections.transparency.proof_json import (
    ConsistencyProof,
    InclusionProof,
    ProofFormatError,
    encode_hash,
)
from projections.transparency.tree_head import SignedTreeHead, verify_tree_head
from service.signing.multikey import decode_public_key

__all__ = [
    "EXIT_UNAUTHENTICATED",
    "Check",
    "exit_status",
    "load_json",
    "parse_public_key",
    "run_checks",
]

Status = Literal["valid", "invalid", "unknown"]
EXIT_UNAUTHENTICATED = 3


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    check: str
    status: Status
    detail: str


def parse_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from a Multikey value (``z6Mk…``) or base64 of its 32 raw bytes."""
    text = text.strip()
    try:
        if text.endswith("="):  # base64 of 32 bytes ends in one "="; base58 has no "="
            return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
        return decode_public_key(text)
    except (ValueError, binascii.Error) as error:
        raise ValueError(
            "expected an Ed25519 Multikey (z6Mk…) or the base64 of 32 raw key bytes"
        ) from error


def load_json(stream: IO[bytes], what: str) -> Any:
    try:
        return json.loads(stream.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProofFormatError(f"{what} is not JSON: {error}") from error


def _head_checks(heads: list[SignedTreeHead], public_key: Ed25519PublicKey | None) -> list[Check]:
    checks = []
    for head in heads:
        name = f"tree head {head.tree_size} signature"
        if public_key is None:
            checks.append(Check(name, "unknown", "not checked: no --public-key given"))
        elif verify_tree_head(public_key, head):
            checks.append(Check(name, "valid", f"root {encode_hash(head.root_hash)}"))
        else:
            checks.append(Check(name, "invalid", "signature does not verify with this key"))
    by_size: dict[int, bytes] = {}
    for head in heads:
        if by_size.setdefault(head.tree_size, head.root_hash) != head.root_hash:
            checks.append(
                Check(
                    f"tree heads of size {head.tree_size}",
                    "invalid",
                    "two heads of the same size with different roots (a split view)",
                )
            )
    return checks


def _inclusion_checks(
    proof: InclusionProof, heads: dict[int, SignedTreeHead], leaf: bytes | None
) -> list[Check]:
    checks = []
    if leaf is not None:
        if leaf_hash(leaf) == proof.leaf_hash:
            checks.append(Check("leaf", "valid", "the leaf bytes hash to leaf_hash"))
        else:
            checks.append(Check("leaf", "invalid", "the leaf bytes do not hash to leaf_hash"))
    name = f"inclusion of leaf {proof.leaf_index} in tree {proof.tree_size}"
    head = heads.get(proof.tree_size)
    if head is None:
        return [*checks, Check(name, "invalid", f"no tree head of size {proof.tree_size} given")]
    try:
        check_inclusion_path(
            proof.leaf_hash, proof.leaf_index, proof.tree_size, proof.audit_path, head.root_hash
        )
    except InvalidProofError as error:
        return [*checks, Check(name, "invalid", str(error))]
    return [*checks, Check(name, "valid", f"leaf_hash {encode_hash(proof.leaf_hash)}")]


def _consistency_checks(proof: ConsistencyProof, heads: dict[int, SignedTreeHead]) -> list[Check]:
    name = f"consistency of tree {proof.first} with tree {proof.second}"
    missing = [size for size in (proof.first, proof.second) if size not in heads]
    if missing:
        sizes = " and ".join(str(size) for size in sorted(set(missing)))
        return [Check(name, "invalid", f"no tree head of size {sizes} given")]
    try:
        check_consistency(
            proof.first,
            proof.second,
            heads[proof.first].root_hash,
            heads[proof.second].root_hash,
            proof.consistency,
        )
    except InvalidProofError as error:
        return [Check(name, "invalid", str(error))]
    return [Check(name, "valid", "the first tree is a prefix of the second")]


def run_checks(
    head_documents: list[Any],
    proof_document: Any,
    public_key: Ed25519PublicKey | None,
    leaf: bytes | None,
) -> list[Check]:
    """Every check, in order; malformed input is reported as a failed check."""
    try:
        heads = [SignedTreeHead.from_json(document) for document in head_documents]
    except ProofFormatError as error:
        return [Check("tree head", "invalid", str(error))]
    checks = _head_checks(heads, public_key)
    by_size = {head.tree_size: head for head in heads}
    try:
        if isinstance(proof_document, dict) and "audit_path" in proof_document:
            return checks + _inclusion_checks(
                InclusionProof.from_json(proof_document), by_size, leaf
            )
        if isinstance(proof_document, dict) and "consistency" in proof_document:
            if leaf is not None:
                raise ProofFormatError("--leaf applies to inclusion proofs only")
            return checks + _consistency_checks(ConsistencyProof.from_json(proof_document), by_size)
        raise ProofFormatError("neither an inclusion (audit_path) nor a consistency proof")
    except ProofFormatError as error:
        return [*checks, Check("proof", "invalid", str(error))]


def exit_status(checks: list[Check]) -> int:
    """0 if all valid, 1 if any invalid, 3 if some could not be checked."""
    statuses = {check.status for check in checks}
    if "invalid" in statuses:
        return 1
    return EXIT_UNAUTHENTICATED if "unknown" in statuses else 0
