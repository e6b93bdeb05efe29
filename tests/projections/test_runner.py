"""The projection runner: batches, exactly-once positions, poison events, rebuilds, as-of."""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import psycopg
import pytest
from eventsourcing.cipher import AESCipher
from eventsourcing.domain import Aggregate

from domain.china_time import china_date
from projections import all_projections
from projections.as_of import build_as_of, diff_stores, end_of_day, position_at
from projections.directory import Directory, DirectoryQuery
from projections.projection import Projection, RecordedEvent, handles
from projections.runner import EventDecoder, ProjectionRunner
from projections.store import ProjectionStore, Transaction
from service.config import Settings
from service.ledger import Ledger
from tests.projections.cast import World, insert_raw_event


def dumps(store: ProjectionStore) -> dict[str, Any]:
    return {p.name: p.dump(store) for p in all_projections()}


def populate(world: World, workers: int = 3) -> list[str]:
    numbers = []
    for index in range(workers):
        worker = world.worker(f"工人{index}")
        numbers.append(world.issue(worker, "5"))
    numbers.append(world.issue(world.workers[0], "4"))
    world.status(numbers[0], "suspend")
    return numbers


class Fragile(Projection):
    """Counts certificates; raises on revocations (the poison event)."""

    name = "fragile"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {"fragile_seen": ("position",)}
    schema: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS fragile_seen (position BIGINT PRIMARY KEY, topic TEXT)",
    )
    broken = True

    @handles("craftledger:Certificate.Issued", "craftledger:Certificate.Revoked")
    def seen(self, tx: Transaction, event: RecordedEvent) -> None:
        if event.topic.endswith("Revoked") and self.broken:
            raise ValueError("cannot handle revocations")
        tx.execute(
            "INSERT INTO fragile_seen (position, topic) VALUES (?, ?)",
            (event.position, event.topic),
        )


def test_catch_up_applies_every_event_and_records_the_log_position(ledger, store, world):
    populate(world)
    runner = ProjectionRunner(ledger, store, all_projections(), batch_size=7)

    read = runner.catch_up()

    assert read == ledger.log_position
    assert set(runner.positions().values()) == {ledger.log_position}
    assert runner.catch_up() == 0
    assert DirectoryQuery(store).list_workers().items[0]["name"] == "工人0"


def test_catch_up_limit_reads_at_most_that_many_positions(ledger, store, world):
    populate(world)
    runner = ProjectionRunner(ledger, store, all_projections(), batch_size=4)

    assert runner.catch_up(limit=10) == 10
    assert set(runner.positions().values()) == {10}
    assert runner.catch_up() == ledger.log_position - 10


def test_each_batch_is_one_transaction_and_idle_batches_none(ledger, store, world, monkeypatch):
    populate(world)
    topics = sorted({n.topic for n in ledger.notifications()})

    class Everything(Projection):
        name = "everything"
        tables: ClassVar[dict[str, tuple[str, ...]]] = {"everything_seen": ("position",)}
        schema: ClassVar[tuple[str, ...]] = (
            "CREATE TABLE IF NOT EXISTS everything_seen (position BIGINT PRIMARY KEY)",
        )

        @handles(*topics)
        def seen(self, tx: Transaction, event: RecordedEvent) -> None:
            tx.execute("INSERT INTO everything_seen (position) VALUES (?)", (event.position,))

    class Honours(Projection):
        name = "only_honours"
        tables: ClassVar[dict[str, tuple[str, ...]]] = {}

        @handles("craftledger:HonourLadder.TitleAwarded")
        def awarded(self, tx: Transaction, event: RecordedEvent) -> None:
            raise AssertionError("there are no awards in this log")

    runner = ProjectionRunner(ledger, store, [Everything(), Honours()], batch_size=7)
    runner.ensure_ready()
    opened = []
    original = store.transaction

    def counting_transaction():
        opened.append(1)
        return original()

    monkeypatch.setattr(store, "transaction", counting_transaction)

    runner.catch_up()

    head = ledger.log_position
    # One per page for the projection with work in every page; one position write at the end
    # for the projection that had nothing to do.
    assert len(opened) == math.ceil(head / 7) + 1
    assert store.count("everything_seen") == head
    assert runner.positions() == {"everything": head, "only_honours": head}


def transient_error(backend: str) -> Exception:
    if backend == "sqlite":
        return sqlite3.OperationalError("database is locked")
    return psycopg.OperationalError("server closed the connection unexpectedly")


def test_a_failed_batch_leaves_neither_rows_nor_position_behind(
    backend, ledger, store, world, fresh_store
):
    populate(world)
    directory = Directory()
    original = directory.certificate_status_changed
    calls = {"n": 0}

    def flaky(tx: Transaction, event: RecordedEvent) -> None:
        calls["n"] += 1
        original(tx, event)
        if calls["n"] == 1:
            raise transient_error(backend)

    directory.certificate_status_changed = flaky  # type: ignore[method-assign]
    runner = ProjectionRunner(ledger, store, [directory], batch_size=1000)

    with pytest.raises((sqlite3.OperationalError, psycopg.OperationalError)):
        runner.catch_up()
    assert runner.position("directory") == 0
    assert store.count("directory_certificate") == 0
    assert runner.failures() == []

    assert runner.catch_up() == ledger.log_position
    rebuilt = fresh_store()
    ProjectionRunner(ledger, rebuilt, [Directory()]).catch_up()
    assert directory.dump(store) == directory.dump(rebuilt)


def test_two_runners_on_one_store_apply_each_event_exactly_once(ledger, store, world, fresh_store):
    populate(world, workers=6)
    second_store = ProjectionStore.from_settings(ledger.settings)
    runners = [
        ProjectionRunner(ledger, store, all_projections(), batch_size=3),
        ProjectionRunner(ledger, second_store, all_projections(), batch_size=5),
    ]
    runners[0].ensure_ready()
    errors: list[BaseException] = []

    def run(runner: ProjectionRunner) -> None:
        try:
            runner.catch_up()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    second_store.close()

    assert errors == []
    assert runners[0].failures() == []
    assert set(runners[0].positions().values()) == {ledger.log_position}
    rebuilt = fresh_store()
    ProjectionRunner(ledger, rebuilt, all_projections()).catch_up()
    assert dumps(store) == dumps(rebuilt)


def caught_poison(ledger, store, world, extra, batch_size):  # type: ignore[no-untyped-def]
    """Run every projection and ``extra`` over a log with one revocation (the poison for
    ``extra``) followed by another issue; check that only ``extra`` stopped, exactly before
    the revocation, and everything else reached the head. Returns the failure, the runner,
    the poison's position and the head."""
    numbers = populate(world)
    runner = ProjectionRunner(ledger, store, [*all_projections(), extra], batch_size=batch_size)
    world.status(numbers[1], "revoke", reason="forged evidence")
    (poison,) = [
        n.id for n in ledger.notifications() if n.topic == "craftledger:Certificate.Revoked"
    ]
    world.issue(world.worker("后来者"), "5")

    runner.catch_up()

    (failure,) = runner.failures()
    assert failure.name == extra.name
    assert failure.position == poison
    assert failure.topic == "craftledger:Certificate.Revoked"
    positions = runner.positions()
    assert positions.pop(extra.name) == poison - 1  # everything before the poison is kept
    head = ledger.log_position
    assert set(positions.values()) == {head}
    return failure, runner, poison, head


def test_a_poison_event_stops_only_its_projection(ledger, store, world):
    fragile = Fragile()
    failure, runner, poison, head = caught_poison(ledger, store, world, fragile, batch_size=50)
    assert "ValueError: cannot handle revocations" in failure.error
    assert store.count("fragile_seen") == 4  # the four certificates issued before it
    states = {s["name"]: s for s in runner.status()}
    assert states["fragile"]["status"] == "failed"
    assert states["fragile"]["failure"]["position"] == poison
    assert runner.wait_for(head, timeout=0.2, names=["directory"]) is True
    assert runner.wait_for(head, timeout=5.0) is False  # promptly: the failure is known

    runner.catch_up()
    assert runner.position("fragile") == poison - 1

    fragile.broken = False
    runner.retry("fragile")
    runner.catch_up()
    assert runner.failures() == []
    assert runner.position("fragile") == head
    assert store.count("fragile_seen") == 6


class Buffered(Projection):
    """Inserts a batch's certificates at its end (``flush``); a revocation's row has no topic,
    which the table refuses (NOT NULL) only when the batch is written."""

    name = "buffered"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {"buffered_seen": ("position",)}
    schema: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS buffered_seen (position BIGINT PRIMARY KEY,"
        " topic TEXT NOT NULL)",
    )
    broken = True

    def __init__(self) -> None:
        self.start_batch()

    def start_batch(self) -> None:
        self.rows: list[tuple[int, str | None]] = []

    def flush(self, tx: Transaction) -> None:
        tx.executemany("INSERT INTO buffered_seen (position, topic) VALUES (?, ?)", self.rows)
        self.start_batch()

    @handles("craftledger:Certificate.Issued", "craftledger:Certificate.Revoked")
    def seen(self, tx: Transaction, event: RecordedEvent) -> None:
        broken = event.topic.endswith("Revoked") and self.broken
        self.rows.append((event.position, None if broken else event.topic))


class KeepsItsBatch(Buffered):
    """``flush`` writes the rows but leaves them buffered (the runner starts every batch)."""

    def flush(self, tx: Transaction) -> None:
        tx.executemany("INSERT INTO buffered_seen (position, topic) VALUES (?, ?)", self.rows)


@pytest.mark.parametrize("projection", [Buffered, KeepsItsBatch])
def test_a_poison_event_found_only_when_a_batch_is_flushed_is_reported_exactly(
    ledger, store, world, projection
):
    buffered = projection()
    _, runner, _, head = caught_poison(ledger, store, world, buffered, batch_size=500)
    assert store.count("buffered_seen") == 4  # the four certificates issued before it

    buffered.broken = False
    runner.retry("buffered")
    runner.catch_up()
    assert runner.failures() == []
    assert runner.position("buffered") == head
    assert store.count("buffered_seen") == 6


def test_rebuild_drops_one_projection_and_rebuilds_it_from_zero(ledger, store, world):
    populate(world)
    runner = ProjectionRunner(ledger, store, all_projections(), batch_size=7)
    runner.catch_up()
    before = dumps(store)
    with store.transaction() as tx:
        tx.execute("UPDATE directory_worker SET name = 'tampered'")
        tx.execute("DELETE FROM ladder_level")

    read = runner.rebuild("directory")

    assert read == ledger.log_position
    after = dumps(store)
    assert after["directory"] == before["directory"]
    assert after["worker_ladder"] != before["worker_ladder"]  # untouched by that rebuild
    runner.rebuild()
    assert dumps(store) == before


def test_a_changed_projection_version_is_rebuilt_on_start(ledger, store, world):
    populate(world)
    ProjectionRunner(ledger, store, all_projections()).catch_up()
    with store.transaction() as tx:
        tx.execute("DELETE FROM directory_certificate")

    class DirectoryNext(Directory):
        version = Directory.version + 1

    runner = ProjectionRunner(ledger, store, [DirectoryNext()])
    assert runner.position("directory") == 0
    runner.catch_up()
    assert store.count("directory_certificate") == 4


def test_unknown_projection_names_are_refused(ledger, store):
    runner = ProjectionRunner(ledger, store, all_projections())
    with pytest.raises(KeyError, match="no projection 'nope'"):
        runner.rebuild("nope")
    with pytest.raises(ValueError, match="unique"):
        ProjectionRunner(ledger, store, [Directory(), Directory()])


def test_wait_for_reads_your_writes_with_the_background_thread(ledger, store, world):
    runner = ProjectionRunner(ledger, store, all_projections(), poll_interval=30)
    runner.start()
    try:
        worker = world.worker("读写一致")
        number = world.issue(worker, "5")
        position = world.status(number, "suspend")

        assert runner.wait_for(position, timeout=10)
        certificate = DirectoryQuery(store).get_certificate(number)
        assert certificate is not None and certificate["status"] == "suspended"
        assert runner.wait_for(None) is True
        assert runner.wait_for(ledger.log_position + 5, timeout=0.3) is False
    finally:
        runner.stop()
    assert not runner.running


def test_wait_for_without_a_thread_watches_another_runner(ledger, store, world):
    watcher = ProjectionRunner(ledger, store, all_projections())
    worker_runner = ProjectionRunner(ledger, store, all_projections())
    worker = world.worker()
    position = ledger.log_position
    assert watcher.wait_for(position, timeout=0.2) is False
    timer = threading.Timer(0.2, worker_runner.catch_up)
    timer.start()
    assert watcher.wait_for(position, timeout=10) is True
    timer.join()
    assert DirectoryQuery(store).get_worker(worker) is not None


def test_as_of_a_position_is_the_live_state_at_that_position(ledger, store, world, fresh_store):
    runner = ProjectionRunner(ledger, store, all_projections(), batch_size=3)
    number = world.issue(world.worker("甲"), "5")
    runner.catch_up()
    position = ledger.log_position
    observed = dumps(store)
    world.status(number, "revoke")
    world.issue(world.worker("乙"), "5")
    runner.catch_up()

    build = build_as_of(ledger, fresh_store(), all_projections(), position=position)

    assert build.position == position
    assert dumps(build.store) == observed
    assert dumps(build.store) != dumps(store)


def test_as_of_a_date_ends_at_the_last_event_of_that_day(ledger, store, world, fresh_store):
    populate(world)
    decode = EventDecoder(ledger.mapper)
    stamps = [decode(n).timestamp for n in ledger.notifications()]
    runner = ProjectionRunner(ledger, store, all_projections())
    runner.catch_up()

    for moment in stamps:
        # The last event at or before the moment (timestamps within one save are not in order).
        expected = max(i + 1 for i, stamp in enumerate(stamps) if stamp <= moment)
        assert position_at(ledger, moment) == expected
    assert position_at(ledger, stamps[0] - timedelta(microseconds=1)) == 0
    assert position_at(ledger, stamps[-1] + timedelta(days=1)) == len(stamps)

    today = china_date(datetime.now(UTC))  # dates are China dates (UTC+8)
    assert build_as_of(ledger, fresh_store(), all_projections(), on=today - timedelta(days=400))
    yesterday = today - timedelta(days=1)
    if stamps[0] > end_of_day(yesterday):
        empty = build_as_of(ledger, fresh_store(), all_projections(), on=yesterday)
        assert empty.position == 0
        assert all(n == 0 for c in empty.row_counts().values() for n in c.values())
    full = build_as_of(ledger, fresh_store(), all_projections(), on=today)
    assert full.position == ledger.log_position
    assert all(d.identical for d in diff_stores(all_projections(), full.store, store))


def test_as_of_needs_exactly_one_bound(ledger, fresh_store):
    with pytest.raises(ValueError, match="exactly one"):
        build_as_of(ledger, fresh_store(), all_projections())


def test_events_of_topics_without_a_class_are_decoded_from_their_stored_state(ledger, store, world):
    class Ahead(Projection):
        """Written for an event a newer version of the domain records."""

        name = "ahead"
        tables: ClassVar[dict[str, tuple[str, ...]]] = {"ahead_seen": ("position",)}
        schema: ClassVar[tuple[str, ...]] = (
            "CREATE TABLE IF NOT EXISTS ahead_seen (position BIGINT PRIMARY KEY, worker TEXT)",
        )

        @handles("craftledger:Worker.SomethingNew")
        def seen(self, tx: Transaction, event: RecordedEvent) -> None:
            tx.execute(
                "INSERT INTO ahead_seen (position, worker) VALUES (?, ?)",
                (event.position, str(event["worker_id"])),
            )

    worker = world.worker()
    position = insert_raw_event(
        ledger, worker, "craftledger:Worker.SomethingNew", {"worker_id": worker, "note": "新"}
    )
    runner = ProjectionRunner(ledger, store, [*all_projections(), Ahead()])
    runner.catch_up()

    assert runner.failures() == []
    assert store.dump("ahead_seen", ("position",)) == [(position, str(worker))]


class Versioned(Projection):
    """Sees an event whose class has been upcast since it was stored."""

    name = "versioned"
    tables: ClassVar[dict[str, tuple[str, ...]]] = {"versioned_seen": ("position",)}
    schema: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS versioned_seen (position BIGINT PRIMARY KEY, note TEXT)",
    )

    @handles(f"{__name__}:Noted")
    def seen(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO versioned_seen (position, note) VALUES (?, ?)",
            (event.position, event["note"]),
        )


class Noted(Aggregate.Event):
    """An event class at version 2: version 1 had ``text`` where version 2 has ``note``."""

    class_version = 2
    note: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["note"] = state.pop("text") + "（升级）"


def test_events_of_an_upcast_class_go_through_the_mappers_upcasters(ledger, store, world):
    worker = world.worker()
    position = insert_raw_event(ledger, worker, f"{__name__}:Noted", {"text": "旧"})
    runner = ProjectionRunner(ledger, store, [Versioned()])
    runner.catch_up()

    assert runner.failures() == []
    assert store.dump("versioned_seen", ("position",)) == [(position, "旧（升级）")]


def assert_decoded_as_the_mapper_decodes(ledger: Ledger) -> None:
    decode = EventDecoder(ledger.mapper)
    for notification in ledger.notifications():
        expected = dict(ledger.mapper.to_domain_event(notification).__dict__)
        timestamp = expected.pop("timestamp")
        del expected["originator_id"], expected["originator_version"]
        event = decode(notification)
        assert (event.timestamp, dict(event)) == (timestamp, expected), notification.topic
        assert event.aggregate_id == str(notification.originator_id)


def test_decoding_a_stored_state_directly_gives_what_the_mapper_gives(ledger, world):
    populate(world)
    assert_decoded_as_the_mapper_decodes(ledger)


def test_decoding_an_encrypted_log_directly_gives_what_the_mapper_gives(tmp_path, clock):
    settings = Settings(data_dir=tmp_path, cipher_key=AESCipher.create_key(32))
    ledger = Ledger(settings, clock=clock)
    try:
        populate(World(ledger))
        assert ledger.mapper.cipher is not None
        assert_decoded_as_the_mapper_decodes(ledger)
    finally:
        ledger.close()


def index_names(store: ProjectionStore) -> set[str]:
    with store.read() as tx:
        if store.dialect == "sqlite":
            rows = tx.rows("SELECT name FROM sqlite_master WHERE type = 'index'")
        else:
            rows = tx.rows("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
    return {r[0] for r in rows}


def test_a_bulk_build_defers_query_indexes_and_ends_with_the_same_tables(
    ledger, store, world, fresh_store, monkeypatch
):
    populate(world, workers=4)
    normal = ProjectionRunner(ledger, store, all_projections(), batch_size=5)
    normal.catch_up()
    bulk_store = fresh_store()
    bulk = ProjectionRunner(ledger, bulk_store, all_projections(), bulk_threshold=1)
    bulk.ensure_ready()
    expected = {
        name
        for p in all_projections()
        for name in re.findall(r"EXISTS (\w+)", " ".join(p.query_indexes))
    }
    assert expected and expected <= index_names(bulk_store)
    seen_during: list[set[str]] = []
    original = Directory.worker_registered

    def watching(self, tx, event):
        seen_during.append(index_names(bulk_store))
        original(self, tx, event)

    monkeypatch.setattr(Directory, "worker_registered", watching)
    bulk = ProjectionRunner(ledger, bulk_store, all_projections(), bulk_threshold=1)
    bulk.catch_up()

    assert seen_during and not (expected & seen_during[0])  # dropped while building
    assert expected <= index_names(bulk_store)  # and built at the end
    assert dumps(bulk_store) == dumps(store)


def test_a_bulk_build_reads_in_bulk_pages_and_then_in_normal_batches(
    ledger, store, world, fresh_store, monkeypatch
):
    populate(world, workers=4)
    normal = ProjectionRunner(ledger, store, all_projections(), batch_size=5)
    normal.catch_up()
    bulk_store = fresh_store()
    bulk = ProjectionRunner(
        ledger, bulk_store, all_projections(), batch_size=2, bulk_threshold=1, bulk_batch_size=7
    )
    pages: list[int] = []
    original = ledger.notifications

    def counting(*args: Any, **kwargs: Any) -> Any:
        pages.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(ledger, "notifications", counting)
    bulk.catch_up()
    assert pages and set(pages) == {7}  # from zero: bulk pages
    assert dumps(bulk_store) == dumps(store)

    world.worker("后来者")
    pages.clear()
    bulk.catch_up()
    assert pages and set(pages) == {2}  # past zero: the normal batch size


def test_a_bulk_build_interrupted_midway_is_repaired_by_the_next_runner(
    ledger, store, world, fresh_store, monkeypatch
):
    populate(world, workers=4)
    normal = ProjectionRunner(ledger, store, all_projections(), batch_size=5)
    normal.catch_up()
    expected = {
        name
        for p in all_projections()
        for name in re.findall(r"EXISTS (\w+)", " ".join(p.query_indexes))
    }
    crashed_store = fresh_store()
    crashing = ProjectionRunner(
        ledger,
        crashed_store,
        all_projections(),
        batch_size=1,
        bulk_threshold=1,
        bulk_batch_size=2,
    )
    crashing.ensure_ready()
    original = ledger.notifications
    served: list[int] = []

    class Crash(BaseException):
        pass

    def failing(*args: Any, **kwargs: Any) -> Any:
        served.append(args[0])
        if len(served) > 2:
            raise Crash()  # the process dies after two committed pages...
        return original(*args, **kwargs)

    monkeypatch.setattr(ledger, "notifications", failing)
    # ... before the indexes are built again at the end
    monkeypatch.setattr(Projection, "create_query_indexes", lambda self, tx: None)
    with pytest.raises(Crash):
        crashing.catch_up()
    monkeypatch.undo()
    assert 0 < min(crashing.positions().values()) < ledger.log_position
    assert not (expected & index_names(crashed_store))

    restarted = ProjectionRunner(ledger, crashed_store, all_projections(), batch_size=3)
    restarted.ensure_ready()
    assert expected <= index_names(crashed_store)
    restarted.catch_up()
    assert restarted.failures() == []
    assert dumps(crashed_store) == dumps(store)
