"""A small world behind the pages (SQLite): the API tests' world (employer A, worker 张三 with a
certificate, tokens for every role), plus a revoked certificate, a competition being marked and
a finalised one, driven through the Flask test client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient

from domain.competition import MarkEntry
from domain.promotion_rules import CompetitionTier
from service.competitions import EntrantRegistration
from tests.factories.marking import marking_scheme
from tests.factories.organisations import ELECTRICIAN
from tests.support.api_world import World

SCHEME = marking_scheme(max_spread="50")


@dataclass
class PagesWorld:
    world: World
    revoked: str
    marking: UUID
    finalised: UUID
    entrants: list[UUID]

    @property
    def ledger(self) -> Any:
        return self.world.ledger

    def client(self) -> FlaskClient:
        """A fresh client: its own cookies, its own session."""
        return self.world.app.test_client()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: FlaskClient, token: str) -> Any:
    page = client.get("/signin/token")
    return client.post("/signin/token", data={"csrf": csrf_of(page.text), "token": token})


def competition(world: World, reference: str, entrants: list[UUID]) -> UUID:
    ledger = world.ledger
    recorded = ledger.competitions.announce_competition(
        organiser_id=world.ids["union"],
        reference=reference,
        name=f"电工技术比武 {reference}",
        tier=CompetitionTier.DISTRICT,
        occupation_code=ELECTRICIAN,
        exam_level="3",
        year=2025,
        region="110105",
        issuing_body_id=world.ids["org_a"],
        marking_scheme=SCHEME,
        actor="test",
    )
    competition_id: UUID = recorded.aggregate.id
    ledger.competitions.register_entrants(
        competition_id,
        [EntrantRegistration(worker, "employee") for worker in entrants],
        actor="test",
    )
    return competition_id


def mark(world: World, competition_id: UUID, worker: UUID, practical: str, theory: str) -> None:
    world.ledger.competitions.record_marks(
        competition_id,
        [
            MarkEntry(worker, "practical", "裁判甲", practical),
            MarkEntry(worker, "theory", "裁判甲", theory),
        ],
        actor="test",
    )


def build_pages_world(world: World) -> PagesWorld:
    """``world`` plus a revoked certificate, a competition being marked and a finalised one."""
    ledger = world.ledger
    revoked = world.fresh_certificate()
    ledger.certificates.change_certificate_status(
        revoked, "revoke", actor="test", reason="考试作弊"
    )
    entrants = [world.fresh_worker(world.ids["org_a"], name=n) for n in ("赵六", "钱七", "孙八")]
    marking = competition(world, "PAGES-LIVE", entrants)
    mark(world, marking, entrants[0], "80", "70")
    finalised = competition(world, "PAGES-FINAL", entrants)
    for worker, (p, t) in zip(entrants, (("90", "80"), ("85", "75"), ("70", "60")), strict=True):
        mark(world, finalised, worker, p, t)
    for component in ("practical", "theory"):
        ledger.competitions.lock_component(finalised, component, actor="test")
    ledger.competitions.finalise_competition(finalised, actor="test")
    return PagesWorld(world, revoked, marking, finalised, entrants)
