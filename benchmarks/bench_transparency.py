"""Transparency log: leaf appends and inclusion proofs against writing the event log itself.

Baseline, measured in the same run: the same rows (JSON payloads of about 300 bytes) INSERTed
into a plain SQLite events table ``events(position INTEGER PRIMARY KEY, topic, state)``, one
transaction per batch. The tree run appends the same payloads as leaves (leaf hashing included)
into ``SQLiteNodeStore``, with the same batch size, pragmas and transaction per batch; payload
generation is outside both timings. Goals (issue 8): appends at >= 0.5 of the baseline rate, and
inclusion proofs at the full size in under 10 ms.

    python benchmarks/bench_transparency.py [--size 1000000] [--batch 1000] [--proofs 2000]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from projections.transparency.merkle import leaf_hash, root_hash, verify_inclusion
from projections.transparency.tree_store import AppendOnlyTree, MemoryNodeStore, SQLiteNodeStore

TOPIC = "craftledger:Certificate.Issued"
APPEND_GOAL = 0.5
PROOF_GOAL_MS = 10.0


def make_payloads(size: int, seed: int = 8) -> list[bytes]:
    """Event-like JSON payloads of about 300 bytes, deterministic for a seed."""
    rng = random.Random(seed)
    payloads = []
    for position in range(size):
        event = {
            "originator_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "originator_version": position % 7 + 1,
            "topic": TOPIC,
            "timestamp": f"2024-05-{position % 28 + 1:02d}T08:00:00.{position % 1000:03d}Z",
            "actor": f"org:{rng.randrange(10_000):05d}",
            "number": f"Y0000110101{24 + position % 2}3{position % 1_000_000:06d}",
            "worker_id": uuid.UUID(int=rng.getrandbits(128)).hex,
            "occupation": "4-07-10-01",
            "level": position % 5 + 1,
        }
        payloads.append(json.dumps(event, separators=(",", ":")).encode())
    return payloads


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class EventsTable:
    """The baseline: a plain SQLite events table, written the way the event store writes."""

    def __init__(self, path: Path) -> None:
        self.connection = connect(path)
        self.connection.execute(
            "CREATE TABLE events (position INTEGER PRIMARY KEY, topic TEXT NOT NULL, "
            "state BLOB NOT NULL)"
        )
        self.connection.commit()
        self.size = 0

    def write(self, rows: Sequence[bytes]) -> None:
        with self.connection:
            self.connection.executemany(
                "INSERT INTO events (position, topic, state) VALUES (?, ?, ?)",
                [(self.size + offset + 1, TOPIC, row) for offset, row in enumerate(rows)],
            )
        self.size += len(rows)


class SQLiteTree:
    """The measured subject: leaves appended to ``SQLiteNodeStore``, one transaction a batch."""

    def __init__(self, path: Path) -> None:
        self.connection = connect(path)
        store = SQLiteNodeStore(self.connection)
        store.create_table()
        self.connection.commit()
        self.tree = AppendOnlyTree(store)

    def write(self, rows: Sequence[bytes]) -> None:
        with self.connection:
            self.tree.append_entries(rows)


def timed(write: Callable[[Sequence[bytes]], None], rows: Sequence[bytes]) -> float:
    began = time.perf_counter()
    write(rows)
    return time.perf_counter() - began


def bench_appends(
    directory: Path, payloads: Sequence[bytes], batch: int
) -> tuple[dict[str, float], SQLiteTree, AppendOnlyTree]:
    """Seconds spent by each writer; batches interleave (in alternating order) so that load from
    other processes on the machine falls on baseline and subject alike."""
    events = EventsTable(directory / "events.sqlite")
    sqlite_tree = SQLiteTree(directory / "tree.sqlite")
    memory = AppendOnlyTree(MemoryNodeStore())
    writers: dict[str, Callable[[Sequence[bytes]], None]] = {
        "events": events.write,
        "sqlite": sqlite_tree.write,
        "memory": memory.append_entries,
    }
    seconds = dict.fromkeys(writers, 0.0)
    for number, start in enumerate(range(0, len(payloads), batch)):
        rows = payloads[start : start + batch]
        order = list(writers) if number % 2 == 0 else list(reversed(writers))
        for name in order:
            seconds[name] += timed(writers[name], rows)
    events.connection.close()
    return seconds, sqlite_tree, memory


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_proofs(tree: AppendOnlyTree, proofs: int) -> dict[str, list[float]]:
    """Milliseconds per inclusion proof (full size and earlier sizes) and per consistency proof."""
    rng = random.Random(9)
    size = tree.size()
    root = tree.root()
    times: dict[str, list[float]] = {"inclusion": [], "inclusion_earlier": [], "consistency": []}
    for _ in range(proofs):
        index = rng.randrange(size)
        began = time.perf_counter()
        path = tree.inclusion_proof(index)
        times["inclusion"].append((time.perf_counter() - began) * 1000)
        if not verify_inclusion(tree.leaf_hash(index), index, size, path, root):
            raise AssertionError(f"inclusion proof for leaf {index} does not verify")
        earlier = rng.randrange(index + 1, size + 1)
        began = time.perf_counter()
        tree.inclusion_proof(index, earlier)
        times["inclusion_earlier"].append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        tree.consistency_proof(rng.randrange(1, size + 1), size)
        times["consistency"].append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="leaves / events")
    parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")
    parser.add_argument("--proofs", type=int, default=2000, help="proofs to time")
    parser.add_argument("--check-root", action="store_true", help="recompute MTH from scratch")
    args = parser.parse_args()

    print(f"transparency log benchmark: {args.size:,} leaves, batches of {args.batch:,}")
    payloads = make_payloads(args.size)
    print(f"  payload size: mean {statistics.fmean(map(len, payloads)):.0f} bytes")
    with tempfile.TemporaryDirectory(prefix="bench-transparency-") as name:
        seconds, sqlite_tree, memory = bench_appends(Path(name), payloads, args.batch)
        if sqlite_tree.tree.root() != memory.root():
            raise AssertionError("SQLite and in-memory trees disagree")
        if args.check_root and root_hash([leaf_hash(p) for p in payloads]) != memory.root():
            raise AssertionError("stored tree disagrees with MTH recomputed from scratch")
        del payloads, memory  # time proofs with a heap the size a server would have
        gc.collect()
        times = bench_proofs(sqlite_tree.tree, args.proofs)
        sqlite_tree.connection.close()

    events_rate = args.size / seconds["events"]
    tree_rate = args.size / seconds["sqlite"]
    memory_rate = args.size / seconds["memory"]
    print(f"  events INSERT (baseline): {events_rate:>12,.0f} rows/s")
    print(f"  tree append, SQLite:      {tree_rate:>12,.0f} leaves/s")
    print(f"  tree append, in-memory:   {memory_rate:>12,.0f} leaves/s")
    print(
        f"  ratio SQLite tree / events: {tree_rate / events_rate:.2f} "
        f"(goal >= {APPEND_GOAL}) {'ok' if tree_rate / events_rate >= APPEND_GOAL else 'MISSED'}"
    )
    print(f"  ratio in-memory tree / events: {memory_rate / events_rate:.2f}")
    for kind, values in times.items():
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        print(
            f"  {kind} proof at {args.size:,} (SQLite, {len(values)} proofs): "
            f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {max(values):.3f} ms; "
            f"p99 / goal {PROOF_GOAL_MS} ms = {p99 / PROOF_GOAL_MS:.3f}"
        )


if __name__ == "__main__":
    main()
