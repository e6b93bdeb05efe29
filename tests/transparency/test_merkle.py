"""RFC 9162 hashing and proofs, against the RFC's own definitions, published test vectors and
the independent ``pymerkle`` implementation, for every tree size 1..N."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from pymerkle import InmemoryTree
from pymerkle.core import _inclusion_path_layout
from pymerkle.proof import InclusionProof as PymerkleInclusionProof

from projections.transparency.merkle import (
    EMPTY_ROOT,
    InvalidProofError,
    check_consistency,
    check_inclusion,
    consistency_proof,
    consistency_proof_ranges,
    inclusion_path_ranges,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    split_point,
    verify_consistency,
    verify_inclusion,
)

N = 70
DATA = [f"event {i}|".encode() * (i % 4 + 1) for i in range(N)]
LEAVES = [leaf_hash(d) for d in DATA]


# The RFC 9162 §2.1 definitions, written out literally over the data (not the leaf hashes).
def rfc_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < len(d):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc_mth(d[:k]) + rfc_mth(d[k:])).digest()


def rfc_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return [*rfc_path(m, d[:k]), rfc_mth(d[k:])]
    return [*rfc_path(m - k, d[k:]), rfc_mth(d[:k])]


def rfc_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [rfc_mth(d)]
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m <= k:
        return [*rfc_subproof(m, d[:k], b), rfc_mth(d[k:])]
    return [*rfc_subproof(m - k, d[k:], False), rfc_mth(d[:k])]


@pytest.fixture(scope="module")
def pymerkle_tree() -> InmemoryTree:
    """pymerkle with its defaults: SHA-256 and the 0x00/0x01 prefixes ("security"), which is
    RFC 9162's hashing; ``disable_security=True`` would drop the prefixes."""
    tree = InmemoryTree(algorithm="sha256")
    for data in DATA:
        tree.append_entry(data)
    return tree


def test_pymerkle_is_configured_for_rfc9162_hashing(pymerkle_tree: InmemoryTree) -> None:
    assert pymerkle_tree.security is True
    assert pymerkle_tree.get_leaf(1) == hashlib.sha256(b"\x00" + DATA[0]).digest()
    assert pymerkle_tree.get_root(0) == hashlib.sha256(b"").digest()


# Certificate Transparency's reference vectors (RFC 6962 trees; also in transparency-dev/merkle).
CT_DATA = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def test_roots_reproduce_the_certificate_transparency_vectors() -> None:
    leaves = [leaf_hash(d) for d in CT_DATA]
    assert [root_hash(leaves[:n]).hex() for n in range(9)] == CT_ROOTS


def test_proofs_reproduce_the_certificate_transparency_vectors() -> None:
    leaves = [leaf_hash(d) for d in CT_DATA]
    for (index, size), expected in CT_INCLUSION.items():
        assert [h.hex() for h in inclusion_proof(leaves[:size], index)] == expected
    for (first, second), expected in CT_CONSISTENCY.items():
        assert [h.hex() for h in consistency_proof(leaves[:second], first)] == expected


def test_hashes_carry_the_rfc_domain_separation_prefixes() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == root_hash([])


def test_split_point_is_the_largest_power_of_two_below_n() -> None:
    assert [split_point(n) for n in range(2, 11)] == [1, 2, 2, 4, 4, 4, 4, 8, 8]
    assert split_point(2**40 + 1) == 2**40
    with pytest.raises(ValueError):
        split_point(1)


def test_root_of_every_size_matches_pymerkle_and_the_rfc(pymerkle_tree: InmemoryTree) -> None:
    for size in range(N + 1):
        assert root_hash(LEAVES[:size]) == pymerkle_tree.get_root(size) == rfc_mth(DATA[:size])


def test_inclusion_proof_of_every_leaf_in_every_size_matches_pymerkle_and_the_rfc(
    pymerkle_tree: InmemoryTree,
) -> None:
    checked = 0
    for size in range(1, N + 1):
        for index in range(size):
            ours = inclusion_proof(LEAVES[:size], index)
            theirs = pymerkle_tree.prove_inclusion(index + 1, size)
            assert ours == theirs.path[1:] == rfc_path(index, DATA[:size]), (index, size)
            # pymerkle's verifier accepts our path, rebuilt as one of its proofs.
            rule, _ = _inclusion_path_layout(index + 1, size)
            PymerkleInclusionProof(
                "sha256", True, size, index + 1, rule, [LEAVES[index], *ours]
            ).verify(LEAVES[index], pymerkle_tree.get_root(size))
            checked += 1
    assert checked == N * (N + 1) // 2


def test_consistency_proof_of_every_pair_matches_the_rfc_and_pymerkle_roots(
    pymerkle_tree: InmemoryTree,
) -> None:
    checked = 0
    for second in range(1, N + 1):
        for first in range(1, second + 1):
            ours = consistency_proof(LEAVES[:second], first)
            assert ours == rfc_subproof(first, DATA[:second], True), (first, second)
            assert verify_consistency(
                first, second, pymerkle_tree.get_root(first), pymerkle_tree.get_root(second), ours
            )
            # And pymerkle's own consistency proof agrees that our two roots are consistent.
            pymerkle_tree.prove_consistency(first, second).verify(
                root_hash(LEAVES[:first]), root_hash(LEAVES[:second])
            )
            checked += 1
    assert checked == N * (N + 1) // 2


def _tampered(path: list[bytes]) -> list[list[bytes]]:
    """Every one-byte flip of every element, and the path shortened, lengthened and reordered."""
    variants = []
    for position in range(len(path)):
        changed = bytearray(path[position])
        changed[position % 32] ^= 0x01
        variants.append([*path[:position], bytes(changed), *path[position + 1 :]])
    if path:
        variants.append(path[:-1])
        variants.append(path[1:])
    variants.append([*path, path[-1] if path else LEAVES[0]])
    if len(path) > 1 and path[0] != path[1]:
        variants.append([path[1], path[0], *path[2:]])
    return variants


@cache
def _root(size: int) -> bytes:
    return root_hash(LEAVES[:size])


def test_every_inclusion_proof_verifies_and_every_tampering_fails() -> None:
    for size in range(1, N + 1):
        root = _root(size)
        for index in range(size):
            path = inclusion_proof(LEAVES[:size], index)
            assert verify_inclusion(LEAVES[index], index, size, path, root)
            for variant in _tampered(path):
                assert not verify_inclusion(LEAVES[index], index, size, variant, root)
            for other in {index - 1, index + 1, index ^ 2, size} - {index, -1}:
                assert not verify_inclusion(LEAVES[index], other, size, path, root)
            # The size is bound by the root (the signed head pairs them), so a wrong size is
            # checked against that size's root.
            for other_size in {size - 1, size + 1} - {0, N + 1}:
                if index < other_size:
                    other_root = _root(other_size)
                    assert not verify_inclusion(LEAVES[index], index, other_size, path, other_root)
            wrong_leaf = LEAVES[(index + 1) % N]
            assert not verify_inclusion(wrong_leaf, index, size, path, root)
            assert not verify_inclusion(LEAVES[index], index, size, path, _root(size - 1))


def test_every_consistency_proof_verifies_and_every_tampering_fails() -> None:
    for second in range(2, N + 1):
        for first in range(1, second):
            proof = consistency_proof(LEAVES[:second], first)
            roots = (_root(first), _root(second))
            assert verify_consistency(first, second, *roots, proof)
            for variant in _tampered(proof):
                assert not verify_consistency(first, second, *roots, variant)
            assert not verify_consistency(first, second, roots[1], roots[0], proof)
            assert not verify_consistency(first, second, _root(first - 1), roots[1], proof)
            assert not verify_consistency(first, second, roots[0], _root(second - 1), proof)
            for other in {first - 1, first + 1} - {first, 0, second}:
                if consistency_proof(LEAVES[:second], other) != proof:
                    assert not verify_consistency(other, second, _root(other), roots[1], proof)
            if second < N:
                assert not verify_consistency(first, second + 1, roots[0], _root(second + 1), proof)


def test_the_empty_tree_has_the_empty_root_and_no_inclusion_proofs() -> None:
    assert root_hash([]) == EMPTY_ROOT
    with pytest.raises(ValueError):
        inclusion_proof([], 0)
    assert not verify_inclusion(LEAVES[0], 0, 0, [], EMPTY_ROOT)


def test_a_tree_of_one_leaf_has_its_leaf_hash_as_root_and_an_empty_path() -> None:
    assert root_hash(LEAVES[:1]) == LEAVES[0]
    assert inclusion_proof(LEAVES[:1], 0) == []
    assert verify_inclusion(LEAVES[0], 0, 1, [], LEAVES[0])
    assert not verify_inclusion(LEAVES[0], 0, 1, [LEAVES[1]], LEAVES[0])


def test_index_at_or_beyond_the_size_has_no_proof() -> None:
    with pytest.raises(ValueError):
        inclusion_path_ranges(5, 5)
    with pytest.raises(ValueError):
        inclusion_path_ranges(-1, 5)
    path = inclusion_proof(LEAVES[:8], 7)
    assert not verify_inclusion(LEAVES[7], 8, 8, path, _root(8))


def test_consistency_between_equal_sizes_is_the_empty_proof_and_needs_equal_roots() -> None:
    for size in (1, 2, 7, 64):
        assert consistency_proof(LEAVES[:size], size) == []
        assert verify_consistency(size, size, _root(size), _root(size), [])
        assert not verify_consistency(size, size, _root(size), _root(size - 1 or 2), [])
        assert not verify_consistency(size, size, _root(size), _root(size), [_root(size)])


def test_consistency_from_size_zero_or_backwards_is_invalid() -> None:
    with pytest.raises(ValueError):
        consistency_proof_ranges(0, 5)
    with pytest.raises(ValueError):
        consistency_proof_ranges(6, 5)
    assert not verify_consistency(0, 5, EMPTY_ROOT, _root(5), [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, _root(5), [_root(5)])
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(5, 4, _root(5), _root(4), consistency_proof(LEAVES[:5], 4))


def test_a_proper_consistency_proof_is_never_empty() -> None:
    # §2.1.4.2 step 1, even where a first size that is a power of two would supply one hash.
    assert not verify_consistency(4, 8, _root(4), _root(8), [])
    assert not verify_consistency(1, 2, _root(1), _root(2), [])


def test_verification_reports_which_check_failed() -> None:
    path = inclusion_proof(LEAVES[:10], 3)
    with pytest.raises(InvalidProofError, match="different root"):
        check_inclusion(LEAVES[3], 3, 10, path, _root(9))
    with pytest.raises(InvalidProofError, match="shorter"):
        check_inclusion(LEAVES[3], 3, 10, path[:-1], _root(10))
    with pytest.raises(InvalidProofError, match="longer"):
        check_inclusion(LEAVES[3], 3, 10, [*path, path[0]], _root(10))
    with pytest.raises(InvalidProofError, match="32-byte"):
        check_inclusion(LEAVES[3][:31], 3, 10, path, _root(10))
    with pytest.raises(InvalidProofError, match="first root"):
        check_consistency(3, 10, _root(4), _root(10), consistency_proof(LEAVES[:10], 3))
    with pytest.raises(InvalidProofError, match="too long"):
        check_consistency(3, 10, _root(3), _root(10), [LEAVES[0]] * 129)


def test_proof_ranges_are_subtrees_of_the_log_in_rfc_order() -> None:
    # Bottom-up siblings for leaf 5 of 7: leaf 4, leaf 6, then leaves 0-3.
    assert inclusion_path_ranges(5, 7) == [(4, 5), (6, 7), (0, 4)]
    # PROOF(3, D[7]) = [leaf 2, leaf 3, MTH(D[0:2]), MTH(D[4:7])].
    assert consistency_proof_ranges(3, 7) == [(2, 3), (3, 4), (0, 2), (4, 7)]
    # A first size that is a complete subtree is left out of its own proof.
    assert consistency_proof_ranges(4, 7) == [(4, 7)]


def test_a_truncated_proof_cannot_pass_a_subtree_root_off_as_the_trees_root() -> None:
    # Without §2.1.3.2 step 5 / §2.1.4.2 step 7 (sn must reach 0), the proofs below would
    # "prove" that the tree of 8 leaves has the root of its first 4 leaves.
    path = inclusion_proof(LEAVES[:8], 1)
    assert verify_inclusion(LEAVES[1], 1, 4, path[:-1], _root(4))
    assert not verify_inclusion(LEAVES[1], 1, 8, path[:-1], _root(4))
    proof = consistency_proof(LEAVES[:8], 3)
    assert verify_consistency(3, 4, _root(3), _root(4), proof[:-1])
    assert not verify_consistency(3, 8, _root(3), _root(4), proof[:-1])
