"""Who sees which leaderboard (``service.competitions.leaderboard``, shared by the API and the
pages): admins, auditors and the organising union everything, live; everyone else, without
worker ids and with names masked, the final board, and before it what the organiser chose:
nothing (private), the live board (public) or the locked components only (public after lock,
the default)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest

from domain.api_token import Role
from projections.leaderboard import Leaderboard
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.competitions.leaderboard import (
    Leaderboards,
    board_entry,
    may_see_board,
    sees_everything,
)
from service.ledger import Ledger
from tests.competition.arena import Arena, descending


@dataclass(frozen=True)
class Viewer:
    role: Role | None = None
    organisation_id: UUID | None = None

    def is_(self, *roles: Role) -> bool:
        return self.role in roles

    def acts_for(self, organisation_id: UUID | None) -> bool:
        return self.role is Role.ORGANISER and self.organisation_id == organisation_id


@pytest.fixture
def store(ledger: Ledger) -> Iterator[ProjectionStore]:
    opened = ProjectionStore.from_settings(ledger.settings)
    yield opened
    opened.close()


@pytest.fixture
def runner(ledger: Ledger, store: ProjectionStore) -> ProjectionRunner:
    return ProjectionRunner(ledger, store, [Leaderboard()], batch_size=5)


def test_the_organiser_sees_the_live_board_and_the_public_only_the_masked_final_one(
    arena: Arena, runner: ProjectionRunner, store: ProjectionStore
) -> None:
    organiser = Viewer(Role.ORGANISER, arena.union)
    other_union = Viewer(Role.ORGANISER, uuid.uuid4())
    public = Viewer()
    competition_id = arena.announce()
    arena.ledger.competitions.choose_board_visibility(
        competition_id, visibility="private", actor="t"
    )
    field = [arena.worker(name) for name in ("张一", "张二", "张三")]
    arena.enter(competition_id, field)
    arena.mark(competition_id, descending(field))
    runner.catch_up()
    competition = arena.ledger.competition(competition_id)
    assert sees_everything(competition, organiser) and sees_everything(
        competition, Viewer(Role.AUDITOR)
    )
    assert not may_see_board(competition, public)
    assert not may_see_board(competition, other_union)
    live = Leaderboards(store).board(competition, organiser)
    assert live is not None and not live.extra["final"]
    assert [item["name"] for item in live.items] == ["张一", "张二", "张三"]

    arena.lock(competition_id)
    arena.ledger.competitions.finalise_competition(competition_id, actor="t")
    runner.catch_up()
    final = arena.ledger.competition(competition_id)
    assert may_see_board(final, public)
    shown = Leaderboards(store).board(final, public)
    assert shown is not None and shown.extra["final"]
    assert [item["name"] for item in shown.items] == ["张*", "张*", "张*"]
    assert all("worker_id" not in item for item in shown.items)
    full = Leaderboards(store).board(final, organiser)
    assert full is not None and all("worker_id" in item for item in full.items)


def test_public_after_lock_shows_the_locked_components_only_in_number_order(
    arena: Arena, runner: ProjectionRunner, store: ProjectionStore
) -> None:
    public = Viewer()
    competition_id = arena.announce()  # public-after-lock: the default
    field = [arena.worker(name) for name in ("李一", "李二", "李三")]
    arena.enter(competition_id, field)
    arena.mark(competition_id, {w: (60 + 10 * i, 90 - i) for i, w in enumerate(field)})
    runner.catch_up()
    competition = arena.ledger.competition(competition_id)
    assert may_see_board(competition, public)
    before = Leaderboards(store).board(competition, public)
    assert before is not None
    assert [item["entrant_number"] for item in before.items] == [1, 2, 3]  # not by rank
    assert all(item["components"] == {"practical": None, "theory": None} for item in before.items)
    assert all(item["total"] is None and item["rank"] is None for item in before.items)
    organiser = Leaderboards(store).board(competition, Viewer(Role.ORGANISER, arena.union))
    assert organiser is not None and [i["entrant_number"] for i in organiser.items] == [3, 2, 1]

    arena.ledger.competitions.lock_component(competition_id, "theory", actor="t")
    runner.catch_up()
    competition = arena.ledger.competition(competition_id)
    theory_only = Leaderboards(store).board(competition, public)
    assert theory_only is not None
    assert [item["components"] for item in theory_only.items] == [
        {"practical": None, "theory": "90.00"},
        {"practical": None, "theory": "89.00"},
        {"practical": None, "theory": "88.00"},
    ]
    assert all(item["total"] is None and not item["complete"] for item in theory_only.items)

    arena.ledger.competitions.lock_component(competition_id, "practical", actor="t")
    runner.catch_up()
    competition = arena.ledger.competition(competition_id)
    every = Leaderboards(store).board(competition, public)
    assert every is not None
    assert [item["entrant_number"] for item in every.items] == [3, 2, 1]  # ranked again
    assert [item["rank"] for item in every.items] == [1, 2, 3]
    assert all(item["total"] is not None and item["complete"] for item in every.items)
    assert all(item["name"].endswith("*") for item in every.items)


def test_a_public_board_is_the_live_board_masked(
    arena: Arena, runner: ProjectionRunner, store: ProjectionStore
) -> None:
    competition_id = arena.announce()
    arena.ledger.competitions.choose_board_visibility(
        competition_id, visibility="public", actor="t"
    )
    field = [arena.worker(name) for name in ("王一", "王二")]
    arena.enter(competition_id, field)
    arena.mark(competition_id, descending(field))
    runner.catch_up()
    competition = arena.ledger.competition(competition_id)
    page = Leaderboards(store).board(competition, Viewer(Role.WORKER))
    assert page is not None and [item["rank"] for item in page.items] == [1, 2]
    assert [item["name"] for item in page.items] == ["王*", "王*"]
    assert all(item["total"] is not None and "worker_id" not in item for item in page.items)
    item = Leaderboards(store).board(competition, Viewer(Role.ADMIN))
    assert item is not None
    assert board_entry(competition, Viewer(Role.ADMIN), item.items[0]) == item.items[0]
