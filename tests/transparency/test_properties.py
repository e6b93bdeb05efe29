"""Properties over random logs: batching never changes the tree, honest proofs always verify,
altered ones never do, and verifiers answer False rather than raise on any input."""

from __future__ import annotations

import sqlite3
from itertools import pairwise

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from projections.transparency.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from projections.transparency.tree_store import AppendOnlyTree, MemoryNodeStore, SQLiteNodeStore

entries = st.lists(st.binary(max_size=48), min_size=1, max_size=160)
distinct_entries = st.lists(st.binary(max_size=48), min_size=2, max_size=160, unique=True)
hashes = st.binary(min_size=32, max_size=32)


def split(data: list[bytes], cuts: list[int]) -> list[list[bytes]]:
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in pairwise(bounds)]


@settings(deadline=None, max_examples=60)
@given(entries, st.lists(st.integers(min_value=0), max_size=12))
def test_any_batching_into_any_store_builds_the_same_tree(
    data: list[bytes], cuts: list[int]
) -> None:
    leaves = [leaf_hash(d) for d in data]
    connection = sqlite3.connect(":memory:")
    sqlite_store = SQLiteNodeStore(connection)
    sqlite_store.create_table()
    memory, stored = AppendOnlyTree(MemoryNodeStore()), AppendOnlyTree(sqlite_store)
    for batch in split(data, cuts):
        memory.append_entries(batch)
        with connection:
            stored.append_entries(batch)
    for size in {0, 1, len(data) // 2, len(data) - 1, len(data)}:
        assert memory.root(size) == stored.root(size) == root_hash(leaves[:size])
    connection.close()


@given(entries, st.data())
def test_honest_proofs_verify(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    tree = AppendOnlyTree(MemoryNodeStore())
    tree.append_leaf_hashes(leaves)
    size = draw.draw(st.integers(1, len(leaves)), label="size")
    index = draw.draw(st.integers(0, size - 1), label="index")
    first = draw.draw(st.integers(1, size), label="first")
    path = tree.inclusion_proof(index, size)
    assert path == inclusion_proof(leaves[:size], index)
    assert verify_inclusion(leaves[index], index, size, path, tree.root(size))
    proof = tree.consistency_proof(first, size)
    assert proof == consistency_proof(leaves[:size], first)
    assert verify_consistency(first, size, tree.root(first), tree.root(size), proof)


@given(distinct_entries, st.data())
def test_altered_inclusion_proofs_fail(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    size = draw.draw(st.integers(2, len(leaves)), label="size")
    index = draw.draw(st.integers(0, size - 1), label="index")
    path = inclusion_proof(leaves[:size], index)
    root = root_hash(leaves[:size])
    kind = draw.draw(st.sampled_from(["flip", "drop", "extend", "index", "leaf"]), label="kind")
    leaf, claimed = leaves[index], index
    if kind == "flip":
        position = draw.draw(st.integers(0, len(path) - 1))
        bit = draw.draw(st.integers(0, 255))
        changed = bytearray(path[position])
        changed[bit // 8] ^= 1 << (bit % 8)
        path = [*path[:position], bytes(changed), *path[position + 1 :]]
    elif kind == "drop":
        path = path[:-1]
    elif kind == "extend":
        path = [*path, draw.draw(hashes)]
    elif kind == "index":
        claimed = draw.draw(st.integers(0, size - 1).filter(lambda i: i != index))
    else:
        leaf = leaves[draw.draw(st.integers(0, len(leaves) - 1).filter(lambda i: i != index))]
    assert not verify_inclusion(leaf, claimed, size, path, root)


@given(distinct_entries, st.data())
def test_altered_consistency_proofs_fail(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    second = draw.draw(st.integers(2, len(leaves)), label="second")
    first = draw.draw(st.integers(1, second - 1), label="first")
    proof = consistency_proof(leaves[:second], first)
    first_root, second_root = root_hash(leaves[:first]), root_hash(leaves[:second])
    kind = draw.draw(st.sampled_from(["flip", "drop", "extend", "old_root", "new_root"]))
    if kind == "flip":
        position = draw.draw(st.integers(0, len(proof) - 1))
        changed = bytearray(proof[position])
        changed[draw.draw(st.integers(0, 31))] ^= 0x80
        proof = [*proof[:position], bytes(changed), *proof[position + 1 :]]
    elif kind == "drop":
        proof = proof[:-1]
    elif kind == "extend":
        proof = [*proof, draw.draw(hashes)]
    elif kind == "old_root":
        # The earlier tree rewritten: one of its leaves replaced.
        victim = draw.draw(st.integers(0, first - 1))
        first_root = root_hash(
            [*leaves[:victim], leaf_hash(b"rewritten"), *leaves[victim + 1 : first]]
        )
    else:
        second_root = root_hash([*leaves[: second - 1], leaf_hash(data[second - 1] + b"!")])
    assert not verify_consistency(first, second, first_root, second_root, proof)


@given(
    st.binary(max_size=40),
    st.integers(-3, 1 << 65),
    st.integers(-3, 1 << 65),
    st.lists(st.binary(max_size=40), max_size=140),
    st.binary(max_size=40),
)
def test_inclusion_verification_answers_false_for_arbitrary_input(
    leaf: bytes, index: int, size: int, path: list[bytes], root: bytes
) -> None:
    assert verify_inclusion(leaf, index, size, path, root) is False


@given(
    st.integers(-3, 1 << 65),
    st.integers(-3, 1 << 65),
    st.binary(max_size=40),
    st.binary(max_size=40),
    st.lists(st.binary(max_size=40), max_size=140),
)
def test_consistency_verification_answers_false_for_arbitrary_input(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]
) -> None:
    # Equal sizes and equal roots with the empty proof are genuinely consistent.
    assume(not (first == second > 0 and first_root == second_root and not proof))
    assert verify_consistency(first, second, first_root, second_root, proof) is False
