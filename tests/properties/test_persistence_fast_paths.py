"""Properties: the ledger's persistence fast paths (``service.persistence.aggregate_loading``)
give what the ``eventsourcing`` library gives on generated aggregates.

* ``project_events`` replays to the state ``project_aggregate`` replays to;
* ``collect`` builds the processing event ``ProcessingEvent.collect_events`` builds;
* ``load_many`` loads, for every id, what ``repository.get`` loads (and leaves out ids with no
  events);
* each snapshot a save takes (of the state in memory) is the state the library's replay of the
  stored events gives at its version.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.application import ProcessingEvent, project_aggregate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.competition import Competition
from domain.worker import EmploymentRelation, Worker
from service.config import Settings
from service.ledger import Ledger
from service.persistence.aggregate_loading import collect, load_many, project_events
from service.persistence.snapshots import INTERVALS

EMPLOYERS = [uuid.UUID(int=n) for n in range(1, 4)]

step = st.one_of(
    st.tuples(st.just("name"), st.text(alphabet="张王李赵明华", min_size=1, max_size=4)),
    st.tuples(st.just("employ"), st.sampled_from(EMPLOYERS)),
    st.tuples(st.just("confirm"), st.sampled_from(EMPLOYERS)),
)


def worker_with(serial: int, steps: list[tuple[str, Any]]) -> Worker:
    """A registered worker after ``steps`` (steps the domain refuses are skipped)."""
    worker = Worker.register(
        identity_hash=f"{serial:064x}",
        id_kind="resident",
        masked_id_number="1101**********123X",
        name="工人",
        actor="test",
    )
    for kind, value in steps:
        try:
            if kind == "name":
                worker.correct_name(value, actor="test", reason="更正")
            elif kind == "employ":
                worker.start_employment(value, EmploymentRelation.STAFF, date(2020, 1, 1), "t")
            else:
                worker.confirm_employment(value, actor="test")
        except Exception:
            continue
    return worker


workers = st.lists(st.lists(step, max_size=6), min_size=1, max_size=6).map(
    lambda plans: [worker_with(serial, plan) for serial, plan in enumerate(plans)]
)


def state(aggregate: Any) -> dict[str, Any]:
    return {key: value for key, value in vars(aggregate).items() if key != "_pending_events"}


@given(workers)
def test_project_events_replays_to_the_librarys_state(built):
    for worker in built:
        events = worker.collect_events()
        ours = project_events(None, events)
        library = project_aggregate(None, events)
        assert ours is not None and library is not None
        assert state(ours) == state(library) == state(worker)


@given(workers, st.lists(st.sampled_from(["aggregate", "none", "event"]), max_size=8))
def test_collect_gathers_what_the_library_gathers(built, order):
    objects: list[Any] = []
    events_of: dict[int, list[Any]] = {id(w): list(w._pending_events) for w in built}
    loose = Worker.register(
        identity_hash="f" * 64, id_kind="resident", masked_id_number="x", name="散", actor="t"
    ).collect_events()[0]
    pool = iter(built)
    for kind in order:
        if kind == "none":
            objects.append(None)
        elif kind == "event":
            objects.append(loose)
        else:
            objects.append(next(pool, None))
    objects.extend(pool)
    ours = collect(*objects, note="x")
    for worker in built:  # the library collects again from the same pending events
        worker._pending_events[:] = events_of[id(worker)]
    library: ProcessingEvent[uuid.UUID] = ProcessingEvent()
    library.collect_events(*objects, note="x")
    assert sorted(map(id, ours.events)) == sorted(map(id, library.events))
    assert ours.aggregates == library.aggregates
    assert ours.saved_kwargs == library.saved_kwargs


@pytest.fixture(scope="module")
def ledger() -> Iterator[Ledger]:
    with tempfile.TemporaryDirectory() as directory:
        opened = Ledger(Settings(data_dir=Path(directory)))
        try:
            yield opened
        finally:
            opened.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=st.lists(st.lists(step, max_size=6), min_size=1, max_size=8), absent=st.integers(0, 3))
def test_load_many_loads_what_the_repository_gets(ledger, plans, absent):
    base = uuid.uuid4().int % 10**12 * 100
    built = [worker_with(base + serial, plan) for serial, plan in enumerate(plans)]
    ledger.save(*built)
    missing = [uuid.uuid4() for _ in range(absent)]
    ids = [w.id for w in built] + missing
    loaded = load_many(ledger.recorder, ledger.mapper, ids)
    assert set(loaded) == {w.id for w in built}
    for worker in built:
        assert state(loaded[worker.id]) == state(ledger.repository.get(worker.id))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(st.integers(1, 260), min_size=1, max_size=4))
def test_each_snapshot_a_save_takes_is_the_librarys_replayed_state(batches):
    """``snapshots_due`` snapshots the state just saved, once per save that crosses a multiple
    of the interval; the library would replay the stored events to that version. Both give the
    same state."""
    from tests.integration.test_snapshots import competition_of, register
    from tests.integration.test_snapshots import state as typed_state

    interval = INTERVALS[Competition]
    with tempfile.TemporaryDirectory() as directory:
        ledger = Ledger(Settings(data_dir=Path(directory)))
        try:
            competition = competition_of(0)
            ledger.save(competition)
            expected = []
            registered = 0
            for size in batches:
                before = competition.version
                for _ in range(size):
                    register(competition, registered)
                    registered += 1
                ledger.save(competition)
                if competition.version // interval > before // interval:
                    expected.append(competition.version)
            assert ledger.snapshots is not None
            snapshots = list(ledger.snapshots.get(competition.id))
            assert [snapshot.originator_version for snapshot in snapshots] == expected
            for snapshot in snapshots:
                events = ledger.events.get(competition.id, lte=snapshot.originator_version)
                replayed = project_aggregate(None, events)
                assert typed_state(snapshot.mutate(None)) == typed_state(replayed)
        finally:
            ledger.close()
