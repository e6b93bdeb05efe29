"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, proofs and their verification.

Pure functions over SHA-256 hashes, with no storage:

- ``leaf_hash(d) = SHA-256(0x00 || d)``, ``node_hash(l, r) = SHA-256(0x01 || l || r)``;
- ``root_hash`` is MTH (§2.1.1) for any size; the empty tree's root is ``SHA-256("")``;
- ``inclusion_proof``/``consistency_proof`` are PATH (§2.1.3.1) and PROOF (§2.1.4.1) over a list
  of leaf hashes; ``inclusion_path_ranges``/``consistency_proof_ranges`` say which leaf ranges
  those proofs hash, so a store of subtree hashes can answer them without the leaves;
- ``verify_inclusion``/``verify_consistency`` are the verification algorithms of §2.1.3.2 and
  §2.1.4.2, step by step.

Edge cases, as the RFC defines them: an inclusion proof needs ``0 <= index < size``; a consistency
proof needs ``0 < first <= second``. PROOF(m, D[m]) is the empty list, which §2.1.4.2 (step 1)
would reject, so ``first == second`` is accepted exactly when the proof is empty and both roots are
equal. ``first == 0`` has no proof (the empty tree is consistent with every tree, so it proves
nothing) and never verifies.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_PROOF_LENGTH = 128
"""No proof over trees of fewer than 2**64 leaves is longer (2 * 64 hashes)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

LeafRange = tuple[int, int]
"""Half-open range ``(start, end)`` of leaf indexes, counting from zero."""


class InvalidProofError(ValueError):
    """A proof does not verify; the message says which check failed."""


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``): where MTH splits."""
    if n < 2:
        raise ValueError(f"cannot split a tree of {n} leaves")
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes, in O(n) hashes and O(log n) memory."""
    if not leaf_hashes:
        return EMPTY_ROOT
    # Roots of the perfect subtrees seen so far, each with its height; heights strictly decrease.
    stack: list[tuple[int, bytes]] = []
    for value in leaf_hashes:
        height, node = 0, value
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
    node = stack.pop()[1]
    while stack:
        node = node_hash(stack.pop()[1], node)
    return node


def inclusion_path_ranges(index: int, size: int) -> list[LeafRange]:
    """The leaf ranges whose MTH make up PATH(index, D[0:size]), bottom-up."""
    if not 0 <= index < size:
        raise ValueError(f"no inclusion proof for leaf {index} in a tree of {size}")
    ranges: list[LeafRange] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_proof_ranges(first: int, second: int) -> list[LeafRange]:
    """The leaf ranges whose MTH make up PROOF(first, D[0:second]), in proof order."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    ranges: list[LeafRange] = []
    start, m, n, whole = 0, first, second, True
    while m != n:
        k = split_point(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        ranges.append((start, start + n))
    ranges.reverse()
    return ranges


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D) for the tree over all ``leaf_hashes``."""
    return [root_hash(leaf_hashes[a:b]) for a, b in inclusion_path_ranges(index, len(leaf_hashes))]


def consistency_proof(leaf_hashes: Sequence[bytes], first: int) -> list[bytes]:
    """PROOF(first, D) for the tree over all ``leaf_hashes``."""
    return [
        root_hash(leaf_hashes[a:b]) for a, b in consistency_proof_ranges(first, len(leaf_hashes))
    ]


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise InvalidProofError(f"{what} is not a {HASH_SIZE}-byte hash")


def _check_path(path: Sequence[bytes]) -> None:
    if len(path) > MAX_PROOF_LENGTH:
        raise InvalidProofError("proof is too long")
    for position, value in enumerate(path):
        _check_hash(value, f"proof element {position}")


def root_from_inclusion_proof(
    leaf: bytes, index: int, size: int, audit_path: Sequence[bytes]
) -> bytes:
    """The root that ``audit_path`` proves ``leaf`` (a leaf hash) is under (§2.1.3.2, 1-5)."""
    _check_hash(leaf, "leaf hash")
    _check_path(audit_path)
    if not 0 <= index < size:
        raise InvalidProofError(f"leaf index {index} is not below tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in audit_path:
        if sn == 0:
            raise InvalidProofError("proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProofError("proof is shorter than the tree is deep")
    return r


def check_inclusion(
    leaf: bytes, index: int, size: int, audit_path: Sequence[bytes], root: bytes
) -> None:
    """Raise ``InvalidProofError`` unless ``audit_path`` proves ``leaf`` at ``index`` under
    ``root`` of a tree of ``size`` leaves."""
    _check_hash(root, "root hash")
    computed = root_from_inclusion_proof(leaf, index, size, audit_path)
    if not hmac.compare_digest(computed, root):
        raise InvalidProofError("proof leads to a different root hash")


def verify_inclusion(
    leaf: bytes, index: int, size: int, audit_path: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``audit_path`` proves ``leaf`` (a leaf hash) at ``index`` under ``root``."""
    try:
        check_inclusion(leaf, index, size, audit_path, root)
    except InvalidProofError:
        return False
    return True


def check_consistency(
    first: int,
    second: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Raise ``InvalidProofError`` unless ``proof`` shows the tree of ``first`` leaves with
    ``first_root`` is a prefix of the tree of ``second`` leaves with ``second_root``."""
    _check_hash(first_root, "first root hash")
    _check_hash(second_root, "second root hash")
    _check_path(proof)
    if not 0 < first <= second:
        raise InvalidProofError(f"no consistency proof from size {first} to size {second}")
    if first == second:
        if proof:
            raise InvalidProofError("proof between equal sizes must be empty")
        if not hmac.compare_digest(first_root, second_root):
            raise InvalidProofError("equal sizes with different root hashes")
        return
    if not proof:  # step 1
        raise InvalidProofError("proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # step 2
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise InvalidProofError("proof is longer than the trees are deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # step 7
        raise InvalidProofError("proof is shorter than the trees are deep")
    if not hmac.compare_digest(fr, first_root):
        raise InvalidProofError("proof leads to a different first root hash")
    if not hmac.compare_digest(sr, second_root):
        raise InvalidProofError("proof leads to a different second root hash")


def verify_consistency(
    first: int,
    second: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether ``proof`` shows the tree of size ``first`` is a prefix of the one of ``second``."""
    try:
        check_consistency(first, second, first_root, second_root, proof)
    except InvalidProofError:
        return False
    return True
