"""The transparency log projection: one leaf per stored event, in log order, over the documented
canonical form, kept exactly once with its position, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from uuid import UUID, uuid4

import psycopg
import pytest
import rfc8785
from eventsourcing.persistence import StoredEvent
from pymerkle import InmemoryTree

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from projections.transparency.merkle import leaf_hash, root_hash
from projections.transparency_log import (
    TransparencyLog,
    TransparencyLogQuery,
    leaf_data,
    leaf_data_of,
)
from service.ledger import Ledger
from tests.audit.principals import grant_tokens
from tests.factories import file_employer, hire
from tests.support.stores import POSTGRES_URL

ODD_TOPICS = [
    "craftledger:Certificate.Issued",
    "craftledger:Competition.EntrantRegistered",
    'quote " backslash \\ slash /',
    "controls \x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f",
    "中文主题 职业技能等级证书",
    "emoji 🎖️ and U+2028 \u2028 U+2029 \u2029",
]


@pytest.mark.parametrize("topic", ODD_TOPICS)
def test_leaf_data_is_the_rfc8785_canonical_json_of_the_stored_columns(topic: str) -> None:
    originator = uuid4()
    state = bytes(range(256)) * 3
    document = {
        "position": 12_345_678_901,
        "originator_id": str(originator),
        "originator_version": 7,
        "topic": topic,
        "state": base64.b64encode(state).decode(),
    }
    data = leaf_data(12_345_678_901, originator, 7, topic, state)
    assert data == rfc8785.dumps(document)
    assert json.loads(data) == document
    assert list(json.loads(data)) == sorted(document)  # keys in canonical order


def test_every_stored_event_is_one_leaf_in_log_order(ledger: Ledger, store: ProjectionStore):
    body = file_employer(ledger)
    for serial in range(4):
        hire(ledger, body, serial)
    runner = ProjectionRunner(ledger, store, [TransparencyLog()], batch_size=3)

    assert runner.catch_up() == ledger.log_position
    notifications = list(ledger.notifications())
    query = TransparencyLogQuery(store)
    expected = [leaf_hash(leaf_data_of(n)) for n in notifications]
    assert query.size() == len(notifications)
    assert query.leaf_hashes(0, len(expected)) == expected
    assert query.root() == (len(expected), root_hash(expected))
    assert [r.position for r in query.leaves(0, 1000)] == [n.id for n in notifications]
    first = notifications[0]
    found = query.leaf_of_event(first.originator_id, first.originator_version)
    assert found is not None and (found.leaf_index, found.position) == (0, first.id)


def test_the_root_matches_pymerkle_over_the_same_leaf_data(ledger: Ledger, store: ProjectionStore):
    grant_tokens(ledger, 13)
    ProjectionRunner(ledger, store, [TransparencyLog()], batch_size=5).catch_up()
    independent = InmemoryTree(algorithm="sha256")
    for notification in ledger.notifications():
        independent.append_entry(leaf_data_of(notification))
    query = TransparencyLogQuery(store)
    for size in range(14):
        assert query.root(size) == (size, independent.get_root(size))


def test_a_rebuild_and_any_batch_size_give_the_same_tree(
    ledger: Ledger, store: ProjectionStore, backend: str, tmp_path
):
    grant_tokens(ledger, 11)
    live = ProjectionRunner(ledger, store, [TransparencyLog()], batch_size=4)
    live.catch_up()
    before = TransparencyLog().dump(store)
    live.rebuild("transparency_log", batch_size=1)
    assert TransparencyLog().dump(store) == before
    grant_tokens(ledger, 2)
    live.catch_up()
    assert TransparencyLogQuery(store).size() == 13
    assert TransparencyLogQuery(store).root(11)[1] == root_hash(
        [bytes(row[2]) for row in before["transparency_node"] if row[0] == 0]
    )


def test_it_runs_with_the_other_projections_and_applies_each_event_once(
    ledger: Ledger, store: ProjectionStore
):
    assert "transparency_log" in {p.name for p in all_projections()}
    grant_tokens(ledger, 5)
    first = ProjectionRunner(ledger, store, all_projections(), batch_size=2)
    second = ProjectionRunner(ledger, store, all_projections(), batch_size=3)
    first.catch_up(limit=3)
    second.catch_up()
    first.catch_up()
    assert TransparencyLogQuery(store).size() == ledger.log_position == 5
    assert first.position("transparency_log") == 5


def test_events_of_unknown_topics_get_leaves_too(ledger: Ledger, store: ProjectionStore):
    grant_tokens(ledger, 2)
    future = StoredEvent(
        originator_id=uuid4(),
        originator_version=1,
        topic="craftledger:SomethingNew.Happened",
        state=b'{"not": "decodable by this version"}',
    )
    ledger.recorder.insert_events([future])
    ProjectionRunner(ledger, store, all_projections()).catch_up()
    query = TransparencyLogQuery(store)
    assert query.size() == 3
    (last,) = query.leaf_hashes(2, 3)
    assert last == leaf_hash(
        leaf_data(3, future.originator_id, 1, future.topic, future.state)  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("backend", ["postgres"])
def test_gaps_in_log_positions_are_kept_in_the_leaf_map(ledger: Ledger, store: ProjectionStore):
    """PostgreSQL skips the ids of rolled-back inserts: leaf indexes stay dense, positions not."""
    grant_tokens(ledger, 2)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'SET search_path TO "{ledger.settings.postgres_schema}"')
        for _ in range(5):  # ids taken by inserts that never committed
            connection.execute("SELECT nextval('craftledger_events_notification_id_seq')")
    grant_tokens(ledger, 2)
    ProjectionRunner(ledger, store, [TransparencyLog()], batch_size=2).catch_up()
    records = TransparencyLogQuery(store).leaves(0, 10)
    assert [r.leaf_index for r in records] == [0, 1, 2, 3]
    assert [r.position for r in records] == [1, 2, 8, 9]
    assert all(isinstance(UUID(r.originator_id), UUID) for r in records)
