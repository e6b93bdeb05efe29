"""Status list entries: random, never-reused indexes in an issuer's status lists, and their bits.

Every credential an issuer signs carries two W3C Bitstring Status List entries, one in the
issuer's revocation list and one in its suspension list. Indexes are drawn at random (so a
position says nothing about when a credential was issued or how many were) and are never given
out twice. Three small aggregates keep this, all saved in the same atomic ``save`` as the
credential they are for:

* ``StatusIndexBlock``: one per issuer and block of ``BLOCK_SIZE`` indexes, recording which
  indexes of the block are taken and by whom. Sharding the list keeps each aggregate short
  (about n / 128 events for n credentials), so allocating stays fast as an issuer grows.
* ``StatusListAllocation``: one per issuer and credential subject (a certificate number, an
  award id), naming its index in each list.
* ``StatusList``: one per issuer and purpose, recording which bits are set (revoked,
  suspended). Only status changes are events here, so serving a list replays few events.

The same random index is used in the revocation and the suspension list (each list is still
random and never reuses an index); ``StatusListAllocation`` records one index per purpose, so
later allocations may differ without changing stored history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.free_text import require_reason
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate

LIST_SIZE = 131_072
"""Entries per status list: the W3C minimum (16 KiB), which gives herd privacy."""
BLOCK_SIZE = 1_024
"""Indexes per ``StatusIndexBlock``; ``LIST_SIZE / BLOCK_SIZE`` blocks per issuer."""
PURPOSES = ("revocation", "suspension")
MAX_DRAWS = 4_096
"""Random draws before an allocation gives up (the list is then nearly full)."""


class RandomSource(Protocol):
    def randrange(self, stop: int, /) -> int: ...


def check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise DomainRuleViolation(
            "unknown-status-purpose", f"status purpose must be one of {', '.join(PURPOSES)}"
        )


class StatusIndexBlock(LedgerAggregate):
    """Which indexes of one block of an issuer's status lists are taken, and by whom."""

    TOPIC = "craftledger:StatusIndexBlock"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:StatusIndexBlock.Created"

    @staticmethod
    def create_id(issuer_id: UUID, block: int, **_: Any) -> UUID:
        return natural_id("status-index-block", str(issuer_id), str(block))

    @event("Opened", topic="craftledger:StatusIndexBlock.Opened")
    def __init__(self, issuer_id: UUID, block: int, block_size: int) -> None:
        self.issuer_id = issuer_id
        self.block = block
        self.block_size = block_size
        self.taken: dict[int, str] = {}

    @property
    def first_index(self) -> int:
        return self.block * self.block_size

    def is_taken(self, index: int) -> bool:
        return index in self.taken

    @property
    def is_full(self) -> bool:
        return len(self.taken) >= self.block_size

    def take(self, entries: Sequence[tuple[int, str]], actor: str) -> None:
        """Record ``(index, subject)`` pairs as taken; an index is never taken twice."""
        seen: set[int] = set()
        for index, _subject in entries:
            if not self.first_index <= index < self.first_index + self.block_size:
                raise DomainRuleViolation(
                    "status-index-outside-block", f"index {index} is not in block {self.block}"
                )
            if index in self.taken or index in seen:
                raise DomainRuleViolation(
                    "status-index-reused", f"status list index {index} is already taken"
                )
            seen.add(index)
        if entries:
            self._indexes_taken([[index, subject] for index, subject in entries], actor)

    @event("IndexesTaken", topic="craftledger:StatusIndexBlock.IndexesTaken")
    def _indexes_taken(self, entries: list[list[Any]], actor: str) -> None:
        for index, subject in entries:
            self.taken[int(index)] = str(subject)


class StatusListAllocation(LedgerAggregate):
    """The status list indexes allocated to one credential subject of one issuer."""

    TOPIC = "craftledger:StatusListAllocation"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:StatusListAllocation.Created"

    @staticmethod
    def create_id(issuer_id: UUID, subject: str, **_: Any) -> UUID:
        return natural_id("status-list-allocation", str(issuer_id), subject)

    @event("Allocated", topic="craftledger:StatusListAllocation.Allocated")
    def __init__(
        self,
        issuer_id: UUID,
        subject: str,
        list_size: int,
        indexes: dict[str, int],
        at: datetime,
        actor: str,
    ) -> None:
        self.issuer_id = issuer_id
        self.subject = subject
        self.list_size = list_size
        self.indexes = dict(indexes)
        self.allocated_at = at

    def index(self, purpose: str) -> int:
        check_purpose(purpose)
        return self.indexes[purpose]


class StatusList(LedgerAggregate):
    """The set bits of one issuer's list for one purpose (revocation or suspension)."""

    TOPIC = "craftledger:StatusList"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:StatusList.Created"

    @staticmethod
    def create_id(issuer_id: UUID, purpose: str, **_: Any) -> UUID:
        return natural_id("status-list", str(issuer_id), purpose)

    @event("Opened", topic="craftledger:StatusList.Opened")
    def __init__(self, issuer_id: UUID, purpose: str, list_size: int) -> None:
        check_purpose(purpose)
        self.issuer_id = issuer_id
        self.purpose = purpose
        self.list_size = list_size
        self.set_bits: dict[int, str] = {}

    def set_bit(self, index: int, subject: str, at: datetime, actor: str, reason: str) -> None:
        """Set the subject's bit (revoked, or suspended); setting a set bit changes nothing.
        The reason is recorded as every reason is (``require_reason``: stripped, masked)."""
        self._check_index(index)
        if index not in self.set_bits:
            self._bit_set(index, subject, at, actor, require_reason(reason, "a status change"))

    @event("BitSet", topic="craftledger:StatusList.BitSet")
    def _bit_set(self, index: int, subject: str, at: datetime, actor: str, reason: str) -> None:
        self.set_bits[index] = subject

    def clear_bit(self, index: int, subject: str, at: datetime, actor: str, reason: str) -> None:
        """Clear the subject's bit (reinstated); clearing a clear bit changes nothing."""
        self._check_index(index)
        if self.purpose == "revocation":
            raise DomainRuleViolation("revoked-is-final", "a revocation bit is never cleared")
        if index in self.set_bits:
            self._bit_cleared(index, subject, at, actor, require_reason(reason, "a status change"))

    @event("BitCleared", topic="craftledger:StatusList.BitCleared")
    def _bit_cleared(self, index: int, subject: str, at: datetime, actor: str, reason: str) -> None:
        self.set_bits.pop(index, None)

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.list_size:
            raise DomainRuleViolation(
                "status-index-out-of-range", f"index {index} is outside the list"
            )


def draw_free_indexes(
    count: int,
    block_for: Callable[[int], StatusIndexBlock],
    rng: RandomSource,
    *,
    list_size: int = LIST_SIZE,
    block_size: int = BLOCK_SIZE,
    max_draws: int = MAX_DRAWS,
) -> list[int]:
    """Draw ``count`` distinct random indexes that no block has taken (nothing is recorded).

    ``block_for(n)`` returns block ``n`` (loaded, or new). Raises ``status-list-full`` when
    ``max_draws`` draws in a row hit taken indexes.
    """
    chosen: list[int] = []
    drawn: set[int] = set()  # chosen, for an O(1) membership test
    for _ in range(count):
        for _ in range(max_draws):
            index = rng.randrange(list_size)
            if index not in drawn and not block_for(index // block_size).is_taken(index):
                break
        else:
            raise DomainRuleViolation(
                "status-list-full",
                f"no free status list index found in {max_draws} random draws; the issuer's "
                f"{list_size}-entry lists are nearly full",
            )
        chosen.append(index)
        drawn.add(index)
    return chosen


def record_taken(
    assignments: Mapping[str, int],
    block_for: Callable[[int], StatusIndexBlock],
    actor: str,
    *,
    block_size: int = BLOCK_SIZE,
) -> None:
    """Record ``subject → index`` on the blocks: one ``IndexesTaken`` event per block."""
    per_block: dict[int, list[tuple[int, str]]] = {}
    for subject, index in assignments.items():
        per_block.setdefault(index // block_size, []).append((index, subject))
    for number, entries in per_block.items():
        block_for(number).take(entries, actor)


def allocate_indexes(
    subjects: Sequence[str],
    block_for: Callable[[int], StatusIndexBlock],
    rng: RandomSource,
    actor: str,
    *,
    list_size: int = LIST_SIZE,
    block_size: int = BLOCK_SIZE,
    max_draws: int = MAX_DRAWS,
) -> dict[str, int]:
    """Draw a random, never-used index for each subject and record it on its block
    (``draw_free_indexes`` then ``record_taken``)."""
    if len(set(subjects)) != len(subjects):
        raise DomainRuleViolation("duplicate-status-subject", "each subject needs its own index")
    indexes = draw_free_indexes(
        len(subjects),
        block_for,
        rng,
        list_size=list_size,
        block_size=block_size,
        max_draws=max_draws,
    )
    chosen = dict(zip(subjects, indexes, strict=True))
    record_taken(chosen, block_for, actor, block_size=block_size)
    return chosen
