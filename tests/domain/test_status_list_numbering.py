"""Numbered status lists: an issuer's entries are random and never reused in every list, and
the next list opens when the open one is 3/4 full (small lists, so a test fills them)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainRuleViolation
from domain.identity import natural_id
from domain.status_list_allocation import (
    LIST_SIZE,
    ListIndex,
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    StatusListDirectory,
    StatusPosition,
    allocate_entries,
    draw_entries,
    full_at,
)

AT = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
SIZE, BLOCK = 64, 16


class Issuer:
    """One issuer's blocks in memory, and its open list (what the service keeps in the log)."""

    def __init__(self) -> None:
        self.id = uuid4()
        self.blocks: dict[tuple[int, int], StatusIndexBlock] = {}
        self.directory: StatusListDirectory | None = None

    def block_for(self, list_number: int, block: int) -> StatusIndexBlock:
        if (list_number, block) not in self.blocks:
            self.blocks[list_number, block] = StatusIndexBlock.open(
                self.id, block, BLOCK, list_number
            )
        return self.blocks[list_number, block]

    @property
    def open_list(self) -> int:
        return self.directory.current if self.directory else 1

    def allocate(self, subjects: list[str], rng: random.Random) -> dict[str, ListIndex]:
        chosen, draw = allocate_entries(
            subjects,
            self.block_for,
            rng,
            "test",
            open_list=self.open_list,
            list_size=SIZE,
            block_size=BLOCK,
        )
        for list_number, taken_before in sorted(draw.opened.items()):
            self.directory = self.directory or StatusListDirectory(issuer_id=self.id)
            self.directory.open_list(list_number, SIZE, taken_before, AT, "test")
        return chosen

    def taken(self, list_number: int) -> int:
        return sum(len(b.taken) for (n, _), b in self.blocks.items() if n == list_number)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    batches=st.lists(st.integers(1, 40), min_size=1, max_size=12),
)
def test_entries_are_random_never_reused_and_lists_open_in_order_when_full(seed, batches):
    issuer = Issuer()
    rng = random.Random(seed)
    given_out: dict[ListIndex, str] = {}
    serial = 0
    for size in batches:
        before = issuer.open_list
        subjects = [f"s-{serial + n}" for n in range(size)]
        serial += size
        chosen = issuer.allocate(subjects, rng)
        for subject, entry in chosen.items():
            assert entry not in given_out  # never reused, in any list
            assert 0 <= entry.index < SIZE
            assert before <= entry.list_number <= issuer.open_list
            given_out[entry] = subject
        # entries of one batch go to lists in order: never back to a list once it moved on
        numbers = [chosen[s].list_number for s in subjects]
        assert numbers == sorted(numbers)
    for (list_number, _), block in issuer.blocks.items():
        for index, subject in block.taken.items():
            assert given_out[ListIndex(list_number, index)] == subject
    lists = issuer.open_list
    for list_number in range(1, lists):  # every closed list was full when the next opened
        assert issuer.taken(list_number) >= full_at(SIZE) == 48
        assert issuer.directory is not None
        assert issuer.directory.opened[list_number + 1]["taken_before"] >= 48
    assert issuer.taken(lists) <= SIZE


def test_a_list_filling_one_at_a_time_moves_to_the_next_and_never_back():
    issuer = Issuer()
    rng = random.Random(3)
    lists = [issuer.allocate([f"s-{n}"], rng)[f"s-{n}"].list_number for n in range(200)]
    assert lists == sorted(lists) and lists[0] == 1 and lists[-1] >= 3
    first_in_two = lists.index(2)
    assert first_in_two >= full_at(SIZE)  # list 1 held at least 48 when list 2 opened
    assert issuer.taken(1) == first_in_two <= SIZE
    assert issuer.directory is not None and issuer.directory.current == lists[-1]


def test_a_completely_full_list_is_left_for_the_next_without_an_error():
    issuer = Issuer()
    for block in range(SIZE // BLOCK):  # list 1 entirely taken
        first = block * BLOCK
        issuer.block_for(1, block).take([(i, f"old-{i}") for i in range(first, first + BLOCK)], "t")
    draw = draw_entries(
        5, issuer.block_for, random.Random(1), list_size=SIZE, block_size=BLOCK, max_draws=64
    )
    assert [entry.list_number for entry in draw.entries] == [2] * 5
    assert draw.opened == {2: SIZE}


def test_a_list_below_three_quarters_is_not_left_however_unlucky_the_draws():
    """Draws that keep meeting taken indexes count the list; below 3/4 it stays open, and
    after ``max_draws`` misses the allocation fails as before, recording nothing."""
    issuer = Issuer()
    issuer.block_for(0 + 1, 0).take([(5, "old")], "t")

    class Always5:
        def randrange(self, stop: int) -> int:
            return 5

    with pytest.raises(DomainRuleViolation) as refused:
        draw_entries(
            1, issuer.block_for, Always5(), list_size=SIZE, block_size=BLOCK, max_draws=100
        )
    assert refused.value.rule == "status-list-full"


def test_the_directory_opens_lists_in_order_and_only_when_the_last_is_full():
    directory = StatusListDirectory(issuer_id=uuid4())
    assert directory.current == 1
    with pytest.raises(DomainRuleViolation):
        directory.open_list(3, SIZE, 60, AT, "t")
    with pytest.raises(DomainRuleViolation):
        directory.open_list(2, SIZE, full_at(SIZE) - 1, AT, "t")
    directory.open_list(2, SIZE, full_at(SIZE), AT, "t")
    assert directory.current == 2
    assert [type(e).TOPIC for e in directory.collect_events()] == [
        "craftledger:StatusListDirectory.Opened",
        "craftledger:StatusListDirectory.ListOpened",
    ]


def test_list_one_keeps_its_ids_and_events_later_lists_name_their_number():
    issuer: UUID = uuid4()
    assert StatusIndexBlock.create_id(issuer, 7) == natural_id(
        "status-index-block", str(issuer), "7"
    )
    assert StatusList.create_id(issuer, "revocation") == natural_id(
        "status-list", str(issuer), "revocation"
    )
    assert StatusIndexBlock.create_id(issuer, 7, 2) != StatusIndexBlock.create_id(issuer, 7)
    assert StatusList.create_id(issuer, "revocation", 2) != StatusList.create_id(
        issuer, "revocation"
    )
    first = StatusIndexBlock.open(issuer, 7, BLOCK)
    second = StatusIndexBlock.open(issuer, 7, BLOCK, 2)
    assert (first.list_number, second.list_number) == (1, 2)
    assert second.id == StatusIndexBlock.create_id(issuer, 7, 2)
    assert type(first.collect_events()[0]).TOPIC == "craftledger:StatusIndexBlock.Opened"
    assert type(second.collect_events()[0]).TOPIC == "craftledger:StatusIndexBlock.OpenedInList"

    one = StatusListAllocation.allocate(
        issuer, "s-1", LIST_SIZE, StatusPosition(1, {"revocation": 3, "suspension": 3}), AT, "t"
    )
    two = StatusListAllocation.allocate(
        issuer, "s-2", LIST_SIZE, StatusPosition(2, {"revocation": 3, "suspension": 3}), AT, "t"
    )
    assert one.position == StatusPosition(1, {"revocation": 3, "suspension": 3})
    assert two.position.list_number == 2 and two.id == StatusListAllocation.create_id(issuer, "s-2")
    (allocated,) = one.collect_events()
    assert type(allocated).TOPIC == "craftledger:StatusListAllocation.Allocated"
    assert "list_number" not in vars(allocated)  # list 1's event is the one stored before
    assert type(two.collect_events()[0]).TOPIC == (
        "craftledger:StatusListAllocation.AllocatedInList"
    )
    bits = StatusList.open(issuer, "suspension", LIST_SIZE, 2)
    bits.set_bit(3, "s-2", AT, "t", "抽查")
    assert bits.list_number == 2 and bits.set_bits == {3: "s-2"}
    assert [type(e).TOPIC for e in bits.collect_events()] == [
        "craftledger:StatusList.OpenedInList",
        "craftledger:StatusList.BitSet",
    ]
    with pytest.raises(DomainRuleViolation):
        StatusList.open(issuer, "revocation", LIST_SIZE, 0)
