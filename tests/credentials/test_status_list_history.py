"""Stored status list history survives numbered lists: events recorded before lists were
numbered load unchanged and mean list 1, list 1 still records them byte for byte, and the
events of later lists (new topics) round-trip through the mapper on both stores."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from eventsourcing.persistence import StoredEvent

from domain.status_list_allocation import (
    LIST_SIZE,
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    StatusListDirectory,
    StatusPosition,
)
from service.ledger import Ledger
from service.signing.status_list import Bitstring
from tests.factories import file_employer

AT = "2025-03-01T08:00:00+00:00"
NOW = {"_type_": "datetime_iso", "_data_": "2025-03-01T08:00:00.000001+00:00"}


def legacy_events(issuer_hex: str) -> list[tuple[str, str, dict]]:
    """``(aggregate, topic, state)`` of one certificate's status history as recorded before
    numbered lists (index 77 in block 0, revoked), in the JSON the mapper stores."""
    issuer = {"_type_": "uuid_hex", "_data_": issuer_hex}
    at = {"_type_": "datetime_iso", "_data_": AT}
    return [
        (
            "StatusIndexBlock",
            "craftledger:StatusIndexBlock.Opened",
            {"issuer_id": issuer, "block": 0, "block_size": 1024},
        ),
        (
            "StatusIndexBlock",
            "craftledger:StatusIndexBlock.IndexesTaken",
            {"entries": [[77, "OLD-1"]], "actor": "t"},
        ),
        (
            "StatusListAllocation",
            "craftledger:StatusListAllocation.Allocated",
            {
                "issuer_id": issuer,
                "subject": "OLD-1",
                "list_size": 131072,
                "indexes": {"revocation": 77, "suspension": 77},
                "at": at,
                "actor": "t",
            },
        ),
        (
            "StatusList",
            "craftledger:StatusList.Opened",
            {"issuer_id": issuer, "purpose": "revocation", "list_size": 131072},
        ),
        (
            "StatusList",
            "craftledger:StatusList.BitSet",
            {"index": 77, "subject": "OLD-1", "at": at, "actor": "t", "reason": "作弊"},
        ),
    ]


def test_events_stored_before_numbered_lists_load_unchanged_and_mean_list_one(ledger: Ledger):
    body = file_employer(ledger)
    ids = {
        "StatusIndexBlock": StatusIndexBlock.create_id(body.id, 0),
        "StatusListAllocation": StatusListAllocation.create_id(body.id, "OLD-1"),
        "StatusList": StatusList.create_id(body.id, "revocation"),
    }
    versions: dict[str, int] = {}
    stored = []
    for name, topic, state in legacy_events(body.id.hex):
        versions[name] = versions.get(name, 0) + 1
        created = versions[name] == 1
        full = {
            "timestamp": NOW,
            **({"originator_topic": f"craftledger:{name}"} if created else {}),
        }
        stored.append(
            StoredEvent(
                originator_id=ids[name],
                originator_version=versions[name],
                topic=topic,
                state=json.dumps({**full, **state}, ensure_ascii=False).encode(),
            )
        )
    ledger.recorder.insert_events(stored)

    status_lists = ledger.credentials.status_lists
    allocation = status_lists.allocation_of(body.id, "OLD-1")
    assert allocation is not None
    assert allocation.position == StatusPosition(1, {"revocation": 77, "suspension": 77})
    assert status_lists.list_count(body.id) == 1 and status_lists.directory(body.id) is None
    message = status_lists.status_list_credential(body.id, "message").document
    assert message["id"].endswith(f"/status-lists/{body.id}/message")
    assert Bitstring.decode(message["credentialSubject"]["encodedList"]).get_value(77, 2) == 2

    class TakenFirst:  # draws the stored, taken index first: it is never handed out again
        def __init__(self) -> None:
            self.draws = [77, 78]

        def randrange(self, stop: int) -> int:
            return self.draws.pop(0) if self.draws else random.randrange(stop)

    batch = status_lists.allocate_status_list_entries(
        body.id, ["NEW-1"], at=ledger.clock(), actor="t", rng=TakenFirst()
    )
    assert batch.positions["NEW-1"] == StatusPosition(1, {"revocation": 78, "suspension": 78})
    ledger.save(*batch.aggregates)
    block = ledger.repository.get(ids["StatusIndexBlock"])
    assert block.taken == {77: "OLD-1", 78: "NEW-1"} and block.list_number == 1


def test_list_one_records_what_it_recorded_before_byte_for_byte(ledger: Ledger):
    """The same commands on list 1 store the very states stored before lists were numbered."""
    body = file_employer(ledger)
    at = datetime.fromisoformat(AT)
    block = StatusIndexBlock.open(body.id, 0, 1024)
    block.take([(77, "OLD-1")], "t")
    allocation = StatusListAllocation.allocate(
        body.id,
        "OLD-1",
        LIST_SIZE,
        StatusPosition(1, {"revocation": 77, "suspension": 77}),
        at,
        "t",
    )
    bits = StatusList.open(body.id, "revocation", LIST_SIZE)
    bits.set_bit(77, "OLD-1", at, "t", "作弊")
    events = [*block.collect_events(), *allocation.collect_events(), *bits.collect_events()]
    expected = legacy_events(body.id.hex)
    assert len(events) == len(expected)
    for event, (_name, topic, state) in zip(events, expected, strict=True):
        stored = ledger.mapper.to_stored_event(event)
        assert stored.topic == topic
        recorded = json.loads(stored.state)
        recorded.pop("timestamp")
        recorded.pop("originator_topic", None)
        assert recorded == state


def test_later_lists_record_new_topics_that_round_trip(ledger: Ledger):
    body = file_employer(ledger)
    at = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    directory = StatusListDirectory(issuer_id=body.id)
    directory.open_list(2, LIST_SIZE, 98_304, at, "t")
    block = StatusIndexBlock.open(body.id, 3, 1024, 2)
    block.take([(3 * 1024 + 5, "NEW-2")], "t")
    position = StatusPosition(2, {"revocation": 3 * 1024 + 5, "suspension": 3 * 1024 + 5})
    allocation = StatusListAllocation.allocate(body.id, "NEW-2", LIST_SIZE, position, at, "t")
    bits = StatusList.open(body.id, "suspension", LIST_SIZE, 2)
    bits.set_bit(3 * 1024 + 5, "NEW-2", at, "t", "抽查")
    aggregates = [directory, block, allocation, bits]
    topics = [
        ledger.mapper.to_stored_event(event).topic
        for aggregate in aggregates
        for event in list(aggregate.pending_events)
    ]
    assert topics == [
        "craftledger:StatusListDirectory.Opened",
        "craftledger:StatusListDirectory.ListOpened",
        "craftledger:StatusIndexBlock.OpenedInList",
        "craftledger:StatusIndexBlock.IndexesTaken",
        "craftledger:StatusListAllocation.AllocatedInList",
        "craftledger:StatusList.OpenedInList",
        "craftledger:StatusList.BitSet",
    ]
    ledger.save(*aggregates)
    assert ledger.repository.get(directory.id).current == 2
    assert ledger.repository.get(block.id).list_number == 2
    assert ledger.repository.get(allocation.id).position == position
    loaded = ledger.repository.get(bits.id)
    assert (loaded.list_number, loaded.purpose, loaded.set_bits) == (
        2,
        "suspension",
        {3 * 1024 + 5: "NEW-2"},
    )
