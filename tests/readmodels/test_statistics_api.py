"""``GET /api/v1/statistics``: public aggregate figures now and as of two dates, by region,
organisation, occupation and year, with the seed reports' "24.13万, 8.96万, 37%" text; no
personal data."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from domain.worker import CareerEntryKind
from service.statistics_figures import chinese_count, percent
from tests.factories import WELDER
from tests.readmodels.read_model_api import ReadModelApi

FIGURES = (
    "skill_talents",
    "high_skill_talents",
    "high_skill_ratio",
    "certificates_issued",
    "competitions_held",
    "competition_entrants",
    "training_person_times",
)


def figures(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in FIGURES}


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0"),
        (887, "887"),
        (2000, "2000"),
        (9999, "9999"),
        (10_000, "1万"),
        (89_600, "8.96万"),
        (241_300, "24.13万"),
        (2_240_000, "224万"),
        (400_050, "40.01万"),  # half up
        (99_999_999, "1亿"),
        (123_456_789, "1.23亿"),
    ],
)
def test_counts_read_like_the_seed_reports(count: int, text: str) -> None:
    assert chinese_count(count) == text


def test_ratios_read_as_whole_percent() -> None:
    assert percent("0.3713") == "37%"
    assert percent("0.3750") == "38%"
    assert percent("1.0000") == "100%"
    assert percent(None) is None


def seed(api: ReadModelApi) -> dict[str, Any]:
    """Two provinces over two years: 2023 issues, trains and competes; 2024 revokes and issues."""
    beijing, tianjin, union = api.body("11"), api.body("12"), api.union("11")
    api.clock.travel_to(date(2023, 3, 1))
    a, b = api.worker(beijing, "甲"), api.worker(beijing, "乙")
    api.issue(beijing, a, "5")
    high = api.issue(beijing, b, "3", bypass=True, kind="direct_recognition")
    api.issue(beijing, b, "5", WELDER)
    api.ledger.workers.record_career_entry(
        a,
        kind=CareerEntryKind.TRAINING,
        title="安全培训",
        on=date(2023, 3, 1),
        details={},
        actor="t",
    )
    api.district_competition(union, "CY-2023", [a, b])
    api.clock.travel_to(date(2024, 4, 1))
    api.change(high, "revoke", "证书造假")
    c = api.worker(tianjin, "丙")
    api.issue(tianjin, c, "2", bypass=True)
    api.clock.travel_to(date(2024, 9, 1))
    return {"beijing": beijing, "tianjin": tianjin, "union": union}


def test_statistics_as_of_two_dates_and_now(api: ReadModelApi):
    seed(api)
    first = api.read("/api/v1/statistics?as_of=2023-12-31", "public")
    assert first["as_of"] == "2023-12-31"
    assert figures(first) == {
        "skill_talents": 2,
        "high_skill_talents": 1,
        "high_skill_ratio": "0.5000",
        "certificates_issued": 3,
        "competitions_held": 1,
        "competition_entrants": 2,
        "training_person_times": 1,
    }
    assert (first["skill_talents_text"], first["high_skill_ratio_text"]) == ("2", "50%")
    assert first["headline"] == "2, 1, 50%"
    assert first["certificates_by_level"] == {"5": 2, "4": 0, "3": 1, "2": 0, "1": 0}
    assert first["certificates_by_route"] == {
        "evaluation": 2,
        "competition": 0,
        "direct_recognition": 1,
    }

    second = api.read("/api/v1/statistics?as_of=2024-04-01", "public")
    assert figures(second) == {
        "skill_talents": 3,  # 乙 still holds a valid 五级 焊工 after the revocation
        "high_skill_talents": 1,  # 丙's 二级; 乙's 三级 is revoked
        "high_skill_ratio": "0.3333",
        "certificates_issued": 4,
        "competitions_held": 1,
        "competition_entrants": 2,
        "training_person_times": 1,
    }
    assert second["high_skill_ratio_text"] == "33%"
    assert second["log_position"] > first["log_position"]

    now = api.read("/api/v1/statistics", "public")
    assert now["as_of"] is None
    assert figures(now) == figures(second)
    before = api.read("/api/v1/statistics?as_of=2023-01-01", "public")
    assert figures(before)["certificates_issued"] == 0
    assert before["headline"] == "0, 0"  # no ratio without talents


def test_statistics_by_region_organisation_occupation_and_year(api: ReadModelApi):
    ids = seed(api)
    tianjin = api.read("/api/v1/statistics?region=12", "public")
    assert (tianjin["skill_talents"], tianjin["high_skill_talents"]) == (1, 1)
    assert tianjin["filters"] == {"region": "12"}
    beijing = api.read(f"/api/v1/statistics?organisation={ids['beijing']}", "public")
    assert (beijing["skill_talents"], beijing["certificates_issued"]) == (2, 3)
    welders = api.read(f"/api/v1/statistics?occupation={WELDER}", "public")
    assert (welders["skill_talents"], welders["certificates_issued"]) == (1, 1)
    assert welders["competitions_held"] == 0  # the competition was for electricians
    year_2023 = api.read("/api/v1/statistics?year=2023", "public")
    assert (year_2023["skill_talents"], year_2023["high_skill_talents"]) == (2, 1)
    assert year_2023["training_person_times"] == 1
    year_2024 = api.read("/api/v1/statistics?year=2024&as_of=2024-04-01", "public")
    assert (year_2024["certificates_issued"], year_2024["competitions_held"]) == (1, 0)


def test_statistics_carry_no_personal_data(api: ReadModelApi):
    seed(api)
    text = json.dumps(api.read("/api/v1/statistics", "public"), ensure_ascii=False)
    for personal in ("甲", "乙", "丙", "110105", "worker"):
        assert personal not in text


def test_statistics_refuse_bad_filters_and_future_dates(api: ReadModelApi):
    assert api.get("/api/v1/statistics?region=99", "public").status_code == 422
    assert api.get("/api/v1/statistics?occupation=electrician", "public").status_code == 422
    assert api.get("/api/v1/statistics?organisation=not-a-uuid", "public").status_code == 422
    future = api.get("/api/v1/statistics?as_of=2999-01-01", "public")
    assert future.status_code == 422
    assert future.json["errors"][0]["parameter"] == "as_of"
