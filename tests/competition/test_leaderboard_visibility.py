"""Who sees which leaderboard (``service.competitions.leaderboard``, shared by the API and the
pages): admins, auditors and the organising union everything, live; everyone else the final
board only, without worker ids and with names masked."""

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
from service.competitions.leaderboard import Leaderboards, may_see_board, sees_everything
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
