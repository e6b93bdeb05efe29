"""Snapshots of competitions and evaluation sessions (``service.persistence.snapshots``): a
snapshot restores exactly the state its events give, a save takes at most one, and loading from
one gives what replaying gives, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from domain.competition import Competition
from domain.organisation import Organisation, OrganisationKind
from service.ledger import Ledger
from service.persistence.aggregate_loading import project_events
from service.persistence.snapshots import INTERVALS, LedgerSnapshot
from tests.competition.scenario import announced_competition
from tests.integration.every_event import scenario_aggregates

AT = datetime(2025, 5, 1, tzinfo=UTC)


def typed(value: Any) -> Any:
    """``value`` with the type of every part spelled out, so that a tuple that came back a
    list, or a Decimal that came back an int, compares unequal."""
    if isinstance(value, dict):
        return ("dict", sorted(((typed(k), typed(v)) for k, v in value.items()), key=repr))
    if isinstance(value, list | tuple | set | frozenset):
        parts = [typed(v) for v in value]
        return (type(value).__name__, sorted(parts, key=repr) if isinstance(value, set) else parts)
    if isinstance(value, Enum | Decimal):
        return (type(value).__name__, str(value))
    return (type(value).__name__, value)


def state(aggregate: Aggregate) -> Any:
    return typed({k: v for k, v in vars(aggregate).items() if k != "_pending_events"})


def history(cls: type[Aggregate]) -> list[Any]:
    """The events of the scenario's aggregate of ``cls`` (one of every event its class has)."""
    (aggregate,) = [a for a in scenario_aggregates() if type(a) is cls]
    return list(aggregate.collect_events())


@pytest.mark.parametrize("cls", sorted(INTERVALS, key=lambda c: c.__name__))
def test_a_snapshot_at_any_version_restores_exactly_the_state_its_events_give(cls, tmp_path):
    from service.config import Settings

    ledger = Ledger(Settings(data_dir=tmp_path))
    events = history(cls)
    assert len(events) > 10
    try:
        for version in range(1, len(events) + 1):
            replayed = project_events(None, events[:version])
            stored = ledger.mapper.to_stored_event(LedgerSnapshot.take(replayed))
            assert stored.topic == "craftledger:Snapshot"
            restored = ledger.mapper.to_domain_event(stored).mutate(None)
            assert type(restored) is cls
            assert state(restored) == state(replayed), f"{cls.__name__} v{version}"
    finally:
        ledger.close()


def competition_of(entrants: int) -> Competition:
    def body(code: str, kind: OrganisationKind, scope: dict[str, list[str]]) -> Organisation:
        return Organisation.file(
            filing_code=code,
            name=code,
            kind=kind,
            province_code="11",
            evaluator_prefix="S000011000001" if scope else None,
            scope=scope,
            filed_at=AT,
            actor="t",
        )

    competition = announced_competition(
        body("U-1", OrganisationKind.UNION, {}),
        body("S-1", OrganisationKind.SOCIAL, {"6-31-01-03": ["3"]}),
        reference="C-snap",
    )
    for n in range(entrants):
        register(competition, n)
    return competition


def register(competition: Competition, n: int) -> None:
    from uuid import uuid5

    competition.register_entrant(
        worker_id=uuid5(competition.id, str(n)),
        name=f"选手{n}",
        entrant_kind="employee",
        employer_id=None,
        employer_name="北京链家",
        at=AT,
        actor="t",
    )


def stored_snapshots(ledger: Ledger, aggregate_id: Any) -> list[int]:
    assert ledger.snapshots is not None
    return [s.originator_version for s in ledger.snapshots.recorder.select_events(aggregate_id)]


def test_a_save_takes_at_most_one_snapshot_of_what_it_saved_when_it_crosses_the_interval(
    ledger,
):
    interval = INTERVALS[Competition]
    competition = competition_of(2 * interval + 50)  # one save crossing two multiples
    ledger.save(competition)
    assert stored_snapshots(ledger, competition.id) == [competition.version]

    register(competition, 10_000)  # a save that crosses none
    ledger.save(competition)
    assert stored_snapshots(ledger, competition.id) == [competition.version - 1]

    before = competition.version
    for n in range(interval):  # crosses the next multiple
        register(competition, 20_000 + n)
    ledger.save(competition)
    assert stored_snapshots(ledger, competition.id) == [before - 1, competition.version]


def test_loading_from_a_snapshot_gives_what_replaying_the_events_gives_at_every_version(ledger):
    interval = INTERVALS[Competition]
    competition = competition_of(interval + 20)
    ledger.save(competition)
    for n in range(5):
        register(competition, 30_000 + n)
        ledger.save(competition)
    (taken,) = stored_snapshots(ledger, competition.id)
    events = list(ledger.events.get(competition.id))
    assert len(events) == competition.version

    loaded = ledger.competition(competition.id)
    assert state(loaded) == state(project_events(None, events)) == state(competition)
    for version in (taken - 1, taken, taken + 1, competition.version):
        as_of = ledger.repository.get(competition.id, version=version)
        assert as_of.version == version
        assert state(as_of) == state(project_events(None, events[:version]))


def test_commands_on_a_snapshotted_competition_go_on_from_the_snapshot(ledger):
    """A later save after loading from a snapshot records the right next version."""
    competition = competition_of(INTERVALS[Competition])
    ledger.save(competition)
    loaded = ledger.competition(competition.id)
    register(loaded, 40_000)
    ledger.save(loaded)
    again = ledger.competition(competition.id)
    assert again.version == competition.version + 1
    assert len(again.entrants) == len(loaded.entrants) == INTERVALS[Competition] + 1


def test_a_snapshot_that_cannot_be_stored_leaves_the_save_recorded(ledger, backend, caplog):
    """The store refuses snapshot inserts (a trigger raises): the save still succeeds (it is
    recorded before the snapshot is taken), the failure is logged, and loading replays."""
    assert ledger.snapshots is not None
    recorder = ledger.snapshots.recorder
    with recorder.datastore.transaction(commit=True) as cursor:
        if backend == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {recorder.events_table_name} "
                "BEGIN SELECT RAISE(ABORT, 'snapshots refused'); END"
            )
        else:
            table = f'"{recorder.datastore.schema}".{recorder.events_table_name}'
            cursor.execute(
                f'CREATE FUNCTION "{recorder.datastore.schema}".refuse() RETURNS trigger '
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'snapshots refused'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW "
                f'EXECUTE FUNCTION "{recorder.datastore.schema}".refuse()'
            )
    competition = competition_of(INTERVALS[Competition])
    with caplog.at_level("WARNING", logger="service.ledger"):
        ledger.save(competition)
    assert "snapshot of 1 aggregate(s) not stored" in caplog.text
    assert "snapshots refused" in caplog.text
    assert stored_snapshots(ledger, competition.id) == []
    assert state(ledger.competition(competition.id)) == state(competition)


def test_loading_reads_only_the_events_after_the_snapshot(ledger, backend):
    """An event below the snapshot spoiled in the store: a full replay now fails, loading the
    competition does not (it starts from the snapshot), so the snapshot is what is read."""
    competition = competition_of(INTERVALS[Competition] + 3)
    ledger.save(competition)
    assert stored_snapshots(ledger, competition.id) == [competition.version]
    recorder = ledger.recorder
    with recorder.datastore.transaction(commit=True) as cursor:
        if backend == "sqlite":
            cursor.execute(
                f"UPDATE {recorder.events_table_name} SET state = ? "
                "WHERE originator_id = ? AND originator_version = 2",
                (b"not json", competition.id.hex),
            )
        else:
            cursor.execute(
                f'UPDATE "{recorder.datastore.schema}".{recorder.events_table_name} '
                "SET state = %s WHERE originator_id = %s AND originator_version = 2",
                (b"not json", competition.id),
            )
    with pytest.raises(ValueError):
        project_events(None, ledger.events.get(competition.id))
    assert state(ledger.competition(competition.id)) == state(competition)
