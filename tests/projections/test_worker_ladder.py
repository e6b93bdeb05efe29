"""Worker ladder: current valid level per occupation, promotions, honours, competitions."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.skill_level import SkillLevel
from projections.worker_ladder import WorkerLadderQuery
from tests.factories import ELECTRICIAN, WELDER
from tests.projections.cast import finalise, register_entrant


@pytest.fixture
def query(store) -> WorkerLadderQuery:
    return WorkerLadderQuery(store)


def levels(query: WorkerLadderQuery, worker) -> dict[str, str]:
    return {row["occupation_code"]: row["level"] for row in query.ladder(worker)["levels"]}


def test_the_current_level_is_the_highest_valid_one_per_occupation(world, runner, query):
    worker = world.worker("王电工")
    world.issue(worker, "5")
    four = world.issue(worker, "4")
    world.issue(worker, "5", occupation=WELDER, issuer=world.school)
    runner.catch_up()

    ladder = query.ladder(worker)
    assert levels(query, worker) == {ELECTRICIAN: "4", WELDER: "5"}
    electrician = next(r for r in ladder["levels"] if r["occupation_code"] == ELECTRICIAN)
    assert electrician["number"] == four
    assert electrician["level_name"] == SkillLevel.LEVEL_4.name_zh
    assert electrician["source"] == "ledger"
    assert [p["level"] for p in ladder["promotions"]] == ["5", "4", "5"]
    assert all(p["raised_level"] for p in ladder["promotions"])


def test_suspension_and_revocation_drop_a_level_and_reinstatement_restores_it(world, runner, query):
    worker = world.worker()
    five = world.issue(worker, "5")
    four = world.issue(worker, "4")
    runner.catch_up()
    assert levels(query, worker) == {ELECTRICIAN: "4"}

    world.status(four, "suspend", reason="under review")
    runner.catch_up()
    assert levels(query, worker) == {ELECTRICIAN: "5"}

    world.status(four, "reinstate", reason="cleared")
    runner.catch_up()
    assert levels(query, worker) == {ELECTRICIAN: "4"}

    world.status(four, "revoke", reason="forged")
    world.status(five, "revoke", reason="forged")
    runner.catch_up()
    ladder = query.ladder(worker)
    assert ladder["levels"] == []
    assert [p["status"] for p in ladder["promotions"]] == ["revoked", "revoked"]
    assert [h["kind"] for h in ladder["history"]] == [
        "issued",
        "issued",
        "suspended",
        "valid",
        "revoked",
        "revoked",
    ]
    assert ladder["history"][2]["detail"] == {"reason": "under review"}


def test_confirmed_external_certificates_count_and_rejected_ones_do_not(
    ledger, world, runner, query
):
    worker = world.worker()
    for number, confirmed in (("S000031000001244000001", True), ("S000031000001243000002", False)):
        level = SkillLevel.from_code(number[15])
        ledger.workers.declare_external_certificate(
            worker,
            number=number,
            issuer_name="上海某培训评价组织",
            occupation_code=ELECTRICIAN if confirmed else WELDER,
            level=level,
            issued_on=date(2024, 6, 1),
            actor="t",
        )
        ledger.workers.check_external_certificate(
            worker, number=number, confirmed=confirmed, note="national query", actor="t"
        )
    runner.catch_up()

    ladder = query.ladder(worker)
    assert ladder["levels"] == [
        {
            "occupation_code": ELECTRICIAN,
            "occupation_name": "电工",
            "level": "4",
            "level_name": SkillLevel.LEVEL_4.name_zh,
            "number": "S000031000001244000001",
            "source": "external",
            "since": "2024-06-01",
        }
    ]
    assert [h["kind"] for h in ladder["history"]] == ["external-confirmed", "external-rejected"]


def test_honours_held_and_withdrawn(ledger, world, runner, query):
    worker = world.worker()
    ladder_id = world.ladder()
    ledger.honours.award_honour(
        ladder_id, award_id="2024-001", worker_id=worker, tier="朝阳能手", year=2024, actor="u"
    )
    ledger.honours.award_honour(
        ladder_id, award_id="2025-007", worker_id=worker, tier="朝阳工匠", year=2025, actor="u"
    )
    ledger.honours.withdraw_honour(ladder_id, award_id="2024-001", actor="u", reason="duplicate")
    runner.catch_up()

    honours = query.ladder(worker)["honours"]
    assert [(h["tier"], h["tier_rank"], h["standing"]) for h in honours] == [
        ("朝阳能手", 0, False),
        ("朝阳工匠", 2, True),
    ]
    assert honours[0]["withdrawn_reason"] == "duplicate"
    assert honours[1]["ladder_name"] == "朝阳工匠荣誉体系"


def test_competitions_entered_with_withdrawals_ranks_and_awards(ledger, world, runner, query):
    first, second, absent = world.worker("一"), world.worker("二"), world.worker("三")
    competition = world.competition()
    for worker in (first, second, absent):
        register_entrant(ledger, competition, worker)
    ledger.competitions.withdraw_entrant(
        competition, worker_id=absent, reason="缺考", actor="test:union"
    )
    runner.catch_up()
    (entry,) = query.ladder(first)["competitions"]
    assert entry["competition_id"] == str(competition)
    assert entry["name"] == "朝阳区电工技能大赛 C-2025-1"
    assert entry["tier"] == "district" and entry["year"] == 2025
    assert entry["entrant_kind"] == "employee"
    assert entry["rank"] is None and entry["award"] is None

    finalise(ledger, competition, {first: ("90", "80"), second: ("85", "70")})
    runner.catch_up()

    assert runner.failures() == []
    assert query.ladder(first)["competitions"][0]["rank"] == 1
    assert query.ladder(first)["competitions"][0]["award"] == "gold"
    assert query.ladder(second)["competitions"][0]["rank"] == 2
    (withdrawn,) = query.ladder(absent)["competitions"]
    assert withdrawn["withdrawn_reason"] == "缺考" and withdrawn["rank"] is None


def test_holders_lists_workers_at_a_level(world, runner, query):
    a, b, c = world.worker("甲"), world.worker("乙"), world.worker("丙")
    for worker in (a, b, c):
        world.issue(worker, "5")
    world.issue(b, "4")
    runner.catch_up()

    assert [r["name"] for r in query.holders(ELECTRICIAN, level="5").items] == sorted(
        ["甲", "丙"], key=lambda n: str({"甲": a, "丙": c}[n])
    )
    first = query.holders(ELECTRICIAN, limit=1)
    assert first.items[0]["level"] == "4" and first.items[0]["name"] == "乙"
    assert len(query.holders(ELECTRICIAN, after=first.next_cursor).items) == 2


def test_unknown_workers_have_no_ladder(runner, query):
    runner.catch_up()
    assert query.ladder(uuid4()) is None
