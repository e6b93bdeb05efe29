"""The append-only tree over memory, SQLite and PostgreSQL: identical roots and proofs at every
earlier size, every complete subtree stored once, O(log n) reads, caller-owned transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
import pytest

from projections.transparency.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
)
from projections.transparency.tree_store import (
    AppendOnlyTree,
    MemoryNodeStore,
    NodeKey,
    NodeStore,
    PostgresNodeStore,
    SQLiteNodeStore,
)

N = 70
DATA = [f"stored event {i}".encode() for i in range(N)]
LEAVES = [leaf_hash(d) for d in DATA]
BATCHES = [1, 2, 3, 5, 8, 13, 21, 17]  # uneven, summing to N
POSTGRES_URL = os.environ.get(
    "CRAFTLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def postgres(postgres_schema: str) -> Iterator[psycopg.Connection]:
    """A connection whose search path is a fresh schema (``tests/conftest.py`` creates and drops
    it). No server is an error, not a skip."""
    with psycopg.connect(POSTGRES_URL, connect_timeout=5) as connection:
        connection.execute(f'SET search_path TO "{postgres_schema}"')
        connection.commit()
        yield connection
        connection.rollback()


@pytest.fixture
def sqlite_connection(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "log.sqlite")
    yield connection
    connection.close()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> NodeStore:
    if request.param == "memory":
        return MemoryNodeStore()
    if request.param == "sqlite":
        sqlite_store = SQLiteNodeStore(request.getfixturevalue("sqlite_connection"))
        sqlite_store.create_table()
        return sqlite_store
    postgres_store = PostgresNodeStore(request.getfixturevalue("postgres"))
    postgres_store.create_table()
    return postgres_store


def append_in_batches(tree: AppendOnlyTree, data: Sequence[bytes]) -> None:
    start = 0
    for size in BATCHES:
        assert tree.append_entries(data[start : start + size]) == start + size
        start += size
    assert start == len(data)


def test_roots_and_proofs_at_every_earlier_size_equal_the_pure_rfc_functions(
    store: NodeStore,
) -> None:
    tree = AppendOnlyTree(store)
    append_in_batches(tree, DATA)
    assert tree.size() == N
    for size in range(N + 1):
        assert tree.root(size) == root_hash(LEAVES[:size])
    for size in range(1, N + 1):
        for index in range(size):
            assert tree.inclusion_proof(index, size) == inclusion_proof(LEAVES[:size], index)
        for first in range(1, size + 1):
            assert tree.consistency_proof(first, size) == consistency_proof(LEAVES[:size], first)
    assert [tree.leaf_hash(i) for i in range(N)] == LEAVES


def test_defaults_are_the_current_size(store: NodeStore) -> None:
    tree = AppendOnlyTree(store)
    assert tree.size() == 0 and tree.root() == EMPTY_ROOT
    tree.append_entries(DATA[:11])
    assert tree.root() == root_hash(LEAVES[:11])
    assert tree.inclusion_proof(4) == inclusion_proof(LEAVES[:11], 4)
    assert tree.consistency_proof(6) == consistency_proof(LEAVES[:11], 6)


def expected_keys(size: int) -> set[NodeKey]:
    """Every complete subtree of a log of ``size`` leaves."""
    return {(level, idx) for level in range(size.bit_length()) for idx in range(size >> level)}


def test_every_complete_subtree_is_stored_once_and_nothing_else(store: NodeStore) -> None:
    written: list[NodeKey] = []

    class Recording:
        def leaf_count(self) -> int:
            return store.leaf_count()

        def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
            return store.get_nodes(keys)

        def put_nodes(self, nodes: Sequence[tuple[int, int, bytes]]) -> None:
            written.extend((level, idx) for level, idx, _ in nodes)
            store.put_nodes(nodes)

    append_in_batches(AppendOnlyTree(Recording()), DATA)
    assert len(written) == len(set(written)) == 2 * N - N.bit_count()
    assert set(written) == expected_keys(N)
    # Each stored subtree hash is the MTH of its leaves.
    keys = sorted(expected_keys(N))
    for (level, idx), value in zip(keys, store.get_nodes(keys), strict=True):
        assert value == root_hash(LEAVES[idx << level : (idx + 1) << level])


def test_reads_for_a_root_or_proof_are_logarithmic_and_batched() -> None:
    memory = MemoryNodeStore()
    size = (1 << 16) + 12345
    AppendOnlyTree(memory).append_leaf_hashes(leaf_hash(i.to_bytes(4, "big")) for i in range(size))
    calls: list[int] = []

    class Counting(MemoryNodeStore):
        def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
            calls.append(len(keys))
            return memory.get_nodes(keys)

        def leaf_count(self) -> int:
            return memory.leaf_count()

    tree = AppendOnlyTree(Counting())
    depth = size.bit_length()
    for operation in (
        lambda: tree.root(size - 1),
        lambda: tree.inclusion_proof(size - 2),
        lambda: tree.inclusion_proof(777, size - 3),
        lambda: tree.consistency_proof(size // 3 + 1, size - 5),
    ):
        calls.clear()
        operation()
        assert len(calls) == 1 and calls[0] <= 2 * depth, calls


def test_appending_reads_only_the_right_edge() -> None:
    memory = MemoryNodeStore()
    AppendOnlyTree(memory).append_entries(DATA)
    reads: list[Sequence[NodeKey]] = []

    class Counting(MemoryNodeStore):
        def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
            reads.append(keys)
            return memory.get_nodes(keys)

        def leaf_count(self) -> int:
            return memory.leaf_count()

        def put_nodes(self, nodes: Sequence[tuple[int, int, bytes]]) -> None:
            memory.put_nodes(nodes)

    AppendOnlyTree(Counting()).append_entries([b"one more"])
    assert reads == [[(1, 34), (2, 16), (6, 0)]]  # 70 = 2 + 4 + 64


def test_sqlite_append_commits_or_rolls_back_with_the_callers_transaction(
    sqlite_connection: sqlite3.Connection,
) -> None:
    store = SQLiteNodeStore(sqlite_connection)
    store.create_table()
    sqlite_connection.execute("CREATE TABLE tracking (name TEXT PRIMARY KEY, position INTEGER)")
    sqlite_connection.commit()
    tree = AppendOnlyTree(store)
    with sqlite_connection:
        tree.append_entries(DATA[:5])
        sqlite_connection.execute("INSERT INTO tracking VALUES ('transparency', 5)")
    with pytest.raises(RuntimeError), sqlite_connection:
        tree.append_entries([b"never", b"happened", b"at all"])
        sqlite_connection.execute("UPDATE tracking SET position = 8")
        raise RuntimeError("projection failed after appending")
    assert tree.size() == 5
    assert sqlite_connection.execute("SELECT position FROM tracking").fetchone() == (5,)
    with sqlite_connection:
        tree.append_entries(DATA[5:])  # the rolled-back right edge must not leak into this
    assert tree.root() == root_hash(LEAVES)


@pytest.mark.postgres
def test_postgres_append_commits_or_rolls_back_with_the_callers_transaction(
    postgres: psycopg.Connection,
) -> None:
    store = PostgresNodeStore(postgres)
    store.create_table()
    postgres.commit()
    tree = AppendOnlyTree(store)
    with postgres.transaction():
        tree.append_entries(DATA[:6])
    with pytest.raises(RuntimeError), postgres.transaction():
        tree.append_entries([b"rolled", b"back"])
        raise RuntimeError("projection failed after appending")
    assert tree.size() == 6
    tree.append_entries(DATA[6:])
    postgres.commit()
    assert tree.root() == root_hash(LEAVES)
    for size in (1, 6, 7, 33, N):
        assert tree.inclusion_proof(size - 1, size) == inclusion_proof(LEAVES[:size], size - 1)


def test_a_reopened_sqlite_log_continues_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "reopened.sqlite"
    for start, stop in ((0, 23), (23, 24), (24, N)):
        connection = sqlite3.connect(path)
        store = SQLiteNodeStore(connection)
        store.create_table()
        with connection:
            AppendOnlyTree(store).append_entries(DATA[start:stop])
        connection.close()
    connection = sqlite3.connect(path)
    assert AppendOnlyTree(SQLiteNodeStore(connection)).root() == root_hash(LEAVES)
    connection.close()


def test_storing_a_node_twice_is_refused(store: NodeStore) -> None:
    AppendOnlyTree(store).append_entries(DATA[:4])
    with pytest.raises((ValueError, sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        store.put_nodes([(0, 3, LEAVES[9])])


def test_a_large_batch_spanning_several_writes_matches_the_pure_root(store: NodeStore) -> None:
    size = 20_000  # more than one internal write chunk
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    tree = AppendOnlyTree(store)
    assert tree.append_leaf_hashes(iter(leaves)) == size
    assert tree.root() == root_hash(leaves)
    assert tree.root(12_345) == root_hash(leaves[:12_345])
    assert tree.inclusion_proof(19_999) == inclusion_proof(leaves, 19_999)


def test_bad_arguments_are_refused(store: NodeStore) -> None:
    tree = AppendOnlyTree(store)
    tree.append_entries(DATA[:3])
    with pytest.raises(ValueError):
        tree.append_leaf_hashes([b"short"])
    with pytest.raises(ValueError):
        tree.append_leaf_hashes(["x" * 32])  # type: ignore[list-item]
    assert tree.size() == 3
    for call in (
        lambda: tree.root(4),
        lambda: tree.root(-1),
        lambda: tree.inclusion_proof(3),
        lambda: tree.inclusion_proof(0, 4),
        lambda: tree.consistency_proof(0, 3),
        lambda: tree.consistency_proof(3, 2),
        lambda: tree.leaf_hash(3),
        lambda: tree.leaf_hash(-1),
    ):
        with pytest.raises(ValueError):
            call()


def test_table_names_must_be_plain_identifiers(sqlite_connection: sqlite3.Connection) -> None:
    with pytest.raises(ValueError):
        SQLiteNodeStore(sqlite_connection, "node; DROP TABLE events")
    store = SQLiteNodeStore(sqlite_connection, "log_b_node")
    store.create_table()
    AppendOnlyTree(store).append_entries(DATA[:2])
    assert sqlite_connection.execute("SELECT count(*) FROM log_b_node").fetchone() == (3,)
