"""Status list entries: random, never-reused indexes in an issuer's status lists, and their bits.

Every credential an issuer signs carries two W3C Bitstring Status List entries, one in the
issuer's revocation list and one in its suspension list. Indexes are drawn at random (so a
position says nothing about when a credential was issued or how many were) and are never given
out twice. Three small aggregates keep this, all saved in the same atomic ``save`` as the
credential they are for:

* ``StatusIndexBlock``: one per issuer, list and block of ``BLOCK_SIZE`` indexes, recording which
  indexes of the block are taken and by whom. Sharding the list keeps each aggregate short
  (about n / 128 events for n credentials), so allocating stays fast as an issuer grows.
* ``StatusListAllocation``: one per issuer and credential subject (a certificate number, an
  award id), naming its index in each list.
* ``StatusList``: one per issuer, purpose and list, recording which bits are set (revoked,
  suspended). Only status changes are events here, so serving a list replays few events.

The same random index is used in the revocation and the suspension list (each list is still
random and never reuses an index); ``StatusListAllocation`` records one index per purpose, so
later allocations may differ without changing stored history.

**Numbered lists (no ceiling per issuer).** An issuer's lists are numbered from 1; list ``n``
of each purpose has its own blocks, bits and URL, and a credential's entries all lie in one
list (its allocation names it). List 1 is what every issuer had before: its aggregates keep
their ids and events byte for byte (an event without a list number means list 1). Lists from 2
on are opened by ``StatusListDirectory`` (one per issuer, written only when a list opens) and
their aggregates are created by ``…InList`` events, which name the list. Allocation draws in
the highest open list; it opens the next when the current one is ``FULL_NUMERATOR /
FULL_DENOMINATOR`` (3/4) full (``full_at``): at fill ``f`` a random draw needs ``1 / (1 - f)``
tries, 4 at 3/4, and beyond that the tries grow fast (16 at 15/16). The fill is counted
exactly (every block of the list) only when one draw meets ``MISSES_BEFORE_COUNT`` taken
indexes in a row, which at fill ``f`` happens with probability ``f ** 16``: under 1/2 full,
less than once in 65,000 allocations; at 3/4, once in about 100, so a list closes a little
above 3/4 (98,304 of 131,072 entries) after some 60 counts in its life.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
"""Indexes per ``StatusIndexBlock``; ``LIST_SIZE / BLOCK_SIZE`` blocks per list."""
PURPOSES = ("revocation", "suspension")
MAX_DRAWS = 4_096
"""Random draws in a row before an allocation gives up (the list is then nearly full)."""
FULL_NUMERATOR, FULL_DENOMINATOR = 3, 4
"""A list is full, and the next one opens, at 3/4 of its entries (``full_at``)."""
MISSES_BEFORE_COUNT = 16
"""Taken indexes met in a row by one draw before the list's fill is counted exactly."""
FIRST_LIST = 1


def full_at(list_size: int) -> int:
    """How many entries of a ``list_size``-entry list are taken when it counts as full."""
    return list_size * FULL_NUMERATOR // FULL_DENOMINATOR


@dataclass(frozen=True)
class ListIndex:
    """One index in one of an issuer's numbered lists (from 1)."""

    list_number: int
    index: int


@dataclass(frozen=True)
class StatusPosition:
    """Where a credential's status lies: its list's number and its index per purpose."""

    list_number: int
    indexes: Mapping[str, int]

    def __getitem__(self, purpose: str) -> int:
        return self.indexes[purpose]


class RandomSource(Protocol):
    def randrange(self, stop: int, /) -> int: ...


def check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise DomainRuleViolation(
            "unknown-status-purpose", f"status purpose must be one of {', '.join(PURPOSES)}"
        )


def check_list_number(list_number: int) -> None:
    if isinstance(list_number, bool) or not isinstance(list_number, int) or list_number < 1:
        raise DomainRuleViolation(
            "unknown-status-list", f"status lists are numbered from 1, not {list_number!r}"
        )


class StatusIndexBlock(LedgerAggregate):
    """Which indexes of one block of an issuer's status lists are taken, and by whom."""

    TOPIC = "craftledger:StatusIndexBlock"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:StatusIndexBlock.Created"

    class OpenedInList(Aggregate.Created):
        """A block of list 2 or later (``Opened`` is a block of list 1)."""

        TOPIC = "craftledger:StatusIndexBlock.OpenedInList"
        issuer_id: UUID
        block: int
        block_size: int
        list_number: int

        def apply(self, aggregate: Any) -> None:
            aggregate.list_number = self.list_number

    @staticmethod
    def create_id(issuer_id: UUID, block: int, list_number: int = FIRST_LIST, **_: Any) -> UUID:
        if list_number == FIRST_LIST:
            return natural_id("status-index-block", str(issuer_id), str(block))
        issuer = str(issuer_id)
        return natural_id("status-index-block", issuer, "list", str(list_number), str(block))

    @event("Opened", topic="craftledger:StatusIndexBlock.Opened")
    def __init__(self, issuer_id: UUID, block: int, block_size: int) -> None:
        self.issuer_id = issuer_id
        self.block = block
        self.block_size = block_size
        self.list_number = FIRST_LIST
        self.taken: dict[int, str] = {}

    @classmethod
    def open(
        cls, issuer_id: UUID, block: int, block_size: int, list_number: int = FIRST_LIST
    ) -> StatusIndexBlock:
        """Block ``block`` of the issuer's list ``list_number`` (indexes within that list)."""
        if list_number == FIRST_LIST:
            return cls(issuer_id=issuer_id, block=block, block_size=block_size)
        check_list_number(list_number)
        created = cls._create(
            cls.OpenedInList,
            id=cls.create_id(issuer_id, block, list_number),
            issuer_id=issuer_id,
            block=block,
            block_size=block_size,
            list_number=list_number,
        )
        assert isinstance(created, cls)
        return created

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

    class AllocatedInList(Aggregate.Created):
        """Entries in list 2 or later (``Allocated`` is list 1)."""

        TOPIC = "craftledger:StatusListAllocation.AllocatedInList"
        issuer_id: UUID
        subject: str
        list_size: int
        indexes: dict[str, int]
        at: datetime
        actor: str
        list_number: int

        def apply(self, aggregate: Any) -> None:
            aggregate.list_number = self.list_number

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
        self.list_number = FIRST_LIST

    @classmethod
    def allocate(
        cls,
        issuer_id: UUID,
        subject: str,
        list_size: int,
        position: StatusPosition,
        at: datetime,
        actor: str,
    ) -> StatusListAllocation:
        """``subject``'s entries at ``position`` (list 1: the ``Allocated`` event as ever)."""
        indexes = dict(position.indexes)
        if position.list_number == FIRST_LIST:
            return cls(
                issuer_id=issuer_id,
                subject=subject,
                list_size=list_size,
                indexes=indexes,
                at=at,
                actor=actor,
            )
        check_list_number(position.list_number)
        created = cls._create(
            cls.AllocatedInList,
            id=cls.create_id(issuer_id, subject),
            issuer_id=issuer_id,
            subject=subject,
            list_size=list_size,
            indexes=indexes,
            at=at,
            actor=actor,
            list_number=position.list_number,
        )
        assert isinstance(created, cls)
        return created

    @property
    def position(self) -> StatusPosition:
        return StatusPosition(self.list_number, dict(self.indexes))

    def index(self, purpose: str) -> int:
        check_purpose(purpose)
        return self.indexes[purpose]


class StatusList(LedgerAggregate):
    """The set bits of one issuer's list for one purpose (revocation or suspension)."""

    TOPIC = "craftledger:StatusList"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:StatusList.Created"

    class OpenedInList(Aggregate.Created):
        """List 2 or later of a purpose (``Opened`` is list 1)."""

        TOPIC = "craftledger:StatusList.OpenedInList"
        issuer_id: UUID
        purpose: str
        list_size: int
        list_number: int

        def apply(self, aggregate: Any) -> None:
            aggregate.list_number = self.list_number

    @staticmethod
    def create_id(issuer_id: UUID, purpose: str, list_number: int = FIRST_LIST, **_: Any) -> UUID:
        if list_number == FIRST_LIST:
            return natural_id("status-list", str(issuer_id), purpose)
        return natural_id("status-list", str(issuer_id), purpose, str(list_number))

    @event("Opened", topic="craftledger:StatusList.Opened")
    def __init__(self, issuer_id: UUID, purpose: str, list_size: int) -> None:
        check_purpose(purpose)
        self.issuer_id = issuer_id
        self.purpose = purpose
        self.list_size = list_size
        self.list_number = FIRST_LIST
        self.set_bits: dict[int, str] = {}

    @classmethod
    def open(
        cls, issuer_id: UUID, purpose: str, list_size: int, list_number: int = FIRST_LIST
    ) -> StatusList:
        """The issuer's list ``list_number`` for ``purpose``, new."""
        if list_number == FIRST_LIST:
            return cls(issuer_id=issuer_id, purpose=purpose, list_size=list_size)
        check_purpose(purpose)
        check_list_number(list_number)
        created = cls._create(
            cls.OpenedInList,
            id=cls.create_id(issuer_id, purpose, list_number),
            issuer_id=issuer_id,
            purpose=purpose,
            list_size=list_size,
            list_number=list_number,
        )
        assert isinstance(created, cls)
        return created

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


class StatusListDirectory(LedgerAggregate):
    """Which of an issuer's numbered lists are open: recorded only when list 2 or later opens
    (no directory: list 1 alone). Allocation draws in the highest."""

    TOPIC = "craftledger:StatusListDirectory"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:StatusListDirectory.Created"

    @staticmethod
    def create_id(issuer_id: UUID, **_: Any) -> UUID:
        return natural_id("status-list-directory", str(issuer_id))

    @event("Opened", topic="craftledger:StatusListDirectory.Opened")
    def __init__(self, issuer_id: UUID) -> None:
        self.issuer_id = issuer_id
        self.current = FIRST_LIST
        self.opened: dict[int, dict[str, Any]] = {}

    def open_list(
        self, list_number: int, list_size: int, taken_before: int, at: datetime, actor: str
    ) -> None:
        """Open list ``list_number``, the next one, the previous having ``taken_before`` of its
        ``list_size`` entries taken (at least ``full_at``)."""
        if list_number != self.current + 1:
            raise DomainRuleViolation(
                "status-list-out-of-order",
                f"list {self.current + 1} opens next, not list {list_number}",
            )
        if taken_before < full_at(list_size):
            raise DomainRuleViolation(
                "status-list-not-full",
                f"list {self.current} has {taken_before} of {list_size} entries taken; the next "
                f"opens at {full_at(list_size)}",
            )
        self._list_opened(list_number, list_size, taken_before, at, actor)

    @event("ListOpened", topic="craftledger:StatusListDirectory.ListOpened")
    def _list_opened(
        self, list_number: int, list_size: int, taken_before: int, at: datetime, actor: str
    ) -> None:
        self.current = list_number
        self.opened[list_number] = {"at": at, "taken_before": taken_before}


BlockFor = Callable[[int, int], StatusIndexBlock]
"""``block_for(list_number, block)``: the block, loaded or new."""


@dataclass
class Draw:
    """What ``draw_entries`` chose: the entries, and each list it opened with the number of
    entries taken in the list before it (to record on the ``StatusListDirectory``)."""

    entries: list[ListIndex] = field(default_factory=list)
    opened: dict[int, int] = field(default_factory=dict)


def taken_in_list(list_number: int, block_for: BlockFor, *, list_size: int, block_size: int) -> int:
    """How many indexes of list ``list_number`` its blocks record as taken."""
    return sum(len(block_for(list_number, b).taken) for b in range(list_size // block_size))


def _check_sizes(list_size: int, block_size: int) -> None:
    if list_size < 1 or block_size < 1 or list_size % block_size:
        raise ValueError(f"a {list_size}-entry list is not made of {block_size}-index blocks")


def draw_entries(
    count: int,
    block_for: BlockFor,
    rng: RandomSource,
    *,
    open_list: int = FIRST_LIST,
    taken_in: Callable[[int], int] | None = None,
    list_size: int = LIST_SIZE,
    block_size: int = BLOCK_SIZE,
    max_draws: int = MAX_DRAWS,
    misses_before_count: int = MISSES_BEFORE_COUNT,
) -> Draw:
    """Draw ``count`` distinct random entries no block has taken (nothing is recorded), in
    list ``open_list`` and, once it is full (``full_at``), in the next.

    A draw that meets ``misses_before_count`` taken indexes in a row has the list's recorded
    fill counted (``taken_in(n)``, by default from every block), once per call; with the
    entries chosen here it decides whether the list is full. Raises ``status-list-full`` when
    ``max_draws`` draws in a row hit taken indexes of a list that is not full.
    """
    _check_sizes(list_size, block_size)
    count_taken = taken_in or (
        lambda n: taken_in_list(n, block_for, list_size=list_size, block_size=block_size)
    )
    draw = Draw()
    chosen: set[ListIndex] = set()  # for an O(1) membership test
    chosen_in: dict[int, int] = {}
    counted: dict[int, int] = {}
    current = open_list
    for _ in range(count):
        misses = 0
        while True:
            entry = ListIndex(current, rng.randrange(list_size))
            if entry not in chosen and not block_for(current, entry.index // block_size).is_taken(
                entry.index
            ):
                break
            misses += 1
            if misses >= misses_before_count:
                if current not in counted:
                    counted[current] = count_taken(current)
                taken = counted[current] + chosen_in.get(current, 0)
                if taken >= full_at(list_size):
                    current += 1
                    draw.opened[current] = taken
                    misses = 0
                    continue
            if misses >= max_draws:
                raise DomainRuleViolation(
                    "status-list-full",
                    f"no free status list index found in {max_draws} random draws in list "
                    f"{current} of {list_size} entries",
                )
        draw.entries.append(entry)
        chosen.add(entry)
        chosen_in[current] = chosen_in.get(current, 0) + 1
    return draw


def record_taken(
    assignments: Mapping[str, ListIndex],
    block_for: BlockFor,
    actor: str,
    *,
    block_size: int = BLOCK_SIZE,
) -> None:
    """Record ``subject → entry`` on the blocks: one ``IndexesTaken`` event per block."""
    per_block: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for subject, entry in assignments.items():
        per_block.setdefault((entry.list_number, entry.index // block_size), []).append(
            (entry.index, subject)
        )
    for (list_number, number), entries in per_block.items():
        block_for(list_number, number).take(entries, actor)


def allocate_entries(
    subjects: Sequence[str],
    block_for: BlockFor,
    rng: RandomSource,
    actor: str,
    *,
    open_list: int = FIRST_LIST,
    taken_in: Callable[[int], int] | None = None,
    list_size: int = LIST_SIZE,
    block_size: int = BLOCK_SIZE,
    max_draws: int = MAX_DRAWS,
    misses_before_count: int = MISSES_BEFORE_COUNT,
) -> tuple[dict[str, ListIndex], Draw]:
    """Draw a random, never-used entry for each subject and record it on its block
    (``draw_entries`` then ``record_taken``): the entries by subject, and the draw."""
    if len(set(subjects)) != len(subjects):
        raise DomainRuleViolation("duplicate-status-subject", "each subject needs its own index")
    draw = draw_entries(
        len(subjects),
        block_for,
        rng,
        open_list=open_list,
        taken_in=taken_in,
        list_size=list_size,
        block_size=block_size,
        max_draws=max_draws,
        misses_before_count=misses_before_count,
    )
    chosen = dict(zip(subjects, draw.entries, strict=True))
    record_taken(chosen, block_for, actor, block_size=block_size)
    return chosen, draw
