"""Statistics for reporting (统计报表): ``GET /api/v1/statistics/breakdown`` and
``GET /api/v1/statistics.xlsx`` on both stores, as of dates around a revocation; and the demo's
headline figures reproduced from its history, counted independently from the aggregates."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.certificate import Certificate, CertificateStatus
from domain.skill_level import SkillLevel
from projections.as_of import build_as_of, fresh_sqlite_store
from projections.statistics_report import REPORT_BREAKDOWNS
from service.config import Settings
from service.demo import seed_demo
from service.ledger import Ledger
from service.statistics_report import report_projections, statistics_report
from tests.factories import ELECTRICIAN, WELDER
from tests.readmodels.read_model_api import ReadModelApi
from tests.readmodels.test_statistics_api import seed
from tests.support.server import base_env

FIGURES = ("skill_talents", "high_skill_talents", "high_skill_ratio")


def figures(body: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(body[key] for key in FIGURES)


def rows_of(body: dict[str, Any]) -> dict[Any, tuple[Any, ...]]:
    return {row["key"]: (row["label"], *figures(row)) for row in body["rows"]}


def assert_rows_sum_to_totals(body: dict[str, Any]) -> None:
    for figure in ("skill_talents", "high_skill_talents"):
        assert sum(row[figure] for row in body["rows"]) == body[figure], (figure, body)


def test_breakdowns_sum_to_the_totals_and_follow_a_revocation(api: ReadModelApi):
    ids = seed(api)
    # 2023: 甲 五级 电工, 乙 三级 电工 (direct) + 五级 焊工, both at the Beijing body.
    before = {
        by: api.read(f"/api/v1/statistics/breakdown?by={by}&as_of=2023-12-31", "public")
        for by in REPORT_BREAKDOWNS
    }
    for body in before.values():
        assert figures(body) == (2, 1, "0.5000")
        assert body["as_of"] == "2023-12-31"
        assert_rows_sum_to_totals(body)
    beijing = str(ids["beijing"])
    assert rows_of(before["employer"])[beijing][1:] == (2, 1, "0.5000")
    # 乙's principal certificate is the 三级 电工 (the highest), so 电工 has both talents
    assert {k: row[1:] for k, row in rows_of(before["occupation"]).items()} == {
        ELECTRICIAN: (2, 1, "0.5000")
    }
    assert rows_of(before["year"]) == {"2023": ("2023", 2, 1, "0.5000")}
    districts = rows_of(before["district"])
    assert all(key is None or (len(key) == 6 and key.isdigit()) for key in districts)
    assert all(label == key for key, (label, *_) in districts.items())

    # 2024-04-01: 乙's 三级 revoked (乙 keeps the 五级 焊工), 丙 gets a 二级 in Tianjin.
    after = {
        by: api.read(f"/api/v1/statistics/breakdown?by={by}&as_of=2024-04-01", "public")
        for by in REPORT_BREAKDOWNS
    }
    for body in after.values():
        assert figures(body) == (3, 1, "0.3333")
        assert_rows_sum_to_totals(body)
    occupations = {row["key"]: figures(row) for row in after["occupation"]["rows"]}
    assert occupations[WELDER] == (1, 0, "0.0000")  # 乙, now counted under 焊工
    employers = rows_of(after["employer"])
    assert employers[beijing][1:] == (2, 0, "0.0000")
    assert employers[str(ids["tianjin"])][1:] == (1, 1, "1.0000")
    assert {key: row[1:] for key, row in rows_of(after["year"]).items()} == {
        "2023": (2, 0, "0.0000"),
        "2024": (1, 1, "1.0000"),
    }
    # as of before the revocation it still counted; now equals the last date
    now = api.read("/api/v1/statistics/breakdown?by=employer", "public")
    assert now["as_of"] is None and rows_of(now) == employers
    # the headline of GET /api/v1/statistics agrees
    for day in ("2023-12-31", "2024-04-01"):
        headline = api.read(f"/api/v1/statistics?as_of={day}", "public")
        body = before["district"] if day == "2023-12-31" else after["district"]
        assert figures(headline) == figures(body)


def test_breakdown_refuses_an_unknown_dimension_and_a_future_date(api: ReadModelApi):
    assert api.get("/api/v1/statistics/breakdown?by=province", "public").status_code == 422
    assert api.get("/api/v1/statistics/breakdown", "public").status_code == 422
    future = api.get("/api/v1/statistics/breakdown?by=year&as_of=2999-01-01", "public")
    assert future.status_code == 422
    assert api.get("/api/v1/statistics.xlsx?as_of=2999-01-01", "public").status_code == 422


def test_the_workbook_has_the_headline_and_a_sheet_per_breakdown(api: ReadModelApi):
    ids = seed(api)
    api.read("/api/v1/statistics", "public")  # caught up
    answer = api.get("/api/v1/statistics.xlsx?as_of=2024-04-01", "public")
    assert answer.status_code == 200
    assert 'filename="statistics-2024-04-01.xlsx"' in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == [
        "总体 Headline",
        "按地区 By district",
        "按单位 By employer",
        "按职业 By occupation",
        "按年度 By year",
    ]
    headline = {row[0]: row[1] for row in book["总体 Headline"].iter_rows(values_only=True)}
    assert headline["统计日期 As of (end of day, UTC+8)"] == "2024-04-01"
    assert headline["技能人才总量 Skill talents"] == 3
    assert headline["高技能人才 High-skill talents"] == 1
    assert headline["高技能人才占比 High-skill ratio"] == pytest.approx(0.3333)
    assert headline["发证数 Certificates issued"] == 4
    employers = list(book["按单位 By employer"].iter_rows(values_only=True))
    assert employers[0] == (
        "代码 Key",
        "单位 Employer",
        "技能人才 Skill talents",
        "高技能人才 High-skill talents",
        "高技能人才占比 High-skill ratio",
    )
    by_key = {row[0]: row for row in employers[1:]}
    assert by_key[str(ids["tianjin"])][2:4] == (1, 1)
    assert by_key["合计 Total"][2:4] == (3, 1)
    years = {row[0]: row[2:4] for row in book["按年度 By year"].iter_rows(values_only=True)}
    assert years["2023"] == (2, 0) and years["2024"] == (1, 1)
    text = " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    for personal in ("甲", "乙", "丙"):
        assert personal not in text


# -- the demo ---------------------------------------------------------------------------------


def talents_from_the_aggregates(ledger: Ledger) -> tuple[set[Any], set[Any]]:
    """Workers holding a valid certificate, and those holding one at 三级 or above, read from
    every Certificate aggregate of the log (not from any read model)."""
    skill, high = set(), set()
    seen = set()
    for notification in ledger.notifications(1, ledger.log_position, 1000):
        if not notification.topic.startswith("craftledger:Certificate."):
            continue
        if notification.originator_id in seen:
            continue
        seen.add(notification.originator_id)
        certificate = ledger.repository.get(notification.originator_id)
        assert isinstance(certificate, Certificate)
        if certificate.status is not CertificateStatus.VALID:
            continue
        skill.add(certificate.worker_id)
        if SkillLevel.from_code(certificate.level_code).is_high_skill:
            high.add(certificate.worker_id)
    return skill, high


def test_the_demo_headline_figures_are_reproduced_from_its_history(tmp_path: Path):
    ledger = Ledger(Settings.from_env(base_env(tmp_path / "demo")))
    try:
        seed_demo(ledger)
        skill, high = talents_from_the_aggregates(ledger)
        store = fresh_sqlite_store(tmp_path / "as-of")
        build_as_of(ledger, store, report_projections(), position=ledger.log_position)
        report = statistics_report(store)
        headline = report["headline"]
        assert (headline["skill_talents"], headline["high_skill_talents"]) == (
            len(skill),
            len(high),
        )
        assert headline["high_skill_ratio"] == f"{len(high) / len(skill):.4f}"
        assert report["totals"] == {
            "skill_talents": len(skill),
            "high_skill_talents": len(high),
            "high_skill_ratio": headline["high_skill_ratio"],
        }
        # the demo's figures (see the report of the lane that built this)
        assert (len(skill), len(high), headline["high_skill_ratio"]) == (215, 136, "0.6326")
        for by, rows in report["breakdowns"].items():
            assert sum(r["skill_talents"] for r in rows) == len(skill), by
            assert sum(r["high_skill_talents"] for r in rows) == len(high), by
        # the districts are the workers' ID numbers' region codes
        districts = {r["key"]: r["skill_talents"] for r in report["breakdowns"]["district"]}
        expected: dict[str, int] = {}
        for worker_id in skill:
            worker = ledger.worker(worker_id)
            expected[worker.masked_id_number[:6]] = expected.get(worker.masked_id_number[:6], 0) + 1
        assert districts == expected
        store.close()
    finally:
        ledger.close()
