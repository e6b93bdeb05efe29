"""The talent database in the console (/console/talents): an HR-bureau official filters it,
sees masked ID numbers only, downloads the Excel of the same filters, and a person drops out
when their only qualifying certificate is revoked; a bad district is refused beside its field;
an issuer officer is refused."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from domain.person_account import AccountRole
from domain.skill_level import SkillLevel
from tests.factories import ELECTRICIAN
from tests.factories.organisations import ALL_LEVELS, numbered_body
from tests.pages.pages_world import PagesWorld
from tests.pages.people import signed_in
from tests.support.api_world import unique


def technician(pages_world: PagesWorld, name: str) -> tuple[str, str]:
    """A fresh worker of a fresh employer (北京人才测试单位) with a 二级/技师 certificate: (the
    raw ID number, the certificate's number)."""
    world = pages_world.world
    employer = numbered_body(
        pages_world.ledger, unique(), scope={ELECTRICIAN: ALL_LEVELS}, name="北京人才测试单位"
    )
    worker = world.fresh_worker(employer, name=name)
    recorded = pages_world.ledger.certificates.issue_certificate(
        issuer_id=employer,
        worker_id=worker,
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_2,
        basis={
            "kind": "direct_recognition",
            "reference": "DR-1",
            "bypass": "direct_recognition",
            "evidence": "行业领军人才直接认定",
        },
        actor="test",
    )
    return world.id_numbers[worker].reveal(), recorded.aggregate.number


def test_an_hr_official_filters_the_talent_database_and_downloads_it(pages_world: PagesWorld):
    raw, number = technician(pages_world, "葛技师")
    hr = signed_in(
        pages_world,
        "talents.hr@bureau.example",
        AccountRole.HR_OFFICIAL,
        pages_world.world.ids["union"],
    )
    everyone = hr.get("/console/talents")
    assert everyone.status_code == 200 and "<h1>人才库</h1>" in everyone.text
    assert "葛技师" in everyone.text and "赵六" in everyone.text  # a 技师 and a gold medallist
    assert raw not in everyone.text and raw[:6] + "********" + raw[-4:] in everyone.text
    assert 'href="/console/talents.xlsx"' in everyone.text
    assert '<label for="district">' in everyone.text

    found = hr.get("/console/talents?q=葛技师&level=2")
    assert "共 1 人" in found.text and "二级/技师" in found.text
    assert "/console/talents.xlsx?level=2&amp;q=" in found.text
    medals = hr.get("/console/talents?kind=medal")
    assert "赵六" in medals.text and "葛技师" not in medals.text and "金牌" in medals.text
    assert "葛技师" in hr.get(f"/console/talents?district={raw[:6]}&year=").text
    assert "葛技师" not in hr.get("/console/talents?district=65").text

    refused = hr.get("/console/talents?district=朝阳&year=20")
    assert refused.status_code == 422
    assert 'id="district-error"' in refused.text and 'id="year-error"' in refused.text
    assert 'aria-invalid="true" aria-describedby="district-error district-hint"' in refused.text

    workbook = hr.get("/console/talents.xlsx?q=葛技师")
    assert workbook.status_code == 200
    rows = list(load_workbook(io.BytesIO(workbook.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名 Name" and len(rows) == 2
    assert rows[1][0] == "葛技师" and rows[1][1] == raw[:6] + "********" + raw[-4:]
    assert all(raw not in str(cell) for row in rows for cell in row)

    pages_world.ledger.certificates.change_certificate_status(
        number, "revoke", actor="test", reason="材料不实"
    )
    assert "共 0 人" in hr.get("/console/talents?q=葛技师").text

    english = hr.get("/console/talents?kind=medal&lang=en")
    assert "Talent database" in english.text and "Competition medal" in english.text
    assert "Award" in english.text and "Gold" in english.text


def test_the_talent_database_is_for_the_bureau_the_union_and_auditors(pages_world: PagesWorld):
    world = pages_world.world
    officer = signed_in(
        pages_world, "talents.officer@body.example", AccountRole.ISSUER_OFFICER, world.ids["org_a"]
    )
    assert officer.get("/console/talents").status_code == 403
    assert officer.get("/console/talents.xlsx").status_code == 403
    union = signed_in(
        pages_world, "talents.union@union.example", AccountRole.UNION_OFFICIAL, world.ids["union"]
    )
    assert union.get("/console/talents").status_code == 200
    assert "/console/talents" in union.get("/console").text
