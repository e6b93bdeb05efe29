"""Competitions in every state for the API authorisation matrix (``tests/api/test_authorisation``).

Each builder makes a fresh district competition of the matrix world's union (its organiser
token runs it), with a filed social body issuing its promotion certificates under the Tianjin
2024 rules, and returns the context the matrix formats paths and bodies with: ``target`` (the
competition), ``worker`` (its first entrant) and ``fresh`` (a worker not yet entered).
"""

from __future__ import annotations

from typing import Any

from domain.competition import MarkEntry
from domain.organisation import OrganisationKind
from tests.factories import ELECTRICIAN, marking_scheme

JUDGES = ("甲", "乙", "丙")
SCHEME = marking_scheme("trimmed")
_count = iter(range(1, 10**9))


def competition_of(
    world: Any,
    *,
    entrants: int = 0,
    marked: bool = False,
    flagged: bool = False,
    locked: bool = False,
    final: bool = False,
    submitted: bool = False,
    board: str = "public-after-lock",
) -> dict[str, Any]:
    """A competition in the state asked (each state implies the ones before it)."""
    ledger = world.ledger
    body = world.fresh_employer(OrganisationKind.SOCIAL)
    competition = ledger.competitions.announce_competition(
        organiser_id=world.ids["union"],
        reference=f"MATRIX-{next(_count)}",
        name="朝阳区电工技术比武",
        tier="district",
        occupation_code=ELECTRICIAN,
        exam_level="3",
        year=2025,
        region="朝阳区",
        issuing_body_id=body,
        marking_scheme=SCHEME,
        promotion_rule_set="tianjin-2024",
        actor="test",
        provisional_board=board,
    ).aggregate.id
    workers = [world.fresh_worker(world.ids["org_a"]) for _ in range(entrants)]
    for worker in workers:
        ledger.competitions.register_entrant(
            competition, worker_id=worker, entrant_kind="employee", actor="t"
        )
    if marked or flagged or locked or final:
        marks = [
            MarkEntry(worker, component, judge, str(90 - index))
            for index, worker in enumerate(workers)
            for component in ("practical", "theory")
            for judge in JUDGES
        ]
        if flagged:
            marks[0] = MarkEntry(workers[0], "practical", JUDGES[0], "70")  # spread 20
        ledger.competitions.record_marks(competition, marks, actor="test")
    if locked or final:
        for component in ("practical", "theory"):
            ledger.competitions.lock_component(competition, component, actor="test")
    if final:
        ledger.competitions.finalise_competition(competition, actor="test")
    if submitted:
        ledger.competitions.submit_proposals(competition, actor="test")
    return {
        "target": competition,
        "worker": workers[0] if workers else world.ids["worker"],
        "fresh": world.fresh_worker(world.ids["org_a"]),
    }


def announced(world: Any) -> dict[str, Any]:
    return competition_of(world)


def with_entrant(world: Any) -> dict[str, Any]:
    return competition_of(world, entrants=1)


def marked(world: Any) -> dict[str, Any]:
    return competition_of(world, entrants=2, marked=True)


def marked_privately(world: Any) -> dict[str, Any]:
    """Marked, its provisional board private (the organiser's choice)."""
    return competition_of(world, entrants=2, marked=True, board="private")


def flagged(world: Any) -> dict[str, Any]:
    return competition_of(world, entrants=2, flagged=True)


def locked(world: Any) -> dict[str, Any]:
    return competition_of(world, entrants=2, locked=True)


def finalised(world: Any) -> dict[str, Any]:
    return competition_of(world, entrants=2, final=True)


def submitted(world: Any) -> dict[str, Any]:
    """Finalised, its proposals submitted to the HR bureau (报送)."""
    return competition_of(world, entrants=2, final=True, submitted=True)
