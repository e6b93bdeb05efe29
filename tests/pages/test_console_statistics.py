"""The statistics report in the console (/console/statistics): an HR-bureau official sees the
headline figures, a table per breakdown that adds up to them, a bar chart with its legend and
the Excel link of the same date; as of a day before anything happened everything is zero; a bad
date is refused beside its field; an issuer officer is refused."""

from __future__ import annotations

import io
import re
from html import unescape

from openpyxl import load_workbook

from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld
from tests.pages.people import signed_in, signed_in_officer

TABLES = ("district", "employer", "occupation", "year")


def table_rows(html: str, table: str) -> list[list[str]]:
    """The body rows of ``breakdown-<table>`` as text cells."""
    found = re.search(rf'<table class="data" id="breakdown-{table}">(.*?)</table>', html, re.S)
    assert found, table
    body = re.search(r"<tbody>(.*?)</tbody>", found.group(1), re.S)
    assert body
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def figure(html: str, name: str) -> str:
    found = re.search(rf'<dd id="figure-{name}">([^<]*)', html)
    assert found, name
    return found.group(1).strip()


def test_an_hr_official_reads_the_statistics_report(pages_world: PagesWorld):
    hr = signed_in(
        pages_world,
        "report.hr@bureau.example",
        AccountRole.HR_OFFICIAL,
        pages_world.world.ids["union"],
    )
    page = hr.get("/console/statistics")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>统计报表</h1>" in html
    assert 'href="/console/statistics" aria-current="page">统计报表</a>' in html
    skill, high = int(figure(html, "skill")), int(figure(html, "high"))
    assert skill >= 1
    api = hr.get(f"/api/v1/statistics?wait_for={pages_world.ledger.log_position}").json
    assert (skill, high) == (api["skill_talents"], api["high_skill_talents"])
    for table in TABLES:
        rows = table_rows(html, table)
        assert sum(int(r[1]) for r in rows) == skill, table
        assert sum(int(r[2]) for r in rows) == high, table
    assert 'class="chart bars"' in html and 'class="legend-box"' in html
    assert '<h2 id="report-chart-heading">图表：按工作单位</h2>' in html
    assert 'href="/api/v1/statistics.xlsx"' in html
    assert '<label for="as_of">' in html and '<label for="chart">' in html

    by_year = hr.get("/console/statistics?chart=year&as_of=2000-01-01")
    assert by_year.status_code == 200
    assert "截至 2000-01-01 日终（北京时间）的数据。" in by_year.text
    assert figure(by_year.text, "skill") == "0" and figure(by_year.text, "ratio") == "–"
    assert '<h2 id="report-chart-heading">图表：按发证年度</h2>' in by_year.text
    assert 'href="/api/v1/statistics.xlsx?as_of=2000-01-01"' in by_year.text
    workbook = hr.get("/api/v1/statistics.xlsx?as_of=2000-01-01")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.data))
    assert len(book.sheetnames) == 5
    headline = {r[0]: r[1] for r in book["总体 Headline"].iter_rows(values_only=True)}
    assert headline["技能人才总量 Skill talents"] == 0

    english = hr.get("/console/statistics?lang=en")
    assert "<h1>Statistics report</h1>" in english.text
    assert "By district (region code of the ID number)" in english.text

    refused = hr.get("/console/statistics?as_of=2999-01-01")
    assert refused.status_code == 422
    assert 'id="as_of-error"' in refused.text
    assert 'aria-invalid="true" aria-describedby="as_of-error"' in refused.text
    assert hr.get("/console/statistics?as_of=yesterday").status_code == 422


def test_an_issuer_officer_is_refused_the_report(pages_world: PagesWorld):
    officer = signed_in_officer(
        pages_world, "report.officer@body.example", pages_world.world.ids["org_a"]
    )
    assert officer.get("/console/statistics").status_code == 403
    assert "统计报表" not in officer.get("/console").text


def test_the_union_and_auditors_read_the_report_too(pages_world: PagesWorld):
    union = pages_world.world.ids["union"]
    for login, role, organisation in (
        ("report.union@union.example", AccountRole.UNION_OFFICIAL, union),
        ("report.auditor@audit.example", AccountRole.AUDITOR, None),
    ):
        client = signed_in(pages_world, login, role, organisation)
        page = client.get("/console/statistics")
        assert page.status_code == 200, (role, page.text)
        assert 'href="/console/statistics"' in client.get("/console").text, role
