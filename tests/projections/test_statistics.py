"""Statistics per region, organisation, occupation and year; as of a date via the as-of build."""

from __future__ import annotations

from datetime import date

import pytest

from domain.worker import CareerEntryKind
from projections import all_projections
from projections.as_of import build_as_of
from projections.pagination import InvalidQuery
from projections.statistics import StatisticsQuery, ratio
from tests.factories import WELDER
from tests.projections.cast import register_entrant


@pytest.fixture
def query(store) -> StatisticsQuery:
    return StatisticsQuery(store)


@pytest.fixture
def facts(ledger, world):
    """Three workers: a high-skill one (3), a 5-level one, and one whose only certificate is
    revoked; one school certificate in province 37; a competition with two entrants; training."""
    a, b, c = world.worker("甲"), world.worker("乙"), world.worker("丙")
    world.issue(a, "5")
    world.issue(a, "4")
    world.issue(a, "3", basis={"kind": "competition", "reference": "C-1"})
    world.issue(b, "5")
    revoked = world.issue(c, "5")
    world.status(revoked, "revoke", reason="forged")
    world.issue(b, "5", occupation=WELDER, issuer=world.school)
    competition = world.competition(year=2025)
    register_entrant(ledger, competition, a)
    register_entrant(ledger, competition, b)
    world.career(a, CareerEntryKind.TRAINING, "培训一", date(2025, 4, 1))
    world.career(b, CareerEntryKind.TRAINING, "培训二", date(2024, 4, 1))
    world.career(b, CareerEntryKind.STUDIO, "工作室", date(2024, 4, 1))
    return a, b, c


def test_summary_counts_talents_high_skill_ratio_and_flows(runner, query, facts):
    runner.catch_up()
    summary = query.summary()
    assert summary["skill_talents"] == 2  # 丙's only certificate is revoked
    assert summary["high_skill_talents"] == 1
    assert summary["high_skill_ratio"] == "0.5000"
    assert summary["certificates_issued"] == 6
    assert summary["certificates_by_level"] == {"5": 4, "4": 1, "3": 1, "2": 0, "1": 0}
    assert summary["certificates_by_basis"] == {
        "evaluation": 5,
        "competition": 1,
        "direct_recognition": 0,
    }
    assert (summary["competitions_held"], summary["competition_entrants"]) == (1, 2)
    assert summary["training_person_times"] == 2


def test_slices_by_region_organisation_and_occupation(world, runner, query, facts):
    runner.catch_up()
    shandong = query.summary(province="37")
    assert (shandong["skill_talents"], shandong["certificates_issued"]) == (1, 1)
    assert shandong["competitions_held"] == 0 and shandong["training_person_times"] == 0
    beijing = query.summary(province="11")
    assert (beijing["skill_talents"], beijing["competitions_held"]) == (2, 1)
    assert beijing["training_person_times"] == 2  # the employer is filed in Beijing
    school = query.summary(organisation_id=world.school)
    assert school["certificates_by_level"]["5"] == 1 and school["competitions_held"] == 0
    union = query.summary(organisation_id=world.union)
    assert union["competitions_held"] == 1 and union["certificates_issued"] == 0
    welders = query.summary(occupation_code=WELDER)
    assert (welders["skill_talents"], welders["high_skill_talents"]) == (1, 0)
    assert welders["high_skill_ratio"] == "0.0000"

    by_province = {row["key"]: row for row in query.breakdown("province")}
    assert set(by_province) == {"11", "37"}
    assert by_province["37"]["skill_talents"] == 1
    by_year = {row["key"]: row for row in query.breakdown("year")}
    assert by_year[2024]["training_person_times"] == 1
    assert by_year[2025]["competitions_held"] == 1


def test_year_counts_talents_valid_at_the_end_of_that_year(ledger, world, runner, query):
    worker = world.worker()
    number = world.issue(  # issued in 2025 on the test clock
        worker,
        "3",
        basis={"kind": "direct_recognition", "bypass": "direct_recognition", "evidence": "文件"},
    )
    world.status(number, "suspend", reason="review")
    runner.catch_up()
    assert query.summary(year=2025)["skill_talents"] == 0
    assert query.summary(year=2024)["skill_talents"] == 0
    world.status(number, "reinstate", reason="cleared")
    runner.catch_up()
    assert query.summary(year=2025)["high_skill_talents"] == 1
    assert query.summary()["skill_talents"] == 1


def test_statistics_as_of_a_position_come_from_the_as_of_build(ledger, world, runner, fresh_store):
    worker = world.worker()
    number = world.issue(worker, "5")
    before_revocation = ledger.log_position
    world.status(number, "revoke", reason="forged")
    runner.catch_up()
    assert StatisticsQuery(runner.store).summary()["skill_talents"] == 0

    build = build_as_of(ledger, fresh_store(), all_projections(), position=before_revocation)
    assert StatisticsQuery(build.store).summary()["skill_talents"] == 1


def test_ratio_is_a_rounded_decimal_string():
    assert ratio(896, 2413) == "0.3713"
    assert ratio(1, 8) == "0.1250"
    assert ratio(0, 0) is None


def test_bad_statistics_queries_are_refused(runner, query):
    runner.catch_up()
    with pytest.raises(InvalidQuery):
        query.breakdown("city")
    with pytest.raises(InvalidQuery):
        query.summary(year=25)
    with pytest.raises(InvalidQuery):
        query.summary(organisation_id="not-a-uuid")
