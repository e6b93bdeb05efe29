"""Career coordinate stages (探索期 … 引领期) with what moved the worker and when."""

from __future__ import annotations

from datetime import date

import pytest

from domain.worker import CareerEntryKind
from projections.career_stage import CareerStageQuery
from tests.projections.cast import register_entrant


@pytest.fixture
def query(store) -> CareerStageQuery:
    return CareerStageQuery(store)


def test_each_stage_records_the_earliest_evidence_that_reached_it(ledger, world, runner, query):
    worker = world.worker("赵师傅")
    runner.catch_up()
    assert query.career(worker)["stage"] is None

    world.career(worker, CareerEntryKind.TRAINING, "低压电工培训", date(2019, 3, 1))
    runner.catch_up()
    career = query.career(worker)
    assert (career["stage"], career["stage_name"], career["since"]) == (
        "exploration",
        "探索期",
        "2019-03-01",
    )

    competition = world.competition()
    register_entrant(ledger, competition, worker)
    world.career(worker, CareerEntryKind.STUDIO, "赵师傅创新工作室", date(2022, 9, 1))
    world.issue(worker, "5")
    world.issue(worker, "4")  # a promotion over a held level
    world.career(worker, CareerEntryKind.REPRESENTATIVE, "区人大代表", date(2024, 1, 10))
    runner.catch_up()

    career = query.career(worker)
    assert career["stage"] == "leading" and career["stage_name"] == "引领期"
    assert [s["stage"] for s in career["stages"]] == [
        "exploration",
        "growth",
        "maturity",
        "development",
        "leading",
    ]
    growth = career["stages"][1]
    assert growth["what"] == "技能竞赛: 朝阳区电工技能大赛 C-2025-1"
    development = career["stages"][3]
    assert development["what"].startswith("等级晋升: 电工 四级")
    assert career["stages"][4]["entered_on"] == "2024-01-10"


def test_revoking_the_promoting_certificate_moves_the_worker_back(world, runner, query):
    worker = world.worker()
    world.career(worker, CareerEntryKind.TRAINING, "培训", date(2020, 1, 1))
    world.issue(worker, "5")
    senior = world.issue(worker, "4", basis={"kind": "competition", "reference": "C-1"})
    runner.catch_up()
    career = query.career(worker)
    assert career["stage"] == "development"
    assert career["stages"][1]["what"].startswith("以赛代评")

    world.status(senior, "revoke", reason="违规")
    runner.catch_up()
    career = query.career(worker)
    assert career["stage"] == "exploration"
    assert [e["valid"] for e in career["evidence"] if e["kind"] != "training"] == [False, False]


def test_high_skill_certificates_count_as_grade_promotion(world, runner, query):
    worker = world.worker()
    world.issue(
        worker,
        "3",
        basis={"kind": "direct_recognition", "bypass": "direct_recognition", "evidence": "文件"},
    )
    runner.catch_up()
    assert query.career(worker)["stage"] == "development"


def test_workers_list_by_stage_with_counts(world, runner, query):
    trainee, representative = world.worker("学员"), world.worker("代表")
    world.career(trainee, CareerEntryKind.TRAINING, "培训", date(2024, 1, 1))
    world.career(representative, CareerEntryKind.REPRESENTATIVE, "政协委员", date(2024, 1, 1))
    world.worker("新人")
    runner.catch_up()

    assert [w["name"] for w in query.list_workers().items] == ["代表", "学员"]
    assert [w["name"] for w in query.list_workers(stage="exploration").items] == ["学员"]
    page = query.list_workers(limit=1)
    assert [w["name"] for w in query.list_workers(after=page.next_cursor).items] == ["学员"]
    assert query.stage_counts() == {
        "exploration": 1,
        "growth": 0,
        "maturity": 0,
        "development": 0,
        "leading": 1,
    }


def test_withdrawing_from_the_only_competition_leaves_the_growth_stage(
    ledger, world, runner, query
):
    worker = world.worker()
    competition = world.competition()
    register_entrant(ledger, competition, worker)
    runner.catch_up()
    assert query.career(worker)["stage"] == "growth"

    ledger.competitions.withdraw_entrant(competition, worker, reason="退赛", actor="test:union")
    runner.catch_up()
    assert query.career(worker)["stage"] is None
